"""Fast inserts of plain rows for one model: the demo's version of ``bulk_create``.

``bulk_create`` spends most of its time building model instances and preparing every value through
the field API; for 100,000 customers and their history that alone takes minutes. Here a row is a
dict keyed by column attribute name, primary keys are handed out up front (so foreign keys are known
before anything is written) and a batch goes to the database with one ``executemany``. The SQL,
the columns and the defaults still come from the model's ``_meta``, so the rows follow the models.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable

from django.core.management.color import no_style
from django.db import connections, models, router
from django.db.models import Max
from django.utils import timezone


class Table:
    """Rows of one model: ``new_id()`` hands out primary keys, ``insert()`` writes a batch."""

    def __init__(self, model: type[models.Model]):
        self.model = model
        self.db = router.db_for_write(model)
        connection = connections[self.db]
        self.fields = list(model._meta.concrete_fields)
        qn = connection.ops.quote_name
        # Identifiers come from the model's _meta and are quoted; values are always parameters.
        self.sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608
            qn(model._meta.db_table),
            ", ".join(qn(f.column) for f in self.fields),
            ", ".join(["%s"] * len(self.fields)),
        )
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        self.defaults: dict[str, object] = {}
        for f in self.fields:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                self.defaults[f.attname] = now
            elif f.primary_key:
                self.defaults[f.attname] = None
            else:  # the field's default, or "" for text columns, as Model() would set
                self.defaults[f.attname] = f.get_db_prep_save(f.get_default(), connection)
        self.values = operator.itemgetter(*[f.attname for f in self.fields])
        # Only JSON needs preparing per value; ints, strings, Decimals and dates bind as they are.
        self.json_fields = [f for f in self.fields if isinstance(f, models.JSONField)]
        self._next_id = (model._base_manager.using(self.db).aggregate(m=Max("pk"))["m"] or 0) + 1

    def new_id(self) -> int:
        value = self._next_id
        self._next_id += 1
        return value

    def insert(self, rows: Iterable[dict]) -> int:
        connection = connections[self.db]
        defaults, values = self.defaults, self.values
        params = []
        for row in rows:
            full = {**defaults, **row}
            for f in self.json_fields:
                if f.attname in row:
                    full[f.attname] = f.get_db_prep_save(row[f.attname], connection)
            params.append(values(full))
        if params:
            with connection.cursor() as cursor:
                cursor.executemany(self.sql, params)
        return len(params)


def reset_sequences(model_list: Iterable[type[models.Model]]) -> None:
    """Move id sequences past the ids handed out by hand (PostgreSQL; nothing to do on SQLite)."""
    by_db: dict[str, list[type[models.Model]]] = {}
    for model in model_list:
        by_db.setdefault(router.db_for_write(model), []).append(model)
    for db, group in by_db.items():
        connection = connections[db]
        statements = connection.ops.sequence_reset_sql(no_style(), group)
        if statements:
            with connection.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql)
