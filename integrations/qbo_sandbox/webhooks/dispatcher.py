"""The webhook dispatcher: records change events, aggregates them, and delivers them like Intuit.

``notify`` (called by the API after each commit) stores an event. A background thread closes each
realm's aggregation window after ``webhook_debounce_seconds``, turns the events into one stored,
signed body (legacy: one POST per realm; CloudEvents: one array holding every realm's waiting events
when the first window closes, so a POST may span realms), and sends the
queue strictly in order: a failed POST is retried on Intuit's schedule (10 s, 20 s, 30 s, 5 min,
20 min, 2 h, 4 h, 6 h, then every 6 h of sandbox time) and everything behind it waits
(head-of-line blocking). Test hooks can drop, delay, duplicate or reorder deliveries.
"""

from __future__ import annotations

import logging
import threading
import uuid
from datetime import UTC, datetime
from urllib.parse import urlsplit, urlunsplit

import requests

from . import payloads
from .store import WebhookStore

log = logging.getLogger(__name__)

CHAOS_ACTIONS = ("delay", "drop", "duplicate", "reorder")
_POLL_REAL_SECONDS = 0.05  # notices clock.advance() jumps quickly without busy-waiting


class WebhookDispatcher:
    def __init__(self, db, clock, config) -> None:
        self.db, self.clock, self.config = db, clock, config
        self.store = WebhookStore(db)
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._send_lock = threading.Lock()  # the thread and a flush never send at the same time
        self._chaos: dict[str, dict] = {}
        self._chaos_lock = threading.Lock()
        self._thread: threading.Thread | None = None

    # -- lifecycle ------------------------------------------------------------------------------
    def start(self) -> None:
        if self._thread and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="qbo-sandbox-webhooks", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread:
            self._thread.join(timeout=self.config.webhook_timeout_seconds + 2)
            self._thread = None

    def rules(self):
        from .hooks import hook_rules  # the hooks import this module

        return hook_rules(self) if self.config.test_hooks else []

    # -- recording ------------------------------------------------------------------------------
    def notify(self, realm_id, entity, entity_id, operation, last_updated: datetime, deleted_id=None) -> None:
        """Record one committed change (operation: Create | Update | Delete | Merge | Void)."""
        if operation not in payloads.OPERATION_VERBS:
            raise ValueError(f"unknown webhook operation {operation!r}")
        event = {
            "uuid": str(uuid.uuid4()),
            "realm_id": str(realm_id),
            "entity": entity,
            "entity_id": str(entity_id),
            "operation": operation,
            "last_updated": payloads.iso_utc(last_updated),
            "deleted_id": None if deleted_id is None else str(deleted_id),
            "created_at": self.clock.timestamp(),
            "state": "new" if self.config.webhooks_enabled else "suppressed",
        }
        self.store.add_event(event)
        self._wake.set()

    # -- background loop ------------------------------------------------------------------------
    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                with self._send_lock:
                    self._batch(force=False)
                    self._deliver(force=False)
            except Exception:  # a bad row or a db hiccup must not kill delivery for good
                log.exception("webhook dispatcher tick failed")
            self._wake.wait(self._sleep_seconds())
            self._wake.clear()

    def _sleep_seconds(self) -> float:
        now, due = self.clock.timestamp(), []
        first = self.store.earliest_new_event()
        if first is not None:
            due.append(first + self.config.webhook_debounce_seconds)
        head = self.store.queue(1)
        if head and self.config.webhooks_enabled:
            due.append(head[0]["next_attempt_at"])
        if not due or min(due) <= now:  # nothing due, or the head is being held on purpose
            return _POLL_REAL_SECONDS
        return min(_POLL_REAL_SECONDS, max(0.001, self.clock.real_seconds(min(due) - now)))

    def flush(self) -> dict:
        """Send everything now, ignoring the aggregation window and retry waits (test hook)."""
        with self._send_lock:
            self._batch(force=True)
            sent = self._deliver(force=True)
        return {"attempted": sent, "pending": len(self.store.pending())}

    # -- batching -------------------------------------------------------------------------------
    def _batch(self, force: bool) -> None:
        if not self.config.webhooks_enabled:
            return
        now = self.clock.timestamp()
        cutoff = None if force else now - self.config.webhook_debounce_seconds
        first = self.store.earliest_new_event()  # a read: no write lock unless a window has closed
        if first is None or (cutoff is not None and first > cutoff):
            return
        fmt, cap = self.config.webhook_format, max(1, self.config.webhook_max_events_per_post)
        with self.db.transaction() as conn:
            realms = self.store.due_realms(conn, cutoff)
            if not realms:
                return
            if fmt != "legacy":
                # [EMU] one CloudEvents array carries every realm waiting when a window closes
                realms = self.store.due_realms(conn, None)
            groups = [[realm] for realm in realms] if fmt == "legacy" else [realms]
            for group in groups:
                events = self.store.new_events(conn, group)
                for start in range(0, len(events), cap):
                    chunk = events[start : start + cap]
                    if fmt == "legacy":
                        body = payloads.legacy_body(group[0], chunk)
                    else:
                        body = payloads.cloudevents_body(
                            chunk, payloads.cloudevents_source(self.config.client_id)
                        )
                    self.store.add_delivery(conn, fmt, body, str(uuid.uuid4()), chunk, now)

    # -- delivery -------------------------------------------------------------------------------
    def _deliver(self, force: bool) -> int:
        """Work through the queue head; stop at the first delivery that must wait. Returns attempts."""
        attempts = 0
        while self.config.webhooks_enabled and not (self._stop.is_set() and not force):
            queue = self.store.queue(2)
            if not queue:
                break
            head, now = queue[0], self.clock.timestamp()
            if not force and now < head["next_attempt_at"]:
                break
            if not force and not head["delayed"] and (delay := self._take_chaos("delay")):
                self.store.hold(head["id"], now + delay["seconds"])
                break
            if self._chaos_armed("reorder"):
                if len(queue) > 1:  # swap the head with the delivery behind it
                    self._take_chaos("reorder")
                    self.store.swap(head, queue[1])
                    continue
                if not force:  # hold the head until another delivery queues up behind it
                    break
            attempts += 1
            if not self._attempt(head):
                break
        return attempts

    def _attempt(self, delivery) -> bool:
        """One POST of the queue head; True when it left the queue (acknowledged or dropped)."""
        number, url = delivery["attempts"] + 1, self.config.webhook_url
        record = {
            "delivery_id": delivery["id"],
            "attempt": number,
            "url": _without_query(url),
            "event_count": delivery["event_count"],
            "realm_ids": delivery["realm_ids"],
            "bytes": len(delivery["body"]),
            "retry_at": None,
        }
        if self._take_chaos("drop"):
            self.store.record_attempt(delivery, {**record, "at": self.clock.timestamp(), "status": None,
                                                 "outcome": "dropped"}, "dropped")  # fmt: skip
            return True
        status, outcome = self._post(url, delivery)
        now = self.clock.timestamp()
        if status == 200:
            self.store.record_attempt(
                delivery, {**record, "at": now, "status": 200, "outcome": "delivered"}, "delivered"
            )
            if self._take_chaos("duplicate"):
                status, outcome = self._post(url, delivery)
                self.store.record_attempt(delivery, {**record, "at": self.clock.timestamp(), "status": status,
                                                     "outcome": "duplicate"}, None)  # fmt: skip
            return True
        retry_at = now + self.retry_delay(number)
        self.store.record_attempt(delivery, {**record, "at": now, "status": status, "outcome": outcome,
                                             "retry_at": retry_at}, None)  # fmt: skip
        return False

    def retry_delay(self, failed_attempts: int) -> float:
        """Simulated seconds to wait after the n-th failed attempt (Intuit's schedule)."""
        schedule = self.config.webhook_retry_schedule
        if failed_attempts <= len(schedule):
            return float(schedule[failed_attempts - 1])
        return float(self.config.webhook_retry_every_seconds)

    def _post(self, url: str, delivery) -> tuple[int | None, str]:
        created = datetime.fromtimestamp(delivery["created_at"], tz=UTC)
        headers = payloads.headers(
            delivery["body"],
            self.config.webhook_verifier_token,
            delivery["t_id"],
            created,
            self.config.company_tz,
        )
        try:
            with requests.Session() as session:
                session.trust_env = False  # a local receiver: never route through a proxy
                reply = session.post(
                    url,
                    data=delivery["body"],
                    headers=headers,
                    timeout=self.config.webhook_timeout_seconds,
                    allow_redirects=False,
                )
                return reply.status_code, "delivered" if reply.status_code == 200 else "failed"
        except requests.Timeout:
            return None, "timeout"
        except requests.RequestException as exc:
            log.info(
                "webhook delivery %s to %s failed: %s",
                delivery["id"],
                _without_query(url),
                type(exc).__name__,
            )
            return None, "error"

    # -- chaos ----------------------------------------------------------------------------------
    def set_chaos(self, action: str, count: int, seconds: float = 0.0) -> None:
        with self._chaos_lock:
            if count > 0:
                self._chaos[action] = {"count": count, "seconds": seconds}
            else:
                self._chaos.pop(action, None)
        self._wake.set()

    def clear_chaos(self) -> None:
        with self._chaos_lock:
            self._chaos.clear()

    def chaos(self) -> dict:
        with self._chaos_lock:
            return {k: dict(v) for k, v in self._chaos.items()}

    def _chaos_armed(self, action: str) -> bool:
        with self._chaos_lock:
            return action in self._chaos

    def _take_chaos(self, action: str) -> dict | None:
        """Consume one use of a chaos rule; the rule (with its ``seconds``) or None."""
        with self._chaos_lock:
            rule = self._chaos.get(action)
            if not rule:
                return None
            rule["count"] -= 1
            if rule["count"] <= 0:
                self._chaos.pop(action)
            return dict(rule)


def _without_query(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(query="", fragment=""))
