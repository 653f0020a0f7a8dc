"""Initial import of a large QuickBooks company: time, rows/s, peak memory, API calls.

The sandbox runs as its own process with throttling off; its company is bulk-loaded with N
customers and N invoices through the sandbox benchmark's bulk seed path (``bench/sandbox.py``,
rows written straight into its SQLite file). Each size is imported by a fresh child process into
a fresh database, so each peak RSS (VmHWM) is that import's own: compare the two sizes to see
whether memory stays flat. The baseline, measured in the same child, is paging through the same
rows with the same gateway without writing anything locally. CPU seconds are reported for the
importer process (with its read-ahead thread and, on SQLite, the database work; a PostgreSQL
server's own CPU is not included) and for the sandbox process separately, so "where does the time
go" does not need a profiler: on a loaded machine the wall time grows, the CPU split stays.

    .venv/bin/python bench/pull_import.py            # 10,000 then 100,000 (goal: ≤ 2 min, ≤ 500 MB)
    .venv/bin/python bench/pull_import.py --quick    # 1,000 then 10,000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_import .venv/bin/python bench/pull_import.py
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _sandbox_bench():
    spec = importlib.util.spec_from_file_location("bench_sandbox", ROOT / "bench" / "sandbox.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cpu_seconds(pid: int | None = None) -> float:
    """User + system CPU of a process (all its threads) so far: this one, or the sandbox's."""
    if pid is None:
        return time.process_time()
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def child(base: str, realm: str) -> dict:
    """Runs in a fresh process: migrate a fresh database, connect, page through (baseline), import."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "syncportal.settings.test")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.QBO_ENVIRONMENT, settings.QBO_SANDBOX_URL = "local", base
    call_command("migrate", verbosity=0)
    import requests

    from integrations.importing.runner import QUERIES, run_import
    from integrations.importing.services import initial_import_start
    from integrations.services.connection import connection_complete, gateway_for

    code = requests.post(
        f"{base}/__sandbox/oauth/approve",
        json={
            "client_id": settings.QBO_CLIENT_ID,
            "redirect_uri": settings.QBO_REDIRECT_URI,
            "realm_id": realm,
            "scope": "com.intuit.quickbooks.accounting",
            "state": "bench",
        },
        timeout=30,
    ).json()["code"]
    connection = connection_complete(code=code, realm_id=realm)
    rss_ready = peak_rss_mb()

    sandbox_pid = int(os.environ["BENCH_SANDBOX_PID"])
    gateway = gateway_for(connection)
    t0, rows = time.perf_counter(), 0
    for stage in ("customers", "invoices"):
        entity, where = QUERIES[stage]
        for page in gateway.query_all(entity, where):
            rows += len(page)
    baseline = {"rows": rows, "seconds": time.perf_counter() - t0, "calls": gateway.calls}

    run = initial_import_start(connection=connection, enqueue=False)
    t0, cpu0, sandbox0 = time.perf_counter(), cpu_seconds(), cpu_seconds(sandbox_pid)
    run = run_import(run.pk)
    seconds = time.perf_counter() - t0
    cpu, sandbox_cpu = cpu_seconds() - cpu0, cpu_seconds(sandbox_pid) - sandbox0
    return {
        "status": run.status,
        "error": run.error,
        "rows": run.processed,
        "seconds": seconds,
        "cpu": cpu,
        "sandbox_cpu": sandbox_cpu,
        "api_calls": run.api_calls,
        "pages": run.pages,
        "counts": run.counts,
        "baseline": baseline,
        "rss_ready_mb": rss_ready,
        "rss_peak_mb": peak_rss_mb(),
    }


def run_size(count: int, sandbox) -> dict:
    tmp = tempfile.mkdtemp(prefix="qbo-import-bench-")
    data, port = os.path.join(tmp, "sandbox.sqlite3"), sandbox.free_port()
    server = sandbox.start_server(data, port)  # the first start seeds the sample company
    server.terminate()
    server.wait()
    t0 = time.perf_counter()
    sandbox.populate(data, count)
    print(f"\n{count:,} customers + {count:,} invoices bulk-seeded in {time.perf_counter() - t0:.1f} s")
    server = sandbox.start_server(data, port)
    try:
        env = dict(os.environ, BENCH_SANDBOX_PID=str(server.pid))
        env.setdefault("DATABASE_URL", f"sqlite:///{tmp}/syncportal.sqlite3")
        if env["DATABASE_URL"].startswith("postgres"):
            _recreate_postgres(env["DATABASE_URL"])
        script = os.environ.get("BENCH_CHILD_SCRIPT", __file__)  # e.g. a profiling wrapper
        args = [sys.executable, script, "--child", f"http://127.0.0.1:{port}", sandbox.REALM]
        out = subprocess.run(args, env=env, cwd=ROOT, capture_output=True, text=True, check=False)
        if out.returncode != 0:
            print(out.stderr[-3000:])
            raise SystemExit("the import child failed")
        return json.loads(out.stdout.strip().splitlines()[-1])
    finally:
        server.terminate()
        server.wait()


def _recreate_postgres(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    subprocess.run(["psql", admin, "-qc", f"DROP DATABASE IF EXISTS {name}"], check=True)
    subprocess.run(["psql", admin, "-qc", f"CREATE DATABASE {name}"], check=True)


def report(count: int, figures: dict) -> None:
    base = figures["baseline"]
    print(
        f"  import: {figures['status']} {figures['rows']:,} rows in {figures['seconds']:.1f} s "
        f"= {figures['rows'] / figures['seconds']:,.0f} rows/s over {figures['pages']} pages"
    )
    print(
        f"  CPU during the import: importer {figures['cpu']:.1f} s (this process; on SQLite the database "
        f"work too), sandbox {figures['sandbox_cpu']:.1f} s (its own process)"
    )
    if figures["error"]:
        print(f"  error: {figures['error']}")
    print(
        f"  baseline (same rows paged, nothing written): {base['rows']:,} rows in {base['seconds']:.1f} s "
        f"= {base['rows'] / base['seconds']:,.0f} rows/s, {base['calls']} calls"
    )
    print(
        f"  API calls against the read quota: {figures['api_calls']} "
        f"(500,000/month Builder tier: {figures['api_calls'] / 5000:.3f}% of it)"
    )
    print(
        f"  peak RSS: {figures['rss_peak_mb']:.0f} MB (ready before import: {figures['rss_ready_mb']:.0f} MB)"
    )
    created = {stage: c["created"] + c["linked"] for stage, c in figures["counts"].items()}
    print(f"  written: {created}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="1,000 and 10,000 instead of 10,000 and 100,000")
    parser.add_argument("--child", nargs=2, metavar=("BASE_URL", "REALM"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(*args.child)))
        return
    os.environ.setdefault("OAUTHLIB_INSECURE_TRANSPORT", "1")
    sandbox = _sandbox_bench()
    sizes = (1_000, 10_000) if args.quick else (10_000, 100_000)
    results = {}
    for count in sizes:
        results[count] = run_size(count, sandbox)
        report(count, results[count])
    small, large = (results[s] for s in sizes)
    print(
        f"\nmemory growth {sizes[0]:,} → {sizes[1]:,} rows: "
        f"{large['rss_peak_mb'] - small['rss_peak_mb']:+.0f} MB "
        f"(goal: flat; ≤ 500 MB); largest import {large['seconds']:.1f} s (goal ≤ 120 s)"
    )


if __name__ == "__main__":
    main()
