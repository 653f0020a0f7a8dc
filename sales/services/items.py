"""Items and tax codes: the product list QuickBooks mirrors as Item and TaxCode."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from sales.models import Item, TaxCode
from sales.services.rules import clean_amount, lock, refuse, to_decimal
from syncportal.outbox.services import Operation, Origin, outbox_record

ITEM_FIELDS = {
    "name",
    "sku",
    "description",
    "kind",
    "category",
    "unit_price",
    "taxable",
    "income_account",
    "is_active",
}
TAXCODE_FIELDS = {"name", "description", "rate", "is_active"}


def _clean_item(item: Item) -> None:
    item.name = (item.name or "").strip()
    item.sku = (item.sku or "").strip() or None  # blank SKUs must not collide on the unique index
    item.unit_price = clean_amount(item.unit_price, label="The price", field="unit_price", allow_zero=True)
    item.full_clean()


def item_create(
    *,
    name: str,
    kind: str = Item.Kind.NON_INVENTORY,
    sku: str | None = None,
    description: str = "",
    category: str = "",
    unit_price: Decimal = Decimal("0.00"),
    taxable: bool = True,
    income_account: str = "",
    quantity_on_hand: Decimal = Decimal("0"),
    actor: AbstractBaseUser | None = None,
    origin: str = Origin.LOCAL,
) -> Item:
    """Create an item; inventory items may start with a quantity on hand (QuickBooks' QtyOnHand)."""
    quantity = to_decimal(quantity_on_hand, label="The quantity on hand", field="quantity_on_hand")
    if quantity and kind != Item.Kind.INVENTORY:
        refuse("Only inventory items track a quantity on hand.", field="quantity_on_hand")
    item = Item(
        name=name,
        kind=kind,
        sku=sku,
        description=description,
        category=category,
        unit_price=unit_price,
        taxable=taxable,
        income_account=income_account,
        quantity_on_hand=quantity,
    )
    _clean_item(item)
    with transaction.atomic():
        item.save()
        outbox_record(instance=item, operation=Operation.CREATE, actor=actor, origin=origin)
    return item


def item_update(
    *, item: Item, data: dict[str, Any], actor: AbstractBaseUser | None = None, origin: str = Origin.LOCAL
) -> Item:
    """Change an item's list fields (``data``: field -> value). Quantity on hand is not editable here:
    documents move it. Writes one outbox row naming the changed fields, or nothing if none changed."""
    unknown = set(data) - ITEM_FIELDS
    if unknown:
        raise ValueError(f"item_update cannot change {', '.join(sorted(unknown))}")
    with transaction.atomic():
        item = lock(item)
        before = {field: getattr(item, field) for field in data}
        for field, value in data.items():
            setattr(item, field, value)
        if before.get("kind", item.kind) == Item.Kind.INVENTORY and item.kind != Item.Kind.INVENTORY:
            refuse("QuickBooks cannot change an inventory item into another type.", field="kind")
        _clean_item(item)
        changed = [field for field in data if getattr(item, field) != before[field]]
        if changed:
            item.save(update_fields=changed)
            outbox_record(
                instance=item, operation=Operation.UPDATE, changed_fields=changed, actor=actor, origin=origin
            )
    return item


def item_deactivate(*, item: Item, actor: AbstractBaseUser | None = None, origin: str = Origin.LOCAL) -> Item:
    """Make an item inactive (QuickBooks never deletes items). Past documents keep it."""
    with transaction.atomic():
        item = lock(item)
        if item.is_active:
            item.is_active = False
            item.save(update_fields=["is_active"])
            outbox_record(
                instance=item,
                operation=Operation.DEACTIVATE,
                changed_fields=["is_active"],
                actor=actor,
                origin=origin,
            )
    return item


def _clean_taxcode(tax_code: TaxCode) -> None:
    tax_code.name = (tax_code.name or "").strip()
    rate = to_decimal(tax_code.rate, label="The rate", field="rate")
    if not rate.is_finite() or not Decimal("0") <= rate <= Decimal("100"):
        refuse("A tax rate is a percentage between 0 and 100.", field="rate")
    tax_code.rate = rate
    tax_code.full_clean()


def taxcode_create(
    *,
    name: str,
    rate: Decimal,
    description: str = "",
    actor: AbstractBaseUser | None = None,
    origin: str = Origin.LOCAL,
) -> TaxCode:
    """Create a tax code with its combined rate in percent (e.g. ``Decimal("8.25")``)."""
    tax_code = TaxCode(name=name, rate=rate, description=description)
    _clean_taxcode(tax_code)
    with transaction.atomic():
        tax_code.save()
        outbox_record(instance=tax_code, operation=Operation.CREATE, actor=actor, origin=origin)
    return tax_code


def taxcode_update(
    *,
    tax_code: TaxCode,
    data: dict[str, Any],
    actor: AbstractBaseUser | None = None,
    origin: str = Origin.LOCAL,
) -> TaxCode:
    """Change a tax code. Existing documents keep the tax they were computed with."""
    unknown = set(data) - TAXCODE_FIELDS
    if unknown:
        raise ValueError(f"taxcode_update cannot change {', '.join(sorted(unknown))}")
    with transaction.atomic():
        tax_code = lock(tax_code)
        before = {field: getattr(tax_code, field) for field in data}
        for field, value in data.items():
            setattr(tax_code, field, value)
        _clean_taxcode(tax_code)
        changed = [field for field in data if getattr(tax_code, field) != before[field]]
        if changed:
            tax_code.save(update_fields=changed)
            outbox_record(
                instance=tax_code,
                operation=Operation.UPDATE,
                changed_fields=changed,
                actor=actor,
                origin=origin,
            )
    return tax_code
