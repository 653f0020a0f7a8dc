"""A sale → the QuickBooks SalesReceipt or Invoice the settings call for (pure).

Decides item detail or summary lines, whether customer details go with the sale, where the
customer's PO number goes, and which customer addresses an order updates, and says why in words.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from integrations.mapping.choices import AddressUpdates, Entity, ItemDetail, PoDestination
from integrations.mapping.engine import build_qbo_fields
from integrations.mapping.options import SyncOptions, income_account_for

RECEIPT_ONLY = ("PaymentMethodRef", "PaymentRefNum", "DepositToAccountRef")
INVOICE_ONLY = ("DueDate", "SalesTermRef")
ADDRESS_PARTS = {
    "Line1": "line1",
    "Line2": "line2",
    "City": "city",
    "CountrySubDivisionCode": "region",
    "PostalCode": "postal_code",
    "Country": "country",
}
NOTE_MAX = 4000


@dataclass(frozen=True)
class SaleDocument:
    qbo_type: str  # "SalesReceipt" or "Invoice"
    body: dict
    decisions: tuple[str, ...]
    customer_address_updates: tuple[str, ...] = ()  # "BillAddr"/"ShipAddr" to update on the customer
    customer_changes: Mapping[str, str] = field(default_factory=dict)  # customer field → new value


def _money(value: Any) -> float:
    return float(Decimal(str(value or "0")))


def _detail_line(line: Mapping[str, Any], taxed: bool) -> dict:
    item_ref = {"name": line.get("item_name", "")}
    if line.get("item_qbo_id"):
        item_ref = {"value": line["item_qbo_id"], **item_ref}
    out = {
        "DetailType": "SalesItemLineDetail",
        "Amount": _money(line.get("amount")),
        "SalesItemLineDetail": {
            "ItemRef": item_ref,
            "Qty": _money(line.get("quantity")),
            "UnitPrice": _money(line.get("unit_price")),
            "TaxCodeRef": {"value": "TAX" if taxed and line.get("taxable") else "NON"},
        },
    }
    if line.get("description"):
        out["Description"] = line["description"]
    return out


def detail_lines(lines: Iterable[Mapping[str, Any]], taxed: bool) -> list[dict]:
    """One SalesItemLine per line sold (also the lines of refund receipts and credit memos)."""
    return [_detail_line(line, taxed) for line in lines]


def discount_line(document: Mapping[str, Any]) -> dict | None:
    return _discount_line(document)


def _summary_lines(lines: Iterable[Mapping[str, Any]], taxed: bool, options: SyncOptions) -> list[dict]:
    groups: dict[tuple[str, bool], list[Mapping[str, Any]]] = {}
    for line in lines:
        account, _ = income_account_for(line, options)
        groups.setdefault((account, bool(taxed and line.get("taxable"))), []).append(line)
    out = []
    for (account, taxable), members in sorted(groups.items()):
        total = sum((Decimal(str(m.get("amount") or "0")) for m in members), Decimal("0"))
        out.append(
            {
                "DetailType": "SalesItemLineDetail",
                "Amount": float(total),
                "Description": f"Summary of {len(members)} line(s): {account}",
                "SalesItemLineDetail": {
                    "ItemAccountRef": {"name": account},
                    "TaxCodeRef": {"value": "TAX" if taxable else "NON"},
                },
            }
        )
    return out


def _discount_line(sale: Mapping[str, Any]) -> dict | None:
    percent = Decimal(str(sale.get("discount_percent") or "0"))
    if percent <= 0:
        return None
    return {
        "DetailType": "DiscountLineDetail",
        "Amount": _money(sale.get("discount_amount")),
        "DiscountLineDetail": {"PercentBased": True, "DiscountPercent": float(percent)},
    }


def _address(customer: Mapping[str, Any], prefix: str) -> dict:
    return {
        qbo: customer[f"{prefix}_{key}"]
        for qbo, key in ADDRESS_PARTS.items()
        if customer.get(f"{prefix}_{key}")
    }


_ADDRESS_RULE = {
    AddressUpdates.BILLING: (("BillAddr", "bill"),),
    AddressUpdates.SHIPPING: (("ShipAddr", "ship"),),
    AddressUpdates.BOTH: (("BillAddr", "bill"), ("ShipAddr", "ship")),
}


def order_address_changes(
    sale: Mapping[str, Any], customer: Mapping[str, Any], options: SyncOptions
) -> tuple[tuple[str, ...], dict[str, str]]:
    """Which of the customer's addresses a new order replaces ("address updates from new orders").

    An order's address replaces the customer's whole address (a part the order leaves blank is
    cleared), and only when the order has that address and it differs. Returns the QuickBooks
    address keys and the customer field changes.
    """
    keys: tuple[str, ...] = ()
    changes: dict[str, str] = {}
    for key, prefix in _ADDRESS_RULE.get(options.address_updates, ()):
        if not _address(sale, prefix):
            continue
        wanted = {f"{prefix}_{part}": (sale.get(f"{prefix}_{part}") or "") for part in ADDRESS_PARTS.values()}
        differs = {name: value for name, value in wanted.items() if (customer.get(name) or "") != value}
        if differs:
            keys += (key,)
            changes.update(differs)
    return keys, changes


def _set_custom_field(body: dict, name: str, value: str) -> None:
    entries = [e for e in body.get("CustomField", []) if e.get("Name") != name]
    body["CustomField"] = [*entries, {"Name": name, "Type": "StringType", "StringValue": value}]


def _place_po(body: dict, po: str, charge: bool, options: SyncOptions) -> str:
    destination = options.po_destination
    if destination == PoDestination.NONE:
        return f"PO number {po} is not sent (PO destination: not sent)."
    if destination == PoDestination.CUSTOM_FIELD or (destination == PoDestination.POS and charge):
        _set_custom_field(body, options.po_custom_field_name, po)
        return f"PO number {po} goes to the custom field ‘{options.po_custom_field_name}’."
    note = body.get("PrivateNote", "")
    body["PrivateNote"] = (f"PO# {po}" + (f" · {note}" if note else ""))[:NOTE_MAX]
    return f"PO number {po} goes to the memo (PrivateNote)."


def build_sale_document(
    sale: Mapping[str, Any],
    lines: Iterable[Mapping[str, Any]],
    mappings: Iterable,
    options: SyncOptions,
    *,
    customer: Mapping[str, Any] | None = None,
    customer_ref: Mapping[str, str] | None = None,
    customer_in_scope: bool = True,
    default_customer: bool = False,
) -> SaleDocument:
    """The QuickBooks document for one sale.

    ``sale`` is the sale snapshot; ``lines`` carry ``item_name`` (and ``item_qbo_id`` once linked),
    ``category``, ``income_account``, ``description``, ``quantity``, ``unit_price``, ``amount`` and
    ``taxable``; ``customer`` is the customer's snapshot (``None`` for a walk-in sale) and
    ``customer_ref`` the QuickBooks customer the match rules chose (``None``: create it first).
    A customer outside the sync scope goes with an account charge (QuickBooks needs it) but not
    with a cash sale, which is then posted like a walk-in sale. ``default_customer``: the customer
    is not in QuickBooks and the settings post such sales to the default customer ``customer_ref``.
    """
    lines = list(lines)
    charge = sale.get("kind") == "charge"
    qbo_type = "Invoice" if charge else "SalesReceipt"
    body = build_qbo_fields(Entity.SALE, sale, mappings, value_maps=options.value_maps)
    for key in RECEIPT_ONLY if charge else INVOICE_ONLY:
        body.pop(key, None)
    decisions = [f"{'An account charge' if charge else 'A cash sale'} is sent as a QuickBooks {qbo_type}."]

    detailed = charge or options.item_detail == ItemDetail.ALL
    taxed = bool(sale.get("tax_code"))
    if detailed:
        body["Line"] = [_detail_line(line, taxed) for line in lines]
        decisions.append(f"Item detail: {len(lines)} line(s), one per item sold.")
    else:
        body["Line"] = _summary_lines(lines, taxed, options)
        decisions.append(
            "Summary lines, one per income account: item detail is set for account charges only."
        )
    discount = _discount_line(sale)
    if discount:
        body["Line"].append(discount)

    address_updates: tuple[str, ...] = ()
    changes: dict[str, str] = {}
    for key, prefix in (("BillAddr", "bill"), ("ShipAddr", "ship")):
        address = _address(sale, prefix)
        if address and detailed:
            body[key] = address  # the order's own address, as typed on the sale
    if customer is not None and default_customer and detailed:
        body["CustomerRef"] = dict(customer_ref or {})
        decisions.append(
            f"Customer ‘{customer.get('display_name', '')}’ is not in QuickBooks and does not sync: "
            f"posted to the default customer (QuickBooks id {(customer_ref or {}).get('value', '')})."
        )
        customer = None
        own_customer = False
    else:
        own_customer = True
    if customer is not None and not charge and not customer_in_scope:
        decisions.append(
            f"Customer ‘{customer.get('display_name', '')}’ does not sync: posted as a walk-in sale."
        )
        customer = None
    if customer is not None and detailed:
        body["CustomerRef"] = dict(customer_ref or {"name": customer.get("display_name", "")})
        who = f"QuickBooks customer {customer_ref['value']}" if customer_ref else "a new QuickBooks customer"
        decisions.append(f"Customer: ‘{customer.get('display_name', '')}’ → {who}.")
        address_updates, changes = order_address_changes(sale, customer, options)
        if address_updates:
            decisions.append(
                f"The customer's {' and '.join(address_updates)} is updated from this order, here and in "
                "QuickBooks."
            )
    elif own_customer:
        if customer is not None:
            decisions.append("Customer details are not sent with a summarised cash sale.")
        if options.walk_in_customer_qbo_id:
            body["CustomerRef"] = {"value": options.walk_in_customer_qbo_id}
            decisions.append(
                f"Posted to the walk-in customer (QuickBooks id {options.walk_in_customer_qbo_id})."
            )
        else:
            decisions.append("No customer: QuickBooks records the receipt without one.")

    po = sale.get("customer_po")
    if po and detailed:
        decisions.append(_place_po(body, po, charge, options))
    elif po:
        decisions.append(f"PO number {po} is not sent: summarised receipts carry no PO number.")
    return SaleDocument(qbo_type, body, tuple(decisions), address_updates, changes)
