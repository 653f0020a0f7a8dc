"""A local record → the QuickBooks document the configured field mappings and sync settings call for.

Scalar fields come only from the field mappings (``integrations.mapping``), honouring direction: a
mapping set to "from QuickBooks" or "off" sends nothing. The engine adds what no mapping may set:
ids of linked records (``CustomerRef``, ``ParentRef``, ``ItemRef``, ``LinkedTxn``), lines, accounts.
A missing link raises ``KeyError`` (the record waits for it); a name QuickBooks lacks raises
``Unresolved``; data QuickBooks would refuse or silently keep wrong raises ``Invalid``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone

from integrations.mapping.choices import Entity
from integrations.mapping.engine import build_qbo_fields
from integrations.mapping.fields import qbo_field
from integrations.mapping.options import customer_in_scope, income_account_for, transaction_customer
from integrations.mapping.sales import build_sale_document, detail_lines
from integrations.sync import snapshots
from integrations.sync.refs import Refs, add_definition_ids, resolve_names

DEFAULT_DEPOSIT_ACCOUNT = "Undeposited Funds"  # the register's cash, until it is deposited
INVENTORY_START = "2020-01-01"
NOT_LENGTH_CHECKED = {"Line", "CustomField"}


class Invalid(Exception):
    """The record holds something QuickBooks refuses or would keep wrong; the message says what to fix."""


@dataclass
class Doc:
    qbo_type: str
    state: dict  # what the mappings send: fingerprinted, kept as the link's base, diffed for updates
    create_only: dict = field(default_factory=dict)  # sent on create only (opening quantity …)
    fixed_on_update: frozenset = frozenset()  # keys QuickBooks refuses to change after create
    decisions: tuple[str, ...] = ()
    # Top-level QuickBooks keys the mappings own: an overwrite clears those we leave empty.
    mapped_keys: frozenset = frozenset()


def _money(value) -> float:
    return float(Decimal(str(value or "0")))


def _fields(entity: str, snap: dict, refs: Refs) -> dict:
    return build_qbo_fields(entity, snap, refs.mappings, value_maps=refs.options.value_maps)


def _mapped_keys(entity: str, refs: Refs) -> frozenset:
    # Scalar top-level fields only: an emptied address or email object is cleared through the base.
    return frozenset(
        m.qbo_path
        for m in refs.mappings
        if m.entity == entity and m.direction in ("both", "to_qbo") and "." not in m.qbo_path
    )


def _leaves(doc: dict, prefix: str = ""):
    for key, value in doc.items():
        if isinstance(value, dict):
            yield from _leaves(value, f"{prefix}{key}.")
        elif not isinstance(value, list):
            yield f"{prefix}{key}", value


def check_lengths(entity: str, body: dict, label: str) -> None:
    """QuickBooks' length limits, checked here so the message names the field and the limit."""
    for path, value in _leaves({k: v for k, v in body.items() if k not in NOT_LENGTH_CHECKED}):
        spec = qbo_field(entity, path)
        if spec and spec.max_length and isinstance(value, str) and len(value) > spec.max_length:
            raise Invalid(
                f"{label} could not be sent: its {path} is {len(value)} characters long and QuickBooks "
                f"allows at most {spec.max_length}. Shorten it; saving re-sends it."
            )


def _check_email(body: dict, label: str) -> None:
    # QuickBooks only checks for an "@" and a "."; an address such as "jane doe@example.com" would be
    # kept, and invoices e-mailed from QuickBooks would bounce. Catch it here.
    address = (body.get("PrimaryEmailAddr") or {}).get("Address")
    if address:
        try:
            validate_email(address)
        except ValidationError:
            raise Invalid(
                f"{label} could not be sent: ‘{address}’ is not a valid e-mail address. "
                "Correct it (or clear it); saving re-sends it."
            ) from None


