"""Connect to QuickBooks from the admin: the OAuth round trip through the sandbox's real consent page."""

from __future__ import annotations

import pytest
from django.db import connection as db_connection

from integrations.models.connection import QBOConnection
from integrations.services.connect_flow import SESSION_KEY
from tests.integrations.connection.conftest import (
    CALLBACK,
    CHANGELIST,
    CONNECT,
    callback_path,
    consent,
    messages_of,
    query_of,
)

pytestmark = [pytest.mark.django_db, pytest.mark.sandbox]


def _start(client, url=CONNECT) -> str:
    response = client.post(url)
    assert response.status_code == 302
    return response["Location"]


def test_manager_connects_a_company_and_its_tokens_are_stored_encrypted(
    manager_client, manager, sandbox_company
):
    authorize_url = _start(manager_client)
    assert authorize_url.startswith(sandbox_company.url)
    assert query_of(authorize_url)["state"] == manager_client.session[SESSION_KEY]["state"]

    location = consent(authorize_url, realm=sandbox_company.realm)
    response = manager_client.get(callback_path(location), follow=True)

    connection = QBOConnection.objects.get(realm_id=sandbox_company.realm)
    assert connection.company_name == "Test store"
    assert connection.status == QBOConnection.Status.CONNECTED
    assert connection.connected_by == manager
    assert connection.refresh_token and connection.access_token_expires_at
    assert any("Connected to QuickBooks company “Test store”" in m for m in messages_of(response))
    # At rest the columns hold ciphertext, and no page shows the token.
    with db_connection.cursor() as cursor:
        cursor.execute("SELECT access_token, refresh_token FROM integrations_qboconnection")
        raw_access, raw_refresh = cursor.fetchone()
    assert connection.access_token not in raw_access and connection.refresh_token not in raw_refresh
    listing = manager_client.get(CHANGELIST).content.decode()
    detail = manager_client.get(f"{CHANGELIST}{connection.pk}/change/").content.decode()
    assert "Test store" in listing and "Connected" in listing
    for page in (listing, detail):
        assert connection.access_token not in page and connection.refresh_token not in page


def test_the_connected_company_answers_api_calls(manager_client, sandbox_company):
    from integrations.services.connection import gateway_for

    location = consent(_start(manager_client), realm=sandbox_company.realm)
    manager_client.get(callback_path(location))

    connection = QBOConnection.objects.get(realm_id=sandbox_company.realm)
    info = gateway_for(connection).read("CompanyInfo", sandbox_company.realm)
    assert info["CompanyName"] == "Test store"


def test_cancelling_at_quickbooks_saves_nothing(manager_client, sandbox_company):
    location = consent(_start(manager_client), realm=sandbox_company.realm, action="deny")
    response = manager_client.get(callback_path(location), follow=True)

    assert not QBOConnection.objects.exists()
    assert messages_of(response) == ["The QuickBooks sign-in was cancelled, so nothing was changed."]


def test_a_callback_with_another_state_is_refused_before_the_code_is_used(manager_client, sandbox_company):
    location = consent(_start(manager_client), realm=sandbox_company.realm)
    params = query_of(location)
    forged = f"{CALLBACK}?code={params['code']}&state=someone-elses&realmId={params['realmId']}"

    response = manager_client.get(forged, follow=True)

    assert not QBOConnection.objects.exists()
    assert "does not belong to the sign-in started here" in messages_of(response)[0]
    # The state is single-use: the genuine answer arriving afterwards is refused too.
    manager_client.get(callback_path(location))
    assert not QBOConnection.objects.exists()


def test_a_sign_in_left_open_too_long_expires(manager_client, sandbox_company):
    authorize_url = _start(manager_client)
    session = manager_client.session
    session[SESSION_KEY] = {**session[SESSION_KEY], "started": session[SESSION_KEY]["started"] - 601}
    session.save()
    location = consent(authorize_url, realm=sandbox_company.realm)

    response = manager_client.get(callback_path(location), follow=True)

    assert not QBOConnection.objects.exists()
    assert "took more than 10 minutes and expired" in messages_of(response)[0]


def test_a_code_quickbooks_refuses_saves_nothing(manager_client, sandbox_company):
    location = consent(_start(manager_client), realm=sandbox_company.realm)
    params = query_of(location)
    bad = f"{CALLBACK}?code=not-a-real-code&state={params['state']}&realmId={params['realmId']}"

    response = manager_client.get(bad, follow=True)

    assert not QBOConnection.objects.exists()
    assert "QuickBooks refused the sign-in" in messages_of(response)[0]


def test_an_unreachable_sandbox_gives_a_plain_message(manager_client, settings, db):
    settings.QBO_ENVIRONMENT = "local"
    settings.QBO_SANDBOX_URL = "http://127.0.0.1:9"  # discard port: nothing listens

    response = manager_client.post(CONNECT, follow=True)

    assert response.redirect_chain[-1][0] == CHANGELIST
    assert "could not be reached, so nothing was changed" in messages_of(response)[0]
    assert SESSION_KEY not in manager_client.session


def test_sandbox_going_away_before_the_code_exchange_saves_nothing(manager_client, sandbox_company, settings):
    location = consent(_start(manager_client), realm=sandbox_company.realm)
    settings.QBO_SANDBOX_URL = "http://127.0.0.1:9"

    response = manager_client.get(callback_path(location), follow=True)

    assert not QBOConnection.objects.exists()
    assert "could not be reached, so nothing was changed" in messages_of(response)[0]
