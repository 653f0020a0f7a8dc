"""Reads for the balance reconciliation report."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from integrations.models import ReconciliationRow, ReconciliationRun


def report_run(*, run_id: str | None) -> ReconciliationRun | None:
    """The run asked for, else the latest finished one (else the latest at all)."""
    runs = ReconciliationRun.objects.select_related("connection")
    if run_id and str(run_id).isdigit():
        return runs.filter(pk=int(run_id)).first()
    return runs.filter(status=ReconciliationRun.Status.DONE).order_by("-finished_at").first() or runs.first()


def report_rows(
    *, run: ReconciliationRun | None, differences_only: bool = False, explanation: str = "", q: str = ""
) -> QuerySet[ReconciliationRow]:
    if run is None:
        return ReconciliationRow.objects.none()
    rows = run.rows.all()
    if differences_only:
        rows = rows.exclude(explanation=ReconciliationRow.Explanation.MATCH)
    if explanation in ReconciliationRow.Explanation.values:
        rows = rows.filter(explanation=explanation)
    if q.strip():
        rows = rows.filter(Q(customer_name__icontains=q.strip()) | Q(qbo_id=q.strip()))
    return rows.order_by("customer_name", "pk")
