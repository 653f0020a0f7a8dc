"""Duplicate customers: scans, the review queue and the merge audit.

Imported at the bottom of ``customers.models`` so Django registers them in the customers app.
"""

from __future__ import annotations

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import F, Q


class DedupeRun(models.Model):
    """One duplicate scan (nightly or "Scan now"), with the progress the admin's bar shows."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        RUNNING = "running", "Running"
        FINISHED = "finished", "Finished"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    class Trigger(models.TextChoices):
        NIGHTLY = "nightly", "Nightly schedule"
        MANUAL = "manual", "Scan now"

    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED, db_index=True)
    trigger = models.CharField(max_length=12, choices=Trigger.choices, default=Trigger.MANUAL)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)  # doubles as the heartbeat while running
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    stage = models.CharField(max_length=40, blank=True)
    processed = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    customers = models.PositiveIntegerField("customers scanned", default=0)
    pairs_compared = models.BigIntegerField(default=0)
    pairs_found = models.PositiveIntegerField(default=0)
    new_pairs = models.PositiveIntegerField("new in the queue", default=0)
    cancel_requested = models.BooleanField(default=False)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "duplicate scan"

    def __str__(self) -> str:
        return f"Duplicate scan #{self.pk} ({self.get_status_display().lower()})"

    @property
    def percent(self) -> int:
        if self.status == self.Status.FINISHED:
            return 100
        return int(100 * self.processed / self.total) if self.total else 0

    @property
    def is_active(self) -> bool:
        return self.status in {self.Status.QUEUED, self.Status.RUNNING}


class DuplicateCandidate(models.Model):
    """A pair of customers the finder thinks may be one; a person decides (merge or not a duplicate)."""

    class Status(models.TextChoices):
        OPEN = "open", "Waiting for review"
        MERGED = "merged", "Merged"
        NOT_DUPLICATE = "not_duplicate", "Not a duplicate"
        SUPERSEDED = "superseded", "No longer applies"

    customer_a = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+")
    customer_b = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+")
    score = models.FloatField(help_text="0 to 1: how likely the two are one customer.")
    reasons = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN, db_index=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    found_at = models.DateTimeField()
    found_by_run = models.ForeignKey(
        DedupeRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="candidates"
    )

    class Meta:
        ordering = ["-score", "id"]
        verbose_name = "possible duplicate"
        constraints = [
            models.UniqueConstraint(
                fields=["customer_a", "customer_b"],
                name="dupcandidate_pair_once",
                violation_error_message="This pair of customers is already in the review queue.",
            ),
            models.CheckConstraint(
                condition=Q(customer_a__lt=F("customer_b")),
                name="dupcandidate_a_before_b",
                violation_error_message="A pair is stored with the lower customer id first.",
            ),
            models.CheckConstraint(
                condition=Q(score__gte=0) & Q(score__lte=1),
                name="dupcandidate_score_0_1",
                violation_error_message="A score is between 0 and 1.",
            ),
        ]
        indexes = [models.Index(fields=["status", "-score"], name="dupcandidate_queue")]

    def __str__(self) -> str:
        return f"{self.customer_a} / {self.customer_b} ({self.score:.0%})"


class CustomerMerge(models.Model):
    """The audit record of one merge: who, when, every choice, and enough to undo it exactly."""

    survivor = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="+")
    duplicate = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    field_choices = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    survivor_before = models.JSONField(default=dict, encoder=DjangoJSONEncoder)
    duplicate_before = models.JSONField(default=dict, encoder=DjangoJSONEncoder)
    survivor_after = models.JSONField(default=dict, encoder=DjangoJSONEncoder)
    # "<app_label>.<model>.<field>" -> ids of the rows re-pointed from the duplicate to the survivor.
    moved = models.JSONField(default=dict, blank=True)
    # One-to-one rows left with the duplicate because the survivor already had one.
    kept = models.JSONField(default=dict, blank=True)
    # Review-queue rows the merge closed, with their state before, so undo can reopen them.
    candidate_states = models.JSONField(default=list, blank=True, encoder=DjangoJSONEncoder)
    sync_quickbooks = models.BooleanField(default=True)
    # "qbo": merged by a bookkeeper inside QuickBooks and applied here by pull (cannot be undone).
    origin = models.CharField(
        max_length=5, choices=[("local", "SyncPortal"), ("qbo", "QuickBooks")], default="local"
    )
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "customer merge"

    def __str__(self) -> str:
        duplicate = self.duplicate_before.get("display_name", self.duplicate_id)
        return f"Merge #{self.pk}: {duplicate} into {self.survivor}"

    @property
    def moved_count(self) -> int:
        return sum(len(ids) for ids in self.moved.values())
