"""QuickBooks faults → a root cause and a message a bookkeeper can act on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from integrations.qbo import errors

MAX_AUTOMATIC_ATTEMPTS = 5


@dataclass(frozen=True)
class Diagnosis:
    cause: str
    message: str
    retry: bool  # retried automatically (with backoff) before waiting for a person


def diagnose(error: errors.QBOError, *, label: str, operation: str) -> Diagnosis:
    """``label`` names the record in words, e.g. "Customer ‘Jane Doe’"."""
    detail = error.detail or error.message
    code = error.code
    if isinstance(error, errors.DuplicateName):
        return Diagnosis(
            "duplicate_name",
            f"{label} could not be sent: QuickBooks already has a customer, vendor or employee with this "
            f"name ({detail}). Rename one of them, or merge the duplicate customers, then retry.",
            False,
        )
    if code == "2040":
        return Diagnosis(
            "invalid_characters",
            f"{label} could not be sent: QuickBooks refuses names with a colon, tab or line break "
            f"({detail}). Edit the name; saving re-sends it.",
            False,
        )
    if code in {"2050", "2210", "2020", "2010", "2170", "6070", "6080", "6150", "6180"}:
        return Diagnosis(
            f"invalid_data_{code}",
            f"{label} could not be sent: QuickBooks says “{error.message}” ({detail}). Fix the record; "
            "saving it re-sends it automatically.",
            False,
        )
    if isinstance(error, errors.NotFoundOrInactive):
        return Diagnosis(
            "inactive_reference",
            f"{label} could not be sent: it refers to something that is inactive or deleted in QuickBooks "
            f"({detail}). Reactivate it in QuickBooks or change the record, then retry.",
            False,
        )
    if isinstance(error, errors.StaleObject):
        return Diagnosis(
            "changed_in_quickbooks",
            f"{label} was changed in QuickBooks while we were sending it. It will be re-read and retried.",
            True,
        )
    if isinstance(error, errors.ReconnectRequired):
        return Diagnosis(
            "reconnect", f"{label} is waiting: QuickBooks must be reconnected by a manager.", True
        )
    if error.transient:
        return Diagnosis(
            "quickbooks_unavailable",
            f"{label} is waiting: QuickBooks did not answer normally ({error.message}). It is retried "
            "automatically.",
            True,
        )
    return Diagnosis(
        f"rejected_{code or 'other'}",
        f"{label} could not be sent: QuickBooks says “{error.message}” ({detail}).",
        False,
    )


def dependency_failed(label: str, needed: str) -> Diagnosis:
    return Diagnosis(
        "waiting_for_dependency",
        f"{label} is waiting for {needed}, which could not be sent yet. It goes as soon as that is fixed.",
        True,
    )


def backoff(attempts: int) -> timedelta:
    """Exponential: 1, 2, 4, 8, 16 minutes."""
    return timedelta(minutes=2 ** max(0, attempts - 1))


# Root causes in the words the failure queue shows (the keys are what ``diagnose`` returns).
CAUSE_LABELS = {
    "duplicate_name": "Name already used in QuickBooks",
    "invalid_characters": "Name has characters QuickBooks refuses",
    "inactive_reference": "Refers to something inactive or deleted in QuickBooks",
    "changed_in_quickbooks": "Changed in QuickBooks at the same time",
    "reconnect": "QuickBooks must be reconnected",
    "quickbooks_unavailable": "QuickBooks did not answer",
    "waiting_for_dependency": "Waiting for another record",
}


def cause_label(cause: str) -> str:
    if cause in CAUSE_LABELS:
        return CAUSE_LABELS[cause]
    if cause.startswith("invalid_data_"):
        return f"QuickBooks refused the data (code {cause.removeprefix('invalid_data_')})"
    if cause.startswith("rejected_"):
        return f"QuickBooks refused the record (code {cause.removeprefix('rejected_')})"
    return cause.replace("_", " ").capitalize()
