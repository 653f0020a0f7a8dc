"""Changes waiting for QuickBooks: the dashboard's queue figure opens the list of exactly those rows."""

from __future__ import annotations

import pytest
from django.urls import reverse

from integrations.models import QBOConnection
from syncportal.outbox.models import OutboxEntry
from tests.factories.customers import CustomerFactory

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:outbox_outboxentry_changelist")


@pytest.fixture
def waiting(db):
    """Rows 1–4 for one company: it has handled up to row 3 except row 2, a late commit kept as a gap."""
    customer = CustomerFactory()
    rows = [
        OutboxEntry.objects.create(
            entity="customers.customer", object_id=customer.pk, operation="update", changed_fields=[f"f{n}"]
        )
        for n in range(1, 5)
    ]
    connection = QBOConnection.objects.create(realm_id="4620816365", company_name="Corner Store")
    QBOConnection.objects.filter(pk=connection.pk).update(
        outbox_position=rows[2].pk, outbox_gaps=[[rows[1].pk, rows[1].pk, 0]]
    )
    return connection, rows


@pytest.mark.parametrize("role", ["bookkeeper", "manager"])
def test_the_dashboard_queue_links_to_the_rows_the_company_has_not_handled(signed_in, waiting, role):
    connection, rows = waiting
    client = signed_in(role)
    board = client.get(reverse("admin:index")).context["board"]
    [company] = board.companies
    assert company.queue.count == 2

    page = client.get(company.queue.url)

    assert page.status_code == 200
    assert company.queue.url == f"{CHANGELIST}?waiting_for={connection.pk}"
    shown = [row.pk for row in page.context["cl"].result_list]
    assert shown == [rows[1].pk, rows[3].pk]  # the gap row and the one past the position, oldest first
    html = page.content.decode()
    assert "f2" in html and "f4" in html and "f1" not in html
    assert reverse("admin:customers_customer_change", args=[rows[0].object_id]) in html


def test_an_unknown_company_in_the_filter_shows_nothing(signed_in, waiting):
    page = signed_in("bookkeeper").get(f"{CHANGELIST}?waiting_for=999999")
    assert page.status_code == 200 and list(page.context["cl"].result_list) == []
    page = signed_in("bookkeeper").get(f"{CHANGELIST}?waiting_for=not-a-number")
    assert page.status_code == 200 and list(page.context["cl"].result_list) == []


def test_staff_do_not_see_the_outbox_and_nobody_edits_or_deletes_a_row(signed_in, waiting):
    _connection, rows = waiting
    assert signed_in("staff").get(CHANGELIST).status_code == 403
    manager = signed_in("manager")
    change = reverse("admin:outbox_outboxentry_change", args=[rows[0].pk])
    assert manager.get(change).status_code == 200  # a read-only view
    assert manager.post(change, {"operation": "delete"}).status_code == 403
    assert (
        manager.post(
            reverse("admin:outbox_outboxentry_delete", args=[rows[0].pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert manager.get(reverse("admin:outbox_outboxentry_add")).status_code == 403
    assert OutboxEntry.objects.count() == 4
