"""Webhook delivery to a real local HTTP receiver, checked the way an app would check it."""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
import threading
import time
import uuid
from collections import deque
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
from quickbooks import QuickBooks
from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map
from werkzeug.serving import make_server
from werkzeug.wrappers import Request

from integrations.qbo_sandbox.clock import SandboxClock
from integrations.qbo_sandbox.config import SandboxConfig
from integrations.qbo_sandbox.db import SandboxDB
from integrations.qbo_sandbox.webhooks import WebhookDispatcher, sign

REALM_A, REALM_B = "9341450000000001", "9341450000000002"
CHANGED = datetime(2026, 3, 1, 12, 30, 15, 250000, tzinfo=UTC)


class Receiver:
    """An app's webhook endpoint: records raw bodies and answers with scripted statuses."""

    def __init__(self) -> None:
        self.received: list[tuple[dict, bytes]] = []
        self.statuses: deque[int] = deque()
        self.delay = 0.0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
                time.sleep(receiver.delay)
                self.send_response(receiver.statuses.popleft() if receiver.statuses else 200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/webhooks/qbo/"
        threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()

    def bodies(self) -> list[object]:
        return [json.loads(body) for _, body in self.received]


def wait_for(condition, timeout: float = 5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.01)
    raise AssertionError("condition not met in time")


class Harness:
    def __init__(self, tmp_path, receiver: Receiver, time_scale: float = 100.0, **settings) -> None:
        self.config = SandboxConfig(test_hooks=True, data_path=str(tmp_path / "hooks.sqlite3"))
        self.config.webhook_url = receiver.url
        for key, value in settings.items():
            setattr(self.config, key, value)
        self.clock = SandboxClock(time_scale=time_scale)
        self.db = SandboxDB(self.config.data_path)
        self.dispatcher = WebhookDispatcher(self.db, self.clock, self.config)
        url_map = Map(self.dispatcher.rules())

        def app(environ, start_response):
            try:
                endpoint, values = url_map.bind_to_environ(environ).match()
                response = endpoint(Request(environ), **values)
            except HTTPException as exc:
                response = exc
            return response(environ, start_response)

        self.http = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.http.server_port}/__sandbox/webhooks"
        threading.Thread(target=self.http.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def notify(self, realm=REALM_A, entity="Customer", entity_id="1", operation="Create", deleted_id=None):
        self.dispatcher.notify(realm, entity, entity_id, operation, CHANGED, deleted_id)

    def log(self) -> dict:
        return requests.get(f"{self.url}/log", timeout=5).json()

    def hook(self, name: str, payload: dict) -> requests.Response:
        return requests.post(f"{self.url}/{name}", json=payload, timeout=5)

    def close(self) -> None:
        self.dispatcher.stop()
        self.http.shutdown()


@pytest.fixture
def receiver():
    rec = Receiver()
    yield rec
    rec.server.shutdown()


@pytest.fixture
def harness(tmp_path, receiver):
    made: list[Harness] = []

    def make(**settings) -> Harness:
        made.append(Harness(tmp_path, receiver, **settings))
        return made[-1]

    yield make
    for h in made:
        h.close()


def independent_signature(body: bytes, token: str) -> str:
    return base64.b64encode(hmac.new(token.encode(), body, hashlib.sha256).digest()).decode()


def test_signature_matches_intuits_test_vector():
    assert sign(b'{"stuff":"5"}', "verify_me") == "nfPLN16u3vMvv08ghDs+dOkLuirEVDy5wAeG/lmM2OA="


def test_legacy_payload_headers_and_signature(harness, receiver):
    h = harness(webhook_debounce_seconds=50)  # 0.5 s real: all four changes land in one window
    h.dispatcher.start()
    h.notify(entity_id="7")
    h.notify(entity_id="7", operation="Merge", deleted_id="27")
    h.notify(entity="Invoice", entity_id="130", operation="Void")
    h.notify(realm=REALM_B, entity="Payment", entity_id="9", operation="Delete")
    wait_for(lambda: len(receiver.received) == 2)
    headers, body = receiver.received[0]
    token = h.config.webhook_verifier_token
    assert headers["intuit-signature"] == independent_signature(body, token)
    assert QuickBooks().validate_webhook_signature(body.decode(), headers["intuit-signature"], token)
    assert headers["content-type"].startswith("application/json")
    assert headers["user-agent"] == "intuit_notification_server/0.1"
    assert headers["intuit-notification-schema-version"] == "0.1"
    assert uuid.UUID(headers["intuit-t-id"]) and headers["intuit-created-time"]
    first, second = receiver.bodies()  # one realm per legacy POST, events aggregated per realm
    assert [n["realmId"] for n in first["eventNotifications"] + second["eventNotifications"]] == [
        REALM_A,
        REALM_B,
    ]
    entities = first["eventNotifications"][0]["dataChangeEvent"]["entities"]
    assert entities == [
        {"name": "Customer", "id": "7", "operation": "Create", "lastUpdated": "2026-03-01T12:30:15.250Z"},
        {"name": "Customer", "id": "7", "operation": "Merge", "lastUpdated": "2026-03-01T12:30:15.250Z",
         "deletedId": "27"},
        {"name": "Invoice", "id": "130", "operation": "Void", "lastUpdated": "2026-03-01T12:30:15.250Z"},
    ]  # fmt: skip


def test_cloudevents_payload_spans_realms(harness, receiver):
    h = harness(webhook_format="cloudevents", webhook_debounce_seconds=50)
    h.dispatcher.start()
    h.notify(entity_id="7", operation="Merge", deleted_id="27")
    h.notify(realm=REALM_B, entity="SalesReceipt", entity_id="44", operation="Void")
    wait_for(lambda: len(receiver.received) == 1)
    headers, body = receiver.received[0]
    assert QuickBooks().validate_webhook_signature(
        body.decode(), headers["intuit-signature"], "syncportal-sandbox-verifier"
    )
    merged, voided = json.loads(body)
    assert merged["type"] == "qbo.customer.merged.v1" and merged["data"] == {"deletedid": "27"}
    assert voided["type"] == "qbo.salesreceipt.voided.v1" and voided["data"] == {}
    assert (merged["intuitaccountid"], voided["intuitaccountid"]) == (REALM_A, REALM_B)
    assert voided["intuitentityid"] == "44" and voided["time"] == "2026-03-01T12:30:15.250Z"
    assert merged["specversion"] == "1.0" and merged["source"].startswith("intuit.")
    assert uuid.UUID(merged["id"]) != uuid.UUID(voided["id"])


def test_retries_follow_intuits_schedule_in_sandbox_time(harness, receiver):
    expected = [10, 20, 30, 300, 1200, 7200, 14400, 21600, 21600]
    receiver.statuses.extend([500] * len(expected))
    h = harness()
    h.dispatcher.start()
    h.notify()
    for index, delay in enumerate(expected):
        wait_for(lambda n=index + 1: len(h.log()["attempts"]) == n)
        attempt = h.log()["attempts"][-1]
        assert attempt["outcome"] == "failed" and attempt["status"] == 500
        gap = datetime.fromisoformat(attempt["retry_at"]) - datetime.fromisoformat(attempt["time"])
        assert gap.total_seconds() == pytest.approx(delay, abs=0.01)
        if delay > 60:  # skip most of a long wait; the dispatcher must still wait out the rest
            h.clock.advance(delay - 2)
    wait_for(lambda: h.log()["attempts"][-1]["outcome"] == "delivered")
    times = [datetime.fromisoformat(a["time"]) for a in h.log()["attempts"]]
    gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(times)]
    for gap, delay in zip(gaps, expected, strict=True):
        assert delay <= gap < delay + 40
    assert len(receiver.received) == len(expected) + 1
    assert len({body for _, body in receiver.received}) == 1  # every retry resends the same bytes


