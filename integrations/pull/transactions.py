"""Applying QuickBooks transactions (invoices, sales receipts, payments, credit memos, refunds).

Money is never merged field by field: a void or delete in QuickBooks voids the local document
through its service; a payment re-applied in QuickBooks (moved to another invoice, or split) is
re-allocated through ``payment_update_allocations``; a new amount on an invoice, sales receipt or
payment with no local edit waiting to be pushed is taken (through ``sale_update`` or
``payment_update_allocations``). Any other difference in amounts, dates or links, and any money
change meeting a local edit, becomes a conflict that keeps both versions. A document entered only in
QuickBooks is created here (``created``).
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from integrations.importing.context import pushed_state
from integrations.models.sync import QBOLink, SyncEvent
from integrations.pull import compare, credit_applications, record
from integrations.pull.created import create_from_qbo, line_inputs
from integrations.pull.prerequisites import Missing, push_refs
from integrations.pull.state import pending_local_fields
from integrations.qbo import reading
from integrations.sync.refs import refresh_refs
from sales.models import Payment, Refund, Sale, StoreCredit
from sales.services import (
    AllocationInput,
    payment_update_allocations,
    payment_void,
    refund_void,
    sale_update,
    sale_void,
    store_credit_void,
)
from syncportal.outbox.services import Origin

TRANSACTION_TYPES = ["Invoice", "SalesReceipt", "Payment", "CreditMemo", "RefundReceipt"]
LOCAL = {
    "Invoice": ("sales.sale", Sale),
    "SalesReceipt": ("sales.sale", Sale),
    "Payment": ("sales.payment", Payment),
    "CreditMemo": ("sales.storecredit", StoreCredit),
    "RefundReceipt": ("sales.refund", Refund),
}
Outcome = SyncEvent.Outcome
CENT = Decimal("0.01")


def _void(document) -> None:
    if isinstance(document, Sale):
        sale_void(sale=document, origin=Origin.QBO)
    elif isinstance(document, Payment):
        payment_void(payment=document, origin=Origin.QBO)
    elif isinstance(document, Refund):
        refund_void(refund=document, origin=Origin.QBO)
    else:
        store_credit_void(store_credit=document, origin=Origin.QBO)


def _amount(document) -> Decimal:
    return document.amount if isinstance(document, Payment) else document.total


def _allocations(connection, doc: dict) -> dict[int, Decimal] | None:
    """A QuickBooks payment's invoice links → {local sale id: amount}; ``None`` if one is not linked."""
    found: dict[int, Decimal] = {}
    for line in doc.get("Line") or []:
        for linked in line.get("LinkedTxn") or []:
            if linked.get("TxnType") != "Invoice":
                continue
            link = QBOLink.objects.filter(
                connection=connection, qbo_type="Invoice", qbo_id=str(linked.get("TxnId"))
            ).first()
            if link is None:
                return None
            amount = Decimal(str(line.get("Amount", 0))).quantize(CENT)
            found[link.object_id] = found.get(link.object_id, Decimal("0")) + amount
    return found


def apply_transaction(connection, qbo_type: str, doc: dict, gateway=None) -> str:
    """Apply one QuickBooks document; ``gateway`` reads a customer or item it needs that is not here."""
    doc = {**doc, "_type": qbo_type}
    entity, model = LOCAL[qbo_type]
    link = QBOLink.objects.filter(connection=connection, qbo_type=qbo_type, qbo_id=str(doc["Id"])).first()
    if link is None:
        return create_from_qbo(connection, gateway, qbo_type, doc)
    deleted = doc.get("status") == "Deleted"
    if not deleted and link.sync_token == str(doc.get("SyncToken", "")):
        if record.already_pulled(link, doc):
            return "seen"
        record.link_store(link, doc=doc)
        record.event(
            connection,
            entity=entity,
            object_id=link.object_id,
            doc=doc,
            operation="update",
            outcome=Outcome.ECHO,
        )
        return Outcome.ECHO
    if link.fingerprint in ("deleted", "void") or (deleted and link.sync_token == ""):
        return "seen"  # our own void/delete coming back, or a repeated tombstone
    if link.entity == credit_applications.ENTITY:
        # Store credit applied to a charge (a zero-amount Payment in QuickBooks), not money received.
        removed = deleted or str(doc.get("PrivateNote", "")).startswith("Voided")
        return credit_applications.apply_linked(connection, link, doc, removed=removed)
    document = model.objects.filter(pk=link.object_id).first()
    if document is None:
        return Outcome.SKIPPED
    label = f"{model._meta.verbose_name.capitalize()} {getattr(document, 'number', '') or document.pk}"
    try:
        with transaction.atomic():
            outcome = _apply(connection, gateway, link, document, doc, deleted, entity, label)
    except (ValidationError, Missing) as error:
        reason = "; ".join(error.messages) if isinstance(error, ValidationError) else str(error)
        record.pull_failure(
            connection,
            entity=entity,
            object_id=document.pk,
            label=label,
            operation="update",
            message=f"{label} was changed in QuickBooks but the change could not be applied "
            f"here: {reason[:300]}. Fix it here or in QuickBooks.",
            doc=doc,
        )
        return Outcome.FAILED
    return outcome


