"""Two django-q2 clusters on one PostgreSQL: one worker at a time per company, every change once."""

from __future__ import annotations

import itertools
import time

import pytest
from django_q.models import Task
from django_q.tasks import async_task

from customers.models import Customer
from customers.services import customer_create
from integrations.models import PushBatch, QBOLink
from tests.integrations.sync.workers import start_qcluster

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.sandbox, pytest.mark.postgres]

CUSTOMERS = 120


def _linked() -> int:
    ours = Customer.objects.filter(display_name__startswith="Cluster ").values("pk")
    return QBOLink.objects.filter(entity="customers.customer", object_id__in=ours).count()


@pytest.fixture
def clusters(settings, sandbox_company):  # after the sandbox: its URL goes to the workers
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        pytest.skip("several clusters need a shared PostgreSQL database")
    procs = [start_qcluster(Q_WORKERS="2") for _ in range(2)]
    yield procs
    for proc in procs:
        proc.terminate()
    for proc in procs:
        try:
            proc.wait(timeout=20)
        except Exception:
            proc.kill()


def test_two_clusters_never_push_one_company_at_once_and_every_change_lands_once(
    clusters, connection, qbo, sandbox_company
):
    # Slow every batch answer a little so drains overlap in time and really contend for the lease.
    sandbox_company.hook(
        "faults",
        {
            "kind": "timeout",
            "seconds": 0.3,
            "match": {"path": "batch", "realm": sandbox_company.realm},
            "times": 200,
        },
    )
    deadline = time.monotonic() + 150
    for wave in range(6):
        for n in range(CUSTOMERS // 6):
            customer_create(display_name=f"Cluster {wave}-{n}")  # each commit wakes a drain task
        for _ in range(3):  # and extra tasks, as duplicate wake-ups from several web processes would
            async_task("integrations.tasks.drain_company", connection.pk, group="push")
        # Let the wave land before the next, so each wave is drained by fresh tasks (new lease holders).
        # Only this test's customers count: the import on connect links the sandbox's seeded ones too.
        while _linked() < (wave + 1) * (CUSTOMERS // 6) and time.monotonic() < deadline:
            time.sleep(0.3)
    while (
        PushBatch.objects.filter(status=PushBatch.Status.IN_FLIGHT).exists() and time.monotonic() < deadline
    ):
        time.sleep(0.3)
    for proc in clusters:
        assert proc.poll() is None, proc.stderr.read()[-2000:]

    batches = list(PushBatch.objects.filter(connection=connection).order_by("sent_at"))
    assert len({b.lease_owner for b in batches}) >= 2  # several drains (several workers) took part
    results = [task.result for task in Task.objects.filter(func="integrations.tasks.drain_company")]
    assert {"busy": True} in results  # and they did contend: some found the company's lease taken
    for one, other in itertools.combinations(batches, 2):
        if one.lease_owner != other.lease_owner:
            # Two holders' sends never overlap in time: [sent_at, finished_at] are disjoint.
            assert one.finished_at <= other.sent_at or other.finished_at <= one.sent_at, (one.pk, other.pk)
    names = [
        doc["DisplayName"]
        for page in qbo.query_all("Customer", "DisplayName LIKE 'Cluster %'")
        for doc in page
        if doc["DisplayName"].startswith("Cluster ")
    ]
    assert len(names) == len(set(names)) == CUSTOMERS
