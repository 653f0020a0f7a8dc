"""Throughput of the local QBO sandbox, driven through the real python-quickbooks / intuit-oauth clients.

Starts the sandbox as a subprocess (throttling off) on a free port, authorises through the real
OAuth code flow, and prints requests per second for create, read, sparse update, a 30-item batch
and 1000-row query pages, next to a baseline (GET /__sandbox/info over the same HTTP stack), so
the figures read as ratios. A large company (default 100,000 customers + 100,000 invoices) is
written straight into the SQLite file beforehand to time paging and CDC at that size. Peak RSS of
the server process comes from /proc. Runs in well under two minutes.

    .venv/bin/python bench/sandbox.py [--n 400] [--large 100000]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

os.environ.setdefault("OAUTHLIB_INSECURE_TRANSPORT", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import requests  # noqa: E402
from intuitlib.client import AuthClient  # noqa: E402
from quickbooks import QuickBooks  # noqa: E402
from quickbooks.batch import batch_create  # noqa: E402
from quickbooks.cdc import change_data_capture  # noqa: E402
from quickbooks.objects.customer import Customer  # noqa: E402
from quickbooks.objects.invoice import Invoice  # noqa: E402

from integrations.qbo_sandbox.config import SandboxConfig  # noqa: E402
from integrations.qbo_sandbox.server import free_port  # noqa: E402

REALM = SandboxConfig.seed_realm_id


def populate(path: str, count: int) -> None:
    """Write ``count`` customers and ``count`` invoices into the seeded file (seconds, not minutes)."""
    import sqlite3

    from integrations.qbo_sandbox.timefmt import qbo_datetime, utc_key

    conn = sqlite3.connect(path)
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA cache_size=-400000")
    # Bulk load without indexes; the server recreates them (CREATE INDEX IF NOT EXISTS) on start.
    indexes = [row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND "
                                              "tbl_name = 'entity' AND sql IS NOT NULL")]  # fmt: skip
    for name in indexes:
        conn.execute(f"DROP INDEX {name}")
    now = datetime.now(UTC) - timedelta(days=1)
    meta = qbo_datetime(now, SandboxConfig.company_tz)
    stamp = utc_key(now)
    rows = []
    for i in range(count):
        cid = 100_000 + i
        name = f"Bulk Customer {i:06d}"
        doc = {"Id": str(cid), "SyncToken": "0", "DisplayName": name, "FullyQualifiedName": name,
               "Active": True, "Job": False, "Level": 0, "Balance": 10.0, "BalanceWithJobs": 10.0,
               "Taxable": True,
               "PrimaryEmailAddr": {"Address": f"c{i}@example.com"}, "domain": "QBO", "sparse": False,
               "MetaData": {"CreateTime": meta, "LastUpdatedTime": meta}}  # fmt: skip
        rows.append(
            (REALM, "Customer", cid, 0, 1, 0, name.lower(), None, None, stamp, json.dumps(doc), 0, 0, 0)
        )
        iid = 1_000_000 + i
        inv = {"Id": str(iid), "SyncToken": "0", "CustomerRef": {"value": str(cid), "name": name},
               "Line": [{"Id": "1", "LineNum": 1, "Amount": 10.0, "DetailType": "SalesItemLineDetail",
                         "SalesItemLineDetail": {"ItemRef": {"value": "1", "name": "Services"}}},
                        {"Amount": 10.0, "DetailType": "SubTotalLineDetail", "SubTotalLineDetail": {}}],
               "TotalAmt": 10.0, "Balance": 10.0, "TxnDate": "2026-01-01", "DocNumber": str(50_000 + i),
               "domain": "QBO", "sparse": False,
               "MetaData": {"CreateTime": meta, "LastUpdatedTime": meta}}  # fmt: skip
        rows.append((REALM, "Invoice", iid, 0, 1, 0, None, None, cid, stamp, json.dumps(inv), 0, 1000, 0))
    conn.executemany("INSERT INTO entity VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)
    conn.commit()
    conn.close()


def start_server(data: str, port: int, seed_only: bool = False) -> subprocess.Popen:
    args = [sys.executable, "-m", "integrations.qbo_sandbox", "--port", str(port), "--data", data,
            "--test-hooks", "--no-throttle", "--set", "webhooks_enabled=false"]  # fmt: skip
    proc = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(1800):  # up to 90 s: the first start after a bulk load rebuilds the indexes
        try:
            requests.get(f"http://127.0.0.1:{port}/__sandbox/info", timeout=1)
            return proc
        except requests.ConnectionError:
            time.sleep(0.05)
    raise RuntimeError("sandbox did not start")


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def client(base: str) -> QuickBooks:
    config = SandboxConfig()
    code = requests.post(f"{base}/__sandbox/oauth/approve", json={"realm_id": REALM}, timeout=10).json()[
        "code"
    ]
    auth = AuthClient(config.client_id, config.client_secret, config.redirect_uris[0],
                      f"{base}/.well-known/openid_sandbox_configuration")  # fmt: skip
    auth.get_bearer_token(code, realm_id=REALM)

    class SandboxQuickBooks(QuickBooks):
        api_url_v3 = f"{base}/v3"
        sandbox_api_url_v3 = f"{base}/v3"

    return SandboxQuickBooks(
        auth_client=auth, refresh_token=auth.refresh_token, company_id=REALM, minorversion=75
    )


class ServerTimes:
    """Time spent inside the WSGI app per request, from the sandbox's request log."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.seq = self._last()

    def _entries(self, since: int) -> list[dict]:
        url = f"{self.base}/__sandbox/requests?since={since}&limit=100000"
        return requests.get(url, timeout=30).json()["requests"]

    def _last(self) -> int:
        entries = self._entries(0)
        return entries[-1]["seq"] if entries else 0

    def take(self) -> str:
        entries = [e for e in self._entries(self.seq) if e["path"].startswith("/v3/")]
        self.seq = self._last()
        if not entries:
            return ""
        times = sorted(e["ms"] for e in entries)
        median = times[len(times) // 2]
        return f"  server {median:.2f} ms median = {1000 / median:,.0f}/s per core"


def rate(label: str, count: int, seconds: float, baseline: float | None = None, unit: str = "req/s",
         server: str = "") -> float:  # fmt: skip
    per_second = count / seconds
    ratio = f"  ({per_second / baseline:.0%} of baseline)" if baseline else ""
    print(f"{label:<40} {per_second:7.0f} {unit}{ratio}{server}")
    return per_second


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=400, help="requests per single-object figure")
    parser.add_argument("--large", type=int, default=100_000, help="bulk customers (and invoices) for paging")
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="qbo-bench-")
    data, port = os.path.join(tmp, "sandbox.sqlite3"), free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_server(data, port)  # first start seeds the company
    server.terminate()
    server.wait()
    started = time.perf_counter()
    populate(data, args.large)
    print(
        f"populated {args.large} customers + {args.large} invoices in {time.perf_counter() - started:.1f} s"
    )
    started = time.perf_counter()
    server = start_server(data, port)
    print(f"server start with index rebuild: {time.perf_counter() - started:.1f} s")
    try:
        qb = client(base)
        times = ServerTimes(base)
        session = requests.Session()
        t0 = time.perf_counter()
        for _ in range(args.n):
            session.get(f"{base}/__sandbox/info", timeout=10)
        baseline = rate("baseline GET /__sandbox/info (requests)", args.n, time.perf_counter() - t0)

        ids = []
        t0 = time.perf_counter()
        for i in range(args.n):
            customer = Customer()
            customer.DisplayName = f"Bench {uuid.uuid4().hex[:8]} {i}"
            ids.append(customer.save(qb=qb).Id)
        rate(
            "create Customer (python-quickbooks)",
            args.n,
            time.perf_counter() - t0,
            baseline,
            server=times.take(),
        )

        t0 = time.perf_counter()
        for customer_id in ids:
            Customer.get(customer_id, qb=qb)
        rate("read Customer", args.n, time.perf_counter() - t0, baseline, server=times.take())

        t0 = time.perf_counter()
        for customer_id in ids:
            body = {"Id": customer_id, "SyncToken": "0", "sparse": True, "Notes": "sparse"}
            qb.update_object("Customer", json.dumps(body))
        rate("sparse update Customer", args.n, time.perf_counter() - t0, baseline, server=times.take())

        batches = max(1, args.n // 30)
        t0 = time.perf_counter()
        for b in range(batches):
            objs = []
            for i in range(30):
                customer = Customer()
                customer.DisplayName = f"Batch {b}-{i} {uuid.uuid4().hex[:6]}"
                objs.append(customer)
            result = batch_create(objs, qb=qb)
            assert not result.faults
        elapsed = time.perf_counter() - t0
        rate("30-item batch create (batches)", batches, elapsed, unit="batch/s", server=times.take())
        rate("30-item batch create (objects)", batches * 30, elapsed, baseline, unit="obj/s")

        pages = 10
        for label, start in (("first", 1), ("last", args.large - 999)):
            t0 = time.perf_counter()
            for _ in range(pages):
                rows = Customer.query(f"SELECT * FROM Customer STARTPOSITION {start} MAXRESULTS 1000", qb=qb)
            ms = (time.perf_counter() - t0) / pages * 1000
            print(
                f"1000-row Customer page ({label}, {len(rows)} rows) {ms:8.1f} ms incl. client parsing"
                f"{times.take()}"
            )
        t0 = time.perf_counter()
        total = start = 0
        while True:
            raw = qb.query(f"SELECT * FROM Invoice STARTPOSITION {start + 1} MAXRESULTS 1000")
            got = raw["QueryResponse"].get("Invoice", [])
            total += len(got)
            start += 1000
            if len(got) < 1000:
                break
        elapsed = time.perf_counter() - t0
        print(
            f"full Invoice import, 1000-row pages: {total} rows in {elapsed:.1f} s "
            f"({total / elapsed:,.0f} rows/s)"
            f"{times.take()}"
        )
        t0 = time.perf_counter()
        since = datetime.now() - timedelta(days=2)
        cdc = change_data_capture([Customer, Invoice], since, qb=qb)
        got = len(getattr(cdc, "Customer", [])) + len(getattr(cdc, "Invoice", []))
        print(
            f"CDC Customer,Invoice ({got} objects, capped)  {(time.perf_counter() - t0) * 1000:8.1f} ms"
            f"{times.take()}"
        )
        print(f"server peak RSS {peak_rss_mb(server.pid):.1f} MB")
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
