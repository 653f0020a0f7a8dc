"""The two halves of *Connect to QuickBooks*: send the manager to Intuit, and finish on their return.

``state`` is a random token kept in the manager's session and checked (once, within ten minutes)
when Intuit redirects back, so a callback that this browser did not start is refused before any code
is exchanged. Every way the flow can fail ends in ``ConnectFailed`` with a sentence for the admin
message, and nothing is saved: tokens are only stored once the code exchange succeeded.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Mapping, MutableMapping

from integrations.models.connection import QBOConnection
from integrations.qbo import tokens
from integrations.qbo.errors import QBOError, ReconnectRequired
from integrations.services.connection import connection_complete, new_state_token

SESSION_KEY = "qbo_oauth_pending"
STATE_TTL_SECONDS = 600

UNREACHABLE = (
    "QuickBooks' sign-in service could not be reached, so nothing was changed. "
    "Check the internet connection (or that the QuickBooks sandbox is running) and try again."
)


class ConnectFailed(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def connect_start(*, session: MutableMapping, realm_id: str = "") -> str:
    """The address of Intuit's consent page; remembers the state (and the company being reconnected)."""
    state = new_state_token()
    try:
        url = tokens.authorization_url(state)
    except QBOError as exc:
        raise ConnectFailed(UNREACHABLE) from exc
    session[SESSION_KEY] = {"state": state, "started": time.time(), "realm_id": realm_id}
    return url


def connect_finish(*, session: MutableMapping, params: Mapping[str, str], actor=None) -> QBOConnection:
    """Check the answer Intuit redirected back with and store the company's tokens."""
    pending = session.pop(SESSION_KEY, None)
    error = params.get("error", "")
    if error == "access_denied":
        raise ConnectFailed("The QuickBooks sign-in was cancelled, so nothing was changed.")
    if error:
        raise ConnectFailed(
            f"QuickBooks did not complete the sign-in ({error[:60]}), so nothing was changed. Try again."
        )
    if not pending or not secrets.compare_digest(str(pending.get("state", "")), params.get("state", "")):
        raise ConnectFailed(
            "This answer from QuickBooks does not belong to the sign-in started here (it was started in "
            "another browser or session, or was already used), so nothing was changed. "
            "Click “Connect to QuickBooks” and try again."
        )
    if time.time() - float(pending.get("started", 0)) > STATE_TTL_SECONDS:
        raise ConnectFailed(
            "The QuickBooks sign-in took more than 10 minutes and expired, so nothing was changed. "
            "Please start it again."
        )
    code, realm_id = params.get("code", ""), params.get("realmId", "")
    if not code or not realm_id:
        raise ConnectFailed(
            "QuickBooks sent back an incomplete answer (no company chosen); nothing was changed."
        )
    expected = pending.get("realm_id") or ""
    if expected and realm_id != expected:
        raise ConnectFailed(
            f"You chose a different QuickBooks company (realm {realm_id}) from the one being reconnected "
            f"(realm {expected}), so nothing was changed. Reconnect again and choose the same company."
        )
    return connection_finish_code(code=code, realm_id=realm_id, actor=actor)


def connection_finish_code(*, code: str, realm_id: str, actor=None) -> QBOConnection:
    """Exchange an authorization code (already checked by the caller) and queue the pending changes."""
    try:
        connection = connection_complete(code=code, realm_id=realm_id, actor=actor)
    except ReconnectRequired as exc:
        raise ConnectFailed(
            "QuickBooks refused the sign-in (the code expired, was already used, or the app's keys are "
            "wrong), so nothing was changed. Try connecting again."
        ) from exc
    except QBOError as exc:
        raise ConnectFailed(UNREACHABLE) from exc
    # Changes queued while the company was away go out now rather than at the next backstop run.
    from integrations.tasks import wake_push

    wake_push()
    return connection


def connect_with_sandbox_approval(*, realm_id: str = "", actor=None) -> QBOConnection:
    """The whole flow against the local sandbox, its approve hook standing in for the consent click.

    Used by ``qbo_connect --sandbox-auto-approve`` (and so by ``make run``). The state check, code
    exchange and storage are the same code the admin callback runs.
    """
    from integrations.qbo.sandbox_hooks import SandboxHooksUnavailable, sandbox_approve, sandbox_companies

    session: dict = {}
    url = connect_start(session=session, realm_id=realm_id)
    try:
        if not realm_id:
            companies = sandbox_companies()
            if not companies:
                raise ConnectFailed("The sandbox has no company to connect to.")
            realm_id = companies[0][0]
        answer = sandbox_approve(url, realm_id=realm_id)
    except SandboxHooksUnavailable as exc:
        raise ConnectFailed(str(exc)) from exc
    params = {"code": answer["code"], "state": answer.get("state") or "", "realmId": answer["realmId"]}
    return connect_finish(session=session, params=params, actor=actor)
