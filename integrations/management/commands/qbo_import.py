"""Import a connected QuickBooks company: ``qbo_import [--realm R] [--wait]``.

Without ``--wait`` the import is queued for the background workers and the command returns.
With ``--wait`` it runs here, page by page, printing progress; interrupt it at any time and run
it again: it continues from the last page it saved.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from integrations.importing.runner import run_import
from integrations.importing.selectors import progress_line
from integrations.importing.services import initial_import_start
from integrations.models.connection import QBOConnection
from integrations.models.importing import ImportRun


class Command(BaseCommand):
    help = "Import customers, items, tax codes, open invoices and payments from QuickBooks."

    def add_arguments(self, parser):
        parser.add_argument("--realm", help="Company (realm) id; needed when several are connected.")
        parser.add_argument("--wait", action="store_true", help="Run here and show progress until done.")
        parser.add_argument("--page-size", type=int, default=1000, help="Rows per QuickBooks page (≤ 1000).")

    def handle(self, *args, realm=None, wait=False, page_size=1000, **options):
        connections = QBOConnection.objects.filter(status=QBOConnection.Status.CONNECTED)
        if realm:
            connections = connections.filter(realm_id=realm)
        found = list(connections[:2])
        if not found:
            raise CommandError(
                "No connected QuickBooks company" + (f" with realm {realm}." if realm else ".")
            )
        if len(found) > 1:
            raise CommandError("Several QuickBooks companies are connected; choose one with --realm.")
        if not 1 <= page_size <= 1000:
            raise CommandError("--page-size must be between 1 and 1000 (QuickBooks' page limit).")
        try:
            run = initial_import_start(connection=found[0], enqueue=not wait)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        if not wait:
            self.stdout.write(
                f"Import #{run.pk} queued for {found[0]}; follow it in the admin (QuickBooks imports)."
            )
            return
        self.stdout.write(f"Import #{run.pk} of {found[0]}")
        result = run_import(
            run.pk, page_size=page_size, progress=lambda r: self.stdout.write(progress_line(r))
        )
        if result is None:
            raise CommandError(
                f"Import #{run.pk} is being run by a background worker; follow it in the admin."
            )
        for warning in result.warnings[:20]:
            self.stdout.write(self.style.WARNING(f"  ! {warning}"))
        if result.status != ImportRun.Status.DONE:
            raise CommandError(
                result.error or f"Import #{run.pk} ended {result.get_status_display().lower()}."
            )
        self.stdout.write(self.style.SUCCESS(f"Import #{run.pk} done: {result.processed} rows read."))
