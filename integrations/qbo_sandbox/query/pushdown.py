"""Turn the simple parts of a query into a WHERE fragment over the sandbox's ``entity`` table.

The fragment only narrows: every row ``matches`` would keep satisfies it. The server must still run
``matches`` on each row it returns (re-checking a pushed condition is harmless), and adds its own
``realm = ? AND type = ? AND deleted = 0``. Column names are unqualified.

Pushed down (anything else is left to ``matches``):
- the implicit ``Active = true`` of a name-list query that does not mention Active -> ``active = 1``
- ``Id = n`` / ``Id IN (...)``                      -> ``id = ?`` / ``id IN (...)``
- ``Active = b`` / ``Active IN (...)``             -> ``active = ?`` / ``active IN (...)`` (1/0)
- ``DisplayName``/``Name`` (the entity's name field in ``schema.NAME_FIELD``) ``=`` / ``IN``
                                                   -> ``name = ?`` / ``name IN (...)``
- ``CustomerRef = n`` / ``IN`` on Invoice, SalesReceipt, Payment, CreditMemo, RefundReceipt
                                                   -> ``customer_id = ?`` / ``customer_id IN (...)``
- ``ParentRef = n`` / ``IN`` on Customer and Item  -> ``parent_id = ?`` / ``parent_id IN (...)``
- ``MetaData.LastUpdatedTime`` with = < > <= >=    -> ``updated_at >= ?`` and/or ``updated_at < ?``
Id/reference conditions are pushed only when every value is an integer or a string of digits.

What the server must keep true for this to be exact:
- ``id`` / ``customer_id`` / ``parent_id`` = ``int()`` of ``Id`` / ``CustomerRef.value`` /
  ``ParentRef.value``;
- ``active`` = 0 when the document's ``Active`` is false, else 1;
- ``name`` = ``doc[name field].strip().lower()`` (Python's str methods);
- ``updated_at`` starts with the UTC ``YYYY-MM-DDTHH:MM:SS`` of ``MetaData.LastUpdatedTime`` (any
  suffix — ``Z``, ``+00:00``, fractions — is fine: the bounds are whole-second prefixes).
"""

from __future__ import annotations

from datetime import timedelta

from .evaluate import default_active_filter
from .parser import Condition, Query
from .schema import NAME_FIELD
from .values import as_bool, as_int_id, as_text, parse_datetime, utc_second_bounds

_CUSTOMER_COLUMN_ENTITIES = frozenset({"Invoice", "SalesReceipt", "Payment", "CreditMemo", "RefundReceipt"})
_PARENT_COLUMN_ENTITIES = frozenset({"Customer", "Item"})
_SECOND = "%Y-%m-%dT%H:%M:%S"


def _column(entity: str, field: str) -> str | None:
    if field == "Id":
        return "id"
    if field == "Active":
        return "active"
    if field == NAME_FIELD.get(entity):
        return "name"
    if field == "CustomerRef" and entity in _CUSTOMER_COLUMN_ENTITIES:
        return "customer_id"
    if field == "ParentRef" and entity in _PARENT_COLUMN_ENTITIES:
        return "parent_id"
    return None


def _params(column: str, values: tuple) -> list | None:
    out = []
    for value in values:
        if column == "active":
            flag = as_bool(value)
            if flag is None:
                return None
            out.append(int(flag))
        elif column == "name":
            out.append(as_text(value).strip().lower())
        else:
            number = as_int_id(value)
            if number is None:
                return None
            out.append(number)
    return out


def _updated_at(query: Query, cond: Condition) -> list[tuple[str, str]]:
    if cond.op not in ("=", "<", ">", "<=", ">="):
        return []
    instant = parse_datetime(cond.value, query.company_tz)
    if instant is None:
        return []
    floor, ceiling = utc_second_bounds(instant)
    bounds = []
    if cond.op in ("=", ">", ">="):
        bounds.append(("updated_at >= ?", floor.strftime(_SECOND)))
    if cond.op in ("=", "<", "<="):
        bounds.append(("updated_at < ?", (ceiling + timedelta(seconds=1)).strftime(_SECOND)))
    return bounds


def sql_pushdown(query: Query) -> tuple[str, list] | None:
    """``(where_fragment, params)`` for the conditions listed in the module docstring, or None
    when none of them applies."""
    clauses: list[str] = []
    params: list = []
    if default_active_filter(query):
        clauses.append("active = 1")
    for cond in query.conditions:
        if cond.field == "MetaData.LastUpdatedTime":
            for clause, param in _updated_at(query, cond):
                clauses.append(clause)
                params.append(param)
            continue
        column = _column(query.entity, cond.field)
        if column is None or cond.op not in ("=", "IN"):
            continue
        values = cond.value if cond.op == "IN" else (cond.value,)
        if not isinstance(values, tuple) or not values:
            continue
        pushed = _params(column, values)
        if pushed is None:
            continue
        if len(pushed) == 1:
            clauses.append(f"{column} = ?")
        else:
            clauses.append(f"{column} IN ({', '.join('?' * len(pushed))})")
        params.extend(pushed)
    if not clauses:
        return None
    return " AND ".join(clauses), params
