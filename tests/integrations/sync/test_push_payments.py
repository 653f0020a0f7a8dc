"""Payments, refunds, store credit and their undoing, as QuickBooks ends up holding them."""

from __future__ import annotations

from decimal import Decimal

import pytest

from customers.services import customer_create
from integrations.models import QBOLink, SyncFailure
from integrations.sync.push import drain
from sales.models import PaymentMethod, Sale
from sales.services import (
    LineInput,
    ReturnLineInput,
    document_delete,
    item_create,
    payment_create,
    payment_void,
    refund_create,
    refund_void,
    sale_create,
    store_credit_apply,
    store_credit_create,
    store_credit_unapply,
)
from tests.factories.sales import TODAY
from tests.integrations.sync.helpers import linked, read_back

pytestmark = [pytest.mark.django_db, pytest.mark.sandbox]


@pytest.fixture
def shop(db):
    customer = customer_create(display_name="Bayside Nursery", email="books@bayside.example")
    item = item_create(name="Compost", unit_price=Decimal("25.00"), taxable=False)
    return customer, item


def _charge(customer, item, quantity: int) -> Sale:
    return sale_create(
        kind=Sale.Kind.CHARGE, customer=customer, date=TODAY, lines=[LineInput(item=item, quantity=quantity)]
    )


def _pay(customer, amount: str, allocations=(), **kwargs):
    kwargs.setdefault("method", PaymentMethod.CHECK)
    return payment_create(
        customer=customer, amount=Decimal(amount), date=TODAY, allocations=allocations, **kwargs
    )


def test_a_payment_split_across_invoices_with_the_rest_left_unapplied(connection, qbo, shop):
    customer, item = shop
    first, second = _charge(customer, item, 4), _charge(customer, item, 2)  # $100 and $50
    payment = _pay(
        customer,
        "130.00",
        [(first, Decimal("100.00")), (second, Decimal("20.00"))],
        reference="CHK 1042",
    )

    result = drain(connection.pk)  # customer, item, two invoices and the payment in one drain

    assert (result.pushed, result.failed) == (5, 0)
    qbo_payment = read_back(qbo, payment)
    assert (qbo_payment["TotalAmt"], qbo_payment["UnappliedAmt"]) == (130, 10)
    assert qbo_payment["PaymentRefNum"] == "CHK 1042"
    assert qbo_payment["PaymentMethodRef"]["name"] == "Check"
    applied = {line["LinkedTxn"][0]["TxnId"]: line["Amount"] for line in qbo_payment["Line"]}
    assert applied == {linked(first).qbo_id: 100, linked(second).qbo_id: 20}
    assert read_back(qbo, first)["Balance"] == 0
    assert read_back(qbo, second)["Balance"] == 30  # partly paid


def test_a_payment_for_an_invoice_pushed_earlier_links_to_it(connection, qbo, shop):
    customer, item = shop
    charge = _charge(customer, item, 3)
    drain(connection.pk)
    payment = _pay(customer, "40.00", [(charge, Decimal("40.00"))], method=PaymentMethod.CASH)

    drain(connection.pk)

    assert read_back(qbo, payment)["Line"][0]["LinkedTxn"][0]["TxnId"] == linked(charge).qbo_id
    assert read_back(qbo, charge)["Balance"] == 35


def test_voiding_a_payment_reopens_the_invoice_in_quickbooks(connection, qbo, shop):
    customer, item = shop
    charge = _charge(customer, item, 1)
    payment = _pay(customer, "25.00", [(charge, Decimal("25.00"))])
    drain(connection.pk)
    payment_void(payment=payment)

    drain(connection.pk)

    assert read_back(qbo, payment)["TotalAmt"] == 0
    assert read_back(qbo, charge)["Balance"] == 25


def test_a_refund_becomes_a_refund_receipt_from_the_deposit_account(connection, qbo, shop):
    customer, item = shop
    refund = refund_create(
        date=TODAY,
        method=PaymentMethod.CARD,
        customer=customer,
        lines=[ReturnLineInput(item=item, quantity=Decimal("1"))],
        memo="Torn bag",
    )

    drain(connection.pk)

    receipt = read_back(qbo, refund)
    assert linked(refund).qbo_type == "RefundReceipt"
    assert receipt["TotalAmt"] == 25 and receipt["PrivateNote"] == "Torn bag"
    assert receipt["DepositToAccountRef"]["name"] == "Undeposited Funds"
    assert receipt["PaymentType"] == "CreditCard" and receipt["PaymentMethodRef"]["name"] == "Visa"
    assert receipt["CustomerRef"]["value"] == linked(customer).qbo_id