def test_a_failing_delivery_blocks_the_ones_behind_it(harness, receiver):
    receiver.statuses.extend([503, 503])
    h = harness()
    h.dispatcher.start()
    h.notify(entity_id="1")
    wait_for(lambda: len(receiver.received) == 1)
    h.notify(entity_id="2")
    wait_for(lambda: len(receiver.received) == 4)
    ids = [b["eventNotifications"][0]["dataChangeEvent"]["entities"][0]["id"] for b in receiver.bodies()]
    assert ids == ["1", "1", "1", "2"]


def test_timeout_counts_as_a_failure(harness, receiver):
    receiver.delay = 0.4
    h = harness(webhook_timeout_seconds=0.1)
    h.notify()
    assert h.hook("flush", {}).json() == {"attempted": 1, "pending": 1}
    attempt = h.log()["attempts"][0]
    assert attempt["outcome"] == "timeout" and attempt["status"] is None


def test_flush_ignores_the_aggregation_window_and_retry_wait(harness, receiver):
    receiver.statuses.append(500)
    h = harness(time_scale=1.0, webhook_debounce_seconds=3600)
    h.dispatcher.start()
    h.notify()
    time.sleep(0.1)
    assert receiver.received == []
    h.hook("flush", {})
    assert len(receiver.received) == 1  # failed; next retry is 10 s away
    assert h.hook("flush", {}).json() == {"attempted": 1, "pending": 0}
    assert len(receiver.received) == 2


