"""Refunds: money back for returned goods, never more than was sold, restocking, voiding."""

from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError

from sales.models import PaymentMethod, Refund
from sales.services import LineInput, ReturnLineInput, refund_create, refund_void
from tests.factories.customers import CustomerFactory
from tests.factories.sales import (
    TODAY,
    InventoryItemFactory,
    ItemFactory,
    TaxCodeFactory,
    make_cash_sale,
    make_charge,
    make_payment,
)
from tests.sales.conftest import outbox

pytestmark = pytest.mark.django_db


def refund(*, lines, **kwargs) -> Refund:
    kwargs.setdefault("method", PaymentMethod.CASH)
    return refund_create(date=TODAY, lines=lines, **kwargs)


def test_refund_against_a_sale_returns_what_was_paid_for_the_goods():
    item = ItemFactory(unit_price=D("20.00"))
    customer = CustomerFactory()
    sale = make_cash_sale(
        customer=customer,
        lines=[LineInput(item=item, quantity=D("3"), unit_price=D("18.00"))],
        discount_percent=D("10"),
        tax_code=TaxCodeFactory(rate=D("10")),
    )
    result = refund(original_sale=sale, lines=[LineInput(item=item, quantity=D("1"))])
    # The sale's price ($18, not the list $20), its 10% discount and its tax code apply again.
    assert (result.subtotal, result.discount_amount, result.tax_total, result.total) == (
        D("18.00"),
        D("1.80"),
        D("1.62"),
        D("17.82"),
    )
    assert result.customer == customer
    assert result.number == "RF-000001"
    assert outbox(entity="sales.refund") == [("sales.refund", result.pk, "create")]


def test_cannot_refund_more_than_was_sold_counting_earlier_refunds():
    item = ItemFactory()
    sale = make_cash_sale(lines=[LineInput(item=item, quantity=D("3"))])
    refund(original_sale=sale, lines=[LineInput(item=item, quantity=D("2"))])
    with pytest.raises(ValidationError) as refused:
        refund(original_sale=sale, lines=[LineInput(item=item, quantity=D("2"))])
    assert refused.value.messages == [
        f"3 of {item.name} sold on {sale.number}, 2 already returned: at most 1 more can be returned."
    ]
    assert Refund.objects.count() == 1


def test_voided_refund_no_longer_counts_as_returned():
    item = ItemFactory()
    sale = make_cash_sale(lines=[LineInput(item=item, quantity=D("1"))])
    refund_void(refund=refund(original_sale=sale, lines=[LineInput(item=item, quantity=D("1"))]))
    assert refund(original_sale=sale, lines=[LineInput(item=item, quantity=D("1"))]).pk


def test_item_not_on_the_sale_cannot_be_refunded_against_it():
    sale = make_cash_sale()
    other = ItemFactory(name="Something else")
    with pytest.raises(ValidationError, match=f"Something else was not sold on {sale.number}"):
        refund(original_sale=sale, lines=[LineInput(item=other, quantity=D("1"))])


def test_refund_restocks_inventory_unless_told_not_to():
    good, damaged = (
        InventoryItemFactory(quantity_on_hand=D("5")),
        InventoryItemFactory(quantity_on_hand=D("5")),
    )
    refund(
        lines=[
            ReturnLineInput(item=good, quantity=D("2")),
            ReturnLineInput(item=damaged, quantity=D("1"), restock=False),
        ]
    )
    good.refresh_from_db()
    damaged.refresh_from_db()
    assert (good.quantity_on_hand, damaged.quantity_on_hand) == (D("7"), D("5"))


def test_whole_refund_without_restock_leaves_stock_alone():
    item = InventoryItemFactory(quantity_on_hand=D("5"))
    refund(lines=[LineInput(item=item, quantity=D("2"))], restock=False)
    item.refresh_from_db()
    assert item.quantity_on_hand == D("5")


def test_voiding_a_refund_takes_the_restocked_goods_off_the_shelf_again():
    item = InventoryItemFactory(quantity_on_hand=D("5"))
    result = refund(lines=[LineInput(item=item, quantity=D("2"))])
    refund_void(refund=result)
    item.refresh_from_db()
    assert item.quantity_on_hand == D("5")
    assert outbox(entity="sales.refund") == [
        ("sales.refund", result.pk, "create"),
        ("sales.refund", result.pk, "void"),
    ]
    with pytest.raises(ValidationError, match="already void"):
        refund_void(refund=result)


def test_unpaid_account_charge_gets_store_credit_not_cash():
    sale = make_charge(amount="50.00")
    item = sale.lines.get().item
    with pytest.raises(ValidationError, match=r"still has \$50.00 due; give store credit"):
        refund(original_sale=sale, lines=[LineInput(item=item, quantity=D("1"))])


def test_paid_account_charge_can_be_refunded_and_the_balance_is_untouched():
    sale = make_charge(amount="50.00")
    make_payment(customer=sale.customer, amount="50.00", allocations=[(sale, D("50.00"))])
    result = refund(original_sale=sale, lines=[LineInput(item=sale.lines.get().item, quantity=D("1"))])
    sale.customer.refresh_from_db()
    assert result.total == D("50.00")
    assert sale.customer.balance == D("0.00")


def test_refund_for_another_customer_than_the_sale_is_refused():
    sale = make_cash_sale(customer=CustomerFactory())
    with pytest.raises(ValidationError, match=f"{sale.number} was sold to"):
        refund(
            original_sale=sale,
            customer=CustomerFactory(),
            lines=[LineInput(item=sale.lines.get().item, quantity=D("1"))],
        )


def test_cannot_refund_against_a_void_sale():
    from sales.services import sale_void

    sale = sale_void(sale=make_cash_sale())
    with pytest.raises(ValidationError, match="is void; nothing can be returned"):
        refund(original_sale=sale, lines=[LineInput(item=sale.lines.get().item, quantity=D("1"))])


def test_sale_with_a_refund_cannot_be_voided_until_the_refund_is():
    from sales.services import sale_void

    item = InventoryItemFactory(quantity_on_hand=D("5"))
    sale = make_cash_sale(lines=[LineInput(item=item, quantity=D("2"))])
    result = refund(original_sale=sale, lines=[LineInput(item=item, quantity=D("2"))])
    with pytest.raises(ValidationError, match=f"{result} was issued against {sale}"):
        sale_void(sale=sale)
    refund_void(refund=result)
    sale_void(sale=sale)
    item.refresh_from_db()
    assert item.quantity_on_hand == D("5")  # every unit counted exactly once
