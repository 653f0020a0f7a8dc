"""What the sync engine remembers: links between records, the push intent ledger, events, failures."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from integrations.models.connection import QBOConnection


class QBOLink(models.Model):
    """A local record and the QuickBooks object it is, with the state last agreed on both sides."""

    connection = models.ForeignKey(QBOConnection, on_delete=models.CASCADE, related_name="links")
    entity = models.CharField(max_length=60)  # local "<app>.<model>", e.g. customers.customer
    object_id = models.BigIntegerField()
    qbo_type = models.CharField(max_length=30)  # Customer, Invoice, SalesReceipt, ...
    qbo_id = models.CharField(max_length=32)
    sync_token = models.CharField(max_length=16, blank=True)
    # Hash of the mapped fields last pushed or pulled: equal hash = nothing to send / an echo.
    fingerprint = models.CharField(max_length=64, blank=True)
    # The mapped field values both sides last agreed on: the base of the three-way compare.
    base = models.JSONField(default=dict, blank=True)
    qbo_updated_at = models.DateTimeField(null=True, blank=True)
    last_synced_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "QuickBooks link"
        constraints = [
            models.UniqueConstraint(fields=["connection", "entity", "object_id"], name="qbolink_local_once"),
            models.UniqueConstraint(fields=["connection", "qbo_type", "qbo_id"], name="qbolink_remote_once"),
        ]

    def __str__(self) -> str:
        return f"{self.entity}:{self.object_id} ↔ {self.qbo_type} {self.qbo_id}"


class PushBatch(models.Model):
    """The intent ledger: a batch request is stored (committed) before it is sent.

    If the worker dies after QuickBooks answered but before our results committed, the next drain
    re-sends the identical body with the identical ``requestid`` and QuickBooks replays its original
    answer instead of creating anything twice.
    """

    class Status(models.TextChoices):
        IN_FLIGHT = "in_flight", "In flight"
        DONE = "done", "Done"

    connection = models.ForeignKey(QBOConnection, on_delete=models.CASCADE, related_name="push_batches")
    request_id = models.CharField(max_length=36)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.IN_FLIGHT)
    body = models.JSONField()
    items = models.JSONField()  # [{bId, entity, object_id, operation, fingerprint, fields}]
    created_at = models.DateTimeField(auto_now_add=True)
    sent_attempts = models.PositiveIntegerField(default=0)
    # Which lease holder last sent it, and when: proves one worker per company at a time (audits, tests).
    lease_owner = models.CharField(max_length=120, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["connection", "request_id"], name="pushbatch_requestid_once")
        ]
        indexes = [models.Index(fields=["connection", "status"], name="pushbatch_open")]

    def __str__(self) -> str:
        return f"Batch {self.request_id} ({self.get_status_display()})"


class Direction(models.TextChoices):
    PUSH = "push", "SyncPortal → QuickBooks"
    PULL = "pull", "QuickBooks → SyncPortal"


class SyncEvent(models.Model):
    """Append-only log of every record sent or received (no tokens, no customer data beyond ids)."""

    class Outcome(models.TextChoices):
        OK = "ok", "Synced"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "Skipped (unchanged or out of scope)"
        ECHO = "echo", "Echo of our own write (ignored)"
        CONFLICT = "conflict", "Conflict"

    connection = models.ForeignKey(QBOConnection, null=True, on_delete=models.SET_NULL, related_name="+")
    direction = models.CharField(max_length=4, choices=Direction.choices)
    entity = models.CharField(max_length=60)
    object_id = models.BigIntegerField(null=True)
    qbo_type = models.CharField(max_length=30, blank=True)
    qbo_id = models.CharField(max_length=32, blank=True)
    operation = models.CharField(max_length=12, blank=True)
    outcome = models.CharField(max_length=8, choices=Outcome.choices)
    duration_ms = models.PositiveIntegerField(default=0)
    # Committed local change → confirmed on the other side (the dashboard's sync completion time).
    latency_ms = models.PositiveIntegerField(null=True, blank=True)
    request_id = models.CharField(max_length=36, blank=True)
    summary = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        indexes = [
            models.Index(fields=["entity", "object_id"], name="syncevent_record"),
            models.Index(fields=["outcome", "created_at"], name="syncevent_outcome"),
        ]

    def __str__(self) -> str:
        return f"{self.get_direction_display()} {self.entity}:{self.object_id} {self.outcome}"


class SyncFailure(models.Model):
    """A record QuickBooks refused (or we could not send), in words a bookkeeper can act on."""

    class Status(models.TextChoices):
        OPEN = "open", "Needs attention"
        RETRYING = "retrying", "Retrying automatically"
        RESOLVED = "resolved", "Resolved"
        IGNORED = "ignored", "Ignored"

    connection = models.ForeignKey(QBOConnection, on_delete=models.CASCADE, related_name="failures")
    direction = models.CharField(max_length=4, choices=Direction.choices, default=Direction.PUSH)
    entity = models.CharField(max_length=60)
    object_id = models.BigIntegerField()
    record_label = models.CharField(max_length=255, blank=True)  # "Customer Jane Doe", shown in lists
    operation = models.CharField(max_length=12, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True)
    cause = models.CharField(max_length=40, db_index=True)  # root-cause key, groups the queue
    message = models.TextField()  # plain words: what, which record, what QuickBooks objected to, what to do
    qbo_code = models.CharField(max_length=10, blank=True)
    qbo_detail = models.TextField(blank=True)
    attempts = models.PositiveIntegerField(default=0)
    next_retry_at = models.DateTimeField(null=True, blank=True, db_index=True)
    force_push = models.BooleanField(default=False)
    first_seen_at = models.DateTimeField(auto_now_add=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        permissions = [("retry_syncfailure", "Can retry, ignore or force-push sync failures")]
        constraints = [
            models.UniqueConstraint(
                fields=["connection", "direction", "entity", "object_id"],
                condition=models.Q(status__in=["open", "retrying"]),
                name="syncfailure_one_active_per_record",
            )
        ]

    def __str__(self) -> str:
        return f"{self.record_label or self.entity}: {self.cause}"


class SyncConflict(models.Model):
    """Both sides changed the same field since the last sync; nobody's value is silently dropped."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        RESOLVED = "resolved", "Resolved"

    connection = models.ForeignKey(QBOConnection, on_delete=models.CASCADE, related_name="conflicts")
    entity = models.CharField(max_length=60)
    object_id = models.BigIntegerField()
    record_label = models.CharField(max_length=255, blank=True)
    field = models.CharField(max_length=100)
    base_value = models.JSONField(null=True, blank=True)
    local_value = models.JSONField(null=True, blank=True)
    qbo_value = models.JSONField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True)
    resolution = models.CharField(max_length=20, blank=True)  # kept_local | kept_qbo | edited
    resolved_value = models.JSONField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        permissions = [("resolve_syncconflict", "Can resolve sync conflicts")]

    def __str__(self) -> str:
        return f"{self.record_label or self.entity}: {self.field}"
