"""Pull stage: one CDC call per company reads everything changed since the cursor, then applies it.

Webhooks only wake this stage (many notifications → one metered read); a 5-minute schedule runs it
as the backstop for lost webhooks. The cursor moves in the same transaction as the last applied
change, and each read starts ``OVERLAP`` before it (overlap instead of gaps; re-reading an object
already applied is a no-op because its SyncToken equals the link's). A cursor older than QuickBooks'
30-day CDC window is refused by QuickBooks, so those entity types are re-read in full instead.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from integrations.models.connection import QBOConnection
from integrations.models.sync import PushBatch
from integrations.pull.balances import customers_named, refresh_balances
from integrations.pull.created import retry_due
from integrations.pull.customers import apply_customer
from integrations.pull.record import qbo_time
from integrations.pull.transactions import TRANSACTION_TYPES, apply_transaction
from integrations.qbo.errors import QBOError
from integrations.selectors.outbox import pending_q
from integrations.services.connection import gateway_for
from integrations.sync import lease
from integrations.sync.limiter import RealmLimiter
from syncportal.outbox.models import OutboxEntry

log = logging.getLogger(__name__)

ENTITIES = ["Customer", *TRANSACTION_TYPES]
OVERLAP = timedelta(minutes=2)
CDC_WINDOW = timedelta(days=30)
CDC_MAX = 1000  # QuickBooks truncates a CDC answer here: read again from the last object's time


@dataclass
class PullResult:
    applied: dict[str, int] = field(default_factory=dict)
    calls: int = 0
    busy: bool = False
    stopped: str = ""
    full_resync: bool = False

    def count(self, outcome: str) -> None:
        self.applied[outcome] = self.applied.get(outcome, 0) + 1


def apply_one(connection: QBOConnection, qbo_type: str, doc: dict, gateway=None) -> str:
    if qbo_type == "Customer":
        return apply_customer(connection, doc)
    return apply_transaction(connection, qbo_type, doc, gateway)


def _rank(qbo_type: str, doc: dict) -> int:
    if qbo_type == "Customer":
        return 0
    if qbo_type != "Payment":
        return 2
    # A payment deleted or voided is taken off its invoices before they change (a voided charge
    # must have nothing applied); any other payment comes after the invoices and credit memos it
    # links, which a payment's own write moves later in time than itself.
    removed = doc.get("status") == "Deleted" or str(doc.get("PrivateNote", "")).startswith("Voided")
    return 1 if removed else 3


def _order(changes: dict[str, list[dict]]) -> list[tuple[str, dict]]:
    """Customers first (parents before children), then transactions (payments after the documents
    they pay, see ``_rank``), each by LastUpdatedTime."""
    rows = []
    for qbo_type, docs in changes.items():
        for doc in docs:
            rank = _rank(qbo_type, doc)
            depth = str(doc.get("FullyQualifiedName", "")).count(":")
            rows.append((rank, qbo_time(doc) or timezone.now(), depth, qbo_type, doc))
    rows.sort(key=lambda row: (row[0], row[2], row[1]))
    return [(qbo_type, doc) for _rank, _time, _depth, qbo_type, doc in rows]


def pull(connection_id: int, *, owner: str | None = None) -> PullResult:
    """Read and apply everything changed in one company since its cursor."""
    result = PullResult()
    owner = owner or f"{lease.host_id()}:pull:{uuid.uuid4().hex[:8]}"
    QBOConnection.objects.filter(pk=connection_id).update(pull_pending=False)
    connection = lease.acquire(connection_id, owner)
    if connection is None:
        result.busy = True
        return result
    limiter = RealmLimiter(history=connection.recent_calls)
    gateway = gateway_for(connection, pace=limiter.pace)
    try:
        if not connection.is_usable or not connection.sync_enabled:
            result.stopped = "paused" if connection.is_usable else "reconnect"
            return result
        if PushBatch.objects.filter(connection_id=connection_id, status=PushBatch.Status.IN_FLIGHT).exists():
            # A push was cut off between sending a batch and recording QuickBooks' answer: what it
            # created there is ours but not linked yet, and reading now would take it for documents
            # entered in QuickBooks (duplicates here). The push re-sends it first (same requestid,
            # same answer, now linked); the cursor has not moved, so the next pull reads everything.
            result.stopped = "push in flight"
            return result
        # First pull: changes since the company was connected (what existed before is the import's).
        cursor = connection.cdc_cursor or connection.connected_at + OVERLAP
        if timezone.now() - cursor > CDC_WINDOW - OVERLAP:
            _full_resync(connection, gateway, result, cursor)
            return result
        retry_due(connection, gateway, apply_one)  # documents a bookkeeper asked to retry
        for _round in range(20):  # a truncated answer (1000 objects) is read again from where it ended
            since = cursor - OVERLAP
            started = timezone.now()
            changes = gateway.cdc(ENTITIES, since.isoformat())
            cursor = _apply_batch(connection, gateway, changes, since, started, result)
            refresh_balances(connection, gateway, customers_named(changes))
            if sum(len(docs) for docs in changes.values()) < CDC_MAX:
                break
    except QBOError as error:
        result.stopped = type(error).__name__
        log.warning("pull realm=%s stopped: %s", connection.realm_id, type(error).__name__)
    finally:
        result.calls = gateway.calls
        lease.release(connection_id, owner, limiter.history())
        _hand_back_to_push(connection_id)
    return result


def _hand_back_to_push(connection_id: int) -> None:
    # A push woken while we held the company's lease found it busy and stopped: if local changes
    # are waiting, queue the drain now rather than leaving them to the once-a-minute backstop.
    from integrations.tasks import enqueue_drain  # tasks imports this module

    connection = QBOConnection.objects.filter(pk=connection_id).only("outbox_position", "outbox_gaps").first()
    if connection is not None and (
        OutboxEntry.objects.filter(pending_q(connection)).exists()
        or PushBatch.objects.filter(connection_id=connection_id, status=PushBatch.Status.IN_FLIGHT).exists()
    ):
        enqueue_drain(connection_id)


def _apply_batch(
    connection, gateway, changes, since: datetime, started: datetime, result: PullResult
) -> datetime:
    ordered = _order(changes)
    truncated = sum(len(docs) for docs in changes.values()) >= CDC_MAX
    for index, (qbo_type, doc) in enumerate(ordered):
        with transaction.atomic():
            result.count(apply_one(connection, qbo_type, doc, gateway))
            if index == len(ordered) - 1:
                # The last change and the cursor commit together: a crash before this re-reads the batch.
                new_cursor = _next_cursor(ordered, since, started, truncated)
                QBOConnection.objects.filter(pk=connection.pk).update(
                    cdc_cursor=new_cursor, last_pull_at=timezone.now()
                )
    if not ordered:
        new_cursor = max(since + OVERLAP, started - OVERLAP)
        QBOConnection.objects.filter(pk=connection.pk).update(
            cdc_cursor=new_cursor, last_pull_at=timezone.now()
        )
    connection.refresh_from_db(fields=["cdc_cursor"])
    return connection.cdc_cursor


def _next_cursor(ordered, since: datetime, started: datetime, truncated: bool) -> datetime:
    latest = max((qbo_time(doc) for _t, doc in ordered if qbo_time(doc)), default=since)
    if truncated:
        return latest  # more waits after the last object returned
    # Everything up to the read was returned. Our clock and QuickBooks' may differ by less than
    # OVERLAP (both follow NTP); the next read starts OVERLAP earlier still, so skew leaves no gap.
    return max(latest, started - OVERLAP)


def _full_resync(connection, gateway, result: PullResult, since: datetime) -> None:
    """The cursor fell out of the CDC window: read every customer (1,000 a page), and the money
    documents changed since the cursor. Older documents are the import's (open invoices and their
    payments), or already linked and unchanged: re-reading years of paid invoices would create them
    all here and spend reads on them.
    """
    result.full_resync = True
    started = timezone.now()
    for qbo_type in ENTITIES:
        where = (
            "" if qbo_type == "Customer" else f"MetaData.LastUpdatedTime >= '{(since - OVERLAP).isoformat()}'"
        )
        for page in gateway.query_all(qbo_type, where):
            for doc in sorted(page, key=lambda d: str(d.get("FullyQualifiedName", "")).count(":")):
                with transaction.atomic():
                    result.count(apply_one(connection, qbo_type, doc, gateway))
    QBOConnection.objects.filter(pk=connection.pk).update(cdc_cursor=started, last_pull_at=timezone.now())
