"""Key rotation for the QuickBooks tokens stored encrypted (see ``integrations.crypto``)."""

from __future__ import annotations

from django.db import transaction

from integrations.models.connection import QBOConnection

ENCRYPTED_FIELDS = ["access_token", "refresh_token"]


def encryption_keys_rotate() -> int:
    """Re-encrypt every stored token with the first key of FIELD_ENCRYPTION_KEYS; returns the count.

    Loading decrypts with whichever listed key matches and saving encrypts with the first, so running
    it again only re-encrypts with the same key. Each company is locked while it is rewritten, so a
    token refresh running at the same moment cannot be overwritten with the older token. A token no
    listed key can read raises ``ImproperlyConfigured`` with the fix, before anything is written.
    """
    rotated = 0
    with transaction.atomic():
        for connection in QBOConnection.objects.select_for_update().order_by("pk"):
            connection.save(update_fields=ENCRYPTED_FIELDS)
            rotated += 1
    return rotated
