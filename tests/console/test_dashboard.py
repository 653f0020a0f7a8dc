"""The admin index is the operator dashboard: the right figures per role, in a bounded number of queries."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from customers.models import DuplicateCandidate
from integrations.models import (
    QBOConnection,
    ReconciliationRun,
    RollupState,
    SyncConflict,
    SyncEvent,
    SyncFailure,
)
from integrations.services.rollup import rollup_refresh
from syncportal.access.roles import BOOKKEEPER, MANAGER, STAFF
from syncportal.outbox.models import OutboxEntry
from tests.factories.customers import CustomerFactory
from tests.factories.integrations import user_in_role

pytestmark = pytest.mark.django_db


def _event(connection, *, ago, outcome="ok", latency=None, direction="push"):
    event = SyncEvent.objects.create(
        connection=connection,
        direction=direction,
        entity="customers.customer",
        object_id=1,
        outcome=outcome,
        latency_ms=latency,
    )
    SyncEvent.objects.filter(pk=event.pk).update(created_at=timezone.now() - ago)


@pytest.fixture
def known(db):
    """One company with a known week: 20 pushes today, 3 failed yesterday, an old event out of the window."""
    connection = QBOConnection.objects.create(realm_id="4620816365", company_name="Corner Store")
    for i in range(1, 21):  # latencies 100..2000 ms: p50 = 1000, p95 = 1900 (nearest rank)
        _event(connection, ago=dt.timedelta(minutes=1), latency=i * 100)
    for _ in range(3):
        _event(connection, ago=dt.timedelta(days=1), outcome="failed")
    _event(connection, ago=dt.timedelta(days=9))
    entries = [
        OutboxEntry.objects.create(entity="customers.customer", object_id=n, operation="update")
        for n in (1, 2, 3)
    ]
    QBOConnection.objects.filter(pk=connection.pk).update(outbox_position=entries[0].pk)
    failure = {"connection": connection, "entity": "customers.customer", "message": "x"}
    SyncFailure.objects.create(**failure, object_id=1, cause="duplicate_name")
    SyncFailure.objects.create(**failure, object_id=2, cause="duplicate_name")
    SyncFailure.objects.create(**failure, object_id=3, cause="validation", status="retrying")
    fixer = user_in_role(MANAGER, username="fixer")
    SyncFailure.objects.create(
        **failure,
        object_id=4,
        cause="validation",
        status="resolved",
        resolved_by=fixer,
        resolved_at=timezone.now(),
    )
    SyncConflict.objects.create(
        connection=connection, entity="customers.customer", object_id=1, field="email"
    )
    a, b = CustomerFactory(), CustomerFactory()
    DuplicateCandidate.objects.create(customer_a=a, customer_b=b, score=0.9, found_at=timezone.now())
    ReconciliationRun.objects.create(
        connection=connection, status="done", compared=8, matching=6, finished_at=timezone.now()
    )
    rollup_refresh()
    return connection


@pytest.mark.parametrize("role", [MANAGER, BOOKKEEPER])
def test_sync_roles_see_the_measured_figures(client, known, role, django_assert_max_num_queries):
    client.force_login(user_in_role(role))
    with django_assert_max_num_queries(15):
        response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    html = response.content.decode()
    # Queue: entries 2 and 3 are past the company's position; the figure opens the list of them.
    waiting = reverse("admin:outbox_outboxentry_changelist") + f"?waiting_for={known.pk}"
    assert f'<td class="queue"><a href="{waiting}">2</a>' in html.replace("\n", "")
    # Failures by root cause; the resolved one is not open.
    board = response.context["board"]
    company = board.companies[0]
    assert {f.label: f.count for f in company.failures_by_cause} == {
        "Name already used in QuickBooks": 2, "Validation": 1
    }  # fmt: skip
    assert "Name already used in QuickBooks:" in html
    assert (company.queue.count, company.failures.count, company.conflicts.count) == (2, 3, 1)
    assert board.duplicates.count == 1
    figures = board.promised
    assert figures.accuracy == pytest.approx(0.75)
    assert "75.0%" in html and "6 of 8 linked customers" in html
    assert (figures.completion_p50_ms, figures.completion_p95_ms, figures.completion_samples) == (
        1000,
        1900,
        20,
    )
    assert "p50 1.0 s · p95 1.9 s" in html
    # 20 automatic syncs in the window (the 9-day-old one is outside it) vs 1 fixed by hand.
    assert (figures.automatic, figures.by_hand) == (20, 1)
    assert "95.2%" in html
    # The chart draws the 23 events of the week, failed ones in red.
    assert '<svg id="events-chart"' in html and "23 events" in html and "#c62828" in html
    assert '<svg id="latency-chart"' in html
    # The accuracy figure links to the reconciliation report behind it.
    assert reverse("console:reconciliation") + f"?run={ReconciliationRun.objects.get().pk}" in html
    assert reverse("admin:customers_duplicatecandidate_changelist") + "?status__exact=open" in html


def test_staff_see_the_queue_and_duplicates_but_not_sync_internals(
    client, known, django_assert_max_num_queries
):
    client.force_login(user_in_role(STAFF))
    with django_assert_max_num_queries(12):
        response = client.get(reverse("admin:index"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Corner Store" in html and "Possible duplicate customers waiting for review" in html
    assert "Data accuracy rate" not in html and "events-chart" not in html and "duplicate_name" not in html
    assert response.context["board"].promised is None


def test_query_count_does_not_grow_with_the_event_log(client, known, django_assert_max_num_queries):
    connection = QBOConnection.objects.get()
    for hours in range(0, 160, 3):
        _event(connection, ago=dt.timedelta(hours=hours), latency=50, outcome="ok")
    RollupState.objects.all().delete()  # backdated events: fold the whole window, as a fresh install does
    rollup_refresh()
    client.force_login(user_in_role(MANAGER))
    with django_assert_max_num_queries(15):
        response = client.get(reverse("admin:index"))
    assert response.context["board"].promised.automatic == 20 + 54


def test_rollup_counts_events_arriving_after_a_fold_once(known):
    connection = QBOConnection.objects.get()
    _event(connection, ago=dt.timedelta(seconds=1), latency=5000)
    rollup_refresh()
    rollup_refresh()  # a second run refolds the current hour: no double counting
    from syncportal.console.selectors.dashboard import dashboard_for

    board = dashboard_for(user=user_in_role(MANAGER))
    assert board.promised.automatic == 21
    # 21 samples now: p95 is the 20th value (nearest rank) = 2000 ms.
    assert (board.promised.completion_p50_ms, board.promised.completion_p95_ms) == (1100, 2000)


def test_no_company_connected_says_so(client):
    client.force_login(user_in_role(MANAGER))
    response = client.get(reverse("admin:index"))
    html = response.content.decode()
    assert "No QuickBooks company is connected yet." in html
    assert response.context["board"].promised.accuracy is None
    assert f'No reconciliation has run yet. <a href="{reverse("console:reconciliation")}">Run one</a>' in html
