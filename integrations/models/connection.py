"""One QuickBooks Online company (realm) SyncPortal is connected to, with its tokens and sync state."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from integrations.crypto import EncryptedTextField


class QBOConnection(models.Model):
    class Status(models.TextChoices):
        CONNECTED = "connected", "Connected"
        NEEDS_RECONNECT = "needs_reconnect", "Needs reconnect"
        DISCONNECTED = "disconnected", "Disconnected"

    realm_id = models.CharField("company (realm) id", max_length=32, unique=True)
    company_name = models.CharField(max_length=255, blank=True)
    environment = models.CharField(
        max_length=16, default="local", help_text="local sandbox, sandbox or production"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.CONNECTED, db_index=True)
    status_message = models.CharField(max_length=500, blank=True)
    sync_enabled = models.BooleanField(
        default=True, help_text="Managers can pause sync; changes keep queueing."
    )

    # Tokens: encrypted at rest, never logged, never shown.
    access_token = EncryptedTextField(blank=True, editable=False)
    refresh_token = EncryptedTextField(blank=True, editable=False)
    access_token_expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    refresh_token_expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    refresh_token_hard_expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    token_refreshed_at = models.DateTimeField(null=True, blank=True, editable=False)

    connected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    connected_at = models.DateTimeField(default=timezone.now, editable=False)

    # Push: every outbox entry with id <= outbox_position has been handled for this company.
    outbox_position = models.BigIntegerField(default=0, editable=False)
    # ...except these: ids below the position whose rows had not committed when it moved past them
    # (PostgreSQL takes ids at INSERT). [first_id, last_id, first_seen_epoch] ranges, re-read by
    # every drain until the row shows up or OUTBOX_GAP_GRACE_SECONDS pass (a rolled-back insert).
    outbox_gaps = models.JSONField(default=list, blank=True, editable=False)
    # One worker at a time talks to a company (Intuit asks for serial calls per realm): a lease row.
    lease_owner = models.CharField(max_length=100, blank=True, editable=False)
    lease_expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Calls made in the last minute, carried from one lease holder to the next (client-side limiter).
    recent_calls = models.JSONField(default=list, blank=True, editable=False)
    # Set by the commit hook when it enqueues a drain; cleared when a drain starts reading the outbox.
    # At most one wake-up task waits per company, however many changes commit meanwhile.
    wake_pending = models.BooleanField(default=False, editable=False)
    paused_until = models.DateTimeField(null=True, blank=True, editable=False)
    pause_reason = models.CharField(max_length=255, blank=True, editable=False)

    # Pull
    cdc_cursor = models.DateTimeField(null=True, blank=True, editable=False)
    # Set when a webhook asks for a pull; cleared when the pull starts. However many notifications
    # arrive meanwhile, one CDC call (one metered read) serves them all.
    pull_pending = models.BooleanField(default=False, editable=False)
    last_push_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_pull_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "QuickBooks connection"
        permissions = [("connect_qbo", "Can connect and disconnect QuickBooks")]

    def __str__(self) -> str:
        return self.company_name or f"Company {self.realm_id}"

    @property
    def is_usable(self) -> bool:
        return self.status == self.Status.CONNECTED and bool(self.refresh_token)
