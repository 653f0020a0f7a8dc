"""generate_encryption_key and rotate_encryption_keys: tokens stay readable across a key rotation."""

from __future__ import annotations

from io import StringIO

import pytest
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command
from django.db import connection as db

from integrations.models.connection import QBOConnection

pytestmark = [pytest.mark.django_db, pytest.mark.sandbox]


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def _raw_refresh(pk: int) -> str:
    with db.cursor() as cursor:
        cursor.execute("SELECT refresh_token FROM integrations_qboconnection WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def test_generate_encryption_key_prints_a_usable_key_and_how_to_add_it():
    out = run("generate_encryption_key")
    key = out.splitlines()[0]
    assert Fernet(key).decrypt(Fernet(key).encrypt(b"x")) == b"x"
    assert f"FIELD_ENCRYPTION_KEYS={key},<current key(s)>" in out
    assert "rotate_encryption_keys" in out


def test_rotation_moves_every_token_to_the_new_key_and_can_run_twice(connection, settings):
    old_key = settings.FIELD_ENCRYPTION_KEYS[0]
    new_key = Fernet.generate_key().decode()
    token = QBOConnection.objects.get(pk=connection.pk).refresh_token
    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]

    assert "of 1 QuickBooks connection(s)" in run("rotate_encryption_keys")
    run("rotate_encryption_keys")  # safe to re-run

    assert Fernet(new_key).decrypt(_raw_refresh(connection.pk).encode()).decode() == token
    settings.FIELD_ENCRYPTION_KEYS = [new_key]  # the old key can now be dropped
    assert QBOConnection.objects.get(pk=connection.pk).refresh_token == token


def test_rotation_without_the_old_key_changes_nothing_and_says_why(connection, settings):
    before = _raw_refresh(connection.pk)
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]

    with pytest.raises(CommandError, match=r"cannot be decrypted.*Nothing was changed"):
        run("rotate_encryption_keys")

    assert _raw_refresh(connection.pk) == before
