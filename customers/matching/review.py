"""The duplicate review queue: running a scan (with progress and cancel) and recording decisions.

A scan reads active customers as plain records, runs the pure finder and stores what it found:
new pairs open in the queue, pairs still open get their new score, and a decision already made
("not a duplicate", or merged) is never reopened by a later scan. Open pairs a full scan no longer
finds (someone fixed a typo, a customer went inactive) are closed as "no longer applies".
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from customers.matching.finder import Candidate, FinderCancelled, find_duplicates
from customers.matching.records import CustomerRecord
from customers.models import Customer, DedupeRun, DuplicateCandidate

logger = logging.getLogger(__name__)

SCAN_TASK = "customers.tasks.dedupe_scan"
SCAN_TIMEOUT = 300  # seconds; below Q_CLUSTER["retry"] (330) so the broker never hands it out twice
STALE_AFTER = timedelta(minutes=10)  # a running scan without progress for this long has died
_PROGRESS_EVERY = 1.0  # seconds between progress writes
# Share of the progress bar each finder stage fills (reading + preparing, comparing, saving).
_STAGES = {"preparing": (0, 35), "comparing": (35, 95), "saving": (95, 100)}
_RECORD_FIELDS = (
    "id",
    "display_name",
    "given_name",
    "middle_name",
    "family_name",
    "suffix",
    "company_name",
    "email",
    "phone",
    "mobile",
    "bill_line1",
    "bill_line2",
    "bill_city",
    "bill_postal_code",
    "ship_line1",
    "ship_line2",
    "ship_city",
    "ship_postal_code",
)
OPEN, SUPERSEDED = DuplicateCandidate.Status.OPEN, DuplicateCandidate.Status.SUPERSEDED
ACTIVE_RUN = Q(status__in=[DedupeRun.Status.QUEUED, DedupeRun.Status.RUNNING])


def dedupe_run_start(
    *, actor: AbstractBaseUser | None = None, trigger: str = DedupeRun.Trigger.MANUAL
) -> tuple[DedupeRun, bool]:
    """Queue a scan; (run, True), or (the scan already under way, False). The task is enqueued on commit."""
    with transaction.atomic():
        current = DedupeRun.objects.select_for_update().filter(ACTIVE_RUN).first()
        if current is not None and current.updated_at > timezone.now() - STALE_AFTER:
            return current, False
        if current is not None:
            _finish(
                current, DedupeRun.Status.FAILED, error="The scan stopped reporting progress (worker gone?)."
            )
        run = DedupeRun.objects.create(
            trigger=trigger, requested_by=actor if getattr(actor, "pk", None) else None
        )
        transaction.on_commit(lambda: _enqueue(run.pk))
    return run, True


def _enqueue(run_id: int) -> None:
    from django_q.tasks import async_task

    async_task(SCAN_TASK, run_id, task_name=f"Duplicate scan #{run_id}", timeout=SCAN_TIMEOUT)


def dedupe_run_cancel(*, run: DedupeRun) -> DedupeRun:
    """Ask a queued or running scan to stop; it stops at its next progress check."""
    DedupeRun.objects.filter(ACTIVE_RUN, pk=run.pk).update(cancel_requested=True)
    run.refresh_from_db()
    return run


def dedupe_run_execute(*, run_id: int) -> DedupeRun:
    """Run scan ``run_id`` to the end. Idempotent: a finished, failed or cancelled run is left alone."""
    run = DedupeRun.objects.get(pk=run_id)
    if run.status not in {DedupeRun.Status.QUEUED, DedupeRun.Status.RUNNING}:
        return run
    if run.cancel_requested:
        return _finish(run, DedupeRun.Status.CANCELLED)
    scanned = _scanned_customers()
    run.status, run.started_at, run.total, run.processed = DedupeRun.Status.RUNNING, timezone.now(), 1000, 0
    run.customers = scanned.count()
    run.stage = "Reading customers"
    run.save()
    reporter = _Reporter(run)
    try:
        result = find_duplicates(
            (_record(row) for row in scanned.values_list(*_RECORD_FIELDS).iterator(chunk_size=2000)),
            threshold=settings.DEDUPE_REVIEW_THRESHOLD,
            progress=reporter.progress,
            should_stop=reporter.should_stop,
            default_country=settings.DEDUPE_PHONE_COUNTRY_CODE,
        )
        reporter.progress("saving", 0, 1)
        created = _store(run, result.candidates)
    except FinderCancelled:
        return _finish(run, DedupeRun.Status.CANCELLED)
    except Exception as error:
        logger.exception("Duplicate scan #%s failed", run.pk)
        _finish(run, DedupeRun.Status.FAILED, error=f"{type(error).__name__}: {error}")
        raise
    run.pairs_compared, run.pairs_found, run.new_pairs = (
        result.pairs_compared,
        len(result.candidates),
        created,
    )
    return _finish(run, DedupeRun.Status.FINISHED)


def candidate_mark_not_duplicate(
    *, candidate: DuplicateCandidate, actor: AbstractBaseUser | None = None
) -> DuplicateCandidate:
    """Record that the two customers are different people; later scans leave the pair alone."""
    candidate.status = DuplicateCandidate.Status.NOT_DUPLICATE
    candidate.decided_by = actor if getattr(actor, "pk", None) else None
    candidate.decided_at = timezone.now()
    candidate.save(update_fields=["status", "decided_by", "decided_at"])
    return candidate


def _scanned_customers():
    return Customer.objects.filter(is_active=True, merged_into__isnull=True).order_by("pk")


def _record(row: tuple) -> CustomerRecord:
    (
        pk,
        display,
        given,
        middle,
        family,
        suffix,
        company,
        email,
        phone,
        mobile,
        bill1,
        bill2,
        bill_city,
        bill_postal,
        ship1,
        ship2,
        ship_city,
        ship_postal,
    ) = row
    use_bill = bool(bill1 or bill_postal)
    return CustomerRecord(
        id=pk,
        display_name=display,
        given_name=given,
        middle_name=middle,
        family_name=family,
        suffix=suffix,
        company_name=company,
        email=email,
        phone=phone,
        mobile=mobile,
        line1=bill1 if use_bill else ship1,
        line2=bill2 if use_bill else ship2,
        city=bill_city if use_bill else ship_city,
        postal_code=bill_postal if use_bill else ship_postal,
    )


class _Reporter:
    """Writes progress at most once a second; answers "stop?" from the run's cancel flag."""

    def __init__(self, run: DedupeRun):
        self.run, self.last = run, 0.0

    def progress(self, stage: str, done: int, total: int) -> None:
        low, high = _STAGES[stage]
        share = done / total if total else done / max(self.run.customers, 1)
        permille = int(10 * (low + (high - low) * min(share, 1.0)))
        now = time.monotonic()
        if now - self.last < _PROGRESS_EVERY and stage != "saving":
            return
        self.last = now
        label = {"preparing": "Reading customers", "comparing": "Comparing likely pairs", "saving": "Saving"}[
            stage
        ]
        DedupeRun.objects.filter(pk=self.run.pk).update(
            stage=label, processed=permille, updated_at=timezone.now()
        )

    def should_stop(self) -> bool:
        return DedupeRun.objects.filter(pk=self.run.pk, cancel_requested=True).exists()


