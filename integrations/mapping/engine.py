"""Applying field mappings: a local record → a QuickBooks JSON fragment, and a QuickBooks entity →
the local field changes it implies. Pure functions; the sync engine and the preview call them.

``local`` is a plain dict keyed by local field name, as ``integrations.sync.snapshots`` builds it
(numbers as ``Decimal`` or numeric strings, dates as ``date`` or ISO strings, custom fields under
``custom_fields``). ``mappings`` are any objects with the attributes of :class:`MappingSpec` (the
``FieldMapping`` model has them); only those of the given entity and direction are used.

Output towards QuickBooks is JSON-ready: numbers as JSON numbers, dates as ``YYYY-MM-DD``, empty
values left out (a full update clears what is left out; an engine doing sparse updates diffs
against the link's base). ``CustomField`` entries carry ``Name`` only: the gateway adds the
company's ``DefinitionId`` for that name. ``XRef.name`` values are QuickBooks names the engine turns
into ids (see :func:`named_refs`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from integrations.mapping.choices import RECEIVES, SENDS, ConflictPolicy, Direction
from integrations.mapping.fields import (
    BOOL,
    DATE,
    NUMBER,
    TEXT,
    WILDCARD,
    custom_name,
    local_field,
    qbo_field,
)
from integrations.mapping.transforms import TRANSFORMS, Context

_CUSTOM_VALUE_KEYS = ("StringValue", "NumberValue", "DateValue", "BooleanValue")


@dataclass(frozen=True)
class MappingSpec:
    """One field mapping, as the pure functions need it."""

    entity: str
    local_field: str
    qbo_path: str
    direction: str = Direction.BOTH
    conflict_policy: str = ConflictPolicy.NEWEST_WINS
    transform: str = "none"
    transform_args: Mapping[str, Any] = field(default_factory=dict)


def _chosen(entity: str, mappings: Iterable, directions) -> list:
    return [m for m in mappings if m.entity == entity and m.direction in directions]


def _named_customs(chosen: list) -> set[str]:
    """Custom field names a mapping of its own handles (either side): ``[*]`` leaves them alone."""
    names = {custom_name(m.local_field) for m in chosen} | {custom_name(m.qbo_path) for m in chosen}
    return names - {None, WILDCARD}


def local_value(local: Mapping[str, Any], name: str) -> Any:
    custom = custom_name(name)
    if custom is not None:
        return (local.get("custom_fields") or {}).get(custom)
    if name == "name":  # the composed name; name_order builds it, otherwise the display name
        return local.get("name") or local.get("display_name")
    return local.get(name)


def _number(value) -> Decimal | None:
    if isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def to_wire(value: Any, type_: str) -> Any:
    """A local value as QuickBooks JSON of the target type; ``None`` for empty."""
    if value is None or value == "":
        return None
    if type_ == NUMBER:
        number = _number(value)
        if number is None:
            return value
        # Whole numbers as JSON integers: QuickBooks reads codes such as TaxExemptionReasonId as text.
        return int(number) if number == number.to_integral_value() else float(number)
    if type_ == DATE:
        return value.isoformat()[:10] if isinstance(value, date | datetime) else str(value)[:10]
    if type_ == BOOL:
        return value if isinstance(value, bool) else str(value).lower() == "true"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, date | datetime):
        return value.isoformat()
    return str(value)


def to_local(value: Any, type_: str) -> Any:
    """A QuickBooks value as the local field type; raises ``ValueError`` when it cannot be one."""
    if type_ == NUMBER:
        number = _number(value)
        if number is None:
            raise ValueError(value)
        return number
    if type_ == DATE:
        return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
    if type_ == BOOL:
        return value if isinstance(value, bool) else str(value).lower() == "true"
    return "" if value is None else to_wire(value, TEXT)


def _put(doc: dict, path: str, value: Any) -> None:
    *parents, last = path.split(".")
    node = doc
    for part in parents:
        node = node.setdefault(part, {})
    node[last] = value


def _get(doc: Mapping[str, Any], path: str) -> tuple[bool, Any]:
    node: Any = doc
    for part in path.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return False, None
        node = node[part]
    return True, node


def qbo_custom_fields(qbo_doc: Mapping[str, Any]) -> dict[str, Any]:
    """``CustomField`` list → ``{name: value}`` (entries without a name or value are left out)."""
    found = {}
    for entry in qbo_doc.get("CustomField") or []:
        value = next((entry[key] for key in _CUSTOM_VALUE_KEYS if entry.get(key) not in (None, "")), None)
        if entry.get("Name") and value is not None:
            found[entry["Name"]] = value
    return found


def build_qbo_fields(
    entity: str, local: Mapping[str, Any], mappings: Iterable, *, value_maps: Mapping | None = None
) -> dict:
    """The QuickBooks JSON fragment the mappings send for one local record (scalar fields only)."""
    doc: dict = {}
    customs: dict[str, Any] = {}
    chosen = _chosen(entity, mappings, SENDS)
    named = _named_customs(chosen)
    for m in chosen:
        target, transform = qbo_field(entity, m.qbo_path), TRANSFORMS.get(m.transform)
        if target is None or target.managed or target.read_only or transform is None:
            continue  # validation refuses these at save time; never send them
        ctx = Context(record=local, max_length=target.max_length, value_maps=value_maps or {})
        if custom_name(m.qbo_path) == WILDCARD:
            for name, value in (local.get("custom_fields") or {}).items():
                if name not in named:
                    customs[name] = to_wire(transform.to_qbo(value, m.transform_args, ctx), TEXT)
            continue
        value = to_wire(
            transform.to_qbo(local_value(local, m.local_field), m.transform_args, ctx), target.type
        )
        if value is None:
            continue
        name = custom_name(m.qbo_path)
        if name is not None:
            customs[name] = value
        else:
            _put(doc, m.qbo_path, value)
    entries = [
        {"Name": name, "Type": "StringType", "StringValue": value}
        for name, value in sorted(customs.items())
        if value is not None
    ]
    if entries:
        doc["CustomField"] = entries
    return doc


def local_changes_from_qbo(
    entity: str, qbo_doc: Mapping[str, Any], mappings: Iterable, *, value_maps: Mapping | None = None
) -> dict:
    """Local field → new value, from a full QuickBooks entity, for the mappings that receive.

    QuickBooks leaves empty attributes out of its answers, so absent text means empty (``""``);
    absent numbers, dates and yes/no values are left unchanged (not in the result). Custom fields
    come back under ``custom_fields`` as ``{name: value}`` for the names mapped: merge, do not replace.
    """
    changes: dict[str, Any] = {}
    customs: dict[str, Any] = {}
    chosen = _chosen(entity, mappings, RECEIVES)
    named = _named_customs(chosen)
    for m in chosen:
        source, target = qbo_field(entity, m.qbo_path), local_field(entity, m.local_field)
        transform = TRANSFORMS.get(m.transform)
        if source is None or target is None or target.read_only or source.managed:
            continue
        if transform is None or transform.from_qbo is None:
            continue
        ctx = Context(record=qbo_doc, max_length=target.max_length, value_maps=value_maps or {})
        if custom_name(m.local_field) == WILDCARD:
            for name, value in qbo_custom_fields(qbo_doc).items():
                if name not in named:
                    customs[name] = to_local(transform.from_qbo(value, m.transform_args, ctx), TEXT)
            continue
        remote = custom_name(m.qbo_path)
        if remote is not None:
            value = qbo_custom_fields(qbo_doc).get(remote)
            present = value is not None
        else:
            present, value = _get(qbo_doc, m.qbo_path)
        value = transform.from_qbo(value, m.transform_args, ctx)
        if not present and target.type != TEXT and value in (None, ""):
            continue
        try:
            converted = to_local(value, target.type)
        except ValueError:
            continue  # QuickBooks sent something that is not a number/date: leave the field alone
        name = custom_name(m.local_field)
        if name is not None:
            customs[name] = converted
        else:
            changes[m.local_field] = converted
    if customs:
        changes["custom_fields"] = customs
    return changes


def sent_fields(entity: str, mappings: Iterable) -> list[str]:
    """The local fields whose values the mappings send (what a re-push should consider changed)."""
    return sorted({m.local_field for m in _chosen(entity, mappings, SENDS)})


def conflict_winner(policy: str, *, local_updated: datetime | None, qbo_updated: datetime | None) -> str:
    """Who wins when both sides changed a field since the last sync: ``local``, ``qbo`` or ``ask``.

    Newest wins falls back to asking when a time is unknown; an exact tie goes to QuickBooks, the
    books of record.
    """
    if policy == ConflictPolicy.QBO_WINS:
        return "qbo"
    if policy == ConflictPolicy.LOCAL_WINS:
        return "local"
    if policy == ConflictPolicy.NEWEST_WINS and local_updated and qbo_updated:
        return "local" if local_updated > qbo_updated else "qbo"
    return "ask"


def named_refs(doc: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    """References given by QuickBooks name only (``{"PaymentMethodRef": {"name": "Visa"}}``) → path: name.

    The engine looks these names up (accounts, payment methods, tax codes …) and sets ``value``.
    """
    found = {}
    for key, value in doc.items():
        if not isinstance(value, Mapping):
            continue
        path = f"{prefix}{key}"
        if key.endswith("Ref") and value.get("name") and not value.get("value"):
            found[path] = value["name"]
        else:
            found.update(named_refs(value, f"{path}."))
    return found


def qbo_json(doc: Any) -> str:
    """Pretty JSON for people (the preview); decimals and dates as QuickBooks writes them."""

    def _plain(value):
        if isinstance(value, Decimal):
            return float(value)
        if isinstance(value, date | datetime):
            return value.isoformat()
        raise TypeError(type(value).__name__)

    return json.dumps(doc, indent=2, ensure_ascii=False, default=_plain)
