"""Changing the mapping configuration: validate, save in one transaction, audit before/after.

Every change to a field mapping, match rule or sync settings row goes through these functions, so
the admin, the import and code behave the same and each change leaves one ``ConfigChange`` row.
A re-sync of the records a change affects is a separate, explicit action (``resync_affected``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import models, transaction

from customers.models import CustomerType
from integrations.mapping.choices import Entity
from integrations.mapping.settings_validation import check_settings
from integrations.mapping.validation import Problem, check_mapping_set, check_match_rules, raise_errors
from integrations.models.mapping import ConfigChange, FieldMapping, MatchRule, SyncSettings
from integrations.selectors.config import (
    affected_queryset,
    mapping_specs,
    name_fields,
    options_from,
    qbo_customer_exists,
    sync_options,
)
from sales.models import TaxCode

_NOT_AUDITED = {"id", "updated_at"}


@dataclass(frozen=True)
class Saved:
    instance: models.Model
    warnings: tuple[str, ...] = ()


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def config_snapshot(instance: models.Model) -> dict:
    """The audited fields of a configuration row, JSON-ready."""
    return {
        f.attname: _plain(getattr(instance, f.attname))
        for f in instance._meta.concrete_fields
        if f.name not in _NOT_AUDITED
    }


def _summary(before: dict | None, after: dict | None) -> str:
    if before is None or after is None:
        return ""
    changed = [
        f"{key}: {before.get(key)!r} → {after.get(key)!r}"
        for key in after
        if before.get(key) != after.get(key)
    ]
    return "; ".join(changed)[:1000]


def config_change_record(
    *, actor, action: str, instance: models.Model, before: dict | None, after: dict | None, summary: str = ""
) -> ConfigChange:
    """Write one audit row. Call inside the transaction that makes the change."""
    return ConfigChange.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        model=instance._meta.label_lower,
        object_id=str(instance.pk or ""),
        object_repr=str(instance)[:200],
        before=before,
        after=after,
        summary=summary or _summary(before, after),
    )


def _audited_save(instance: models.Model, actor, warnings: Iterable[str] = ()) -> Saved:
    model = type(instance)
    before = config_snapshot(model.objects.get(pk=instance.pk)) if instance.pk else None
    after = config_snapshot(instance)
    if before == after:
        return Saved(instance, tuple(warnings))  # nothing changed: nothing to save or audit
    instance.save()
    action = ConfigChange.Action.CHANGED if before else ConfigChange.Action.CREATED
    config_change_record(
        actor=actor, action=action, instance=instance, before=before, after=config_snapshot(instance)
    )
    return Saved(instance, tuple(warnings))


def _audited_delete(instance: models.Model, actor) -> None:
    before = config_snapshot(instance)
    config_change_record(
        actor=actor, action=ConfigChange.Action.DELETED, instance=instance, before=before, after=None
    )
    instance.delete()


def _check_entity(entity: str, mappings: list) -> list[Problem]:
    return check_mapping_set(entity, mappings, name_fields=name_fields())


def mapping_set_problems(mapping: FieldMapping, *, deleting: bool = False) -> list[Problem]:
    """Problems the entity's mappings would have with this one saved (or deleted)."""
    rest = FieldMapping.objects.filter(entity=mapping.entity).exclude(pk=mapping.pk)
    if transaction.get_connection().in_atomic_block:
        rest = rest.select_for_update()
    problems = _check_entity(mapping.entity, [*rest] if deleting else [*rest, mapping])
    old_entity = FieldMapping.objects.filter(pk=mapping.pk).values_list("entity", flat=True).first()
    if not deleting and old_entity and old_entity != mapping.entity:
        problems += _check_entity(
            old_entity, [*FieldMapping.objects.filter(entity=old_entity).exclude(pk=mapping.pk)]
        )
    return problems


def mapping_save(*, mapping: FieldMapping, actor=None) -> Saved:
    """Validate one mapping on its own and with the rest of its entity's mappings, save, audit."""
    mapping.full_clean()
    with transaction.atomic():
        raise_errors(mapping_set_problems(mapping))
        return _audited_save(mapping, actor)


def mapping_delete(*, mapping: FieldMapping, actor=None) -> None:
    """Delete a mapping unless the rest would leave QuickBooks without a required field."""
    with transaction.atomic():
        raise_errors(mapping_set_problems(mapping, deleting=True))
        _audited_delete(mapping, actor)


def match_rule_problems(rule: MatchRule, *, deleting: bool = False) -> list[Problem]:
    """Problems (and warnings) the match rules would have with this one saved (or deleted)."""
    others = MatchRule.objects.exclude(pk=rule.pk)
    if transaction.get_connection().in_atomic_block:
        others = others.select_for_update()
    return check_match_rules([*others] if deleting else [*others, rule])


def match_rule_save(*, rule: MatchRule, actor=None) -> Saved:
    rule.full_clean()
    with transaction.atomic():
        problems = match_rule_problems(rule)
        raise_errors(problems)
        return _audited_save(rule, actor, [p.message for p in problems if p.warning])


def match_rule_delete(*, rule: MatchRule, actor=None) -> tuple[str, ...]:
    """Delete a match rule; returns warnings about the rules left (e.g. none left for sending)."""
    with transaction.atomic():
        problems = match_rule_problems(rule, deleting=True)
        raise_errors(problems)
        _audited_delete(rule, actor)
    return tuple(p.message for p in problems if p.warning)


def settings_problems(settings: SyncSettings) -> list[Problem]:
    """Everything wrong with a settings row, including default customers QuickBooks does not have."""
    return check_settings(
        options_from(settings),
        customer_types=CustomerType.objects.values_list("name", flat=True),
        tax_codes=TaxCode.objects.values_list("name", flat=True),
        customer_mappings=mapping_specs(Entity.CUSTOMER),
        customer_exists=lambda qbo_id: qbo_customer_exists(settings.realm_id, qbo_id),
    )


def settings_save(*, settings: SyncSettings, actor=None) -> Saved:
    """Validate and save one company's settings; warnings say what could not be checked."""
    settings.full_clean()
    problems = settings_problems(settings)
    raise_errors(problems)
    with transaction.atomic():
        return _audited_save(settings, actor, [p.message for p in problems if p.warning])


def settings_delete(*, settings: SyncSettings, actor=None) -> None:
    with transaction.atomic():
        _audited_delete(settings, actor)


def resync_affected_count(
    *, entities: Iterable[str], realm_id: str = "", since: date | None = None
) -> dict[str, int]:
    """How many local records a re-sync of these entities would queue (the confirmation's preview)."""
    options = sync_options(realm_id)
    return {entity: affected_queryset(entity, options, since=since).count() for entity in entities}
