"""Pure functions: a local snapshot (+ the QuickBooks ids it refers to) → the QBO JSON we send.

Nothing here touches the network or the database, so every mapping decision is testable alone.
Scalar customer fields follow the default field mapping (QuickBooks' standard fields); the
configurable mapping layer replaces ``customer_fields`` when managers change the rules.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

QBO_NAME_MAX = 100


@dataclass(frozen=True)
class Refs:
    """QuickBooks ids for everything a payload points at."""

    customers: dict[int, str] = field(default_factory=dict)
    items: dict[int, str] = field(default_factory=dict)
    transactions: dict[tuple[str, int], str] = field(default_factory=dict)  # (entity, local id) → TxnId
    accounts: dict[str, str] = field(default_factory=dict)  # account name → Id
    payment_methods: dict[str, str] = field(default_factory=dict)  # local method → PaymentMethod Id
    tax_codes: dict[str, str] = field(default_factory=dict)  # local tax code name → TaxCode Id
    income_account: str = "Sales of Product Income"
    deposit_account: str = "Undeposited Funds"
    po_on_receipts: str = "memo"  # where a cash sale's customer PO goes (POS: the Memo field)


def _addr(snapshot: dict, prefix: str) -> dict | None:
    keys = {
        "Line1": "line1",
        "Line2": "line2",
        "City": "city",
        "CountrySubDivisionCode": "region",
        "PostalCode": "postal_code",
        "Country": "country",
    }
    addr = {
        qbo: snapshot.get(f"{prefix}_{local}")
        for qbo, local in keys.items()
        if snapshot.get(f"{prefix}_{local}")
    }
    return addr or None


def customer_fields(snapshot: dict) -> dict:
    body: dict = {
        "DisplayName": snapshot["display_name"],
        "Title": snapshot["title"],
        "GivenName": snapshot["given_name"],
        "MiddleName": snapshot["middle_name"],
        "FamilyName": snapshot["family_name"],
        "Suffix": snapshot["suffix"],
        "CompanyName": snapshot["company_name"],
        "Notes": snapshot["notes"],
        "Active": snapshot["is_active"],
        "Taxable": not snapshot["tax_exempt"],
        "ResaleNum": snapshot["resale_number"],
        "PrimaryEmailAddr": {"Address": snapshot["email"]} if snapshot["email"] else None,
        "PrimaryPhone": {"FreeFormNumber": snapshot["phone"]} if snapshot["phone"] else None,
        "Mobile": {"FreeFormNumber": snapshot["mobile"]} if snapshot["mobile"] else None,
        "WebAddr": {"URI": snapshot["website"]} if snapshot["website"] else None,
        "BillAddr": _addr(snapshot, "bill"),
        "ShipAddr": _addr(snapshot, "ship"),
    }
    if snapshot["tax_exempt"] and snapshot["tax_exemption_reason"]:
        body["TaxExemptionReasonId"] = str(snapshot["tax_exemption_reason"])
    return body


def customer_body(snapshot: dict, refs: Refs, *, qbo_id: str = "", sync_token: str = "") -> dict:
    body = customer_fields(snapshot)
    parent_id = snapshot.get("parent_id")
    if parent_id:
        body.update(
            Job=True,
            ParentRef={"value": refs.customers[parent_id]},
            BillWithParent=bool(snapshot["bill_with_parent"]),
        )
    if qbo_id:
        body.update(Id=qbo_id, SyncToken=sync_token, sparse=True)
        # A sparse update sends "" to clear a field; None means "not mapped".
        body = {k: ("" if v is None and k not in _OBJECT_FIELDS else v) for k, v in body.items()}
        body = {k: v for k, v in body.items() if v is not None}
    else:
        body = {k: v for k, v in body.items() if v not in (None, "")}
    return body


_OBJECT_FIELDS = {"PrimaryEmailAddr", "PrimaryPhone", "Mobile", "WebAddr", "BillAddr", "ShipAddr"}

ITEM_TYPES = {"inventory": "Inventory", "non_inventory": "NonInventory", "service": "Service"}


def item_body(snapshot: dict, refs: Refs, *, qbo_id: str = "", sync_token: str = "") -> dict:
    income = snapshot["income_account"] or refs.income_account
    body: dict = {
        "Name": snapshot["name"][:QBO_NAME_MAX],
        "Description": snapshot["description"] or None,
        "Type": ITEM_TYPES[snapshot["kind"]],
        "UnitPrice": float(Decimal(snapshot["unit_price"])),
        "Taxable": snapshot["taxable"],
        "Active": snapshot["is_active"],
        "IncomeAccountRef": {"value": refs.accounts.get(income, "")},
    }
    if snapshot["sku"]:
        body["Sku"] = snapshot["sku"]
    if snapshot["kind"] == "inventory" and not qbo_id:
        body.update(
            TrackQtyOnHand=True,
            QtyOnHand=float(Decimal(snapshot["quantity_on_hand"])),
            InvStartDate="2020-01-01",
            AssetAccountRef={"value": refs.accounts.get("Inventory Asset", "")},
            ExpenseAccountRef={"value": refs.accounts.get("Cost of Goods Sold", "")},
        )
    body = {k: v for k, v in body.items() if v is not None}
    if qbo_id:
        body.update(Id=qbo_id, SyncToken=sync_token, sparse=True)
        body.pop("Type", None)  # QBO refuses a type change after create
    return body


def _money(value: str | Decimal) -> float:
    return float(Decimal(value))


def sales_lines(snapshot: dict, refs: Refs) -> list[dict]:
    lines = []
    for line in snapshot["lines"]:
        lines.append(
            {
                "DetailType": "SalesItemLineDetail",
                "Amount": _money(line["amount"]),
                "Description": line["description"] or None,
                "SalesItemLineDetail": {
                    "ItemRef": {"value": refs.items[line["item_id"]]},
                    "Qty": float(Decimal(line["quantity"])),
                    "UnitPrice": _money(line["unit_price"]),
                    "TaxCodeRef": {"value": "TAX" if line["taxable"] and snapshot["tax_code"] else "NON"},
                },
            }
        )
    if Decimal(snapshot.get("discount_percent") or "0") > 0:
        lines.append(
            {
                "DetailType": "DiscountLineDetail",
                "Amount": _money(snapshot["discount_amount"]),
                "DiscountLineDetail": {
                    "PercentBased": True,
                    "DiscountPercent": float(Decimal(snapshot["discount_percent"])),
                },
            }
        )
    return [{k: v for k, v in line.items() if v is not None} for line in lines]


def _tax_detail(snapshot: dict, refs: Refs) -> dict | None:
    code = snapshot.get("tax_code")
    if not code or code not in refs.tax_codes:
        return None
    return {"TxnTaxCodeRef": {"value": refs.tax_codes[code]}, "TotalTax": _money(snapshot["tax_total"])}


def sale_body(snapshot: dict, refs: Refs) -> tuple[str, dict]:
    """A cash sale → SalesReceipt; an account charge → Invoice."""
    body: dict = {
        "DocNumber": snapshot["number"],
        "TxnDate": snapshot["date"],
        "Line": sales_lines(snapshot, refs),
    }
    if snapshot["customer_id"]:
        body["CustomerRef"] = {"value": refs.customers[snapshot["customer_id"]]}
    tax = _tax_detail(snapshot, refs)
    if tax:
        body["TxnTaxDetail"] = tax
    note = snapshot["memo"]
    if snapshot["kind"] == "cash":
        if snapshot["customer_po"] and refs.po_on_receipts == "memo":
            note = f"PO {snapshot['customer_po']}" + (f" · {note}" if note else "")
        method = refs.payment_methods.get(snapshot["payment_method"])
        if method:
            body["PaymentMethodRef"] = {"value": method}
        deposit = refs.accounts.get(refs.deposit_account)
        if deposit:
            body["DepositToAccountRef"] = {"value": deposit}
        qbo_type = "SalesReceipt"
    else:
        if snapshot["due_date"]:
            body["DueDate"] = snapshot["due_date"]
        if snapshot["customer_po"]:
            body["CustomField"] = [
                {
                    "DefinitionId": "1",
                    "Name": "P.O. Number",
                    "Type": "StringType",
                    "StringValue": snapshot["customer_po"],
                }
            ]
        qbo_type = "Invoice"
    if note:
        body["PrivateNote"] = note
    return qbo_type, body


def payment_body(snapshot: dict, refs: Refs) -> dict:
    lines = [
        {
            "Amount": _money(a["amount"]),
            "LinkedTxn": [{"TxnId": refs.transactions[("sales.sale", a["sale_id"])], "TxnType": "Invoice"}],
        }
        for a in snapshot["allocations"]
    ]
    body: dict = {
        "CustomerRef": {"value": refs.customers[snapshot["customer_id"]]},
        "TotalAmt": _money(snapshot["amount"]),
        "TxnDate": snapshot["date"],
        "Line": lines,
        "PaymentRefNum": snapshot["reference"][:21] or snapshot["number"],
    }
    method = refs.payment_methods.get(snapshot["method"])
    if method:
        body["PaymentMethodRef"] = {"value": method}
    if snapshot["memo"]:
        body["PrivateNote"] = snapshot["memo"]
    return body


def refund_body(snapshot: dict, refs: Refs) -> dict:
    body: dict = {
        "DocNumber": snapshot["number"],
        "TxnDate": snapshot["date"],
        "Line": sales_lines(snapshot, refs),
        "DepositToAccountRef": {"value": refs.accounts.get(refs.deposit_account, "")},
    }
    if snapshot["customer_id"]:
        body["CustomerRef"] = {"value": refs.customers[snapshot["customer_id"]]}
    method = refs.payment_methods.get(snapshot["method"])
    if method:
        body["PaymentMethodRef"] = {"value": method}
    if snapshot["memo"]:
        body["PrivateNote"] = snapshot["memo"]
    return body


def credit_memo_body(snapshot: dict, refs: Refs) -> dict:
    body: dict = {
        "DocNumber": snapshot["number"],
        "TxnDate": snapshot["date"],
        "CustomerRef": {"value": refs.customers[snapshot["customer_id"]]},
        "Line": sales_lines(snapshot, refs),
    }
    if snapshot["memo"]:
        body["PrivateNote"] = snapshot["memo"]
    return body
