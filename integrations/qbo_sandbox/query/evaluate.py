"""Run a parsed ``Query`` over QBO JSON documents: filter, order, project.

Comparison rules (spec §4.7):
- a property missing from the document (or null, or a list) is NULL: every comparison with it is
  false, ``!=`` and ``IN`` included;
- reference properties (``CustomerRef``...) compare on their ``value``; ``PrimaryEmailAddr`` on
  ``Address``, phones on ``FreeFormNumber``, ``WebAddr`` on ``URI``;
- ``Id`` and ``*Ref`` values compare numerically when both sides are numbers, else as text;
- ``MetaData.CreateTime`` / ``LastUpdatedTime`` compare as instants (bare dates are midnight and
  naive datetimes are local time, in the company's time zone); ``*Date`` properties compare on the
  ``YYYY-MM-DD`` date;
- JSON numbers compare numerically, JSON booleans with true/false (any case, quoted or not);
- text compares case-insensitively; ``LIKE`` supports ``%`` only (``_`` is a literal);
- ``ItemRef`` on a sales form is true when any item line's item satisfies the condition.
``matches`` also applies QBO's default filter: a name-list query whose WHERE clause does not
mention ``Active`` keeps only documents whose ``Active`` is not false.
"""

from __future__ import annotations

import re
from decimal import Decimal

from .parser import Condition, Query
from .schema import LINE_PROPERTIES, NAME_LIST_ENTITIES
from .values import as_bool, as_decimal, as_text, date_text, field_kind, is_numeric_text, parse_datetime

_SCALAR_KEYS = ("value", "Address", "FreeFormNumber", "URI")
_LINE_ITEM_REFS = (("SalesItemLineDetail", "ItemRef"), ("GroupLineDetail", "GroupItemRef"))


def _scalar(value: object) -> object:
    if isinstance(value, dict):
        for key in _SCALAR_KEYS:
            if key in value:
                return value[key]
        return None
    if isinstance(value, list):
        return None
    return value


def field_values(doc: dict, field: str) -> list[object]:
    """The comparable values of ``field`` in ``doc``: [] is NULL; several only for line properties."""
    if field in LINE_PROPERTIES:
        found = []
        for line in doc.get("Line") or []:
            if not isinstance(line, dict):
                continue
            for detail_key, ref_key in _LINE_ITEM_REFS:
                detail = line.get(detail_key)
                if isinstance(detail, dict):
                    value = _scalar(detail.get(ref_key))
                    if value is not None:
                        found.append(value)
        return found
    node: object = doc
    for part in field.split("."):
        node = node.get(part) if isinstance(node, dict) else None
    value = _scalar(node)
    return [] if value is None else [value]


def _cmp(left: object, right: object) -> int:
    return (left > right) - (left < right)  # type: ignore[operator]


def compare(kind: str, doc_value: object, literal: object, tz: str) -> int | None:
    """-1/0/1 ordering of a document value against a query literal; None when incomparable."""
    if kind == "datetime":
        left, right = parse_datetime(doc_value, tz), parse_datetime(literal, tz)
        return None if left is None or right is None else _cmp(left, right)
    if kind == "date" and isinstance(doc_value, str):
        left_text, right_text = date_text(doc_value), date_text(literal)
        if left_text is not None and right_text is not None:
            return _cmp(left_text, right_text)
        return None
    if isinstance(doc_value, bool):
        wanted = as_bool(literal)
        return None if wanted is None else _cmp(int(doc_value), int(wanted))
    if isinstance(doc_value, int | float | Decimal):
        number = as_decimal(literal)
        return None if number is None else _cmp(Decimal(str(doc_value)), number)
    if isinstance(doc_value, str):
        if kind == "ref" and is_numeric_text(doc_value):
            number = as_decimal(literal)
            if number is not None:
                return _cmp(Decimal(doc_value), number)
        return _cmp(doc_value.lower(), as_text(literal).lower())
    return None


def like_pattern(pattern: str) -> re.Pattern[str]:
    parts = (re.escape(piece) for piece in pattern.split("%"))
    return re.compile(".*".join(parts), re.IGNORECASE | re.DOTALL)


def _holds(kind: str, doc_value: object, cond: Condition, tz: str) -> bool:
    if cond.op == "LIKE":
        return isinstance(doc_value, str) and like_pattern(str(cond.value)).fullmatch(doc_value) is not None
    if cond.op == "IN":
        literals = cond.value if isinstance(cond.value, tuple) else (cond.value,)
        return any(compare(kind, doc_value, literal, tz) == 0 for literal in literals)
    order = compare(kind, doc_value, cond.value, tz)
    if order is None:
        return False
    return {
        "=": order == 0,
        "!=": order != 0,
        "<": order < 0,
        ">": order > 0,
        "<=": order <= 0,
        ">=": order >= 0,
    }[cond.op]


def condition_holds(query: Query, cond: Condition, doc: dict) -> bool:
    kind = field_kind(cond.field)
    return any(_holds(kind, value, cond, query.company_tz) for value in field_values(doc, cond.field))


def default_active_filter(query: Query) -> bool:
    """True when QBO's implicit ``Active = true`` applies to this query."""
    mentions = query.mentions_active or any(c.field == "Active" for c in query.conditions)
    return query.entity in NAME_LIST_ENTITIES and not mentions


def matches(query: Query, doc: dict) -> bool:
    """Whether ``doc`` satisfies every WHERE condition (and the default Active filter)."""
    if default_active_filter(query) and doc.get("Active") is False:
        return False
    return all(condition_holds(query, cond, doc) for cond in query.conditions)


def _sort_key(kind: str, values: list[object], tz: str) -> tuple:
    """Orders NULL first, then booleans, numbers, instants, text; never compares across ranks."""
    if not values:
        return (0,)
    value = values[0]
    if kind == "datetime":
        instant = parse_datetime(value, tz)
        if instant is not None:
            return (3, instant.timestamp())
    if isinstance(value, bool):
        return (1, int(value))
    if isinstance(value, int | float | Decimal):
        return (2, Decimal(str(value)))
    if isinstance(value, str):
        if kind == "ref" and is_numeric_text(value):
            return (2, Decimal(value))
        return (4, value.lower())
    return (5, repr(value))


def _id_key(doc: dict) -> tuple:
    raw = str(doc.get("Id", ""))
    return (0, int(raw), "") if raw.isdigit() else (1, 0, raw)


def sort_documents(query: Query, docs: list[dict]) -> list[dict]:
    """ORDER BY (NULLs first ascending, last descending), ties and the default by numeric Id."""
    ordered = sorted(docs, key=_id_key)
    for field, descending in reversed(query.order_by):
        kind = field_kind(field)

        def key(doc: dict, field: str = field, kind: str = kind) -> tuple:
            return _sort_key(kind, field_values(doc, field), query.company_tz)

        ordered.sort(key=key, reverse=descending)
    return ordered


def project(query: Query, doc: dict) -> dict:
    """``SELECT *`` (with or without extras) returns ``doc`` itself; an explicit field list returns
    only those properties (dotted ones nested) plus ``Id``, marked ``sparse: true``."""
    if query.fields is None:
        return doc
    out: dict = {}
    for field in ("Id", *query.fields):
        node: object = doc
        parts = field.split(".")
        for part in parts:
            node = node.get(part) if isinstance(node, dict) else None
        if node is None:
            continue
        target = out
        for part in parts[:-1]:
            target = target.setdefault(part, {})
        target[parts[-1]] = node
    out["sparse"] = True
    return out
