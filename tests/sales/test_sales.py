"""Cash sales and account charges: numbering, totals, walk-ins, credit limit, update, void, outbox."""

import threading
from decimal import Decimal as D

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import connection, connections

from customers.models import TaxExemptionReason
from sales.models import PaymentMethod, Sale
from sales.services import LineInput, sale_create, sale_update, sale_void
from syncportal.outbox.models import OutboxEntry
from syncportal.outbox.services import Origin
from tests.factories.customers import CustomerFactory
from tests.factories.sales import (
    TODAY,
    ItemFactory,
    TaxCodeFactory,
    make_cash_sale,
    make_charge,
    make_payment,
)
from tests.sales.conftest import outbox

pytestmark = pytest.mark.django_db


def test_walk_in_cash_sale_gets_a_number_totals_and_one_outbox_row():
    tax = TaxCodeFactory(rate=D("8.25"))
    item = ItemFactory(unit_price=D("19.99"))
    sale = make_cash_sale(
        lines=[LineInput(item=item, quantity=D("3"))], tax_code=tax, discount_percent=D("10")
    )

    sale.refresh_from_db()
    assert sale.number == "CS-000001"
    assert sale.customer is None
    assert (sale.subtotal, sale.discount_amount, sale.tax_total, sale.total) == (
        D("59.97"),
        D("6.00"),
        D("4.45"),
        D("58.42"),
    )
    assert sale.balance_due == D("0.00")  # paid at the register
    line = sale.lines.get()
    assert (line.unit_price, line.amount, line.taxable) == (D("19.99"), D("59.97"), True)
    assert outbox() == [("sales.sale", sale.pk, "create")]


def test_numbers_follow_one_sequence_per_kind():
    numbers = [make_cash_sale().number, make_charge().number, make_cash_sale().number, make_charge().number]
    assert numbers == ["CS-000001", "INV-000001", "CS-000002", "INV-000002"]


def test_line_price_and_taxability_can_differ_from_the_item():
    item = ItemFactory(unit_price=D("10.00"), taxable=True)
    sale = make_cash_sale(
        lines=[LineInput(item=item, quantity=D("2"), unit_price=D("7.50"), taxable=False)],
        tax_code=TaxCodeFactory(rate=D("10")),
    )
    assert (sale.subtotal, sale.tax_total, sale.total) == (D("15.00"), D("0.00"), D("15.00"))


def test_tax_exempt_customer_pays_no_tax():
    customer = CustomerFactory(tax_exempt=True, tax_exemption_reason=TaxExemptionReason.RESALE)
    sale = make_charge(
        customer=customer,
        lines=[LineInput(item=ItemFactory(unit_price=D("50.00")), quantity=D("1"))],
        tax_code=TaxCodeFactory(rate=D("8.25")),
    )
    assert (sale.tax_total, sale.total, sale.tax_code) == (D("0.00"), D("50.00"), None)


def test_walk_in_account_charge_is_refused_and_nothing_is_written():
    with pytest.raises(ValidationError, match="only cash sales can be walk-in"):
        sale_create(kind=Sale.Kind.CHARGE, date=TODAY, lines=[LineInput(item=ItemFactory(), quantity=D("1"))])
    assert not Sale.objects.exists()
    assert not OutboxEntry.objects.exists()


def test_cash_sale_needs_a_payment_method():
    with pytest.raises(ValidationError, match="Choose how the cash sale was paid"):
        make_cash_sale(payment_method="")


def test_account_charge_owes_its_total_and_raises_the_customer_balance():
    customer = CustomerFactory(credit_limit=D("500.00"))
    sale = make_charge(customer=customer, amount="120.00")
    customer.refresh_from_db()
    assert sale.balance_due == D("120.00")
    assert customer.balance == D("120.00")
    assert customer.available_credit == D("380.00")


@pytest.mark.parametrize("quantity", [D("0"), D("-1")])
def test_quantities_must_be_positive(quantity):
    with pytest.raises(ValidationError, match="quantity must be greater than zero"):
        make_cash_sale(lines=[LineInput(item=ItemFactory(), quantity=quantity)])
    assert not Sale.objects.exists()


