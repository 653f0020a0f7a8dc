"""Storing a verified webhook delivery and handing it to a background task."""

from __future__ import annotations

from django.db import transaction
from django_q.tasks import async_task

from integrations.models.pull import WebhookDelivery
from integrations.webhooks.parse import Notice


def webhook_delivery_store(*, body: bytes, kind: str, notices: list[Notice]) -> WebhookDelivery:
    """Keep the raw body (so processing can be re-run) and enqueue its processing after commit."""
    with transaction.atomic():
        delivery = WebhookDelivery.objects.create(
            body=body,
            format=kind,
            event_count=len(notices),
            realm_ids=sorted({notice.realm_id for notice in notices}),
        )
        transaction.on_commit(
            lambda: async_task("integrations.tasks.process_webhook", delivery.pk, group="pull")
        )
    return delivery
