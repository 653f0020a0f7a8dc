"""The transactional outbox: one row per committed local change that QuickBooks must hear about.

Domain services write a row in the same transaction as the business change (Heroku Connect's trigger
log, the Debezium outbox pattern). The sync engine in ``integrations`` reads rows in id order, pushes
them and records the outcome per realm; the domain apps never import ``integrations``.
"""

from django.conf import settings
from django.db import models


class Operation(models.TextChoices):
    CREATE = "create", "Create"
    UPDATE = "update", "Update"
    DEACTIVATE = "deactivate", "Deactivate"
    DELETE = "delete", "Delete"
    VOID = "void", "Void"
    MERGE = "merge", "Merge"


class OutboxEntry(models.Model):
    id = models.BigAutoField(primary_key=True)
    # "<app_label>.<model_name>" of the changed record, e.g. "customers.customer", "sales.sale".
    entity = models.CharField(max_length=60)
    object_id = models.BigIntegerField()
    operation = models.CharField(max_length=12, choices=Operation.choices)
    # Names of the fields the change touched (empty on create: everything is new).
    changed_fields = models.JSONField(default=list, blank=True)
    # Extra facts the engine needs and cannot re-read later (e.g. the merged-away customer's id).
    details = models.JSONField(default=dict, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "outbox entry"
        verbose_name_plural = "outbox entries"
        indexes = [models.Index(fields=["entity", "object_id"], name="outbox_entity_obj")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.operation} {self.entity}:{self.object_id}"