def test_inactive_customer_item_and_tax_code_are_refused():
    with pytest.raises(ValidationError, match="is inactive; reactivate"):
        make_charge(customer=CustomerFactory(is_active=False))
    with pytest.raises(ValidationError, match="is inactive and cannot be sold"):
        make_cash_sale(lines=[LineInput(item=ItemFactory(is_active=False), quantity=D("1"))])
    with pytest.raises(ValidationError, match=r"Tax code .* is inactive"):
        make_cash_sale(tax_code=TaxCodeFactory(is_active=False))
    assert not Sale.objects.exists()


class TestCreditLimit:
    def test_charge_over_available_credit_is_refused_with_the_overage(self, staff):
        customer = CustomerFactory(credit_limit=D("100.00"))
        make_charge(customer=customer, amount="60.00")
        with pytest.raises(ValidationError) as refused:
            make_charge(
                customer=customer, amount="70.00", credit_override_by=staff, credit_override_reason="ok"
            )
        assert refused.value.messages == ["Over the credit limit by $30.00; a manager must approve."]
        assert Sale.objects.count() == 1

    def test_manager_override_is_recorded_on_the_sale(self, manager):
        customer = CustomerFactory(credit_limit=D("100.00"))
        sale = make_charge(
            customer=customer,
            amount="150.00",
            credit_override_by=manager,
            credit_override_reason="Long-standing account, paying Friday",
        )
        sale.refresh_from_db()
        assert sale.credit_override_by == manager
        assert sale.credit_override_reason == "Long-standing account, paying Friday"
        customer.refresh_from_db()
        assert customer.available_credit == D("-50.00")

    def test_manager_override_needs_a_reason(self, manager):
        with pytest.raises(ValidationError, match="Give the reason"):
            make_charge(customer=CustomerFactory(credit_limit=D("10.00")), credit_override_by=manager)

    def test_superuser_may_override(self):
        boss = User.objects.create_superuser("boss", password="x")
        sale = make_charge(
            customer=CustomerFactory(credit_limit=D("0.00")),
            credit_override_by=boss,
            credit_override_reason="x",
        )
        assert sale.credit_override_by == boss

    def test_override_is_not_recorded_when_not_needed(self, manager):
        sale = make_charge(
            customer=CustomerFactory(credit_limit=D("1000.00")),
            credit_override_by=manager,
            credit_override_reason="just in case",
        )
        assert sale.credit_override_by is None

    def test_unapplied_payment_gives_room_for_more_charges(self):
        customer = CustomerFactory(credit_limit=D("100.00"))
        make_payment(customer=customer, amount="50.00")  # credit on account
        sale = make_charge(customer=customer, amount="150.00")
        assert sale.credit_override_by is None

    def test_no_limit_means_no_check(self):
        assert make_charge(customer=CustomerFactory(credit_limit=None), amount="99999.00").pk


