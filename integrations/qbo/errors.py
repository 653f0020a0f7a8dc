"""QuickBooks faults, turned into a small family callers can branch on.

python-quickbooks raises by numeric range (5010 and 6240 arrive as its plain ``QuickbooksException``,
401 as ``AuthorizationException``, a throttle 3001 as ``ValidationException``); ``classify`` maps every
one of them, plus transport errors, to exactly one class here, keeping QuickBooks' code and detail.
"""

from __future__ import annotations

import json

import requests
from intuitlib.exceptions import AuthClientError
from quickbooks import exceptions as qbx


class QBOError(Exception):
    """Base class. ``transient`` errors are retried automatically; the others need a person."""

    transient = False

    def __init__(self, message: str, *, code: str = "", detail: str = "", element: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.detail = detail
        self.element = element

    def __str__(self) -> str:
        return f"{self.code} {self.message}: {self.detail}".strip()


class RateLimited(QBOError):
    transient = True


class Unavailable(QBOError):
    """5xx, timeouts, connection errors: the outcome of a write may be unknown."""

    transient = True


class AuthExpired(QBOError):
    """The access token is no longer accepted (refresh and try again)."""

    transient = True


class ReconnectRequired(QBOError):
    """The refresh token was refused (invalid_grant) or revoked: a manager must reconnect."""


class StaleObject(QBOError):
    """5010: someone changed the object since our SyncToken."""


class DuplicateName(QBOError):
    """6240: the name is taken by a customer, vendor or employee."""

    @property
    def existing_id(self) -> str:
        marker = "Id="
        return self.detail.split(marker, 1)[1].strip() if marker in self.detail else ""


class NotFoundOrInactive(QBOError):
    """610 (deleted or inactive) and 2500 (invalid reference)."""


class Validation(QBOError):
    """Any other fault QuickBooks raises about the data we sent."""


_BY_CODE: dict[str, type[QBOError]] = {
    "3001": RateLimited,
    "5010": StaleObject,
    "6240": DuplicateName,
    "610": NotFoundOrInactive,
    "2500": NotFoundOrInactive,
    "3200": AuthExpired,
    "10000": Unavailable,
}


def from_fault(fault: dict) -> QBOError:
    """A QBO ``Fault`` dict (as in a batch item) → the matching error."""
    errors = fault.get("Error") or fault.get("error") or [{}]
    first = errors[0]
    code = str(first.get("code", ""))
    message = first.get("Message") or first.get("message") or "QuickBooks refused the request"
    detail = first.get("Detail") or first.get("detail") or ""
    cls = _BY_CODE.get(code, Validation)
    return cls(message, code=code, detail=detail, element=first.get("element") or "")


def classify(exc: BaseException) -> QBOError:
    """Any exception raised while talking to QuickBooks → one QBOError."""
    if isinstance(exc, QBOError):
        return exc
    if isinstance(exc, qbx.QuickbooksException):
        code = str(getattr(exc, "error_code", "") or "")
        detail = str(getattr(exc, "detail", "") or "")
        message = str(getattr(exc, "message", "") or exc)
        if isinstance(exc, qbx.AuthorizationException) and code == "401":
            return AuthExpired(message, code="401", detail=_redact(detail))
        if code == "10000" and ("status code '429'" in message or "ThrottleExceeded" in message):
            return RateLimited(message, code="3001", detail="")
        if code == "10000" and (recovered := _lower_case_fault(message)) is not None:
            return recovered
        if code == "10000":
            return Unavailable("QuickBooks did not answer normally", code=code, detail=message[:300])
        cls = _BY_CODE.get(code, Validation)
        if isinstance(exc, qbx.SevereException):
            cls = Unavailable
        return cls(message, code=code, detail=detail)
    if isinstance(exc, AuthClientError):
        body = getattr(exc, "content", b"") or b""
        if b"invalid_grant" in body or getattr(exc, "status_code", 0) == 400:
            return ReconnectRequired("QuickBooks refused the saved authorization", code="invalid_grant")
        if getattr(exc, "status_code", 0) == 401:
            return ReconnectRequired("QuickBooks refused the app's credentials", code="invalid_client")
        return Unavailable("The QuickBooks sign-in service did not answer normally", code="oauth")
    if isinstance(exc, requests.Timeout):
        return Unavailable("QuickBooks did not answer in time", code="timeout")
    if isinstance(exc, requests.RequestException):
        return Unavailable("QuickBooks could not be reached", code="connection")
    return Unavailable(f"Unexpected error talking to QuickBooks: {type(exc).__name__}", code="internal")


def _lower_case_fault(message: str) -> QBOError | None:
    """QBO sometimes answers a 400 in its lower-case ``fault`` envelope, which python-quickbooks
    cannot read (it raises a generic 10000 holding the raw body). Recover the real code from it,
    so a duplicate name is still a 6240 and not "QuickBooks unavailable"."""
    start = message.find("{")
    if start < 0:
        return None
    try:
        body = json.loads(message[start:])
    except ValueError:
        return None
    fault = body.get("fault") if isinstance(body, dict) else None
    if not isinstance(fault, dict) or not fault.get("error"):
        return None
    return from_fault(fault)


def _redact(detail: str) -> str:
    # QBO puts a token prefix in 401 details ("Token expired: AB0173…"); never keep it.
    return detail.split(":", 1)[0] if "Token" in detail else detail[:200]
