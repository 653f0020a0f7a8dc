"""Which value the merged customer keeps, field by field: groups, defaults, the plan and snapshots.

A choice is made per group where fields only make sense together (an address, a name, the tax
exemption, the parent) and per field otherwise; custom fields are a union, and a name both
customers use with different values is a choice of its own (``custom_fields.<name>``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder

from customers.models import Customer

SURVIVOR, DUPLICATE = "survivor", "duplicate"
CUSTOM_PREFIX = "custom_fields."
# Fields a merge never chooses: identity and derived values.
_NOT_CHOSEN = {"id", "custom_fields", "balance", "depth", "merged_into", "created_at", "updated_at"}
# Booleans where "either" is the sensible default: the merged customer stays active and synced if
# either record was.
_EITHER = {"is_active", "sync_with_quickbooks"}

GROUPS: dict[str, tuple[str, ...]] = {
    "name": ("title", "given_name", "middle_name", "family_name", "suffix"),
    "billing_address": (
        "bill_line1",
        "bill_line2",
        "bill_city",
        "bill_region",
        "bill_postal_code",
        "bill_country",
    ),
    "shipping_address": (
        "ship_line1",
        "ship_line2",
        "ship_city",
        "ship_region",
        "ship_postal_code",
        "ship_country",
    ),
    "tax": ("tax_exempt", "tax_exemption_reason", "resale_number"),
    "parent": ("parent", "bill_with_parent"),
}
GROUP_LABELS = {
    "name": "Name (title, first, middle, last, suffix)",
    "billing_address": "Billing address",
    "shipping_address": "Shipping address",
    "tax": "Tax exemption",
    "parent": "Parent customer",
}
_GROUP_OF = {name: group for group, names in GROUPS.items() for name in names}


def choosable_fields() -> list[str]:
    """Customer fields a merge decides, in model order."""
    return [f.name for f in Customer._meta.concrete_fields if f.name not in _NOT_CHOSEN and f.editable]


def choice_keys() -> list[str]:
    """The keys a person chooses: a group name for grouped fields, the field name otherwise."""
    keys: list[str] = []
    for name in choosable_fields():
        key = _GROUP_OF.get(name, name)
        if key not in keys:
            keys.append(key)
    return keys


def members(key: str) -> tuple[str, ...]:
    return GROUPS.get(key, (key,))


def label(key: str) -> str:
    if key.startswith(CUSTOM_PREFIX):
        return f"Custom field '{key[len(CUSTOM_PREFIX) :]}'"
    if key in GROUP_LABELS:
        return GROUP_LABELS[key]
    name = str(Customer._meta.get_field(key).verbose_name)
    return name[:1].upper() + name[1:]


def _empty(value: Any) -> bool:
    return value is None or value == "" or value is False


def default_choice(key: str, survivor: Customer, duplicate: Customer) -> str:
    """The survivor's value, unless it has none and the duplicate has one (or, for the "either"
    booleans, the duplicate's is on)."""
    names = members(key)
    if key in _EITHER:
        return DUPLICATE if getattr(duplicate, key) and not getattr(survivor, key) else SURVIVOR
    mine = [_raw(survivor, n) for n in names]
    theirs = [_raw(duplicate, n) for n in names]
    return DUPLICATE if all(_empty(v) for v in mine) and not all(_empty(v) for v in theirs) else SURVIVOR


def _raw(customer: Customer, name: str) -> Any:
    return getattr(customer, Customer._meta.get_field(name).attname)


@dataclass
class Choice:
    key: str
    label: str
    survivor: Any  # display values
    duplicate: Any
    chosen: str
    differs: bool


@dataclass
class MergePlan:
    """The merged customer's values and the choices that produced them."""

    values: dict[str, Any] = field(default_factory=dict)  # field name -> value (attname values for FKs)
    custom_fields: dict[str, Any] = field(default_factory=dict)
    choices: list[Choice] = field(default_factory=list)

    def resolved(self) -> dict[str, str]:
        """Every choice as stored in the audit record: key -> "survivor" | "duplicate"."""
        return {choice.key: choice.chosen for choice in self.choices}


