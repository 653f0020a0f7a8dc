"""Writes to customers. Each service validates, changes the rows and records the outbox entries the
sync engine needs, all in one transaction, so a change and its "tell QuickBooks" note commit together.

``origin=Origin.QBO`` is for pull sync applying QuickBooks' changes: same validation, no outbox row (no echo).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction

from customers.models import Customer
from customers.selectors import customer_delete_refusal, customer_descendant_ids
from customers.services.hierarchy import (
    deactivate_sub_customers,
    depth_under,
    lock_tree,
    store_subtree_depths,
)
from customers.services.validation import (
    EDITABLE_FIELDS,
    customer_validate,
    deactivation_errors,
    duplicate_name_message,
    reactivation_errors,
)
from syncportal.outbox.services import Operation, Origin, outbox_record

Actor = AbstractBaseUser | None
CENT = Decimal("0.01")


def customer_create(
    *, display_name: str, actor: Actor = None, origin: str = Origin.LOCAL, **fields: Any
) -> Customer:
    """Create a customer (or a sub-customer, with ``parent=``) from keyword fields.

    ``fields`` are Customer field names (``email``, ``parent``, ``customer_type``, ``credit_limit`` ...);
    balance and depth are derived and cannot be given. Raises ``ValidationError`` and writes nothing
    when a rule fails.
    """
    _check_field_names(fields)
    with transaction.atomic():
        customer = Customer()
        for name, value in {"display_name": display_name, **fields}.items():
            _set(customer, name, _tidy(name, value))
        if customer.parent_id is not None:
            lock_tree(customer_id=None, parent_id=customer.parent_id)
        customer_validate(customer=customer, origin=origin)
        customer.depth = depth_under(customer.parent_id)
        _save(customer, force_insert=True)
        outbox_record(instance=customer, operation=Operation.CREATE, actor=actor, origin=origin)
    return customer


def customer_update(
    *, customer: Customer, changes: dict[str, Any], actor: Actor = None, origin: str = Origin.LOCAL
) -> Customer:
    """Apply ``changes`` (field name -> new value) to ``customer`` and return it refreshed.

    Only fields whose value really changes are written and listed in the outbox row; when nothing
    changes nothing is written. A new ``parent`` re-checks the tree and re-depths the sub-customers;
    ``is_active=False`` deactivates the sub-customers too (see ``customer_deactivate``).
    """
    _check_field_names(changes)
    with transaction.atomic():
        if "parent" in changes:
            lock_tree(customer_id=customer.pk, parent_id=_pk_of(changes["parent"]))
        locked = Customer.objects.select_for_update().get(pk=customer.pk)
        if origin == Origin.QBO and locked.merged_into_id is not None:
            return customer  # merged away: QuickBooks' later edits of it never bring it back
        changed = []
        for name, value in changes.items():
            value = _tidy(name, value)
            if _differs(locked, name, value):
                _set(locked, name, value)
                changed.append(name)
        if changed:
            customer_validate(customer=locked, origin=origin)
            if "parent" in changed:
                locked.depth = depth_under(locked.parent_id)
            _save(locked, update_fields=[*changed, "depth", "updated_at"])
            if "parent" in changed:
                store_subtree_depths(customer=locked)
            outbox_record(
                instance=locked,
                operation=Operation.UPDATE,
                changed_fields=changed,
                actor=actor,
                origin=origin,
            )
            if "is_active" in changed and not locked.is_active:
                deactivate_sub_customers(customer=locked, actor=actor, origin=origin)
    customer.refresh_from_db()
    return customer


def customer_set_parent(
    *,
    customer: Customer,
    parent: Customer | None,
    bill_with_parent: bool | None = None,
    actor: Actor = None,
    origin: str = Origin.LOCAL,
) -> Customer:
    """Make ``customer`` a sub-customer of ``parent`` (or top level with ``parent=None``).

    Refuses a customer under itself or under its own sub-customer, more than 4 levels of
    sub-customers, and (locally) an inactive parent. Moving to top level also stops billing with
    the parent; ``bill_with_parent=None`` keeps the current setting otherwise.
    """
    changes: dict[str, Any] = {"parent": parent}
    if parent is None:
        changes["bill_with_parent"] = False
    elif bill_with_parent is not None:
        changes["bill_with_parent"] = bill_with_parent
    return customer_update(customer=customer, changes=changes, actor=actor, origin=origin)


def customer_deactivate(
    *, customer: Customer, actor: Actor = None, origin: str = Origin.LOCAL
) -> list[Customer]:
    """Make ``customer`` and all its sub-customers inactive (QuickBooks' stand-in for deleting).

    Refused, for local changes, while the customer or any sub-customer has a non-zero balance.
    Returns the customers deactivated, ``customer`` first; [] if it was already inactive.
    """
    with transaction.atomic():
        lock_tree(customer_id=customer.pk, parent_id=None)
        locked = Customer.objects.get(pk=customer.pk)
        if not locked.is_active:
            return []
        if origin == Origin.LOCAL and (problems := deactivation_errors(customer=locked)):
            raise ValidationError({"is_active": problems})
        locked.is_active = False
        locked.save(update_fields=["is_active", "updated_at"])
        outbox_record(
            instance=locked,
            operation=Operation.DEACTIVATE,
            changed_fields=["is_active"],
            actor=actor,
            origin=origin,
        )
        below = deactivate_sub_customers(customer=locked, actor=actor, origin=origin)
    customer.refresh_from_db()
    return [customer, *below]


def customer_reactivate(
    *,
    customer: Customer,
    include_sub_customers: bool = False,
    actor: Actor = None,
    origin: str = Origin.LOCAL,
) -> list[Customer]:
    """Make ``customer`` active again (and, if asked, its inactive sub-customers).

    A sub-customer of an inactive parent cannot be reactivated before its parent, and a customer
    merged into another stays inactive. Returns the customers reactivated.
    """
    with transaction.atomic():
        locked = Customer.objects.select_for_update().get(pk=customer.pk)
        candidates = [locked]
        if include_sub_customers:
            candidates += list(
                Customer.objects.select_for_update()
                .filter(pk__in=customer_descendant_ids(customer=locked), merged_into__isnull=True)
                .order_by("depth", "pk")
            )
        reactivated = []
        # Parents come before their sub-customers, so each parent is active by the time its
        # sub-customers are checked.
        for candidate in candidates:
            if candidate.is_active or (origin == Origin.QBO and candidate.merged_into_id is not None):
                continue  # a merged-away customer stays inactive whatever QuickBooks sends
            if origin == Origin.LOCAL and (problems := reactivation_errors(customer=candidate)):
                raise ValidationError({"is_active": problems})
            candidate.is_active = True
            candidate.save(update_fields=["is_active", "updated_at"])
            outbox_record(
                instance=candidate,
                operation=Operation.UPDATE,
                changed_fields=["is_active"],
                actor=actor,
                origin=origin,
            )
            reactivated.append(candidate)
    customer.refresh_from_db()
    return reactivated


def customer_set_balance(
    *, customer: Customer, balance: Decimal, actor: Actor = None, origin: str = Origin.LOCAL
) -> Customer:
    """Store the customer's derived balance (from the sales ledger, or QuickBooks' on pull).

    No outbox row: QuickBooks computes a customer's Balance from its own transactions and does not
    accept one, so there is nothing to push. ``actor`` and ``origin`` are accepted so callers can pass
    the same keywords as to every other service.
    """
    if not isinstance(balance, Decimal):
        raise TypeError("A balance is money: pass a Decimal, never a float.")
    if balance != balance.quantize(CENT):
        raise ValueError(f"A balance has at most 2 decimal places, got {balance}.")
    with transaction.atomic():
        locked = Customer.objects.select_for_update().only("pk", "balance").get(pk=customer.pk)
        if locked.balance != balance:
            locked.balance = balance
            # Only the balance: updated_at tracks edits to the customer's details, not account activity.
            locked.save(update_fields=["balance"])
    customer.balance = balance
    return customer


def customer_delete(*, customer: Customer, actor: Actor = None, origin: str = Origin.LOCAL) -> None:
    """Delete a customer that nothing refers to (no sales, payments, sub-customers ...).

    Refused otherwise with the reason in words; deactivating is the usual way to retire a
    customer, since QuickBooks itself never deletes one.
    """
    with transaction.atomic():
        refusal = customer_delete_refusal(customer=customer)
        if refusal:
            raise ValidationError(refusal)
        # Recorded before the row goes, while it still has its id; the engine deactivates it in QuickBooks.
        outbox_record(
            instance=customer,
            operation=Operation.DELETE,
            details={"display_name": customer.display_name},
            actor=actor,
            origin=origin,
        )
        customer.delete()


def _check_field_names(fields: dict[str, Any]) -> None:
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise TypeError(f"Not customer fields a service can set: {', '.join(sorted(unknown))}")


def _tidy(name: str, value: Any) -> Any:
    # Stray spaces around a name would make "Acme " and "Acme" two customers to QuickBooks' eye.
    if isinstance(value, str) and isinstance(Customer._meta.get_field(name), models.CharField):
        return value.strip()
    return value


def _pk_of(value: Any) -> Any:
    return value.pk if isinstance(value, models.Model) else value


def _set(customer: Customer, name: str, value: Any) -> None:
    field = Customer._meta.get_field(name)
    if field.is_relation and not isinstance(value, models.Model) and value is not None:
        setattr(customer, field.attname, value)  # a primary key
    else:
        setattr(customer, name, value)


def _differs(customer: Customer, name: str, value: Any) -> bool:
    field = Customer._meta.get_field(name)
    if field.is_relation:
        return getattr(customer, field.attname) != _pk_of(value)
    return getattr(customer, name) != value


def _save(customer: Customer, **kwargs: Any) -> None:
    try:
        with transaction.atomic():  # a savepoint, so the outer transaction survives the error
            customer.save(**kwargs)
    except IntegrityError:
        # A concurrent save took the name between our check and our insert.
        clash = (
            Customer.objects.filter(display_name__iexact=customer.display_name)
            .exclude(pk=customer.pk)
            .values_list("display_name", flat=True)
            .first()
        )
        if clash is None:
            raise
        raise ValidationError({"display_name": duplicate_name_message(clash)}) from None
