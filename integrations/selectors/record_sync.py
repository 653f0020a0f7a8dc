"""One record's state with QuickBooks, for the "QuickBooks sync" section of its admin page.

Bounded: a handful of indexed queries per page whatever the history length (links, pending outbox
rows past each company's position, active failures, open conflicts, the latest events).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db.models import Q

from integrations.models.connection import QBOConnection
from integrations.models.sync import QBOLink, SyncConflict, SyncEvent, SyncFailure
from integrations.selectors.outbox import pending_for_any_q
from integrations.sync.outcomes import cause_label
from integrations.sync.plan import CHILD_ENTITIES
from syncportal.outbox.models import OutboxEntry

EVENT_LIMIT = 20
ACTIVE = [SyncFailure.Status.OPEN, SyncFailure.Status.RETRYING]
# Where a QuickBooks object opens in Intuit's web app (the sandbox's own view when local).
INTUIT_PAGES = {
    "Customer": "customerdetail?nameId=",
    "Invoice": "invoice?txnId=",
    "SalesReceipt": "salesreceipt?txnId=",
    "Payment": "recvpayment?txnId=",
    "RefundReceipt": "refundreceipt?txnId=",
    "CreditMemo": "creditmemo?txnId=",
}


@dataclass(frozen=True)
class LinkState:
    company: str
    qbo_type: str
    qbo_id: str
    last_synced_at: datetime | None
    open_url: str


@dataclass(frozen=True)
class EventRow:
    created_at: datetime
    direction: str
    operation: str
    outcome: str
    outcome_code: str
    qbo: str
    detail: str
    duration_ms: int


@dataclass(frozen=True)
class RecordSync:
    links: list[LinkState] = field(default_factory=list)
    pending_changes: int = 0
    failures: list[SyncFailure] = field(default_factory=list)
    failure_causes: list[str] = field(default_factory=list)
    conflicts: list[SyncConflict] = field(default_factory=list)
    events: list[EventRow] = field(default_factory=list)
    more_events: bool = False


def qbo_open_url(*, realm_id: str, qbo_type: str, qbo_id: str) -> str:
    """*Open in QuickBooks*: the sandbox's HTML view locally, Intuit's web app otherwise."""
    if settings.QBO_ENVIRONMENT == "local":
        base = f"{settings.QBO_SANDBOX_URL.rstrip('/')}/realms/{realm_id}"
        # The sandbox view has a page per customer; a transaction is listed on its transactions page.
        return f"{base}/customers/{qbo_id}" if qbo_type == "Customer" else f"{base}/transactions"
    host = (
        "https://app.sandbox.qbo.intuit.com"
        if settings.QBO_ENVIRONMENT == "sandbox"
        else "https://app.qbo.intuit.com"
    )
    page = INTUIT_PAGES.get(qbo_type)
    return f"{host}/app/{page}{qbo_id}" if page else f"{host}/app/homepage"


def _pending(entity: str, object_id: int) -> int:
    """Outbox rows for this record (or its lines) that some connected company has not handled yet."""
    connections = QBOConnection.objects.filter(status=QBOConnection.Status.CONNECTED).only(
        "outbox_position", "outbox_gaps"
    )
    if not connections:
        return 0
    children = [child for child, (parent, _) in CHILD_ENTITIES.items() if parent == entity]
    mine = Q(entity=entity, object_id=object_id)
    if children:
        mine |= Q(entity__in=children, details__parent_id=object_id)
    return OutboxEntry.objects.filter(mine).filter(pending_for_any_q(connections)).count()


def _event_row(event: SyncEvent) -> EventRow:
    summary = event.summary or {}
    detail = summary.get("message") or summary.get("reason") or ""
    if event.outcome == SyncEvent.Outcome.FAILED and summary.get("cause"):
        detail = f"{cause_label(summary['cause'])}: {detail}" if detail else cause_label(summary["cause"])
    return EventRow(
        created_at=event.created_at,
        direction=event.get_direction_display(),
        operation=event.operation,
        outcome=event.get_outcome_display(),
        outcome_code=event.outcome,
        qbo=f"{event.qbo_type} {event.qbo_id}".strip(),
        detail=detail,
        duration_ms=event.duration_ms,
    )


def record_sync_state(*, entity: str, object_id: int) -> RecordSync:
    links = [
        LinkState(
            company=str(link.connection),
            qbo_type=link.qbo_type,
            qbo_id=link.qbo_id,
            last_synced_at=link.last_synced_at,
            open_url=qbo_open_url(
                realm_id=link.connection.realm_id, qbo_type=link.qbo_type, qbo_id=link.qbo_id
            ),
        )
        for link in QBOLink.objects.filter(entity=entity, object_id=object_id).select_related("connection")
    ]
    failures = list(
        SyncFailure.objects.filter(entity=entity, object_id=object_id, status__in=ACTIVE).order_by("-id")[:10]
    )
    conflicts = list(
        SyncConflict.objects.filter(
            entity=entity, object_id=object_id, status=SyncConflict.Status.OPEN
        ).order_by("-id")[:10]
    )
    events = list(
        SyncEvent.objects.filter(entity=entity, object_id=object_id).order_by("-created_at", "-id")[
            : EVENT_LIMIT + 1
        ]
    )
    return RecordSync(
        links=links,
        pending_changes=_pending(entity, object_id),
        failures=failures,
        failure_causes=[cause_label(f.cause) for f in failures],
        conflicts=conflicts,
        events=[_event_row(e) for e in events[:EVENT_LIMIT]],
        more_events=len(events) > EVENT_LIMIT,
    )
