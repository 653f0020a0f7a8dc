"""``manage.py qbo_connect``: connect a QuickBooks company from the command line.

Prints the consent address; open it, approve, and paste back the address the browser lands on. With
``--sandbox-auto-approve`` the local sandbox (started with ``--test-hooks``) approves by itself.
"""

from urllib.parse import parse_qs, urlsplit

from django.core.management.base import BaseCommand, CommandError

from integrations.models.connection import QBOConnection
from integrations.services.connect_flow import (
    ConnectFailed,
    connect_finish,
    connect_start,
    connect_with_sandbox_approval,
)


class Command(BaseCommand):
    help = "Connect SyncPortal to a QuickBooks company (prints the authorize URL)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--sandbox-auto-approve",
            action="store_true",
            help="complete the flow against the local sandbox through its approve test hook",
        )
        parser.add_argument("--realm", default="", help="with --sandbox-auto-approve: the company to connect")
        parser.add_argument(
            "--if-unconnected",
            action="store_true",
            help="do nothing when a QuickBooks company is already connected (used by make run)",
        )
        parser.add_argument("--no-input", action="store_true", help="only print the address")

    def handle(self, *args, **options):
        if options["if_unconnected"]:
            existing = QBOConnection.objects.exclude(status=QBOConnection.Status.DISCONNECTED).first()
            if existing:
                self.stdout.write(
                    f"Already connected: {existing} (realm {existing.realm_id}); nothing to do."
                )
                return
        try:
            if options["sandbox_auto_approve"]:
                connection = connect_with_sandbox_approval(realm_id=options["realm"])
            else:
                connection = self._by_hand(options["no_input"])
        except ConnectFailed as failed:
            raise CommandError(failed.message) from None
        if connection is not None:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Connected to QuickBooks company “{connection}” (realm {connection.realm_id})."
                )
            )

    def _by_hand(self, no_input: bool):
        session: dict = {}
        url = connect_start(session=session)
        self.stdout.write("Open this address in a browser and approve the connection:\n")
        self.stdout.write(url + "\n")
        if no_input:
            self.stdout.write(
                "Then use “Connect to QuickBooks” in the admin, or run this command again without "
                "--no-input and paste the address QuickBooks sends you to."
            )
            return None
        answer = input("Paste the address your browser was sent to (it contains code=…): ").strip()
        params = {key: values[0] for key, values in parse_qs(urlsplit(answer).query).items()}
        return connect_finish(session=session, params=params)
