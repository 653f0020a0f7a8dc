"""Who may see and change the QuickBooks connection, checked on the server (direct GETs and POSTs)."""

from __future__ import annotations

import pytest

from integrations.models.connection import QBOConnection
from integrations.services.connect_flow import SESSION_KEY
from tests.integrations.connection.conftest import CALLBACK, CHANGELIST, CONNECT

pytestmark = [pytest.mark.django_db, pytest.mark.sandbox]


def _login(client, user):
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    "role, status", [("manager", 200), ("bookkeeper", 200), ("staff", 403), ("superuser", 200)]
)
def test_who_sees_the_connection_list(client, request, connection, role, status):
    response = _login(client, request.getfixturevalue(role)).get(CHANGELIST)
    assert response.status_code == status
    if status == 200:
        assert b"Test store" in response.content


def test_only_those_who_may_connect_see_the_buttons(client, manager, bookkeeper, connection):
    disconnect_link = f'href="{CHANGELIST}{connection.pk}/disconnect/"'.encode()
    page = _login(client, manager).get(CHANGELIST).content
    assert b"Connect to QuickBooks" in page and disconnect_link in page
    page = _login(client, bookkeeper).get(CHANGELIST).content
    assert b"Connect to QuickBooks" not in page and disconnect_link not in page


@pytest.mark.parametrize("role", ["manager", "superuser"])
def test_managers_and_superusers_can_start_connecting(client, request, sandbox_company, role):
    response = _login(client, request.getfixturevalue(role)).post(CONNECT)
    assert response.status_code == 302 and response["Location"].startswith(sandbox_company.url)


@pytest.mark.parametrize("role", ["bookkeeper", "staff"])
def test_others_cannot_connect_reconnect_or_disconnect(client, request, connection, role):
    _login(client, request.getfixturevalue(role))
    connection_pk = connection.pk
    assert client.post(CONNECT).status_code == 403
    assert SESSION_KEY not in client.session
    assert client.get(f"{CALLBACK}?code=x&state=y&realmId={connection.realm_id}").status_code == 403
    assert client.get(f"{CHANGELIST}{connection_pk}/reconnect/").status_code == 403
    assert client.post(f"{CHANGELIST}{connection_pk}/reconnect/").status_code == 403
    assert client.get(f"{CHANGELIST}{connection_pk}/disconnect/").status_code == 403
    assert client.post(f"{CHANGELIST}{connection_pk}/disconnect/").status_code == 403
    assert QBOConnection.objects.get(pk=connection_pk).status == QBOConnection.Status.CONNECTED


def test_nobody_edits_adds_or_deletes_a_connection_by_hand(client, manager, connection):
    _login(client, manager)
    assert client.get(f"{CHANGELIST}add/").status_code == 403
    assert client.post(f"{CHANGELIST}{connection.pk}/delete/").status_code == 403
    client.post(f"{CHANGELIST}{connection.pk}/change/", {"realm_id": "1", "company_name": "Renamed"})
    assert QBOConnection.objects.get(pk=connection.pk).company_name == "Test store"
