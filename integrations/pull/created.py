"""Documents entered only in QuickBooks (invoices, sales receipts, payments, credit memos, refunds).

Each is created here through the sales services with origin QBO (no outbox row, so nothing goes back
to QuickBooks) and linked, so a later change, void or delete there is reflected here. The lines are
read as the import reads them (``integrations.qbo.reading``); a customer or item not here yet is
brought in first (``prerequisites``). What cannot be applied becomes a failure in plain words, keyed
by the QuickBooks document, that a bookkeeper can retry: never a document silently dropped.

QuickBooks computed the totals; the store computes its own from the same lines and tax code. Where
the two disagree the document is refused (a failure naming both totals) rather than stored with a
total QuickBooks does not have.
"""

from __future__ import annotations

from dataclasses import replace

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from integrations.importing.context import new_link, pushed_state
from integrations.models.importing import QBOReference
from integrations.models.sync import Direction, QBOLink, SyncEvent, SyncFailure
from integrations.pull import compare, credit_applications, record
from integrations.pull.prerequisites import Missing, local_customer, local_items, push_refs
from integrations.qbo import reading
from integrations.qbo.errors import NotFoundOrInactive
from sales.models import Payment, Refund, Sale, StoreCredit, TaxCode
from sales.services import (
    AllocationInput,
    LineInput,
    ReturnLineInput,
    payment_create,
    refund_create,
    sale_create,
    store_credit_create,
)
from syncportal.outbox.services import Origin

Outcome = SyncEvent.Outcome
FAILURE_ENTITY = "qbo:{}"  # a failure about a QuickBooks document that has no local record yet
WORDS = {
    "Invoice": "invoice",
    "SalesReceipt": "sales receipt",
    "Payment": "payment",
    "CreditMemo": "credit memo",
    "RefundReceipt": "refund receipt",
}
ENTITIES = {
    "Invoice": "sales.sale",
    "SalesReceipt": "sales.sale",
    "Payment": "sales.payment",
    "CreditMemo": "sales.storecredit",
    "RefundReceipt": "sales.refund",
}


def label_of(qbo_type: str, doc: dict) -> str:
    return f"QuickBooks {WORDS[qbo_type]} {doc.get('DocNumber') or doc.get('Id')}"


def _number(model, doc: dict) -> str:
    """QuickBooks' DocNumber when no other document here has it (the import's rule)."""
    number = str(doc.get("DocNumber") or "")[:21]
    if not number or model.objects.filter(number=number).exists():
        return f"QB-{doc['Id']}"[:21]
    return number


def _customer(connection, gateway, doc: dict, *, required: bool):
    qbo_id = reading.ref(doc, "CustomerRef")
    if not qbo_id:
        if required:
            raise Missing("it names no customer")
        return None
    return local_customer(connection, gateway, qbo_id)


def _tax_code(connection, doc: dict) -> TaxCode | None:
    qbo_id = reading.tax_code_ref(doc)
    if not qbo_id:
        return None
    link = QBOLink.objects.filter(connection=connection, qbo_type="TaxCode", qbo_id=qbo_id).first()
    code = TaxCode.objects.filter(pk=link.object_id).first() if link else None
    if code is None:
        raise Missing(f"its tax code (QuickBooks tax code {qbo_id}) is not in SyncPortal")
    return code


def line_inputs(connection, gateway, doc: dict, line_type=LineInput) -> tuple[list, dict[int, str]]:
    lines = reading.item_lines(doc)
    if not lines:
        raise Missing("it has no item lines")
    items = local_items(connection, gateway, [x.item_ref for x in lines])
    inputs = [
        line_type(
            item=items[x.item_ref],
            quantity=x.quantity,
            unit_price=x.unit_price,
            description=x.description,
            taxable=x.taxable,
        )
        for x in lines
    ]
    return inputs, {item.pk: qbo_id for qbo_id, item in items.items()}