class TestUpdate:
    def test_new_lines_recompute_totals_balance_and_write_one_update_row(self):
        customer = CustomerFactory()
        sale = make_charge(customer=customer, amount="100.00")
        item = ItemFactory(unit_price=D("30.00"), taxable=False)
        sale = sale_update(sale=sale, lines=[LineInput(item=item, quantity=D("2"))], memo="corrected")
        customer.refresh_from_db()
        assert (sale.total, sale.balance_due, sale.memo) == (D("60.00"), D("60.00"), "corrected")
        assert customer.balance == D("60.00")
        assert [line.item for line in sale.lines.all()] == [item]
        update = OutboxEntry.objects.get(operation="update")
        assert {"lines", "memo", "total"} <= set(update.changed_fields)
        assert outbox() == [("sales.sale", sale.pk, "create"), ("sales.sale", sale.pk, "update")]

    def test_nothing_changed_writes_nothing(self):
        sale = make_charge(memo="same")
        sale_update(sale=sale, memo="same")
        assert OutboxEntry.objects.filter(operation="update").count() == 0

    def test_discount_change_recomputes_totals(self):
        sale = make_charge(amount="200.00")
        sale = sale_update(sale=sale, discount_percent=D("12.5"))
        assert (sale.discount_amount, sale.total, sale.balance_due) == (D("25.00"), D("175.00"), D("175.00"))

    def test_sale_with_a_payment_applied_cannot_change(self):
        sale = make_charge(amount="100.00")
        make_payment(customer=sale.customer, amount="10.00", allocations=[(sale, D("10.00"))])
        with pytest.raises(ValidationError, match=r"has \$10.00 of payments applied"):
            sale_update(sale=sale, memo="changed")
        sale.refresh_from_db()
        assert sale.memo == ""

    def test_growing_charge_is_checked_against_the_credit_limit(self):
        customer = CustomerFactory(credit_limit=D("100.00"))
        sale = make_charge(customer=customer, amount="90.00")
        with pytest.raises(ValidationError, match=r"Over the credit limit by \$20.00"):
            sale_update(
                sale=sale,
                lines=[LineInput(item=ItemFactory(taxable=False), quantity=D("1"), unit_price=D("120.00"))],
            )
        sale.refresh_from_db()
        assert sale.total == D("90.00")


class TestVoid:
    def test_void_charge_owes_nothing_and_writes_a_void_row(self):
        customer = CustomerFactory()
        sale = make_charge(customer=customer, amount="80.00")
        sale = sale_void(sale=sale)
        customer.refresh_from_db()
        assert sale.is_void and sale.voided_at is not None
        assert sale.balance_due == D("0.00")
        assert customer.balance == D("0.00")
        assert outbox() == [("sales.sale", sale.pk, "create"), ("sales.sale", sale.pk, "void")]

    def test_charge_with_payments_cannot_be_voided_until_they_are_unapplied(self):
        from sales.services import payment_update_allocations

        sale = make_charge(amount="80.00")
        payment = make_payment(customer=sale.customer, amount="30.00", allocations=[(sale, D("30.00"))])
        with pytest.raises(ValidationError, match="un-apply or void those payments"):
            sale_void(sale=sale)
        payment_update_allocations(payment=payment, allocations=[])
        assert sale_void(sale=sale).is_void
        payment.refresh_from_db()
        assert payment.unapplied_amount == D("30.00")  # the money stays as credit on the account

    def test_void_twice_is_refused(self):
        sale = sale_void(sale=make_cash_sale())
        with pytest.raises(ValidationError, match="already void"):
            sale_void(sale=sale)
        assert OutboxEntry.objects.filter(operation="void").count() == 1

    def test_voided_sale_cannot_be_updated(self):
        sale = sale_void(sale=make_cash_sale())
        with pytest.raises(ValidationError, match="is void"):
            sale_update(sale=sale, memo="x")


def test_changes_from_quickbooks_write_no_outbox_rows_but_still_move_balances():
    customer = CustomerFactory()
    sale = make_charge(customer=customer, amount="40.00", origin=Origin.QBO)
    sale_update(sale=sale, memo="from QBO", origin=Origin.QBO)
    customer.refresh_from_db()
    assert customer.balance == D("40.00")
    sale_void(sale=sale, origin=Origin.QBO)
    customer.refresh_from_db()
    assert customer.balance == D("0.00")
    assert not OutboxEntry.objects.exists()


def test_outbox_row_names_the_actor(staff):
    sale = make_cash_sale(actor=staff, payment_method=PaymentMethod.CARD)
    assert OutboxEntry.objects.get().actor == staff
    assert sale.created_by == staff


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL")
def test_concurrent_sales_get_distinct_consecutive_numbers():
    item = ItemFactory()
    barrier = threading.Barrier(4)
    numbers: list[str] = []

    def sell():
        try:
            barrier.wait(timeout=10)
            numbers.append(make_cash_sale(lines=[LineInput(item=item, quantity=D("1"))]).number)
        finally:
            connections.close_all()  # this thread's own connection

    threads = [threading.Thread(target=sell) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(numbers) == ["CS-000001", "CS-000002", "CS-000003", "CS-000004"]
