"""Bulk work a person starts and watches: a re-sync after a mapping change, or *Retry all* of one cause.

Both used to be one instantaneous enqueue, with nothing to watch. A run record walks the records in
id order, a chunk at a time, and sends each chunk before queuing the next: ``done`` counts records
QuickBooks has been sent, so the progress bar is the real thing, and a cancel stops the records
not yet queued.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from integrations.models.connection import QBOConnection


class BulkRun(models.Model):
    class Kind(models.TextChoices):
        RESYNC = "resync", "Re-sync after a configuration change"
        RETRY = "retry", "Retry all of one cause"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    ACTIVE = (Status.QUEUED, Status.RUNNING)

    kind = models.CharField(max_length=10, choices=Kind.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True)
    # Re-sync: {"entities", "realm_id", "since"}; retry: {"cause", "connection_id", "up_to"}.
    params = models.JSONField(default=dict, blank=True)
    connection = models.ForeignKey(
        QBOConnection, null=True, blank=True, on_delete=models.CASCADE, related_name="bulk_runs"
    )
    entity_index = models.PositiveSmallIntegerField(default=0)  # re-sync: which entity it is walking
    position = models.BigIntegerField(default=0)  # the last record id handled in that walk
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    sent = models.PositiveIntegerField(default=0)  # accepted by QuickBooks
    refused = models.PositiveIntegerField(default=0)  # tried, and a failure is still open for the record
    error = models.TextField(blank=True)
    cancel_requested = models.BooleanField(default=False)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # A worker holds the run while it works; another may take over once the lease has expired.
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "bulk sync run"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE or not self.total:
            return 100 if self.status == self.Status.DONE else 0
        return min(100, self.done * 100 // self.total)
