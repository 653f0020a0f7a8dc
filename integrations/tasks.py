"""django-q2 entry points. Thin: they take ids, call the sync stages, and are safe to run twice."""

from __future__ import annotations

import logging

from django_q.tasks import async_task

from integrations.models.connection import QBOConnection
from integrations.pull import cdc, notifications
from integrations.services.bulk_runs import bulk_run_execute
from integrations.sync import push

log = logging.getLogger(__name__)


def wake_push(entry_id: int | None = None) -> None:
    """OUTBOX_COMMIT_HOOK: a change committed; make sure a drain is queued for each company.

    The ``wake_pending`` flip is a conditional UPDATE, so a burst of commits queues one task per
    company, and a commit that lands while a drain runs queues the next one (no lost wake-up).
    """
    for connection_id in QBOConnection.objects.filter(status=QBOConnection.Status.CONNECTED).values_list(
        "pk", flat=True
    ):
        if QBOConnection.objects.filter(pk=connection_id, wake_pending=False).update(wake_pending=True):
            async_task(
                "integrations.tasks.drain_company", connection_id, group="push", q_options={"timeout": 150}
            )


def enqueue_drain(connection_id: int) -> bool:
    """Queue one drain for a company unless one is already queued (a person pressed *Retry now*)."""
    if QBOConnection.objects.filter(pk=connection_id, wake_pending=False).update(wake_pending=True):
        async_task(
            "integrations.tasks.drain_company", connection_id, group="push", q_options={"timeout": 150}
        )
        return True
    return False


def drain_company(connection_id: int) -> dict:
    QBOConnection.objects.filter(pk=connection_id).update(wake_pending=False)
    result = push.drain(connection_id)
    if result.busy:
        # Another worker is draining; it will see our entries. Nothing lost, nothing to do.
        return {"busy": True}
    log.info(
        "push realm=%s pushed=%s failed=%s skipped=%s batches=%s stopped=%s",
        connection_id,
        result.pushed,
        result.failed,
        result.skipped,
        result.batches,
        result.stopped or "-",
    )
    return {
        "pushed": result.pushed,
        "failed": result.failed,
        "skipped": result.skipped,
        "stopped": result.stopped,
    }


def drain_all() -> None:
    """Backstop schedule: drains anything a lost wake-up (or a paused company) left behind."""
    for connection_id in QBOConnection.objects.filter(status=QBOConnection.Status.CONNECTED).values_list(
        "pk", flat=True
    ):
        drain_company(connection_id)


def process_webhook(delivery_id: int) -> None:
    """A webhook delivery was stored: apply its merges and wake one pull per company named."""
    for connection_id in notifications.process_delivery(delivery_id):
        wake_pull(connection_id)


def wake_pull(connection_id: int) -> None:
    # A conditional UPDATE, as for push: a burst of notifications queues one pull (one CDC read).
    if QBOConnection.objects.filter(pk=connection_id, pull_pending=False).update(pull_pending=True):
        async_task("integrations.tasks.pull_company", connection_id, group="pull", q_options={"timeout": 150})


def pull_company(connection_id: int) -> dict:
    result = cdc.pull(connection_id)
    if result.busy:
        # Another worker holds the company; it may have read before this change: ask again shortly.
        QBOConnection.objects.filter(pk=connection_id).update(pull_pending=False)
        async_task("integrations.tasks.wake_pull", connection_id, group="pull")
        return {"busy": True}
    log.info(
        "pull realm=%s applied=%s calls=%s stopped=%s",
        connection_id,
        result.applied,
        result.calls,
        result.stopped or "-",
    )
    return {"applied": result.applied, "calls": result.calls, "stopped": result.stopped}


def pull_all() -> None:
    """Backstop schedule (every 5 minutes): a CDC read per company catches any webhook lost on the way."""
    for connection_id in QBOConnection.objects.filter(status=QBOConnection.Status.CONNECTED).values_list(
        "pk", flat=True
    ):
        pull_company(connection_id)


def run_bulk(run_id: int) -> dict:
    """A bulk run (re-sync, *Retry all*): work for a bounded time, then queue the continuation."""
    run = bulk_run_execute(run_id, time_budget=100.0)
    if run is None:
        return {"busy_or_finished": True}
    if run.is_active:
        async_task("integrations.tasks.run_bulk", run_id, group="bulk", q_options={"timeout": 150})
    return {"status": run.status, "done": run.done, "total": run.total}
