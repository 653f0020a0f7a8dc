"""Quantity on hand for inventory items, moved by sales, voids, refunds and store credit.

Negative stock is allowed, as at a point-of-sale register: the goods are physically in the
customer's hands, so refusing the sale would only hide a counting error. The sale goes through and
the admin tells the user which items are now below zero (``sale_items_below_zero``) so somebody
recounts. No outbox row is written for these changes: QuickBooks moves its own QtyOnHand when it
receives the SalesReceipt/Invoice/RefundReceipt/CreditMemo that caused them.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from sales.models import Item


def inventory_apply(*, deltas: Mapping[int, Decimal]) -> list[Item]:
    """Add ``deltas`` (item id -> quantity, negative = goods out) to the inventory items' stock.

    Rows are locked in id order so two documents touching the same items cannot deadlock.
    Non-inventory and service items are ignored. Returns the inventory items that changed.
    """
    ids = sorted(item_id for item_id, delta in deltas.items() if delta)
    if not ids:
        return []
    items = list(Item.objects.select_for_update().filter(pk__in=ids, kind=Item.Kind.INVENTORY).order_by("pk"))
    for item in items:
        item.quantity_on_hand += deltas[item.pk]
        item.save(update_fields=["quantity_on_hand"])
    return items


def negate(quantities: Mapping[int, Decimal]) -> dict[int, Decimal]:
    return {item_id: -quantity for item_id, quantity in quantities.items()}
