"""The state a person reads in the list and in sync_status, for each way a company can stand."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from integrations.models.connection import QBOConnection
from integrations.sync.records import pause
from tests.integrations.connection.conftest import CHANGELIST

pytestmark = [pytest.mark.django_db, pytest.mark.sandbox]


def _status() -> str:
    out = StringIO()
    call_command("sync_status", stdout=out)
    return out.getvalue()


def test_a_company_quickbooks_slowed_down_shows_paused_until(client, manager, connection):
    pause(connection, seconds=60, reason="QuickBooks asked us to slow down")

    assert "state:                 Paused until" in _status()
    client.force_login(manager)
    assert '">Paused until' in client.get(CHANGELIST).content.decode()


@pytest.mark.parametrize(
    "changes, words",
    [
        ({"sync_enabled": False}, "Paused by a manager"),
        ({"status": QBOConnection.Status.NEEDS_RECONNECT}, "Needs reconnect"),
        ({"status": QBOConnection.Status.DISCONNECTED}, "Disconnected"),
    ],
)
def test_each_state_in_words(client, manager, connection, changes, words):
    QBOConnection.objects.filter(pk=connection.pk).update(**changes)

    assert f"state:                 {words}" in _status()
    client.force_login(manager)
    assert f">{words}</strong>" in client.get(CHANGELIST).content.decode()  # the state column
