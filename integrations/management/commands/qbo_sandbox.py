"""``python manage.py qbo_sandbox``: run the local QuickBooks Online sandbox server.

A thin wrapper: the sandbox is a standalone WSGI server (``python -m integrations.qbo_sandbox`` runs
the same thing without Django) with its own SQLite storage, never the product's database.
"""

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run the local QuickBooks Online-compatible sandbox (API v3 + OAuth2 + webhooks)."

    def add_arguments(self, parser):
        from integrations.qbo_sandbox.__main__ import add_arguments

        add_arguments(parser)

    def handle(self, *args, **options):
        from integrations.qbo_sandbox.__main__ import config_from_options
        from integrations.qbo_sandbox.server import serve

        config = config_from_options(options)
        self.stdout.write(f"QBO sandbox on {config.base_url} (data: {config.data_path})")
        serve(config)
