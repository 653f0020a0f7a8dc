"""Admin lists that stay fast on big tables: estimated counts, facets on demand, no full-table count.

PostgreSQL's planner statistics (``pg_class.reltuples``, kept fresh by autovacuum) give the size of an
unfiltered table for free; ``COUNT(*)`` of a million rows costs a full scan on every page view. A
filtered or searched list still gets its exact count: that number is what the person asked for.
"""

from __future__ import annotations

from django.contrib import admin
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import Q
from django.utils.functional import cached_property
from django.utils.text import smart_split, unescape_string_literal

ESTIMATE_ABOVE = 50_000  # below this an exact count is cheap and nobody should see "about"


def estimated_rows(queryset) -> int | None:
    """The planner's row estimate of an unfiltered table on PostgreSQL; None when not applicable."""
    query = queryset.query
    connection = connections[queryset.db]
    if connection.vendor != "postgresql" or query.where or query.distinct or query.combinator:
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass", [queryset.model._meta.db_table]
        )
        row = cursor.fetchone()
    return int(row[0]) if row and row[0] and row[0] > ESTIMATE_ABOVE else None


class EstimatedCountPaginator(Paginator):
    @cached_property
    def count(self) -> int:
        estimate = estimated_rows(self.object_list) if hasattr(self.object_list, "query") else None
        return estimate if estimate is not None else super().count


class LargeTableAdminMixin:
    """For lists of hundreds of thousands of rows (customers, sales, sync events)."""

    paginator = EstimatedCountPaginator
    show_full_result_count = False
    # Facet counts are one aggregate per filter over the whole result: offered on request (?_facets).
    show_facets = admin.ShowFacets.ALLOW


class SplitSearchMixin:
    """Search a big table's own text columns and a related table's without an OR across the join.

    ``number ILIKE x OR customer.display_name ILIKE x`` cannot use an index on either table, so
    PostgreSQL scans every row. Asked as the UNION of two indexed lookups (own columns; rows whose
    related record matches), each side uses its trigram index. Same results as the admin's search.
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
        for word in smart_split(search_term):
            word = unescape_string_literal(word) if word[0] in "\"'" and word[0] == word[-1] else word
            matches = model._default_manager.filter(_any(own, word)).values("pk")
            for relation, fields in related.items():
                target = model._meta.get_field(relation).related_model
                hits = target._default_manager.filter(_any(fields, word)).values("pk")
                matches = matches.union(
                    model._default_manager.filter(**{f"{relation}__in": hits}).values("pk")
                )
            queryset = queryset.filter(pk__in=matches)
        return queryset, False


def _any(fields: list[str], word: str) -> Q:
    condition = Q()
    for field in fields:
        condition |= Q(**{f"{field}__icontains": word})
    return condition
