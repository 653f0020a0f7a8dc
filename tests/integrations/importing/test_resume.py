"""Matching, crash/resume, cancel and re-import: nothing is ever duplicated."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection as database
from django.test.utils import CaptureQueriesContext

from customers.models import Customer
from customers.services import customer_create
from integrations.importing.runner import run_import
from integrations.importing.services import import_run_cancel, initial_import_start
from integrations.models import ImportRun, QBOLink
from integrations.sync.builders import build_operation, load_refs
from integrations.sync.plan import Change
from sales.models import Item, Payment, PaymentAllocation, Sale, SaleLine
from tests.factories.customers import CustomerFactory
from tests.factories.integrations import user_in_role

pytestmark = [pytest.mark.django_db, pytest.mark.sandbox]


def _table_sizes() -> dict[str, int]:
    models = (Customer, Item, Sale, SaleLine, Payment, PaymentAllocation, QBOLink)
    return {m.__name__: m.objects.count() for m in models}


def test_existing_store_customers_are_linked_not_duplicated(seeded, import_all):
    by_email = customer_create(
        display_name="Harbor Outfitters Ltd", email="ap@harbor.example", phone="555-010-9999"
    )
    by_name = customer_create(display_name="Red Rock Diner", notes="Our regular on Fridays")

    run = import_all()

    assert run.status == ImportRun.Status.DONE, run.error
    assert Customer.objects.count() == 11  # the same 11 as an empty store gets: two were linked instead
    assert not Customer.objects.filter(display_name="Harbor Outfitters").exists()
    link = QBOLink.objects.get(entity="customers.customer", object_id=by_email.pk)
    assert link.qbo_id == seeded["parent"]["Id"]
    by_name.refresh_from_db()
    assert by_name.notes == "Our regular on Fridays"  # the store's own values are kept
    assert by_name.balance == Decimal("70.00")  # QuickBooks' balance wins
    assert Customer.objects.get(display_name="Pier 12").parent_id == by_email.pk
    assert run.counts["customers"]["linked"] == 2


def test_a_customer_merged_away_in_the_store_is_never_linked(seeded, import_all):
    survivor = customer_create(display_name="Harbor Group")
    merged = CustomerFactory(
        display_name="Harbor Old Account", email="ap@harbor.example", phone="", merged_into=survivor
    )

    run = import_all()

    assert run.status == ImportRun.Status.DONE, run.error
    assert not QBOLink.objects.filter(entity="customers.customer", object_id=merged.pk).exists()
    imported = Customer.objects.get(display_name="Harbor Outfitters")  # created, not matched
    assert (
        QBOLink.objects.get(entity="customers.customer", object_id=imported.pk).qbo_id
        == seeded["parent"]["Id"]
    )


def test_a_run_killed_mid_way_resumes_without_duplicates(seeded, connection):
    run = initial_import_start(connection=connection, enqueue=False)

    stopped = run_import(run.pk, page_size=2, stop_after_pages=14)

    assert stopped.status == ImportRun.Status.RUNNING and stopped.stage != "accounts"
    half = stopped.processed
    assert 0 < half < stopped.total
    # The next worker (django-q redelivers the task) finds the run and carries on from its page.
    assert initial_import_start(connection=connection, enqueue=False).pk == run.pk
    finished = run_import(run.pk, page_size=2)
    assert finished.status == ImportRun.Status.DONE, finished.error
    assert finished.processed == finished.total
    assert Customer.objects.count() == 11 and Sale.objects.count() == 4
    assert Payment.objects.count() == 2 and SaleLine.objects.count() == 5


def test_a_second_import_changes_nothing_and_picks_up_edits(seeded, books, import_all):
    import_all()
    before = _table_sizes()
    books.edit(
        "Customer", seeded["parent"]["Id"], {"PrimaryEmailAddr": {"Address": "billing@harbor.example"}}
    )

    again = import_all(page_size=1000)

    assert again.status == ImportRun.Status.DONE
    assert _table_sizes() == before
    assert Customer.objects.get(display_name="Harbor Outfitters").email == "billing@harbor.example"
    assert again.counts["customers"]["created"] == 0 and again.counts["customers"]["updated"] == 11


def test_the_next_push_sends_nothing_back(seeded, connection, qbo, import_all):
    import_all()
    refs = load_refs(connection, qbo, {})

    for entity, record in [
        ("customers.customer", Customer.objects.get(display_name="Pier 12 Dock B")),
        ("customers.customer", Customer.objects.get(display_name="Harbor Outfitters")),
        ("sales.item", Item.objects.get(name="Dock Lamp")),
        ("sales.sale", Sale.objects.get(customer__display_name="Pier 12")),
        ("sales.payment", Payment.objects.get(customer__display_name="Pier 12")),
    ]:
        built = build_operation(connection, Change(entity, record.pk), record, refs)
        assert built.skip_reason == "unchanged since the last push", (entity, built.op)


def test_a_page_reads_lines_and_allocations_once_not_per_record(seeded, import_all):
    with CaptureQueriesContext(database) as queries:
        run = import_all(page_size=1000)  # one page per stage: 4 open invoices, 2 payments

    assert run.status == ImportRun.Status.DONE, run.error
    reads = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT")]
    for table in ("sales_saleline", "sales_paymentallocation", "customers_customertype"):
        assert sum(f'FROM "{table}"' in sql for sql in reads) <= 1, table


def test_cancel_stops_the_run_and_only_managers_may(seeded, connection):
    run = initial_import_start(connection=connection, enqueue=False)
    run_import(run.pk, page_size=2, stop_after_pages=2)

    for role in ("Staff", "Bookkeeper"):
        with pytest.raises(PermissionDenied):
            import_run_cancel(run=run, actor=user_in_role(role))
    assert import_run_cancel(run=run, actor=user_in_role("Manager"))

    result = run_import(run.pk, page_size=2)
    assert result.status == ImportRun.Status.CANCELLED
    assert result.finished_at is not None
    assert not Sale.objects.exists()  # stopped before the invoices
    # A new start after a cancel begins a fresh run, which completes without duplicating.
    fresh = initial_import_start(connection=connection, enqueue=False)
    assert fresh.pk != run.pk
    assert run_import(fresh.pk, page_size=1000).status == ImportRun.Status.DONE
    assert Customer.objects.count() == 11


def test_quickbooks_failing_mid_way_says_so_and_a_restart_continues(seeded, connection, sandbox_company):
    run = initial_import_start(connection=connection, enqueue=False)
    run_import(run.pk, page_size=2, stop_after_pages=14)
    sandbox_company.hook("faults", {"kind": "unavailable", "match": {"path": "/query"}, "times": 1})

    failed = run_import(run.pk, page_size=2)

    assert failed.status == ImportRun.Status.FAILED
    assert "Everything before that was saved" in failed.error and "Start the import again" in failed.error
    assert not failed.lease_owner
    again = initial_import_start(connection=connection, enqueue=False)
    assert (
        again.pk == run.pk and again.status == ImportRun.Status.QUEUED and again.position == failed.position
    )
    assert run_import(run.pk, page_size=2).status == ImportRun.Status.DONE
    assert Customer.objects.count() == 11 and Sale.objects.count() == 4 and Payment.objects.count() == 2
