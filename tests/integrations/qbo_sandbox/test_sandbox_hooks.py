"""Test hooks: injected faults, throttling, bookkeeper edits, merges and their webhooks (spec §5, §6, §7)."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
from quickbooks.exceptions import (
    AuthorizationException,
    QuickbooksException,
    SevereException,
    ValidationException,
)
from quickbooks.objects.customer import Customer
from quickbooks.objects.invoice import Invoice

from .test_sandbox_sales import invoice, line, pay


def make(qb, name: str, **fields) -> Customer:
    customer = Customer()
    customer.DisplayName = name
    for key, value in fields.items():
        setattr(customer, key, value)
    return customer.save(qb=qb)


@pytest.mark.parametrize(
    ("rule", "exception", "code"),
    [
        ({"kind": "throttle"}, ValidationException, 3001),
        ({"kind": "server_error"}, SevereException, 10000),
        ({"kind": "unavailable"}, QuickbooksException, 10000),
        ({"kind": "token_expired"}, AuthorizationException, 401),
        ({"kind": "stale"}, QuickbooksException, 5010),
        ({"kind": "fault", "status": 400, "code": "6000"}, QuickbooksException, 6000),
    ],
)
def test_injected_faults_reach_the_client_as_qbo_would_send_them(qb, hook, rule, exception, code):
    hook(
        "faults", {**rule, "match": {"method": "GET", "entity": "Customer", "operation": "read"}, "times": 1}
    )
    with pytest.raises(exception) as exc:
        Customer.get("1", qb=qb)
    assert type(exc.value) is exception and exc.value.error_code == code
    assert Customer.get("1", qb=qb).Id == "1"  # times: 1 -> the next request is normal


def test_lost_response_commits_and_a_retry_with_the_request_id_replays(qb, hook, unique):
    name = unique("Lost")
    hook("faults", {"kind": "lost_response", "match": {"entity": "Customer", "operation": "create"}})
    customer = Customer()
    customer.DisplayName = name
    with pytest.raises(QuickbooksException) as exc:
        customer.save(qb=qb, request_id="lost-1")
    assert exc.value.error_code == 10000  # a 502 HTML page
    retried = Customer()
    retried.DisplayName = name
    assert retried.save(qb=qb, request_id="lost-1").DisplayName == name
    assert len(Customer.filter(DisplayName=name, qb=qb)) == 1


def test_timeout_fault_delays_the_answer_but_still_writes(qb, hook, sandbox, unique):
    name = unique("Slow")
    hook("faults", {"kind": "timeout", "seconds": 1.0, "match": {"path": "/customer", "method": "POST"}})
    url = f"{sandbox.url}/v3/company/{qb.company_id}/customer"
    headers = {"Authorization": f"Bearer {qb.auth_client.access_token}", "Content-Type": "application/json"}
    with pytest.raises(requests.Timeout):
        requests.post(url, data=json.dumps({"DisplayName": name}), headers=headers, timeout=0.3)
    time.sleep(1.2)
    assert len(Customer.filter(DisplayName=name, qb=qb)) == 1


@pytest.fixture
def throttled(hook):
    hook("throttle", {"enabled": True})
    yield
    hook("throttle", {"enabled": False})


def test_eleventh_concurrent_request_is_throttled(qb, make_qb, hook, throttled):
    hook("faults", {"kind": "timeout", "seconds": 1.5, "times": 10, "match": {"path": "/customer/1"}})
    clients = [make_qb() for _ in range(10)]  # same app and realm: one throttle key
    threads = [threading.Thread(target=Customer.get, args=("1",), kwargs={"qb": c}) for c in clients]
    for thread in threads:
        thread.start()
    time.sleep(0.5)
    with pytest.raises(ValidationException) as exc:
        Customer.get("2", qb=qb)
    assert exc.value.error_code == 3001
    for thread in threads:
        thread.join()
    assert Customer.get("2", qb=qb).Id == "2"


def test_requests_per_minute_count_batch_items_and_slide_with_the_clock(qb, hook, sandbox, throttled):
    query_items = {"BatchItemRequest": [{"bId": str(n), "Query": "select * from Term"} for n in range(30)]}
    for _ in range(16):
        qb.batch_operation(json.dumps(query_items))  # 480 requests' worth
    for _ in range(20):
        Customer.get("1", qb=qb)
    with pytest.raises(ValidationException) as exc:  # the 501st
        Customer.get("1", qb=qb)
    assert exc.value.error_code == 3001
    headers = {"Authorization": f"Bearer {qb.auth_client.access_token}"}
    raw = requests.get(f"{sandbox.url}/v3/company/{qb.company_id}/customer/1", headers=headers, timeout=10)
    assert raw.status_code == 429 and raw.headers["Retry-After"] == "60"
    assert raw.json()["Fault"]["Error"][0]["Detail"] == "The request limit was reached."
    hook("clock", {"advance_seconds": 61})
    assert Customer.get("1", qb=qb).Id == "1"


def test_forty_first_batch_in_a_minute_is_throttled(qb, hook, throttled):
    one = json.dumps({"BatchItemRequest": [{"bId": "1", "Query": "select * from Term"}]})
    for _ in range(40):
        qb.batch_operation(one)
    with pytest.raises(ValidationException) as exc:
        qb.batch_operation(one)
    assert exc.value.error_code == 3001
    assert Customer.get("1", qb=qb).Id == "1"  # single requests still pass


@pytest.fixture
def modelled_latency(hook):
    yield hook
    hook("latency", {"request_latency_ms": 0, "batch_item_latency_ms": 0})


def test_modelled_latency_delays_each_answer_and_each_batch_item(qb, sandbox, modelled_latency):
    modelled_latency("latency", {"request_latency_ms": 200, "batch_item_latency_ms": 20})
    started = time.perf_counter()
    Customer.get("1", qb=qb)
    single = time.perf_counter() - started
    queries = [{"bId": str(n), "Query": "select * from Term"} for n in range(10)]
    ten_queries = json.dumps({"BatchItemRequest": queries})
    started = time.perf_counter()
    qb.batch_operation(ten_queries)
    batch = time.perf_counter() - started
    # The sandbox's clock runs in real time here. The upper bounds only rule out the delay being
    # applied twice; they are loose because CI hosts are shared and slow.
    assert 0.2 <= single < 2.0
    assert 0.4 <= batch < 3.0  # 200 ms + 10 × 20 ms


def test_latency_hook_refuses_a_negative_or_non_numeric_value(sandbox, modelled_latency):
    for body in ({"request_latency_ms": -1}, {"batch_item_latency_ms": "slow"}):
        response = requests.post(f"{sandbox.url}/__sandbox/latency", json=body, timeout=10)
        assert response.status_code == 400
        assert "milliseconds" in response.json()["error"] or "numbers" in response.json()["error"]
    assert modelled_latency("latency", {}) == {"request_latency_ms": 0.0, "batch_item_latency_ms": 0.0}


class Receiver(BaseHTTPRequestHandler):
    received: list[tuple[dict, str, str]] = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"])).decode()
        Receiver.received.append((json.loads(body), body, self.headers["intuit-signature"]))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def webhooks(hook, sandbox):
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    Receiver.received = []
    hook(
        "webhooks/config",
        {"webhook_url": f"http://127.0.0.1:{server.server_port}/", "webhooks_enabled": True},
    )

    def events() -> list[dict]:
        hook("webhooks/flush")
        out = []
        for payload, _, _ in Receiver.received:
            for note in payload["eventNotifications"]:
                out += note["dataChangeEvent"]["entities"]
        return out

    yield events
    hook("webhooks/config", {"webhooks_enabled": False})
    server.shutdown()


def test_bookkeeper_edits_bump_sync_tokens_and_send_signed_webhooks(qb, hook, webhooks, unique):
    customer = make(qb, unique("Edited"))
    realm = qb.company_id
    edited = hook(f"realms/{realm}/bookkeeper", {"entity": "Customer", "action": "update", "id": customer.Id,
                                                 "fields": {"Notes": "called them"}})["Customer"]  # fmt: skip
    assert edited["SyncToken"] == "1" and edited["Notes"] == "called them"
    customer.Notes = "my stale edit"
    with pytest.raises(QuickbooksException) as exc:
        customer.save(qb=qb)
    assert exc.value.error_code == 5010
    hook(f"realms/{realm}/bookkeeper", {"entity": "Customer", "action": "deactivate", "id": customer.Id})
    assert Customer.get(customer.Id, qb=qb).Active is False
    created = hook(f"realms/{realm}/bookkeeper", {"entity": "Customer", "action": "create",
                                                  "fields": {"DisplayName": unique("UI made")}})  # fmt: skip
    seen = {(e["name"], e["id"], e["operation"]) for e in webhooks()}
    assert ("Customer", customer.Id, "Update") in seen
    assert ("Customer", created["Customer"]["Id"], "Create") in seen
    _, body, signature = Receiver.received[0]
    assert qb.validate_webhook_signature(body, signature, "syncportal-sandbox-verifier")


def test_server_side_balance_changes_are_announced(qb, webhooks, unique):
    customer = make(qb, unique("Payer"))
    inv = invoice(qb, customer, line(40))
    payment = pay(qb, customer, 40, (inv, 40))
    seen = {(e["name"], e["id"], e["operation"]) for e in webhooks()}
    assert {("Invoice", inv.Id, "Update"), ("Payment", payment.Id, "Create")} <= seen


def test_merge_customers_moves_transactions_and_sub_customers(qb, hook, webhooks, unique):
    survivor, duplicate = make(qb, unique("Keep")), make(qb, unique("Dupe"))
    inv = invoice(qb, duplicate, line(25))
    job = make(qb, unique("Dupe job"), Job=True, ParentRef=duplicate.to_ref())
    merged = hook(f"realms/{qb.company_id}/merge", {"entity": "Customer", "from_id": duplicate.Id,
                                                    "to_id": survivor.Id})["Customer"]  # fmt: skip
    assert merged["Id"] == survivor.Id and merged["Balance"] == 25
    assert Invoice.get(inv.Id, qb=qb).CustomerRef.value == survivor.Id
    moved = Customer.get(job.Id, qb=qb)
    assert moved.ParentRef.value == survivor.Id and moved.FullyQualifiedName.startswith(survivor.DisplayName)
    assert Customer.get(duplicate.Id, qb=qb).Active is False
    merges = [e for e in webhooks() if e["operation"] == "Merge"]
    assert merges == [{**merges[0], "name": "Customer", "id": survivor.Id, "deletedId": duplicate.Id}]


def test_reset_restores_the_seed_company(make_qb, new_realm, hook):
    qb = make_qb(new_realm)
    make(qb, "Temporary")
    assert Customer.filter(DisplayName="Temporary", qb=qb)
    hook(f"realms/{new_realm}/reset")
    assert Customer.filter(DisplayName="Temporary", qb=qb) == []
    assert Customer.get("20", qb=qb).Balance == 70  # seed invoice 132 minus seed payment 133


def test_request_log_records_what_the_client_sent(qb, hook, sandbox):
    Customer.get("6", qb=qb)
    entries = requests.get(f"{sandbox.url}/__sandbox/requests?limit=5", timeout=10).json()["requests"]
    last = [e for e in entries if e["path"].endswith("/customer/6")][-1]
    assert last["status"] == 200 and "minorversion=75" in last["query"] and last["realm"] == qb.company_id
