"""``manage.py rotate_encryption_keys``: re-encrypt stored QuickBooks tokens with the newest key."""

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from integrations.services.encryption import encryption_keys_rotate


class Command(BaseCommand):
    help = "Re-encrypt every stored token with the first key of FIELD_ENCRYPTION_KEYS (safe to re-run)."

    def handle(self, *args, **options):
        try:
            count = encryption_keys_rotate()
        except ImproperlyConfigured as exc:
            raise CommandError(f"{exc} Nothing was changed.") from None
        self.stdout.write(
            f"Re-encrypted the tokens of {count} QuickBooks connection(s) with the first key. "
            "Older keys can now be removed from FIELD_ENCRYPTION_KEYS."
        )
