"""Push sync against a real sandbox over HTTP: what reaches QuickBooks, exactly once."""

from __future__ import annotations

import pytest

from customers.services import customer_create
from integrations.models import PushBatch, QBOLink, SyncEvent, SyncFailure
from integrations.sync.push import drain

pytestmark = [pytest.mark.django_db, pytest.mark.sandbox]


def _customers_named(qbo, name: str) -> list[dict]:
    escaped = name.replace("'", "\\'")
    return qbo.query(f"SELECT * FROM Customer WHERE DisplayName = '{escaped}'").get("Customer", [])


def test_customer_and_sub_customer_reach_quickbooks_with_hierarchy(connection, qbo):
    parent = customer_create(
        display_name="Harbor Outfitters", email="ap@freeman.example", phone="555-010-2000"
    )
    child = customer_create(display_name="12 Pier Street", parent=parent, bill_with_parent=True)

    result = drain(connection.pk)

    assert (result.pushed, result.failed) == (2, 0)
    [qbo_parent] = _customers_named(qbo, "Harbor Outfitters")
    [qbo_child] = _customers_named(qbo, "12 Pier Street")
    assert qbo_parent["PrimaryEmailAddr"]["Address"] == "ap@freeman.example"
    assert qbo_child["Job"] is True and qbo_child["BillWithParent"] is True
    assert qbo_child["ParentRef"]["value"] == qbo_parent["Id"]
    assert qbo_child["FullyQualifiedName"] == "Harbor Outfitters:12 Pier Street"
    link = QBOLink.objects.get(entity="customers.customer", object_id=child.pk)
    assert link.qbo_id == qbo_child["Id"]


def test_a_second_drain_sends_nothing_when_nothing_changed(connection, qbo):
    customer_create(display_name="Amy's Bird Sanctuary 2")
    drain(connection.pk)
    calls_before = SyncEvent.objects.filter(outcome=SyncEvent.Outcome.OK).count()

    result = drain(connection.pk)

    assert result.pushed == 0 and result.batches == 0
    assert SyncEvent.objects.filter(outcome=SyncEvent.Outcome.OK).count() == calls_before


def test_an_edit_is_sent_as_a_sparse_update_of_the_same_customer(connection, qbo):
    from customers.services import customer_update

    customer = customer_create(display_name="Red Rock Diner 2", email="old@diner.example")
    drain(connection.pk)
    customer_update(customer=customer, changes={"email": "new@diner.example"})

    drain(connection.pk)

    [qbo_customer] = _customers_named(qbo, "Red Rock Diner 2")
    assert qbo_customer["PrimaryEmailAddr"]["Address"] == "new@diner.example"
    assert qbo_customer["SyncToken"] == "1"


def test_customers_not_flagged_for_quickbooks_stay_local(connection, qbo):
    customer_create(display_name="Cash Only Carl", sync_with_quickbooks=False)

    result = drain(connection.pk)

    assert result.pushed == 0
    assert _customers_named(qbo, "Cash Only Carl") == []


def test_a_name_taken_by_a_vendor_becomes_a_readable_failure_and_the_rest_flows(
    connection, qbo, sandbox_company
):
    sandbox_company.hook(
        f"realms/{sandbox_company.realm}/bookkeeper",
        {"entity": "Vendor", "action": "create", "fields": {"DisplayName": "Books by Bessie 2"}},
    )
    customer_create(display_name="Books by Bessie 2")
    customer_create(display_name="Sonnenschein Family Store 2")

    result = drain(connection.pk)

    assert (result.pushed, result.failed) == (1, 1)
    failure = SyncFailure.objects.get()
    assert failure.status == SyncFailure.Status.OPEN
    assert failure.cause == "duplicate_name"
    assert "already has a customer, vendor or employee" in failure.message
    assert "Books by Bessie 2" in failure.record_label
    assert _customers_named(qbo, "Sonnenschein Family Store 2")


def test_a_lost_response_is_replayed_not_created_twice(connection, qbo, sandbox_company):
    customer_create(display_name="Weiskopf Consulting 2")
    sandbox_company.hook(
        "faults",
        {"match": {"path": "batch", "realm": sandbox_company.realm}, "kind": "lost_response", "times": 1},
    )

    first = drain(connection.pk)
    assert first.stopped == "unavailable"
    assert PushBatch.objects.filter(status=PushBatch.Status.IN_FLIGHT).count() == 1

    second = drain(connection.pk)

    assert second.pushed == 1
    assert len(_customers_named(qbo, "Weiskopf Consulting 2")) == 1
    assert not PushBatch.objects.filter(status=PushBatch.Status.IN_FLIGHT).exists()
