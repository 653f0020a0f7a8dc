"""Pull against a real sandbox: bookkeeper edits in QuickBooks reach SyncPortal, ours never echo."""

from __future__ import annotations

import time
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import override_settings
from django.utils import timezone

from customers.models import Customer
from customers.services import customer_create, customer_update
from integrations.mapping.choices import ConflictPolicy
from integrations.models import FieldMapping, QBOConnection, QBOLink, SyncConflict, SyncEvent
from integrations.pull.cdc import pull
from integrations.sync.chaos import WorkerKilled
from integrations.sync.push import drain
from syncportal.outbox.models import OutboxEntry
from tests.integrations.pull.helpers import bookkeeper

pytestmark = [pytest.mark.django_db, pytest.mark.sandbox]


def _linked(connection, display_name: str, **fields) -> tuple[Customer, str]:
    customer = customer_create(display_name=display_name, **fields)
    drain(connection.pk)
    pull(connection.pk)  # our own create coming back: an echo, and the cursor is set
    return customer, QBOLink.objects.get(entity="customers.customer", object_id=customer.pk).qbo_id


def test_an_email_changed_in_quickbooks_appears_here_with_one_cdc_read(connection, sandbox_company):
    customer, qbo_id = _linked(connection, "Bayside Bikes", email="old@bayside.example")
    bookkeeper(
        sandbox_company, "Customer", "update", qbo_id, PrimaryEmailAddr={"Address": "ap@bayside.example"}
    )
    outbox_before = OutboxEntry.objects.count()

    result = pull(connection.pk)

    customer.refresh_from_db()
    assert customer.email == "ap@bayside.example"
    assert result.calls == 1  # one CDC call, not one GET per change
    assert OutboxEntry.objects.count() == outbox_before  # applied with origin=QBO: nothing to push back


def test_our_own_push_coming_back_is_an_echo_and_changes_nothing(connection):
    customer, _qbo_id = _linked(connection, "Echo Valley Farm", phone="555-0100")
    customer_update(customer=customer, changes={"phone": "555-0199"})
    drain(connection.pk)
    customer.refresh_from_db()
    updated_at, outbox_before = customer.updated_at, OutboxEntry.objects.count()

    pull(connection.pk)

    customer.refresh_from_db()
    assert customer.updated_at == updated_at and customer.phone == "555-0199"
    assert OutboxEntry.objects.count() == outbox_before
    echoes = SyncEvent.objects.filter(direction="pull", object_id=customer.pk, outcome=SyncEvent.Outcome.ECHO)
    assert echoes.count() == 2  # the create and the update, each recognised once
    assert drain(connection.pk).pushed == 0  # and nothing goes back to QuickBooks


def test_an_overlapping_read_does_not_apply_or_log_anything_twice(connection, sandbox_company):
    _customer, qbo_id = _linked(connection, "Twice Told Tales")
    bookkeeper(sandbox_company, "Customer", "update", qbo_id, Notes="Prefers e-mail")
    pull(connection.pk)
    events = SyncEvent.objects.filter(direction="pull").count()

    pull(connection.pk)  # the window overlaps the previous one

    assert SyncEvent.objects.filter(direction="pull").count() == events


def test_under_ask_a_field_changed_on_both_sides_becomes_a_conflict_holding_both(
    connection, sandbox_company, qbo
):
    FieldMapping.objects.filter(entity="customer", local_field="email").update(
        conflict_policy=ConflictPolicy.ASK
    )
    customer, qbo_id = _linked(connection, "Conflicted Cafe", email="base@cafe.example")
    customer_update(customer=customer, changes={"email": "local@cafe.example"})  # not pushed yet
    bookkeeper(
        sandbox_company, "Customer", "update", qbo_id, PrimaryEmailAddr={"Address": "qbo@cafe.example"}
    )

    pull(connection.pk)

    customer.refresh_from_db()
    assert customer.email == "local@cafe.example"  # nothing silently overwritten
    conflict = SyncConflict.objects.get(object_id=customer.pk)
    assert (conflict.field, conflict.local_value, conflict.qbo_value) == (
        "email",
        "local@cafe.example",
        "qbo@cafe.example",
    )
    assert conflict.status == SyncConflict.Status.OPEN
    drain(connection.pk)  # the local edit is pushed, but not over QuickBooks' disputed value
    [remote] = qbo.query(f"SELECT * FROM Customer WHERE Id = '{qbo_id}'")["Customer"]
    assert remote["PrimaryEmailAddr"]["Address"] == "qbo@cafe.example"


def test_changes_to_different_fields_on_each_side_both_survive(connection, sandbox_company):
    customer, qbo_id = _linked(connection, "Disjoint Diner", email="a@diner.example", phone="555-0101")
    customer_update(customer=customer, changes={"phone": "555-0102"})
    bookkeeper(sandbox_company, "Customer", "update", qbo_id, PrimaryEmailAddr={"Address": "b@diner.example"})

    pull(connection.pk)

    customer.refresh_from_db()
    assert (customer.email, customer.phone) == ("b@diner.example", "555-0102")
    assert not SyncConflict.objects.exists()