def plan_merge(survivor: Customer, duplicate: Customer, choices: dict[str, str] | None = None) -> MergePlan:
    """Resolve ``choices`` (missing keys take ``default_choice``) into the survivor's new values.

    Raises ``ValidationError`` for a key that is not a choice or a side that is not
    "survivor"/"duplicate".
    """
    choices = dict(choices or {})
    custom_a, custom_b = dict(survivor.custom_fields or {}), dict(duplicate.custom_fields or {})
    conflicts = sorted(k for k in custom_a.keys() & custom_b.keys() if custom_a[k] != custom_b[k])
    keys = choice_keys()
    known = set(keys) | set(choosable_fields()) | {CUSTOM_PREFIX + k for k in conflicts}
    wrong = sorted(k for k in choices if k not in known)
    if wrong:
        raise ValidationError(f"Not something a merge can choose: {', '.join(wrong)}.")
    sides = {SURVIVOR, DUPLICATE}
    if any(side not in sides for side in choices.values()):
        raise ValidationError('Each choice is "survivor" or "duplicate".')

    plan = MergePlan()
    for key in keys:
        chosen = choices.get(key) or default_choice(key, survivor, duplicate)
        source = duplicate if chosen == DUPLICATE else survivor
        for name in members(key):
            # A single field inside a group may be chosen on its own (e.g. only "bill_line2").
            field_source = duplicate if choices.get(name, chosen) == DUPLICATE else source
            plan.values[Customer._meta.get_field(name).attname] = _raw(field_source, name)
        plan.choices.append(
            Choice(
                key,
                label(key),
                display(survivor, key),
                display(duplicate, key),
                chosen,
                differs=[_raw(survivor, n) for n in members(key)]
                != [_raw(duplicate, n) for n in members(key)],
            )
        )
    plan.custom_fields = {**custom_b, **custom_a}
    for name in conflicts:
        key = CUSTOM_PREFIX + name
        chosen = choices.get(key, SURVIVOR)
        plan.custom_fields[name] = custom_b[name] if chosen == DUPLICATE else custom_a[name]
        plan.choices.append(Choice(key, label(key), custom_a[name], custom_b[name], chosen, differs=True))
    return plan


def display(customer: Customer, key: str) -> str:
    """A choice's value as a person reads it: "12 Main St, Portland OR 97201", "Yes", "—"."""
    parts = []
    for name in members(key):
        model_field = Customer._meta.get_field(name)
        value = getattr(customer, name)
        if model_field.choices and value is not None:
            value = getattr(customer, f"get_{name}_display")()
        if isinstance(value, bool):
            value = (
                ("Yes" if value else "No")
                if len(members(key)) == 1
                else (model_field.verbose_name if value else "")
            )
        if value not in (None, ""):
            parts.append(str(value))
    return ", ".join(parts) if parts else "—"


# --- snapshots ------------------------------------------------------------------------------------

_SNAPSHOT_SKIP = {"id", "created_at", "updated_at"}


def snapshot(customer: Customer) -> dict[str, Any]:
    """Every stored value of ``customer`` (FKs by id), JSON-ready; ``restore_values`` reverses it."""
    values = {
        f.attname: f.value_from_object(customer)
        for f in Customer._meta.concrete_fields
        if f.name not in _SNAPSHOT_SKIP
    }
    return json.loads(json.dumps(values, cls=DjangoJSONEncoder))


def restore_values(data: dict[str, Any]) -> dict[str, Any]:
    """Snapshot JSON back to Python values (Decimal, dates ...), by attname."""
    by_attname = {f.attname: f for f in Customer._meta.concrete_fields}
    return {name: by_attname[name].to_python(value) for name, value in data.items() if name in by_attname}
