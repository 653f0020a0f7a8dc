"""The failure queue in the admin: who sees it, who may act, and what each action does."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django_q.models import OrmQ

from integrations.models import BulkRun, SyncFailure
from integrations.sync.plan import Change
from integrations.sync.records import add_due_retries
from tests.factories.customers import CustomerFactory
from tests.factories.sync import QBOConnectionFactory, SyncFailureFactory

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:integrations_syncfailure_changelist")


def change_url(failure) -> str:
    return reverse("admin:integrations_syncfailure_change", args=[failure.pk])


def action(client, name: str, *failures, confirm: bool = False):
    data = {"action": name, "_selected_action": [f.pk for f in failures]}
    if confirm:
        data["post"] = "yes"
    return client.post(CHANGELIST, data)


@pytest.mark.parametrize("role", ["manager", "bookkeeper"])
def test_bookkeepers_and_managers_see_the_queue_grouped_by_cause(signed_in, role):
    connection = QBOConnectionFactory()
    SyncFailureFactory.create_batch(3, connection=connection, cause="duplicate_name")
    SyncFailureFactory(connection=connection, cause="invalid_characters")
    SyncFailureFactory(connection=connection, cause="invalid_characters", status=SyncFailure.Status.RESOLVED)

    page = signed_in(role).get(CHANGELIST)

    assert page.status_code == 200
    counts = {row.cause: row.total for row in page.context["cause_counts"]}
    assert counts == {"duplicate_name": 3, "invalid_characters": 1}  # resolved ones are not in the queue
    assert b"Name already used in QuickBooks" in page.content
    assert page.context["cl"].result_count == 4


def test_a_quickbooks_document_not_recorded_here_links_to_quickbooks_not_to_a_local_page(signed_in, settings):
    settings.QBO_ENVIRONMENT, settings.QBO_SANDBOX_URL = "local", "http://127.0.0.1:8765"
    connection = QBOConnectionFactory()
    SyncFailureFactory(
        connection=connection,
        direction="pull",
        entity="qbo:Invoice",
        object_id=146,
        record_label="QuickBooks invoice QB-7002",
    )
    local = SyncFailureFactory(
        connection=connection, entity="customers.customer", object_id=CustomerFactory().pk
    )

    page = signed_in("bookkeeper").get(CHANGELIST).content.decode()

    sandbox_page = f"http://127.0.0.1:8765/realms/{connection.realm_id}/transactions"
    assert f'QuickBooks invoice QB-7002 <a href="{sandbox_page}"' in page
    assert "Open in QuickBooks</a>" in page
    local_page = reverse("admin:customers_customer_change", args=[local.object_id])
    assert f'<a href="{local_page}" class="fix-record">Fix the record</a>' in page


def test_staff_neither_see_nor_act_on_the_queue(signed_in):
    # Issue #2: sync failures are the bookkeeper's; the front desk sees a record's sync state on the
    # record's own page instead.
    failure = SyncFailureFactory()
    staff = signed_in("staff")

    assert staff.get(CHANGELIST).status_code == 403
    assert staff.get(change_url(failure)).status_code == 403
    assert staff.post(reverse("admin:integrations_syncfailure_retry", args=[failure.pk])).status_code == 403
    assert staff.post(reverse("admin:integrations_syncfailure_force", args=[failure.pk])).status_code == 403
    assert (
        staff.get(reverse("admin:integrations_syncfailure_cause_retry", args=["duplicate_name"])).status_code
        == 403
    )
    assert action(staff, "ignore_selected", failure, confirm=True).status_code == 403

    failure.refresh_from_db()
    assert failure.status == SyncFailure.Status.OPEN and not failure.force_push


def test_a_user_without_a_role_cannot_open_the_queue(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("nobody", is_staff=True))
    assert client.get(CHANGELIST).status_code == 403


@pytest.mark.parametrize("role", ["manager", "bookkeeper"])
def test_nobody_adds_edits_or_deletes_failure_rows(signed_in, role):
    failure = SyncFailureFactory()
    client = signed_in(role)
    assert client.get(reverse("admin:integrations_syncfailure_add")).status_code == 403
    assert client.get(reverse("admin:integrations_syncfailure_delete", args=[failure.pk])).status_code == 403
    page = client.get(change_url(failure))
    assert not page.context["has_change_permission"] and b'name="_save"' not in page.content


@pytest.mark.parametrize("role", ["manager", "bookkeeper"])
def test_retry_now_clears_the_backoff_and_queues_a_drain(signed_in, role, django_capture_on_commit_callbacks):
    failure = SyncFailureFactory(
        status=SyncFailure.Status.RETRYING,
        attempts=3,
        next_retry_at=timezone.now() + timezone.timedelta(hours=1),
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in(role).post(reverse("admin:integrations_syncfailure_retry", args=[failure.pk]))

    assert response.status_code == 302
    failure.refresh_from_db()
    assert failure.status == SyncFailure.Status.RETRYING and failure.next_retry_at <= timezone.now()
    assert failure.connection.__class__.objects.get(pk=failure.connection_id).wake_pending
    assert OrmQ.objects.count() == 1
    changes: dict = {}
    add_due_retries(failure.connection, changes)  # the next drain picks it up
    assert (failure.entity, failure.object_id) in changes


def test_retry_now_from_the_list_retries_only_the_selected(signed_in, django_capture_on_commit_callbacks):
    chosen, other = SyncFailureFactory.create_batch(2)

    with django_capture_on_commit_callbacks(execute=True):
        action(signed_in("bookkeeper"), "retry_now", chosen)

    chosen.refresh_from_db()
    other.refresh_from_db()
    assert chosen.status == SyncFailure.Status.RETRYING
    assert other.status == SyncFailure.Status.OPEN


def test_ignore_asks_first_then_stops_retries(signed_in):
    failure = SyncFailureFactory(status=SyncFailure.Status.RETRYING, next_retry_at=timezone.now())
    client = signed_in("bookkeeper")

    confirmation = action(client, "ignore_selected", failure)
    assert confirmation.status_code == 200 and b"Yes, ignore" in confirmation.content
    failure.refresh_from_db()
    assert failure.status == SyncFailure.Status.RETRYING

    action(client, "ignore_selected", failure, confirm=True)

    failure.refresh_from_db()
    assert failure.status == SyncFailure.Status.IGNORED and failure.resolved_by is not None
    changes: dict = {}
    add_due_retries(failure.connection, changes)
    assert changes == {}
    queue = client.get(CHANGELIST)
    assert queue.context["cl"].result_count == 0  # gone from the queue, still under "Ignored"
    assert client.get(CHANGELIST, {"status": "ignored"}).context["cl"].result_count == 1


def test_force_push_from_the_failure_page_marks_the_record_to_overwrite(
    signed_in, django_capture_on_commit_callbacks
):
    failure = SyncFailureFactory(cause="changed_in_quickbooks", status=SyncFailure.Status.OPEN)
    client = signed_in("manager")
    url = reverse("admin:integrations_syncfailure_force", args=[failure.pk])

    assert b"overwrites what QuickBooks holds" in client.get(url).content
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url)

    failure.refresh_from_db()
    assert failure.force_push and failure.status == SyncFailure.Status.RETRYING
    changes: dict[tuple[str, int], Change] = {}
    add_due_retries(failure.connection, changes)
    assert changes[(failure.entity, failure.object_id)].overwrite


def test_force_push_refuses_a_failure_from_reading_quickbooks(signed_in):
    failure = SyncFailureFactory(direction="pull")
    response = signed_in("bookkeeper").post(
        reverse("admin:integrations_syncfailure_force", args=[failure.pk]), follow=True
    )
    failure.refresh_from_db()
    assert not failure.force_push and failure.status == SyncFailure.Status.OPEN
    assert b"while reading from QuickBooks" in response.content


def test_bulk_retry_of_a_cause_retries_that_cause_only(signed_in, django_capture_on_commit_callbacks):
    connection = QBOConnectionFactory()
    SyncFailureFactory.create_batch(3, connection=connection, cause="inactive_reference")
    other = SyncFailureFactory(connection=connection, cause="duplicate_name")
    client = signed_in("bookkeeper")
    url = reverse("admin:integrations_syncfailure_cause_retry", args=["inactive_reference"])

    assert b"Yes, retry 3" in client.get(url).content
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)

    # A run the bookkeeper watches (tests/integrations/admin/test_bulk_runs.py follows one to the end).
    run = BulkRun.objects.get()
    assert response["Location"] == reverse("admin:integrations_bulkrun_change", args=[run.pk])
    assert (run.kind, run.total, run.params["cause"]) == ("retry", 3, "inactive_reference")
    assert OrmQ.objects.count() == 1  # one task walks the cause, not one per record
    other.refresh_from_db()
    assert other.status == SyncFailure.Status.OPEN


def test_the_cause_filter_and_the_fix_link(signed_in):
    customer = CustomerFactory(display_name="Bessie's Books")
    failure = SyncFailureFactory(object_id=customer.pk, record_label="Customer ‘Bessie's Books’")
    SyncFailureFactory(cause="invalid_characters")
    client = signed_in("bookkeeper")

    filtered = client.get(CHANGELIST, {"cause": "duplicate_name"})
    assert [f.pk for f in filtered.context["cl"].result_list] == [failure.pk]

    fix_url = reverse("admin:customers_customer_change", args=[customer.pk])
    page = client.get(change_url(failure))
    assert page.context["fix_url"] == fix_url
    assert fix_url.encode() in filtered.content
    assert escape(failure.message).encode() in filtered.content


def test_the_summary_and_the_bulk_retry_follow_the_company_filter(
    signed_in, django_capture_on_commit_callbacks
):
    mine, other = QBOConnectionFactory(), QBOConnectionFactory()
    SyncFailureFactory.create_batch(2, connection=mine, cause="duplicate_name")
    theirs = SyncFailureFactory(connection=other, cause="duplicate_name")
    client = signed_in("bookkeeper")

    page = client.get(CHANGELIST, {"connection__id__exact": mine.pk})
    [row] = page.context["cause_counts"]
    assert row.total == 2
    retry_all = reverse("admin:integrations_syncfailure_cause_retry", args=["duplicate_name"])
    assert f"{retry_all}?connection={mine.pk}".encode() in page.content

    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"{retry_all}?connection={mine.pk}")

    run = BulkRun.objects.get()
    assert (run.connection_id, run.total) == (mine.pk, 2)
    theirs.refresh_from_db()
    assert theirs.status == SyncFailure.Status.OPEN


def test_a_resolved_failure_offers_no_retry(signed_in):
    failure = SyncFailureFactory(status=SyncFailure.Status.RESOLVED)
    client = signed_in("bookkeeper")
    page = client.get(change_url(failure))
    assert reverse("admin:integrations_syncfailure_retry", args=[failure.pk]).encode() not in page.content

    response = client.post(reverse("admin:integrations_syncfailure_retry", args=[failure.pk]), follow=True)

    failure.refresh_from_db()
    assert failure.status == SyncFailure.Status.RESOLVED
    assert "Nothing to retry" in str(next(iter(response.context["messages"])))


def test_ignoring_a_long_selection_ignores_every_selected_failure(signed_in):
    chosen = SyncFailureFactory.create_batch(60)
    untouched = SyncFailureFactory()
    client = signed_in("bookkeeper")

    confirmation = action(client, "ignore_selected", *chosen)
    posted_back = confirmation.context["ids"]
    client.post(CHANGELIST, {"action": "ignore_selected", "_selected_action": posted_back, "post": "yes"})

    assert sorted(posted_back) == sorted(f.pk for f in chosen)
    assert SyncFailure.objects.filter(status=SyncFailure.Status.IGNORED).count() == 60
    untouched.refresh_from_db()
    assert untouched.status == SyncFailure.Status.OPEN
