"""Reads for a bulk run's progress bar (polled by the admin page): counts only, no customer data."""

from __future__ import annotations

from integrations.models.bulk import BulkRun


def bulk_run_status(run: BulkRun) -> dict:
    if run.is_active and run.cancel_requested:
        text = "Stopping after the records being sent now…"
    else:
        text = f"{run.get_status_display()} · {run.done:,} of {run.total:,} records sent"
        if run.refused:
            text += f" · {run.refused:,} still failing (see Sync failures)"
    return {
        "id": run.pk,
        "status": run.status,
        "status_label": run.get_status_display(),
        "percent": run.percent,
        "done": run.done,
        "total": run.total,
        "sent": run.sent,
        "refused": run.refused,
        "cancel_requested": run.cancel_requested,
        "active": run.is_active,
        "text": text,
    }
