"""Customer types (Retail, Wholesale ...), shared with QuickBooks as the customer's CustomerTypeRef."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction

from customers.models import CustomerType
from customers.selectors import customer_type_delete_refusal
from syncportal.outbox.services import Operation, Origin, outbox_record

Actor = AbstractBaseUser | None


def customer_type_create(*, name: str, actor: Actor = None, origin: str = Origin.LOCAL) -> CustomerType:
    """Create a customer type. Names are unique ignoring case ("retail" = "Retail")."""
    with transaction.atomic():
        customer_type = CustomerType(name=(name or "").strip())
        customer_type_validate(customer_type=customer_type)
        customer_type.save(force_insert=True)
        outbox_record(instance=customer_type, operation=Operation.CREATE, actor=actor, origin=origin)
    return customer_type


def customer_type_rename(
    *, customer_type: CustomerType, name: str, actor: Actor = None, origin: str = Origin.LOCAL
) -> CustomerType:
    """Rename a customer type; no outbox row when the name does not change."""
    name = (name or "").strip()
    if name == customer_type.name:
        return customer_type
    with transaction.atomic():
        customer_type.name = name
        customer_type_validate(customer_type=customer_type)
        customer_type.save(update_fields=["name"])
        outbox_record(
            instance=customer_type,
            operation=Operation.UPDATE,
            changed_fields=["name"],
            actor=actor,
            origin=origin,
        )
    return customer_type


def customer_type_delete(
    *, customer_type: CustomerType, actor: Actor = None, origin: str = Origin.LOCAL
) -> None:
    """Delete a customer type no customer uses; refused with a count otherwise."""
    with transaction.atomic():
        refusal = customer_type_delete_refusal(customer_type=customer_type)
        if refusal:
            raise ValidationError(refusal)
        outbox_record(
            instance=customer_type,
            operation=Operation.DELETE,
            details={"name": customer_type.name},
            actor=actor,
            origin=origin,
        )
        customer_type.delete()


def customer_type_validate(*, customer_type: CustomerType) -> None:
    """Raise ``ValidationError`` unless ``customer_type`` (unsaved changes included) may be stored."""
    customer_type.full_clean(validate_unique=False)
    clash = (
        CustomerType.objects.filter(name__iexact=customer_type.name)
        .exclude(pk=customer_type.pk)
        .values_list("name", flat=True)
        .first()
    )
    if clash is not None:
        raise ValidationError({"name": f"A customer type named '{clash}' already exists."})
