"""The sandbox's own storage: one SQLite file, never the product's database.

Every module of the sandbox that keeps state registers its tables here (``SCHEMA`` strings run with
``CREATE TABLE IF NOT EXISTS``), so ``--data var/qbo_sandbox.sqlite3`` survives a restart. Each
thread gets its own connection (SQLite connections are not shareable across threads); writes go
through ``transaction()``, which takes SQLite's write lock up front (``BEGIN IMMEDIATE``) so a
multi-statement change (a payment and the invoices it pays) is all-or-nothing.
"""

from __future__ import annotations

import itertools
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .pagehint import PageHints

# Tables shared by several sandbox modules. A module's private tables live in that module.
BASE_SCHEMA = """
CREATE TABLE IF NOT EXISTS realm (
    id TEXT PRIMARY KEY,              -- the realmId / company id, digits
    company_name TEXT NOT NULL,
    created_at TEXT NOT NULL          -- ISO-8601 UTC
);
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
-- Every QBO object of every realm, as the JSON document the API returns (without the wrapper key).
-- Hard-deleted transactions keep their row with deleted = 1 so CDC can report the tombstone.
CREATE TABLE IF NOT EXISTS entity (
    realm TEXT NOT NULL REFERENCES realm(id) ON DELETE CASCADE,
    type TEXT NOT NULL,               -- canonical QBO name: Customer, Invoice, SalesReceipt, ...
    id INTEGER NOT NULL,              -- QBO Id (digits); transactions share one sequence per realm
    sync_token INTEGER NOT NULL DEFAULT 0,
    active INTEGER NOT NULL DEFAULT 1,
    deleted INTEGER NOT NULL DEFAULT 0,
    name TEXT,                        -- DisplayName / Name, for uniqueness checks (lower-cased, trimmed)
    parent_id INTEGER,                -- ParentRef for customers / items
    customer_id INTEGER,              -- CustomerRef for transactions
    updated_at TEXT NOT NULL,         -- MetaData.LastUpdatedTime as ISO-8601 UTC (sortable)
    doc TEXT NOT NULL,                -- the JSON document
    voided INTEGER NOT NULL DEFAULT 0,        -- voided transaction (amounts zeroed, still queryable)
    ar_cents INTEGER NOT NULL DEFAULT 0,      -- transaction's effect on its customer's A/R balance
    opening_cents INTEGER NOT NULL DEFAULT 0, -- customer's opening balance (write-on-create)
    PRIMARY KEY (realm, type, id)
);
CREATE INDEX IF NOT EXISTS entity_updated ON entity(realm, updated_at);
CREATE INDEX IF NOT EXISTS entity_name ON entity(realm, name);
CREATE INDEX IF NOT EXISTS entity_customer ON entity(realm, type, customer_id);
CREATE INDEX IF NOT EXISTS entity_type_updated ON entity(realm, type, updated_at, id);
CREATE INDEX IF NOT EXISTS entity_listing ON entity(realm, type, deleted, active, id);
CREATE INDEX IF NOT EXISTS entity_txn_listing ON entity(realm, type, deleted, id);
CREATE INDEX IF NOT EXISTS entity_ar ON entity(realm, customer_id, deleted);
CREATE INDEX IF NOT EXISTS entity_parent ON entity(realm, type, parent_id);
"""


class SandboxDB:
    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._schemas: list[str] = []
        # Bumped after every committed write: read it before a query to know whether what the
        # query saw may have changed since (query page hints rely on it).
        self._generations = itertools.count(1)
        self.generation = 0
        self.page_hints = PageHints()
        self.register_schema(BASE_SCHEMA)

    def register_schema(self, sql: str) -> None:
        """Create a module's tables (idempotent) and remember them for ``reset``."""
        self._schemas.append(sql)
        # executescript() would commit mid-way; run statement by statement inside one transaction.
        with self.transaction() as conn:
            for statement in _split(sql):
                conn.execute(statement)

    @property
    def conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
            self._local.conn = conn
        return conn

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction; nested calls join the outer one."""
        conn = self.conn
        depth = getattr(self._local, "depth", 0)
        if depth:
            self._local.depth = depth + 1
            try:
                yield conn
            finally:
                self._local.depth = depth
            return
        conn.execute("BEGIN IMMEDIATE")
        self._local.depth = 1
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        else:
            conn.execute("COMMIT")
            self.changed()
        finally:
            self._local.depth = 0

    def changed(self) -> None:
        """Note a committed write (``next`` on a count is atomic under the GIL)."""
        self.generation = next(self._generations)

    @contextmanager
    def atomic(self) -> Iterator[sqlite3.Connection]:
        """All-or-nothing block: a transaction, or a savepoint inside an open one.

        A failing batch item or a rejected write inside a request's transaction rolls back only
        its own changes (the request's requestid row and the other batch items survive).
        """
        depth = getattr(self._local, "depth", 0)
        if not depth:
            with self.transaction() as conn:
                yield conn
            return
        conn = self.conn
        name = f"sp{depth}"
        conn.execute(f"SAVEPOINT {name}")
        self._local.depth = depth + 1
        try:
            yield conn
        except BaseException:
            conn.execute(f"ROLLBACK TO {name}")
            conn.execute(f"RELEASE {name}")
            raise
        else:
            conn.execute(f"RELEASE {name}")
        finally:
            self._local.depth = depth

    @property
    def in_transaction(self) -> bool:
        return bool(getattr(self._local, "depth", 0))

    def get_meta(self, key: str, default: str | None = None) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    def set_meta(self, key: str, value: str) -> None:
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO meta(key, value) VALUES(?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, value),
            )


def _split(sql: str) -> list[str]:
    """Split a schema script into statements (schemas hold no semicolons inside literals)."""
    lines = [line.split("--", 1)[0] for line in sql.splitlines()]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]
