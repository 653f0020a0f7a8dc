"""The checks every customer write runs, shared by the services, the admin form and the import.

Errors are keyed by field so a form shows each one next to the field it is about. The database
constraints on ``Customer`` stay as the last line of defence; these checks say the same in plain words.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from decimal import Decimal

from django.core.exceptions import ValidationError

from customers.models import MAX_DEPTH, Customer
from customers.selectors import customer_ancestor_ids, customer_descendant_ids, customer_subtree_levels
from syncportal.outbox.services import Origin

# Fields a service may set. Balance and depth are derived; merged_into belongs to the merge service.
EDITABLE_FIELDS = frozenset(
    field.name for field in Customer._meta.concrete_fields if field.editable and not field.primary_key
)
_CUSTOM_FIELD_VALUE_TYPES = (str, int, float, Decimal)


def customer_validate(*, customer: Customer, origin: str = Origin.LOCAL, exclude: Iterable[str] = ()) -> None:
    """Raise ``ValidationError`` (keyed by field) unless ``customer`` — new or changed, not yet saved —
    may be stored. ``exclude`` names fields that already failed elsewhere (e.g. in a form) and are skipped.

    Rules QuickBooks has already applied on its side (no deactivating with a balance, no active
    sub-customer under an inactive parent) are only checked for local changes: pulling QuickBooks'
    state must not be refused because the local copy lags behind it.
    """
    exclude = set(exclude)
    errors: dict[str, list[ValidationError]] = {}
    try:
        # Uniqueness and the check constraints are re-stated below with field keys and plainer words.
        customer.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    if any(error.code == "blank" for error in errors.get("display_name", [])):
        errors["display_name"] = [
            ValidationError("Enter a display name: QuickBooks needs a unique name for every customer.")
        ]
    for field, message in _rule_errors(customer, origin):
        if field not in errors and field not in exclude:
            errors[field] = [ValidationError(message, code="invalid")]
    if errors:
        raise ValidationError(errors)


def duplicate_name_message(name: str) -> str:
    return f"A customer named '{name}' already exists."


def _rule_errors(customer: Customer, origin: str) -> Iterator[tuple[str, str]]:
    name = (customer.display_name or "").strip()
    if name:
        clash = (
            Customer.objects.filter(display_name__iexact=name)
            .exclude(pk=customer.pk)
            .values_list("display_name", flat=True)
            .first()
        )
        if clash is not None:
            yield "display_name", duplicate_name_message(clash)
    if customer.tax_exempt and customer.tax_exemption_reason is None:
        yield (
            "tax_exemption_reason",
            "Choose a tax exemption reason: QuickBooks needs one for every tax-exempt customer.",
        )
    if customer.credit_limit is not None and customer.credit_limit < 0:
        yield "credit_limit", "The credit limit cannot be negative. Leave it blank for no limit."
    if customer.bill_with_parent and customer.parent_id is None:
        yield (
            "bill_with_parent",
            "Only a sub-customer can be billed with its parent: choose a parent customer or untick this.",
        )
    if not _custom_fields_ok(customer.custom_fields):
        yield (
            "custom_fields",
            'Custom fields must be names with plain values, e.g. {"Region": "North", "Account rep": "Sam"}.',
        )
    stored = (
        Customer.objects.filter(pk=customer.pk).values("is_active", "parent_id").first()
        if customer.pk is not None
        else None
    )
    parent_changed = stored is None or stored["parent_id"] != customer.parent_id
    if parent_changed:
        yield from _parent_errors(customer, origin)
    if stored is not None and origin == Origin.LOCAL and stored["is_active"] != customer.is_active:
        check = deactivation_errors if not customer.is_active else reactivation_errors
        for message in check(customer=customer):
            yield "is_active", message


def _custom_fields_ok(value) -> bool:
    if not isinstance(value, dict):
        return False
    return all(
        isinstance(key, str)
        and key.strip()
        and isinstance(item, _CUSTOM_FIELD_VALUE_TYPES)
        and not isinstance(item, bool)
        for key, item in value.items()
    )


def _parent_errors(customer: Customer, origin: str) -> Iterator[tuple[str, str]]:
    if customer.parent_id is None:
        return
    name = customer.display_name
    if customer.pk is not None and customer.parent_id == customer.pk:
        yield "parent", "A customer cannot be its own parent."
        return
    parent = Customer.objects.select_related("merged_into").filter(pk=customer.parent_id).first()
    if parent is None:
        return  # full_clean already reported the missing record
    chain = customer_ancestor_ids(customer_id=parent.pk)
    if customer.pk is not None and customer.pk in chain:
        yield "parent", f"'{name}' cannot be under '{parent}' because '{parent}' is already under '{name}'."
        return
    if parent.merged_into is not None:
        yield (
            "parent",
            f"'{parent}' was merged into '{parent.merged_into}'; choose '{parent.merged_into}' instead.",
        )
        return
    if origin == Origin.LOCAL and customer.is_active and not parent.is_active:
        yield "parent", f"'{parent}' is inactive. Reactivate it first or choose an active parent."
        return
    # The chain length is the new depth; counted from the rows, so a stale stored depth cannot mislead.
    levels_below = len(customer_subtree_levels(customer_id=customer.pk)) if customer.pk is not None else 0
    lowest = len(chain) + levels_below
    if lowest > MAX_DEPTH:
        what = "it" if levels_below == 0 else "its lowest sub-customer"
        yield (
            "parent",
            f"'{name}' cannot go under '{parent}': QuickBooks allows at most {MAX_DEPTH} levels of "
            f"sub-customers below a top-level customer, and this would put {what} {lowest} levels down.",
        )


def deactivation_errors(*, customer: Customer) -> list[str]:
    """Why ``customer`` (with its sub-customers, which go inactive with it) cannot be deactivated."""
    owing = list(
        Customer.objects.filter(pk__in=[customer.pk, *customer_descendant_ids(customer=customer)])
        .exclude(balance=0)
        .order_by("depth", "display_name")
        .values_list("pk", "display_name", "balance")
    )
    messages = []
    for pk, name, balance in owing[:3]:
        whose = f"'{name}'" if pk == customer.pk else f"Its sub-customer '{name}'"
        messages.append(
            f"{whose} has a balance of {balance:,.2f}, so '{customer.display_name}' cannot be deactivated: "
            "QuickBooks only deactivates customers whose balance is zero. Record the payment or credit first."
        )
    return messages


def reactivation_errors(*, customer: Customer) -> list[str]:
    """Why ``customer`` cannot be made active again."""
    if customer.merged_into_id is not None:
        return [
            f"'{customer}' was merged into another customer and stays inactive; use that customer instead."
        ]
    parent = Customer.objects.filter(pk=customer.parent_id).first() if customer.parent_id else None
    if parent is not None and not parent.is_active:
        return [
            f"'{customer}' is a sub-customer of '{parent}', which is inactive. Reactivate '{parent}' first."
        ]
    return []
