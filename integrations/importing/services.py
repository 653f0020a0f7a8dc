"""Starting and cancelling an initial import (the only writes to ``ImportRun`` outside the runner)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django_q.tasks import async_task

from integrations.models.connection import QBOConnection
from integrations.models.importing import ImportRun

TASK = "integrations.importing.tasks.import_company"


def initial_import_start(*, connection: QBOConnection, actor=None, enqueue: bool = True) -> ImportRun:
    """Queue an import of the company, or return the one already queued or running.

    A run that failed is picked up again where it stopped (its position is kept); a finished or
    cancelled one is followed by a fresh run, which matches by links and so duplicates nothing.
    The task is enqueued after commit, so a worker never looks for a run that is not there yet.
    """
    if not connection.is_usable:
        raise ValidationError("QuickBooks is not connected for this company; connect it first, then import.")
    with transaction.atomic():
        QBOConnection.objects.select_for_update().get(pk=connection.pk)  # one start at a time per company
        run = ImportRun.objects.filter(connection=connection).first()
        if run is not None and run.is_active:
            return run
        if run is not None and run.status == ImportRun.Status.FAILED:
            run.status, run.error, run.finished_at, run.cancel_requested = (
                ImportRun.Status.QUEUED,
                "",
                None,
                False,
            )
            run.save(update_fields=["status", "error", "finished_at", "cancel_requested", "updated_at"])
        else:
            try:
                with transaction.atomic():
                    run = ImportRun.objects.create(
                        connection=connection, started_by=actor if getattr(actor, "pk", None) else None
                    )
            except IntegrityError:  # a concurrent start won the race
                return ImportRun.objects.get(connection=connection, status__in=ImportRun.ACTIVE)
        if enqueue:
            run_id = run.pk
            transaction.on_commit(
                lambda: async_task(TASK, run_id, group="import", q_options={"timeout": 150})
            )
    return run


def import_run_cancel(*, run: ImportRun, actor) -> bool:
    """Ask a queued or running import to stop after its current page. Managers only."""
    if not actor.has_perm("integrations.cancel_importrun"):
        raise PermissionDenied("Only a manager can cancel a QuickBooks import.")
    with transaction.atomic():
        updated = ImportRun.objects.filter(pk=run.pk, status__in=ImportRun.ACTIVE).update(
            cancel_requested=True
        )
        # A queued run nobody holds stops at once; a running one stops at its next page.
        ImportRun.objects.filter(pk=run.pk, status=ImportRun.Status.QUEUED, lease_owner="").update(
            status=ImportRun.Status.CANCELLED
        )
    return bool(updated)
