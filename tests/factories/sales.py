"""Factories for sales. Items and tax codes are plain rows; documents are made through the
services (``make_cash_sale`` ...), because a sale written directly would carry totals, balances and
stock that no service computed, and a test starting from that state would prove nothing."""

import datetime
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from sales.models import Item, PaymentMethod, Sale, TaxCode
from sales.services import LineInput, payment_create, sale_create
from tests.factories.customers import CustomerFactory

TODAY = datetime.date(2026, 3, 2)


class TaxCodeFactory(DjangoModelFactory):
    class Meta:
        model = TaxCode

    name = factory.Sequence(lambda n: f"Tax {n}")
    rate = Decimal("8.25")


class ItemFactory(DjangoModelFactory):
    class Meta:
        model = Item

    name = factory.Sequence(lambda n: f"Item {n:04d}")
    kind = Item.Kind.NON_INVENTORY
    unit_price = Decimal("10.00")
    taxable = True


class InventoryItemFactory(ItemFactory):
    kind = Item.Kind.INVENTORY
    quantity_on_hand = Decimal("10")


def make_cash_sale(*, lines=None, customer=None, date=TODAY, **kwargs) -> Sale:
    """A cash sale of one $10.00 non-inventory item unless ``lines`` say otherwise."""
    lines = lines or [LineInput(item=ItemFactory(), quantity=Decimal("1"))]
    kwargs.setdefault("payment_method", PaymentMethod.CASH)
    return sale_create(kind=Sale.Kind.CASH, customer=customer, date=date, lines=lines, **kwargs)


def make_charge(*, customer=None, amount: Decimal | str = "100.00", lines=None, date=TODAY, **kwargs) -> Sale:
    """An account charge totalling ``amount`` (one untaxed line) unless ``lines`` say otherwise."""
    customer = customer or CustomerFactory()
    lines = lines or [
        LineInput(item=ItemFactory(taxable=False), quantity=Decimal("1"), unit_price=Decimal(amount))
    ]
    return sale_create(kind=Sale.Kind.CHARGE, customer=customer, date=date, lines=lines, **kwargs)


def make_payment(*, customer, amount, allocations=(), date=TODAY, **kwargs):
    kwargs.setdefault("method", PaymentMethod.CHECK)
    return payment_create(
        customer=customer, amount=Decimal(amount), date=date, allocations=allocations, **kwargs
    )
