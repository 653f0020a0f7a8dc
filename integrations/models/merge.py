"""The QuickBooks half of a customer merge (or of its undo), run step by step by the push engine.

QuickBooks' API has no merge, so SyncPortal repeats what a bookkeeper's merge does, one sparse
update at a time. This row remembers how far it got: a crash or a refused step resumes here, and
every QuickBooks object it is about to touch is written down *before* the call, so an undo can
reverse even objects that SyncPortal does not hold locally.
"""

from __future__ import annotations

from django.db import models

from integrations.models.connection import QBOConnection


class QBOMergeJob(models.Model):
    class Action(models.TextChoices):
        MERGE = "merge", "Merge"
        UNDO = "undo", "Undo merge"

    class Status(models.TextChoices):
        PENDING = "pending", "In progress"
        DONE = "done", "Done"
        SUPERSEDED = "superseded", "Replaced by its undo"

    connection = models.ForeignKey(QBOConnection, on_delete=models.CASCADE, related_name="merge_jobs")
    outbox_entry_id = models.BigIntegerField()
    merge_id = models.BigIntegerField(db_index=True)  # customers.CustomerMerge
    action = models.CharField(max_length=6, choices=Action.choices)
    survivor_id = models.BigIntegerField()
    duplicate_id = models.BigIntegerField()
    details = models.JSONField(default=dict)  # the outbox row's details: moved ids, not_moved_back ...
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    # {"done": [step names], "Invoice": [QuickBooks ids moved], "sub_customers": [...], ...}
    progress = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "QuickBooks merge step"
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["connection", "outbox_entry_id"], name="qbomergejob_entry_once")
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} #{self.merge_id} ({self.get_status_display().lower()})"
