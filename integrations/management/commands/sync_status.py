"""``manage.py sync_status``: where each QuickBooks connection stands (no tokens are printed)."""

from django.core.management.base import BaseCommand
from django.utils import timezone
from django.utils.timesince import timesince

from integrations.selectors.connection import connection_statuses


def _when(moment) -> str:
    if not moment:
        return "—"
    local = timezone.localtime(moment)
    direction = "ago" if moment <= timezone.now() else "from now"
    span = timesince(moment) if moment <= timezone.now() else timesince(timezone.now(), moment)
    return f"{local:%Y-%m-%d %H:%M:%S} ({span} {direction})"


class Command(BaseCommand):
    help = "Per QuickBooks connection: state, token expiry, queue, failures, last push."

    def add_arguments(self, parser):
        parser.add_argument("--realm", default="", help="only this QuickBooks company (realm id)")

    def handle(self, *args, **options):
        statuses = connection_statuses(realm_id=options["realm"])
        if not statuses:
            self.stdout.write(
                "No QuickBooks company is connected. Run `manage.py qbo_connect` or use the admin."
            )
        for status in statuses:
            self.stdout.write(self.style.MIGRATE_HEADING(f"{status.company} (realm {status.realm_id})"))
            self.stdout.write(f"  state:                 {status.state_label}")
            if status.status_message:
                self.stdout.write(f"  note:                  {status.status_message}")
            self.stdout.write(f"  access token expires:  {_when(status.access_token_expires_at)}")
            warn = "  <- reconnect soon" if status.refresh_token_expiring else ""
            self.stdout.write(f"  sign-in expires:       {_when(status.refresh_token_expires_at)}{warn}")
            self.stdout.write(f"  changes waiting:       {status.queue_depth}")
            oldest = f"{timesince(status.oldest_pending_at)} old" if status.oldest_pending_at else "—"
            self.stdout.write(f"  oldest waiting change: {oldest}")
            failures = ", ".join(f"{cause}: {n}" for cause, n in status.open_failures_by_cause.items())
            self.stdout.write(f"  open failures:         {failures or 'none'}")
            self.stdout.write(f"  last push:             {_when(status.last_push_at)}")