def _method_ref(connection, doc: dict) -> tuple[str, str] | None:
    found = QBOReference.objects.filter(
        connection=connection, qbo_type="PaymentMethod", qbo_id=reading.ref(doc, "PaymentMethodRef")
    ).first()
    return (found.name, found.kind) if found else None


def _sale(connection, gateway, qbo_type: str, doc: dict):
    charge = qbo_type == "Invoice"
    customer = _customer(connection, gateway, doc, required=charge)
    lines, items = line_inputs(connection, gateway, doc)
    sale = sale_create(
        kind=Sale.Kind.CHARGE if charge else Sale.Kind.CASH,
        date=reading.day(doc.get("TxnDate")),
        due_date=reading.day(doc.get("DueDate")) if charge else None,
        lines=lines,
        customer=customer,
        discount_percent=reading.discount_percent(doc),
        tax_code=_tax_code(connection, doc),
        memo=(doc.get("PrivateNote") or "")[:4000],
        payment_method="" if charge else reading.payment_method(_method_ref(connection, doc)),
        number=_number(Sale, doc),
        origin=Origin.QBO,
    )
    return sale, sale.total, {"customers": _customer_refs(connection, customer), "items": items}


def _return(connection, gateway, qbo_type: str, doc: dict):
    refund = qbo_type == "RefundReceipt"
    customer = _customer(connection, gateway, doc, required=not refund)
    lines, items = line_inputs(connection, gateway, doc, ReturnLineInput)
    common = {
        "date": reading.day(doc.get("TxnDate")),
        "lines": lines,
        "customer": customer,
        "tax_code": _tax_code(connection, doc),
        "memo": (doc.get("PrivateNote") or "")[:4000],
        "origin": Origin.QBO,
    }
    if refund:
        method = reading.refund_method(doc, _method_ref(connection, doc))
        created = refund_create(method=method, number=_number(Refund, doc), **common)
    else:
        created = store_credit_create(number=_number(StoreCredit, doc), **common)
    return created, created.total, {"customers": _customer_refs(connection, customer), "items": items}


def _payment(connection, gateway, qbo_type: str, doc: dict):
    customer = _customer(connection, gateway, doc, required=True)
    if credit_applications.is_credit_application(doc):
        return credit_applications.create(connection, doc)
    if reading.linked(doc, "CreditMemo"):
        raise Missing("it pays with a credit memo and money together; apply the credit here instead")
    invoices = reading.linked(doc, "Invoice")
    links = dict(
        QBOLink.objects.filter(connection=connection, qbo_type="Invoice", qbo_id__in=list(invoices))
        .exclude(fingerprint="deleted")
        .values_list("qbo_id", "object_id")
    )
    unknown = sorted(set(invoices) - set(links))
    if unknown:
        raise Missing(f"it pays QuickBooks invoice {', '.join(unknown)}, which is not in SyncPortal")
    sales = Sale.objects.in_bulk(links.values())
    payment = payment_create(
        customer=customer,
        amount=reading.money(doc.get("TotalAmt")),
        date=reading.day(doc.get("TxnDate")),
        method=reading.payment_method(_method_ref(connection, doc)),
        reference=str(doc.get("PaymentRefNum") or "")[:100],
        memo=(doc.get("PrivateNote") or "")[:4000],
        allocations=[AllocationInput(sale=sales[links[q]], amount=a) for q, a in invoices.items() if a > 0],
        number=_number(Payment, doc),
        origin=Origin.QBO,
    )
    transactions = {("sales.sale", sale_id): qbo_id for qbo_id, sale_id in links.items()}
    return (
        payment,
        payment.amount,
        {"customers": _customer_refs(connection, customer), "transactions": transactions},
    )


def _customer_refs(connection, customer) -> dict[int, str]:
    if customer is None:
        return {}
    link = QBOLink.objects.filter(connection=connection, entity="customers.customer", object_id=customer.pk)
    return dict(link.values_list("object_id", "qbo_id"))


