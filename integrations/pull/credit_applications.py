"""Store credit applied to a charge, as QuickBooks records it: a zero-amount Payment whose lines link
one credit memo and one invoice for the same amount (the push writes it the same way).

Such a Payment is not money received, so it never becomes a local ``Payment``: applied in QuickBooks
it is applied here (``store_credit_apply``); deleted or voided there it is taken back off the charge
here (``store_credit_unapply``). Any other shape is refused in plain words rather than guessed at.
"""

from __future__ import annotations

from integrations.models.sync import QBOLink, SyncEvent
from integrations.pull import record
from integrations.pull.prerequisites import Missing
from integrations.qbo import reading
from sales.models import CreditApplication, Sale, StoreCredit
from sales.services import store_credit_apply, store_credit_unapply
from syncportal.outbox.services import Origin

ENTITY = "sales.creditapplication"
Outcome = SyncEvent.Outcome


def is_credit_application(doc: dict) -> bool:
    return bool(reading.linked(doc, "CreditMemo")) and reading.money(doc.get("TotalAmt")) == 0


def _local(connection, qbo_type: str, qbo_id: str, model):
    link = QBOLink.objects.filter(connection=connection, qbo_type=qbo_type, qbo_id=qbo_id).first()
    found = model.objects.filter(pk=link.object_id).first() if link else None
    if found is None:
        raise Missing(f"it applies QuickBooks {qbo_type} {qbo_id}, which is not in SyncPortal")
    return found


def create(connection, doc: dict):
    """Apply the credit here; returns (application, its total (zero, as QuickBooks'), push refs)."""
    memos, invoices = reading.linked(doc, "CreditMemo"), reading.linked(doc, "Invoice")
    if len(memos) != 1 or len(invoices) != 1 or set(memos.values()) != set(invoices.values()):
        raise Missing(
            "it applies credit other than one credit memo to one invoice for the same amount, "
            "which SyncPortal cannot record; apply the credit here instead"
        )
    (memo_id, amount), (invoice_id, _same) = next(iter(memos.items())), next(iter(invoices.items()))
    credit = _local(connection, "CreditMemo", memo_id, StoreCredit)
    sale = _local(connection, "Invoice", invoice_id, Sale)
    application = store_credit_apply(store_credit=credit, sale=sale, amount=amount, origin=Origin.QBO)
    customer = QBOLink.objects.filter(
        connection=connection, entity="customers.customer", object_id=credit.customer_id
    ).values_list("object_id", "qbo_id")
    refs = {
        "customers": dict(customer),
        "transactions": {("sales.sale", sale.pk): invoice_id, ("sales.storecredit", credit.pk): memo_id},
    }
    return application, reading.money(doc.get("TotalAmt")), refs


def apply_linked(connection, link: QBOLink, doc: dict, *, removed: bool) -> str:
    """A linked credit application changed in QuickBooks: removed there → taken back here."""
    application = CreditApplication.objects.filter(pk=link.object_id).first()
    outcome = Outcome.OK
    if application is not None and removed:
        store_credit_unapply(application=application, origin=Origin.QBO)
        link.fingerprint = "deleted"
        link.save(update_fields=["fingerprint"])
    elif application is not None and set(reading.linked(doc, "CreditMemo").values()) != {application.amount}:
        outcome = Outcome.CONFLICT
        record.conflict_record(
            connection,
            entity=ENTITY,
            object_id=application.pk,
            label=f"Store credit {application.store_credit.number} applied to {application.sale.number}",
            field="amount",
            base=None,
            local=application.amount,
            remote=", ".join(str(v) for v in reading.linked(doc, "CreditMemo").values()) or "0.00",
            existing=record.open_conflicts(connection, ENTITY, application.pk).get("amount"),
        )
    if doc.get("status") != "Deleted":
        record.link_store(link, doc=doc)
    record.event(
        connection,
        entity=ENTITY,
        object_id=link.object_id,
        doc=doc,
        operation="delete" if removed else "update",
        outcome=outcome,
    )
    return outcome
