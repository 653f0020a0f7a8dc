"""A read-only HTML view of the sandbox's companies, for people checking what a sync did.

``/`` lists realms; ``/realms/<realm>/`` shows customers as a sub-customer tree with balances,
``/realms/<realm>/customers/<id>`` one customer and its transactions, ``/realms/<realm>/transactions``
the latest transactions with totals. Plain server-rendered HTML; every value is escaped.
"""

from __future__ import annotations

import json
from html import escape

from werkzeug.routing import Rule
from werkzeug.wrappers import Request, Response

from .entities.registry import TRANSACTION_TYPES
from .store import db_id

STYLE = (
    "body{font:14px system-ui,sans-serif;margin:2rem;color:#1f2328}table{border-collapse:collapse}"
    "td,th{padding:.25rem .6rem;border-bottom:1px solid #ddd;text-align:left}td.n{text-align:right}"
    ".inactive{color:#888}a{color:#0b63c5}nav a{margin-right:1rem}"
)
TXN_LIMIT = 500
# SQL here is built only from constant fragments and '?' placeholders (hence the S608 noqa);
# every value is a bound parameter.
TXN_MARKS = ",".join("?" * len(TRANSACTION_TYPES))


def esc(value: object) -> str:
    return escape("" if value is None else str(value), quote=True)


def money(value: object) -> str:
    try:
        return f"{float(value):,.2f}"
    except (TypeError, ValueError):
        return ""


def link(href: str, text: object) -> str:
    return f'<a href="{esc(href)}">{esc(text)}</a>'


def table(headings: list[str], rows: list[str]) -> str:
    head = "".join(f"<th>{esc(h)}</th>" for h in headings)
    return f"<table><tr>{head}</tr>{''.join(rows)}</table>"


def row(*cells: str, css: str = "") -> str:
    """``cells`` are already-safe HTML; numbers are right-aligned by the caller's ``<td class=n>``."""
    attr = f' class="{css}"' if css else ""
    return f"<tr{attr}>{''.join(cells)}</tr>"


def td(html: str, numeric: bool = False) -> str:
    return f"<td class=n>{html}</td>" if numeric else f"<td>{html}</td>"


def page(title: str, body: str, realm: str | None = None) -> Response:
    nav = link("/", "Companies")
    if realm:
        nav += link(f"/realms/{realm}/", "Customers") + link(f"/realms/{realm}/transactions", "Transactions")
    html = (
        f"<!doctype html><html><head><meta charset=utf-8><title>{esc(title)} · QBO sandbox</title>"
        f"<style>{STYLE}</style></head><body><nav>{nav}</nav><h1>{esc(title)}</h1>{body}</body></html>"
    )
    return Response(html, content_type="text/html; charset=utf-8")


def transactions_table(records: list, realm: str) -> str:
    rows = []
    for record in records:
        doc = json.loads(record["doc"])
        customer = doc.get("CustomerRef") or {}
        who = (
            link(f"/realms/{realm}/customers/{customer.get('value')}", customer.get("name"))
            if customer
            else ""
        )
        state = "deleted" if record["deleted"] else "voided" if record["voided"] else ""
        open_amount = doc.get("Balance", doc.get("UnappliedAmt"))
        rows.append(
            row(
                td(esc(record["type"])),
                td(esc(doc.get("Id"))),
                td(esc(doc.get("DocNumber"))),
                td(esc(doc.get("TxnDate"))),
                td(who),
                td(money(doc.get("TotalAmt")), True),
                td(money(open_amount), True),
                td(state),
            )
        )
    return table(["Type", "Id", "No.", "Date", "Customer", "Total", "Open", ""], rows)


