"""Ordering, projection, and SQL pushdown giving the same rows as in-memory matching."""

from __future__ import annotations

import json
import random
import sqlite3
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from integrations.qbo_sandbox.query import (
    matches,
    project,
    sort_documents,
    sql_pushdown,
)
from tests.integrations.qbo_sandbox.query_helpers import CUSTOMERS_BY_TIME, q, select


def test_default_order_is_numeric_id():
    docs = [{"Id": str(n)} for n in (10, 2, 33, 1)]
    assert [d["Id"] for d in sort_documents(q("SELECT * FROM Invoice"), docs)] == ["1", "2", "10", "33"]


def test_order_by_fields_directions_and_ties():
    docs = [
        {"Id": "4", "DisplayName": "bravo", "Balance": 5},
        {"Id": "3", "DisplayName": "Alpha", "Balance": 5},
        {"Id": "12", "DisplayName": "alpha", "Balance": 100},
        {"Id": "1", "Balance": 20},
    ]
    assert select("SELECT * FROM Customer ORDER BY DisplayName", docs) == ["1", "3", "12", "4"]
    assert select("SELECT * FROM Customer ORDERBY DisplayName DESC", docs) == ["4", "3", "12", "1"]
    assert select("SELECT * FROM Customer ORDERBY Balance DESC, DisplayName", docs) == ["12", "1", "3", "4"]
    assert select("SELECT * FROM Customer ORDER BY Balance ASC, DisplayName DESC", docs) == [
        "4",
        "3",
        "1",
        "12",
    ]


def test_order_by_instants_refs_and_dates():
    assert select("SELECT * FROM Customer ORDER BY MetaData.LastUpdatedTime DESC", CUSTOMERS_BY_TIME) == [
        "2",
        "1",
        "3",
        "4",
    ]
    refs = [{"Id": "1", "CustomerRef": {"value": "10"}}, {"Id": "2", "CustomerRef": {"value": "9"}}]
    assert select("SELECT * FROM Invoice ORDER BY CustomerRef", refs) == ["2", "1"]
    tax = [{"Id": "TAX"}, {"Id": "3"}, {"Id": "NON"}, {"Id": "20"}]
    assert [d["Id"] for d in sort_documents(q("SELECT * FROM TaxCode"), tax)] == ["3", "20", "NON", "TAX"]


# --- projection ----------------------------------------------------------------------------------

CUSTOMER_DOC = {
    "Id": "67",
    "SyncToken": "0",
    "DisplayName": "King's Groceries",
    "GivenName": "James",
    "Active": True,
    "MetaData": {"CreateTime": "2015-07-23T10:58:12-07:00", "LastUpdatedTime": "2015-07-23T10:58:12-07:00"},
    "sparse": False,
}


def test_star_returns_the_whole_document():
    assert project(q("SELECT * FROM Customer"), CUSTOMER_DOC) == CUSTOMER_DOC
    assert project(q("SELECT *, Sku FROM Item"), {"Id": "1", "Sku": "S"}) == {"Id": "1", "Sku": "S"}


def test_field_list_returns_only_those_plus_id_marked_sparse():
    query = q("SELECT displayname, Metadata.LastUpdatedTime, CompanyName FROM Customer")
    assert project(query, CUSTOMER_DOC) == {
        "Id": "67",
        "DisplayName": "King's Groceries",
        "MetaData": {"LastUpdatedTime": "2015-07-23T10:58:12-07:00"},
        "sparse": True,
    }
    assert CUSTOMER_DOC["sparse"] is False


