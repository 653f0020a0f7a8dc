"""Push stage for customer merges: the QuickBooks half of ``customer_merge`` and of its undo.

QuickBooks' API has no merge, so each ``merge`` outbox row becomes a ``QBOMergeJob`` whose steps do
what a bookkeeper's merge inside QuickBooks does (``merge_ops`` holds the steps themselves):

1. ``transactions``: the duplicate's invoices, sales receipts, credit memos, refund receipts and
   payments get the survivor as customer (sparse updates with the current SyncToken);
2. ``sub_customers``: the duplicate's sub-customers move under the survivor;
3. ``survivor``: the survivor's merged field values are sent (the duplicate steps aside first when
   the survivor takes its name: names are unique in QuickBooks, inactive ones included);
4. ``deactivate``: the duplicate becomes inactive (QuickBooks cannot delete a customer).

An undo runs ``survivor`` (its old values), ``duplicate`` (reactivated, old values), then moves back
the sub-customers and transactions that moved back locally (the outbox row's ``not_moved_back``
stay with the survivor).

Every step re-reads QuickBooks and changes only what is not done yet, so a re-run after a crash or a
refusal does no double work. A refused step becomes one ``SyncFailure`` on the merge, in plain words;
the later steps wait until a retry gets past it. Until a job has sent a customer, that customer's
ordinary changes are left to the job (which sends its current state), so the two never race.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone

from integrations.models.merge import QBOMergeJob
from integrations.models.sync import Direction, SyncEvent, SyncFailure
from integrations.qbo import errors
from integrations.sync import merge_ops, outcomes, records
from syncportal.outbox.models import Operation

log = logging.getLogger(__name__)

MERGE_ENTITY = "customers.customermerge"  # failures and events of a merge name the audit record
CUSTOMER = "customers.customer"
STEPS = {
    QBOMergeJob.Action.MERGE: ("transactions", "sub_customers", "survivor", "deactivate"),
    QBOMergeJob.Action.UNDO: ("survivor", "duplicate", "sub_customers_back", "transactions_back"),
}
# The customer each step sends whole: until that step is done, the job owns the customer's changes.
_CUSTOMER_STEPS = {"survivor": "survivor_id", "duplicate": "duplicate_id"}


def run_merges(connection, gateway, entries, changes: dict, result) -> None:
    """The drain's hook, once per planned chunk: register this chunk's merge rows, run every job that
    may run now (new, interrupted, or whose failure is due for a retry), and take the customers a job
    still owns out of ``changes``."""
    for entry in entries:
        if entry.operation == Operation.MERGE and entry.entity == CUSTOMER:
            _register(connection, entry)
    due = {object_id for entity, object_id in list(changes) if entity == MERGE_ENTITY}
    for key in [key for key in changes if key[0] == MERGE_ENTITY]:
        del changes[key]  # not a record the ordinary push knows how to send
    refs_cache: dict = {}
    for job in QBOMergeJob.objects.filter(connection=connection, status=QBOMergeJob.Status.PENDING):
        if job.merge_id not in due and _waiting(connection, job):
            continue
        if run_job(connection, gateway, job, result, refs_cache=refs_cache) == "stop":
            break
    for customer_id in owned_customers(connection):
        changes.pop((CUSTOMER, customer_id), None)


def owned_customers(connection) -> set[int]:
    owned = set()
    for job in QBOMergeJob.objects.filter(connection=connection, status=QBOMergeJob.Status.PENDING):
        done = set(job.progress.get("done", []))
        for step, attr in _CUSTOMER_STEPS.items():
            if step in STEPS[job.action] and step not in done:
                owned.add(getattr(job, attr))
    return owned


def run_job(connection, gateway, job: QBOMergeJob, result, *, refs_cache: dict | None = None) -> str:
    """Run the job's remaining steps in order: "done", "failed" (a step refused; later ones wait) or
    "stop" (QuickBooks asked us to slow down or must be reconnected: the whole drain stops)."""
    job.progress = {**job.progress, "runs": job.progress.get("runs", 0) + 1}
    job.save(update_fields=["progress", "updated_at"])
    run = merge_ops.StepRun(connection, gateway, job, refs_cache if refs_cache is not None else {})
    for step in STEPS[job.action]:
        if step in job.progress.get("done", []):
            continue
        try:
            getattr(merge_ops, f"step_{step}")(run)
        except errors.RateLimited:
            records.pause(connection, seconds=60, reason="QuickBooks asked us to slow down (429)")
            return "stop"
        except errors.ReconnectRequired:
            return "stop"
        except (merge_ops.StepRefused, errors.QBOError) as problem:
            # A QuickBooks error outside a step's own calls (reading the account lists, say).
            refused = (
                problem
                if isinstance(problem, merge_ops.StepRefused)
                else run.refused(problem, what="go on with the merge")
            )
            _fail(connection, job, refused)
            result.failed += 1
            return "failed"
        finally:
            result.pushed += run.writes
            run.writes = 0
        job.progress = {**job.progress, "done": [*job.progress.get("done", []), step]}
        job.save(update_fields=["progress", "updated_at"])
    _finish(connection, job)
    return "done"


def _register(connection, entry) -> None:
    details = entry.details or {}
    action = details.get("action", QBOMergeJob.Action.MERGE)
    if action not in QBOMergeJob.Action.values or not all(
        details.get(key) for key in ("merge_id", "survivor_id", "duplicate_id")
    ):
        # Not written by customer_merge (nothing to act on); never let one odd row stop the drain.
        log.warning("outbox entry %s: merge row without the merge's ids, ignored", entry.id)
        return
    with transaction.atomic():
        job, created = QBOMergeJob.objects.get_or_create(
            connection=connection,
            outbox_entry_id=entry.id,
            defaults={
                "merge_id": int(details["merge_id"]),
                "action": action,
                "survivor_id": int(details["survivor_id"]),
                "duplicate_id": int(details["duplicate_id"]),
                "details": details,
            },
        )
        if created and action == QBOMergeJob.Action.UNDO:
            # An unfinished merge is not finished any more: the undo reverses whatever it did.
            QBOMergeJob.objects.filter(
                connection=connection,
                merge_id=job.merge_id,
                action=QBOMergeJob.Action.MERGE,
                status=QBOMergeJob.Status.PENDING,
            ).update(status=QBOMergeJob.Status.SUPERSEDED, finished_at=timezone.now())
            _resolve_failure(connection, job.merge_id)


def _waiting(connection, job: QBOMergeJob) -> bool:
    return SyncFailure.objects.filter(
        connection=connection,
        direction=Direction.PUSH,
        entity=MERGE_ENTITY,
        object_id=job.merge_id,
        status__in=records.ACTIVE,
    ).exists()


def _finish(connection, job: QBOMergeJob) -> None:
    with transaction.atomic():
        job.status = QBOMergeJob.Status.DONE
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "finished_at", "updated_at"])
        _resolve_failure(connection, job.merge_id)
        SyncEvent.objects.create(
            connection=connection,
            direction=Direction.PUSH,
            entity=MERGE_ENTITY,
            object_id=job.merge_id,
            qbo_type="Customer",
            operation=job.action,
            outcome=SyncEvent.Outcome.OK,
            summary={"job": job.pk, "finished": True},
        )


def _resolve_failure(connection, merge_id: int) -> None:
    SyncFailure.objects.filter(
        connection=connection, entity=MERGE_ENTITY, object_id=merge_id, status__in=records.ACTIVE
    ).update(status=SyncFailure.Status.RESOLVED, resolved_at=timezone.now(), force_push=False)


@transaction.atomic
def _fail(connection, job: QBOMergeJob, refused: merge_ops.StepRefused) -> SyncFailure:
    error = refused.error
    failure = (
        SyncFailure.objects.select_for_update()
        .filter(
            connection=connection,
            direction=Direction.PUSH,
            entity=MERGE_ENTITY,
            object_id=job.merge_id,
            status__in=records.ACTIVE,
        )
        .first()
    ) or SyncFailure(
        connection=connection, direction=Direction.PUSH, entity=MERGE_ENTITY, object_id=job.merge_id
    )
    failure.attempts += 1
    failure.record_label = refused.title[:255]
    failure.operation = job.action
    failure.cause = f"merge_{refused.cause}"[:40]
    failure.message = refused.message
    failure.qbo_code = (error.code if error else "")[:10]
    failure.qbo_detail = (error.detail if error else "")[:2000]
    failure.last_attempt_at = timezone.now()
    failure.force_push = False
    if refused.retry and failure.attempts < outcomes.MAX_AUTOMATIC_ATTEMPTS:
        failure.status = SyncFailure.Status.RETRYING
        failure.next_retry_at = timezone.now() + outcomes.backoff(failure.attempts)
    else:
        failure.status = SyncFailure.Status.OPEN  # waits for a person
        failure.next_retry_at = None
    failure.save()
    SyncEvent.objects.create(
        connection=connection,
        direction=Direction.PUSH,
        entity=MERGE_ENTITY,
        object_id=job.merge_id,
        qbo_type=refused.qbo_type,
        qbo_id=refused.qbo_id,
        operation=job.action,
        outcome=SyncEvent.Outcome.FAILED,
        summary={"job": job.pk, "step": refused.step, "code": failure.qbo_code, "cause": failure.cause},
    )
    log.info("merge job %s stopped at step %s (%s)", job.pk, refused.step, failure.cause)
    return failure
