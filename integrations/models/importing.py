"""The initial import of a QuickBooks company: one run record per import, and the QuickBooks lists
(accounts, payment methods) the store has no table of its own for but needs to read references."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from integrations.models.connection import QBOConnection

# The order a run walks through QuickBooks: everything a later stage refers to comes first.
STAGES = (
    ("accounts", "Accounts"),
    ("payment_methods", "Payment methods"),
    ("tax_codes", "Tax codes"),
    ("items", "Items"),
    ("customers", "Customers"),
    ("sub_customers", "Sub-customer hierarchy"),
    ("invoices", "Open invoices"),
    ("payments", "Payments"),
)


class ImportRun(models.Model):
    """One initial import: where it is (stage + next page), what it did, and whether to stop.

    The position is written in the same transaction as each page's rows, so a run that dies
    resumes exactly after the last page it committed.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    ACTIVE = (Status.QUEUED, Status.RUNNING)

    connection = models.ForeignKey(QBOConnection, on_delete=models.CASCADE, related_name="import_runs")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True)
    stage = models.CharField(max_length=20, choices=STAGES, default=STAGES[0][0])
    position = models.PositiveIntegerField(default=1, help_text="Next STARTPOSITION in the stage.")
    totals = models.JSONField(default=dict, blank=True)  # stage → rows QuickBooks holds
    counts = models.JSONField(default=dict, blank=True)  # stage → {created, updated, linked, skipped}
    processed = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    pages = models.PositiveIntegerField(default=0)
    api_calls = models.PositiveIntegerField(default=0)
    warnings = models.JSONField(default=list, blank=True)  # plain words, capped
    error = models.TextField(blank=True)
    cancel_requested = models.BooleanField(default=False)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The worker holding the run; another may take over once the lease has expired (a dead worker).
    lease_owner = models.CharField(max_length=64, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "QuickBooks import"
        ordering = ["-created_at"]
        permissions = [("cancel_importrun", "Can cancel a QuickBooks import")]
        constraints = [
            models.UniqueConstraint(
                fields=["connection"],
                condition=models.Q(status__in=["queued", "running"]),
                name="importrun_one_active_per_connection",
            )
        ]

    def __str__(self) -> str:
        return f"Import #{self.pk} of {self.connection} ({self.get_status_display()})"

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if not self.total:
            return 0
        return min(99, int(self.processed * 100 / self.total))

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE


class QBOReference(models.Model):
    """A QuickBooks list entry the store refers to by name only (accounts, payment methods).

    Items name their income account and payments carry a method choice; the import needs the
    QuickBooks ids behind those names to translate references, and keeps them here.
    """

    connection = models.ForeignKey(QBOConnection, on_delete=models.CASCADE, related_name="references")
    qbo_type = models.CharField(max_length=30)  # Account, PaymentMethod, TaxCode
    qbo_id = models.CharField(max_length=32)
    name = models.CharField(max_length=255)
    kind = models.CharField(max_length=60, blank=True)  # AccountType / PaymentMethod Type
    active = models.BooleanField(default=True)

    class Meta:
        verbose_name = "QuickBooks list entry"
        constraints = [
            models.UniqueConstraint(fields=["connection", "qbo_type", "qbo_id"], name="qboreference_once")
        ]

    def __str__(self) -> str:
        return f"{self.qbo_type} {self.name}"