def test_a_local_edit_survives_a_later_quickbooks_edit_of_another_field(connection, sandbox_company):
    # QuickBooks' edit is clearly newer (its clock has whole seconds): "newest wins" must not be
    # asked about a field only we changed. The echo of our create gave that field a known base.
    customer, qbo_id = _linked(connection, "Later Diner", email="a@later.example", phone="555-0201")
    customer_update(customer=customer, changes={"phone": "555-0202"})
    time.sleep(1.1)
    bookkeeper(sandbox_company, "Customer", "update", qbo_id, PrimaryEmailAddr={"Address": "b@later.example"})

    pull(connection.pk)

    customer.refresh_from_db()
    assert (customer.email, customer.phone) == ("b@later.example", "555-0202")
    assert not SyncConflict.objects.exists()


@pytest.mark.parametrize("policy", [ConflictPolicy.ASK, ConflictPolicy.NEWEST_WINS])
def test_a_pushed_change_the_dead_worker_left_waiting_does_not_dispute_a_later_quickbooks_edit(
    connection, sandbox_company, qbo, policy
):
    # Our note reached QuickBooks and was committed, but the worker died before it moved the outbox
    # on, so the change still looks waiting. The bookkeeper's later note is QuickBooks' only change
    # since: it is taken here, with no conflict and no write back over it (found by bench/soak.py).
    FieldMapping.objects.filter(entity="customer", local_field="notes").update(conflict_policy=policy)
    customer, qbo_id = _linked(connection, "Harbor Hardware", notes="first")
    customer_update(customer=customer, changes={"notes": "ours"})
    dies = override_settings(QBO_PUSH_CRASH_POINT="after_commit", QBO_PUSH_CRASH_MODE="raise")
    with dies, pytest.raises(WorkerKilled):
        drain(connection.pk)
    bookkeeper(sandbox_company, "Customer", "update", qbo_id, Notes="theirs")

    pull(connection.pk)

    customer.refresh_from_db()
    assert customer.notes == "theirs"
    assert not SyncConflict.objects.filter(object_id=customer.pk).exists()
    assert drain(connection.pk).pushed == 0
    [remote] = qbo.query(f"SELECT * FROM Customer WHERE Id = '{qbo_id}'")["Customer"]
    assert remote["Notes"] == "theirs"


def test_made_inactive_in_quickbooks_is_reflected(connection, sandbox_company):
    customer, qbo_id = _linked(connection, "Closing Down Co")
    bookkeeper(sandbox_company, "Customer", "deactivate", qbo_id)

    pull(connection.pk)

    customer.refresh_from_db()
    assert customer.is_active is False


def test_a_sub_customer_created_in_quickbooks_arrives_under_its_parent(connection, sandbox_company):
    parent, parent_qbo = _linked(connection, "Harbor Holdings")
    bookkeeper(
        sandbox_company,
        "Customer",
        "create",
        DisplayName="Harbor Holdings Dock 3",
        Job=True,
        ParentRef={"value": parent_qbo},
        BillWithParent=True,
    )

    pull(connection.pk)

    child = Customer.objects.get(display_name="Harbor Holdings Dock 3")
    assert child.parent_id == parent.pk and child.bill_with_parent is True
    assert QBOLink.objects.filter(entity="customers.customer", object_id=child.pk).exists()


def test_a_sub_customer_moved_in_quickbooks_moves_here(connection, sandbox_company):
    first, _first_qbo = _linked(connection, "North Branch")
    second, second_qbo = _linked(connection, "South Branch")
    child = customer_create(display_name="Branch Office", parent=first)
    drain(connection.pk)
    pull(connection.pk)
    child_qbo = QBOLink.objects.get(entity="customers.customer", object_id=child.pk).qbo_id
    bookkeeper(sandbox_company, "Customer", "update", child_qbo, Job=True, ParentRef={"value": second_qbo})

    pull(connection.pk)

    child.refresh_from_db()
    assert child.parent_id == second.pk


def test_quickbooks_balance_overwrites_ours_and_available_credit_follows(connection, sandbox_company):
    customer, qbo_id = _linked(connection, "Balance Bakery", credit_limit=Decimal("500.00"))
    bookkeeper(
        sandbox_company,
        "Invoice",
        "create",
        CustomerRef={"value": qbo_id},
        Line=[
            {
                "DetailType": "SalesItemLineDetail",
                "Amount": 120,
                "SalesItemLineDetail": {"ItemRef": {"value": "1"}},
            }
        ],
    )

    pull(connection.pk)

    customer.refresh_from_db()
    assert customer.balance == Decimal("120.00")
    assert customer.available_credit == Decimal("380.00")


def test_a_cursor_older_than_the_cdc_window_triggers_a_full_resync(connection, sandbox_company):
    customer, qbo_id = _linked(connection, "Long Ago Ltd")
    bookkeeper(sandbox_company, "Customer", "update", qbo_id, CompanyName="Long Ago Limited")
    QBOConnection.objects.filter(pk=connection.pk).update(cdc_cursor=timezone.now() - timedelta(days=31))

    result = pull(connection.pk)

    assert result.full_resync is True
    customer.refresh_from_db()
    assert customer.company_name == "Long Ago Limited"
    assert QBOConnection.objects.get(pk=connection.pk).cdc_cursor > timezone.now() - timedelta(minutes=5)
