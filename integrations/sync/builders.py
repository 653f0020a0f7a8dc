"""Turning one planned change into one batch operation, with the QuickBooks ids it needs.

Payloads come from ``integrations.sync.documents`` (the configured field mappings). A record seen
before is sent as a sparse update of only the fields whose mapped value changed since the last push
(the link's ``base``); a record deleted here is deleted (transactions) or made inactive (customers,
items) in QuickBooks, which keeps no hard delete for name lists.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from integrations.mapping.choices import UnmatchedAction
from integrations.mapping.options import customer_in_scope
from integrations.models.sync import QBOLink
from integrations.qbo.contracts import BatchOp
from integrations.sync import documents, records, snapshots
from integrations.sync.documents import Invalid, needs_customer
from integrations.sync.plan import Change
from integrations.sync.refs import Refs, Unresolved, load_refs, refresh_refs

__all__ = [
    "Built",
    "build_operation",
    "build_removal",
    "load_refs",
    "missing_dependencies",
    "refresh_refs",
]

VOID_TYPES = {"sales.sale": None, "sales.payment": "Payment"}  # None: SalesReceipt or Invoice, by link
DELETE_ON_VOID = {"sales.refund": "RefundReceipt", "sales.storecredit": "CreditMemo"}
NAME_LISTS = {"customers.customer": "Customer", "sales.item": "Item"}


@dataclass
class Built:
    op: BatchOp | None = None
    meta: dict = field(default_factory=dict)
    skip_reason: str = ""
    blocked_by: str = ""
    problem: str = ""  # plain words: what is wrong with the record and what to fix


def _label(record) -> str:
    return f"{record._meta.verbose_name.capitalize()} ‘{record}’"


def _link(connection, change: Change, links: dict | None = None):
    if links is not None:  # the wave's links, read in one query (linkrows.links_for)
        return links.get(change.key)
    return QBOLink.objects.filter(
        connection=connection, entity=change.entity, object_id=change.object_id
    ).first()


def build_operation(connection, change: Change, record, refs: Refs, links: dict | None = None) -> Built:
    link = _link(connection, change, links)
    if link and link.fingerprint == "deleted":
        return Built(skip_reason="already deleted in QuickBooks")
    entity = change.entity
    builder = documents.BUILDERS.get(entity)
    if builder is None:
        return Built(skip_reason=f"{entity} is not sent to QuickBooks")
    if entity == "customers.customer":
        reason = _customer_skip(change, record, refs, link)
        if reason:
            return Built(skip_reason=reason)
    if getattr(record, "is_void", False):
        return _void(entity, link)
    try:
        doc = builder(record, refs, _label(record))
    except KeyError as missing:
        return Built(blocked_by=_describe_missing(entity, record, missing.args[0], refs))
    except Unresolved as problem:  # a setting names something QuickBooks lacks
        return Built(problem=f"{_label(record)} could not be sent: {problem}")
    except Invalid as problem:  # the record itself; the message already names it
        return Built(problem=str(problem))
    if entity in FOLLOWS_ITS_SALE and refs.options.unmatched_action == UnmatchedAction.DEFAULT_CUSTOMER:
        _follow_sales(connection, FOLLOWS_ITS_SALE[entity](record), doc)
    return _finish(doc, link, change)


# What each document settles, and so whose QuickBooks customer it must carry: a payment its charges,
# a refund or store credit the sale it returns, an application of store credit the charge it pays.
FOLLOWS_ITS_SALE = {
    "sales.payment": lambda record: [a.sale_id for a in record.allocations.all()],
    "sales.refund": lambda record: [record.original_sale_id] if record.original_sale_id else [],
    "sales.storecredit": lambda record: [record.original_sale_id] if record.original_sale_id else [],
    "sales.creditapplication": lambda record: [record.sale_id],
}


def _follow_sales(connection, sale_ids: list[int], doc: documents.Doc) -> None:
    """A document goes to the QuickBooks customer the sales it settles were posted to.

    With "post to the default customer", a sale made before its customer synced sits on the default
    customer. QuickBooks refuses a payment (or an application of credit) of another customer that
    links its invoice, and a refund or credit memo on the customer's own record would leave the
    default customer's history showing a sale never returned. Only with that setting (one query per
    document), since otherwise a sale always carries the document's own customer. A walk-in sale
    (no customer in QuickBooks) changes nothing.
    """
    if not sale_ids:
        return
    bases = QBOLink.objects.filter(
        connection=connection, entity="sales.sale", object_id__in=sale_ids
    ).values_list("base", flat=True)
    posted_to = {((base or {}).get("CustomerRef") or {}).get("value") for base in bases} - {None}
    if len(posted_to) == 1:
        doc.state["CustomerRef"] = {"value": posted_to.pop()}


def _customer_skip(change: Change, record, refs: Refs, link) -> str:
    if record.merged_into_id:
        return "merged into another customer"
    if link or change.force:
        return ""
    in_scope, why = customer_in_scope(snapshots.customer_snapshot(record), refs.options)
    if not in_scope:
        return f"outside the customers that sync: {why}"
    if not record.is_active:
        return "inactive and never sent"
    return ""


def _describe_missing(entity: str, record, key, refs: Refs) -> str:
    if isinstance(key, tuple):
        return records.label_for(*key)
    if entity == "customers.customer":
        return f"its parent customer #{key}"
    customer_id = getattr(record, "customer_id", None)
    if key == customer_id and key not in refs.customers:
        return f"its customer ‘{record.customer}’"
    return records.label_for("sales.item", key)


def sparse_changes(base: dict, state: dict, fixed: frozenset) -> dict:
    """Top-level keys whose value changed; a key that is gone is cleared ("" / an emptied object)."""
    changed = {k: v for k, v in state.items() if base.get(k) != v and k not in fixed}
    for key, old in base.items():
        # QuickBooks field names are PascalCase; anything else in a base is not ours to clear.
        if key in state or key in fixed or not key[:1].isupper():
            continue
        if isinstance(old, dict):
            changed[key] = {leaf: "" for leaf in old}
        elif isinstance(old, list):
            changed[key] = []
        elif not isinstance(old, bool):
            changed[key] = ""
    return changed


def _finish(doc: documents.Doc, link, change: Change) -> Built:
    print_ = snapshots.fingerprint(doc.state)
    meta = {"fingerprint": print_, "base": doc.state}
    if link:
        if link.fingerprint == print_ and not (change.force or change.overwrite):
            return Built(skip_reason="unchanged since the last push")
        # No base (linked by an older engine or by an import), or a person chose "our version wins"
        # (force push, Keep SyncPortal): send every mapped field, not only what differs from the base.
        if change.overwrite:
            # Whatever QuickBooks holds in a mapped field we leave empty is cleared too.
            stale = {key: None for key in doc.mapped_keys} | (link.base or {})
            changed = {**doc.state, **sparse_changes(stale, doc.state, doc.fixed_on_update)}
        elif not link.base:
            changed = dict(doc.state)
        else:
            changed = sparse_changes(link.base, doc.state, doc.fixed_on_update)
        for key in doc.fixed_on_update:
            changed.pop(key, None)
        if not changed and not change.force:
            return Built(skip_reason="unchanged since the last push")
        body = {**changed, "Id": link.qbo_id, "SyncToken": link.sync_token, "sparse": True}
        return Built(op=BatchOp("", "update", doc.qbo_type, body), meta=meta)
    return Built(op=BatchOp("", "create", doc.qbo_type, {**doc.state, **doc.create_only}), meta=meta)


def _void(entity: str, link) -> Built:
    if not link:
        return Built(skip_reason="voided before it was ever sent")
    if link.fingerprint == "void":
        return Built(skip_reason="already voided in QuickBooks")
    body = {"Id": link.qbo_id, "SyncToken": link.sync_token}
    if entity in DELETE_ON_VOID:  # QuickBooks has no void for refund receipts and credit memos
        return Built(op=BatchOp("", "delete", link.qbo_type, body), meta={"fingerprint": "deleted"})
    if entity in VOID_TYPES:
        op = BatchOp("", "update", link.qbo_type, body, options="void")
        return Built(op=op, meta={"fingerprint": "void"})
    return Built(skip_reason=f"{entity} cannot be voided")


def build_removal(connection, change: Change, links: dict | None = None) -> Built:
    """The local record is gone: delete its QuickBooks copy, or make a name-list entry inactive."""
    link = _link(connection, change, links)
    if not link or link.fingerprint == "deleted":
        return Built(skip_reason="the record no longer exists here")
    body = {"Id": link.qbo_id, "SyncToken": link.sync_token}
    if change.entity in NAME_LISTS:
        body = {**body, "Active": False, "sparse": True}
        return Built(op=BatchOp("", "update", link.qbo_type, body), meta={"fingerprint": "inactive"})
    return Built(op=BatchOp("", "delete", link.qbo_type, body), meta={"fingerprint": "deleted"})


def missing_dependencies(change: Change, record, refs: Refs) -> list[tuple[str, int]]:
    """Records a document needs that QuickBooks does not have yet (added to the same push)."""
    needed: list[tuple[str, int]] = []
    entity = change.entity
    if getattr(record, "is_void", False):
        return []  # a void needs only its own link
    if entity == "sales.creditapplication":
        needed += [("sales.sale", record.sale_id), ("sales.storecredit", record.store_credit_id)]
        if needs_customer("sales.storecredit", record.store_credit, refs):
            needed.append(("customers.customer", record.store_credit.customer_id))
    elif getattr(record, "customer_id", None) and needs_customer(entity, record, refs):
        needed.append(("customers.customer", record.customer_id))
    if entity == "sales.payment":
        needed += [("sales.sale", a.sale_id) for a in record.allocations.all()]
    for line in record.lines.all() if hasattr(record, "lines") else []:
        needed.append(("sales.item", line.item_id))
    return [key for key in dict.fromkeys(needed) if not _in_quickbooks(key, refs)]


def _in_quickbooks(key: tuple[str, int], refs: Refs) -> bool:
    entity, object_id = key
    if entity == "customers.customer":
        return object_id in refs.customers
    if entity == "sales.item":
        return object_id in refs.items
    return key in refs.transactions
