"""Admin at scale: every changelist and the dashboard, as each role, on a big PostgreSQL data set.

    .venv/bin/python bench/admin.py [--quick] [--rebuild] [--database syncportal_bench_admin]

Builds (once; ``--rebuild`` to redo) 200,000 customers, 1,000,000 sales and 1,000,000 sync events
in a separate database (``--quick``: 20,000 / 100,000 / 100,000 in ``<database>_quick``), then renders
each registered changelist unfiltered, searched and filtered, and the dashboard, through Django's test
client as Staff, Bookkeeper and Manager. Prints server time (best of 3) and query count per page
against the goal (≤ 300 ms, ≤ 15 queries), with a baseline from the same run: the median of the
unfiltered lists of small tables (what the machine does for a page whose data costs nothing).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(Path(__file__).resolve().parent)]

GOAL_MS, GOAL_QUERIES = 300.0, 15
FULL = {"customers": 200_000, "sales": 1_000_000, "events": 1_000_000}
QUICK = {"customers": 20_000, "sales": 100_000, "events": 100_000}


def prepare(database: str) -> None:
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database]).fetchone()
        if not exists:
            admin.execute(f'CREATE DATABASE "{database}"')
    os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{database}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "syncportal.settings.test")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()


def reset_schema() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--database", default="syncportal_bench_admin")
    args = parser.parse_args()
    sizes = QUICK if args.quick else FULL
    database = args.database + ("_quick" if args.quick else "")
    prepare(database)

    from django.core.management import call_command
    from django.test.utils import setup_test_environment

    from customers.models import Customer
    from integrations.models import SyncEvent

    if args.rebuild:
        reset_schema()
    call_command("migrate", verbosity=0)
    built = Customer.objects.count() == sizes["customers"] and SyncEvent.objects.count() == sizes["events"]
    if not built:
        from admin_parts.build import build

        reset_schema()
        call_command("migrate", verbosity=0)
        print(f"Building {sizes} in {database} …", flush=True)
        for table, seconds in build(sizes).items():
            print(f"  {table:<12} {seconds:7.1f} s", flush=True)

    from integrations.services.rollup import rollup_refresh

    started = time.perf_counter()
    rollup_refresh()
    print(f"Dashboard rollup of the 7-day window: {time.perf_counter() - started:.1f} s (runs each minute)")
    setup_test_environment()
    from admin_parts.measure import measure_all

    measure_all(GOAL_MS, GOAL_QUERIES)


if __name__ == "__main__":
    main()
