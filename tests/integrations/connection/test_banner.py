"""The QuickBooks banner on every admin page: sign-in refused, or about to lapse."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from integrations.models.connection import QBOConnection
from integrations.services.connection import connection_mark_needs_reconnect

pytestmark = [pytest.mark.django_db, pytest.mark.sandbox]

REFUSED = "QuickBooks stopped accepting SyncPortal's sign-in for Test store; changes keep queueing."
PAGES = ["/admin/", "/admin/customers/customer/", "/admin/integrations/qboconnection/"]


def _expire_in(connection, days: float) -> None:
    QBOConnection.objects.filter(pk=connection.pk).update(
        refresh_token_expires_at=timezone.now() + timedelta(days=days)
    )


def test_managers_see_the_reconnect_banner_on_every_page(client, manager, connection):
    connection_mark_needs_reconnect(
        connection_id=connection.pk, reason="QuickBooks refused the saved authorization"
    )
    client.force_login(manager)
    for page in PAGES:
        html = client.get(page).content.decode()
        assert REFUSED in html, page
        assert f'href="/admin/integrations/qboconnection/{connection.pk}/reconnect/"' in html


def test_front_desk_sees_the_banner_but_is_told_to_ask_a_manager(client, staff, connection):
    connection_mark_needs_reconnect(connection_id=connection.pk, reason="refused")
    client.force_login(staff)
    html = client.get("/admin/customers/customer/").content.decode()
    assert REFUSED in html and "Ask a manager to reconnect QuickBooks." in html
    assert "/reconnect/" not in html


def test_no_banner_while_the_connection_is_healthy(client, manager, connection):
    client.force_login(manager)
    html = client.get("/admin/").content.decode()
    assert "qbo-banner" not in html


def test_a_sign_in_about_to_lapse_is_warned_about(client, manager, connection, settings):
    client.force_login(manager)
    _expire_in(connection, 10)
    assert "sign-in for Test store expires on" in client.get("/admin/").content.decode()

    settings.QBO_REFRESH_WARNING_DAYS = 7
    assert "qbo-banner" not in client.get("/admin/").content.decode()


def test_a_disconnected_company_raises_no_banner(client, manager, connection):
    QBOConnection.objects.filter(pk=connection.pk).update(status=QBOConnection.Status.DISCONNECTED)
    _expire_in(connection, 1)
    client.force_login(manager)
    assert "qbo-banner" not in client.get("/admin/").content.decode()