def rules(app) -> list[Rule]:
    def query(sql: str, params: tuple) -> list:
        return app.store.db.conn.execute(sql, params).fetchall()

    def realms(request: Request) -> Response:
        items = "".join(
            f"<li>{link(f'/realms/{rid}/', name)} ({esc(rid)})</li>" for rid, name in app.store.realms()
        )
        return page("Sandbox companies", f"<ul>{items}</ul>")

    def customers(request: Request, realm: str) -> Response:
        records = query(
            "SELECT id, parent_id, active, doc FROM entity WHERE realm = ? AND type = 'Customer' "
            "AND deleted = 0 ORDER BY name LIMIT 5000",
            (realm,),
        )
        by_parent: dict = {}
        for record in records:
            by_parent.setdefault(record["parent_id"], []).append(record)
        out: list[str] = []

        def walk(parent, depth: int) -> None:
            for record in by_parent.get(parent, []):
                doc = json.loads(record["doc"])
                name = link(f"/realms/{realm}/customers/{record['id']}", doc.get("DisplayName"))
                indent = f"<td style='padding-left:{0.6 + depth * 1.5}rem'>{name}</td>"
                out.append(
                    row(
                        indent,
                        td(esc(record["id"])),
                        td(money(doc.get("Balance")), True),
                        td(money(doc.get("BalanceWithJobs")), True),
                        td("" if record["active"] else "inactive"),
                        css="" if record["active"] else "inactive",
                    )
                )
                walk(record["id"], depth + 1)

        walk(None, 0)
        body = table(["Customer", "Id", "Balance", "With sub-customers", ""], out)
        return page(f"Customers of {realm}", body, realm)

    def customer(request: Request, realm: str, customer_id: str) -> Response:
        record = app.store.get(realm, "Customer", customer_id)
        if record is None:
            return page("Not found", "<p>No such customer.</p>", realm)
        doc = record.doc
        keys = ("Id", "DisplayName", "FullyQualifiedName", "CompanyName", "Active", "SyncToken", "Balance")
        facts = "".join(f"<tr><th>{esc(k)}</th><td>{esc(doc.get(k))}</td></tr>" for k in keys)
        facts += f"<tr><th>BalanceWithJobs</th><td>{money(doc.get('BalanceWithJobs'))}</td></tr>"
        txns = query(
            f"SELECT type, doc, voided, deleted FROM entity WHERE realm = ? AND customer_id = ? "  # noqa: S608
            f"AND type IN ({TXN_MARKS}) ORDER BY id DESC LIMIT ?",  # placeholders only
            (realm, db_id(customer_id), *TRANSACTION_TYPES, TXN_LIMIT),
        )
        body = f"<table>{facts}</table><h2>Transactions</h2>{transactions_table(txns, realm)}"
        return page(doc.get("DisplayName", customer_id), body, realm)

    def transactions(request: Request, realm: str) -> Response:
        txns = query(
            f"SELECT type, doc, voided, deleted FROM entity WHERE realm = ? AND type IN ({TXN_MARKS}) "  # noqa: S608
            "ORDER BY id DESC LIMIT ?",
            (realm, *TRANSACTION_TYPES, TXN_LIMIT),
        )
        totals = query(
            "SELECT type, COUNT(*), SUM(json_extract(doc, '$.TotalAmt')), SUM(ar_cents) FROM entity "  # noqa: S608
            f"WHERE realm = ? AND deleted = 0 AND type IN ({TXN_MARKS}) GROUP BY type",
            (realm, *TRANSACTION_TYPES),
        )
        summary = [
            row(td(esc(t[0])), td(esc(t[1]), True), td(money(t[2]), True), td(money((t[3] or 0) / 100), True))
            for t in totals
        ]
        body = (
            table(["Type", "Count", "Total", "A/R effect"], summary)
            + f"<h2>Latest {TXN_LIMIT}</h2>"
            + transactions_table(txns, realm)
        )
        return page(f"Transactions of {realm}", body, realm)

    return [
        Rule("/", endpoint=realms, methods=["GET"]),
        Rule("/realms/<realm>/", endpoint=customers, methods=["GET"]),
        Rule("/realms/<realm>/customers", endpoint=customers, methods=["GET"]),
        Rule("/realms/<realm>/customers/<customer_id>", endpoint=customer, methods=["GET"]),
        Rule("/realms/<realm>/transactions", endpoint=transactions, methods=["GET"]),
    ]
