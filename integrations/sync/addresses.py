"""Address updates from new orders: a new sale's billing/shipping address becomes its customer's.

The sync setting ("billing", "shipping", "both" or "none") is applied when a sale is first sent,
before the push is split into waves: the customer is changed here through ``customer_update`` (so
the change is audited in the outbox like any other edit) and goes to QuickBooks in the same push,
ahead of the sale. Only the sale's own customer is touched, never the default or walk-in customer,
and only on the first send (a sale QuickBooks refused counts as sent once), so editing a customer's
address later is never undone by an old order or its retry.
"""

from __future__ import annotations

import logging

from customers.services import customer_update
from integrations.mapping.choices import AddressUpdates
from integrations.mapping.sales import order_address_changes
from integrations.models.sync import QBOLink, SyncFailure
from integrations.sync import plan, snapshots
from integrations.sync.documents import needs_customer
from integrations.sync.refs import Refs

log = logging.getLogger(__name__)


def apply_order_addresses(connection, changes: dict, found: dict, refs: Refs) -> bool:
    """Update the customers of new sales in this push; ``True`` when a customer changed (reload)."""
    if refs.options.address_updates == AddressUpdates.NONE:
        return False
    sales = {
        key: record
        for key, record in found.items()
        if key[0] == "sales.sale" and record.customer_id and not record.is_void
    }
    if not sales:
        return False
    ids = [pk for _, pk in sales]
    sent = set(
        QBOLink.objects.filter(connection=connection, entity="sales.sale", object_id__in=ids).values_list(
            "object_id", flat=True
        )
    )
    # A sale QuickBooks refused had its addresses applied on that first try (before its wave was
    # sent); its retry must not undo an address someone typed since.
    sent |= set(
        SyncFailure.objects.filter(connection=connection, entity="sales.sale", object_id__in=ids).values_list(
            "object_id", flat=True
        )
    )
    touched = False
    for (_, pk), sale in sorted(sales.items()):
        if pk in sent or not needs_customer("sales.sale", sale, refs):
            continue
        customer = sale.customer
        _, wanted = order_address_changes(
            snapshots.sale_snapshot(sale), snapshots.customer_snapshot(customer), refs.options
        )
        if not wanted:
            continue
        customer_update(customer=customer, changes=wanted)
        key = ("customers.customer", customer.pk)
        change = changes.setdefault(key, plan.Change(*key, operations=["update"]))
        change.fields.update(wanted)
        touched = True
    return touched
