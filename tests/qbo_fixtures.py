"""Fixtures any test may use: a real QBO sandbox server, and a connection to a fresh company in it.

Every test gets its own company (realm), so tests never see each other's QuickBooks data. The
connection is made through the real OAuth flow: the sandbox's approve hook gives a code and
``connection_complete`` exchanges it with intuit-oauth, exactly as the admin's callback does.
"""

from __future__ import annotations

import importlib

import pytest
import requests

from integrations.qbo_sandbox.config import SandboxConfig
from integrations.qbo_sandbox.server import start_in_thread


@pytest.fixture(scope="session")
def qbo_sandbox(tmp_path_factory):
    config = SandboxConfig(
        port=0,
        data_path=str(tmp_path_factory.mktemp("sync_sandbox") / "sandbox.sqlite3"),
        test_hooks=True,
        throttle=False,
        webhooks_enabled=False,
    )
    handle = start_in_thread(config)
    yield handle
    handle.stop()


class Sandbox:
    """Test-side helpers for the sandbox: hooks and raw reads (never through SyncPortal's code)."""

    def __init__(self, handle, realm: str) -> None:
        self.url = handle.url
        self.realm = realm

    def hook(self, path: str, body: dict | None = None, method: str = "POST") -> dict:
        response = requests.request(method, f"{self.url}/__sandbox/{path}", json=body or {}, timeout=30)
        assert response.status_code == 200, response.text
        return response.json()


@pytest.fixture
def sandbox_company(qbo_sandbox, settings):
    settings.QBO_ENVIRONMENT = "local"
    settings.QBO_SANDBOX_URL = qbo_sandbox.url
    realm = requests.post(
        f"{qbo_sandbox.url}/__sandbox/realms", json={"company_name": "Test store"}, timeout=30
    ).json()["realm_id"]
    company = Sandbox(qbo_sandbox, realm)
    yield company
    # Injected faults are the sandbox's, not the realm's: never let one outlive its test.
    requests.delete(f"{qbo_sandbox.url}/__sandbox/faults", timeout=30)


@pytest.fixture
def connection(sandbox_company, settings, db):
    from integrations.models import FieldMapping
    from integrations.services.connection import connection_complete

    if not FieldMapping.objects.exists():
        # A transactional test's flush empties the tables the data migrations filled: without the
        # default field mappings the push would have nothing to send.
        from django.apps import apps

        importlib.import_module("integrations.migrations.0003_default_mapping").add_defaults(apps, None)

    code = sandbox_company.hook(
        "oauth/approve",
        {
            "client_id": settings.QBO_CLIENT_ID,
            "redirect_uri": settings.QBO_REDIRECT_URI,
            "realm_id": sandbox_company.realm,
            "scope": "com.intuit.quickbooks.accounting",
            "state": "test",
        },
    )["code"]
    return connection_complete(code=code, realm_id=sandbox_company.realm)


@pytest.fixture
def qbo(connection):
    """A gateway to the test company, for reading what QuickBooks holds after a push."""
    from integrations.services.connection import gateway_for

    return gateway_for(connection)
