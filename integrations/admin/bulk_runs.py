"""Admin for bulk runs (re-sync, *Retry all*): a read-only record with a live progress bar and Cancel.

The same mechanism as the import's page: the bar polls a small JSON status view (no reloads, no
external scripts) and Cancel is a POST to a view that calls ``bulk_run_cancel``.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from integrations.models.bulk import BulkRun
from integrations.selectors.bulk_runs import bulk_run_status
from integrations.services.bulk_runs import PERMISSIONS, bulk_run_cancel
from syncportal.admin_readonly import SystemRecordAdminMixin


# Runs start from the mapping screen's re-sync or the failure queue's Retry all; the record is kept.
@admin.register(BulkRun)
class BulkRunAdmin(SystemRecordAdminMixin, admin.ModelAdmin):
    change_form_template = "admin/integrations/bulkrun/change_form.html"
    list_display = ("__str__", "status", "progress", "records", "refused", "started_by", "created_at")
    list_filter = ("kind", "status", "created_at")
    list_select_related = ("started_by",)
    # The counts and the status live in the page's progress box, which updates itself; fields here
    # would go stale while it runs.
    readonly_fields = ("kind", "params", "connection", "started_by", "created_at")
    fields = readonly_fields

    @admin.display(description="progress")
    def progress(self, run: BulkRun) -> str:
        return format_html('<progress max="100" value="{}"></progress> {}%', run.percent, run.percent)

    @admin.display(description="records sent")
    def records(self, run: BulkRun) -> str:
        return f"{run.done:,} of {run.total:,}"

    def can_cancel(self, request, run: BulkRun) -> bool:
        return request.user.has_perm(PERMISSIONS[run.kind][0])

    def get_urls(self):
        wrap = self.admin_site.admin_view
        own = [
            path("<int:run_id>/status/", wrap(self.status_view), name="integrations_bulkrun_status"),
            path(
                "<int:run_id>/cancel/",
                wrap(require_POST(self.cancel_view)),
                name="integrations_bulkrun_cancel",
            ),
        ]
        return own + super().get_urls()

    def status_view(self, request, run_id: int):
        if not self.has_view_permission(request):
            raise PermissionDenied
        response = JsonResponse(bulk_run_status(get_object_or_404(BulkRun, pk=run_id)))
        response["Cache-Control"] = "no-store"
        return response

    def cancel_view(self, request, run_id: int):
        run = get_object_or_404(BulkRun, pk=run_id)
        if not self.can_cancel(request, run):
            raise PermissionDenied
        if bulk_run_cancel(run=run, actor=request.user):
            messages.success(request, "Stopping: the records being sent now finish; nothing more is queued.")
        else:
            messages.info(request, "This run had already finished; nothing to cancel.")
        return redirect(reverse("admin:integrations_bulkrun_change", args=[run.pk]))

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        extra_context = dict(extra_context or {})
        run = BulkRun.objects.filter(pk=object_id).first() if object_id and str(object_id).isdigit() else None
        if run is not None:
            extra_context.update(
                status=bulk_run_status(run),
                status_url=reverse("admin:integrations_bulkrun_status", args=[run.pk]),
                cancel_url=reverse("admin:integrations_bulkrun_cancel", args=[run.pk]),
                can_cancel=self.can_cancel(request, run),
            )
        return super().changeform_view(request, object_id, form_url, extra_context)
