"""The OAuth2 authorization-code flow and token refresh, through intuit-oauth.

These functions only talk to Intuit (or the sandbox); storing tokens, locking and marking a company
"needs reconnect" is ``integrations.services.connection``'s job.
"""

from __future__ import annotations

from intuitlib.enums import Scopes

from integrations.qbo.client import auth_client
from integrations.qbo.contracts import TokenSet
from integrations.qbo.errors import classify

SCOPES = [Scopes.ACCOUNTING]


def authorization_url(state: str) -> str:
    """Intuit's consent page for this app, carrying ``state`` (building the client reads discovery)."""
    try:
        return auth_client().get_authorization_url(SCOPES, state_token=state)
    except Exception as exc:
        raise classify(exc) from exc


def exchange_code(code: str, realm_id: str) -> TokenSet:
    try:
        client = auth_client(realm_id=realm_id)
        client.get_bearer_token(code, realm_id=realm_id)
    except Exception as exc:
        raise classify(exc) from exc
    return _token_set(client, realm_id)


def refresh(refresh_token: str) -> TokenSet:
    try:
        client = auth_client(refresh_token=refresh_token)
        client.refresh(refresh_token=refresh_token)
    except Exception as exc:
        raise classify(exc) from exc
    return _token_set(client, "")


def revoke(token: str) -> None:
    try:
        client = auth_client(refresh_token=token)
        client.revoke(token=token)
    except Exception as exc:
        raise classify(exc) from exc


def _token_set(client, realm_id: str) -> TokenSet:
    return TokenSet(
        access_token=client.access_token,
        refresh_token=client.refresh_token,
        expires_in=int(getattr(client, "expires_in", 3600) or 3600),
        refresh_expires_in=int(getattr(client, "x_refresh_token_expires_in", 8726400) or 8726400),
        realm_id=realm_id,
    )
