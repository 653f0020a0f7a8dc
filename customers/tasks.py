"""django-q2 entry points for customers. Thin: they take ids and call the services."""

from __future__ import annotations

from customers.matching.review import dedupe_run_execute, dedupe_run_start
from customers.models import DedupeRun


def dedupe_scan(run_id: int) -> None:
    """Run duplicate scan ``run_id`` (queued by "Scan now" or the nightly schedule)."""
    dedupe_run_execute(run_id=run_id)


def dedupe_scan_nightly() -> None:
    """The nightly schedule's entry point: queue a scan unless one is already under way."""
    dedupe_run_start(trigger=DedupeRun.Trigger.NIGHTLY)