def customer_doc(record, refs: Refs, label: str) -> Doc:
    snap = snapshots.customer_snapshot(record)
    entity = Entity.SUB_CUSTOMER if snap["parent_id"] else Entity.CUSTOMER
    body = _fields(entity, snap, refs)
    if snap["parent_id"]:
        body.update(Job=True, ParentRef={"value": refs.customers[snap["parent_id"]]})
    else:
        body["Job"] = False
    check_lengths(entity, body, label)
    _check_email(body, label)
    return Doc("Customer", resolve_names(body, refs), mapped_keys=_mapped_keys(entity, refs))


ITEM_CREATE_ONLY = frozenset({"Type", "TrackQtyOnHand", "AssetAccountRef", "ExpenseAccountRef"})


def item_doc(record, refs: Refs, label: str) -> Doc:
    snap = snapshots.item_snapshot(record)
    body = _fields(Entity.ITEM, snap, refs)
    account, _why = income_account_for(snap, refs.options)
    body["IncomeAccountRef"] = {"name": account}
    create_only = {}
    if snap["kind"] == "inventory":
        body.update(
            TrackQtyOnHand=True,
            AssetAccountRef={"name": "Inventory Asset"},
            ExpenseAccountRef={"name": "Cost of Goods Sold"},
        )
        # QuickBooks needs the opening quantity once; afterwards its own sales move it.
        create_only = {"QtyOnHand": _money(snap["quantity_on_hand"]), "InvStartDate": INVENTORY_START}
    check_lengths(Entity.ITEM, body, label)
    return Doc("Item", resolve_names(body, refs), create_only, ITEM_CREATE_ONLY)


def _line_inputs(record, snap: dict, refs: Refs, *, linked: bool = True) -> list[dict]:
    items = {line.item_id: line.item for line in record.lines.all()}
    out = []
    for line in snap["lines"]:
        item = items[line["item_id"]]
        out.append(
            {
                **line,
                "item_name": item.name,
                "item_qbo_id": refs.items[item.pk] if linked else refs.items.get(item.pk),
                "category": item.category,
                "income_account": item.income_account,
            }
        )
    return out


def _in_scope(customer, refs: Refs) -> bool:
    return customer_in_scope(snapshots.customer_snapshot(customer), refs.options)[0]


def customer_choice(entity: str, record, refs: Refs) -> str:
    """``"none"`` (walk-in sale), or which customer the document carries (see ``transaction_customer``)."""
    customer = getattr(record, "customer", None)
    if customer is None:
        return "none"
    cash_like = entity in ("sales.sale", "sales.refund") and getattr(record, "kind", "cash") != "charge"
    return transaction_customer(
        linked=customer.pk in refs.customers,
        in_scope=_in_scope(customer, refs),
        needs_account=not cash_like,
        options=refs.options,
    )


def needs_customer(entity: str, record, refs: Refs) -> bool:
    """Whether the document carries its own customer (which must then be in QuickBooks first): always
    for linked or in-scope customers; for others as the "when nothing matches" setting says."""
    return customer_choice(entity, record, refs) == "own"


def customer_ref(entity: str, record, refs: Refs) -> dict | None:
    """The document's ``CustomerRef`` (``None``: walk-in); ``KeyError`` while its customer is not sent."""
    choice = customer_choice(entity, record, refs)
    if choice == "own":
        return {"value": refs.customers[record.customer.pk]}
    if choice == "default":
        return {"value": refs.options.default_customer_qbo_id}
    return None


def _transaction_extras(entity: str, body: dict, label: str, refs: Refs) -> dict:
    check_lengths(entity, body, label)
    add_definition_ids(body, refs)
    return resolve_names(body, refs)