def _store(run: DedupeRun, candidates: list[Candidate]) -> int:
    """Write the scan's pairs into the queue; returns how many are new."""
    now = timezone.now()
    with transaction.atomic():
        known = {
            (a, b): (pk, status)
            for a, b, pk, status in DuplicateCandidate.objects.values_list(
                "customer_a", "customer_b", "pk", "status"
            )
        }
        new, changed, seen = [], [], set()
        for c in candidates:
            key = (c.a_id, c.b_id)
            seen.add(key)
            if key not in known:
                new.append(
                    DuplicateCandidate(
                        customer_a_id=c.a_id,
                        customer_b_id=c.b_id,
                        score=c.score,
                        reasons=list(c.reasons),
                        found_at=now,
                        found_by_run=run,
                    )
                )
            elif known[key][1] in {OPEN, SUPERSEDED}:
                changed.append(
                    DuplicateCandidate(
                        pk=known[key][0],
                        score=c.score,
                        reasons=list(c.reasons),
                        status=OPEN,
                        found_by_run=run,
                        decided_by=None,
                        decided_at=None,
                    )
                )
            # Not a duplicate / merged: a person decided; a scan never reopens it.
        DuplicateCandidate.objects.bulk_create(new, batch_size=1000)
        DuplicateCandidate.objects.bulk_update(
            changed,
            ["score", "reasons", "status", "found_by_run", "decided_by", "decided_at"],
            batch_size=1000,
        )
        gone = [pk for key, (pk, status) in known.items() if status == OPEN and key not in seen]
        for start in range(0, len(gone), 1000):
            DuplicateCandidate.objects.filter(pk__in=gone[start : start + 1000]).update(
                status=SUPERSEDED, decided_at=now
            )
    return len(new)


def _finish(run: DedupeRun, status: str, *, error: str = "") -> DedupeRun:
    run.status, run.error, run.finished_at = status, error, timezone.now()
    if status == DedupeRun.Status.FINISHED:
        run.processed, run.stage = run.total, "Finished"
    else:
        run.stage = run.get_status_display()
    run.save()
    return run
