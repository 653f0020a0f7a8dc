"""django-q2 entry points of the console. Thin, idempotent, no arguments that can go stale."""

from __future__ import annotations

from integrations.services.rollup import rollup_refresh


def refresh_rollup() -> str:
    """Every minute: fold new sync events into the dashboard's hourly/daily tables."""
    return rollup_refresh().isoformat()


def run_reconciliation(connection_id: int, actor_id: int | None = None) -> dict:
    """Compare every linked customer's balance with QuickBooks (started from the report page)."""
    from django.contrib.auth import get_user_model

    from integrations.models import QBOConnection
    from integrations.services.reconciliation import reconciliation_run

    connection = QBOConnection.objects.get(pk=connection_id)
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    run = reconciliation_run(connection=connection, actor=actor)
    return {"run": run.pk, "status": run.status, "compared": run.compared, "matching": run.matching}
