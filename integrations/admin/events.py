"""The sync event log: read-only for everyone (it is the audit of what was sent and received), and
cheap on a table with millions of rows: no COUNT(*) of the unfiltered table, no per-row queries."""

from __future__ import annotations

from django.contrib import admin
from django.core.paginator import Paginator
from django.utils.functional import cached_property
from django.utils.html import format_html

from integrations.admin.links import record_admin_url
from integrations.models.sync import SyncEvent
from integrations.sync.plan import ENTITY_MODELS
from syncportal.admin_readonly import SystemRecordAdminMixin

ENTITIES = sorted(ENTITY_MODELS)


class NoCountPaginator(Paginator):
    """Never counts the table: "next page" exists if one more row than a page could be read.

    Django's changelist asks the paginator for ``count`` to draw page links; here it is an upper
    bound found by reading at most ``per_page + 1`` rows past the current offset, which an index on
    ``created_at`` answers without scanning the table.
    """

    def __init__(self, *args, page=1, **kwargs):
        super().__init__(*args, **kwargs)
        try:
            page = max(1, int(page))
        except (TypeError, ValueError):
            page = 1
        self._probe_offset = (page - 1) * self.per_page

    @cached_property
    def count(self):
        ahead = len(
            self.object_list[self._probe_offset : self._probe_offset + self.per_page + 1].values("pk")
        )
        return self._probe_offset + ahead


class EntityFilter(admin.SimpleListFilter):
    title = "record type"
    parameter_name = "entity"

    def lookups(self, request, model_admin):
        return [(entity, entity.split(".")[-1].replace("storecredit", "store credit")) for entity in ENTITIES]

    def queryset(self, request, queryset):
        return queryset.filter(entity=self.value()) if self.value() else queryset


class OutcomeFilter(admin.SimpleListFilter):
    title = "outcome"
    parameter_name = "outcome"

    def lookups(self, request, model_admin):
        return SyncEvent.Outcome.choices

    def queryset(self, request, queryset):
        return queryset.filter(outcome=self.value()) if self.value() else queryset


class LogAdmin(SystemRecordAdminMixin, admin.ModelAdmin):
    """A read-only list over a big append-only table of records' histories (sync events, the
    outbox): nobody adds, edits or deletes a row, pages are never counted, each row names its
    record with a link to it."""

    show_full_result_count = False
    paginator = NoCountPaginator
    list_per_page = 100
    show_facets = admin.ShowFacets.NEVER  # facets count every filter value: too slow on big tables

    def get_paginator(self, request, queryset, per_page, orphans=0, allow_empty_first_page=True):
        return NoCountPaginator(
            queryset, per_page, orphans, allow_empty_first_page, page=request.GET.get("p", 1)
        )

    @admin.display(description="record", ordering="entity")
    def record_display(self, obj):
        label = f"{obj.entity.split('.')[-1]} #{obj.object_id}" if obj.object_id else obj.entity
        url = record_admin_url(obj.entity, obj.object_id)
        return format_html('<a href="{}">{}</a>', url, label) if url else label


@admin.register(SyncEvent)
class SyncEventAdmin(LogAdmin):
    list_display = [
        "created_at",
        "direction",
        "record_display",
        "operation",
        "outcome",
        "qbo_display",
        "error_display",
        "duration_ms",
        "connection",
    ]
    # Choice filters are static lists: no DISTINCT over the big table just to draw the sidebar.
    list_filter = [
        "direction",
        OutcomeFilter,
        EntityFilter,
        "connection",
        ("created_at", admin.DateFieldListFilter),
    ]
    list_select_related = ["connection"]
    search_fields = ["=qbo_id", "=request_id"]
    search_help_text = "Exact QuickBooks id or request id."
    # Newest first by primary key: ids grow with time, and the PK index answers ORDER BY … LIMIT
    # without sorting (ordering by created_at, id would sort every row sharing a timestamp).
    ordering = ["-id"]

    @admin.display(description="QuickBooks")
    def qbo_display(self, obj):
        return f"{obj.qbo_type} {obj.qbo_id}".strip()

    @admin.display(description="what happened")
    def error_display(self, obj):
        summary = obj.summary or {}
        return summary.get("message") or summary.get("reason") or ""
