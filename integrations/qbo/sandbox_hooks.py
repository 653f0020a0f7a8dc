"""The local sandbox's test hooks that stand in for a person clicking *Connect* on Intuit's page.

Only for ``QBO_ENVIRONMENT=local`` with a sandbox started with ``--test-hooks`` (``make run`` and the
tests). The approve hook is the same consent the HTML page records; the code it returns is then
exchanged through intuit-oauth like any other, so the rest of the flow is the real one.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import requests
from django.conf import settings

from integrations.qbo.client import is_local


class SandboxHooksUnavailable(Exception):
    """The sandbox cannot approve a sign-in by itself; the message says why in plain words."""


def _base() -> str:
    if not is_local():
        raise SandboxHooksUnavailable(
            f"Automatic approval only works with the local sandbox (QBO_ENVIRONMENT is "
            f"{settings.QBO_ENVIRONMENT!r}); open the address in a browser instead."
        )
    return settings.QBO_SANDBOX_URL.rstrip("/")


def _call(method: str, path: str, body: dict | None = None) -> dict:
    url = f"{_base()}/__sandbox/{path}"
    try:
        response = requests.request(method, url, json=body, timeout=30)
    except requests.RequestException as exc:
        raise SandboxHooksUnavailable(f"The QuickBooks sandbox at {_base()} could not be reached.") from exc
    if response.status_code == 404:
        raise SandboxHooksUnavailable(
            f"The sandbox at {_base()} was started without --test-hooks, so it cannot approve sign-ins."
        )
    if response.status_code != 200:
        # The sandbox's own explanation (unregistered redirect URI, unknown company, ...).
        raise SandboxHooksUnavailable(f"The sandbox refused the sign-in: {response.text[:300]}")
    return response.json()


def sandbox_companies() -> list[tuple[str, str]]:
    """(realm id, company name) of every company in the sandbox, oldest first."""
    return [(r["id"], r["name"]) for r in _call("GET", "info").get("realms", [])]


def sandbox_approve(authorize_url: str, *, realm_id: str) -> dict:
    """Approve the consent the authorize URL asks for, for one company: ``{code, state, realmId}``."""
    query = {key: values[0] for key, values in parse_qs(urlsplit(authorize_url).query).items()}
    body = {key: query.get(key, "") for key in ("client_id", "redirect_uri", "scope", "state")}
    return _call("POST", "oauth/approve", {**body, "realm_id": realm_id})
