"""Checks every sales service shares; each refusal is a ``ValidationError`` in plain words.

A service raises ``ValidationError`` (optionally keyed by the field it concerns) and its
``transaction.atomic()`` block rolls back, so a refused change writes nothing.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import NoReturn

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import models

from customers.models import Customer
from sales.services.totals import CENT, MONEY_LIMIT
from syncportal.access.roles import MANAGER


def refuse(message: str, *, field: str | None = None, code: str = "invalid") -> NoReturn:
    """Raise the plain-words refusal, attached to ``field`` when one field is at fault."""
    error = ValidationError(message, code=code)
    raise ValidationError({field: error}) if field else error


def to_decimal(value, *, label: str, field: str | None = None) -> Decimal:
    if isinstance(value, float):
        # A float has already lost cents (0.1 + 0.2); make the caller pass a Decimal or a string.
        raise TypeError(f"{label} must be a Decimal or a string, not a float.")
    try:
        return Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        refuse(f"{label} must be a number.", field=field)


def clean_amount(value, *, label: str, field: str | None = None, allow_zero: bool = False) -> Decimal:
    """A money amount typed by a person: at most two decimals, positive, within the column's range."""
    amount = to_decimal(value, label=label, field=field)
    if not amount.is_finite() or amount != amount.quantize(CENT):
        refuse(f"{label} must be in dollars and cents (at most two decimals).", field=field)
    if amount < 0 or (amount == 0 and not allow_zero):
        refuse(f"{label} must be greater than zero.", field=field)
    if amount >= MONEY_LIMIT:
        refuse(f"{label} is too large.", field=field)
    return amount.quantize(CENT)


def lock(instance: models.Model) -> models.Model:
    """Re-read ``instance`` under a row lock (``SELECT ... FOR UPDATE``); stale copies never decide."""
    return type(instance)._default_manager.select_for_update().get(pk=instance.pk)


def lock_active_customer(customer: Customer | None, *, field: str = "customer") -> Customer | None:
    """Lock the customer row (it serialises balance changes) and refuse an inactive customer."""
    if customer is None:
        return None
    customer = lock(customer)
    if not customer.is_active or customer.merged_into_id:
        refuse(f"{customer} is inactive; reactivate the customer first.", field=field, code="inactive")
    return customer


def is_manager(user: AbstractBaseUser | None) -> bool:
    """Managers (and superusers) may approve charges beyond a customer's credit limit."""
    if user is None or not getattr(user, "is_active", False):
        return False
    return bool(user.is_superuser or user.groups.filter(name=MANAGER).exists())


def dollars(amount: Decimal) -> str:
    return f"${amount:,.2f}"
