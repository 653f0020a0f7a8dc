"""Sync conflicts: the base, SyncPortal and QuickBooks values side by side, and the three ways out.

Resolving needs ``resolve_syncconflict`` (bookkeepers and managers). Conflict rows are never edited
through a form: each button calls one service in ``integrations.services.conflicts``.
"""

from __future__ import annotations

import json

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from integrations.admin.links import record_admin_url
from integrations.models.sync import SyncConflict
from integrations.services import conflicts as services
from syncportal.admin_readonly import SystemRecordAdminMixin

RESOLVERS = {
    "keep_local": ("kept SyncPortal's value; it is sent to QuickBooks now", services.conflict_keep_local),
    "keep_qbo": ("kept QuickBooks' value; it is saved here", services.conflict_keep_qbo),
}


def shown(value) -> str:
    """A stored JSON value as a person reads it (strings bare, nothing as "(empty)")."""
    if value is None or value == "":
        return "(empty)"
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


@admin.register(SyncConflict)
class SyncConflictAdmin(SystemRecordAdminMixin, admin.ModelAdmin):
    change_form_template = "admin/integrations/syncconflict/change_form.html"
    list_display = [
        "record_display",
        "field",
        "local_display",
        "qbo_display",
        "status",
        "created_at",
        "connection",
    ]
    list_filter = ["status", "entity", "connection", "resolution"]
    list_select_related = ["connection"]
    search_fields = ["record_label", "field"]
    ordering = ["-created_at", "-id"]
    fields = [
        "record_display",
        "field",
        "status",
        "resolution",
        "resolved_display",
        "resolved_by",
        "resolved_at",
        "created_at",
        "connection",
    ]
    readonly_fields = fields

    def has_resolve_permission(self, request, obj=None):
        return request.user.has_perm("integrations.resolve_syncconflict")

    @admin.display(description="record", ordering="record_label")
    def record_display(self, obj):
        label = obj.record_label or f"{obj.entity} #{obj.object_id}"
        url = record_admin_url(obj.entity, obj.object_id)
        return format_html('<a href="{}">{}</a>', url, label) if url else label

    @admin.display(description="SyncPortal")
    def local_display(self, obj):
        return shown(obj.local_value)

    @admin.display(description="QuickBooks")
    def qbo_display(self, obj):
        return shown(obj.qbo_value)

    @admin.display(description="value agreed")
    def resolved_display(self, obj):
        return shown(obj.resolved_value) if obj.status == SyncConflict.Status.RESOLVED else ""

    def get_urls(self):
        resolve = self.admin_site.admin_view(require_POST(self.resolve_view))
        return [
            path("<int:pk>/resolve/", resolve, name="integrations_syncconflict_resolve"),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        conflict = self.get_object(request, object_id)
        extra = {
            "can_resolve": self.has_resolve_permission(request)
            and conflict is not None
            and conflict.status == SyncConflict.Status.OPEN,
            "values": [
                ("When they last agreed", shown(conflict.base_value)),
                ("SyncPortal", shown(conflict.local_value)),
                ("QuickBooks", shown(conflict.qbo_value)),
            ]
            if conflict
            else [],
            "edit_initial": conflict.local_value
            if conflict and isinstance(conflict.local_value, str)
            else "",
            **(extra_context or {}),
        }
        return super().change_view(request, object_id, form_url, extra_context=extra)

    def resolve_view(self, request, pk: int):
        if not self.has_resolve_permission(request):
            raise PermissionDenied
        conflict = get_object_or_404(SyncConflict, pk=pk)
        choice = request.POST.get("choice", "")
        try:
            if choice == "edit":
                services.conflict_edit(
                    conflict_id=pk, value=request.POST.get("value", ""), actor=request.user
                )
                done = "saved the value you typed; it is sent to QuickBooks now"
            elif choice in RESOLVERS:
                done, resolve = RESOLVERS[choice]
                resolve(conflict_id=pk, actor=request.user)
            else:
                raise ValidationError("Choose Keep SyncPortal, Keep QuickBooks or Edit.")
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return redirect("admin:integrations_syncconflict_change", pk)
        self.message_user(request, f"{conflict.record_label or 'The record'}, “{conflict.field}”: {done}.")
        return redirect("admin:integrations_syncconflict_change", pk)
