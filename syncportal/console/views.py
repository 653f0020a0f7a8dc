"""The reconciliation report's pages. Thin: they read through selectors and write through services."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_POST
from django_q.tasks import async_task
from import_export.formats.base_formats import CSV, XLSX

from integrations.models import QBOConnection, ReconciliationRow, ReconciliationRun
from integrations.qbo.errors import QBOError
from integrations.services.reconciliation import reconciliation_force_push, reconciliation_resync_customer
from syncportal.console.resources import ReconciliationRowResource
from syncportal.console.selectors.reconciliation import report_rows, report_run

EXPORT_FORMATS = {"csv": CSV, "xlsx": XLSX}


@permission_required("integrations.view_reconciliationrun", raise_exception=True)
def reconciliation_report(request):
    run = report_run(run_id=request.GET.get("run"))
    rows = report_rows(
        run=run,
        differences_only=request.GET.get("differences") == "1",
        explanation=request.GET.get("explanation", ""),
        q=request.GET.get("q", ""),
    )
    page = Paginator(rows, 100).get_page(request.GET.get("page"))
    context = {
        **admin.site.each_context(request),
        "title": "Balance reconciliation",
        "run": run,
        "runs": ReconciliationRun.objects.select_related("connection")[:10],
        "page": page,
        "explanations": ReconciliationRow.Explanation.choices,
        "connections": QBOConnection.objects.filter(status=QBOConnection.Status.CONNECTED),
        "can_run": request.user.has_perm("integrations.add_reconciliationrun"),
        "can_fix": request.user.has_perm("integrations.fix_reconciliationrun"),
        "filters": request.GET,
    }
    return TemplateResponse(request, "console/reconciliation.html", context)


@require_POST
@permission_required("integrations.add_reconciliationrun", raise_exception=True)
def reconciliation_start(request):
    connection = get_object_or_404(QBOConnection, pk=request.POST.get("connection"))
    if not connection.is_usable:
        messages.error(request, f"{connection} is not connected: reconnect it first, then run the report.")
    else:
        async_task(
            "syncportal.console.tasks.run_reconciliation",
            connection.pk,
            request.user.pk,
            group="reconciliation",
        )
        messages.success(
            request, f"Reconciliation of {connection} started. Refresh this page in a minute to see it."
        )
    return redirect("console:reconciliation")


@require_POST
@permission_required("integrations.fix_reconciliationrun", raise_exception=True)
def reconciliation_fix(request, row_id: int):
    row = get_object_or_404(
        ReconciliationRow.objects.select_related("run__connection", "customer"), pk=row_id
    )
    action = request.POST.get("action")
    try:
        if action == "resync":
            reconciliation_resync_customer(row=row, actor=request.user)
            messages.success(
                request, f"{row.customer_name}: balance taken from QuickBooks ({row.qbo_balance})."
            )
        elif action == "force":
            count = reconciliation_force_push(row=row, actor=request.user)
            messages.success(
                request,
                f"{row.customer_name}: {count} record{'s' if count != 1 else ''} queued to be sent to "
                "QuickBooks again.",
            )
        else:
            messages.error(request, "Unknown action: nothing was changed.")
    except (QBOError, ValueError) as error:
        messages.error(request, f"{row.customer_name}: nothing was changed. {error}")
    return redirect(f"{reverse('console:reconciliation')}?run={row.run_id}")


@permission_required("integrations.view_reconciliationrun", raise_exception=True)
def reconciliation_export(request, run_id: int, fmt: str):
    if fmt not in EXPORT_FORMATS:
        raise Http404("Unknown export format")
    run = get_object_or_404(ReconciliationRun, pk=run_id)
    dataset = ReconciliationRowResource().export(queryset=run.rows.order_by("customer_name"))
    export_format = EXPORT_FORMATS[fmt]()
    response = HttpResponse(export_format.export_data(dataset), content_type=export_format.get_content_type())
    response["Content-Disposition"] = f'attachment; filename="reconciliation-{run.pk}.{fmt}"'
    return response
