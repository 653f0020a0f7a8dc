"""Reads for the import's progress (the admin's polled status and the CLI)."""

from __future__ import annotations

from integrations.models.importing import STAGES, ImportRun

LABELS = dict(STAGES)


def import_run_status(run: ImportRun) -> dict:
    """What the progress bar shows; no customer data, only counts."""
    return {
        "id": run.pk,
        "status": run.status,
        "status_label": run.get_status_display(),
        "percent": run.percent,
        "processed": run.processed,
        "total": run.total,
        "stage": run.stage,
        "stage_label": LABELS.get(run.stage, run.stage),
        "counts": run.counts,
        "api_calls": run.api_calls,
        "error": run.error,
        "cancel_requested": run.cancel_requested,
        "active": run.is_active,
    }


def progress_line(run: ImportRun) -> str:
    done = sum(sum(c.values()) for c in (run.counts or {}).values())
    return (
        f"[{run.percent:3d}%] {run.get_status_display():<9} {LABELS.get(run.stage, run.stage):<22} "
        f"{run.processed}/{run.total} rows, {done} written, {run.api_calls} API calls"
    )