def test_chaos_drop_duplicate_and_reorder(harness, receiver):
    h = harness(time_scale=1.0, webhook_debounce_seconds=3600)
    h.hook("chaos", {"action": "drop", "count": 1})
    h.notify(entity_id="1")
    h.hook("flush", {})
    assert receiver.received == [] and h.log()["attempts"][-1]["outcome"] == "dropped"

    h.hook("chaos", {"action": "duplicate", "count": 1})
    h.notify(entity_id="2")
    h.hook("flush", {})
    assert len(receiver.received) == 2 and receiver.received[0] == receiver.received[1]

    receiver.received.clear()
    assert h.hook("chaos", {"action": "reorder"}).json() == {
        "chaos": {"reorder": {"count": 1, "seconds": 0.0}}
    }
    h.notify(realm=REALM_A, entity_id="3")
    h.notify(realm=REALM_B, entity_id="4")
    h.hook("flush", {})
    assert [b["eventNotifications"][0]["realmId"] for b in receiver.bodies()] == [REALM_B, REALM_A]
    assert h.hook("chaos", {"action": "explode"}).status_code == 400


def test_chaos_delay_holds_a_delivery_for_sandbox_seconds(harness, receiver):
    h = harness()
    h.hook("chaos", {"action": "delay", "count": 1, "seconds": 50})
    h.dispatcher.start()
    h.notify()
    wait_for(lambda: len(receiver.received) == 1)
    queued = h.db.conn.execute("SELECT created_at FROM webhook_delivery").fetchone()[0]
    sent = datetime.fromisoformat(h.log()["attempts"][0]["time"]).timestamp()
    assert sent - queued >= 50


def test_pending_deliveries_survive_a_restart(harness, receiver, tmp_path):
    receiver.statuses.append(500)
    first = harness(time_scale=1.0)
    first.notify(entity_id="77")
    first.hook("flush", {})
    assert first.log()["queue"][0]["attempts"] == 1
    first.close()

    second = harness(time_scale=1.0)  # same data file, new process state
    second.hook("flush", {})
    assert len(receiver.received) == 2 and receiver.received[0][1] == receiver.received[1][1]
    assert second.log()["queue"] == []


def test_disabled_webhooks_record_but_never_send(harness, receiver):
    h = harness(webhooks_enabled=False)
    h.dispatcher.start()
    h.notify()
    h.hook("flush", {})
    time.sleep(0.1)
    assert receiver.received == []
    assert h.log()["events"] == {"suppressed": 1}


def test_endpoint_and_format_change_at_runtime(harness, receiver, tmp_path):
    other = Receiver()
    try:
        h = harness(time_scale=1.0)
        reply = h.hook("config", {"webhook_url": other.url, "webhook_format": "cloudevents"})
        assert (
            reply.json()["webhook_format"] == "cloudevents" and "webhook_verifier_token" not in reply.json()
        )
        h.notify()
        h.hook("flush", {})
        assert receiver.received == [] and isinstance(other.bodies()[0], list)
        assert h.hook("config", {"webhook_format": "xml"}).status_code == 400
    finally:
        other.server.shutdown()


def test_hooks_exist_only_with_test_hooks(tmp_path):
    config = SandboxConfig(test_hooks=False, data_path=str(tmp_path / "x.sqlite3"))
    assert WebhookDispatcher(SandboxDB(config.data_path), SandboxClock(), config).rules() == []
