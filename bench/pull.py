"""Pull sync figures: QuickBooks edit → visible in SyncPortal, and webhook acknowledgement time.

Runs SyncPortal's WSGI app on a free port (threaded), the QBO sandbox in a thread (throttle off,
webhooks on, pointed at our endpoint), a fresh SQLite database, and a one-shot django-q2 worker loop
in this process (it runs exactly the tasks the ORM broker holds, as a cluster worker would).

Prints, each with a baseline measured in the same run:
- edit → visible via webhooks, p50/p95, twice: with the sandbox's aggregation window (Intuit's own
  delay before it sends a notification, 1 s here, up to minutes on Intuit) and with it off, which
  is SyncPortal's own part (delivery, signature, queue, CDC read, apply) and what the goal is about;
- edit → visible via CDC alone (one poll right after the edit: the apply cost; a 5-minute schedule
  adds on average 150 s of waiting, at worst 300 s);
- webhook acknowledgement p99 over N signed POSTs (goal ≤ 50 ms; Intuit allows 3 s), next to a
  baseline request through the same server and middleware (a GET answered 405).

    .venv/bin/python bench/pull.py [--edits 30] [--posts 1000]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
WORK = tempfile.mkdtemp(prefix="pull_bench_")
os.environ["DJANGO_SETTINGS_MODULE"] = "syncportal.settings.test"
os.environ["DATABASE_URL"] = f"sqlite:///{WORK}/syncportal.sqlite3"
os.environ.setdefault("OAUTHLIB_INSECURE_TRANSPORT", "1")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

import requests  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

from integrations.qbo_sandbox.config import SandboxConfig  # noqa: E402
from integrations.qbo_sandbox.server import start_in_thread  # noqa: E402
from integrations.qbo_sandbox.webhooks.payloads import sign  # noqa: E402


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:8.1f} ms"


def run_queued_tasks() -> int:
    from django.utils.module_loading import import_string
    from django_q.models import OrmQ
    from django_q.signing import SignedPackage

    ran = 0
    while (row := OrmQ.objects.order_by("id").first()) is not None:
        task = SignedPackage.loads(row.payload)
        row.delete()
        func = task["func"]
        (import_string(func) if isinstance(func, str) else func)(*task["args"], **task["kwargs"])
        ran += 1
    return ran


def serve_django() -> tuple[str, object]:
    server = make_server("127.0.0.1", 0, get_wsgi_application(), threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}", server


def connect(sandbox_url: str):
    from integrations.services.connection import connection_complete

    realm = requests.post(
        f"{sandbox_url}/__sandbox/realms", json={"company_name": "Bench"}, timeout=30
    ).json()["realm_id"]
    code = requests.post(
        f"{sandbox_url}/__sandbox/oauth/approve",
        json={
            "client_id": settings.QBO_CLIENT_ID,
            "redirect_uri": settings.QBO_REDIRECT_URI,
            "realm_id": realm,
            "scope": "com.intuit.quickbooks.accounting",
            "state": "bench",
        },
        timeout=30,
    ).json()["code"]
    return connection_complete(code=code, realm_id=realm)


def edit_latencies(connection, sandbox_url: str, customers, qbo_ids, *, via: str, start: int) -> list[float]:
    from integrations.pull.cdc import pull

    figures = []
    for n, (customer, qbo_id) in enumerate(zip(customers, qbo_ids, strict=True)):
        email = f"{via}{start + n}@bench.example"
        began = time.perf_counter()
        requests.post(
            f"{sandbox_url}/__sandbox/realms/{connection.realm_id}/bookkeeper",
            json={
                "entity": "Customer",
                "action": "update",
                "id": qbo_id,
                "fields": {"PrimaryEmailAddr": {"Address": email}},
            },
            timeout=30,
        )
        deadline = began + 30
        while time.perf_counter() < deadline:
            if via == "cdc":
                pull(connection.pk)
            else:
                run_queued_tasks()
            customer.refresh_from_db(fields=["email"])
            if customer.email == email:
                figures.append(time.perf_counter() - began)
                break
            time.sleep(0.005)
        else:
            print(f"  {via}: edit {n} not visible within 30 s")
    return figures


def acknowledgements(base_url: str, realm: str, posts: int) -> tuple[list[float], list[float]]:
    session = requests.Session()
    url = f"{base_url}/integrations/webhooks/qbo/"
    acks, baseline = [], []
    for n in range(posts):
        body = json.dumps(
            {
                "eventNotifications": [
                    {
                        "realmId": realm,
                        "dataChangeEvent": {
                            "entities": [
                                {
                                    "name": "Customer",
                                    "id": str(n),
                                    "operation": "Update",
                                    "lastUpdated": "2026-11-22T03:00:00.000Z",
                                }
                            ]
                        },
                    }
                ]
            }
        ).encode()
        headers = {
            "intuit-signature": sign(body, settings.QBO_WEBHOOK_VERIFIER_TOKEN),
            "content-type": "application/json",
        }
        began = time.perf_counter()
        response = session.post(url, data=body, headers=headers, timeout=10)
        acks.append(time.perf_counter() - began)
        assert response.status_code == 200, response.status_code
        began = time.perf_counter()
        session.get(url, timeout=10)  # 405: same server, same middleware, no work
        baseline.append(time.perf_counter() - began)
    return acks, baseline


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=30)
    parser.add_argument("--posts", type=int, default=1000)
    args = parser.parse_args()

    import logging

    call_command("migrate", verbosity=0)
    base_url, _server = serve_django()  # get_wsgi_application() configures logging again
    for noisy in ("werkzeug", "django.request", "integrations"):
        logging.getLogger(noisy).setLevel(logging.ERROR)
    config = SandboxConfig(
        port=0,
        data_path=f"{WORK}/sandbox.sqlite3",
        test_hooks=True,
        throttle=False,
        webhooks_enabled=True,
        webhook_url=f"{base_url}/integrations/webhooks/qbo/",
    )
    sandbox = start_in_thread(config)
    settings.QBO_ENVIRONMENT, settings.QBO_SANDBOX_URL = "local", sandbox.url

    from customers.services import customer_create
    from integrations.models import QBOLink
    from integrations.pull.cdc import pull
    from integrations.sync.push import drain

    connection = connect(sandbox.url)
    customers = [customer_create(display_name=f"Bench Customer {i}") for i in range(args.edits)]
    drain(connection.pk)
    pull(connection.pk)
    run_queued_tasks()
    qbo_ids = [QBOLink.objects.get(entity="customers.customer", object_id=c.pk).qbo_id for c in customers]

    # Baseline: the sandbox hook alone (what an edit costs before SyncPortal does anything).
    hook = []
    for _ in range(args.edits):
        began = time.perf_counter()
        requests.get(f"{sandbox.url}/__sandbox/info", timeout=10)
        hook.append(time.perf_counter() - began)

    cdc = edit_latencies(connection, sandbox.url, customers, qbo_ids, via="cdc", start=0)
    aggregation = config.webhook_debounce_seconds
    hooks = edit_latencies(connection, sandbox.url, customers, qbo_ids, via="webhook", start=0)
    # The same path with the sandbox's aggregation window off: what SyncPortal itself adds, from
    # the edit through delivery, signature check, queue, CDC read and apply.
    config.webhook_debounce_seconds = 0.0
    own = edit_latencies(connection, sandbox.url, customers, qbo_ids, via="webhook", start=args.edits)
    config.webhook_debounce_seconds = aggregation
    acks, base = acknowledgements(base_url, "0000000000", args.posts)

    print(
        f"pull bench: {args.edits} bookkeeper edits per path, {args.posts} signed posts, SQLite, no throttle"
    )
    print(f"  baseline: sandbox round trip (GET info)  p50 {ms(pct(hook, 50))}  p95 {ms(pct(hook, 95))}")
    print(
        f"  edit → visible via webhooks      p50 {ms(pct(hooks, 50))}  p95 {ms(pct(hooks, 95))}"
        f"   (incl. the sandbox's {aggregation:.1f} s aggregation, Intuit's own delay)"
    )
    print(
        f"    … aggregation off (ours alone) p50 {ms(pct(own, 50))}  p95 {ms(pct(own, 95))}"
        "   (goal p95 ≤ 1 s)"
    )
    print(
        f"  edit → visible via CDC (1 poll)  p50 {ms(pct(cdc, 50))}  p95 {ms(pct(cdc, 95))}"
        "   (+ the wait for the 5-minute poll: 150 s on average, 300 s at worst)"
    )
    print(
        f"  webhook acknowledgement          p50 {ms(pct(acks, 50))}  p99 {ms(pct(acks, 99))}"
        f"  max {ms(max(acks))}   (goal p99 ≤ 50 ms)"
    )
    print(f"  baseline: GET on the endpoint (405) p50 {ms(statistics.median(base))}  p99 {ms(pct(base, 99))}")
    sandbox.stop()


if __name__ == "__main__":
    main()
