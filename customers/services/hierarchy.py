"""Sub-customer tree upkeep used inside the customer services' transactions (not a public API)."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from customers.models import Customer
from customers.selectors import customer_ancestor_ids, customer_descendant_ids, customer_subtree_levels
from syncportal.outbox.services import Operation, outbox_record

_LOCK_ATTEMPTS = 3


def lock_tree(*, customer_id: int | None, parent_id: int | None) -> None:
    """Row-lock the customer, its sub-customers and the new parent's chain, in id order.

    Two people moving customers at once could otherwise each pass the cycle check and together make
    a loop. Locking in id order keeps two movers from deadlocking; re-reading after the lock catches a
    move that committed between the read and the lock.
    """
    for _ in range(_LOCK_ATTEMPTS):
        chain = customer_ancestor_ids(customer_id=parent_id)
        below = _descendants(customer_id)
        ids = sorted({*chain, *below, *([customer_id] if customer_id is not None else [])})
        list(Customer.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk"))
        if customer_ancestor_ids(customer_id=parent_id) == chain and _descendants(customer_id) == below:
            return
    raise ValidationError(
        {"parent": "Other changes to these customers were being saved at the same time. Please try again."}
    )


def _descendants(customer_id: int | None) -> set[int]:
    if customer_id is None:
        return set()
    return {pk for level in customer_subtree_levels(customer_id=customer_id) for pk in level}


def depth_under(parent_id: int | None) -> int:
    """Depth of a customer placed under ``parent_id`` (0 = top level), counted from the rows."""
    return len(customer_ancestor_ids(customer_id=parent_id))


def store_subtree_depths(*, customer: Customer) -> None:
    """Give every sub-customer below ``customer`` the depth of its new position.

    Depth is local bookkeeping (QuickBooks derives its own Level), so a set-based update per level is
    fine here: it is not synced state and needs no outbox row.
    """
    for offset, level in enumerate(customer_subtree_levels(customer_id=customer.pk), start=1):
        Customer.objects.filter(pk__in=level).update(depth=customer.depth + offset)


def deactivate_sub_customers(*, customer: Customer, actor, origin: str) -> list[Customer]:
    """Deactivate the active sub-customers below ``customer``, one outbox row each."""
    below = list(
        Customer.objects.select_for_update()
        .filter(pk__in=customer_descendant_ids(customer=customer), is_active=True)
        .order_by("depth", "pk")
    )
    for sub_customer in below:
        sub_customer.is_active = False
        sub_customer.save(update_fields=["is_active", "updated_at"])
        outbox_record(
            instance=sub_customer,
            operation=Operation.DEACTIVATE,
            changed_fields=["is_active"],
            details={"with_parent": customer.pk},
            actor=actor,
            origin=origin,
        )
    return below