def _apply(connection, gateway, link, document, doc, deleted, entity, label) -> str:
    operation = "delete" if deleted else "update"
    if deleted or reading.voided(doc):
        if not document.is_void:
            _void(document)
        link.fingerprint = "deleted" if deleted else "void"
        link.save(update_fields=["fingerprint"])
        if not deleted:
            record.link_store(link, doc=doc)
        record.event(
            connection,
            entity=entity,
            object_id=document.pk,
            doc=doc,
            operation=operation,
            outcome=Outcome.OK,
            summary={"voided": True},
        )
        return Outcome.OK
    conflicts, changed = [], []
    open_ = record.open_conflicts(connection, entity, document.pk)
    remote_amount = Decimal(str(doc.get("TotalAmt", 0))).quantize(CENT)
    if compare.comparable(remote_amount) != compare.comparable(_amount(document)):
        # Taken only when nothing local is waiting for QuickBooks: money is never last-writer-wins.
        local_edits = "amount" in open_ or bool(pending_local_fields(link))
        taken = None if local_edits else _take_amount(connection, gateway, document, doc, remote_amount)
        if taken is None:
            conflicts.append(("amount", _amount(document), remote_amount))
        else:
            document = taken
            changed.append("amount")
    if doc.get("TxnDate") and doc["TxnDate"] != document.date.isoformat():
        conflicts.append(("date", document.date, doc["TxnDate"]))
    if isinstance(document, Payment) and not conflicts:
        wanted = _allocations(connection, doc)
        current = dict(document.allocations.values_list("sale_id", "amount"))
        if wanted is None:
            conflicts.append(("allocations", _plain(current), "linked to an invoice not in SyncPortal"))
        elif _plain(wanted) != _plain(current):
            sales = {sale.pk: sale for sale in Sale.objects.filter(pk__in=wanted)}
            payment_update_allocations(
                payment=document,
                allocations=[AllocationInput(sale=sales[pk], amount=amount) for pk, amount in wanted.items()],
                origin=Origin.QBO,
            )
            changed.append("allocations")
    for name, local, remote in conflicts:
        record.conflict_record(
            connection,
            entity=entity,
            object_id=document.pk,
            label=label,
            field=name,
            base=None,
            local=local,
            remote=remote,
            existing=open_.get(name),
        )
    fingerprint = None
    if changed:
        # What a push would now send equals what QuickBooks holds: the next push sends nothing back.
        fingerprint, base = pushed_state(entity, document, refresh_refs(connection, push_refs(connection)))
        link.base = record.jsonable(base)
    record.link_store(link, doc=doc, fingerprint=fingerprint)
    record.event(
        connection,
        entity=entity,
        object_id=document.pk,
        doc=doc,
        operation="update",
        outcome=Outcome.CONFLICT if conflicts else Outcome.OK,
        summary={"fields": changed, "conflicts": [c[0] for c in conflicts]},
    )
    return Outcome.CONFLICT if conflicts else Outcome.OK


def _plain(allocations: dict) -> dict:
    return {str(k): format(Decimal(v).quantize(CENT), "f") for k, v in sorted(allocations.items())}


def _take_amount(connection, gateway, document, doc: dict, remote_amount: Decimal):
    """QuickBooks' new amount applied through the service; ``None`` when it must be a conflict."""
    if isinstance(document, Sale):
        lines, _items = line_inputs(connection, gateway, doc)
        document = sale_update(
            sale=document, lines=lines, discount_percent=reading.discount_percent(doc), origin=Origin.QBO
        )
        if compare.comparable(document.total) != compare.comparable(remote_amount):
            raise ValidationError(
                f"its lines give a total of {document.total} here but QuickBooks says {remote_amount} "
                "(check the tax code, discount and item taxability)"
            )
        return document
    if isinstance(document, Payment):
        wanted = _allocations(connection, doc)
        if wanted is None:
            return None
        sales = {sale.pk: sale for sale in Sale.objects.filter(pk__in=wanted)}
        return payment_update_allocations(
            payment=document,
            allocations=[AllocationInput(sale=sales[pk], amount=amount) for pk, amount in wanted.items()],
            amount=remote_amount,
            origin=Origin.QBO,
        )
    return None  # refunds and store credit have no amount-changing service: a person decides
