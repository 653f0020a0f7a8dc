"""Deleting documents: only voided ones, whose effect is already undone, and only managers (admin).

QuickBooks deletes a voided transaction on request; locally the row goes and an outbox DELETE row
keeps what the sync engine needs to find the QuickBooks copy.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from sales.models import Payment, Refund, Sale, StoreCredit
from sales.services.rules import lock, refuse
from syncportal.outbox.services import Operation, Origin, outbox_record

Document = Sale | Payment | Refund | StoreCredit


def _still_referenced(document: Document) -> str:
    if isinstance(document, Sale):
        if document.allocations.exists():
            return "payments were applied to it (even voided ones stay linked for history)"
        if document.refunds.exists() or document.store_credits.exists():
            return "refunds or store credit were issued against it"
    return ""


def document_delete(
    *, document: Document, actor: AbstractBaseUser | None = None, origin: str = Origin.LOCAL
) -> None:
    """Delete a voided sale, payment, refund or store credit.

    Refused for documents that are not void (void them first, which undoes their effect) and for
    sales other records still point to.
    """
    with transaction.atomic():
        document = lock(document)
        if not document.is_void:
            refuse(f"{document} is not void; void it first so its effect is undone.", code="not_void")
        reason = _still_referenced(document)
        if reason:
            refuse(f"{document} cannot be deleted: {reason}.", code="referenced")
        outbox_record(
            instance=document,
            operation=Operation.DELETE,
            actor=actor,
            origin=origin,
            details={"number": document.number},
        )
        document.delete()
