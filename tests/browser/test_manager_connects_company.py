"""A manager connects a new QuickBooks company through the OAuth pages, in a real browser."""

import re

import pytest

from integrations.models import QBOConnection
from syncportal.access.roles import MANAGER

pytestmark = [pytest.mark.browser, pytest.mark.sandbox, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def callback_url(live_server, qbo_sandbox, settings):
    """Register the live server's callback with the sandbox's developer app, as a developer would
    register a redirect URI in Intuit's portal (the default one names port 8000)."""
    url = f"{live_server.url}/admin/integrations/qboconnection/callback/"
    settings.QBO_REDIRECT_URI = url
    qbo_sandbox.config.redirect_uris.append(url)
    yield url
    qbo_sandbox.config.redirect_uris.remove(url)


def test_manager_connects_a_new_company_through_the_oauth_pages(
    page, login_as, shot, sandbox_company, callback_url
):
    assert not QBOConnection.objects.exists()
    login_as(MANAGER)
    page.goto("/admin/integrations/qboconnection/")
    shot("no company connected")

    page.click("button:text('Connect to QuickBooks')")
    page.wait_for_url(re.compile(r"^" + re.escape(sandbox_company.url)))
    assert "Redirects to " + callback_url in page.inner_text("body")
    page.check(f"input[name=realm_id][value='{sandbox_company.realm}']")
    shot("QuickBooks asks to authorize")
    page.click("button[value=approve]")

    page.wait_for_url(re.compile(r"/admin/integrations/qboconnection/$"))
    assert "Connected to QuickBooks company" in page.inner_text(".messagelist")
    shot("back in SyncPortal, connected")
    connection = QBOConnection.objects.get(realm_id=sandbox_company.realm)
    assert connection.status == QBOConnection.Status.CONNECTED

    page.goto(f"/admin/integrations/qboconnection/{connection.pk}/change/")
    assert "Connected" in page.inner_text(".field-status")
    shot("the connection")
