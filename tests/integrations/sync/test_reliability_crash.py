"""kill -9 a push worker at each dangerous moment; a fresh drain loses nothing and duplicates nothing.

The worker is a real OS process draining the test database; it dies by SIGKILL at a named crash
point (integrations/sync/chaos.py), so no cleanup code of ours runs — exactly as under ``kill -9``.
"""

from __future__ import annotations

import signal

import pytest

from customers.services import customer_create, customer_update
from integrations.models import PushBatch, QBOLink
from integrations.models.connection import QBOConnection
from integrations.sync.push import drain
from syncportal.outbox.models import OutboxEntry
from tests.integrations.sync.workers import drain_in_process, lease_ttl_passes

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.sandbox, pytest.mark.postgres]


@pytest.fixture(autouse=True)
def _postgres_only(settings):
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        pytest.skip("a second process needs a shared database (run with DATABASE_URL=postgres://...)")


def _named(qbo, name: str) -> list[dict]:
    return qbo.query(f"SELECT * FROM Customer WHERE DisplayName = '{name}'").get("Customer", [])


@pytest.mark.parametrize("point", ["before_send", "after_answer", "after_commit"])
def test_a_worker_killed_mid_batch_loses_nothing_and_creates_nothing_twice(point, connection, qbo):
    edited = customer_create(display_name=f"Crash Edited {point}", email="first@crash.example")
    drain(connection.pk)
    customer_update(customer=edited, changes={"email": "second@crash.example"})
    new = customer_create(display_name=f"Crash New {point}", phone="555-123-0000")

    died = drain_in_process(connection.pk, crash_point=point)

    assert died.returncode == -signal.SIGKILL, died.stderr[-2000:]
    in_quickbooks = bool(_named(qbo, f"Crash New {point}"))
    linked = QBOLink.objects.filter(entity="customers.customer", object_id=new.pk).exists()
    # Where it died: the request not sent / sent but not recorded / recorded, queue not advanced.
    assert (in_quickbooks, linked) == {
        "before_send": (False, False),
        "after_answer": (True, False),
        "after_commit": (True, True),
    }[point]
    assert QBOConnection.objects.get(pk=connection.pk).lease_owner  # the dead worker's lease

    lease_ttl_passes(connection.pk)
    fresh = drain(connection.pk)

    assert not fresh.busy and not fresh.stopped
    [doc] = _named(qbo, f"Crash New {point}")
    assert doc["PrimaryPhone"]["FreeFormNumber"] == "555-123-0000"
    [doc] = _named(qbo, f"Crash Edited {point}")
    assert doc["PrimaryEmailAddr"]["Address"] == "second@crash.example"
    assert QBOLink.objects.get(entity="customers.customer", object_id=new.pk).qbo_id
    assert not PushBatch.objects.filter(status=PushBatch.Status.IN_FLIGHT).exists()
    assert QBOConnection.objects.get(pk=connection.pk).outbox_position == OutboxEntry.objects.latest("id").id
    again = drain(connection.pk)
    assert again.batches == 0  # nothing left over to send
