"""Whatever QuickBooks throws at a drain (429, 500, 503, slow answers, lost answers, 5010, 401), the
queue converges: every change lands exactly once, nothing is left waiting."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from customers.services import customer_create, customer_update
from integrations.models import PushBatch, QBOLink, SyncFailure
from integrations.models.connection import QBOConnection
from integrations.sync.push import drain
from syncportal.outbox.models import OutboxEntry

pytestmark = [pytest.mark.django_db, pytest.mark.sandbox]

FAULTS = [
    {"kind": "throttle"},  # 429
    {"kind": "server_error"},  # 500
    {"kind": "unavailable"},  # 503, HTML body
    {"kind": "timeout", "seconds": 0.5},  # a slow answer
    {"kind": "lost_response"},  # written, then 502: the client never learns the outcome
    {"kind": "stale"},  # 5010 on the whole request
    {"kind": "token_expired"},  # 401: refresh and go on
]


def _time_passes(connection) -> None:
    """Pauses and backoffs run out (minutes in production; the test does not wait them)."""
    QBOConnection.objects.filter(pk=connection.pk).update(paused_until=None)
    SyncFailure.objects.filter(status=SyncFailure.Status.RETRYING).update(
        next_retry_at=timezone.now() - timedelta(seconds=1)
    )


def _settled(connection) -> bool:
    position = QBOConnection.objects.get(pk=connection.pk).outbox_position
    return (
        position == OutboxEntry.objects.latest("id").id
        and not PushBatch.objects.filter(status=PushBatch.Status.IN_FLIGHT).exists()
        and not SyncFailure.objects.filter(status__in=["open", "retrying"]).exists()
    )


def test_the_queue_converges_through_every_kind_of_fault(connection, qbo, sandbox_company):
    early = [customer_create(display_name=f"Fault Early {n}", email=f"e{n}@fault.example") for n in range(3)]
    drain(connection.pk)
    for rule in FAULTS:
        sandbox_company.hook("faults", {**rule, "match": {"realm": sandbox_company.realm}, "times": 1})
    # A bookkeeper edit too, so one of our updates meets a stale SyncToken (item-level 5010).
    link = QBOLink.objects.get(object_id=early[0].pk)
    sandbox_company.hook(
        f"realms/{sandbox_company.realm}/bookkeeper",
        {"entity": "Customer", "action": "update", "id": link.qbo_id, "fields": {"Notes": "called in"}},
    )
    for customer in early:
        customer_update(customer=customer, changes={"phone": "555-700-0000"})
    late = [customer_create(display_name=f"Fault Late {n}", phone=f"555-600-000{n}") for n in range(40)]

    stops = []
    for _ in range(25):
        result = drain(connection.pk)
        stops.append(result.stopped)
        if _settled(connection):
            break
        _time_passes(connection)

    assert _settled(connection), stops
    assert {"throttled", "unavailable"} <= set(stops)  # the faults did happen
    assert not sandbox_company.hook("faults", method="GET").get("rules", [])  # all of them fired
    docs = [
        doc
        for page in qbo.query_all("Customer", "DisplayName LIKE 'Fault %'")
        for doc in page
        if doc["DisplayName"].startswith("Fault ")
    ]
    names = [doc["DisplayName"] for doc in docs]
    assert len(names) == len(set(names)) == 43  # every customer, each once
    by_name = {doc["DisplayName"]: doc for doc in docs}
    for customer in early:
        assert by_name[customer.display_name]["PrimaryPhone"]["FreeFormNumber"] == "555-700-0000"
    assert by_name["Fault Early 0"]["Notes"] == "called in"  # the bookkeeper's edit survived
    for n, customer in enumerate(late):
        assert by_name[customer.display_name]["PrimaryPhone"]["FreeFormNumber"] == f"555-600-000{n}"
