"""Balance reconciliation against the real sandbox: differences explained, fixes that work, roles, export."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django_q.models import OrmQ

from customers.models import Customer
from customers.services import customer_create, customer_set_balance
from integrations.models import QBOLink, ReconciliationRow, ReconciliationRun
from integrations.services.reconciliation import (
    reconciliation_force_push,
    reconciliation_resync_customer,
    reconciliation_run,
)
from integrations.sync.push import drain
from syncportal.access.roles import BOOKKEEPER, MANAGER, STAFF
from tests.factories.integrations import user_in_role
from tests.factories.sales import make_charge

pytestmark = [pytest.mark.django_db, pytest.mark.sandbox]
Why = ReconciliationRow.Explanation


@pytest.fixture
def store(connection, qbo):
    """Three customers synced with their charges: Ann owes 100, Bob 50, Cal nothing."""
    ann = customer_create(display_name="Ann Archer")
    bob = customer_create(display_name="Bob Baker")
    cal = customer_create(display_name="Cal Carter")
    make_charge(customer=ann, amount="100.00")
    make_charge(customer=bob, amount="50.00")
    assert drain(connection.pk).failed == 0
    return {c.display_name.split()[0].lower(): Customer.objects.get(pk=c.pk) for c in (ann, bob, cal)}


def _rows(run):
    return {row.customer_name.split()[0].lower(): row for row in run.rows.all()}


def test_a_run_compares_every_linked_customer_and_explains_differences(connection, store):
    customer_set_balance(customer=store["bob"], balance=Decimal("45.00"))  # drifted, nothing pending
    make_charge(customer=store["cal"], amount="30.00")  # committed, not yet pushed

    run = reconciliation_run(connection=connection)

    rows = _rows(run)
    assert run.status == ReconciliationRun.Status.DONE and (run.compared, run.matching) == (3, 1)
    assert (rows["ann"].local_balance, rows["ann"].qbo_balance, rows["ann"].explanation) == (
        Decimal("100.00"),
        Decimal("100.00"),
        Why.MATCH,
    )
    assert (rows["bob"].qbo_balance, rows["bob"].difference, rows["bob"].explanation) == (
        Decimal("50.00"),
        Decimal("-5.00"),
        Why.UNEXPLAINED,
    )
    assert rows["cal"].explanation == Why.PENDING and rows["cal"].pending_changes >= 1
    assert run.qbo_reads == 1  # three customers fit one page


def test_resync_from_quickbooks_takes_its_balance(connection, store):
    customer_set_balance(customer=store["bob"], balance=Decimal("45.00"))
    run = reconciliation_run(connection=connection)
    row = _rows(run)["bob"]

    reconciliation_resync_customer(row=row)

    assert Customer.objects.get(pk=store["bob"].pk).balance == Decimal("50.00")
    row.refresh_from_db()
    assert row.explanation == Why.MATCH


def test_force_push_resends_a_customer_quickbooks_changed_behind_our_back(connection, qbo, store):
    link = QBOLink.objects.get(entity="customers.customer", object_id=store["ann"].pk)
    remote = qbo.read("Customer", link.qbo_id)
    qbo.update(
        "Customer", {"Id": remote["Id"], "SyncToken": remote["SyncToken"], "CompanyName": "Typed in QBO"}
    )
    QBOLink.objects.filter(pk=link.pk).update(sync_token=qbo.read("Customer", link.qbo_id)["SyncToken"])
    assert drain(connection.pk).pushed == 0  # a plain drain sees nothing changed locally
    row = _rows(reconciliation_run(connection=connection))["ann"]

    queued = reconciliation_force_push(row=row)
    drain(connection.pk)

    assert queued == 2  # the customer and her charge
    assert qbo.read("Customer", link.qbo_id).get("CompanyName", "") == ""


def test_a_quickbooks_outage_fails_the_run_in_plain_words_and_stores_no_rows(connection, sandbox_company):
    customer_create(display_name="Dee Dalton")
    drain(connection.pk)
    sandbox_company.hook(
        "faults", {"kind": "unavailable", "match": {"realm": sandbox_company.realm}, "times": 10}
    )

    run = reconciliation_run(connection=connection)

    assert run.status == ReconciliationRun.Status.FAILED
    assert "could not be read" in run.error and run.rows.count() == 0


@pytest.mark.parametrize(("role", "status"), [(STAFF, 403), (BOOKKEEPER, 200), (MANAGER, 200)])
def test_report_page_per_role(client, connection, store, role, status):
    run = reconciliation_run(connection=connection)
    client.force_login(user_in_role(role))
    response = client.get(reverse("console:reconciliation"), {"run": run.pk, "differences": "1"})
    assert response.status_code == status
    if status == 200:
        html = response.content.decode()
        assert "3 of 3 customers match" in html
        assert "No customers to show." in html and "Ann Archer" not in html  # differences only


def test_bookkeeper_fixes_a_row_and_staff_cannot(client, connection, store):
    customer_set_balance(customer=store["bob"], balance=Decimal("45.00"))
    row = _rows(reconciliation_run(connection=connection))["bob"]
    url = reverse("console:reconciliation_fix", args=[row.pk])

    client.force_login(user_in_role(STAFF))
    assert client.post(url, {"action": "resync"}).status_code == 403
    assert Customer.objects.get(pk=store["bob"].pk).balance == Decimal("45.00")

    client.force_login(user_in_role(BOOKKEEPER))
    response = client.post(url, {"action": "resync"}, follow=True)
    assert "balance taken from QuickBooks (50.00)" in response.content.decode()
    assert Customer.objects.get(pk=store["bob"].pk).balance == Decimal("50.00")


def test_run_now_queues_a_background_run(client, connection):
    client.force_login(user_in_role(BOOKKEEPER))
    before = OrmQ.objects.count()
    response = client.post(
        reverse("console:reconciliation_start"), {"connection": connection.pk}, follow=True
    )
    assert OrmQ.objects.count() == before + 1
    assert "Reconciliation of" in response.content.decode()


def test_export_csv_and_xlsx(client, connection, store):
    run = reconciliation_run(connection=connection)
    client.force_login(user_in_role(BOOKKEEPER))
    csv = client.get(reverse("console:reconciliation_export", args=[run.pk, "csv"]))
    lines = csv.content.decode().splitlines()
    assert lines[0].startswith("customer_name,customer,qbo_id,local_balance,qbo_balance")
    assert any(line.startswith("Ann Archer,") and "100.00,100.00" in line for line in lines)
    xlsx = client.get(reverse("console:reconciliation_export", args=[run.pk, "xlsx"]))
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
