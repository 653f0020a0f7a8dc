"""Processing a stored webhook delivery: honour merges, then wake one pull per company.

A notification carries ids only. Rather than one metered GET per event, each company named in the
delivery gets one wake-up, and the pull reads all of its changes with a single CDC call. A Merge is
the one operation CDC cannot show (the merged customer just looks inactive), so it is applied here,
from the ids alone, when both customers are linked. Duplicated, late or reordered deliveries are
harmless: a merge already made is a no-op and the pull reads from its own cursor.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone

from customers.models import Customer
from integrations.models.connection import QBOConnection
from integrations.models.pull import WebhookDelivery
from integrations.models.sync import Direction, QBOLink, SyncEvent
from integrations.webhooks.parse import MalformedWebhook, Notice, parse_notices

log = logging.getLogger(__name__)


def _linked_customer(connection, qbo_id: str) -> Customer | None:
    link = QBOLink.objects.filter(connection=connection, qbo_type="Customer", qbo_id=qbo_id).first()
    return Customer.objects.filter(pk=link.object_id).first() if link else None


def apply_merge(connection: QBOConnection, notice: Notice) -> bool:
    from customers.merging import customer_merge_from_qbo

    survivor = _linked_customer(connection, notice.entity_id)
    merged = _linked_customer(connection, notice.deleted_id)
    if survivor is None or merged is None or merged.merged_into_id == survivor.pk:
        return False
    with transaction.atomic():
        customer_merge_from_qbo(survivor=survivor, merged=merged)
        SyncEvent.objects.create(
            connection=connection,
            direction=Direction.PULL,
            entity="customers.customer",
            object_id=merged.pk,
            qbo_type="Customer",
            qbo_id=notice.deleted_id,
            operation="merge",
            outcome=SyncEvent.Outcome.OK,
            summary={"survivor": survivor.pk, "survivor_qbo_id": notice.entity_id},
        )
    return True


def process_delivery(delivery_id: int) -> list[int]:
    """Returns the ids of the companies that need a pull (the task enqueues one each)."""
    delivery = WebhookDelivery.objects.filter(pk=delivery_id).first()
    if delivery is None:
        return []
    try:
        _kind, notices = parse_notices(bytes(delivery.body))
    except MalformedWebhook as error:  # checked on receipt; only a tampered row gets here
        WebhookDelivery.objects.filter(pk=delivery_id).update(status="failed", error=str(error)[:255])
        return []
    connections = {
        c.realm_id: c
        for c in QBOConnection.objects.filter(
            realm_id__in={n.realm_id for n in notices}, status=QBOConnection.Status.CONNECTED
        )
    }
    for notice in notices:
        connection = connections.get(notice.realm_id)
        if connection and notice.entity == "Customer" and notice.operation == "Merge" and notice.deleted_id:
            apply_merge(connection, notice)
    WebhookDelivery.objects.filter(pk=delivery_id).update(status="processed", processed_at=timezone.now())
    if len(connections) < len({n.realm_id for n in notices}):
        log.info("webhook delivery %s names companies that are not connected; ignored", delivery_id)
    return [c.pk for c in connections.values()]