# --- SQL pushdown --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("SELECT * FROM Customer", ("active = 1", [])),
        ("SELECT * FROM Invoice", None),
        ("SELECT * FROM Invoice WHERE TotalAmt > 5 AND DocNumber LIKE '1%'", None),
        ("SELECT * FROM Customer WHERE Active = false", ("active = ?", [0])),
        ("SELECT * FROM Customer WHERE Active IN (true, false)", ("active IN (?, ?)", [1, 0])),
        ("SELECT * FROM Invoice WHERE Id = '12'", ("id = ?", [12])),
        ("SELECT * FROM Invoice WHERE Id IN ('1', 2)", ("id IN (?, ?)", [1, 2])),
        ("SELECT * FROM TaxCode WHERE Id = 'TAX'", ("active = 1", [])),
        (
            "SELECT * FROM Customer WHERE DisplayName = ' King\\'s ' AND Active = true",
            ("name = ? AND active = ?", ["king's", 1]),
        ),
        ("SELECT * FROM Item WHERE Name IN ('A', 'b')", ("active = 1 AND name IN (?, ?)", ["a", "b"])),
        ("SELECT * FROM Customer WHERE CompanyName = 'x'", ("active = 1", [])),
        ("SELECT * FROM Invoice WHERE CustomerRef = '100'", ("customer_id = ?", [100])),
        ("SELECT * FROM Payment WHERE CustomerRef IN ('1', '2')", ("customer_id IN (?, ?)", [1, 2])),
        ("SELECT * FROM Customer WHERE ParentRef = '58'", ("active = 1 AND parent_id = ?", [58])),
        ("SELECT * FROM Account WHERE ParentRef = '58'", ("active = 1", [])),
        (
            "SELECT * FROM Invoice WHERE MetaData.LastUpdatedTime > '2015-07-23T10:58:12-07:00'",
            ("updated_at >= ?", ["2015-07-23T17:58:12"]),
        ),
        (
            "SELECT * FROM Invoice WHERE MetaData.LastUpdatedTime <= '2015-07-23T10:58:12.25-07:00'",
            ("updated_at < ?", ["2015-07-23T17:58:14"]),
        ),
        (
            "SELECT * FROM Invoice WHERE MetaData.LastUpdatedTime = '2015-07-23'",
            ("updated_at >= ? AND updated_at < ?", ["2015-07-23T07:00:00", "2015-07-23T07:00:01"]),
        ),
        ("SELECT * FROM Invoice WHERE MetaData.LastUpdatedTime != '2015-07-23'", None),
        ("SELECT * FROM Invoice WHERE MetaData.CreateTime > '2015-07-23'", None),
    ],
)
def test_pushdown_fragments(sql, expected):
    assert sql_pushdown(q(sql)) == expected


NAMES = ["Alpha", "alpha ", "Beta", "O'Brien", "Gamma Co", "ALPHA", " beta"]
COMPANY_TZ = ZoneInfo("America/Los_Angeles")
OFFSETS = [timezone(timedelta(hours=-7)), timezone(timedelta(hours=-8)), UTC]


def _random_docs(rng: random.Random) -> list[tuple[str, dict]]:
    base = datetime(2015, 7, 23, 12, 0, 0, tzinfo=UTC)
    docs = []
    for n in range(1, 61):
        stamp = (base + timedelta(seconds=rng.randint(-7200, 7200))).astimezone(rng.choice(OFFSETS))
        meta = {"CreateTime": stamp.isoformat(), "LastUpdatedTime": stamp.isoformat()}
        customer = {
            "Id": str(n),
            "DisplayName": rng.choice(NAMES),
            "MetaData": meta,
            "Balance": rng.randint(0, 50),
        }
        if rng.random() < 0.8:
            customer["Active"] = rng.random() < 0.7
        if rng.random() < 0.3:
            customer["ParentRef"] = {"value": str(rng.randint(1, 5))}
        docs.append(("Customer", customer))
        invoice = {"Id": str(100 + n), "MetaData": meta, "TotalAmt": rng.randint(0, 50)}
        if rng.random() < 0.9:
            invoice["CustomerRef"] = {"value": str(rng.randint(1, 8)), "name": "x"}
        docs.append(("Invoice", invoice))
    return docs


def _row(entity: str, doc: dict) -> tuple:
    """The columns the server stores, computed the way sql_pushdown's docstring requires."""
    updated = datetime.fromisoformat(doc["MetaData"]["LastUpdatedTime"]).astimezone(UTC)
    suffix = ["Z", "+00:00", ".000000+00:00"][int(doc["Id"]) % 3]
    name = doc.get("DisplayName")
    return (
        entity,
        int(doc["Id"]),
        0 if doc.get("Active") is False else 1,
        name.strip().lower() if isinstance(name, str) else None,
        int(doc["ParentRef"]["value"]) if "ParentRef" in doc else None,
        int(doc["CustomerRef"]["value"]) if "CustomerRef" in doc else None,
        updated.strftime("%Y-%m-%dT%H:%M:%S") + suffix,
        json.dumps(doc),
    )


