"""The push engine against the local QBO sandbox: latency, throughput under Intuit's limits, engine cost.

Starts the sandbox as a subprocess on a free port with ``--time-scale`` (QuickBooks minutes pass
``--scale`` times faster) and sets ``QBO_CLOCK_SCALE`` to the same factor, so the client-side limiter
and the sandbox's throttle agree on what a minute is. Uses its own database (a temporary SQLite file
unless ``DATABASE_URL`` is set), connects through the real OAuth flow, and drives drains the way the
django-q2 tasks do (a drain-worker thread for the latency figure, ``drain()`` calls for the others).
Prints:

1. latency, committed edit → visible in the sandbox (p50/p95), throttle off;
2. throughput for N new customers + N charge sales + N payments with the sandbox enforcing
   500 req/min and 40 batches/min (time-scaled), against the ceiling, the 429 count, and a naive
   python-quickbooks loop (``.save()`` per object, same sandbox, same limits) as the baseline, once
   for each modelled QuickBooks round trip in ``--latencies`` (the sandbox's latency hook);
3. engine cost with every limit off: records/s and peak RSS while draining, at two queue sizes.

    .venv/bin/python bench/push.py            # full: 200 edits, 5,000 × 3 at ×10, three round trips (~20 min)
    .venv/bin/python bench/push.py --quick    # small sizes (~1 min)
    .venv/bin/python bench/push.py --scale 30 --latencies 250   # faster, CPU-bound on a small machine
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
import tempfile
import threading
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
TMP = tempfile.mkdtemp(prefix="push-bench-")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{TMP}/bench.sqlite3")
os.environ["DJANGO_SETTINGS_MODULE"] = "syncportal.settings.base"
os.environ["OUTBOX_COMMIT_HOOK"] = ""  # the bench runs its own drains; no task queue needed
os.environ["QBO_ENVIRONMENT"] = "local"
os.environ.setdefault("OAUTHLIB_INSECURE_TRANSPORT", "1")

import django  # noqa: E402
import requests  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402

from bench.push_parts.naive import naive_loop  # noqa: E402
from bench.push_parts.sandbox import Sandbox  # noqa: E402

# A batch's modelled cost per item on top of the round trip (simulated ms): a 30-item batch then
# takes round trip + 300 ms, so batching is not modelled as free.
BATCH_ITEM_LATENCY_MS = 10.0


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def drain_until_done(connection_id: int) -> tuple[int, int]:
    """Drain until nothing is pending; returns (records pushed, drains stopped by a 429)."""
    from integrations.models.connection import QBOConnection
    from integrations.sync.push import drain
    from syncportal.outbox.models import OutboxEntry

    pushed = throttled = 0
    while True:
        result = drain(connection_id, time_budget=900)
        pushed += result.pushed
        if result.stopped == "throttled":
            throttled += 1
            QBOConnection.objects.filter(pk=connection_id).update(paused_until=None)
            continue
        if result.stopped:
            raise SystemExit(f"drain stopped: {result.stopped} {result.errors[:3]}")
        last = OutboxEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0
        if QBOConnection.objects.get(pk=connection_id).outbox_position >= last:
            return pushed, throttled


def latency(sandbox: Sandbox, connection, edits: int) -> None:
    from customers.services import customer_create, customer_update
    from integrations.models.sync import QBOLink
    from integrations.services.connection import gateway_for
    from integrations.sync.push import drain

    sandbox.throttle(False)
    customers = [customer_create(display_name=f"Latency {n}") for n in range(10)]
    drain(connection.pk)
    links = {link.object_id: link.qbo_id for link in QBOLink.objects.filter(entity="customers.customer")}
    gateway = gateway_for(connection)
    stop = threading.Event()

    def worker() -> None:  # what a django-q2 worker does on each wake-up, polled every 10 ms
        from django.db import connection as db

        while not stop.is_set():
            drain(connection.pk)
            time.sleep(0.01)
        db.close()

    thread = threading.Thread(target=worker, daemon=True)
    thread.start()
    samples = []
    try:
        for n in range(edits):
            customer = customers[n % len(customers)]
            email = f"edit{n}@latency.example"
            started = time.perf_counter()
            customer_update(customer=customer, changes={"email": email})  # committed here
            while (gateway.read("Customer", links[customer.pk]).get("PrimaryEmailAddr") or {}).get(
                "Address"
            ) != email:
                time.sleep(0.002)
            samples.append((time.perf_counter() - started) * 1000)
    finally:
        stop.set()
        thread.join()
    print(f"1. latency, committed edit → visible in QuickBooks, {edits} edits (throttle off)")
    print(f"   p50 {percentile(samples, 50):.0f} ms   p95 {percentile(samples, 95):.0f} ms")


def make_documents(count: int, tag: str) -> None:
    from customers.services import customer_create
    from sales.models import Sale
    from sales.services import item_create, payment_create, sale_create
    from sales.services.lines import LineInput

    item = item_create(name=f"Bench item {tag}", unit_price=Decimal("12.50"))
    today = dt.date.today()
    for n in range(count):
        customer = customer_create(display_name=f"Bench {tag} {n}")
        sale = sale_create(
            kind=Sale.Kind.CHARGE,
            date=today,
            customer=customer,
            lines=[LineInput(item=item, quantity=Decimal(2))],
        )
        payment_create(
            customer=customer, amount=sale.total, date=today, method="cash", allocations=[(sale, sale.total)]
        )


def throughput(sandbox: Sandbox, connection, count: int, scale: float, latency_ms: float) -> None:
    """Engine and naive loop side by side, both against the sandbox answering after ``latency_ms``."""
    sandbox.latency(latency_ms, BATCH_ITEM_LATENCY_MS if latency_ms else 0)
    sandbox.throttle(True)
    started = time.perf_counter()
    make_documents(count, f"T{latency_ms:g}")
    written = time.perf_counter() - started
    print(
        f"2. throughput, modelled QuickBooks round trip {latency_ms:g} ms: {count} customers + {count} "
        f"sales + {count} payments (written locally in {written:.0f} s, not counted)"
    )
    objects = 3 * count + 1
    before_429 = sandbox.count_429()
    started = time.perf_counter()
    pushed, throttled = drain_until_done(connection.pk)
    seconds = time.perf_counter() - started
    qbo_minutes = seconds * scale / 60
    engine = pushed / qbo_minutes
    print(
        f"   engine: {pushed}/{objects} records in {seconds:.1f} s real = {qbo_minutes:.1f} QuickBooks "
        f"minutes → {engine:.0f} records/QBO-min"
    )
    seen_429 = throttled + sandbox.count_429() - before_429
    print(
        f"   ceiling: 500 req/min (each batch item counted) → {engine / 500:.1%};  40 batches/min × 30 "
        f"= 1,200 objects/min → {engine / 1200:.0%};  429s seen: {seen_429}"
    )
    naive_n = max(30, count // 10)
    naive = naive_loop(sandbox, naive_n, scale)
    print(
        f"   naive python-quickbooks .save() loop ({naive['objects']} objects, same sandbox, same limits, "
        f"same round trip): {naive['per_qbo_minute']:.0f} objects/QBO-min, {naive['429s']} 429s"
    )
    print(f"   engine / naive: {engine / naive['per_qbo_minute']:.1f}×")
    sandbox.latency(0, 0)


def _peak_rss_reset() -> None:
    # Linux: writing 5 resets the process's peak RSS (VmHWM), so each size gets its own peak.
    with open("/proc/self/clear_refs", "w") as handle:
        handle.write("5")


def _peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def engine_cost(connection, sizes: tuple[int, int]) -> None:
    from customers.services import customer_create

    settings.QBO_REQUESTS_PER_MINUTE = 10**9
    settings.QBO_BATCHES_PER_MINUTE = 10**9
    print("3. engine cost, every limit off (sandbox throttle and client limiter)")
    for size in sizes:
        for n in range(size):
            customer_create(display_name=f"Cost {size} {n}", email=f"c{n}@cost.example", phone="555-010-0000")
        _peak_rss_reset()
        started = time.perf_counter()
        pushed, _ = drain_until_done(connection.pk)
        seconds = time.perf_counter() - started
        print(
            f"   {size:>6} customers: {pushed / seconds:6.0f} records/s   "
            f"peak RSS of the process while draining {_peak_rss_mb():6.1f} MB"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="small sizes, about a minute")
    parser.add_argument("--scale", type=float, default=10.0, help="QuickBooks seconds per real second")
    parser.add_argument("--count", type=int, default=0, help="customers (and sales, payments) to push")
    parser.add_argument(
        "--latencies",
        default="0,250,500",
        help="modelled QuickBooks round trips to run the throughput at, simulated ms (comma-separated)",
    )
    args = parser.parse_args()
    edits, count, sizes = (40, 300, (300, 1200)) if args.quick else (200, 5000, (1000, 4000))
    count = args.count or count
    settings.QBO_CLOCK_SCALE = args.scale
    call_command("migrate", verbosity=0)
    with Sandbox.start(TMP, args.scale) as sandbox:
        settings.QBO_SANDBOX_URL = sandbox.url
        connection = sandbox.connect()
        print(
            f"sandbox {sandbox.url}, time scale ×{args.scale:g}, "
            f"database {settings.DATABASES['default']['ENGINE']}"
        )
        latency(sandbox, connection, edits)
        for latency_ms in (float(v) for v in args.latencies.split(",") if v.strip()):
            throughput(sandbox, connection, count, args.scale, latency_ms)
        sandbox.throttle(False)
        engine_cost(connection, sizes)


if __name__ == "__main__":
    try:
        main()
    except requests.RequestException as exc:
        raise SystemExit(f"sandbox unreachable: {exc}") from exc
    finally:
        subprocess.run(["rm", "-rf", TMP], check=False)
