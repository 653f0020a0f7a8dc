"""``manage.py sync_now [--realm R] [--wait]``: push pending changes to QuickBooks now."""

from django.core.management.base import BaseCommand, CommandError

from integrations.services.sync_control import UnknownRealm, sync_now


class Command(BaseCommand):
    help = "Queue a push of pending changes (or, with --wait, push them now and report)."

    def add_arguments(self, parser):
        parser.add_argument("--realm", default="", help="only this QuickBooks company (realm id)")
        parser.add_argument("--wait", action="store_true", help="drain in this process and print the outcome")

    def handle(self, *args, **options):
        try:
            reports = sync_now(realm_id=options["realm"], wait=options["wait"])
        except UnknownRealm as exc:
            raise CommandError(str(exc)) from None
        if not reports:
            self.stdout.write("No QuickBooks company is connected; nothing to push.")
        for report in reports:
            name = f"{report.company} (realm {report.realm_id})"
            if report.queued:
                self.stdout.write(f"{name}: push queued for the background workers.")
                continue
            if report.stopped and not (report.pushed or report.failed or report.skipped):
                self.stdout.write(f"{name}: nothing sent: {report.stopped}.")
                continue
            if report.busy:
                self.stdout.write(f"{name}: another worker is pushing this company right now.")
                continue
            line = f"{name}: pushed {report.pushed}, failed {report.failed}, skipped {report.skipped}"
            self.stdout.write(line + (f"; stopped: {report.stopped}" if report.stopped else ""))
            for message in report.failures:
                self.stdout.write(f"  - {message}")