def _random_where(rng: random.Random, entity: str, doc_times: list[datetime]) -> str:
    def stamp() -> str:
        # Often exactly at, or a fraction of a second around, a stored time: the bounds' edge cases.
        moment = rng.choice(doc_times) + timedelta(microseconds=rng.choice([0, 0, -250000, 250000, 999000]))
        moment = moment.astimezone(rng.choice(OFFSETS))
        text = rng.choice(
            [
                moment.isoformat(),
                moment.astimezone(COMPANY_TZ).strftime("%Y-%m-%dT%H:%M:%S"),  # naive = company time
                moment.astimezone(COMPANY_TZ).strftime("%Y-%m-%dT%H:%M:%S.%f"),
                moment.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + moment.strftime("%z")[:3] + ":00",
                moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                moment.strftime("%Y-%m-%d"),
            ]
        )
        return f"'{text}'"

    def name() -> str:
        return "'" + rng.choice([*NAMES, "zeta", "ALPHA  "]).replace("'", "\\'") + "'"

    def ident() -> str:
        return rng.choice(
            [str(rng.randint(1, 9)), f"'{rng.randint(1, 9)}'", f"'0{rng.randint(1, 9)}'", "'7.0'"]
        )

    pieces = [
        lambda: f"MetaData.LastUpdatedTime {rng.choice(['=', '<', '>', '<=', '>=', '!='])} {stamp()}",
        lambda: f"MetaData.CreateTime {rng.choice(['<', '>='])} {stamp()}",
    ]
    if entity == "Customer":
        pieces += [
            lambda: rng.choice([f"Id = {ident()}", f"Id IN ({ident()}, {ident()})"]),
            lambda: "Active = " + rng.choice(["true", "False", "'TRUE'", "0"]),
            lambda: "Active IN (true, false)",
            lambda: f"DisplayName = {name()}",
            lambda: f"DisplayName IN ({name()}, {name()})",
            lambda: f"DisplayName LIKE '{rng.choice(['al%', '%a', '%et%'])}'",
            lambda: rng.choice([f"ParentRef = {ident()}", f"ParentRef IN ({ident()})"]),
            lambda: f"Balance {rng.choice(['<', '>', '='])} {rng.randint(0, 50)}",
        ]
    else:
        pieces += [
            lambda: f"Id = '{100 + rng.randint(1, 60)}'",
            lambda: f"CustomerRef = {ident()}",
            lambda: f"CustomerRef IN ({ident()}, {ident()})",
            lambda: f"TotalAmt >= {rng.randint(0, 50)}",
        ]
    chosen = [rng.choice(pieces)() for _ in range(rng.randint(0, 3))]
    return f" WHERE {' AND '.join(chosen)}" if chosen else ""


def test_pushdown_then_matches_equals_matches_alone():
    rng = random.Random(20150723)
    docs = _random_docs(rng)
    doc_times = [datetime.fromisoformat(d["MetaData"]["LastUpdatedTime"]) for _, d in docs]
    db = sqlite3.connect(":memory:")
    db.execute(
        "CREATE TABLE entity (type TEXT, id INTEGER, active INTEGER, name TEXT, parent_id INTEGER,"
        " customer_id INTEGER, updated_at TEXT, doc TEXT)"
    )
    db.executemany("INSERT INTO entity VALUES (?, ?, ?, ?, ?, ?, ?, ?)", [_row(e, d) for e, d in docs])
    pushed = narrowed = 0
    for _ in range(600):
        entity = rng.choice(["Customer", "Invoice"])
        query = q(f"SELECT * FROM {entity}{_random_where(rng, entity, doc_times)}")
        expected = sorted(int(d["Id"]) for e, d in docs if e == entity and matches(query, d))
        fragment = sql_pushdown(query)
        where, params = ("type = ?", [entity])
        if fragment is not None:
            pushed += 1
            where, params = f"{where} AND ({fragment[0]})", [*params, *fragment[1]]
        rows = db.execute(f"SELECT doc FROM entity WHERE {where}", params).fetchall()
        narrowed += len(rows) < sum(1 for e, _ in docs if e == entity)
        got = sorted(int(d["Id"]) for d in (json.loads(r[0]) for r in rows) if matches(query, d))
        assert got == expected, (query, fragment)
    assert pushed > 300 and narrowed > 200  # the fragments really do the narrowing
