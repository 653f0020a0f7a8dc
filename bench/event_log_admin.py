"""Sync event log admin on a big table: SyncPortal's changelist against Django's defaults, same run.

    .venv/bin/python bench/event_log_admin.py [--events 200000] [--runs 5]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/syncportal_bench .venv/bin/python bench/event_log_admin.py

Builds a throw-away test database (SQLite in memory, or PostgreSQL when DATABASE_URL says so) with
``--events`` sync events, then renders the event list unfiltered, on a deep page and filtered by
outcome, with (a) SyncPortal's admin (no COUNT(*), static filters, probe paginator) and (b) a
baseline ModelAdmin with Django's defaults (full count, paginator count, DISTINCT-based filter).
Prints median server time and query count of each. Never part of the test run.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "syncportal.settings.test")

import django  # noqa: E402

django.setup()

from django.contrib import admin  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import RequestFactory  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

from integrations.models import QBOConnection, SyncEvent  # noqa: E402

OUTCOMES = ["ok"] * 17 + ["failed", "skipped", "echo"]
ENTITIES = ["customers.customer", "sales.sale", "sales.payment", "sales.refund"]


class BaselineAdmin(admin.ModelAdmin):
    """What a first draft looks like: Django's defaults plus field filters."""

    list_display = ["created_at", "direction", "entity", "object_id", "operation", "outcome", "connection"]
    list_filter = ["direction", "outcome", "entity", "connection", "created_at"]
    list_select_related = ["connection"]


def build(n: int) -> None:
    companies = [
        QBOConnection.objects.create(realm_id=f"bench{i}", company_name=f"Store {i}") for i in range(3)
    ]
    now = timezone.now()
    batch = []
    for i in range(n):
        batch.append(
            SyncEvent(
                connection=companies[i % 3],
                direction="push" if i % 5 else "pull",
                entity=ENTITIES[i % 4],
                object_id=i // 4,
                qbo_type="Customer",
                qbo_id=str(i),
                operation="update",
                outcome=OUTCOMES[i % len(OUTCOMES)],
                summary={"message": "Duplicate Name Exists Error"} if i % 20 == 17 else {},
            )
        )
        if len(batch) == 5000:
            SyncEvent.objects.bulk_create(batch)
            batch = []
    SyncEvent.objects.bulk_create(batch)
    SyncEvent.objects.update(created_at=now)  # one timestamp: the worst case for the date index


def measure(model_admin, user, params: dict, runs: int) -> tuple[float, int]:
    factory = RequestFactory()
    times, queries = [], 0
    for _ in range(runs):
        request = factory.get("/admin/integrations/syncevent/", params)
        request.user = user
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            model_admin.changelist_view(request).render()
            times.append((time.perf_counter() - started) * 1000)
        queries = len(captured.captured_queries)
    return statistics.median(times), queries


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        started = time.perf_counter()
        build(args.events)
        print(
            f"{connection.vendor}: built {args.events:,} sync events in {time.perf_counter() - started:.1f} s"
        )
        user = get_user_model().objects.create_superuser("bench", "bench@example.com", "x")
        ours = admin.site._registry[SyncEvent]
        baseline = BaselineAdmin(SyncEvent, admin.AdminSite(name="baseline"))
        cases = [
            ("unfiltered, page 1", {}),
            ("unfiltered, page 50", {"p": "50"}),
            ("outcome = failed", {"outcome": "failed"}),
        ]
        print(f"{'page':<22}{'Django defaults':>22}{'SyncPortal':>22}")
        for label, params in cases:
            base_params = {"outcome__exact": params["outcome"]} if "outcome" in params else params
            b_ms, b_q = measure(baseline, user, base_params, args.runs)
            o_ms, o_q = measure(ours, user, params, args.runs)
            print(f"{label:<22}{b_ms:>13.1f} ms {b_q:>2} q{o_ms:>13.1f} ms {o_q:>2} q")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
