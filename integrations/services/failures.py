"""What a bookkeeper does with a sync failure: retry it now, ignore it, or force our version through.

Each service changes the failure rows in one transaction and, once that commits, queues one drain
per company concerned. The drain does the real work: ``records.add_due_retries`` picks up every
failure that is *retrying* and due, so "retry now" is simply "due now".
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from integrations.models.sync import Direction, SyncConflict, SyncFailure

ACTIVE = [SyncFailure.Status.OPEN, SyncFailure.Status.RETRYING]


def _enqueue_drains(connection_ids: Iterable[int]) -> None:
    from integrations import tasks  # tasks import the engine; keep this module light to import

    for connection_id in sorted(set(connection_ids)):
        transaction.on_commit(lambda cid=connection_id: tasks.enqueue_drain(cid))


def _enqueue_pulls(connection_ids: Iterable[int]) -> None:
    # A change from QuickBooks that could not be applied is read again by the next pull.
    from integrations import tasks

    for connection_id in sorted(set(connection_ids)):
        transaction.on_commit(lambda cid=connection_id: tasks.wake_pull(cid))


def _lock(failure_ids: Iterable[int], statuses) -> list[SyncFailure]:
    return list(
        SyncFailure.objects.select_for_update()
        .filter(pk__in=list(failure_ids), status__in=statuses)
        .order_by("pk")
    )


def _has_other_active(failure: SyncFailure) -> bool:
    return (
        SyncFailure.objects.filter(
            connection_id=failure.connection_id,
            direction=failure.direction,
            entity=failure.entity,
            object_id=failure.object_id,
            status__in=ACTIVE,
        )
        .exclude(pk=failure.pk)
        .exists()
    )


def _make_due(failure: SyncFailure, *, force: bool) -> None:
    failure.status = SyncFailure.Status.RETRYING
    failure.next_retry_at = timezone.now()
    failure.force_push = force or failure.force_push
    failure.resolved_at = None
    failure.resolved_by = None
    failure.save(update_fields=["status", "next_retry_at", "force_push", "resolved_at", "resolved_by"])


@transaction.atomic
def failures_retry(*, failure_ids: Iterable[int], actor=None) -> int:
    """Clear the backoff of these failures and queue a drain. Ignored failures are re-opened
    (unless the record already has another active failure). Returns how many will be retried."""
    retried = []
    for failure in _lock(failure_ids, [*ACTIVE, SyncFailure.Status.IGNORED]):
        if failure.status == SyncFailure.Status.IGNORED and _has_other_active(failure):
            continue
        _make_due(failure, force=False)
        retried.append(failure)
    _enqueue_drains(f.connection_id for f in retried)
    _enqueue_pulls(f.connection_id for f in retried if f.direction == Direction.PULL)
    return len(retried)


@transaction.atomic
def failures_ignore(*, failure_ids: Iterable[int], actor=None) -> int:
    """Stop retrying these records. A later local edit of the record is pushed as usual (and a new
    failure opens if QuickBooks refuses it again)."""
    ignored = 0
    for failure in _lock(failure_ids, ACTIVE):
        failure.status = SyncFailure.Status.IGNORED
        failure.next_retry_at = None
        failure.force_push = False
        failure.resolved_at = timezone.now()
        failure.resolved_by = actor if getattr(actor, "pk", None) else None
        failure.save(update_fields=["status", "next_retry_at", "force_push", "resolved_at", "resolved_by"])
        ignored += 1
    return ignored


@transaction.atomic
def failures_force_push(*, failure_ids: Iterable[int], actor=None) -> tuple[int, list[str]]:
    """The next push sends our version of each record even if QuickBooks changed it since (it reads
    QuickBooks' current SyncToken first). Returns (queued, refusals in plain words)."""
    forced, refused = [], []
    for failure in _lock(failure_ids, [*ACTIVE, SyncFailure.Status.IGNORED]):
        label = failure.record_label or f"{failure.entity} #{failure.object_id}"
        if failure.direction != Direction.PUSH:
            refused.append(f"{label}: this failure happened while reading from QuickBooks; retry it instead.")
            continue
        if failure.status == SyncFailure.Status.IGNORED and _has_other_active(failure):
            refused.append(f"{label}: the record already has a newer failure; force-push that one.")
            continue
        _make_due(failure, force=True)
        _keep_ours_in_open_conflicts(failure, actor)
        forced.append(failure)
    _enqueue_drains(f.connection_id for f in forced)
    return len(forced), refused


def _keep_ours_in_open_conflicts(failure: SyncFailure, actor) -> None:
    # Force push is a person's decision that our version wins: any field held as a conflict for
    # this record is settled the same way, so the conflict list never shows a decided question.
    SyncConflict.objects.filter(
        connection_id=failure.connection_id,
        entity=failure.entity,
        object_id=failure.object_id,
        status=SyncConflict.Status.OPEN,
    ).update(
        status=SyncConflict.Status.RESOLVED,
        resolution="kept_local",
        resolved_value=F("local_value"),
        resolved_by=actor if getattr(actor, "pk", None) else None,
        resolved_at=timezone.now(),
    )
