"""Entity persistence: one row per QBO object in the shared ``entity`` table.

A ``Record`` is a document plus the indexed columns derived from it. Name-list entities get
per-type Id sequences; all transaction types of a realm share one sequence (QBO TxnIds are unique
across transaction types). ``txn_link`` records how much of each invoice / credit memo a payment
applies, so balances are always recomputed from the links rather than patched incrementally.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from .db import SandboxDB

SCHEMA = """
CREATE TABLE IF NOT EXISTS id_seq (
    realm TEXT NOT NULL,
    key TEXT NOT NULL,                -- entity type for name lists, 'txn' for transactions
    value INTEGER NOT NULL,
    PRIMARY KEY (realm, key)
);
CREATE TABLE IF NOT EXISTS txn_link (
    realm TEXT NOT NULL,
    source_id INTEGER NOT NULL,       -- the Payment
    target_type TEXT NOT NULL,        -- Invoice | CreditMemo
    target_id INTEGER NOT NULL,
    amount_cents INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS txn_link_source ON txn_link(realm, source_id);
CREATE INDEX IF NOT EXISTS txn_link_target ON txn_link(realm, target_type, target_id);
"""

TXN_SEQUENCE = "txn"
# SQL here is built only from constant fragments and '?' placeholders (hence the S608 noqa);
# every value is a bound parameter.
_COLUMNS = (
    "realm, type, id, sync_token, active, deleted, name, parent_id, customer_id, updated_at, doc, "
    "voided, ar_cents, opening_cents"
)


def dumps(doc: dict) -> str:
    return json.dumps(doc, separators=(",", ":"), ensure_ascii=False)


def db_id(value: str | int) -> int | str:
    """Numeric Ids are stored as integers (numeric order); pseudo Ids such as ``TAX`` as text."""
    text = str(value)
    return int(text) if text.isdigit() else text


@dataclass
class Record:
    realm: str
    type: str
    id: str
    doc: dict
    sync_token: int = 0
    active: bool = True
    deleted: bool = False
    voided: bool = False
    name: str | None = None
    parent_id: str | None = None
    customer_id: str | None = None
    updated_at: str = ""
    ar_cents: int = 0
    opening_cents: int = 0
    extra: dict = field(default_factory=dict)  # per-operation scratch space, never stored

    def copy(self) -> Record:
        return Record(**{**self.__dict__, "doc": json.loads(dumps(self.doc)), "extra": {}})


def _row_to_record(row) -> Record:
    return Record(
        realm=row["realm"],
        type=row["type"],
        id=str(row["id"]),
        doc=json.loads(row["doc"]),
        sync_token=row["sync_token"],
        active=bool(row["active"]),
        deleted=bool(row["deleted"]),
        voided=bool(row["voided"]),
        name=row["name"],
        parent_id=None if row["parent_id"] is None else str(row["parent_id"]),
        customer_id=None if row["customer_id"] is None else str(row["customer_id"]),
        updated_at=row["updated_at"],
        ar_cents=row["ar_cents"],
        opening_cents=row["opening_cents"],
    )


class Store:
    def __init__(self, db: SandboxDB) -> None:
        self.db = db
        db.register_schema(SCHEMA)

    # --- reads ---------------------------------------------------------------------------------

    def get(self, realm: str, type_: str, id_: str | int) -> Record | None:
        row = self.db.conn.execute(
            f"SELECT {_COLUMNS} FROM entity WHERE realm = ? AND type = ? AND id = ?",  # noqa: S608
            (realm, type_, db_id(id_)),
        ).fetchone()
        return _row_to_record(row) if row else None

    def select(self, where: str, params: tuple | list, index: str = "") -> list[Record]:
        # ``index`` pins SQLite's choice: without statistics it may scan a type's whole listing.
        hint = f" INDEXED BY {index}" if index else ""
        rows = self.db.conn.execute(f"SELECT {_COLUMNS} FROM entity{hint} WHERE {where}", params).fetchall()  # noqa: S608
        return [_row_to_record(row) for row in rows]

    def find_name(
        self, realm: str, types: tuple[str, ...], name: str, exclude: tuple[str, str] | None = None
    ) -> Record | None:
        """An object of one of ``types`` whose lower-cased name equals ``name`` (inactive included)."""
        marks = ",".join("?" * len(types))
        rows = self.select(
            f"realm = ? AND name = ? AND type IN ({marks}) AND deleted = 0",
            (realm, name, *types),
            "entity_name",
        )
        for record in rows:
            if exclude and (record.type, record.id) == exclude:
                continue
            return record
        return None

    def children(self, realm: str, type_: str, parent_id: str) -> list[Record]:
        return self.select(
            "realm = ? AND type = ? AND parent_id = ? AND deleted = 0 ORDER BY id",
            (realm, type_, db_id(parent_id)),
            "entity_parent",
        )

    def realm_exists(self, realm: str) -> bool:
        return self.db.conn.execute("SELECT 1 FROM realm WHERE id = ?", (realm,)).fetchone() is not None

    def realms(self) -> list[tuple[str, str]]:
        rows = self.db.conn.execute("SELECT id, company_name FROM realm ORDER BY created_at, id").fetchall()
        return [(row[0], row[1]) for row in rows]

    # --- writes (call inside db.atomic()/transaction()) ----------------------------------------

    def save(self, record: Record) -> None:
        self.db.conn.execute(
            f"INSERT INTO entity ({_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?) "  # noqa: S608
            "ON CONFLICT(realm, type, id) DO UPDATE SET sync_token = excluded.sync_token, "
            "active = excluded.active, deleted = excluded.deleted, name = excluded.name, "
            "parent_id = excluded.parent_id, customer_id = excluded.customer_id, "
            "updated_at = excluded.updated_at, doc = excluded.doc, voided = excluded.voided, "
            "ar_cents = excluded.ar_cents, opening_cents = excluded.opening_cents",
            (
                record.realm,
                record.type,
                db_id(record.id),
                record.sync_token,
                int(record.active),
                int(record.deleted),
                record.name,
                None if record.parent_id is None else db_id(record.parent_id),
                None if record.customer_id is None else db_id(record.customer_id),
                record.updated_at,
                dumps(record.doc),
                int(record.voided),
                record.ar_cents,
                record.opening_cents,
            ),
        )
        self.db.changed()  # again at commit; this one covers a write made outside a transaction

    def next_id(self, realm: str, key: str, types: tuple[str, ...]) -> str:
        """Next Id of a sequence; starts after the highest Id already stored (seed data)."""
        conn = self.db.conn
        row = conn.execute("SELECT value FROM id_seq WHERE realm = ? AND key = ?", (realm, key)).fetchone()
        if row is None:
            marks = ",".join("?" * len(types))
            top = conn.execute(
                f"SELECT MAX(id) FROM entity WHERE realm = ? AND type IN ({marks}) "  # noqa: S608
                "AND typeof(id) = 'integer'",
                (realm, *types),
            ).fetchone()[0]
            value = (top or 0) + 1
            conn.execute("INSERT INTO id_seq(realm, key, value) VALUES (?, ?, ?)", (realm, key, value))
        else:
            value = row[0] + 1
            conn.execute("UPDATE id_seq SET value = ? WHERE realm = ? AND key = ?", (value, realm, key))
        return str(value)

    # --- payment links ---------------------------------------------------------------------------

    def links_from(self, realm: str, source_id: str) -> list[tuple[str, str, int]]:
        rows = self.db.conn.execute(
            "SELECT target_type, target_id, amount_cents FROM txn_link WHERE realm = ? AND source_id = ?",
            (realm, db_id(source_id)),
        ).fetchall()
        return [(row[0], str(row[1]), row[2]) for row in rows]

    def links_to(self, realm: str, target_type: str, target_id: str) -> list[tuple[str, int]]:
        rows = self.db.conn.execute(
            "SELECT source_id, amount_cents FROM txn_link WHERE realm = ? AND target_type = ? "
            "AND target_id = ? ORDER BY source_id",
            (realm, target_type, db_id(target_id)),
        ).fetchall()
        return [(str(row[0]), row[1]) for row in rows]

    def replace_links(self, realm: str, source_id: str, links: list[tuple[str, str, int]]) -> None:
        conn = self.db.conn
        conn.execute("DELETE FROM txn_link WHERE realm = ? AND source_id = ?", (realm, db_id(source_id)))
        conn.executemany(
            "INSERT INTO txn_link(realm, source_id, target_type, target_id, amount_cents) VALUES (?,?,?,?,?)",
            [(realm, db_id(source_id), t, db_id(i), c) for t, i, c in links],
        )

    def wipe_realm(self, realm: str) -> None:
        conn = self.db.conn
        for table in ("entity", "id_seq", "txn_link"):
            conn.execute(f"DELETE FROM {table} WHERE realm = ?", (realm,))  # noqa: S608
        self.db.changed()
