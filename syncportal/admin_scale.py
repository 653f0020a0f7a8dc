"""Admin lists that stay fast on big tables: estimated counts, facets on demand, no full-table count.

PostgreSQL's planner statistics (``pg_class.reltuples`` and ``EXPLAIN``'s row estimate, kept fresh
by autovacuum) give the size of a big list for free; ``COUNT(*)`` of a million rows costs a full scan
on every page view. Lists under ``ESTIMATE_ABOVE`` rows, what people filter down to, stay exact.
"""

from __future__ import annotations

import json

from django.contrib import admin
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import Q
from django.utils.functional import cached_property
from django.utils.text import smart_split, unescape_string_literal

ESTIMATE_ABOVE = 10_000  # below this an exact count is cheap (tens of ms) and worth showing exactly


def estimated_rows(queryset) -> int | None:
    """The planner's row estimate on PostgreSQL when it is large; None when an exact count is cheap.

    Unfiltered: ``pg_class.reltuples``. Filtered or searched: the top row estimate of ``EXPLAIN``.
    Either way nothing is scanned; below ``ESTIMATE_ABOVE`` rows the caller counts exactly.
    """
    query = queryset.query
    connection = connections[queryset.db]
    if connection.vendor != "postgresql" or query.distinct or query.combinator:
        return None
    with connection.cursor() as cursor:
        if not query.where:
            table = queryset.model._meta.db_table
            cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass", [table])
            row = cursor.fetchone()
            estimate = int(row[0]) if row and row[0] else 0
        else:
            sql, params = queryset.values("pk").order_by().query.sql_with_params()
            cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
            plan = cursor.fetchone()[0]
            plan = json.loads(plan) if isinstance(plan, str) else plan
            estimate = int(plan[0]["Plan"]["Plan Rows"])
    return estimate if estimate > ESTIMATE_ABOVE else None


class EstimatedCountPaginator(Paginator):
    """Counts of big lists come from the planner (the list says "about"); small ones are exact."""

    @cached_property
    def count(self) -> int:
        estimate = estimated_rows(self.object_list) if hasattr(self.object_list, "query") else None
        self.estimated = estimate is not None
        return estimate if estimate is not None else super().count


class LargeTableAdminMixin:
    """For lists of hundreds of thousands of rows (customers, sales, sync events)."""

    paginator = EstimatedCountPaginator
    show_full_result_count = False
    # Facet counts are one aggregate per filter over the whole result: offered on request (?_facets).
    show_facets = admin.ShowFacets.ALLOW


class SplitSearchMixin:
    """Search a big table's own text columns and a related table's without an OR across the join.

    ``number ILIKE x OR customer.display_name ILIKE x`` over a join cannot use an index, so
    PostgreSQL scans every row. Two equivalent single-table forms do better, each in its own case:
    - narrow terms: the UNION of two indexed lookups (own columns' trigram indexes; rows whose
      related record matches), then sort the few hits;
    - broad terms (the planner expects more than ``ESTIMATE_ABOVE`` hits): walk the list's ordering
      index and test each row against the own columns and a hashed set of matching related ids,
      stopping at the first page.
    Both return exactly what the admin's own search returns.
    """

    def get_search_results(self, request, queryset, search_term):
        if not search_term.strip() or connections[queryset.db].vendor != "postgresql":
            return super().get_search_results(request, queryset, search_term)
        model = queryset.model
        own = [f for f in self.search_fields if "__" not in f]
        related: dict[str, list[str]] = {}
        for name in self.search_fields:
            if "__" in name:
                relation, field = name.split("__", 1)
                related.setdefault(relation, []).append(field)
        narrow, broad = queryset, queryset
        for word in smart_split(search_term):
            word = unescape_string_literal(word) if word[0] in "\"'" and word[0] == word[-1] else word
            matches = model._default_manager.filter(_any(own, word)).values("pk")
            anywhere = _any(own, word)
            for relation, fields in related.items():
                target = model._meta.get_field(relation).related_model
                hits = target._default_manager.filter(_any(fields, word)).values("pk")
                matches = matches.union(
                    model._default_manager.filter(**{f"{relation}__in": hits}).values("pk")
                )
                anywhere |= Q(**{f"{relation}__in": hits})
            narrow = narrow.filter(pk__in=matches)
            broad = broad.filter(anywhere)
        return (broad if estimated_rows(narrow) is not None else narrow), False


def _any(fields: list[str], word: str) -> Q:
    condition = Q()
    for field in fields:
        condition |= Q(**{f"{field}__icontains": word})
    return condition
