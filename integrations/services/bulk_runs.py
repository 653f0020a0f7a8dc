"""Bulk runs: start a re-sync or a *Retry all*, walk it a chunk at a time, cancel it.

A run queues one chunk of records, sends that chunk through the real push drain, counts what
QuickBooks accepted and refused, and only then queues the next chunk. So the progress the admin
polls is records sent, not records queued, and a cancel keeps every record not yet queued out of
QuickBooks' way. Everything already sent stays sent.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django_q.tasks import async_task

from integrations.mapping.choices import Entity
from integrations.mapping.engine import sent_fields
from integrations.models.bulk import BulkRun
from integrations.models.connection import QBOConnection
from integrations.models.mapping import ConfigChange, SyncSettings
from integrations.models.sync import SyncFailure
from integrations.selectors.config import affected_queryset, mapping_specs, sync_options
from integrations.services.config import resync_affected_count
from integrations.sync import push
from syncportal.outbox.services import Operation, outbox_record

TASK = "integrations.tasks.run_bulk"
# Small enough that the bar moves and a cancel bites within seconds; a drain batch is 30 records.
CHUNK = 60
# How long a chunk waits for another worker's drain of the same company (well inside the task's
# 150 s timeout); a chunk still unsent after that is counted as not yet accepted.
BUSY_WAIT_SECONDS, BUSY_POLL_SECONDS = 30.0, 0.25
LEASE = timedelta(minutes=5)  # longer than one chunk's drain (the cluster's task timeout is 150 s)
ACTIVE_FAILURES = [SyncFailure.Status.OPEN, SyncFailure.Status.RETRYING]
PERMISSIONS = {
    BulkRun.Kind.RESYNC: ("integrations.change_fieldmapping", "Only a manager can re-sync records."),
    BulkRun.Kind.RETRY: (
        "integrations.retry_syncfailure",
        "Only a bookkeeper or a manager can retry failures.",
    ),
}


def _require(actor, kind: str) -> None:
    permission, refusal = PERMISSIONS[kind]
    if actor is not None and not actor.has_perm(permission):
        raise PermissionDenied(refusal)


def _enqueue(run: BulkRun) -> None:
    run_id = run.pk
    transaction.on_commit(lambda: async_task(TASK, run_id, group="bulk", q_options={"timeout": 150}))


def bulk_resync_start(
    *,
    entities: Iterable[str],
    actor=None,
    realm_id: str = "",
    since: date | None = None,
    enqueue: bool = True,
) -> BulkRun:
    """Start re-sending every record in scope as the current mappings map it (one outbox row each).

    One ``ConfigChange`` row records who asked and how many records were in scope.
    """
    _require(actor, BulkRun.Kind.RESYNC)
    entities = [str(e) for e in entities]
    if not entities:
        raise ValidationError("Choose which records to re-sync.")
    counts = resync_affected_count(entities=entities, realm_id=realm_id, since=since)
    who = actor if getattr(actor, "pk", None) else None
    with transaction.atomic():
        run = BulkRun.objects.create(
            kind=BulkRun.Kind.RESYNC,
            params={
                "entities": entities,
                "realm_id": realm_id,
                "since": since.isoformat() if since else None,
            },
            connection=QBOConnection.objects.filter(realm_id=realm_id).first() if realm_id else None,
            total=sum(counts.values()),
            started_by=who,
        )
        words = ", ".join(f"{n} {Entity(e).label.split(' (')[0].lower()}(s)" for e, n in counts.items())
        anchor = SyncSettings.objects.filter(realm_id__in={realm_id, ""}).order_by("-realm_id").first()
        ConfigChange.objects.create(
            actor=who,
            action=ConfigChange.Action.RESYNC,
            model="integrations.syncsettings",
            object_id=str(anchor.pk) if anchor else "",
            object_repr=f"Re-sync for {'company ' + realm_id if realm_id else 'every company'}",
            after={"counts": counts, "realm_id": realm_id, "since": run.params["since"], "run": run.pk},
            summary=f"Started re-sending {words or 'nothing'} (run #{run.pk}).",
        )
        if enqueue:
            _enqueue(run)
    return run


def _failures(cause: str, connection_id: int | None):
    failures = SyncFailure.objects.filter(cause=cause, status__in=ACTIVE_FAILURES)
    return failures if connection_id is None else failures.filter(connection_id=connection_id)


def bulk_retry_start(
    *, cause: str, connection_id: int | None = None, actor=None, enqueue: bool = True
) -> BulkRun:
    """Start retrying every active failure with this root cause (optionally of one company).

    The run covers the failures open now; one that opens while it runs waits for the next retry.
    """
    _require(actor, BulkRun.Kind.RETRY)
    if not cause:
        raise ValidationError("Choose a cause to retry.")
    failures = _failures(cause, connection_id)
    with transaction.atomic():
        run = BulkRun.objects.create(
            kind=BulkRun.Kind.RETRY,
            params={
                "cause": cause,
                "connection_id": connection_id,
                "up_to": failures.aggregate(top=Max("pk"))["top"] or 0,
            },
            connection_id=connection_id,
            total=failures.count(),
            started_by=actor if getattr(actor, "pk", None) else None,
        )
        if enqueue:
            _enqueue(run)
    return run


def bulk_run_cancel(*, run: BulkRun, actor) -> bool:
    """Ask a run to stop after its current chunk; a queued run stops at once. False if it had ended."""
    _require(actor, run.kind)
    with transaction.atomic():
        asked = BulkRun.objects.filter(pk=run.pk, status__in=BulkRun.ACTIVE).update(cancel_requested=True)
        BulkRun.objects.filter(pk=run.pk, status=BulkRun.Status.QUEUED).update(
            status=BulkRun.Status.CANCELLED, finished_at=timezone.now()
        )
    return bool(asked)


def _claim(run_id: int) -> BulkRun | None:
    now = timezone.now()
    free = Q(lease_expires_at__isnull=True) | Q(lease_expires_at__lt=now)
    claimed = BulkRun.objects.filter(free, pk=run_id, status__in=BulkRun.ACTIVE).update(
        status=BulkRun.Status.RUNNING, lease_expires_at=now + LEASE
    )
    if not claimed:
        return None  # finished, cancelled, or another worker holds it (django-q delivered it twice)
    run = BulkRun.objects.get(pk=run_id)
    if run.started_at is None:
        run.started_at = now
        run.save(update_fields=["started_at", "updated_at"])
    return run


def _finish(run: BulkRun, status: str) -> None:
    run.status, run.finished_at, run.lease_expires_at = status, timezone.now(), None
    run.save(update_fields=["status", "finished_at", "lease_expires_at", "updated_at"])


def _drain(connection_ids: Iterable[int]) -> None:
    # Directly, not through a queued task: the chunk's outcome is what the progress bar reports. If
    # another worker holds a company's lease, that worker sends the chunk; wait for it to let go
    # (bounded) and drain once more, so the chunk is counted after it was sent, not before.
    for connection_id in sorted(set(connection_ids)):
        waited = 0.0
        while push.drain(connection_id).busy and waited < BUSY_WAIT_SECONDS:
            time.sleep(BUSY_POLL_SECONDS)
            waited += BUSY_POLL_SECONDS


def _resync_chunk(run: BulkRun, chunk: int) -> bool:
    """Queue and send the next chunk of a re-sync; False once every entity is walked."""
    entities, realm_id = run.params["entities"], run.params.get("realm_id", "")
    since = date.fromisoformat(run.params["since"]) if run.params.get("since") else None
    options = sync_options(realm_id)
    while run.entity_index < len(entities):
        entity = entities[run.entity_index]
        records = list(affected_queryset(entity, options, since=since).filter(pk__gt=run.position)[:chunk])
        if records:
            break
        run.entity_index, run.position = run.entity_index + 1, 0
    else:
        return False
    fields = sent_fields(entity, mapping_specs())
    details = {"reason": "configuration change", "realm_id": realm_id, "bulk_run": run.pk}
    with transaction.atomic():
        for record in records:
            outbox_record(
                instance=record, operation=Operation.UPDATE, changed_fields=fields, details=details,
                actor=run.started_by,
            )  # fmt: skip
    connections = QBOConnection.objects.filter(status=QBOConnection.Status.CONNECTED)
    _drain((connections.filter(realm_id=realm_id) if realm_id else connections).values_list("pk", flat=True))
    refused = SyncFailure.objects.filter(
        entity=records[0]._meta.label_lower, object_id__in=[r.pk for r in records], status__in=ACTIVE_FAILURES
    ).count()
    run.position = records[-1].pk
    run.done, run.refused = run.done + len(records), run.refused + refused
    run.sent += len(records) - refused
    return True


def _retry_chunk(run: BulkRun, chunk: int) -> bool:
    """Make the next chunk of failures due and send them; False when none is left."""
    params = run.params
    ids = list(
        _failures(params["cause"], params.get("connection_id"))
        .filter(pk__gt=run.position, pk__lte=params["up_to"])
        .order_by("pk")
        .values_list("pk", flat=True)[:chunk]
    )
    if not ids:
        return False
    with transaction.atomic():
        locked = SyncFailure.objects.select_for_update().filter(pk__in=ids, status__in=ACTIVE_FAILURES)
        connections = set(locked.values_list("connection_id", flat=True))
        # Engine bookkeeping rows, not synced records: one UPDATE per chunk (as failures_retry_cause).
        locked.update(status=SyncFailure.Status.RETRYING, next_retry_at=timezone.now(), resolved_at=None)
    _drain(connections)
    refused = SyncFailure.objects.filter(pk__in=ids, status__in=ACTIVE_FAILURES).count()
    run.position = ids[-1]
    run.done, run.refused, run.sent = (
        run.done + len(ids),
        run.refused + refused,
        run.sent + len(ids) - refused,
    )
    return True


STEPS = {BulkRun.Kind.RESYNC: _resync_chunk, BulkRun.Kind.RETRY: _retry_chunk}


def bulk_run_execute(run_id: int, *, time_budget: float = 100.0, chunk: int = CHUNK) -> BulkRun | None:
    """Work on a run until it is done, cancelled, or ``time_budget`` seconds have passed.

    Returns the run (still running if the budget ran out: the caller queues the continuation), or
    None when there was nothing to do. The position is saved after every chunk, so a worker that
    dies loses at most one chunk's count; its records are re-sent, which the push makes harmless.
    """
    run = _claim(run_id)
    if run is None:
        return None
    deadline = timezone.now() + timedelta(seconds=time_budget)
    step = STEPS[run.kind]
    while True:
        if BulkRun.objects.filter(pk=run.pk, cancel_requested=True).exists():
            _finish(run, BulkRun.Status.CANCELLED)
            return run
        more = step(run, chunk)
        run.total = max(run.total, run.done)  # records added to the scope since the count
        run.lease_expires_at = timezone.now() + LEASE
        run.save(update_fields=["entity_index", "position", "done", "sent", "refused", "total",
                                "lease_expires_at", "updated_at"])  # fmt: skip
        if not more:
            _finish(run, BulkRun.Status.DONE)
            return run
        if timezone.now() >= deadline:
            BulkRun.objects.filter(pk=run.pk).update(lease_expires_at=None)
            run.lease_expires_at = None
            return run
