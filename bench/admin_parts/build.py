"""Builds the admin-at-scale data set on PostgreSQL with one INSERT ... SELECT generate_series per table.

Every concrete column gets a value: an expression given here, else the field's default rendered as a
SQL literal (Django keeps defaults in Python, not in the schema), else NULL. Ids are the series
number, so foreign keys can be computed (``1 + g % customers``) without reading anything back.
"""

from __future__ import annotations

import json
import time
from decimal import Decimal

from django.db import connection, models
from django.db.models.fields import NOT_PROVIDED

FIRST = ["'Ann'", "'Bob'", "'Cal'", "'Dee'", "'Eve'", "'Fay'", "'Gus'", "'Hal'", "'Ivy'", "'Jon'"]
LAST = ["'Smith'", "'Jones'", "'Brown'", "'Garcia'", "'Miller'", "'Davis'", "'Lopez'", "'Wilson'"]


def _pick(options: list[str], seed: str) -> str:
    return f"(ARRAY[{','.join(options)}])[1 + ({seed}) % {len(options)}]"


def _literal(field: models.Field) -> str:
    if field.default is not NOT_PROVIDED:
        value = field.default() if callable(field.default) else field.default
        if isinstance(field, models.JSONField):
            return "'" + json.dumps(value) + "'::jsonb"
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int | Decimal | float):
            return str(value)
        if isinstance(value, str):
            return "'" + value.replace("'", "''") + "'"
        return "now()"  # timezone.now and similar
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return "now()"
    if field.null:
        return "NULL"
    if isinstance(field, models.CharField | models.TextField):
        return "''"
    raise ValueError(f"{field.model.__name__}.{field.name} needs an expression")


def insert_series(model, count: int, expressions: dict[str, str]) -> float:
    """INSERT ``count`` rows of ``model`` (``g`` = 1..count is the series variable); returns seconds."""
    columns, values = [], []
    for field in model._meta.concrete_fields:
        columns.append(f'"{field.column}"')
        if field.name in expressions:
            values.append(expressions[field.name])
        elif field.primary_key:
            values.append("g")
        else:
            values.append(_literal(field))
    sql = (
        f'INSERT INTO "{model._meta.db_table}" ({", ".join(columns)}) '
        f"SELECT {', '.join(values)} FROM generate_series(1, {count}) AS g"
    )
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(sql)
        cursor.execute(f"SELECT setval(pg_get_serial_sequence('\"{model._meta.db_table}\"', 'id'), {count})")
    return time.perf_counter() - started


def build(sizes: dict[str, int]) -> dict[str, float]:
    from customers.models import Customer, DuplicateCandidate
    from integrations.models import QBOConnection, QBOLink, SyncEvent, SyncFailure
    from sales.models import Sale
    from syncportal.outbox.models import OutboxEntry

    n_customers, n_sales, n_events = sizes["customers"], sizes["sales"], sizes["events"]
    timings = {}
    timings["customers"] = insert_series(
        Customer,
        n_customers,
        {
            "display_name": f"{_pick(FIRST, 'g')} || ' ' || {_pick(LAST, 'g / 10')} || ' ' || g",
            "given_name": _pick(FIRST, "g"),
            "family_name": _pick(LAST, "g / 10"),
            "email": "'customer' || g || '@example.com'",
            "phone": "'(555) ' || lpad((g % 1000)::text, 3, '0') || '-' || lpad((g % 10000)::text, 4, '0')",
            "bill_postal_code": "lpad((g % 99999)::text, 5, '0')",
            "balance": "((g % 500) * 1.25)::numeric(12,2)",
            "is_active": "g % 10 <> 0",
            "created_at": "now() - (g % 900) * interval '1 day'",
            "updated_at": "now() - (g % 300) * interval '1 day'",
        },
    )
    timings["sales"] = insert_series(
        Sale,
        n_sales,
        {
            "number": "'S' || lpad(g::text, 8, '0')",
            "date": "(now() - (g % 730) * interval '1 day')::date",
            "kind": "CASE WHEN g % 3 = 0 THEN 'charge' ELSE 'cash' END",
            "customer": f"1 + g % {n_customers}",
            "subtotal": "((g % 400) + 1)::numeric(12,2)",
            "total": "((g % 400) + 1)::numeric(12,2)",
            "balance_due": "CASE WHEN g % 3 = 0 AND g % 2 = 0 THEN ((g % 400) + 1)::numeric(12,2) ELSE 0 END",
            "payment_method": "CASE WHEN g % 3 = 0 THEN '' ELSE 'card' END",
            "is_void": "g % 97 = 0",
        },
    )
    QBOConnection.objects.create(realm_id="9341450000000001", company_name="Bench Store", refresh_token="x")
    timings["events"] = insert_series(
        SyncEvent,
        n_events,
        {
            "connection": "1",
            "direction": "CASE WHEN g % 4 = 0 THEN 'pull' ELSE 'push' END",
            "entity": "CASE WHEN g % 2 = 0 THEN 'customers.customer' ELSE 'sales.sale' END",
            "object_id": f"1 + g % {n_customers}",
            "qbo_type": "CASE WHEN g % 2 = 0 THEN 'Customer' ELSE 'SalesReceipt' END",
            "qbo_id": "g::text",
            "operation": "'update'",
            "outcome": "CASE WHEN g % 50 = 0 THEN 'failed' WHEN g % 7 = 0 THEN 'skipped' ELSE 'ok' END",
            "duration_ms": "50 + g % 400",
            "latency_ms": "CASE WHEN g % 4 = 0 OR g % 50 = 0 THEN NULL"
            " ELSE 300 + (g::bigint * 7919) % 9000 END",
            # Spread over the last 7 days so the dashboard's window holds all of them.
            "created_at": f"now() - (g::float / {n_events}) * interval '7 days'",
        },
    )
    n_links = n_customers
    timings["links"] = insert_series(
        QBOLink,
        n_links,
        {
            "connection": "1",
            "entity": "'customers.customer'",
            "object_id": "g",
            "qbo_type": "'Customer'",
            "qbo_id": "g::text",
            "sync_token": "'0'",
        },
    )
    timings["failures"] = insert_series(
        SyncFailure,
        2000,
        {
            "connection": "1",
            "entity": "'customers.customer'",
            "object_id": "g",
            "record_label": "'Customer ' || g",
            "cause": "(ARRAY['duplicate_name','validation','stale','dependency'])[1 + g % 4]",
            "message": "'QuickBooks refused this customer.'",
            "status": "CASE WHEN g % 3 = 0 THEN 'resolved' ELSE 'open' END",
        },
    )
    timings["outbox"] = insert_series(
        OutboxEntry,
        50_000,
        {"entity": "'customers.customer'", "object_id": f"1 + g % {n_customers}", "operation": "'update'"},
    )
    QBOConnection.objects.filter(pk=1).update(outbox_position=49_000)
    timings["duplicates"] = insert_series(
        DuplicateCandidate,
        5000,
        {
            "customer_a": "2 * g - 1",
            "customer_b": "2 * g",
            "score": "0.8 + (g % 20) / 100.0",
            "found_at": "now()",
        },
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return timings
