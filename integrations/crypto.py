"""Encryption at rest for QuickBooks tokens.

``FIELD_ENCRYPTION_KEYS`` is a dedicated list of Fernet keys, newest first (MultiFernet encrypts with
the first and decrypts with any), so keys rotate without downtime: add a new key in front, run
``manage.py rotate_encryption_keys``, then drop the old key. It is deliberately not derived from
SECRET_KEY: rotating SECRET_KEY must never make stored tokens unreadable.
"""

from __future__ import annotations

from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models


@lru_cache(maxsize=4)
def _cipher(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS is empty: QuickBooks tokens cannot be stored.")
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except ValueError as exc:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEYS must hold Fernet keys (32 url-safe base64 bytes); "
            "create one with `python manage.py generate_encryption_key`."
        ) from exc


def cipher() -> MultiFernet:
    return _cipher(tuple(settings.FIELD_ENCRYPTION_KEYS))


def new_key() -> str:
    """A fresh Fernet key (32 random bytes, url-safe base64) for FIELD_ENCRYPTION_KEYS."""
    return Fernet.generate_key().decode()


def encrypt(value: str) -> str:
    return cipher().encrypt(value.encode()).decode()


def decrypt(value: str) -> str:
    try:
        return cipher().decrypt(value.encode()).decode()
    except InvalidToken as exc:
        raise ImproperlyConfigured(
            "A stored QuickBooks token cannot be decrypted with FIELD_ENCRYPTION_KEYS "
            "(was a key removed before rotation?). Reconnect QuickBooks or restore the key."
        ) from exc


def rotate(value: str) -> str:
    """Re-encrypt with the newest key."""
    return cipher().rotate(value.encode()).decode()


class EncryptedTextField(models.TextField):
    """A text column stored encrypted; the Python value is the plain text. Empty stays empty."""

    def from_db_value(self, value, expression, connection):
        if not value:
            return value
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if not value:
            return value
        return encrypt(value)
