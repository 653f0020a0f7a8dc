"""Quantity on hand moves with sales, updates, voids and returns; negative stock is allowed but shown."""

from decimal import Decimal as D

import pytest

from sales.models import Item
from sales.selectors import sale_items_below_zero
from sales.services import LineInput, item_create, item_deactivate, item_update, sale_update, sale_void
from syncportal.outbox.models import OutboxEntry
from tests.factories.sales import InventoryItemFactory, ItemFactory, make_cash_sale, make_charge
from tests.sales.conftest import outbox

pytestmark = pytest.mark.django_db


def on_hand(item) -> D:
    item.refresh_from_db()
    return item.quantity_on_hand


def test_sale_takes_inventory_items_out_of_stock_only():
    stocked, service = InventoryItemFactory(quantity_on_hand=D("10")), ItemFactory(kind=Item.Kind.SERVICE)
    make_cash_sale(
        lines=[
            LineInput(item=stocked, quantity=D("3")),
            LineInput(item=stocked, quantity=D("1.5")),
            LineInput(item=service, quantity=D("2")),
        ]
    )
    assert on_hand(stocked) == D("5.5")
    assert on_hand(service) == D("0")


def test_selling_more_than_is_on_hand_goes_negative_and_is_reported():
    item = InventoryItemFactory(quantity_on_hand=D("1"))
    sale = make_cash_sale(lines=[LineInput(item=item, quantity=D("3"))])
    assert on_hand(item) == D("-2")
    assert sale_items_below_zero(sale=sale) == [item]


def test_update_moves_stock_by_the_difference():
    kept, dropped, added = (InventoryItemFactory(quantity_on_hand=D("10")) for _ in range(3))
    sale = make_charge(
        lines=[LineInput(item=kept, quantity=D("2")), LineInput(item=dropped, quantity=D("4"))]
    )
    sale_update(
        sale=sale, lines=[LineInput(item=kept, quantity=D("5")), LineInput(item=added, quantity=D("1"))]
    )
    assert (on_hand(kept), on_hand(dropped), on_hand(added)) == (D("5"), D("10"), D("9"))


def test_void_puts_the_goods_back():
    item = InventoryItemFactory(quantity_on_hand=D("10"))
    sale = make_cash_sale(lines=[LineInput(item=item, quantity=D("4"))])
    sale_void(sale=sale)
    assert on_hand(item) == D("10")


def test_stock_movements_write_no_item_outbox_rows():
    item = InventoryItemFactory(quantity_on_hand=D("10"))
    sale_void(sale=make_cash_sale(lines=[LineInput(item=item, quantity=D("4"))]))
    # QuickBooks moves its own QtyOnHand when it gets the SalesReceipt; an Item push would fight it.
    assert not OutboxEntry.objects.filter(entity="sales.item").exists()


def test_item_services_write_one_row_per_real_change():
    item = item_create(
        name="Widget", kind=Item.Kind.INVENTORY, unit_price=D("4.50"), quantity_on_hand=D("12")
    )
    item_update(item=item, data={"unit_price": D("4.50")})  # no change
    item_update(item=item, data={"unit_price": D("4.75"), "category": "Hardware"})
    item_deactivate(item=item)
    item_deactivate(item=item)  # already inactive
    assert outbox() == [
        ("sales.item", item.pk, "create"),
        ("sales.item", item.pk, "update"),
        ("sales.item", item.pk, "deactivate"),
    ]
    assert OutboxEntry.objects.get(operation="update").changed_fields == ["category", "unit_price"]
    assert on_hand(item) == D("12")


def test_item_names_are_unique_and_inventory_type_is_fixed():
    from django.core.exceptions import ValidationError

    item = item_create(name="Widget", kind=Item.Kind.INVENTORY)
    with pytest.raises(ValidationError, match="already exists"):
        item_create(name="Widget")
    with pytest.raises(ValidationError, match="cannot change an inventory item"):
        item_update(item=item, data={"kind": Item.Kind.SERVICE})
    with pytest.raises(ValidationError, match="Only inventory items track"):
        item_create(name="Consulting", kind=Item.Kind.SERVICE, quantity_on_hand=D("1"))
