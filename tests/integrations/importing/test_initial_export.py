"""The initial export: store customers QuickBooks has never seen reach it after the first import."""

from __future__ import annotations

import pytest

from customers.models import Customer
from integrations.models import ImportRun, QBOLink
from integrations.services.initial_export import initial_export_queue
from integrations.sync.push import drain
from tests.factories.customers import CustomerFactory

pytestmark = [pytest.mark.django_db, pytest.mark.sandbox]


def _named(qbo, name: str) -> list[dict]:
    escaped = name.replace("'", "\\'")
    return qbo.query(f"SELECT * FROM Customer WHERE DisplayName = '{escaped}'").get("Customer", [])


@pytest.fixture
def store_customers():
    """Customers the store had before connecting, written as loaded history (no outbox rows)."""
    florist = CustomerFactory(display_name="Lakeside Florist", email="orders@lakeside.example")
    return {
        "florist": florist,
        "office": CustomerFactory(display_name="Lakeside Back Office", parent=florist, email="bo@l.example"),
        "private": CustomerFactory(display_name="Quiet Buyer", sync_with_quickbooks=False),
        "closed": CustomerFactory(display_name="Closed Account", is_active=False),
        "diner": CustomerFactory(display_name="Red Rock Diner", email="diner@store.example"),
    }


def test_flagged_store_customers_reach_quickbooks_once_after_the_import(
    seeded, store_customers, connection, qbo, import_all
):
    run = import_all()
    assert run.status == ImportRun.Status.DONE, run.error

    result = drain(connection.pk)

    assert result.failed == 0, result.errors
    [florist] = _named(qbo, "Lakeside Florist")
    [office] = _named(qbo, "Lakeside Back Office")
    assert office["ParentRef"]["value"] == florist["Id"] and office["Job"] is True
    assert _named(qbo, "Quiet Buyer") == []  # not marked "use with QuickBooks"
    assert _named(qbo, "Closed Account") == []  # inactive store customers are not exported
    assert len(_named(qbo, "Red Rock Diner")) == 1  # matched by the import: linked, not duplicated
    diner = QBOLink.objects.get(entity="customers.customer", object_id=store_customers["diner"].pk)
    assert diner.qbo_id == _named(qbo, "Red Rock Diner")[0]["Id"]


def test_queueing_again_queues_nothing_twice(seeded, store_customers, connection, import_all):
    import_all()  # queues the florist and its back office

    assert initial_export_queue(connection) == 0  # still waiting in the outbox
    drain(connection.pk)
    assert initial_export_queue(connection) == 0  # now linked
    assert Customer.objects.filter(display_name__startswith="Lakeside").count() == 2
