"""Building python-quickbooks and intuit-oauth clients for the configured QuickBooks environment.

``QBO_ENVIRONMENT=local`` (the default) points both libraries at the bundled sandbox at
``QBO_SANDBOX_URL``: intuit-oauth treats any environment string other than sandbox/production as its
discovery URL, and python-quickbooks reads its API base from two class attributes, which a subclass
overrides. No SDK code is patched. ``sandbox`` and ``production`` use Intuit's own URLs.
"""

from __future__ import annotations

import os
from urllib.parse import urlparse

from django.conf import settings
from intuitlib.client import AuthClient
from quickbooks import QuickBooks
from requests.adapters import HTTPAdapter

# Intuit answers within 120 s or times the request out itself; wait a little longer than that.
REQUEST_TIMEOUT = (5, 130)


def _local_base() -> str:
    return settings.QBO_SANDBOX_URL.rstrip("/")


def is_local() -> bool:
    return settings.QBO_ENVIRONMENT == "local"


def discovery_environment() -> str:
    if is_local():
        return f"{_local_base()}/.well-known/openid_sandbox_configuration"
    return settings.QBO_ENVIRONMENT  # "sandbox" or "production": intuit-oauth knows the URLs


def api_base_url() -> str:
    if is_local():
        return f"{_local_base()}/v3"
    if settings.QBO_ENVIRONMENT == "sandbox":
        return QuickBooks.sandbox_api_url_v3
    return QuickBooks.api_url_v3


def app_base_url() -> str:
    """Where a person opens a company in the browser (the sandbox's read-only view when local)."""
    if is_local():
        return _local_base()
    if settings.QBO_ENVIRONMENT == "sandbox":
        return "https://app.sandbox.qbo.intuit.com"
    return "https://app.qbo.intuit.com"


def _allow_plain_http_to_loopback() -> None:
    # requests-oauthlib refuses http:// unless told otherwise. Only the local sandbox on a loopback
    # address ever gets this; Intuit's environments are https and keep the check.
    host = urlparse(_local_base()).hostname or ""
    if is_local() and (host in {"localhost", "::1"} or host.startswith("127.")):
        os.environ.setdefault("OAUTHLIB_INSECURE_TRANSPORT", "1")


def auth_client(
    *,
    access_token: str | None = None,
    refresh_token: str | None = None,
    realm_id: str = "",
    state: str | None = None,
) -> AuthClient:
    """An intuit-oauth client. Its constructor fetches the discovery document (one GET)."""
    _allow_plain_http_to_loopback()
    return AuthClient(
        client_id=settings.QBO_CLIENT_ID,
        client_secret=settings.QBO_CLIENT_SECRET,
        redirect_uri=settings.QBO_REDIRECT_URI,
        environment=discovery_environment(),
        state_token=state,
        access_token=access_token,
        refresh_token=refresh_token,
        realm_id=realm_id or None,
    )


class _TimeoutAdapter(HTTPAdapter):
    """Gives every request a timeout; python-quickbooks sets none (a hung call would hang a worker)."""

    def send(self, request, **kwargs):
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = REQUEST_TIMEOUT
        return super().send(request, **kwargs)


def quickbooks_client(*, access_token: str, realm_id: str) -> QuickBooks:
    """A python-quickbooks client bound to one company, using an already valid access token.

    Refreshing is never left to the SDK: ``integrations.services.connection`` refreshes under a
    per-company lock and stores the rotated refresh token first.
    """
    base = api_base_url()
    client_cls = type("ConfiguredQuickBooks", (QuickBooks,), {"api_url_v3": base, "sandbox_api_url_v3": base})
    client = client_cls(
        auth_client=auth_client(access_token=access_token),
        company_id=realm_id,
        minorversion=settings.QBO_MINOR_VERSION,
    )
    adapter = _TimeoutAdapter(pool_connections=2, pool_maxsize=10)  # a push keeps a few batches in flight
    client.session.mount("http://", adapter)
    client.session.mount("https://", adapter)
    return client
