"""Fixtures for the QBO sandbox suite: a real server on a free port, clients wired as in spec §1.3.

``sandbox`` (session): the WSGI server in a thread, temp SQLite file, test hooks on, throttle off.
``qb``: an unmodified python-quickbooks client authorised through the real OAuth flow (approve
hook → ``AuthClient.get_bearer_token``) for the seed realm; ``make_qb(realm)`` does the same for
another realm; ``new_realm`` creates a fresh seeded company. ``hook`` posts to a /__sandbox hook.
"""

from __future__ import annotations

import os
import uuid

import pytest
import requests

os.environ.setdefault("OAUTHLIB_INSECURE_TRANSPORT", "1")  # plain-http loopback (spec §1.3)

from intuitlib.client import AuthClient
from quickbooks import QuickBooks

from integrations.qbo_sandbox.config import SandboxConfig
from integrations.qbo_sandbox.server import start_in_thread


def sandbox_config(tmp_dir, **overrides) -> SandboxConfig:
    config = SandboxConfig(
        port=0,
        data_path=str(tmp_dir / "sandbox.sqlite3"),
        test_hooks=True,
        throttle=False,
        webhooks_enabled=False,
        webhook_url="http://127.0.0.1:9/unused",
    )
    for key, value in overrides.items():
        setattr(config, key, value)
    return config


@pytest.fixture(scope="session")
def sandbox(tmp_path_factory):
    handle = start_in_thread(sandbox_config(tmp_path_factory.mktemp("qbo_sandbox")))
    yield handle
    handle.stop()


def authorise(base_url: str, config: SandboxConfig, realm: str) -> AuthClient:
    """The real OAuth code flow: consent via the approve hook, then the token endpoint."""
    approved = requests.post(f"{base_url}/__sandbox/oauth/approve", json={"realm_id": realm}, timeout=10)
    approved.raise_for_status()
    auth_client = AuthClient(
        client_id=config.client_id,
        client_secret=config.client_secret,
        redirect_uri=config.redirect_uris[0],
        environment=config.discovery_url,
    )
    auth_client.get_bearer_token(approved.json()["code"], realm_id=realm)
    return auth_client


def client_for(base_url: str, config: SandboxConfig, realm: str) -> QuickBooks:
    auth_client = authorise(base_url, config, realm)

    class SandboxQuickBooks(QuickBooks):  # only the URL constants change (spec §1.3)
        api_url_v3 = f"{base_url}/v3"
        sandbox_api_url_v3 = f"{base_url}/v3"

    return SandboxQuickBooks(
        auth_client=auth_client, refresh_token=auth_client.refresh_token, company_id=realm, minorversion=75
    )


@pytest.fixture
def make_qb(sandbox):
    return lambda realm=sandbox.config.seed_realm_id: client_for(sandbox.url, sandbox.config, realm)


@pytest.fixture
def qb(make_qb):
    return make_qb()


@pytest.fixture
def hook(sandbox):
    def post(path: str, body: dict | None = None, method: str = "POST") -> dict:
        response = requests.request(method, f"{sandbox.url}/__sandbox/{path}", json=body or {}, timeout=30)
        assert response.status_code == 200, response.text
        return response.json()

    return post


@pytest.fixture
def new_realm(hook):
    return hook("realms", {"company_name": "Test company"})["realm_id"]


@pytest.fixture
def unique():
    return lambda prefix="T": f"{prefix} {uuid.uuid4().hex[:10]}"
