"""Store credit (→ QuickBooks CreditMemo): credit on a customer's account, applied to later charges.

Applying credit to a charge is its own record (``CreditApplication``) with its own outbox row:
QuickBooks links a CreditMemo to an Invoice through a zero-amount Payment, one per application.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from customers.models import Customer
from sales.models import CreditApplication, Sale, StoreCredit, StoreCreditLine, TaxCode
from sales.services.balances import customer_balance_refresh, sale_balance_refresh
from sales.services.inventory import inventory_apply, negate
from sales.services.lines import LineInput, lines_write
from sales.services.numbering import document_number_next
from sales.services.payments import AllocationInput, lock_sales, validate_allocations
from sales.services.returns import restocked_quantities, return_prepare
from sales.services.rules import clean_amount, dollars, lock, refuse
from syncportal.outbox.services import Operation, Origin, outbox_record

PREFIX = "CM-"


def store_credit_create(
    *,
    customer: Customer,
    date: datetime.date,
    lines: Sequence[LineInput],
    original_sale: Sale | None = None,
    tax_code: TaxCode | None = None,
    restock: bool = True,
    memo: str = "",
    number: str = "",
    actor: AbstractBaseUser | None = None,
    origin: str = Origin.LOCAL,
) -> StoreCredit:
    """Give ``customer`` store credit for returned goods (restocked lines go back on hand).

    The whole total is available to apply; until applied it lowers the customer's balance. With an
    ``original_sale`` no item can come back more often than it was sold there.
    """
    if customer is None:
        refuse("Store credit needs a customer account.", field="customer")
    if date is None:
        refuse("Enter the date of the store credit.", field="date")
    with transaction.atomic():
        prepared = return_prepare(
            customer=customer, original_sale=original_sale, tax_code=tax_code, lines=lines, restock=restock
        )
        totals = prepared.totals
        credit = StoreCredit.objects.create(
            number=number or document_number_next(model=StoreCredit, prefix=PREFIX),
            date=date,
            memo=memo,
            customer=prepared.customer,
            original_sale=prepared.original_sale,
            tax_code=prepared.tax_code,
            subtotal=totals.subtotal,
            discount_amount=totals.discount_amount,
            tax_total=totals.tax_total,
            total=totals.total,
            remaining=totals.total,
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        lines_write(model=StoreCreditLine, parent={"store_credit": credit}, lines=prepared.lines)
        inventory_apply(deltas=restocked_quantities(prepared.lines))
        outbox_record(instance=credit, operation=Operation.CREATE, actor=actor, origin=origin)
        customer_balance_refresh(customer=prepared.customer, actor=actor, origin=origin)
    return credit


def store_credit_apply(
    *,
    store_credit: StoreCredit,
    sale: Sale,
    amount: Decimal,
    actor: AbstractBaseUser | None = None,
    origin: str = Origin.LOCAL,
) -> CreditApplication:
    """Apply part of a store credit to an account charge of the same customer.

    The amount may not exceed what is left of the credit nor what is due on the charge.
    """
    amount = clean_amount(amount, label="The amount to apply", field="amount")
    with transaction.atomic():
        customer = lock(store_credit.customer)
        store_credit = lock(store_credit)
        if store_credit.is_void:
            refuse(f"{store_credit} is void.", code="void")
        locked = lock_sales([sale.pk])
        validate_allocations(customer=customer, allocations=[AllocationInput(sale, amount)], locked=locked)
        if amount > store_credit.remaining:
            refuse(
                f"Only {dollars(store_credit.remaining)} of {store_credit} is left to apply.",
                field="amount",
                code="over_remaining",
            )
        application = CreditApplication.objects.create(store_credit=store_credit, sale=sale, amount=amount)
        store_credit.remaining -= amount
        store_credit.save(update_fields=["remaining", "updated_at"])
        sale_balance_refresh(sale=locked[sale.pk])
        outbox_record(
            instance=application,
            operation=Operation.CREATE,
            actor=actor,
            origin=origin,
            details={"store_credit_id": store_credit.pk, "sale_id": sale.pk, "amount": str(amount)},
        )
        customer_balance_refresh(customer=customer, actor=actor, origin=origin)
    return application


def store_credit_unapply(
    *, application: CreditApplication, actor: AbstractBaseUser | None = None, origin: str = Origin.LOCAL
) -> StoreCredit:
    """Take an applied credit back off a charge: the charge is due again, the credit available again."""
    with transaction.atomic():
        store_credit = application.store_credit
        customer = lock(store_credit.customer)
        store_credit = lock(store_credit)
        application = CreditApplication.objects.select_for_update().get(pk=application.pk)
        locked = lock_sales([application.sale_id])
        details = {
            "store_credit_id": store_credit.pk,
            "sale_id": application.sale_id,
            "amount": str(application.amount),
        }
        outbox_record(
            instance=application, operation=Operation.DELETE, actor=actor, origin=origin, details=details
        )
        application.delete()
        store_credit.remaining += application.amount
        store_credit.save(update_fields=["remaining", "updated_at"])
        sale_balance_refresh(sale=locked[details["sale_id"]])
        customer_balance_refresh(customer=customer, actor=actor, origin=origin)
    return store_credit


def store_credit_void(
    *, store_credit: StoreCredit, actor: AbstractBaseUser | None = None, origin: str = Origin.LOCAL
) -> StoreCredit:
    """Void a store credit nothing was applied from; restocked goods come off the shelf again."""
    with transaction.atomic():
        customer = lock(store_credit.customer)
        store_credit = lock(store_credit)
        if store_credit.is_void:
            refuse(f"{store_credit} is already void.", code="void")
        application = store_credit.applications.select_related("sale").first()
        if application is not None:
            refuse(
                f"{store_credit} is applied to {application.sale.number} ({dollars(application.amount)}); "
                "remove that application before voiding it.",
                code="applied",
            )
        store_credit.is_void = True
        store_credit.voided_at = timezone.now()
        store_credit.remaining = Decimal("0.00")
        store_credit.save(update_fields=["is_void", "voided_at", "remaining", "updated_at"])
        inventory_apply(deltas=negate(restocked_quantities(store_credit.lines.all())))
        outbox_record(
            instance=store_credit,
            operation=Operation.VOID,
            changed_fields=["is_void"],
            actor=actor,
            origin=origin,
        )
        customer_balance_refresh(customer=customer, actor=actor, origin=origin)
    return store_credit
