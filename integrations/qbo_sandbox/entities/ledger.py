"""Balances that follow from transactions: customer A/R, invoice / credit-memo open amounts, stock.

Every figure is recomputed from stored facts (``ar_cents`` per transaction, ``txn_link`` rows per
payment application, the lines of non-voided sales forms) rather than patched, so deleting or
voiding anything restores the previous state exactly.
"""

from __future__ import annotations

from decimal import Decimal

from ..store import db_id
from ..timefmt import emit, money
from .context import Ctx

CUSTOMER_TYPES = ("Customer",)


def _cents_to_json(cents: int):
    return emit(money(Decimal(cents) / 100))


def own_balance_cents(ctx: Ctx, customer_id: str) -> int:
    conn = ctx.store.db.conn
    row = conn.execute(
        "SELECT COALESCE(SUM(ar_cents), 0) FROM entity INDEXED BY entity_ar "
        "WHERE realm = ? AND customer_id = ? AND deleted = 0 AND type != 'Customer'",
        (ctx.realm, db_id(customer_id)),
    ).fetchone()
    opening = conn.execute(
        "SELECT opening_cents FROM entity WHERE realm = ? AND type = 'Customer' AND id = ?",
        (ctx.realm, db_id(customer_id)),
    ).fetchone()
    return row[0] + (opening[0] if opening else 0)


def subtree_balance_cents(ctx: Ctx, customer_id: str) -> int:
    """Own balance plus every descendant's (BalanceWithJobs)."""
    row = ctx.store.db.conn.execute(
        """
        WITH RECURSIVE tree(id) AS (
            SELECT ? UNION
            SELECT e.id FROM entity e INDEXED BY entity_parent JOIN tree ON e.parent_id = tree.id
            WHERE e.realm = ? AND e.type = 'Customer' AND e.deleted = 0
        )
        SELECT COALESCE((SELECT SUM(opening_cents) FROM entity WHERE realm = ? AND type = 'Customer'
                         AND id IN (SELECT id FROM tree)), 0)
             + COALESCE((SELECT SUM(ar_cents) FROM entity INDEXED BY entity_ar
                         WHERE realm = ? AND deleted = 0 AND type != 'Customer'
                         AND customer_id IN (SELECT id FROM tree)), 0)
        """,
        (db_id(customer_id), ctx.realm, ctx.realm, ctx.realm),
    ).fetchone()
    return row[0]


def refresh_customer(ctx: Ctx, customer_id: str | None) -> None:
    """Recompute Balance / BalanceWithJobs of a customer and all its ancestors.

    Balance changes do not bump the customer's SyncToken or LastUpdatedTime (spec §3.1 [EMU]).
    """
    seen: set[str] = set()
    while customer_id and customer_id not in seen:
        seen.add(customer_id)
        record = ctx.store.get(ctx.realm, "Customer", customer_id)
        if record is None:
            return
        balance = _cents_to_json(own_balance_cents(ctx, customer_id))
        with_jobs = _cents_to_json(subtree_balance_cents(ctx, customer_id))
        if record.doc.get("Balance") != balance or record.doc.get("BalanceWithJobs") != with_jobs:
            record.doc["Balance"] = balance
            record.doc["BalanceWithJobs"] = with_jobs
            ctx.store.save(record)
        customer_id = record.parent_id


def refresh_target(ctx: Ctx, type_: str, target_id: str) -> None:
    """Recompute an invoice's / credit memo's open amount and LinkedTxn from its payment links."""
    record = ctx.store.get(ctx.realm, type_, target_id)
    if record is None or record.deleted:
        return
    links = ctx.store.links_to(ctx.realm, type_, target_id)
    doc = record.doc
    applied = sum(cents for _, cents in links)
    total = money(doc.get("TotalAmt", 0)) - money(doc.get("Deposit", 0))
    remaining = Decimal(0) if record.voided else total - Decimal(applied) / 100
    remaining = money(remaining)
    before = (doc.get("Balance"), doc.get("LinkedTxn"), doc.get("RemainingCredit"))
    doc["Balance"] = emit(remaining)
    doc["LinkedTxn"] = [{"TxnId": source, "TxnType": "Payment"} for source, _ in links]
    if type_ == "CreditMemo":
        doc["RemainingCredit"] = emit(remaining)
        record.ar_cents = -int(remaining * 100)
    else:
        record.ar_cents = int(remaining * 100)
    if before == (doc.get("Balance"), doc.get("LinkedTxn"), doc.get("RemainingCredit")):
        ctx.store.save(record)
        return
    if ctx.config.bump_synctoken_on_linked_change:
        ctx.touch(record)
    else:
        ctx.stamp(record, created=False)
        ctx.store.save(record)
        ctx.event(record, "Update")


def applied_cents(ctx: Ctx, type_: str, target_id: str, exclude_source: str | None = None) -> int:
    return sum(
        cents for source, cents in ctx.store.links_to(ctx.realm, type_, target_id) if source != exclude_source
    )


# --- inventory -------------------------------------------------------------------------------------


def inventory_moves(ctx: Ctx, doc: dict | None, sign: int) -> dict[str, Decimal]:
    """Quantity change per tracked inventory item caused by a sales form's lines."""
    moves: dict[str, Decimal] = {}
    if not doc or not ctx.config.inventory_tracking:
        return moves
    for line in doc.get("Line") or []:
        detail = line.get("SalesItemLineDetail") or {}
        item_id = str((detail.get("ItemRef") or {}).get("value", ""))
        qty = detail.get("Qty")
        if not item_id or not qty:
            continue
        item = ctx.store.get(ctx.realm, "Item", item_id)
        if item is None or item.doc.get("Type") != "Inventory" or not item.doc.get("TrackQtyOnHand"):
            continue
        moves[item_id] = moves.get(item_id, Decimal(0)) + sign * Decimal(str(qty))
    return moves


def apply_inventory(ctx: Ctx, before: dict[str, Decimal], after: dict[str, Decimal]) -> None:
    """Move QtyOnHand by (after − before); no SyncToken bump (stock moves are not item edits)."""
    for item_id in set(before) | set(after):
        delta = after.get(item_id, Decimal(0)) - before.get(item_id, Decimal(0))
        if not delta:
            continue
        item = ctx.store.get(ctx.realm, "Item", item_id)
        if item is None:
            continue
        qty = Decimal(str(item.doc.get("QtyOnHand", 0))) + delta
        item.doc["QtyOnHand"] = emit(qty.normalize() if qty == qty.to_integral_value() else qty)
        ctx.store.save(item)
