"""Reading QuickBooks documents (plain JSON) into the store's terms: pure functions, no database.

The initial import and the pull both bring QuickBooks' invoices, receipts, payments, credit memos
and refunds in; both read them here, so a line, a payment's invoice links or a payment method mean
the same thing whichever way the document arrived.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
ITEM_KINDS = {"Inventory": "inventory", "NonInventory": "non_inventory", "Service": "service"}


def money(value, default: str = "0") -> Decimal:
    try:
        return Decimal(str(value if value not in (None, "") else default)).quantize(CENT)
    except InvalidOperation:
        return Decimal(default)


def ref(doc: dict, key: str) -> str:
    """The id a ``…Ref`` points at ("" when absent)."""
    return str((doc.get(key) or {}).get("value") or "")


def day(text, default: date | None = None) -> date | None:
    try:
        return date.fromisoformat(str(text)[:10])
    except ValueError:
        return default


def voided(doc: dict) -> bool:
    """QuickBooks keeps a voided document with a zero total and "Voided" in its private note."""
    return str(doc.get("PrivateNote", "")).startswith("Voided") and money(doc.get("TotalAmt")) == 0


def tax_code_ref(doc: dict) -> str:
    return str(((doc.get("TxnTaxDetail") or {}).get("TxnTaxCodeRef") or {}).get("value") or "")


@dataclass(frozen=True)
class QBOLine:
    item_ref: str
    description: str
    quantity: Decimal
    unit_price: Decimal
    amount: Decimal
    taxable: bool


def item_lines(doc: dict) -> list[QBOLine]:
    """The item lines of a sales form (subtotal, discount and tax lines are QuickBooks' own sums)."""
    lines = []
    for line in doc.get("Line") or []:
        if line.get("DetailType") != "SalesItemLineDetail":
            continue
        detail = line.get("SalesItemLineDetail") or {}
        amount = money(line.get("Amount"))
        qty = Decimal(str(detail.get("Qty") or 1)).quantize(Decimal("0.001"))
        qty = qty if qty > 0 else Decimal("1.000")
        price = money(detail["UnitPrice"]) if detail.get("UnitPrice") is not None else money(amount / qty)
        lines.append(
            QBOLine(
                item_ref=ref(detail, "ItemRef"),
                description=(line.get("Description") or "")[:4000],
                quantity=qty,
                unit_price=price,
                amount=amount,
                taxable=ref(detail, "TaxCodeRef") != "NON",
            )
        )
    return lines


def item_refs(doc: dict) -> list[str]:
    return [x.item_ref for x in item_lines(doc) if x.item_ref]


def discount_amount(doc: dict) -> Decimal:
    return sum(
        (
            money(x.get("Amount"))
            for x in doc.get("Line") or []
            if x.get("DetailType") == "DiscountLineDetail"
        ),
        ZERO,
    )


def discount_percent(doc: dict) -> Decimal:
    """The whole-document discount as a percent (the store keeps a percent, QuickBooks either)."""
    for line in doc.get("Line") or []:
        if line.get("DetailType") != "DiscountLineDetail":
            continue
        detail = line.get("DiscountLineDetail") or {}
        if detail.get("PercentBased") and detail.get("DiscountPercent") is not None:
            return Decimal(str(detail["DiscountPercent"])).quantize(CENT)
        subtotal = sum((x.amount for x in item_lines(doc)), ZERO)
        if subtotal > 0:
            return (money(line.get("Amount")) * 100 / subtotal).quantize(CENT)
    return ZERO


def linked(doc: dict, txn_type: str) -> dict[str, Decimal]:
    """A payment's lines linked to documents of ``txn_type``: QuickBooks TxnId → amount."""
    found: dict[str, Decimal] = {}
    for line in doc.get("Line") or []:
        for txn in line.get("LinkedTxn") or []:
            if txn.get("TxnType") == txn_type:
                key = str(txn.get("TxnId"))
                found[key] = found.get(key, ZERO) + money(line.get("Amount"))
    return found


def payment_method(method_ref: tuple[str, str] | None) -> str:
    """A QuickBooks PaymentMethod (name, type) → the store's method choice."""
    if method_ref is None:
        return "other"
    name, kind = method_ref
    if kind == "CREDIT_CARD":
        return "card"
    return {"cash": "cash", "check": "check"}.get(name.lower(), "other")


def refund_method(doc: dict, method_ref: tuple[str, str] | None) -> str:
    if method_ref is not None:
        return payment_method(method_ref)
    return {"Cash": "cash", "CreditCard": "card", "Check": "check"}.get(str(doc.get("PaymentType")), "other")


def item_values(doc: dict, income_account: str) -> dict:
    """A QuickBooks Item → the store item's fields (``doc["Type"]`` must be one of ``ITEM_KINDS``)."""
    return {
        "name": doc.get("Name", "")[:100],
        "sku": (doc.get("Sku") or "")[:100] or None,
        "description": (doc.get("Description") or "")[:4000],
        "kind": ITEM_KINDS[doc["Type"]],
        "unit_price": max(money(doc.get("UnitPrice")), ZERO),
        "taxable": doc.get("Taxable", True) is not False,
        "income_account": income_account[:100],
        "quantity_on_hand": Decimal(str(doc.get("QtyOnHand") or 0)).quantize(Decimal("0.001")),
        "is_active": doc.get("Active", True) is not False,
    }
