"""Reconnect a company QuickBooks stopped accepting; disconnect one (revoked, history kept)."""

from __future__ import annotations

import pytest

from customers.services import customer_create
from integrations.models.connection import QBOConnection
from integrations.models.sync import QBOLink
from integrations.qbo import tokens
from integrations.qbo.errors import ReconnectRequired
from integrations.services.connection import connection_mark_needs_reconnect
from integrations.sync.push import drain
from tests.integrations.connection.conftest import CHANGELIST, callback_path, consent, messages_of

pytestmark = [pytest.mark.django_db, pytest.mark.sandbox]


def _customers_named(qbo, name: str) -> list[dict]:
    return qbo.query(f"SELECT * FROM Customer WHERE DisplayName = '{name}'").get("Customer", [])


def test_reconnect_restores_sync_and_the_changes_queued_meanwhile_go_out(
    manager_client, connection, sandbox_company, qbo
):
    connection_mark_needs_reconnect(
        connection_id=connection.pk, reason="QuickBooks refused the saved authorization"
    )
    customer_create(display_name="Queued While Away")
    assert drain(connection.pk).stopped == "reconnect"

    page = manager_client.get(f"{CHANGELIST}{connection.pk}/reconnect/")
    assert page.status_code == 200 and b"Continue to QuickBooks" in page.content
    authorize_url = manager_client.post(f"{CHANGELIST}{connection.pk}/reconnect/")["Location"]
    response = manager_client.get(
        callback_path(consent(authorize_url, realm=sandbox_company.realm)), follow=True
    )

    connection.refresh_from_db()
    assert connection.status == QBOConnection.Status.CONNECTED and connection.status_message == ""
    assert "Connected to QuickBooks company" in messages_of(response)[0]
    assert drain(connection.pk).pushed == 1
    assert len(_customers_named(qbo, "Queued While Away")) == 1


def test_reconnect_refuses_a_different_company(manager_client, connection, qbo_sandbox):
    import requests

    other = requests.post(f"{qbo_sandbox.url}/__sandbox/realms", json={"company_name": "Other"}, timeout=30)
    other_realm = other.json()["realm_id"]
    connection_mark_needs_reconnect(connection_id=connection.pk, reason="refused")
    authorize_url = manager_client.post(f"{CHANGELIST}{connection.pk}/reconnect/")["Location"]

    response = manager_client.get(callback_path(consent(authorize_url, realm=other_realm)), follow=True)

    assert "different QuickBooks company" in messages_of(response)[0]
    assert not QBOConnection.objects.filter(realm_id=other_realm).exists()
    connection.refresh_from_db()
    assert connection.status == QBOConnection.Status.NEEDS_RECONNECT


def test_disconnect_asks_first_then_revokes_and_keeps_history(manager_client, connection):
    customer_create(display_name="Linked Before Disconnect")
    drain(connection.pk)
    refresh_token = QBOConnection.objects.get(pk=connection.pk).refresh_token

    confirm = manager_client.get(f"{CHANGELIST}{connection.pk}/disconnect/")
    assert confirm.status_code == 200 and b"Yes, disconnect" in confirm.content
    assert QBOConnection.objects.get(pk=connection.pk).status == QBOConnection.Status.CONNECTED

    response = manager_client.post(f"{CHANGELIST}{connection.pk}/disconnect/", follow=True)

    connection.refresh_from_db()
    assert connection.status == QBOConnection.Status.DISCONNECTED
    assert connection.refresh_token == "" and connection.access_token == ""
    assert "Disconnected “Test store”" in messages_of(response)[0]
    assert QBOLink.objects.filter(connection=connection).count() == 1  # history kept
    with pytest.raises(ReconnectRequired):  # QuickBooks no longer honours the old sign-in
        tokens.refresh(refresh_token)
    history = manager_client.get(f"{CHANGELIST}{connection.pk}/history/").content.decode()
    assert "Disconnected from QuickBooks (access revoked)." in history
    customer_create(display_name="After Disconnect")
    assert drain(connection.pk).pushed == 0
