"""Re-sync and *Retry all* as runs a person watches: real progress against the sandbox, and cancel."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from customers.services import customer_create
from integrations.models import BulkRun, FieldMapping, QBOConnection, SyncFailure
from integrations.services.bulk_runs import bulk_resync_start, bulk_retry_start, bulk_run_execute
from integrations.sync.push import drain
from syncportal.outbox.models import OutboxEntry
from tests.factories.integrations import user_in_role

pytestmark = pytest.mark.django_db


def company_names(qbo, prefix: str) -> dict[str, str]:
    found = qbo.query(f"SELECT * FROM Customer WHERE DisplayName LIKE '{prefix}%'").get("Customer", [])
    return {c["DisplayName"]: c.get("CompanyName", "") for c in found}


def status_of(client, run) -> dict:
    return client.get(reverse("admin:integrations_bulkrun_status", args=[run.pk])).json()


def upper_case_company_names() -> None:
    FieldMapping.objects.filter(entity="customer", local_field="company_name").update(
        transform="case", transform_args={"mode": "upper"}
    )


@pytest.mark.sandbox
def test_a_resync_reports_records_sent_chunk_by_chunk_until_quickbooks_has_them_all(
    connection, qbo, signed_in
):
    for n in range(5):
        customer_create(display_name=f"Pier {n}", company_name=f"Pier {n} Supply", sync_with_quickbooks=True)
    customer_create(display_name="Pier Mail", email="orders@localhost", sync_with_quickbooks=True)
    drain(connection.pk)  # QuickBooks refuses the last one's email
    upper_case_company_names()
    manager = signed_in("manager")

    run = bulk_resync_start(
        entities=["customer"], actor=user_in_role("Manager", username="m2"), enqueue=False
    )
    bulk_run_execute(run.pk, time_budget=0, chunk=2)  # one chunk, then the worker's budget is spent

    halfway = status_of(manager, run)
    assert (halfway["done"], halfway["total"], halfway["percent"], halfway["active"]) == (2, 6, 33, True)
    # The first chunk is in QuickBooks; the rest is not sent yet.
    assert company_names(qbo, "Pier") == {
        "Pier 0": "PIER 0 SUPPLY", "Pier 1": "PIER 1 SUPPLY",
        "Pier 2": "Pier 2 Supply", "Pier 3": "Pier 3 Supply", "Pier 4": "Pier 4 Supply",
    }  # fmt: skip

    bulk_run_execute(run.pk, chunk=2)

    finished = status_of(manager, run)
    assert (finished["status"], finished["done"], finished["sent"]) == ("done", 6, 5)
    assert finished["text"] == "Done · 6 of 6 records sent · 1 still failing (see Sync failures)"
    assert company_names(qbo, "Pier") == {f"Pier {n}": f"PIER {n} SUPPLY" for n in range(5)}


@pytest.mark.sandbox
def test_cancelling_a_resync_keeps_the_rest_out_of_quickbooks(connection, qbo, signed_in):
    for n in range(4):
        customer_create(display_name=f"Dock {n}", company_name=f"Dock {n} Co", sync_with_quickbooks=True)
    drain(connection.pk)
    upper_case_company_names()
    OutboxEntry.objects.all().delete()
    manager = signed_in("manager")
    run = bulk_resync_start(entities=["customer"], actor=None, enqueue=False)
    bulk_run_execute(run.pk, time_budget=0, chunk=2)

    page = manager.get(reverse("admin:integrations_bulkrun_change", args=[run.pk]))
    assert b'id="bulk-cancel"' in page.content and b'id="bulk-bar" max="100" value="50"' in page.content
    response = manager.post(reverse("admin:integrations_bulkrun_cancel", args=[run.pk]), follow=True)
    assert "Stopping" in str(next(iter(response.context["messages"])))
    assert status_of(manager, run)["text"] == "Stopping after the records being sent now…"
    assert bulk_run_execute(run.pk, chunk=2).status == BulkRun.Status.CANCELLED

    run.refresh_from_db()
    assert (run.status, run.done, run.total) == ("cancelled", 2, 4)
    assert OutboxEntry.objects.count() == 2  # the other two were never queued
    assert sorted(company_names(qbo, "Dock").values()) == ["DOCK 0 CO", "DOCK 1 CO", "Dock 2 Co", "Dock 3 Co"]
    assert (
        b'id="bulk-cancel"'
        not in manager.get(reverse("admin:integrations_bulkrun_change", args=[run.pk])).content
    )


def test_a_queued_run_cancelled_before_any_worker_took_it_does_nothing(signed_in):
    customer_create(display_name="Quay Books", sync_with_quickbooks=True)
    run = bulk_resync_start(entities=["customer"], enqueue=False)
    signed_in("manager").post(reverse("admin:integrations_bulkrun_cancel", args=[run.pk]))

    assert bulk_run_execute(run.pk) is None
    run.refresh_from_db()
    assert (run.status, run.done) == ("cancelled", 0)


@pytest.mark.sandbox
def test_retry_all_of_a_cause_sends_them_and_counts_what_quickbooks_accepted(
    connection, qbo, sandbox_company, signed_in
):
    names = ["Harbor Ice", "Harbor Rope", "Harbor Sails"]
    vendors = [
        sandbox_company.hook(
            f"realms/{sandbox_company.realm}/bookkeeper",
            {"entity": "Vendor", "action": "create", "fields": {"DisplayName": name}},
        )["Vendor"]["Id"]
        for name in names
    ]
    for name in names:
        customer_create(display_name=name)
    customer_create(display_name="Harbor Mail", email="orders@localhost")  # refused for another reason
    drain(connection.pk)
    assert SyncFailure.objects.filter(cause="duplicate_name", status="open").count() == 3
    # The bookkeeper renames the vendors in QuickBooks: nothing changes in SyncPortal, only a retry helps.
    for vendor_id, name in zip(vendors, names, strict=True):
        sandbox_company.hook(
            f"realms/{sandbox_company.realm}/bookkeeper",
            {"entity": "Vendor", "action": "update", "id": vendor_id,
             "fields": {"DisplayName": f"{name} (vendor)"}},
        )  # fmt: skip
    bookkeeper = signed_in("bookkeeper")
    confirm = reverse("admin:integrations_syncfailure_cause_retry", args=["duplicate_name"])
    response = bookkeeper.post(f"{confirm}?connection={connection.pk}")
    run = BulkRun.objects.get()
    assert response["Location"] == reverse("admin:integrations_bulkrun_change", args=[run.pk])
    assert (run.kind, run.total) == ("retry", 3)

    bulk_run_execute(run.pk, time_budget=0, chunk=2)
    halfway = status_of(bookkeeper, run)
    assert (halfway["done"], halfway["percent"]) == (2, 66)
    bulk_run_execute(run.pk, chunk=2)

    run.refresh_from_db()
    assert (run.status, run.sent, run.refused) == ("done", 3, 0)
    assert set(SyncFailure.objects.filter(cause="duplicate_name").values_list("status", flat=True)) == {
        "resolved"
    }
    assert SyncFailure.objects.get(cause__startswith="invalid_data").status == "open"  # not this cause
    assert set(company_names(qbo, "Harbor")) == set(names)


@pytest.mark.sandbox
def test_a_chunk_another_worker_is_draining_is_counted_once_it_was_sent(connection, qbo, sandbox_company):
    for name in ("Pier Ice", "Pier Rope"):
        sandbox_company.hook(
            f"realms/{sandbox_company.realm}/bookkeeper",
            {"entity": "Vendor", "action": "create", "fields": {"DisplayName": name}},
        )
        customer_create(display_name=name)
    drain(connection.pk)
    assert SyncFailure.objects.filter(cause="duplicate_name", status="open").count() == 2
    for vendor in qbo.query("SELECT * FROM Vendor WHERE DisplayName LIKE 'Pier%'")["Vendor"]:
        sandbox_company.hook(
            f"realms/{sandbox_company.realm}/bookkeeper",
            {"entity": "Vendor", "action": "update", "id": vendor["Id"],
             "fields": {"DisplayName": vendor["DisplayName"] + " (vendor)"}},
        )  # fmt: skip
    run = bulk_retry_start(cause="duplicate_name", actor=user_in_role("Bookkeeper"), enqueue=False)
    # Another host's worker holds the company's lease for a moment (its drain ends within a second).
    QBOConnection.objects.filter(pk=connection.pk).update(
        lease_owner="other-host:1", lease_expires_at=timezone.now() + timedelta(seconds=1)
    )

    bulk_run_execute(run.pk)

    run.refresh_from_db()
    assert (run.status, run.sent, run.refused) == ("done", 2, 0)  # not "2 still failing"
    assert set(company_names(qbo, "Pier")) == {"Pier Ice", "Pier Rope"}


def test_who_may_watch_and_cancel(signed_in):
    run = bulk_resync_start(entities=["customer"], enqueue=False)
    bookkeeper = signed_in("bookkeeper")
    assert bookkeeper.get(reverse("admin:integrations_bulkrun_status", args=[run.pk])).status_code == 200
    assert bookkeeper.post(reverse("admin:integrations_bulkrun_cancel", args=[run.pk])).status_code == 403
    assert (
        signed_in("staff").get(reverse("admin:integrations_bulkrun_status", args=[run.pk])).status_code == 403
    )
    run.refresh_from_db()
    assert run.status == "queued" and not run.cancel_requested
