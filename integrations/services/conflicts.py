"""Resolving a sync conflict: both sides changed one field since they last agreed.

*Keep SyncPortal* pushes our value over QuickBooks'; *Keep QuickBooks* applies QuickBooks' value here
through the domain services with ``origin=QBO`` (so no outbox row: nothing echoes back); *Edit* saves
a value a person typed, here, and pushes it. Each stores QuickBooks' value as the field's
agreed ``base`` (keyed by the conflict's local field name), so our kept or typed value reads as a
change made here. The push row carries ``conflict``: the engine first takes in QuickBooks' edits to
other fields made meanwhile, then sends a sparse update (``sync/overwrite.py``); only the settled
field and our other pending changes reach QuickBooks, never a whole-record overwrite.
"""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from customers.models import Customer
from customers.services import customer_update
from customers.services.validation import EDITABLE_FIELDS
from integrations.mapping.fields import custom_name
from integrations.models.sync import QBOLink, SyncConflict
from integrations.sync.plan import ENTITY_MODELS
from sales.models import Sale
from sales.services.sales import sale_update
from syncportal.outbox.services import Operation, Origin, outbox_record

KEPT_LOCAL, KEPT_QBO, EDITED = "kept_local", "kept_qbo", "edited"
SALE_FIELDS = {"memo", "customer_po", "discount_percent", "due_date"}


def _as_sale_value(field: str, value: Any) -> Any:
    if value in (None, ""):
        return "" if field in {"memo", "customer_po"} else None
    try:
        if field == "discount_percent":
            return Decimal(str(value))
        if field == "due_date":
            return value if isinstance(value, datetime.date) else datetime.date.fromisoformat(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationError(f"“{value}” is not a valid {field.replace('_', ' ')}.") from None
    return str(value)


def _apply(record, field: str, value: Any, *, origin: str, actor) -> None:
    """Set one field through the record's own service (its validation, its outbox rules)."""
    custom = custom_name(field)
    if isinstance(record, Customer) and custom:
        # A custom field shared by name: only that name changes, the others stay as they are.
        customs = {**(record.custom_fields or {}), custom: "" if value is None else str(value)}
        customer_update(customer=record, changes={"custom_fields": customs}, actor=actor, origin=origin)
        return
    if isinstance(record, Customer) and field in EDITABLE_FIELDS:
        model_field = Customer._meta.get_field(field)
        python_value = value if model_field.is_relation else model_field.to_python(value)
        customer_update(customer=record, changes={field: python_value}, actor=actor, origin=origin)
        return
    if isinstance(record, Sale) and field in SALE_FIELDS:
        sale_update(sale=record, **{field: _as_sale_value(field, value)}, actor=actor, origin=origin)
        return
    raise ValidationError(
        f"SyncPortal cannot set “{field}” of this record from here; change it on the record's page "
        "and choose Keep SyncPortal."
    )


def _load(conflict_id: int) -> tuple[SyncConflict, Any]:
    conflict = SyncConflict.objects.select_for_update().filter(pk=conflict_id).first()
    if conflict is None or conflict.status != SyncConflict.Status.OPEN:
        raise ValidationError("This conflict was already resolved; nothing was changed.")
    model = ENTITY_MODELS.get(conflict.entity)
    record = model.objects.filter(pk=conflict.object_id).first() if model else None
    if record is None:
        raise ValidationError("The record no longer exists in SyncPortal; nothing was changed.")
    return conflict, record


def _agree(conflict: SyncConflict, value: Any, resolution: str, actor) -> None:
    link = (
        QBOLink.objects.select_for_update()
        .filter(connection_id=conflict.connection_id, entity=conflict.entity, object_id=conflict.object_id)
        .first()
    )
    if link is not None:
        # QuickBooks still holds its value: that is what both sides last agreed on. A value of ours
        # (kept or typed) then reads as a change made here, which the next push sends.
        # The base now speaks for the link's current token: fields pushed since read the same on
        # both sides, so only the settled field and edits made after this count as changes.
        link.base = {**(link.base or {}), conflict.field: conflict.qbo_value, "_sync_token": link.sync_token}
        link.save(update_fields=["base"])
    conflict.status = SyncConflict.Status.RESOLVED
    conflict.resolution = resolution
    conflict.resolved_value = value
    conflict.resolved_by = actor if getattr(actor, "pk", None) else None
    conflict.resolved_at = timezone.now()
    conflict.save(update_fields=["status", "resolution", "resolved_value", "resolved_by", "resolved_at"])


def _push_over_quickbooks(conflict: SyncConflict, record, actor) -> None:
    outbox_record(
        instance=record,
        operation=Operation.UPDATE,
        changed_fields=[conflict.field],
        details={"conflict": conflict.pk},
        actor=actor,
    )


@transaction.atomic
def conflict_keep_local(*, conflict_id: int, actor=None) -> SyncConflict:
    conflict, record = _load(conflict_id)
    _agree(conflict, conflict.local_value, KEPT_LOCAL, actor)
    _push_over_quickbooks(conflict, record, actor)
    return conflict


@transaction.atomic
def conflict_keep_qbo(*, conflict_id: int, actor=None) -> SyncConflict:
    conflict, record = _load(conflict_id)
    _apply(record, conflict.field, conflict.qbo_value, origin=Origin.QBO, actor=actor)
    _agree(conflict, conflict.qbo_value, KEPT_QBO, actor)
    return conflict


@transaction.atomic
def conflict_edit(*, conflict_id: int, value: Any, actor=None) -> SyncConflict:
    conflict, record = _load(conflict_id)
    _apply(record, conflict.field, value, origin=Origin.LOCAL, actor=actor)
    _agree(conflict, value, EDITED, actor)
    _push_over_quickbooks(conflict, record, actor)
    return conflict
