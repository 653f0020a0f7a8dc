"""Money changed in QuickBooks: voids, a payment moved or split between invoices, amounts disputed."""

from __future__ import annotations

from decimal import Decimal

import pytest

from customers.services import customer_create
from integrations.models import QBOLink, SyncConflict
from integrations.pull.cdc import pull
from integrations.sync.push import drain
from sales.models import Payment, Sale
from sales.services import AllocationInput, payment_update_allocations
from tests.factories.sales import make_cash_sale, make_charge, make_payment
from tests.integrations.pull.helpers import bookkeeper

pytestmark = [pytest.mark.django_db, pytest.mark.sandbox]


def _qbo_id(entity: str, object_id: int) -> str:
    return QBOLink.objects.get(entity=entity, object_id=object_id).qbo_id


def _synced(connection) -> None:
    result = drain(connection.pk)
    assert result.failed == 0, result
    pull(connection.pk)


@pytest.fixture
def account(connection):
    customer = customer_create(display_name="Ledger Landscaping", credit_limit=Decimal("1000.00"))
    first = make_charge(customer=customer, amount="100.00")
    second = make_charge(customer=customer, amount="80.00")
    payment = make_payment(customer=customer, amount="60.00", allocations=[(first, Decimal("60.00"))])
    _synced(connection)
    return customer, first, second, payment


def test_a_payment_moved_to_another_invoice_in_quickbooks_moves_here(connection, sandbox_company, account):
    customer, first, second, payment = account
    invoice_b = _qbo_id("sales.sale", second.pk)
    bookkeeper(
        sandbox_company,
        "Payment",
        "update",
        _qbo_id("sales.payment", payment.pk),
        Line=[{"Amount": 60, "LinkedTxn": [{"TxnId": invoice_b, "TxnType": "Invoice"}]}],
    )

    pull(connection.pk)

    assert dict(payment.allocations.values_list("sale_id", "amount")) == {second.pk: Decimal("60.00")}
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.balance_due, second.balance_due) == (Decimal("100.00"), Decimal("20.00"))
    customer.refresh_from_db()
    assert customer.balance == Decimal("120.00")


def test_a_payment_split_in_quickbooks_is_split_here(connection, sandbox_company, account):
    _customer, first, second, payment = account
    bookkeeper(
        sandbox_company,
        "Payment",
        "update",
        _qbo_id("sales.payment", payment.pk),
        Line=[
            {"Amount": 25, "LinkedTxn": [{"TxnId": _qbo_id("sales.sale", first.pk), "TxnType": "Invoice"}]},
            {"Amount": 35, "LinkedTxn": [{"TxnId": _qbo_id("sales.sale", second.pk), "TxnType": "Invoice"}]},
        ],
    )

    pull(connection.pk)

    assert dict(payment.allocations.values_list("sale_id", "amount")) == {
        first.pk: Decimal("25.00"),
        second.pk: Decimal("35.00"),
    }


def _paid_75_in_quickbooks(sandbox_company, payment, invoice) -> None:
    bookkeeper(
        sandbox_company,
        "Payment",
        "update",
        _qbo_id("sales.payment", payment.pk),
        TotalAmt=75,
        Line=[
            {"Amount": 75, "LinkedTxn": [{"TxnId": _qbo_id("sales.sale", invoice.pk), "TxnType": "Invoice"}]}
        ],
    )


def test_a_payment_amount_changed_in_quickbooks_with_no_local_edit_is_taken(
    connection, sandbox_company, account
):
    customer, first, _second, payment = account
    _paid_75_in_quickbooks(sandbox_company, payment, first)

    pull(connection.pk)

    payment.refresh_from_db()
    first.refresh_from_db()
    customer.refresh_from_db()
    assert (payment.amount, first.balance_due, customer.balance) == (
        Decimal("75.00"),
        Decimal("25.00"),
        Decimal("105.00"),
    )
    assert not SyncConflict.objects.filter(object_id=payment.pk, entity="sales.payment").exists()
    assert drain(connection.pk).pushed == 0  # taken from QuickBooks: nothing goes back


def test_a_payment_amount_changed_in_quickbooks_while_edited_here_is_a_conflict_not_an_overwrite(
    connection, sandbox_company, account
):
    _customer, first, second, payment = account
    # Edited here, not yet sent: the payment moves to the second charge.
    payment_update_allocations(
        payment=payment, allocations=[AllocationInput(sale=second, amount=Decimal("60"))]
    )
    _paid_75_in_quickbooks(sandbox_company, payment, first)

    pull(connection.pk)

    payment.refresh_from_db()
    assert payment.amount == Decimal("60.00")
    conflict = SyncConflict.objects.get(object_id=payment.pk, entity="sales.payment")
    assert (conflict.field, conflict.local_value, conflict.qbo_value) == ("amount", "60.00", "75.00")


def test_a_payment_deleted_in_quickbooks_is_voided_here(connection, sandbox_company, account):
    _customer, first, _second, payment = account
    bookkeeper(sandbox_company, "Payment", "delete", _qbo_id("sales.payment", payment.pk))

    pull(connection.pk)

    payment.refresh_from_db()
    first.refresh_from_db()
    assert payment.is_void is True and first.balance_due == Decimal("100.00")
    assert Payment.objects.filter(pk=payment.pk).exists()  # kept on file for history


def test_a_sales_receipt_voided_in_quickbooks_is_voided_here(connection, sandbox_company):
    sale = make_cash_sale(customer=customer_create(display_name="Walk-in Wanda"))
    _synced(connection)
    bookkeeper(sandbox_company, "SalesReceipt", "void", _qbo_id("sales.sale", sale.pk))

    pull(connection.pk)

    sale.refresh_from_db()
    assert sale.is_void is True
    assert Sale.objects.filter(pk=sale.pk, total__gt=0).exists()  # its lines stay on file
