"""``?requestid=`` idempotency (§4.9): a repeated request gets the first answer, byte for byte.

The first processed answer (2xx and 4xx, but never 401 / 429 / 5xx) is stored in the same
transaction as the write it describes, and the lookup runs under SQLite's write lock, so two
identical requests arriving together can never both create: the second waits, then replays.
The same id on a different method / path / operation answers 600.
"""

from __future__ import annotations

import re

from . import faults
from .clock import SandboxClock
from .config import SandboxConfig
from .db import SandboxDB

SCHEMA = """
CREATE TABLE IF NOT EXISTS request_id (
    realm TEXT NOT NULL,
    request_id TEXT NOT NULL,
    signature TEXT NOT NULL,          -- METHOD path?operation=..
    status INTEGER NOT NULL,
    content_type TEXT NOT NULL,
    body BLOB NOT NULL,
    created_at REAL NOT NULL,         -- sandbox timestamp
    PRIMARY KEY (realm, request_id)
);
CREATE INDEX IF NOT EXISTS request_id_created ON request_id(created_at);
"""
_FORMAT = re.compile(r"^[\x21-\x7e]{1,50}$")  # printable ASCII, no spaces, at most 50 characters


class StoredResponse:
    def __init__(self, status: int, content_type: str, body: bytes) -> None:
        self.status, self.content_type, self.body = status, content_type, body


class RequestIds:
    def __init__(self, db: SandboxDB, clock: SandboxClock, config: SandboxConfig) -> None:
        self.db, self.clock, self.config = db, clock, config
        db.register_schema(SCHEMA)

    @staticmethod
    def validate(request_id: str) -> None:
        if not _FORMAT.match(request_id):
            raise faults.bad_request_id(request_id)

    @staticmethod
    def storable(status: int) -> bool:
        return status < 500 and status not in (401, 403, 429)

    def lookup(self, realm: str, request_id: str, signature: str) -> StoredResponse | None:
        """The stored answer, or None; 600 when the id was used for another request.
        Call inside the request's write transaction."""
        conn = self.db.conn
        cutoff = self.clock.timestamp() - self.config.requestid_retention_seconds
        conn.execute("DELETE FROM request_id WHERE created_at < ?", (cutoff,))
        row = conn.execute(
            "SELECT signature, status, content_type, body FROM request_id WHERE realm = ? AND request_id = ?",
            (realm, request_id),
        ).fetchone()
        if row is None:
            return None
        if row[0] != signature:
            raise faults.duplicate_request_id(request_id)
        return StoredResponse(row[1], row[2], bytes(row[3]))

    def store(self, realm: str, request_id: str, signature: str, status: int, content_type: str, body: bytes):
        self.db.conn.execute(
            "INSERT OR REPLACE INTO request_id VALUES (?, ?, ?, ?, ?, ?, ?)",
            (realm, request_id, signature, status, content_type, body, self.clock.timestamp()),
        )

    def forget_realm(self, realm: str) -> None:
        self.db.conn.execute("DELETE FROM request_id WHERE realm = ?", (realm,))
