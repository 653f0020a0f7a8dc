"""Changes waiting for QuickBooks: the outbox, read-only, for bookkeepers and managers.

Every local change QuickBooks must hear about is an outbox row, written with the change itself. A
company has handled the rows up to its position plus the ones it tracks as gaps (rows that committed
late on PostgreSQL, see ``integrations/sync/outbox_reader.py``); "waiting for" lists the others, the
same rows the dashboard's queue figure counts and links to. Nobody edits or deletes a row here:
the push engine is the only reader that moves a company past them.
"""

from __future__ import annotations

from django.contrib import admin

from integrations.admin.events import LogAdmin
from integrations.models.connection import QBOConnection
from integrations.selectors.outbox import pending_q
from syncportal.outbox.models import OutboxEntry


class WaitingForFilter(admin.SimpleListFilter):
    title = "waiting for"
    parameter_name = "waiting_for"

    def lookups(self, request, model_admin):
        return [(str(connection.pk), str(connection)) for connection in QBOConnection.objects.order_by("pk")]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        connection = QBOConnection.objects.filter(pk=self.value()).first() if self.value().isdigit() else None
        return queryset.filter(pending_q(connection)) if connection else queryset.none()


@admin.register(OutboxEntry)
class OutboxEntryAdmin(LogAdmin):
    list_display = ["id", "created_at", "record_display", "operation", "fields_display", "actor"]
    list_filter = [WaitingForFilter, "operation"]
    list_select_related = ["actor"]
    # Oldest first: the order the push sends them in, and the PK index answers it without sorting.
    ordering = ["id"]

    @admin.display(description="fields changed")
    def fields_display(self, obj):
        return ", ".join(obj.changed_fields) if obj.changed_fields else "(all: new record)"
