"""Webhook storage: change events, the delivery queue (exact bodies) and the attempt log.

Everything lives in the sandbox database, so pending deliveries survive a restart. Times are
simulated POSIX seconds from the sandbox clock.
"""

from __future__ import annotations

import json
import sqlite3

SCHEMA = """
CREATE TABLE IF NOT EXISTS webhook_event (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid TEXT NOT NULL,               -- the CloudEvent id (kept, so a duplicate delivery repeats it)
    realm_id TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    operation TEXT NOT NULL,          -- Create | Update | Delete | Merge | Void
    last_updated TEXT NOT NULL,       -- ISO-8601 UTC, as sent
    deleted_id TEXT,
    created_at REAL NOT NULL,
    state TEXT NOT NULL,              -- new | batched | suppressed (webhooks disabled)
    delivery_id INTEGER
);
CREATE INDEX IF NOT EXISTS webhook_event_state ON webhook_event(state, realm_id, id);
CREATE TABLE IF NOT EXISTS webhook_delivery (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    seq REAL NOT NULL,                -- queue order (the reorder hook swaps two)
    format TEXT NOT NULL,
    body BLOB NOT NULL,               -- the exact bytes that are signed and sent
    t_id TEXT NOT NULL,
    event_count INTEGER NOT NULL,
    realm_ids TEXT NOT NULL,          -- JSON list
    created_at REAL NOT NULL,
    next_attempt_at REAL NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    delayed INTEGER NOT NULL DEFAULT 0,
    state TEXT NOT NULL,              -- pending | delivered | dropped
    finished_at REAL
);
CREATE INDEX IF NOT EXISTS webhook_delivery_queue ON webhook_delivery(state, seq);
CREATE TABLE IF NOT EXISTS webhook_attempt (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    delivery_id INTEGER NOT NULL,
    attempt INTEGER NOT NULL,
    at REAL NOT NULL,
    url TEXT NOT NULL,                -- without the query string
    status INTEGER,                   -- HTTP status; NULL on timeout / connection error / drop
    outcome TEXT NOT NULL,            -- delivered | failed | timeout | error | dropped | duplicate
    event_count INTEGER NOT NULL,
    realm_ids TEXT NOT NULL,
    bytes INTEGER NOT NULL,
    retry_at REAL
);
"""


class WebhookStore:
    def __init__(self, db) -> None:
        self.db = db
        db.register_schema(SCHEMA)

    def add_event(self, event: dict) -> None:
        with self.db.transaction() as conn:
            conn.execute(
                "INSERT INTO webhook_event(uuid, realm_id, entity, entity_id, operation, last_updated,"
                " deleted_id, created_at, state) VALUES (:uuid, :realm_id, :entity, :entity_id, :operation,"
                " :last_updated, :deleted_id, :created_at, :state)",
                event,
            )

    def due_realms(self, conn, cutoff: float | None) -> list[str]:
        """Realms whose aggregation window (first new event <= cutoff) has closed; all when None."""
        rows = conn.execute(
            "SELECT realm_id, MIN(created_at) AS first FROM webhook_event WHERE state = 'new'"
            " GROUP BY realm_id ORDER BY MIN(id)"
        ).fetchall()
        return [r["realm_id"] for r in rows if cutoff is None or r["first"] <= cutoff]

    def new_events(self, conn, realm_ids: list[str]) -> list[dict]:
        marks = ",".join("?" * len(realm_ids))
        rows = conn.execute(
            f"SELECT * FROM webhook_event WHERE state = 'new' AND realm_id IN ({marks}) ORDER BY id",  # noqa: S608
            realm_ids,
        ).fetchall()
        return [dict(r) for r in rows]

    def add_delivery(self, conn, fmt, body, t_id, events: list[dict], now: float) -> int:
        realms = list(dict.fromkeys(e["realm_id"] for e in events))
        seq = conn.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM webhook_delivery").fetchone()[0]
        cur = conn.execute(
            "INSERT INTO webhook_delivery(seq, format, body, t_id, event_count, realm_ids, created_at,"
            " next_attempt_at, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending')",
            (seq, fmt, body, t_id, len(events), json.dumps(realms), now, now),
        )
        delivery_id = int(cur.lastrowid)
        conn.executemany(
            "UPDATE webhook_event SET state = 'batched', delivery_id = ? WHERE id = ?",
            [(delivery_id, e["id"]) for e in events],
        )
        return delivery_id

    def earliest_new_event(self) -> float | None:
        row = self.db.conn.execute("SELECT MIN(created_at) FROM webhook_event WHERE state = 'new'").fetchone()
        return row[0]

    def queue(self, limit: int = 2) -> list[sqlite3.Row]:
        """The head of the delivery queue (and what follows it)."""
        return self.db.conn.execute(
            "SELECT * FROM webhook_delivery WHERE state = 'pending' ORDER BY seq LIMIT ?", (limit,)
        ).fetchall()

    def swap(self, first: sqlite3.Row, second: sqlite3.Row) -> None:
        with self.db.transaction() as conn:
            conn.execute("UPDATE webhook_delivery SET seq = ? WHERE id = ?", (second["seq"], first["id"]))
            conn.execute("UPDATE webhook_delivery SET seq = ? WHERE id = ?", (first["seq"], second["id"]))

    def hold(self, delivery_id: int, until: float) -> None:
        with self.db.transaction() as conn:
            conn.execute(
                "UPDATE webhook_delivery SET next_attempt_at = ?, delayed = 1 WHERE id = ?",
                (until, delivery_id),
            )

    def record_attempt(self, delivery: sqlite3.Row, attempt: dict, finished_state: str | None) -> None:
        """Log one attempt; ``finished_state`` ends the delivery, otherwise it is rescheduled."""
        with self.db.transaction() as conn:
            conn.execute(
                "INSERT INTO webhook_attempt(delivery_id, attempt, at, url, status, outcome, event_count,"
                " realm_ids, bytes, retry_at) VALUES (:delivery_id, :attempt, :at, :url, :status, :outcome,"
                " :event_count, :realm_ids, :bytes, :retry_at)",
                attempt,
            )
            if finished_state:
                conn.execute(
                    "UPDATE webhook_delivery SET state = ?, finished_at = ?, attempts = ? WHERE id = ?",
                    (finished_state, attempt["at"], attempt["attempt"], delivery["id"]),
                )
            elif attempt["retry_at"] is not None:
                conn.execute(
                    "UPDATE webhook_delivery SET attempts = ?, next_attempt_at = ? WHERE id = ?",
                    (attempt["attempt"], attempt["retry_at"], delivery["id"]),
                )

    def attempts(self, limit: int) -> list[sqlite3.Row]:
        return self.db.conn.execute(
            "SELECT * FROM (SELECT * FROM webhook_attempt ORDER BY id DESC LIMIT ?) ORDER BY id", (limit,)
        ).fetchall()

    def pending(self) -> list[sqlite3.Row]:
        return self.db.conn.execute(
            "SELECT id, attempts, next_attempt_at, event_count, realm_ids, format, length(body) AS bytes"
            " FROM webhook_delivery WHERE state = 'pending' ORDER BY seq"
        ).fetchall()

    def event_counts(self) -> dict[str, int]:
        rows = self.db.conn.execute("SELECT state, COUNT(*) FROM webhook_event GROUP BY state").fetchall()
        return {r[0]: r[1] for r in rows}
