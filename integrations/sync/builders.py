"""Turning one planned change into one batch operation, with the QuickBooks ids it needs."""

from __future__ import annotations

from dataclasses import dataclass, field

from integrations.models.sync import QBOLink, SyncConflict
from integrations.qbo.contracts import BatchOp
from integrations.sync import payloads, snapshots
from integrations.sync.payloads import Refs
from integrations.sync.plan import Change

LOCAL_PAYMENT_METHODS = {
    "cash": ["Cash"],
    "check": ["Check"],
    "card": ["Visa", "MasterCard", "Credit Card"],
    "other": ["Other"],
}
ACCOUNT_NAMES = [
    "Sales of Product Income",
    "Undeposited Funds",
    "Inventory Asset",
    "Cost of Goods Sold",
    "Services",
    "Checking",
]


@dataclass
class Built:
    op: BatchOp | None = None
    meta: dict = field(default_factory=dict)
    skip_reason: str = ""
    blocked_by: str = ""


def load_refs(connection, gateway, cache: dict) -> Refs:
    """Accounts, payment methods and tax codes by name (three metered reads per drain, cached)."""
    if "static" not in cache:
        accounts = {a["Name"]: a["Id"] for page in gateway.query_all("Account") for a in page}
        methods_qbo = {
            m["Name"].lower(): m["Id"] for page in gateway.query_all("PaymentMethod") for m in page
        }
        methods = {}
        for local, names in LOCAL_PAYMENT_METHODS.items():
            for name in names:
                if name.lower() in methods_qbo:
                    methods[local] = methods_qbo[name.lower()]
                    break
        tax_codes = {t["Name"]: t["Id"] for page in gateway.query_all("TaxCode") for t in page}
        cache["static"] = (accounts, methods, tax_codes)
    accounts, methods, tax_codes = cache["static"]
    base = Refs(accounts=accounts, payment_methods=methods, tax_codes=tax_codes)
    return refresh_refs(connection, base)


def refresh_refs(connection, refs: Refs) -> Refs:
    """Re-read the link table so the next wave sees ids created by the previous one."""
    customers, items, transactions = {}, {}, {}
    for entity, object_id, qbo_id in (
        QBOLink.objects.filter(connection=connection)
        .values_list("entity", "object_id", "qbo_id")
        .iterator(chunk_size=5000)
    ):
        if entity == "customers.customer":
            customers[object_id] = qbo_id
        elif entity == "sales.item":
            items[object_id] = qbo_id
        else:
            transactions[(entity, object_id)] = qbo_id
    return Refs(
        customers=customers,
        items=items,
        transactions=transactions,
        accounts=refs.accounts,
        payment_methods=refs.payment_methods,
        tax_codes=refs.tax_codes,
    )


def build_operation(connection, change: Change, record, refs: Refs) -> Built:
    link = QBOLink.objects.filter(
        connection=connection, entity=change.entity, object_id=change.object_id
    ).first()
    entity = change.entity
    try:
        if entity == "customers.customer":
            return _customer(change, record, refs, link)
        if entity == "sales.item":
            snap = snapshots.item_snapshot(record)
            body = payloads.item_body(
                snap, refs, qbo_id=link.qbo_id if link else "", sync_token=link.sync_token if link else ""
            )
            return _finish("Item", body, link, change, state=payloads.item_body(snap, refs))
        if entity == "sales.sale":
            snap = snapshots.sale_snapshot(record)
            if snap["is_void"]:
                return _void((record.kind == "cash" and "SalesReceipt") or "Invoice", link)
            qbo_type, body = payloads.sale_body(snap, refs)
            return _finish(qbo_type, body, link, change)
        if entity == "sales.payment":
            snap = snapshots.payment_snapshot(record)
            if snap["is_void"]:
                return _void("Payment", link)
            return _finish("Payment", payloads.payment_body(snap, refs), link, change)
        if entity == "sales.refund":
            snap = snapshots.refund_snapshot(record)
            if snap["is_void"]:
                return _void("RefundReceipt", link, delete=True)
            return _finish("RefundReceipt", payloads.refund_body(snap, refs), link, change)
        if entity == "sales.storecredit":
            snap = snapshots.store_credit_snapshot(record)
            if snap["is_void"]:
                return _void("CreditMemo", link, delete=True)
            return _finish("CreditMemo", payloads.credit_memo_body(snap, refs), link, change)
    except KeyError as missing:
        return Built(blocked_by=_describe_missing(missing.args[0]))
    return Built(skip_reason=f"{entity} is not sent to QuickBooks")


