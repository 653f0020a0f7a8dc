"""INSERTs for the import's fresh rows: what ``QuerySet.bulk_create`` does, for a fraction of its CPU.

``bulk_create`` compiles every value through several layers of the SQL compiler; at 100,000
customers and invoices that was the largest single cost of an import (about a third of its CPU).
Here each column gets one converter, chosen once: text, integers, booleans and foreign keys that
already hold the right Python type pass through as they are, decimals and aware datetimes go
straight to the backend's adapter (the last step of ``get_db_prep_save``); every other value
(dates, JSON, anything unexpected) goes through the field's own ``get_db_prep_save``, exactly as
Django would. ``auto_now``/``auto_now_add`` are honoured through ``pre_save``. Primary keys come back with
``RETURNING``, in order, as ``bulk_create`` relies on too; without it, this is ``bulk_create``. On
PostgreSQL the rows travel as one array per column (``UNNEST``), as ``bulk_create`` sends them there.
No signals are sent (neither does ``bulk_create``).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.db import connections, router

_TEXT = {"CharField", "TextField", "SlugField"}
_WHOLE = {
    "IntegerField",
    "BigIntegerField",
    "SmallIntegerField",
    "PositiveIntegerField",
    "PositiveBigIntegerField",
    "PositiveSmallIntegerField",
    "ForeignKey",
    "OneToOneField",
}


def _converter(field, connection):
    kind = field.get_internal_type()
    if kind == "ForeignKey" or kind == "OneToOneField":
        kind = field.target_field.get_internal_type()
        if kind in ("AutoField", "BigAutoField", "SmallAutoField"):
            kind = "IntegerField"

    def slow(value):
        return field.get_db_prep_save(value, connection)

    if not type(field).__module__.startswith("django."):
        return slow  # a custom field (encrypted, say) may prepare values its own way
    if kind in _TEXT:
        return lambda value: value if value is None or type(value) is str else slow(value)
    if kind in _WHOLE:
        return lambda value: value if value is None or type(value) is int else slow(value)
    if kind == "BooleanField":
        return lambda value: value if value is None or type(value) is bool else slow(value)
    ops = connection.ops
    if kind == "DecimalField":  # what get_db_prep_save does once a value is a Decimal already
        digits, places = field.max_digits, field.decimal_places
        return lambda value: (
            ops.adapt_decimalfield_value(value, digits, places)
            if type(value) is Decimal and value.is_finite()
            else slow(value)
        )
    if kind == "DateTimeField":  # likewise for an aware datetime (a naive one warns, through Django)
        return lambda value: (
            ops.adapt_datetimefield_value(value)
            if type(value) is datetime and value.tzinfo is not None
            else slow(value)
        )
    return slow


def _unnest_types(fields, connection) -> list[str]:
    """PostgreSQL array types to insert ``fields`` through UNNEST, or [] where that cannot be used
    (another database, or a field whose placeholder depends on its value, as Django decides)."""
    if connection.vendor != "postgresql":
        return []
    for field in fields:
        target = field.target_field if field.is_relation else field
        if hasattr(field, "get_placeholder") or target.get_internal_type() not in connection.data_types:
            return []
    # Without the length, so no value is cut to fit (varchar[] rather than varchar(50)[]).
    return [field.db_type(connection).split("(")[0] for field in fields]


def insert(model, objs: list) -> None:
    """Insert new instances (no primary key yet) and set their primary keys."""
    if not objs:
        return
    connection = connections[router.db_for_write(model)]
    if not connection.features.can_return_rows_from_bulk_insert:
        model._default_manager.bulk_create(objs, batch_size=1000)
        return
    meta = model._meta
    fields = [f for f in meta.concrete_fields if f is not meta.pk]
    stamped = [f for f in fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)]
    convert = [(f.attname, _converter(f, connection)) for f in fields]
    ops = connection.ops
    columns = ", ".join(ops.quote_name(f.column) for f in fields)
    head = f"INSERT INTO {ops.quote_name(meta.db_table)} ({columns})"
    key = ops.quote_name(meta.pk.column)
    unnest = _unnest_types(fields, connection)
    if unnest:
        # PostgreSQL: one array parameter per column, as Django's own bulk_create does there. The
        # statement stays short and the same for every batch, so psycopg parses it once instead of
        # scanning tens of thousands of placeholders per batch (a third of the import's CPU).
        size = 5000
        arrays = ", ".join(f"(%s)::{db_type}[]" for db_type in unnest)
        sql = f"{head} SELECT * FROM UNNEST({arrays}) RETURNING {key}"  # noqa: S608
    else:
        # 1000 rows a statement, fewer where the backend limits parameters (SQLite: 999 per statement).
        size = max(1, min(ops.bulk_batch_size(fields, objs), 1000, 65000 // len(fields)))
        row_marks = "(" + ", ".join(["%s"] * len(fields)) + ")"
    for start in range(0, len(objs), size):
        batch = objs[start : start + size]
        rows: list[list] = []
        for obj in batch:
            for field in stamped:
                field.pre_save(obj, add=True)
            rows.append([conv(getattr(obj, attname)) for attname, conv in convert])
        # Names come from the model's own meta, quoted; every value is a bound parameter.
        if unnest:
            statement, params = sql, [list(column) for column in zip(*rows, strict=True)]
        else:
            statement = f"{head} VALUES {', '.join([row_marks] * len(batch))} RETURNING {key}"
            params = [value for row in rows for value in row]
        with connection.cursor() as cursor:
            cursor.execute(statement, params)
            new_keys = [row[0] for row in cursor.fetchall()]
        for obj, new_key in zip(batch, new_keys, strict=True):
            setattr(obj, meta.pk.attname, new_key)
            obj._state.adding, obj._state.db = False, connection.alias
