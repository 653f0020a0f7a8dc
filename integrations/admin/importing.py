"""Admin for QuickBooks imports: a read-only run record with a live progress bar and a Cancel button.

The progress bar polls a small JSON status view (no page reloads, no external scripts); Cancel is
a POST to a view that calls ``import_run_cancel``, which refuses anyone but a manager.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from integrations.importing.selectors import import_run_status
from integrations.importing.services import import_run_cancel
from integrations.models.importing import ImportRun
from syncportal.admin_readonly import SystemRecordAdminMixin


# Imports are started by connecting or by the qbo_import command; the record of one is kept.
@admin.register(ImportRun)
class ImportRunAdmin(SystemRecordAdminMixin, admin.ModelAdmin):
    change_form_template = "admin/integrations/importrun/change_form.html"
    list_display = ("__str__", "progress", "stage", "rows", "api_calls", "created_at", "finished_at")
    list_filter = ("status", "connection", "created_at")
    list_select_related = ("connection",)
    search_fields = ("connection__realm_id", "connection__company_name")
    readonly_fields = ("connection", "status", "progress", "stage", "position", "rows", "counts", "totals",
                       "api_calls", "warnings", "error", "cancel_requested", "started_by", "created_at",
                       "started_at", "finished_at")  # fmt: skip
    fields = readonly_fields

    @admin.display(description="progress")
    def progress(self, run: ImportRun) -> str:
        return format_html('<progress max="100" value="{}"></progress> {}%', run.percent, run.percent)

    @admin.display(description="rows read")
    def rows(self, run: ImportRun) -> str:
        return f"{run.processed:,} of {run.total:,}"

    def has_cancel_permission(self, request) -> bool:
        return request.user.has_perm("integrations.cancel_importrun")

    def get_urls(self):
        wrap = self.admin_site.admin_view
        own = [
            path("<int:run_id>/status/", wrap(self.status_view), name="integrations_importrun_status"),
            path("<int:run_id>/cancel/", wrap(self.cancel_view), name="integrations_importrun_cancel"),
        ]
        return own + super().get_urls()

    def status_view(self, request, run_id: int):
        if not self.has_view_permission(request):
            raise PermissionDenied
        run = get_object_or_404(ImportRun, pk=run_id)
        response = JsonResponse(import_run_status(run))
        response["Cache-Control"] = "no-store"
        return response

    def cancel_view(self, request, run_id: int):
        return require_POST(self._cancel)(request, run_id)

    def _cancel(self, request, run_id: int):
        run = get_object_or_404(ImportRun, pk=run_id)
        if not self.has_cancel_permission(request):
            raise PermissionDenied
        if import_run_cancel(run=run, actor=request.user):
            messages.success(
                request, "The import stops after the page it is reading. Everything read so far is kept."
            )
        else:
            messages.info(request, "This import had already finished; nothing to cancel.")
        return redirect(reverse("admin:integrations_importrun_change", args=[run.pk]))

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        extra_context = dict(extra_context or {})
        if object_id:
            extra_context["status_url"] = reverse("admin:integrations_importrun_status", args=[object_id])
            extra_context["cancel_url"] = reverse("admin:integrations_importrun_cancel", args=[object_id])
            extra_context["can_cancel"] = self.has_cancel_permission(request)
        return super().changeform_view(request, object_id, form_url, extra_context)