def test_a_voided_refund_is_deleted_in_quickbooks(connection, qbo, shop):
    _customer, item = shop
    refund = refund_create(
        date=TODAY, method=PaymentMethod.CASH, lines=[ReturnLineInput(item=item, quantity=Decimal("1"))]
    )
    drain(connection.pk)
    qbo_id = linked(refund).qbo_id
    refund_void(refund=refund)

    drain(connection.pk)

    assert qbo.query(f"SELECT * FROM RefundReceipt WHERE Id = '{qbo_id}'").get("RefundReceipt", []) == []
    assert linked(refund).fingerprint == "deleted"


def test_store_credit_becomes_a_credit_memo_and_its_application_a_zero_payment(connection, qbo, shop):
    customer, item = shop
    charge = _charge(customer, item, 4)  # $100
    credit = store_credit_create(
        customer=customer, date=TODAY, lines=[ReturnLineInput(item=item, quantity=Decimal("2"))]
    )  # $50
    application = store_credit_apply(store_credit=credit, sale=charge, amount=Decimal("30.00"))

    result = drain(connection.pk)

    assert result.failed == 0
    memo = read_back(qbo, credit)
    assert linked(credit).qbo_type == "CreditMemo" and memo["TotalAmt"] == 50
    assert memo["RemainingCredit"] == 20
    link = QBOLink.objects.get(entity="sales.creditapplication", object_id=application.pk)
    applied = qbo.read("Payment", link.qbo_id)
    assert applied["TotalAmt"] == 0
    kinds = {line["LinkedTxn"][0]["TxnType"]: line["Amount"] for line in applied["Line"]}
    assert kinds == {"Invoice": 30, "CreditMemo": 30}
    assert read_back(qbo, charge)["Balance"] == 70

    store_credit_unapply(application=application)
    drain(connection.pk)

    assert read_back(qbo, charge)["Balance"] == 100
    assert read_back(qbo, credit)["RemainingCredit"] == 50


def test_deleting_a_voided_sale_here_deletes_it_in_quickbooks(connection, qbo, shop):
    from sales.services import sale_void

    _customer, item = shop
    sale = sale_create(
        kind=Sale.Kind.CASH, date=TODAY, lines=[LineInput(item=item, quantity=1)], payment_method="cash"
    )
    drain(connection.pk)
    qbo_id = linked(sale).qbo_id
    sale_void(sale=sale)
    document_delete(document=Sale.objects.get(pk=sale.pk))

    result = drain(connection.pk)

    assert result.failed == 0
    assert qbo.query(f"SELECT * FROM SalesReceipt WHERE Id = '{qbo_id}'").get("SalesReceipt", []) == []


def test_a_payment_waits_for_its_invoice_and_says_which(connection, qbo, shop, sandbox_company):
    customer, item = shop
    drain(connection.pk)
    sandbox_company.hook(
        f"realms/{sandbox_company.realm}/bookkeeper",
        {"entity": "Item", "action": "deactivate", "id": linked(item).qbo_id},
    )
    charge = _charge(customer, item, 1)
    payment = _pay(customer, "25.00", [(charge, Decimal("25.00"))])

    drain(connection.pk)

    waiting = SyncFailure.objects.get(entity="sales.payment", object_id=payment.pk)
    assert waiting.cause == "waiting_for_dependency"
    assert f"Sale ‘{charge}’" in waiting.message
    assert SyncFailure.objects.get(entity="sales.sale", object_id=charge.pk).cause == "inactive_reference"


def test_voided_invoices_are_voided_and_voided_store_credit_deleted(connection, qbo, shop):
    from sales.services import sale_void, store_credit_void

    customer, item = shop
    charge = _charge(customer, item, 2)
    credit = store_credit_create(
        customer=customer, date=TODAY, lines=[ReturnLineInput(item=item, quantity=Decimal("1"))]
    )
    drain(connection.pk)
    credit_id = linked(credit).qbo_id
    sale_void(sale=charge)
    store_credit_void(store_credit=credit)

    result = drain(connection.pk)

    assert result.failed == 0
    invoice = read_back(qbo, charge)
    assert (invoice["TotalAmt"], invoice["Balance"]) == (0, 0)
    assert qbo.query(f"SELECT * FROM CreditMemo WHERE Id = '{credit_id}'").get("CreditMemo", []) == []
