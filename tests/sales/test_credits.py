"""Store credit: created for returns, applied to charges, taken back, voided."""

from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError

from sales.models import CreditApplication, StoreCredit
from sales.services import (
    LineInput,
    sale_void,
    store_credit_apply,
    store_credit_create,
    store_credit_unapply,
    store_credit_void,
)
from syncportal.outbox.models import OutboxEntry
from syncportal.outbox.services import Origin
from tests.factories.customers import CustomerFactory
from tests.factories.sales import TODAY, InventoryItemFactory, ItemFactory, make_charge
from tests.sales.conftest import outbox

pytestmark = pytest.mark.django_db


def credit(*, customer, amount="40.00", **kwargs) -> StoreCredit:
    kwargs.setdefault(
        "lines", [LineInput(item=ItemFactory(taxable=False), quantity=D("1"), unit_price=D(amount))]
    )
    return store_credit_create(customer=customer, date=TODAY, **kwargs)


def test_store_credit_lowers_the_customer_balance():
    customer = CustomerFactory(credit_limit=D("100.00"))
    make_charge(customer=customer, amount="70.00")
    memo = credit(customer=customer, amount="40.00")
    customer.refresh_from_db()
    assert (memo.number, memo.remaining) == ("CM-000001", D("40.00"))
    assert (customer.balance, customer.available_credit) == (D("30.00"), D("70.00"))


def test_applying_credit_pays_down_the_charge_and_uses_up_the_credit():
    customer = CustomerFactory()
    sale = make_charge(customer=customer, amount="70.00")
    memo = credit(customer=customer, amount="40.00")
    application = store_credit_apply(store_credit=memo, sale=sale, amount=D("25.00"))
    memo.refresh_from_db()
    sale.refresh_from_db()
    customer.refresh_from_db()
    assert (memo.remaining, sale.balance_due) == (D("15.00"), D("45.00"))
    assert customer.balance == D("30.00")  # money moved inside the account: the total owed is unchanged
    assert outbox()[-1] == ("sales.creditapplication", application.pk, "create")


@pytest.mark.parametrize(
    ("amount", "message"),
    [("40.01", r"Only \$40.00 of Store credit CM-000001 is left"), ("0", "greater than zero")],
)
def test_cannot_apply_more_than_is_left(amount, message):
    customer = CustomerFactory()
    sale = make_charge(customer=customer, amount="100.00")
    memo = credit(customer=customer, amount="40.00")
    with pytest.raises(ValidationError, match=message):
        store_credit_apply(store_credit=memo, sale=sale, amount=D(amount))
    assert not CreditApplication.objects.exists()


def test_cannot_apply_more_than_the_charge_owes_or_to_another_customer():
    customer = CustomerFactory()
    memo = credit(customer=customer, amount="40.00")
    small = make_charge(customer=customer, amount="10.00")
    with pytest.raises(ValidationError, match=r"Only \$10.00 is due on INV-000001"):
        store_credit_apply(store_credit=memo, sale=small, amount=D("20.00"))
    with pytest.raises(ValidationError, match="belongs to another customer"):
        store_credit_apply(store_credit=memo, sale=make_charge(amount="50.00"), amount=D("5.00"))
    memo.refresh_from_db()
    assert memo.remaining == D("40.00")


def test_applied_credit_blocks_voids_until_it_is_taken_back():
    customer = CustomerFactory()
    sale = make_charge(customer=customer, amount="70.00")
    memo = credit(customer=customer, amount="40.00")
    application = store_credit_apply(store_credit=memo, sale=sale, amount=D("40.00"))
    with pytest.raises(ValidationError, match="remove that application before voiding"):
        store_credit_void(store_credit=memo)
    with pytest.raises(ValidationError, match=r"has \$40.00 of store credit applied"):
        sale_void(sale=sale)

    store_credit_unapply(application=application)
    sale.refresh_from_db()
    assert sale.balance_due == D("70.00")
    store_credit_void(store_credit=memo)
    customer.refresh_from_db()
    assert customer.balance == D("70.00")
    assert [row[2] for row in outbox()[-2:]] == ["delete", "void"]


def test_void_credit_takes_restocked_goods_back_off_the_shelf():
    item = InventoryItemFactory(quantity_on_hand=D("3"))
    memo = credit(customer=CustomerFactory(), lines=[LineInput(item=item, quantity=D("2"))])
    item.refresh_from_db()
    assert item.quantity_on_hand == D("5")
    store_credit_void(store_credit=memo)
    item.refresh_from_db()
    assert item.quantity_on_hand == D("3")


def test_store_credit_against_a_sale_counts_towards_what_was_returned():
    from sales.services import refund_create

    item = ItemFactory()
    customer = CustomerFactory()
    sale = make_charge(customer=customer, lines=[LineInput(item=item, quantity=D("2"))])
    credit(customer=customer, original_sale=sale, lines=[LineInput(item=item, quantity=D("2"))])
    with pytest.raises(ValidationError, match="at most 0 more can be returned"):
        refund_create(
            date=TODAY, method="cash", original_sale=sale, lines=[LineInput(item=item, quantity=D("1"))]
        )


def test_store_credit_needs_an_active_customer():
    with pytest.raises(ValidationError, match="needs a customer"):
        credit(customer=None)
    with pytest.raises(ValidationError, match="is inactive"):
        credit(customer=CustomerFactory(is_active=False))
    assert not StoreCredit.objects.exists()


def test_credit_from_quickbooks_writes_no_outbox_rows():
    customer = CustomerFactory()
    sale = make_charge(customer=customer, amount="70.00", origin=Origin.QBO)
    memo = credit(customer=customer, origin=Origin.QBO)
    store_credit_apply(store_credit=memo, sale=sale, amount=D("10.00"), origin=Origin.QBO)
    assert not OutboxEntry.objects.exists()
