"""A change in one of the push's gaps (committed late, PostgreSQL) still counts as waiting."""

from __future__ import annotations

import time

import pytest

from customers.services import customer_create, customer_update
from integrations.selectors.connection import connection_status
from integrations.selectors.record_sync import record_sync_state
from syncportal.outbox.models import OutboxEntry
from tests.factories.sync import QBOConnectionFactory

pytestmark = pytest.mark.django_db


def test_a_change_the_push_moved_past_but_has_not_read_is_still_waiting():
    customer = customer_create(display_name="Late Commit Traders")
    late = OutboxEntry.objects.get()
    customer_update(customer=customer, changes={"email": "late@example.com"})
    newest = OutboxEntry.objects.latest("id")
    # The push read the newer row while the first one's transaction was still open.
    connection = QBOConnectionFactory(
        outbox_position=newest.pk, outbox_gaps=[[late.pk, late.pk, time.time()]]
    )

    status = connection_status(connection)
    state = record_sync_state(entity="customers.customer", object_id=customer.pk)

    assert status.queue_depth == 1
    assert status.oldest_pending_at == late.created_at
    assert state.pending_changes == 1


def test_without_a_gap_a_change_behind_the_position_is_handled():
    customer = customer_create(display_name="On Time Traders")
    connection = QBOConnectionFactory(outbox_position=OutboxEntry.objects.latest("id").pk)

    assert connection_status(connection).queue_depth == 0
    assert record_sync_state(entity="customers.customer", object_id=customer.pk).pending_changes == 0
