"""``manage.py generate_encryption_key``: a new key for FIELD_ENCRYPTION_KEYS (token encryption)."""

from django.core.management.base import BaseCommand

from integrations.crypto import new_key


class Command(BaseCommand):
    help = "Print a new Fernet key for FIELD_ENCRYPTION_KEYS and how to start using it."

    def handle(self, *args, **options):
        key = new_key()
        self.stdout.write(key)
        self.stdout.write(
            "\nTo start using it: put it FIRST in FIELD_ENCRYPTION_KEYS (comma-separated, newest first), "
            "keeping the current keys after it, e.g.\n"
            f"  FIELD_ENCRYPTION_KEYS={key},<current key(s)>\n"
            "restart SyncPortal and its workers, run `manage.py rotate_encryption_keys`, and only then "
            "remove the old key. Keep the key secret and backed up: without it the stored QuickBooks "
            "sign-in cannot be read and QuickBooks must be reconnected."
        )
