"""The sync event log: read-only for every role, filterable, and never counts the whole table."""

from __future__ import annotations

import pytest
from django.db import connection as db
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from integrations.models import SyncEvent
from tests.factories.customers import CustomerFactory
from tests.factories.sync import QBOConnectionFactory, SyncEventFactory

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:integrations_syncevent_changelist")


@pytest.mark.parametrize("role", ["manager", "bookkeeper"])
def test_events_are_visible_and_never_editable(signed_in, role):
    event = SyncEventFactory()
    client = signed_in(role)

    assert client.get(CHANGELIST).status_code == 200
    page = client.get(reverse("admin:integrations_syncevent_change", args=[event.pk]))
    assert page.status_code == 200 and b'name="_save"' not in page.content
    assert client.get(reverse("admin:integrations_syncevent_add")).status_code == 403
    assert (
        client.post(
            reverse("admin:integrations_syncevent_delete", args=[event.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert SyncEvent.objects.filter(pk=event.pk).exists()


def test_the_front_desk_does_not_see_the_event_log(signed_in):
    assert signed_in("staff").get(CHANGELIST).status_code == 403


def test_filters_by_direction_outcome_entity_and_connection(signed_in):
    mine, other = QBOConnectionFactory(), QBOConnectionFactory()
    failed = SyncEventFactory(
        connection=mine, outcome="failed", summary={"message": "Duplicate Name Exists Error"}
    )
    SyncEventFactory(connection=mine, outcome="ok")
    SyncEventFactory(connection=other, outcome="failed")
    SyncEventFactory(connection=mine, outcome="failed", direction="pull")
    SyncEventFactory(connection=mine, outcome="failed", entity="sales.sale")
    client = signed_in("bookkeeper")

    page = client.get(
        CHANGELIST,
        {
            "direction__exact": "push",
            "outcome": "failed",
            "entity": "customers.customer",
            "connection__id__exact": mine.pk,
        },
    )

    assert [e.pk for e in page.context["cl"].result_list] == [failed.pk]
    assert b"Duplicate Name Exists Error" in page.content


def test_a_big_unfiltered_list_is_not_counted_and_needs_a_fixed_number_of_queries(signed_in):
    customers = CustomerFactory.create_batch(3)
    connection = QBOConnectionFactory()
    SyncEventFactory.create_batch(130, connection=connection, object_id=customers[0].pk)
    client = signed_in("bookkeeper")
    client.get(CHANGELIST)  # warm the session and permission caches

    with CaptureQueriesContext(db) as queries:
        first = client.get(CHANGELIST)
    with CaptureQueriesContext(db) as more_queries:
        second = client.get(CHANGELIST, {"p": 2})

    counted = [
        q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"].upper() and "syncevent" in q["sql"]
    ]
    assert counted == []
    assert len(queries.captured_queries) == len(more_queries.captured_queries) <= 12
    assert len(first.context["cl"].result_list) == 100
    assert len(second.context["cl"].result_list) == 30
    assert first.context["cl"].multi_page


def test_the_full_history_link_of_a_record_lists_that_record_only(signed_in):
    customer = CustomerFactory()
    mine = SyncEventFactory.create_batch(2, object_id=customer.pk)
    SyncEventFactory(object_id=customer.pk, entity="sales.sale")
    SyncEventFactory()

    page = signed_in("manager").get(CHANGELIST, {"entity": "customers.customer", "object_id": customer.pk})

    assert sorted(e.pk for e in page.context["cl"].result_list) == sorted(e.pk for e in mine)