def sale_doc(record, refs: Refs, label: str) -> Doc:
    snap = snapshots.sale_snapshot(record)
    options = refs.options
    charge = snap["kind"] == "charge"
    detailed = charge or options.item_detail == "all"
    customer = record.customer
    choice = customer_choice("sales.sale", record, refs)
    document = build_sale_document(
        snap,
        _line_inputs(record, snap, refs, linked=detailed),
        refs.mappings,
        options,
        customer=snapshots.customer_snapshot(customer) if customer is not None else None,
        customer_ref=customer_ref("sales.sale", record, refs),
        customer_in_scope=choice == "own",
        default_customer=choice == "default",
    )
    body = document.body
    if document.qbo_type == "SalesReceipt":
        body.setdefault("DepositToAccountRef", {"name": DEFAULT_DEPOSIT_ACCOUNT})
    return Doc(
        document.qbo_type,
        _transaction_extras(Entity.SALE, body, label, refs),
        decisions=document.decisions,
    )


def payment_doc(record, refs: Refs, label: str) -> Doc:
    snap = snapshots.payment_snapshot(record)
    body = _fields(Entity.PAYMENT, snap, refs)
    body["CustomerRef"] = customer_ref("sales.payment", record, refs)
    # One line per charge paid; what is not applied stays on the payment as the customer's credit.
    body["Line"] = [
        {
            "Amount": _money(a["amount"]),
            "LinkedTxn": [{"TxnId": refs.transaction("sales.sale", a["sale_id"]), "TxnType": "Invoice"}],
        }
        for a in snap["allocations"]
    ]
    return Doc("Payment", _transaction_extras(Entity.PAYMENT, body, label, refs))


def _return_doc(entity: str, record, snap: dict, refs: Refs) -> dict:
    body = _fields(entity, snap, refs)
    lines = _line_inputs(record, snap, refs)
    body["Line"] = detail_lines(lines, bool(snap["tax_code"]))
    return body


def refund_doc(record, refs: Refs, label: str) -> Doc:
    snap = snapshots.refund_snapshot(record)
    body = _return_doc(Entity.REFUND, record, snap, refs)
    ref = customer_ref("sales.refund", record, refs)
    if ref:
        body["CustomerRef"] = ref
    body.setdefault("DepositToAccountRef", {"name": DEFAULT_DEPOSIT_ACCOUNT})
    return Doc("RefundReceipt", _transaction_extras(Entity.REFUND, body, label, refs))


def credit_memo_doc(record, refs: Refs, label: str) -> Doc:
    snap = snapshots.store_credit_snapshot(record)
    body = _return_doc(Entity.CREDIT, record, snap, refs)
    body["CustomerRef"] = customer_ref("sales.storecredit", record, refs)
    return Doc("CreditMemo", _transaction_extras(Entity.CREDIT, body, label, refs))


def credit_application_doc(record, refs: Refs, label: str) -> Doc:
    """Store credit applied to a charge: in QuickBooks a zero-amount Payment that links the credit
    memo and the invoice with equal amounts."""
    credit, amount = record.store_credit, _money(record.amount)
    invoice_id = refs.transaction("sales.sale", record.sale_id)
    body = {
        "CustomerRef": customer_ref("sales.storecredit", credit, refs),
        "TxnDate": timezone.localdate(record.created_at).isoformat(),
        "TotalAmt": 0,
        "PrivateNote": f"Store credit {credit.number} applied to {record.sale.number}",
        "Line": [
            {
                "Amount": amount,
                "LinkedTxn": [{"TxnId": invoice_id, "TxnType": "Invoice"}],
            },
            {
                "Amount": amount,
                "LinkedTxn": [
                    {"TxnId": refs.transaction("sales.storecredit", credit.pk), "TxnType": "CreditMemo"}
                ],
            },
        ],
    }
    return Doc("Payment", body)


BUILDERS = {
    "customers.customer": customer_doc,
    "sales.item": item_doc,
    "sales.sale": sale_doc,
    "sales.payment": payment_doc,
    "sales.refund": refund_doc,
    "sales.storecredit": credit_memo_doc,
    "sales.creditapplication": credit_application_doc,
}
