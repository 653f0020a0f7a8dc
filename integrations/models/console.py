"""What the operator console reads instead of scanning the event log: rollups and reconciliation runs.

The dashboard must stay fast with millions of ``SyncEvent`` rows, so a schedule folds events into
one row per company/hour/direction/outcome and one row per company/day/direction with exact latency
percentiles. A closed hour or day is folded once; the current ones are refolded on every run.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from integrations.models.connection import QBOConnection
from integrations.models.sync import Direction, SyncEvent

MONEY = {"max_digits": 12, "decimal_places": 2}


class SyncEventHourly(models.Model):
    connection = models.ForeignKey(QBOConnection, null=True, on_delete=models.CASCADE, related_name="+")
    hour = models.DateTimeField()  # start of the UTC hour
    direction = models.CharField(max_length=4, choices=Direction.choices)
    outcome = models.CharField(max_length=8, choices=SyncEvent.Outcome.choices)
    events = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "sync events per hour"
        constraints = [
            models.UniqueConstraint(
                fields=["connection", "hour", "direction", "outcome"], name="synceventhourly_once"
            )
        ]
        indexes = [models.Index(fields=["hour"], name="synceventhourly_hour")]

    def __str__(self) -> str:
        return f"{self.hour:%Y-%m-%d %H:00} {self.direction} {self.outcome}: {self.events}"


class SyncLatencyDaily(models.Model):
    """Exact nearest-rank percentiles of ``SyncEvent.latency_ms`` for one UTC day."""

    connection = models.ForeignKey(QBOConnection, null=True, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    direction = models.CharField(max_length=4, choices=Direction.choices)
    samples = models.PositiveIntegerField(default=0)
    p50_ms = models.PositiveIntegerField(null=True)
    p95_ms = models.PositiveIntegerField(null=True)

    class Meta:
        verbose_name = "sync latency per day"
        constraints = [
            models.UniqueConstraint(fields=["connection", "day", "direction"], name="synclatencydaily_once")
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.direction}: p50 {self.p50_ms} ms, p95 {self.p95_ms} ms"


class RollupState(models.Model):
    """One row: up to when events have been folded (the dashboard says "as of")."""

    folded_until = models.DateTimeField(null=True)

    def __str__(self) -> str:
        return f"Sync rollup up to {self.folded_until}"


class ReconciliationRun(models.Model):
    """One comparison of every linked customer's balance with QuickBooks' Balance."""

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    connection = models.ForeignKey(QBOConnection, on_delete=models.CASCADE, related_name="reconciliations")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.RUNNING)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    compared = models.PositiveIntegerField(default=0)
    matching = models.PositiveIntegerField(default=0)
    qbo_reads = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        get_latest_by = "started_at"
        permissions = [
            ("fix_reconciliationrun", "Can re-sync or force-push a customer from the reconciliation report")
        ]

    def __str__(self) -> str:
        return f"Reconciliation {self.started_at:%Y-%m-%d %H:%M} ({self.get_status_display()})"

    @property
    def accuracy(self) -> float | None:
        """Share of compared customers whose balance is the same on both sides (0..1)."""
        return self.matching / self.compared if self.compared else None


class ReconciliationRow(models.Model):
    class Explanation(models.TextChoices):
        MATCH = "match", "Same on both sides"
        PENDING = "pending", "Changes still waiting to be sent"
        FAILED = "failed", "A change QuickBooks refused (open failure)"
        MISSING = "missing", "Not found in QuickBooks"
        UNEXPLAINED = "unexplained", "Different, with nothing pending: re-sync or force push"

    run = models.ForeignKey(ReconciliationRun, on_delete=models.CASCADE, related_name="rows")
    customer = models.ForeignKey("customers.Customer", null=True, on_delete=models.SET_NULL, related_name="+")
    customer_name = models.CharField(max_length=500)
    qbo_id = models.CharField(max_length=32)
    local_balance = models.DecimalField(**MONEY)
    qbo_balance = models.DecimalField(**MONEY, null=True)
    difference = models.DecimalField(**MONEY, default=0)
    explanation = models.CharField(max_length=12, choices=Explanation.choices)
    pending_changes = models.PositiveIntegerField(default=0)
    open_failures = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["customer_name"]
        indexes = [models.Index(fields=["run", "explanation"], name="reconrow_run_explanation")]

    def __str__(self) -> str:
        return f"{self.customer_name}: {self.local_balance} vs {self.qbo_balance}"
