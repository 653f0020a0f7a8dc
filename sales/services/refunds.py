"""Refunds (→ QuickBooks RefundReceipt): money handed back for returned goods."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from customers.models import Customer
from sales.models import PaymentMethod, Refund, RefundLine, Sale, TaxCode
from sales.services.inventory import inventory_apply, negate
from sales.services.lines import LineInput, lines_write
from sales.services.numbering import document_number_next
from sales.services.returns import restocked_quantities, return_prepare
from sales.services.rules import dollars, lock, refuse
from syncportal.outbox.services import Operation, Origin, outbox_record

PREFIX = "RF-"


def refund_create(
    *,
    date: datetime.date,
    method: str,
    lines: Sequence[LineInput],
    customer: Customer | None = None,
    original_sale: Sale | None = None,
    tax_code: TaxCode | None = None,
    restock: bool = True,
    memo: str = "",
    number: str = "",
    actor: AbstractBaseUser | None = None,
    origin: str = Origin.LOCAL,
) -> Refund:
    """Refund money for returned goods; restocked inventory lines go back on hand.

    ``restock`` is the default for lines that do not say (``ReturnLineInput.restock``). With an
    ``original_sale`` no item can be refunded more often than it was sold. An account charge with
    money still due cannot be refunded in cash: give store credit and apply it instead.
    A refund does not change what the customer owes on account.
    """
    if method not in PaymentMethod.values:
        refuse("Choose how the money was handed back.", field="method")
    if date is None:
        refuse("Enter the date of the refund.", field="date")
    with transaction.atomic():
        prepared = return_prepare(
            customer=customer, original_sale=original_sale, tax_code=tax_code, lines=lines, restock=restock
        )
        sale = prepared.original_sale
        if sale is not None and sale.kind == Sale.Kind.CHARGE and sale.balance_due > 0:
            refuse(
                f"{sale.number} still has {dollars(sale.balance_due)} due; give store credit and apply it "
                "to the charge instead of refunding money.",
                field="original_sale",
                code="charge_open",
            )
        totals = prepared.totals
        refund = Refund.objects.create(
            number=number or document_number_next(model=Refund, prefix=PREFIX),
            date=date,
            memo=memo,
            customer=prepared.customer,
            original_sale=sale,
            tax_code=prepared.tax_code,
            method=method,
            subtotal=totals.subtotal,
            discount_amount=totals.discount_amount,
            tax_total=totals.tax_total,
            total=totals.total,
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        lines_write(model=RefundLine, parent={"refund": refund}, lines=prepared.lines)
        inventory_apply(deltas=restocked_quantities(prepared.lines))
        outbox_record(instance=refund, operation=Operation.CREATE, actor=actor, origin=origin)
    return refund


def refund_void(
    *, refund: Refund, actor: AbstractBaseUser | None = None, origin: str = Origin.LOCAL
) -> Refund:
    """Void a refund: the restocked goods come off the shelf again and the returned quantities
    count as not returned (so they may be refunded again)."""
    with transaction.atomic():
        refund = lock(refund)
        if refund.is_void:
            refuse(f"{refund} is already void.", code="void")
        refund.is_void = True
        refund.voided_at = timezone.now()
        refund.save(update_fields=["is_void", "voided_at", "updated_at"])
        inventory_apply(deltas=negate(restocked_quantities(refund.lines.all())))
        outbox_record(
            instance=refund, operation=Operation.VOID, changed_fields=["is_void"], actor=actor, origin=origin
        )
    return refund
