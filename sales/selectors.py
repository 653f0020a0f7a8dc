"""Reads for sales: open charges, balances from the ledger, a customer's timeline, admin lists."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from itertools import chain

from django.db.models import DecimalField, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from customers.models import Customer
from sales.models import CreditApplication, Item, Payment, PaymentAllocation, Refund, Sale, StoreCredit

ZERO = Decimal("0.00")
CENT = Decimal("0.01")


def _sum(queryset: QuerySet, field: str) -> Decimal:
    """The sum of a money column, to the cent.

    SQLite has no decimal type: it adds the column in binary floating point, so nine amounts can
    come back as 85438.5699999999. Every addend is whole cents, so rounding to the cent restores
    the exact sum (PostgreSQL's numeric is exact already).
    """
    total = queryset.aggregate(
        total=Coalesce(Sum(field), Value(ZERO), output_field=DecimalField(max_digits=14, decimal_places=2))
    )["total"]
    return Decimal(total).quantize(CENT)


@dataclass(frozen=True)
class BalanceParts:
    """What a customer owes, from the local ledger."""

    open_charges: Decimal
    unapplied_payments: Decimal
    unused_credit: Decimal

    @property
    def balance(self) -> Decimal:
        return self.open_charges - self.unapplied_payments - self.unused_credit


def customer_balance_parts(*, customer: Customer) -> BalanceParts:
    """Open account-charge balances, unapplied payments and unused store credit (voids excluded)."""
    return BalanceParts(
        open_charges=_sum(
            Sale.objects.filter(customer=customer, kind=Sale.Kind.CHARGE, is_void=False), "balance_due"
        ),
        unapplied_payments=_sum(Payment.objects.filter(customer=customer, is_void=False), "unapplied_amount"),
        unused_credit=_sum(StoreCredit.objects.filter(customer=customer, is_void=False), "remaining"),
    )


def sale_open_charges(*, customer: Customer) -> QuerySet[Sale]:
    """Account charges of ``customer`` with money still due, oldest first (the order to pay them)."""
    return Sale.objects.filter(
        customer=customer, kind=Sale.Kind.CHARGE, is_void=False, balance_due__gt=0
    ).order_by("date", "id")


def sale_payments_applied(*, sale: Sale) -> Decimal:
    """Money from non-void payments applied to ``sale``."""
    return _sum(PaymentAllocation.objects.filter(sale=sale, payment__is_void=False), "amount")


def sale_credit_applied(*, sale: Sale) -> Decimal:
    """Store credit (non-void) applied to ``sale``."""
    return _sum(CreditApplication.objects.filter(sale=sale, store_credit__is_void=False), "amount")


def sale_returned_quantities(*, sale: Sale) -> dict[int, Decimal]:
    """Quantity per item id already given back against ``sale`` by non-void refunds and store credit."""
    returned: dict[int, Decimal] = {}
    refund_rows = Refund.objects.filter(original_sale=sale, is_void=False).values_list(
        "lines__item_id", "lines__quantity"
    )
    credit_rows = StoreCredit.objects.filter(original_sale=sale, is_void=False).values_list(
        "lines__item_id", "lines__quantity"
    )
    for item_id, quantity in chain(refund_rows, credit_rows):
        if item_id is not None:
            returned[item_id] = returned.get(item_id, Decimal("0")) + quantity
    return returned


def sale_items_below_zero(*, sale: Sale | Refund | StoreCredit) -> list[Item]:
    """Inventory items on a document whose quantity on hand is now negative (to tell the user)."""
    return list(
        Item.objects.filter(
            pk__in=sale.lines.values("item_id"), kind=Item.Kind.INVENTORY, quantity_on_hand__lt=0
        ).order_by("name")
    )


def sale_list() -> QuerySet[Sale]:
    """Sales for the admin list: the customer and tax code are shown on every row."""
    return Sale.objects.select_related("customer", "tax_code", "created_by")


@dataclass(frozen=True)
class LedgerEntry:
    """One line of a customer's account timeline. ``effect`` is the change to what they owe."""

    date: datetime.date
    kind: str
    entity: str
    pk: int
    number: str
    memo: str
    amount: Decimal
    effect: Decimal
    balance: Decimal
    is_void: bool


def customer_ledger(*, customer: Customer) -> list[LedgerEntry]:
    """Sales, payments, refunds and store credit of ``customer`` by date, with the running balance.

    Charges raise the balance, payments and store credit lower it; cash sales and refunds settle at
    the register and leave it alone. Voided documents are listed with no effect. Applying a payment
    or a credit to a charge moves money inside the account, so the final running balance equals
    ``customer_balance_parts(...).balance``.
    """
    rows = []
    for sale in Sale.objects.filter(customer=customer):
        effect = sale.total if sale.kind == Sale.Kind.CHARGE else ZERO
        rows.append((sale, sale.get_kind_display(), sale.total, effect))
    for payment in Payment.objects.filter(customer=customer):
        rows.append((payment, "Payment", payment.amount, -payment.amount))
    for refund in Refund.objects.filter(customer=customer):
        rows.append((refund, "Refund", refund.total, ZERO))
    for credit in StoreCredit.objects.filter(customer=customer):
        rows.append((credit, "Store credit", credit.total, -credit.total))
    rows.sort(key=lambda row: (row[0].date, row[0].created_at, row[0].pk))

    entries, balance = [], ZERO
    for record, kind, amount, effect in rows:
        effect = ZERO if record.is_void else effect
        balance += effect
        entries.append(
            LedgerEntry(
                date=record.date,
                kind=kind,
                entity=record._meta.label_lower,
                pk=record.pk,
                number=record.number,
                memo=record.memo,
                amount=amount,
                effect=effect,
                balance=balance,
                is_void=record.is_void,
            )
        )
    return entries
