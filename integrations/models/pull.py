"""What pull sync remembers: each webhook delivery QuickBooks sent us, stored before it is processed."""

from __future__ import annotations

from django.db import models


class WebhookDelivery(models.Model):
    """One verified POST from Intuit's notification server, kept raw so processing can be re-run.

    Only deliveries whose signature checked out are stored; the body holds ids and operations, never
    customer details (QuickBooks sends those only to an authorised read).
    """

    class Status(models.TextChoices):
        RECEIVED = "received", "Received"
        PROCESSED = "processed", "Processed"
        FAILED = "failed", "Failed"

    received_at = models.DateTimeField(auto_now_add=True, db_index=True)
    body = models.BinaryField()
    format = models.CharField(max_length=12, blank=True)  # legacy | cloudevents (set when processed)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RECEIVED, db_index=True)
    event_count = models.PositiveIntegerField(default=0)
    realm_ids = models.JSONField(default=list, blank=True)
    error = models.CharField(max_length=255, blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "webhook delivery"
        verbose_name_plural = "webhook deliveries"

    def __str__(self) -> str:
        return f"Webhook delivery {self.pk} ({self.get_status_display()})"
