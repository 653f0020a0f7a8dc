"""The "QuickBooks sync" section on customer, sale, payment and refund pages."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection as db
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from integrations.selectors.record_sync import qbo_open_url
from sales.models import PaymentMethod
from sales.services import LineInput, refund_create
from tests.factories.customers import CustomerFactory
from tests.factories.sales import TODAY, ItemFactory, make_charge, make_payment
from tests.factories.sync import QBOConnectionFactory, QBOLinkFactory, SyncEventFactory, SyncFailureFactory

pytestmark = pytest.mark.django_db


def page_of(client, record):
    opts = record._meta
    return client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[record.pk]))


def test_a_linked_customer_shows_its_link_pending_changes_failures_and_history(signed_in, settings):
    settings.QBO_ENVIRONMENT = "local"
    settings.QBO_SANDBOX_URL = "http://sandbox.test:8765"
    connection = QBOConnectionFactory(realm_id="9130000000000042", outbox_position=0)
    customer = CustomerFactory(display_name="Harbor Outfitters")
    QBOLinkFactory(connection=connection, object_id=customer.pk, qbo_id="58")
    SyncEventFactory(connection=connection, object_id=customer.pk, outcome="ok", qbo_id="58")
    SyncEventFactory(
        connection=connection,
        object_id=customer.pk,
        outcome="failed",
        summary={"code": "6240", "message": "Duplicate Name Exists Error", "cause": "duplicate_name"},
    )
    failure = SyncFailureFactory(connection=connection, object_id=customer.pk)

    page = page_of(signed_in("bookkeeper"), customer)

    assert b"QuickBooks sync" in page.content
    assert b"Customer 58" in page.content
    assert b'href="http://sandbox.test:8765/realms/9130000000000042/customers/58"' in page.content
    assert b"Name already used in QuickBooks: Duplicate Name Exists Error" in page.content
    assert escape(failure.message).encode() in page.content
    assert reverse("admin:integrations_syncfailure_change", args=[failure.pk]).encode() in page.content


def test_a_new_record_says_it_is_not_in_quickbooks_and_counts_its_pending_change(signed_in):
    QBOConnectionFactory(outbox_position=0)
    sale = make_charge(customer=CustomerFactory())  # the service writes its outbox rows

    page = page_of(signed_in("staff"), sale)

    assert b"Not in QuickBooks yet." in page.content
    assert b"waiting to be sent" in page.content and b"No changes waiting" not in page.content


def test_payment_and_refund_pages_show_the_section_too(signed_in):
    customer = CustomerFactory()
    sale = make_charge(customer=customer, amount="40.00")
    payment = make_payment(customer=customer, amount="40.00", allocations=[(sale, Decimal("40.00"))])
    refund = refund_create(
        date=TODAY, method=PaymentMethod.CASH, customer=customer,
        lines=[LineInput(item=ItemFactory(), quantity=Decimal("1"))],
    )  # fmt: skip
    SyncEventFactory(entity="sales.payment", object_id=payment.pk, qbo_type="Payment", qbo_id="311")
    client = signed_in("staff")

    for record in (payment, refund):
        assert b"QuickBooks sync" in page_of(client, record).content
    assert b"Payment 311" in page_of(client, payment).content


def test_the_section_costs_the_same_few_queries_however_long_the_history(signed_in):
    customer = CustomerFactory()
    client = signed_in("bookkeeper")
    SyncEventFactory.create_batch(3, object_id=customer.pk)
    page_of(client, customer)
    with CaptureQueriesContext(db) as short:
        page_of(client, customer)
    SyncEventFactory.create_batch(60, object_id=customer.pk)
    with CaptureQueriesContext(db) as long:
        page = page_of(client, customer)

    assert len(long.captured_queries) == len(short.captured_queries)
    assert page.content.count(b"outcome-ok") == 20


@pytest.mark.parametrize(
    ("environment", "qbo_type", "expected"),
    [
        ("production", "Customer", "https://app.qbo.intuit.com/app/customerdetail?nameId=7"),
        ("production", "SalesReceipt", "https://app.qbo.intuit.com/app/salesreceipt?txnId=7"),
        ("sandbox", "Invoice", "https://app.sandbox.qbo.intuit.com/app/invoice?txnId=7"),
        ("local", "Payment", "http://127.0.0.1:1/realms/R1/transactions"),
    ],
)
def test_open_in_quickbooks_goes_to_the_right_place(settings, environment, qbo_type, expected):
    settings.QBO_ENVIRONMENT = environment
    settings.QBO_SANDBOX_URL = "http://127.0.0.1:1"
    assert qbo_open_url(realm_id="R1", qbo_type=qbo_type, qbo_id="7") == expected
