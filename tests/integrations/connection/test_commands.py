"""Operator commands: qbo_connect, sync_now, sync_status (never printing a token)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django_q.models import OrmQ

from customers.services import customer_create
from integrations.models.connection import QBOConnection
from integrations.models.sync import SyncFailure

pytestmark = [pytest.mark.django_db, pytest.mark.sandbox]


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_qbo_connect_prints_the_authorize_url(sandbox_company, settings):
    out = run("qbo_connect", "--no-input")
    assert f"{sandbox_company.url}/connect/oauth2?" in out
    assert f"client_id={settings.QBO_CLIENT_ID}" in out


def test_qbo_connect_auto_approve_connects_the_chosen_company(sandbox_company):
    out = run("qbo_connect", "--sandbox-auto-approve", "--realm", sandbox_company.realm)

    connection = QBOConnection.objects.get(realm_id=sandbox_company.realm)
    assert f"Connected to QuickBooks company “Test store” (realm {sandbox_company.realm})" in out
    assert connection.refresh_token not in out and connection.access_token not in out
    assert "Already connected: Test store" in run("qbo_connect", "--sandbox-auto-approve", "--if-unconnected")
    assert QBOConnection.objects.count() == 1


def test_qbo_connect_auto_approve_explains_an_unknown_company(sandbox_company):
    with pytest.raises(CommandError, match="The sandbox refused the sign-in"):
        run("qbo_connect", "--sandbox-auto-approve", "--realm", "123")
    assert not QBOConnection.objects.exists()


def _vendor_named(sandbox_company, name: str) -> None:
    """A vendor in QuickBooks with this name: a customer of the same name is refused (6240)."""
    sandbox_company.hook(
        f"realms/{sandbox_company.realm}/bookkeeper",
        {"entity": "Vendor", "action": "create", "fields": {"DisplayName": name}},
    )


def test_sync_now_wait_pushes_and_reports_failures(connection, qbo, sandbox_company):
    _vendor_named(sandbox_company, "Taken By A Vendor")
    customer_create(display_name="Pushed By Sync Now")
    customer_create(display_name="Taken By A Vendor")

    out = run("sync_now", "--wait")

    assert f"Test store (realm {connection.realm_id}): pushed 1, failed 1" in out
    failure = SyncFailure.objects.get(connection=connection)
    assert f"  - {failure.message}" in out
    found = qbo.query("SELECT * FROM Customer WHERE DisplayName = 'Pushed By Sync Now'")
    assert len(found.get("Customer", [])) == 1


def test_sync_now_without_wait_queues_one_drain(connection):
    assert "push queued for the background workers" in run("sync_now")
    run("sync_now")
    assert OrmQ.objects.count() == 1  # a second request while one waits adds nothing


def test_sync_now_names_an_unknown_realm(connection):
    with pytest.raises(CommandError, match="No QuickBooks connection has realm 42"):
        run("sync_now", "--realm", "42")


def test_sync_status_shows_queue_and_failures(connection, sandbox_company):
    customer_create(display_name="Waiting One")
    customer_create(display_name="Waiting Two")

    out = run("sync_status")

    assert f"Test store (realm {connection.realm_id})" in out
    assert "state:                 Connected" in out
    assert "changes waiting:       2" in out
    assert "open failures:         none" in out

    _vendor_named(sandbox_company, "Vendor Name Again")
    customer_create(display_name="Vendor Name Again")
    run("sync_now", "--wait")
    out = run("sync_status")
    assert "changes waiting:       0" in out
    cause = SyncFailure.objects.get().cause
    assert f"open failures:         {cause}: 1" in out
    assert "last push:             20" in out
    stored = QBOConnection.objects.get(pk=connection.pk)
    assert stored.access_token not in out and stored.refresh_token not in out


def test_sync_now_says_when_quickbooks_must_be_reconnected_first(connection):
    from integrations.services.connection import connection_mark_needs_reconnect

    connection_mark_needs_reconnect(connection_id=connection.pk, reason="refused")
    customer_create(display_name="Stuck Until Reconnect")

    for args in (("sync_now",), ("sync_now", "--wait")):
        out = run(*args)
        assert "nothing sent: QuickBooks needs to be reconnected." in out
    assert not OrmQ.objects.exists()


def test_qbo_connect_by_hand_completes_with_the_pasted_address(sandbox_company, monkeypatch):
    from tests.integrations.connection.conftest import consent

    printed = StringIO()

    def person_at_the_keyboard(prompt: str) -> str:
        authorize_url = next(line for line in printed.getvalue().splitlines() if "/connect/oauth2?" in line)
        return consent(authorize_url, realm=sandbox_company.realm)

    monkeypatch.setattr("builtins.input", person_at_the_keyboard)
    call_command("qbo_connect", stdout=printed)

    assert "Connected to QuickBooks company “Test store”" in printed.getvalue()
    assert QBOConnection.objects.filter(realm_id=sandbox_company.realm).exists()


def test_qbo_connect_by_hand_refuses_a_pasted_address_from_another_attempt(sandbox_company, monkeypatch):
    monkeypatch.setattr(
        "builtins.input", lambda prompt: f"http://x/?code=abc&state=other&realmId={sandbox_company.realm}"
    )
    with pytest.raises(CommandError, match="does not belong to the sign-in started here"):
        run("qbo_connect")
    assert not QBOConnection.objects.exists()
