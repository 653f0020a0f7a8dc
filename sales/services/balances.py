"""Derived balances: a charge's balance due and a customer's account balance, from the ledger.

Balances are recomputed from the rows that make them up rather than adjusted by increments, so a
bug or an interrupted change can never leave a drifting figure: any refresh puts it right.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from customers.models import Customer
from customers.services import customer_set_balance
from sales.models import Sale
from sales.selectors import customer_balance_parts, sale_credit_applied, sale_payments_applied
from syncportal.outbox.services import Origin

ZERO = Decimal("0.00")


def sale_balance_refresh(*, sale: Sale) -> Sale:
    """Store ``sale.balance_due``: total - payments - store credit for an open account charge,
    zero for cash sales and voided documents. The caller holds the sale's row lock. No outbox row:
    QuickBooks computes an invoice's Balance itself from the linked payments and credit memos."""
    if sale.kind == Sale.Kind.CHARGE and not sale.is_void:
        balance_due = sale.total - sale_payments_applied(sale=sale) - sale_credit_applied(sale=sale)
    else:
        balance_due = ZERO
    if balance_due != sale.balance_due:
        sale.balance_due = balance_due
        sale.save(update_fields=["balance_due", "updated_at"])
    return sale


def customer_balance_refresh(
    *, customer: Customer, actor: AbstractBaseUser | None = None, origin: str = Origin.LOCAL
) -> Decimal:
    """Recompute what ``customer`` owes (open charges - unapplied payments - unused store credit)
    and store it through ``customers.services.customer_set_balance``. Returns the balance."""
    with transaction.atomic():
        balance = customer_balance_parts(customer=customer).balance
        customer_set_balance(customer=customer, balance=balance, origin=origin, actor=actor)
    return balance


def balances_recompute(
    *, sales: Iterable[Sale], actor: AbstractBaseUser | None = None, origin: str = Origin.LOCAL
) -> tuple[int, int]:
    """Recompute the balance due of ``sales`` and the balances of their customers (a repair tool:
    services keep them right, this puts right anything changed behind their back).
    Returns (sales, customers) counted."""
    sale_ids = sorted({sale.pk for sale in sales})
    with transaction.atomic():
        customer_ids = Sale.objects.filter(pk__in=sale_ids, customer__isnull=False).values("customer_id")
        customers = list(Customer.objects.select_for_update().filter(pk__in=customer_ids).order_by("pk"))
        for sale in Sale.objects.select_for_update().filter(pk__in=sale_ids).order_by("pk"):
            sale_balance_refresh(sale=sale)
        for customer in customers:
            customer_balance_refresh(customer=customer, actor=actor, origin=origin)
    return len(sale_ids), len(customers)
