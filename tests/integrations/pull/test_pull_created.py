"""Money entered only in QuickBooks: invoices, receipts, payments, credit memos and refunds arrive here."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from customers.models import Customer
from customers.services import customer_create
from integrations.models import QBOConnection, QBOLink, SyncEvent, SyncFailure
from integrations.pull.cdc import pull
from integrations.services.failures import failures_retry
from integrations.sync.push import drain
from sales.models import Item, Payment, Refund, Sale, StoreCredit
from sales.services import LineInput, item_deactivate, item_update
from syncportal.outbox.models import OutboxEntry
from tests.factories.sales import ItemFactory, make_cash_sale
from tests.integrations.pull.helpers import bookkeeper

pytestmark = [pytest.mark.django_db, pytest.mark.sandbox]


def _qbo_id(entity: str, object_id: int) -> str:
    return QBOLink.objects.get(entity=entity, object_id=object_id).qbo_id


def _line(item_qbo_id: str, amount: int, qty: int = 1) -> dict:
    return {
        "DetailType": "SalesItemLineDetail",
        "Amount": amount,
        "SalesItemLineDetail": {
            "ItemRef": {"value": item_qbo_id},
            "Qty": qty,
            "UnitPrice": amount / qty,
            "TaxCodeRef": {"value": "NON"},
        },
    }


def _local(model, qbo_type: str, qbo_id: str):
    link = QBOLink.objects.get(qbo_type=qbo_type, qbo_id=qbo_id)
    return model.objects.get(pk=link.object_id)


@pytest.fixture
def shop(connection):
    """A customer and an item both sides know (linked by a push), with a $50 credit limit."""
    customer = customer_create(display_name="Harbor Hardware", credit_limit=Decimal("50.00"))
    item = ItemFactory(name="Deck Stain", unit_price=Decimal("20.00"), taxable=False)
    make_cash_sale(customer=customer, lines=[LineInput(item=item, quantity=Decimal("1"))])
    assert drain(connection.pk).failed == 0
    pull(connection.pk)
    return customer, item, _qbo_id("customers.customer", customer.pk), _qbo_id("sales.item", item.pk)


def _invoice(sandbox, customer_id: str, *lines: dict, **fields) -> dict:
    return bookkeeper(
        sandbox, "Invoice", "create", CustomerRef={"value": customer_id}, Line=list(lines), **fields
    )["Invoice"]


def test_an_invoice_entered_in_quickbooks_becomes_a_linked_charge_here(connection, sandbox_company, shop):
    customer, item, customer_id, item_id = shop
    outbox_before = OutboxEntry.objects.count()
    # Over the $50 credit limit: QuickBooks already holds the invoice, so it is recorded anyway.
    doc = _invoice(sandbox_company, customer_id, _line(item_id, 80, qty=4), DocNumber="QB-7001")

    pull(connection.pk)

    sale = _local(Sale, "Invoice", doc["Id"])
    assert (sale.kind, sale.number, sale.customer_id, sale.total, sale.balance_due) == (
        Sale.Kind.CHARGE,
        "QB-7001",
        customer.pk,
        Decimal("80.00"),
        Decimal("80.00"),
    )
    assert [(x.item_id, x.quantity, x.unit_price) for x in sale.lines.all()] == [
        (item.pk, Decimal("4.000"), Decimal("20.00"))
    ]
    customer.refresh_from_db()
    assert (customer.balance, customer.available_credit) == (Decimal("80.00"), Decimal("-30.00"))
    assert OutboxEntry.objects.count() == outbox_before  # no echo: nothing queued for QuickBooks
    assert drain(connection.pk).pushed == 0

    # Linked, so a later void in QuickBooks is reflected here.
    bookkeeper(sandbox_company, "Invoice", "void", doc["Id"])
    pull(connection.pk)
    sale.refresh_from_db()
    customer.refresh_from_db()
    assert sale.is_void is True and customer.balance == Decimal("0.00")


def test_a_sales_receipt_entered_in_quickbooks_becomes_a_cash_sale(connection, sandbox_company, shop):
    customer, _item, customer_id, item_id = shop
    doc = bookkeeper(
        sandbox_company,
        "SalesReceipt",
        "create",
        CustomerRef={"value": customer_id},
        Line=[_line(item_id, 40, qty=2)],
    )["SalesReceipt"]

    pull(connection.pk)

    sale = _local(Sale, "SalesReceipt", doc["Id"])
    assert (sale.kind, sale.customer_id, sale.total, sale.balance_due) == (
        Sale.Kind.CASH,
        customer.pk,
        Decimal("40.00"),
        Decimal("0.00"),
    )
    assert drain(connection.pk).pushed == 0


def test_a_split_payment_with_an_overpayment_entered_in_quickbooks(connection, sandbox_company, shop):
    customer, _item, customer_id, item_id = shop
    first = _invoice(sandbox_company, customer_id, _line(item_id, 40))
    second = _invoice(sandbox_company, customer_id, _line(item_id, 60, qty=3))
    doc = bookkeeper(
        sandbox_company,
        "Payment",
        "create",
        CustomerRef={"value": customer_id},
        TotalAmt=120,
        Line=[
            {"Amount": 30, "LinkedTxn": [{"TxnId": first["Id"], "TxnType": "Invoice"}]},
            {"Amount": 60, "LinkedTxn": [{"TxnId": second["Id"], "TxnType": "Invoice"}]},
        ],
    )["Payment"]

    pull(connection.pk)

    payment = _local(Payment, "Payment", doc["Id"])
    first_sale, second_sale = _local(Sale, "Invoice", first["Id"]), _local(Sale, "Invoice", second["Id"])
    assert dict(payment.allocations.values_list("sale_id", "amount")) == {
        first_sale.pk: Decimal("30.00"),
        second_sale.pk: Decimal("60.00"),
    }
    assert (payment.amount, payment.unapplied_amount) == (Decimal("120.00"), Decimal("30.00"))
    assert (first_sale.balance_due, second_sale.balance_due) == (Decimal("10.00"), Decimal("0.00"))
    customer.refresh_from_db()
    # 100 charged, 120 received: 20 in credit, the same figure QuickBooks shows.
    assert customer.balance == Decimal("-20.00")
    assert drain(connection.pk).pushed == 0


def test_a_credit_memo_entered_in_quickbooks_becomes_store_credit(connection, sandbox_company, shop):
    customer, _item, customer_id, item_id = shop
    _invoice(sandbox_company, customer_id, _line(item_id, 40))
    doc = bookkeeper(
        sandbox_company,
        "CreditMemo",
        "create",
        CustomerRef={"value": customer_id},
        Line=[_line(item_id, 20)],
    )["CreditMemo"]

    pull(connection.pk)

    credit = _local(StoreCredit, "CreditMemo", doc["Id"])
    assert (credit.customer_id, credit.total, credit.remaining) == (
        customer.pk,
        Decimal("20.00"),
        Decimal("20.00"),
    )
    customer.refresh_from_db()
    assert customer.balance == Decimal("20.00")  # 40 charged less 20 of credit
    assert drain(connection.pk).pushed == 0


def test_a_refund_receipt_entered_in_quickbooks_becomes_a_refund(connection, sandbox_company, shop):
    customer, _item, customer_id, item_id = shop
    doc = bookkeeper(
        sandbox_company,
        "RefundReceipt",
        "create",
        CustomerRef={"value": customer_id},
        PaymentType="Check",
        DepositToAccountRef={"value": "35"},
        Line=[_line(item_id, 20)],
    )["RefundReceipt"]

    pull(connection.pk)

    refund = _local(Refund, "RefundReceipt", doc["Id"])
    assert (refund.customer_id, refund.total, refund.method) == (customer.pk, Decimal("20.00"), "check")
    assert drain(connection.pk).pushed == 0


def test_an_invoice_for_a_customer_and_an_item_not_here_brings_both_in(connection, sandbox_company, qbo):
    # The sample company's "Red Rock Diner" (20) and "Pest Control" (10) were never imported here.
    owed_before = Decimal(str(qbo.read("Customer", "20")["Balance"]))
    doc = _invoice(sandbox_company, "20", _line("10", 70, qty=2))

    pull(connection.pk)

    sale = _local(Sale, "Invoice", doc["Id"])
    customer = _local(Customer, "Customer", "20")
    item = _local(Item, "Item", "10")
    assert (customer.display_name, item.name, item.kind) == (
        "Red Rock Diner",
        "Pest Control",
        Item.Kind.SERVICE,
    )
    assert (sale.customer_id, sale.total) == (customer.pk, Decimal("70.00"))
    assert list(sale.lines.values_list("item_id", flat=True)) == [item.pk]
    customer.refresh_from_db()
    # QuickBooks' balance (its older invoices included) overwrites ours, this invoice in it.
    assert customer.balance == owed_before + Decimal("70.00")
    assert drain(connection.pk).pushed == 0  # neither the customer, the item nor the sale echoes


def test_the_same_changes_applied_twice_create_nothing_twice(connection, sandbox_company, shop):
    _customer, _item, customer_id, item_id = shop
    start = QBOConnection.objects.get(pk=connection.pk).cdc_cursor
    invoice = _invoice(sandbox_company, customer_id, _line(item_id, 40))
    bookkeeper(
        sandbox_company,
        "Payment",
        "create",
        CustomerRef={"value": customer_id},
        TotalAmt=40,
        Line=[{"Amount": 40, "LinkedTxn": [{"TxnId": invoice["Id"], "TxnType": "Invoice"}]}],
    )
    _invoice(sandbox_company, "20", _line("10", 35))

    pull(connection.pk)
    counts = (Sale.objects.count(), Payment.objects.count(), Customer.objects.count(), Item.objects.count())
    events = SyncEvent.objects.filter(operation="create").count()
    QBOConnection.objects.filter(pk=connection.pk).update(cdc_cursor=start - timedelta(minutes=1))
    pull(connection.pk)  # the same CDC window again

    assert (
        Sale.objects.count(),
        Payment.objects.count(),
        Customer.objects.count(),
        Item.objects.count(),
    ) == counts
    assert SyncEvent.objects.filter(operation="create").count() == events
    assert QBOLink.objects.filter(qbo_type="Invoice").count() == Sale.objects.filter(kind="charge").count()


def test_a_document_that_cannot_be_recorded_is_a_plain_failure_a_bookkeeper_can_retry(
    connection, sandbox_company, shop
):
    _customer, item, customer_id, item_id = shop
    item_deactivate(item=item)  # discontinued here, still sold in QuickBooks
    doc = _invoice(sandbox_company, customer_id, _line(item_id, 40), DocNumber="QB-7002")

    pull(connection.pk)

    assert not QBOLink.objects.filter(qbo_type="Invoice", qbo_id=doc["Id"]).exists()
    failure = SyncFailure.objects.get(direction="pull", entity="qbo:Invoice", object_id=int(doc["Id"]))
    assert failure.status == SyncFailure.Status.OPEN
    assert "QuickBooks invoice QB-7002" in failure.message and "Deck Stain is inactive" in failure.message

    item_update(item=item, data={"is_active": True})
    assert failures_retry(failure_ids=[failure.pk]) == 1
    pull(connection.pk)

    sale = _local(Sale, "Invoice", doc["Id"])
    assert sale.total == Decimal("40.00")
    failure.refresh_from_db()
    assert failure.status == SyncFailure.Status.RESOLVED


def test_an_invoice_total_changed_in_quickbooks_with_no_local_edit_is_taken(
    connection, sandbox_company, shop
):
    customer, _item, customer_id, item_id = shop
    doc = _invoice(sandbox_company, customer_id, _line(item_id, 40))
    pull(connection.pk)
    sale = _local(Sale, "Invoice", doc["Id"])

    bookkeeper(sandbox_company, "Invoice", "update", doc["Id"], Line=[_line(item_id, 100, qty=5)])
    pull(connection.pk)

    sale.refresh_from_db()
    customer.refresh_from_db()
    assert (sale.total, sale.balance_due, customer.balance) == (Decimal("100.00"),) * 3
    assert sale.lines.get().quantity == Decimal("5.000")
    assert drain(connection.pk).pushed == 0


def test_a_full_resync_creates_the_documents_changed_since_the_cursor_not_the_whole_history(
    connection, sandbox_company, shop
):
    _customer, _item, customer_id, item_id = shop
    doc = _invoice(sandbox_company, customer_id, _line(item_id, 40))
    # Out of the CDC window: every object is read again, and the sample company's invoices are older.
    QBOConnection.objects.filter(pk=connection.pk).update(cdc_cursor=timezone.now() - timedelta(days=31))

    result = pull(connection.pk)

    assert result.full_resync is True
    assert _local(Sale, "Invoice", doc["Id"]).total == Decimal("40.00")
    assert list(QBOLink.objects.filter(qbo_type="Invoice").values_list("qbo_id", flat=True)) == [doc["Id"]]


def test_store_credit_applied_in_quickbooks_is_applied_here_and_taken_back_when_deleted(
    connection, sandbox_company, shop
):
    customer, _item, customer_id, item_id = shop
    invoice = _invoice(sandbox_company, customer_id, _line(item_id, 40))
    memo = bookkeeper(
        sandbox_company, "CreditMemo", "create", CustomerRef={"value": customer_id}, Line=[_line(item_id, 20)]
    )["CreditMemo"]
    # QuickBooks applies a credit memo with a zero-amount payment linking it to the invoice.
    applied = bookkeeper(
        sandbox_company,
        "Payment",
        "create",
        CustomerRef={"value": customer_id},
        TotalAmt=0,
        Line=[
            {"Amount": 15, "LinkedTxn": [{"TxnId": invoice["Id"], "TxnType": "Invoice"}]},
            {"Amount": 15, "LinkedTxn": [{"TxnId": memo["Id"], "TxnType": "CreditMemo"}]},
        ],
    )["Payment"]

    pull(connection.pk)

    sale, credit = _local(Sale, "Invoice", invoice["Id"]), _local(StoreCredit, "CreditMemo", memo["Id"])
    assert (sale.balance_due, credit.remaining) == (Decimal("25.00"), Decimal("5.00"))
    assert not Payment.objects.filter(customer=customer).exists()  # no money was received
    assert drain(connection.pk).pushed == 0

    bookkeeper(sandbox_company, "Payment", "delete", applied["Id"])
    pull(connection.pk)

    sale.refresh_from_db()
    credit.refresh_from_db()
    assert (sale.balance_due, credit.remaining) == (Decimal("40.00"), Decimal("20.00"))


def test_an_invoice_for_a_sub_customer_not_here_brings_its_parent_first(connection, sandbox_company):
    # "0969 Ocean View Road" (8) is a job of "Freeman Sporting Goods" (7) in the sample company.
    doc = _invoice(sandbox_company, "8", _line("10", 35))

    pull(connection.pk)

    job, parent = _local(Customer, "Customer", "8"), _local(Customer, "Customer", "7")
    assert (job.parent_id, parent.display_name) == (parent.pk, "Freeman Sporting Goods")
    assert _local(Sale, "Invoice", doc["Id"]).customer_id == job.pk
