"""Push stage: outbox → QuickBooks, exactly once, in dependency order, through batch requests.

One drain per company at a time (a lease on the connection row, held by a conditional UPDATE, safe
with several django-q2 clusters on several hosts). Each batch is written to the intent ledger
(``PushBatch``) and committed *before* it is sent with a deterministic ``requestid``; if the worker
dies anywhere after that, the next drain re-sends the identical request and QuickBooks replays its
first answer instead of creating anything twice. A record QuickBooks refuses becomes a
``SyncFailure`` and never blocks the others.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from integrations.models.connection import QBOConnection
from integrations.models.sync import PushBatch
from integrations.qbo import errors
from integrations.qbo.contracts import BatchOp
from integrations.services.connection import gateway_for
from integrations.sync import (
    addresses,
    chaos,
    lease,
    linkrows,
    merge_steps,
    outbox_reader,
    overwrite,
    plan,
    records,
    recovery,
    stale,
    unmatched,
)
from integrations.sync.builders import (
    build_operation,
    build_removal,
    load_refs,
    missing_dependencies,
    refresh_refs,
)
from integrations.sync.limiter import RealmLimiter

log = logging.getLogger(__name__)

BATCH_SIZE = 30
# Batches of one wave in flight at once: one request's round trip overlaps the next one's bookkeeping.
# Intuit allows 10 per company; the limiter still paces every request (QBO_PUSH_IN_FLIGHT overrides).
IN_FLIGHT = 4
CHUNK = 900  # outbox rows planned at once; memory stays flat however long the queue is
MIN_SPLIT = 5  # a batch is cut to the limiter's room only down to this many items (see _chunks)
_ITEM_KEYS = {"bId", "operation", "optionsData"}
REQUEST_NAMESPACE = uuid.UUID("6b1f3f5e-8a53-4c0e-9d7e-5f2a4f3c9a10")


@dataclass
class DrainResult:
    pushed: int = 0
    failed: int = 0
    skipped: int = 0
    batches: int = 0
    busy: bool = False  # another worker holds the company's lease
    stopped: str = ""  # why the drain stopped early (throttled, unavailable, reconnect)
    calls: int = 0
    errors: list[str] = field(default_factory=list)
    owner: str = ""  # the lease holder, recorded on every batch it sends


class StopDrain(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def drain(connection_id: int, *, owner: str | None = None, time_budget: float = 120.0) -> DrainResult:
    """Push everything pending for one company (until done or ``time_budget`` seconds pass)."""
    result = DrainResult()
    result.owner = owner or f"{lease.host_id()}:{uuid.uuid4().hex[:8]}"
    deadline = time.monotonic() + time_budget
    refs_cache: dict = {}
    while True:
        seen, gaps = _drain_once(connection_id, result, deadline, refs_cache)
        if result.busy or result.stopped or time.monotonic() >= deadline:
            return result
        # A wake-up that arrived while we held the lease found us busy and left its entries to us:
        # look once more after releasing, so a change committed during our last read is not stranded.
        if not outbox_reader.has_unread(seen, gaps):
            return result


def _drain_once(
    connection_id: int, result: DrainResult, deadline: float, refs_cache: dict
) -> tuple[int, list]:
    """One lease-holding pass; returns the highest outbox id it read and the gaps it left."""
    owner = result.owner
    connection = lease.acquire(connection_id, owner)
    if connection is None:
        result.busy = True
        return 0, []
    seen = connection.outbox_position
    limiter = RealmLimiter(history=connection.recent_calls)
    gateway = gateway_for(connection, pace=limiter.pace)
    try:
        if not _may_send(connection, result):
            return seen, connection.outbox_gaps
        for batch in PushBatch.objects.filter(
            connection=connection, status=PushBatch.Status.IN_FLIGHT
        ).order_by("id"):
            _send(connection, gateway, batch, result)
        while time.monotonic() < deadline:
            lease.renew(connection.pk, owner)
            # Past the position, plus rows that committed late into a gap (PostgreSQL: see outbox_reader).
            chunk = outbox_reader.read_chunk(connection, CHUNK)
            entries = chunk.entries
            seen = max(seen, chunk.position)
            changes = plan.coalesce(entries)
            records.add_due_retries(connection, changes)
            merge_steps.run_merges(connection, gateway, entries, changes, result)
            if changes:
                _push_changes(connection, gateway, changes, refs_cache, result, room=limiter.room)
            # Also when nothing was left to send: late rows read from a gap must leave the gap list.
            outbox_reader.advance(connection, chunk)
            if not changes or len(entries) < CHUNK:
                break
    except StopDrain as stop:
        result.stopped = stop.reason
    except errors.QBOError as exc:
        # A read outside a batch (reference lists) failed: stop the same way a batch would.
        result.stopped = _stop_reason(connection, exc)
        result.errors.append(str(exc))
    finally:
        result.calls += gateway.calls
        lease.release(connection.pk, owner, limiter.history())
    return seen, connection.outbox_gaps


def _stop_reason(connection, exc: errors.QBOError) -> str:
    if isinstance(exc, errors.RateLimited):
        records.pause(connection, seconds=60, reason="QuickBooks asked us to slow down (429)")
        return "throttled"
    return "reconnect" if isinstance(exc, errors.ReconnectRequired) else "unavailable"


def _may_send(connection: QBOConnection, result: DrainResult) -> bool:
    if not connection.is_usable or not connection.sync_enabled:
        result.stopped = "paused" if connection.is_usable else "reconnect"
        return False
    if connection.paused_until and connection.paused_until > timezone.now():
        result.stopped = "throttled"
        return False
    return True


def _push_changes(connection, gateway, changes, refs_cache, result: DrainResult, *, room=None) -> None:
    found = plan.load_records(changes)
    refs = load_refs(connection, gateway, refs_cache)
    if unmatched.link_matches(connection, gateway, found, refs):
        refs = refresh_refs(connection, refs)  # the customers found in QuickBooks are now linked
    if addresses.apply_order_addresses(connection, changes, found, refs):
        found = plan.load_records(changes)  # the customers as the new orders left them
    if overwrite.take_in_quickbooks_edits(connection, gateway, list(changes.values())):
        found = plan.load_records(changes)  # as QuickBooks' other edits left them
    pending: list[tuple[plan.Change, object]] = []
    removed: list[tuple[plan.Change, object]] = []  # deleted here: deleted / made inactive there, first
    for key, change in changes.items():
        record = found.get(key)
        (removed if record is None else pending).append((change, record))
    _add_dependencies(changes, pending, refs)
    overwrite.refresh_sync_tokens(connection, gateway, [change for change, _ in pending])
    previous: list = []
    for wave in [removed, *plan.waves(pending)]:
        # Only the previous wave can have made new ids; load_refs read every other link already.
        refs = refresh_refs(connection, refs, keys=previous)
        ops: list[tuple[plan.Change, object, BatchOp, dict]] = []
        keys = previous = [change.key for change, _ in wave]
        links = linkrows.links_for(connection, keys)
        disputed = stale.disputed(connection, keys)
        for change, record in wave:
            if record is not None and change.key in disputed and not change.overwrite:
                record = stale.while_disputed(record, disputed[change.key])
                if record is None:
                    result.skipped += 1  # a conflict on a sale's money or links: it waits for a person
                    continue
            if record is None:
                built = build_removal(connection, change, links)
            else:
                built = build_operation(connection, change, record, refs, links)
            if built.skip_reason:
                records.skip(connection, change, built.skip_reason)
                result.skipped += 1
            elif built.blocked_by:
                records.fail_dependency(connection, change, record, built.blocked_by)
                result.failed += 1
            elif built.problem:
                records.fail_invalid(connection, change, record, built.problem)
                result.failed += 1
            else:
                ops.append((change, record, built.op, built.meta))
        _send_wave(connection, gateway, ops, result, room=room)


def _add_dependencies(changes, pending, refs) -> None:
    """A sale needs its customer and items in QuickBooks (even customers not flagged for sync);
    a sub-customer needs its parent. Add whatever is missing, up to the deepest parent chain."""
    frontier = list(pending)
    for _ in range(6):
        wanted = {}
        for change, record in frontier:
            for key in missing_dependencies(change, record, refs):
                if key in changes:
                    changes[key].force = True  # needed by a document: sent even if outside the scope
                elif key not in wanted:
                    wanted[key] = plan.Change(*key, operations=["create"], force=True)
            parent_id = getattr(record, "parent_id", None)
            key = ("customers.customer", parent_id)
            if parent_id and parent_id not in refs.customers and key not in changes and key not in wanted:
                wanted[key] = plan.Change(*key, operations=["create"], force=True)
        if not wanted:
            return
        found = plan.load_records(wanted)
        frontier = [(wanted[key], record) for key, record in found.items()]
        changes.update({key: wanted[key] for key in found})
        pending.extend(frontier)


def _record_intent(connection, chunk) -> PushBatch:
    """Commit the request before sending it: the crash-safe half of exactly-once."""
    items, body_items = [], []
    for index, (change, _record, op, meta) in enumerate(chunk):
        bid = f"b{index}"
        item = {"bId": bid, "operation": op.operation, op.qbo_type: op.body}
        if op.options:
            item["optionsData"] = op.options
        body_items.append(item)
        items.append(
            {
                "bId": bid,
                "entity": change.entity,
                "object_id": change.object_id,
                "qbo_type": op.qbo_type,
                "operation": change.last_operation,
                "batch_operation": op.operation,
                "first_at": change.first_at.isoformat() if change.first_at else "",
                **meta,
            }
        )
    with transaction.atomic():
        batch = PushBatch.objects.create(
            connection=connection,
            request_id=str(uuid.uuid4()),
            body={"BatchItemRequest": body_items},
            items=items,
        )
        # Deterministic from the ledger row: a re-send after a crash carries the same requestid.
        batch.request_id = str(uuid.uuid5(REQUEST_NAMESPACE, f"{connection.realm_id}:{batch.pk}"))
        batch.save(update_fields=["request_id"])
    return batch


def _chunks(ops: list, room=None):
    """The wave's batches, formed one at a time just before each is sent.

    A batch is up to 30 items, but the minute's budget (490 requests) is not a multiple of 30: with
    full batches only, 10 requests of every window would go unused. So when the limiter has room for
    fewer items than the next batch holds (and at least ``MIN_SPLIT``), the batch is cut to what fits
    now and the rest follows as the window frees up. Pacing happens on this thread before the next
    batch is formed, so ``room()`` already counts every batch started before it.
    """
    start = 0
    while start < len(ops):
        size = min(BATCH_SIZE, len(ops) - start)
        free = room() if room is not None else size
        if MIN_SPLIT <= free < size:
            size = free
        yield ops[start : start + size]
        start += size


def _send_wave(connection, gateway, ops: list, result: DrainResult, *, room=None) -> None:
    """Send one wave's batches, up to ``IN_FLIGHT`` at once (items of a wave never depend on each
    other). Each intent is committed before its request leaves; answers are applied here, in order,
    so only this thread touches the database. If one batch stops the drain, the others still in
    flight are left in the ledger and re-sent with the same requestid by the next drain."""
    in_flight = max(1, min(getattr(settings, "QBO_PUSH_IN_FLIGHT", IN_FLIGHT), 10))
    if len(ops) <= BATCH_SIZE or in_flight < 2:
        for chunk in _chunks(ops, room):
            _send(connection, gateway, _record_intent(connection, chunk), result)
        return
    sending: deque[_Sending] = deque()
    with ThreadPoolExecutor(max_workers=in_flight, thread_name_prefix="qbo-push") as pool:
        try:
            for chunk in _chunks(ops, room):
                sending.append(_start(connection, gateway, _record_intent(connection, chunk), result, pool))
                if len(sending) >= in_flight:
                    _finish(connection, gateway, sending.popleft(), result)
            while sending:
                _finish(connection, gateway, sending.popleft(), result)
        finally:
            for left in sending:  # stopped early: wait for the answers, apply none of them
                left.future.exception()


@dataclass
class _Sending:
    batch: PushBatch
    ops: list[BatchOp]
    started: float
    future: Future | None = None  # None: the request is sent when its answer is wanted


def _send(connection, gateway, batch: PushBatch, result: DrainResult) -> None:
    _finish(connection, gateway, _start(connection, gateway, batch, result), result)


def _start(connection, gateway, batch: PushBatch, result: DrainResult, pool=None) -> _Sending:
    # The ledger row holds the exact request; rebuild its ops so a re-send is byte-for-byte the same.
    ops = []
    for item in batch.body["BatchItemRequest"]:
        qbo_type = next(k for k in item if k not in _ITEM_KEYS)
        ops.append(
            BatchOp(
                bid=item["bId"],
                operation=item["operation"],
                qbo_type=qbo_type,
                body=item[qbo_type],
                options=item.get("optionsData", ""),
            )
        )
    PushBatch.objects.filter(pk=batch.pk).update(
        sent_attempts=batch.sent_attempts + 1, lease_owner=result.owner[:120], sent_at=timezone.now()
    )
    sending = _Sending(batch, ops, time.monotonic())
    chaos.crash_point("before_send")
    if pool is not None:
        try:
            sending.future = gateway.submit_batch(pool, ops, request_id=batch.request_id)
        except errors.QBOError as exc:  # building the client can fail before anything is sent
            sending.future = Future()
            sending.future.set_exception(exc)
    return sending


def _answers(gateway, sending: _Sending):
    if sending.future is None:
        return gateway.batch(sending.ops, request_id=sending.batch.request_id)
    try:
        return sending.future.result()
    except errors.AuthExpired:
        # Refreshing the token writes the database, so it happens here rather than on the pool's
        # thread; QuickBooks refused the request unprocessed, so sending it again is safe.
        return gateway.batch(sending.ops, request_id=sending.batch.request_id)


def _finish(connection, gateway, sending: _Sending, result: DrainResult) -> None:
    batch, started = sending.batch, sending.started
    try:
        answers = _answers(gateway, sending)
    except errors.RateLimited:
        records.pause(connection, seconds=60, reason="QuickBooks asked us to slow down (429)")
        raise StopDrain("throttled") from None
    except errors.ReconnectRequired:
        raise StopDrain("reconnect") from None
    except errors.QBOError as exc:
        # Outcome unknown (timeout, 5xx): the intent stays in flight and is re-sent, same requestid.
        result.errors.append(str(exc))
        raise StopDrain("unavailable") from exc
    chaos.crash_point("after_answer")
    duration_ms = int((time.monotonic() - started) * 1000)
    result.batches += 1
    with transaction.atomic():
        ok, failed = records.apply_batch(connection, batch, answers, duration_ms)
        PushBatch.objects.filter(pk=batch.pk).update(status=PushBatch.Status.DONE, finished_at=timezone.now())
    chaos.crash_point("after_commit")
    result.pushed += ok
    result.failed += failed
    # 5010 → merged update; 6240 → link to the same customer. Sent like any batch (ledger first).
    followups = recovery.after_batch(connection, gateway, batch, answers)
    for start in range(0, len(followups), BATCH_SIZE):
        chunk = [
            (
                plan.Change(item["entity"], item["object_id"], operations=[item["operation"]]),
                None,
                op,
                _meta(item),
            )
            for item, op in followups[start : start + BATCH_SIZE]
        ]
        result.failed -= len(chunk)  # counted again by the follow-up's own outcome
        _send(connection, gateway, _record_intent(connection, chunk), result)


def _meta(item: dict) -> dict:
    return {"fingerprint": item.get("fingerprint", ""), "recovery": item["recovery"]}
