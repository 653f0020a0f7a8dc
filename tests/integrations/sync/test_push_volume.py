"""A push bigger than one batch: a wave's batches go out several at once, and still every record
lands exactly once, in dependency order, with refused records not holding up the rest."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest

from customers.models import Customer
from customers.services import customer_create
from integrations.models import PushBatch, QBOLink, SyncEvent, SyncFailure
from integrations.models.connection import QBOConnection
from integrations.sync.push import drain
from sales.models import Sale
from sales.services import LineInput, item_create, payment_create, sale_create
from tests.factories.sales import TODAY
from tests.integrations.sync.helpers import linked, named, read_back

pytestmark = [pytest.mark.django_db, pytest.mark.sandbox]


def test_seventy_customers_with_two_refused_land_once_each(connection, qbo):
    customers = [customer_create(display_name=f"Volume {n}") for n in range(70)]
    # Two rows an old import left with a colon, which QuickBooks refuses (in the 2nd and 3rd batch).
    for n in (40, 65):
        Customer.objects.filter(pk=customers[n].pk).update(display_name=f"Volume: bad {n}")

    result = drain(connection.pk)

    assert (result.pushed, result.failed, result.stopped) == (68, 2, "")
    assert result.batches == 3
    for n, customer in enumerate(customers):
        if n in (40, 65):
            assert SyncFailure.objects.get(object_id=customer.pk).cause == "invalid_characters"
            assert not QBOLink.objects.filter(object_id=customer.pk).exists()
        else:
            assert len(named(qbo, "Customer", f"Volume {n}")) == 1
            assert linked(customer).qbo_id
    assert SyncEvent.objects.filter(outcome=SyncEvent.Outcome.OK).count() == 68
    assert drain(connection.pk).pushed == 0  # nothing re-sent


def test_sales_and_payments_of_many_new_customers_point_at_the_right_records(connection, qbo):
    item = item_create(name="Volume item", unit_price=Decimal("12.50"))
    pairs = []
    for n in range(35):
        customer = customer_create(display_name=f"Buyer {n}")
        sale = sale_create(
            kind=Sale.Kind.CHARGE,
            date=TODAY,
            customer=customer,
            lines=[LineInput(item=item, quantity=Decimal(2))],
        )
        payment = payment_create(
            customer=customer, amount=sale.total, date=TODAY, method="cash", allocations=[(sale, sale.total)]
        )
        pairs.append((customer, sale, payment))

    result = drain(connection.pk)

    assert (result.pushed, result.failed) == (1 + 3 * 35, 0)
    for customer, sale, payment in pairs:
        customer_id = linked(customer).qbo_id
        invoice = read_back(qbo, sale)
        assert invoice["CustomerRef"]["value"] == customer_id
        paid = read_back(qbo, payment)
        assert paid["CustomerRef"]["value"] == customer_id
        assert paid["Line"][0]["LinkedTxn"][0]["TxnId"] == invoice["Id"]


def test_a_429_in_the_middle_of_a_wave_loses_and_duplicates_nothing(connection, qbo, sandbox_company):
    customers = [customer_create(display_name=f"Throttled {n}") for n in range(75)]
    sandbox_company.hook(
        "faults", {"kind": "throttle", "match": {"realm": sandbox_company.realm, "path": "batch"}, "times": 1}
    )

    first = drain(connection.pk)

    assert first.stopped == "throttled"
    assert QBOConnection.objects.get(pk=connection.pk).paused_until is not None  # only this company waits
    QBOConnection.objects.filter(pk=connection.pk).update(paused_until=None)  # the minute passes
    second = drain(connection.pk)

    assert second.stopped == ""
    assert not PushBatch.objects.filter(status=PushBatch.Status.IN_FLIGHT).exists()
    for n, customer in enumerate(customers):
        assert len(named(qbo, "Customer", f"Throttled {n}")) == 1
        assert linked(customer).qbo_id


def test_a_batch_is_cut_to_what_the_minute_has_left_and_the_rest_follows(connection, qbo, settings):
    # The minute's budget is not a multiple of 30: the last few requests of a window carry a small
    # batch instead of going unused. A QuickBooks minute lasts 3 s here: long enough that the window
    # cannot pass while the drain plans (a loaded CI host took more than 0.1 s), short for the test.
    settings.QBO_CLOCK_SCALE = 20
    settings.QBO_REQUESTS_PER_MINUTE = 490
    customers = [customer_create(display_name=f"Window {n}") for n in range(40)]
    now = time.time()
    QBOConnection.objects.filter(pk=connection.pk).update(recent_calls=[[now, 30, 1]] * 15 + [[now, 25, 1]])

    result = drain(connection.pk)

    assert (result.pushed, result.failed) == (40, 0)
    sizes = [len(b.items) for b in PushBatch.objects.order_by("id")]
    # 490 − 475 used = 15 left now, less the reference reads the drain makes first; the rest follows
    # once the window moved on (without cutting: [30, 10], the first one waiting a whole window).
    assert len(sizes) == 2 and 5 <= sizes[0] < 15 and sum(sizes) == 40
    assert all(len(named(qbo, "Customer", c.display_name)) == 1 for c in customers)
