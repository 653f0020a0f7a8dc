"""Reads pull sync needs about merged customers, so a merged-away customer is never brought back."""

from __future__ import annotations

from customers.models import Customer
from integrations.models.sync import QBOLink

_CUSTOMER = "customers.customer"


def _linked_customer_id(connection, qbo_id: str) -> int | None:
    return (
        QBOLink.objects.filter(
            connection=connection, entity=_CUSTOMER, qbo_type="Customer", qbo_id=str(qbo_id)
        )
        .values_list("object_id", flat=True)
        .first()
    )


def customer_is_merged_away(*, connection, qbo_id: str) -> bool:
    """True when QuickBooks customer ``qbo_id`` is linked to a customer merged into another one here
    (by SyncPortal or by a QuickBooks merge): pull must not update, reactivate or re-create it."""
    customer_id = _linked_customer_id(connection, qbo_id)
    return (
        customer_id is not None
        and Customer.objects.filter(pk=customer_id, merged_into__isnull=False).exists()
    )


def customer_merged_into(*, connection, qbo_id: str) -> Customer | None:
    """The customer that now stands for QuickBooks customer ``qbo_id``: the end of its merge chain
    (a transaction still naming a merged-away customer belongs to it), or None if not merged."""
    customer_id = _linked_customer_id(connection, qbo_id)
    customer = Customer.objects.filter(pk=customer_id).first() if customer_id is not None else None
    if customer is None or customer.merged_into_id is None:
        return None
    seen = set()
    while customer.merged_into_id is not None and customer.pk not in seen:
        seen.add(customer.pk)
        customer = Customer.objects.get(pk=customer.merged_into_id)
    return customer