BUILD = {
    "Invoice": _sale,
    "SalesReceipt": _sale,
    "CreditMemo": _return,
    "RefundReceipt": _return,
    "Payment": _payment,
}


def create_from_qbo(connection, gateway, qbo_type: str, doc: dict) -> str:
    """Create and link the local document for a QuickBooks one; returns the outcome recorded."""
    entity = ENTITIES[qbo_type]
    if qbo_type == "Payment" and credit_applications.is_credit_application(doc):
        entity = credit_applications.ENTITY
    label = label_of(qbo_type, doc)
    if doc.get("status") == "Deleted" or reading.voided(doc):
        # Entered and deleted (or voided) in QuickBooks between two reads: nothing to record here,
        # and nothing logged, so an overlapping read stays a no-op. A failure it had is moot.
        _resolve_failure(connection, qbo_type, doc)
        return "seen"
    try:
        with transaction.atomic():
            document, total, refs = BUILD[qbo_type](connection, gateway, qbo_type, doc)
            remote_total = reading.money(doc.get("TotalAmt"))
            if compare.comparable(total) != compare.comparable(remote_total):
                raise Missing(
                    f"its total here would be {total} but QuickBooks says {remote_total} "
                    "(check the tax code, discount and item taxability)"
                )
            print_, base = pushed_state(entity, document, replace(push_refs(connection), **refs))
            link = new_link(
                connection, entity=entity, object_id=document.pk, doc=doc, fingerprint=print_, base=base
            )
            link.qbo_type = qbo_type
            link.save()
            record.link_store(link, doc=doc)
            record.event(
                connection,
                entity=entity,
                object_id=document.pk,
                doc=doc,
                operation="create",
                outcome=Outcome.OK,
            )
            _resolve_failure(connection, qbo_type, doc)
    except (ValidationError, Missing) as error:
        reason = "; ".join(error.messages) if isinstance(error, ValidationError) else str(error)
        record.pull_failure(
            connection,
            entity=FAILURE_ENTITY.format(qbo_type),
            object_id=int(doc["Id"]),
            label=label,
            operation="create",
            message=f"{label} was entered in QuickBooks but could not be recorded here: {reason[:300]}. "
            "Fix that here or in QuickBooks, then retry.",
            doc={**doc, "_type": qbo_type},
        )
        return Outcome.FAILED
    return Outcome.OK


def _resolve_failure(connection, qbo_type: str, doc: dict) -> None:
    # Failure rows are bookkeeping, not synced state: a plain update is right here.
    SyncFailure.objects.filter(
        connection=connection,
        direction=Direction.PULL,
        entity=FAILURE_ENTITY.format(qbo_type),
        object_id=int(doc["Id"]),
        status__in=record.ACTIVE,
    ).update(status=SyncFailure.Status.RESOLVED, resolved_at=timezone.now())


def retry_due(connection, gateway, apply) -> int:
    """Documents a bookkeeper asked to retry: read each again from QuickBooks and ``apply`` it.

    One read per document, only for failures a person marked *Retry* (so reads stay bounded).
    """
    due = SyncFailure.objects.filter(
        connection=connection,
        direction=Direction.PULL,
        entity__startswith=FAILURE_ENTITY.format(""),
        status=SyncFailure.Status.RETRYING,
        next_retry_at__lte=timezone.now(),
    ).order_by("pk")[:50]
    retried = 0
    for failure in due:
        qbo_type = failure.entity.split(":", 1)[1]
        try:
            doc = gateway.read(qbo_type, str(failure.object_id))
        except NotFoundOrInactive:
            doc = {"Id": str(failure.object_id), "status": "Deleted"}
        with transaction.atomic():
            if doc.get("status") == "Deleted":
                _resolve_failure(connection, qbo_type, doc)  # gone from QuickBooks: nothing to record
            else:
                apply(connection, qbo_type, doc, gateway)
        retried += 1
    return retried
