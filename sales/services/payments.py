"""Payments (→ QuickBooks Payment): money received, applied to account charges of one customer.

What is not applied stays on the payment as ``unapplied_amount``: the customer's credit, shown as a
negative part of their balance, and applicable to later charges.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from customers.models import Customer
from sales.models import Payment, PaymentAllocation, PaymentMethod, Sale
from sales.services.balances import customer_balance_refresh, sale_balance_refresh
from sales.services.numbering import document_number_next
from sales.services.rules import clean_amount, dollars, lock, lock_active_customer, refuse
from sales.services.totals import ZERO
from syncportal.outbox.services import Operation, Origin, outbox_record

PREFIX = "PMT-"


@dataclass(frozen=True)
class AllocationInput:
    """Part of a payment to apply to one account charge. A ``(sale, amount)`` tuple works too."""

    sale: Sale
    amount: Decimal


def _as_inputs(allocations: Iterable[AllocationInput | tuple[Sale, Decimal]]) -> list[AllocationInput]:
    return [a if isinstance(a, AllocationInput) else AllocationInput(*a) for a in allocations]


def lock_sales(ids: Iterable[int]) -> dict[int, Sale]:
    """Lock charges in id order (a fixed order, so concurrent payments cannot deadlock)."""
    return {sale.pk: sale for sale in Sale.objects.select_for_update().filter(pk__in=set(ids)).order_by("pk")}


def validate_allocations(
    *,
    customer: Customer,
    allocations: list[AllocationInput],
    locked: Mapping[int, Sale],
    already_here: Mapping[int, Decimal] | None = None,
) -> dict[int, Decimal]:
    """Check each allocation against the locked charge; returns sale id -> amount.

    ``already_here`` is what this same payment or credit already applies to a charge: moving money
    within one payment may use it again.
    """
    result: dict[int, Decimal] = {}
    for allocation in allocations:
        sale = locked[allocation.sale.pk]
        amount = clean_amount(allocation.amount, label=f"The amount applied to {sale.number}")
        if sale.pk in result:
            refuse(f"{sale.number} is listed twice; apply one amount to it.", code="duplicate")
        if sale.customer_id != customer.pk:
            refuse(f"{sale.number} belongs to another customer.", code="other_customer")
        if sale.kind != Sale.Kind.CHARGE:
            refuse(
                f"{sale.number} is a cash sale, paid at the register; nothing is due on it.", code="cash_sale"
            )
        if sale.is_void:
            refuse(f"{sale.number} is void; nothing is due on it.", code="void")
        room = sale.balance_due + (already_here or {}).get(sale.pk, ZERO)
        if amount > room:
            refuse(
                f"Only {dollars(room)} is due on {sale.number}; {dollars(amount)} cannot be applied to it.",
                code="over_balance",
            )
        result[sale.pk] = amount
    return result


def payment_create(
    *,
    customer: Customer,
    amount: Decimal,
    date: datetime.date,
    method: str,
    reference: str = "",
    memo: str = "",
    allocations: Iterable[AllocationInput | tuple[Sale, Decimal]] = (),
    number: str = "",
    actor: AbstractBaseUser | None = None,
    origin: str = Origin.LOCAL,
) -> Payment:
    """Record money received from ``customer`` and apply it to their open account charges.

    Allocations may be partial and split across several charges; none may exceed a charge's balance
    due, go to a cash sale, a voided sale or another customer's charge, and together they may not
    exceed ``amount``. The rest stays on the payment as unapplied credit.
    """
    amount = clean_amount(amount, label="The payment amount", field="amount")
    if method not in PaymentMethod.values:
        refuse("Choose how the customer paid.", field="method")
    if date is None:
        refuse("Enter the date of the payment.", field="date")
    allocations = _as_inputs(allocations)
    with transaction.atomic():
        customer = lock_active_customer(customer)
        locked = lock_sales(a.sale.pk for a in allocations)
        applied = validate_allocations(customer=customer, allocations=allocations, locked=locked)
        total_applied = sum(applied.values(), ZERO)
        if total_applied > amount:
            refuse(
                f"The amounts applied ({dollars(total_applied)}) add up to more than the payment "
                f"({dollars(amount)}).",
                code="over_payment_amount",
            )
        payment = Payment.objects.create(
            number=number or document_number_next(model=Payment, prefix=PREFIX),
            customer=customer,
            date=date,
            amount=amount,
            method=method,
            reference=reference,
            memo=memo,
            unapplied_amount=amount - total_applied,
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        PaymentAllocation.objects.bulk_create(
            [
                PaymentAllocation(payment=payment, sale_id=sale_id, amount=value)
                for sale_id, value in applied.items()
            ]
        )
        for sale in locked.values():
            sale_balance_refresh(sale=sale)
        outbox_record(instance=payment, operation=Operation.CREATE, actor=actor, origin=origin)
        customer_balance_refresh(customer=customer, actor=actor, origin=origin)
    return payment


def payment_apply_unapplied(
    *,
    payment: Payment,
    allocations: Iterable[AllocationInput | tuple[Sale, Decimal]],
    actor: AbstractBaseUser | None = None,
    origin: str = Origin.LOCAL,
) -> Payment:
    """Apply a payment's remaining (unapplied) credit to more of the customer's open charges."""
    allocations = _as_inputs(allocations)
    with transaction.atomic():
        customer = lock(payment.customer)
        payment = lock(payment)
        if payment.is_void:
            refuse(f"{payment} is void.", code="void")
        locked = lock_sales(a.sale.pk for a in allocations)
        applied = validate_allocations(customer=customer, allocations=allocations, locked=locked)
        total_applied = sum(applied.values(), ZERO)
        if total_applied > payment.unapplied_amount:
            refuse(
                f"Only {dollars(payment.unapplied_amount)} of {payment} is unapplied; "
                f"{dollars(total_applied)} cannot be applied.",
                code="over_unapplied",
            )
        if not applied:
            return payment
        for sale_id, value in applied.items():
            allocation, created = PaymentAllocation.objects.get_or_create(
                payment=payment, sale_id=sale_id, defaults={"amount": value}
            )
            if not created:  # one row per payment and charge: top the existing one up
                allocation.amount += value
                allocation.save(update_fields=["amount"])
        payment.unapplied_amount -= total_applied
        payment.save(update_fields=["unapplied_amount", "updated_at"])
        for sale in locked.values():
            sale_balance_refresh(sale=sale)
        outbox_record(
            instance=payment,
            operation=Operation.UPDATE,
            changed_fields=["allocations", "unapplied_amount"],
            actor=actor,
            origin=origin,
        )
        customer_balance_refresh(customer=customer, actor=actor, origin=origin)
    return payment


def payment_update_allocations(
    *,
    payment: Payment,
    allocations: Iterable[AllocationInput | tuple[Sale, Decimal]],
    amount: Decimal | None = None,
    actor: AbstractBaseUser | None = None,
    origin: str = Origin.LOCAL,
) -> Payment:
    """Replace how a payment is applied (e.g. move it from one invoice to another), all or nothing.

    ``allocations`` is the complete new list; charges left out are un-applied. The same rules as
    ``payment_create`` hold, with the money this payment already applies counted as available.
    ``amount`` (optional) corrects the amount received at the same time.
    """
    if amount is not None:
        amount = clean_amount(amount, label="The payment amount", field="amount")
    allocations = _as_inputs(allocations)
    with transaction.atomic():
        customer = lock(payment.customer)
        payment = lock(payment)
        if payment.is_void:
            refuse(f"{payment} is void; its allocations cannot change.", code="void")
        changed = ["allocations", "unapplied_amount"]
        if amount is not None and amount != payment.amount:
            payment.amount = amount
            changed.append("amount")
        current = dict(payment.allocations.values_list("sale_id", "amount"))
        locked = lock_sales([*current, *(a.sale.pk for a in allocations)])
        applied = validate_allocations(
            customer=customer, allocations=allocations, locked=locked, already_here=current
        )
        total_applied = sum(applied.values(), ZERO)
        if total_applied > payment.amount:
            refuse(
                f"The amounts applied ({dollars(total_applied)}) add up to more than the payment "
                f"({dollars(payment.amount)}).",
                code="over_payment_amount",
            )
        if applied == current and "amount" not in changed:
            return payment
        payment.allocations.all().delete()
        PaymentAllocation.objects.bulk_create(
            [
                PaymentAllocation(payment=payment, sale_id=sale_id, amount=value)
                for sale_id, value in applied.items()
            ]
        )
        payment.unapplied_amount = payment.amount - total_applied
        payment.save(update_fields=["amount", "unapplied_amount", "updated_at"])
        for sale in locked.values():
            sale_balance_refresh(sale=sale)
        outbox_record(
            instance=payment,
            operation=Operation.UPDATE,
            changed_fields=changed,
            actor=actor,
            origin=origin,
        )
        customer_balance_refresh(customer=customer, actor=actor, origin=origin)
    return payment


def payment_void(
    *, payment: Payment, actor: AbstractBaseUser | None = None, origin: str = Origin.LOCAL
) -> Payment:
    """Void a payment: its allocations stay on file for history but no longer reduce what is due,
    so the charges it paid are open again and its unapplied credit is gone."""
    with transaction.atomic():
        customer = lock(payment.customer)
        payment = lock(payment)
        if payment.is_void:
            refuse(f"{payment} is already void.", code="void")
        locked = lock_sales(payment.allocations.values_list("sale_id", flat=True))
        payment.is_void = True
        payment.voided_at = timezone.now()
        payment.unapplied_amount = ZERO
        payment.save(update_fields=["is_void", "voided_at", "unapplied_amount", "updated_at"])
        for sale in locked.values():
            sale_balance_refresh(sale=sale)
        outbox_record(
            instance=payment, operation=Operation.VOID, changed_fields=["is_void"], actor=actor, origin=origin
        )
        customer_balance_refresh(customer=customer, actor=actor, origin=origin)
    return payment