def _describe_missing(key) -> str:
    if isinstance(key, tuple):
        return f"{key[0].split('.')[-1]} #{key[1]}"
    return f"record #{key}"


def _customer(change: Change, record, refs: Refs, link) -> Built:
    snap = snapshots.customer_snapshot(record)
    if record.merged_into_id:
        return Built(skip_reason="merged into another customer")
    if not link and not snap["sync_with_quickbooks"] and not change.force:
        return Built(skip_reason="not flagged “use with QuickBooks”")
    if not link and not snap["is_active"]:
        return Built(skip_reason="inactive and never sent")
    if snap["parent_id"] and snap["parent_id"] not in refs.customers:
        return Built(blocked_by=f"its parent customer #{snap['parent_id']}")
    if link:
        # A field in open conflict keeps QuickBooks' value until someone resolves it: pushing ours
        # would silently overwrite the other version the conflict holds.
        snap.update(disputed_values(link.connection_id, change.entity, change.object_id, snap))
    body = payloads.customer_body(
        snap, refs, qbo_id=link.qbo_id if link else "", sync_token=link.sync_token if link else ""
    )
    return _finish("Customer", body, link, change, state=payloads.customer_body(snap, refs))


def disputed_values(connection_id: int, entity: str, object_id: int, snap: dict) -> dict:
    return {
        field: value
        for field, value in SyncConflict.objects.filter(
            connection_id=connection_id, entity=entity, object_id=object_id, status=SyncConflict.Status.OPEN
        ).values_list("field", "qbo_value")
        if field in snap
    }


def _finish(qbo_type: str, body: dict, link, change: Change, *, state: dict | None = None) -> Built:
    # The fingerprint is taken over the create form of the payload, so the same state hashes the
    # same whether it was first created or later updated (an update body also clears fields).
    print_ = snapshots.fingerprint(state if state is not None else body)
    if link:
        if link.fingerprint == print_ and not change.force:
            return Built(skip_reason="unchanged since the last push")
        body = {**body, "Id": link.qbo_id, "SyncToken": link.sync_token, "sparse": True}
        return Built(
            op=BatchOp(bid="", operation="update", qbo_type=qbo_type, body=body), meta={"fingerprint": print_}
        )
    return Built(
        op=BatchOp(bid="", operation="create", qbo_type=qbo_type, body=body), meta={"fingerprint": print_}
    )


def _void(qbo_type: str, link, *, delete: bool = False) -> Built:
    if not link:
        return Built(skip_reason="voided before it was ever sent")
    body = {"Id": link.qbo_id, "SyncToken": link.sync_token}
    if delete:  # QuickBooks has no void for refund receipts and credit memos: delete them
        return Built(
            op=BatchOp(bid="", operation="delete", qbo_type=qbo_type, body=body), meta={"fingerprint": "void"}
        )
    return Built(
        op=BatchOp(bid="", operation="update", qbo_type=qbo_type, body=body, options="void"),
        meta={"fingerprint": "void"},
    )


def missing_dependencies(change: Change, record, refs: Refs) -> list[tuple[str, int]]:
    """Customers and items a transaction needs that QuickBooks does not have yet."""
    needed: list[tuple[str, int]] = []
    customer_id = getattr(record, "customer_id", None)
    if customer_id and customer_id not in refs.customers:
        needed.append(("customers.customer", customer_id))
    lines = record.lines.all() if hasattr(record, "lines") else []
    for line in lines:
        if line.item_id not in refs.items:
            needed.append(("sales.item", line.item_id))
    return needed
