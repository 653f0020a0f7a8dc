"""django-q2 entry point: advance an import for a bounded time, then queue the continuation."""

from __future__ import annotations

from django_q.tasks import async_task

from integrations.importing.runner import run_import

# Under the cluster's 150 s timeout with room for one slow page.
TIME_BUDGET = 100.0


def import_company(run_id: int) -> dict:
    run = run_import(run_id, time_budget=TIME_BUDGET)
    if run is None:
        return {"busy_or_finished": True}
    if run.is_active:
        async_task(
            "integrations.importing.tasks.import_company", run_id, group="import", q_options={"timeout": 150}
        )
    return {"status": run.status, "processed": run.processed, "total": run.total}
