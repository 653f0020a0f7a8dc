"""The duplicate review queue in the admin: scans, the side-by-side merge page, decisions, undo, roles."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client
from django.urls import reverse
from django_q.models import OrmQ, Schedule

from customers.models import Customer, CustomerMerge, DedupeRun, DuplicateCandidate
from customers.tasks import dedupe_scan, dedupe_scan_nightly
from sales.models import Sale
from syncportal.access.roles import BOOKKEEPER, MANAGER, STAFF
from tests.factories.customers import CustomerFactory
from tests.factories.sales import make_charge

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair(db):
    """John Smith typed twice at the register: a typo in the first name, the same email in other case."""
    first = CustomerFactory(
        display_name="John Smith",
        given_name="John",
        family_name="Smith",
        email="john.smith@example.com",
        phone="(503) 555-0101",
        bill_line1="12 North Main Street",
    )
    second = CustomerFactory(
        display_name="Jhon Smith",
        given_name="Jhon",
        family_name="Smith",
        email="John.Smith+store@Example.com",
        phone="",
        bill_line1="12 N Main St",
    )
    CustomerFactory(
        display_name="Mary Smith",
        given_name="Mary",
        family_name="Smith",
        email="mary@example.org",
        phone="(503) 555-0101",
        bill_line1="12 North Main Street",
    )  # his wife: not a duplicate
    return first, second


def _scan() -> DedupeRun:
    run = DedupeRun.objects.create()
    dedupe_scan(run.pk)
    run.refresh_from_db()
    return run


def _candidate(first, second) -> DuplicateCandidate:
    a, b = sorted((first, second), key=lambda c: c.pk)
    return DuplicateCandidate.objects.get(customer_a=a, customer_b=b)


def test_a_scan_queues_the_pair_with_its_reasons_and_not_the_family_member(pair):
    run = _scan()

    assert (run.status, run.customers, run.pairs_found, run.percent) == ("finished", 3, 1, 100)
    candidate = _candidate(*pair)
    assert candidate.status == "open" and candidate.score >= 0.9
    assert "same email (ignoring case, dots in Gmail addresses and +tags)" in candidate.reasons
    assert any(
        reason.startswith("names differ by one typo: 'John Smith' / 'Jhon Smith'")
        for reason in candidate.reasons
    )
    assert DuplicateCandidate.objects.count() == 1


def test_not_a_duplicate_is_remembered_by_later_scans(pair, staff_client):
    _scan()
    candidate = _candidate(*pair)
    url = reverse("admin:customers_duplicatecandidate_review", args=[candidate.pk])

    response = staff_client.post(url, {"not_duplicate": "1"})

    assert response.status_code == 302
    candidate.refresh_from_db()
    assert candidate.status == "not_duplicate" and candidate.decided_by.username == "staff"
    _scan()
    candidate.refresh_from_db()
    assert candidate.status == "not_duplicate"
    assert DuplicateCandidate.objects.count() == 1


def test_an_open_pair_a_later_scan_no_longer_finds_is_closed(pair):
    _scan()
    Customer.objects.filter(pk=pair[1].pk).update(
        display_name="Someone Else", given_name="Someone", family_name="Else", email="else@example.net"
    )
    _scan()
    assert _candidate(*pair).status == "superseded"


def test_scan_now_queues_one_task_and_the_progress_endpoint_reports_it(
    pair, staff_client, django_capture_on_commit_callbacks
):
    changelist = reverse("admin:customers_duplicatecandidate_changelist")
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(reverse("admin:customers_duplicatecandidate_scan"))
    assert response.status_code == 302
    run = DedupeRun.objects.get()
    assert (run.status, run.requested_by.username) == ("queued", "staff")
    assert OrmQ.objects.count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(reverse("admin:customers_duplicatecandidate_scan"))
    assert DedupeRun.objects.count() == 1 and OrmQ.objects.count() == 1  # one scan at a time

    progress = reverse("admin:customers_duplicatecandidate_progress", args=[run.pk])
    assert staff_client.get(progress).json()["active"] is True
    dedupe_scan(run.pk)
    data = staff_client.get(progress).json()
    assert (data["status"], data["percent"], data["pairs_found"], data["active"]) == (
        "finished",
        100,
        1,
        False,
    )
    page = staff_client.get(changelist + "?status__exact=open")
    assert b"Scan now" in page.content and b"Jhon Smith" in page.content and b"Merge" in page.content


def test_the_review_page_shows_both_records_side_by_side_with_a_preview(pair, staff_client):
    _scan()
    candidate = _candidate(*pair)
    url = reverse("admin:customers_duplicatecandidate_review", args=[candidate.pk])
    right = candidate.customer_b
    make_charge(customer=right, amount="20.00")

    page = staff_client.get(url)
    assert page.status_code == 200
    assert page.context["form"].fields["keep"].initial == "b"  # the record with history is kept
    rows = {row.key: row for row in page.context["rows"]}
    assert rows["display_name"].differs and rows["display_name"].result == right.display_name
    assert rows["phone"].result == "(503) 555-0101"  # the kept record has none: the other's fills it
    assert ("sales", 0) not in page.context["moves"]

    page = staff_client.post(url, {"keep": "b", "choice__display_name": "a", "preview": "1"})
    rows = {row.key: row for row in page.context["rows"]}
    assert rows["display_name"].result == "John Smith"
    assert not CustomerMerge.objects.exists()  # a preview writes nothing


@pytest.mark.parametrize("role", [STAFF, BOOKKEEPER, MANAGER])
def test_each_role_can_merge_from_the_review_page_and_undo_it(pair, role, role_users):
    client = Client()
    client.force_login(role_users[role])
    _scan()
    candidate = _candidate(*pair)
    left, right = candidate.customer_a, candidate.customer_b
    make_charge(customer=left, amount="40.00")
    make_charge(customer=right, amount="2.50")

    response = client.post(
        reverse("admin:customers_duplicatecandidate_review", args=[candidate.pk]),
        {"keep": "a", "choice__display_name": "a", "sync_quickbooks": "on", "merge": "1"},
    )

    merge = CustomerMerge.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "admin:customers_customermerge_change", args=[merge.pk]
    )
    left.refresh_from_db()
    assert left.balance == Decimal("42.50")
    assert Sale.objects.filter(customer=left).count() == 2
    assert Customer.objects.get(pk=right.pk).merged_into == left
    assert client.get(response.url).status_code == 200  # the read-only audit record

    undo = reverse("admin:customers_customermerge_undo", args=[merge.pk])
    assert client.get(undo).status_code == 200  # confirmation first
    client.post(undo)
    right.refresh_from_db()
    left.refresh_from_db()
    assert (right.is_active, right.merged_into, right.balance, left.balance) == (
        True,
        None,
        Decimal("2.50"),
        Decimal("40.00"),
    )


def test_without_the_merge_permission_merge_and_undo_are_forbidden(pair, role_users):
    clerk = User.objects.create_user("clerk", is_staff=True)
    clerk.user_permissions.add(
        *Permission.objects.filter(
            codename__in=["view_duplicatecandidate", "change_duplicatecandidate", "view_customermerge"]
        )
    )
    client = Client()
    client.force_login(clerk)
    _scan()
    candidate = _candidate(*pair)
    url = reverse("admin:customers_duplicatecandidate_review", args=[candidate.pk])

    page = client.get(url)
    assert page.status_code == 200 and b'name="merge"' not in page.content
    assert client.post(url, {"keep": "a", "merge": "1"}).status_code == 403
    assert not CustomerMerge.objects.exists()

    manager = Client()
    manager.force_login(role_users[MANAGER])
    manager.post(url, {"keep": "a", "merge": "1"})
    merge = CustomerMerge.objects.get()
    assert client.post(reverse("admin:customers_customermerge_undo", args=[merge.pk])).status_code == 403
    assert (
        client.get(reverse("admin:customers_customermerge_merge", args=[pair[0].pk, pair[1].pk])).status_code
        == 403
    )
    merge.refresh_from_db()
    assert merge.undone_at is None


def test_any_two_customers_can_be_merged_from_the_merge_page(pair, staff_client):
    url = reverse("admin:customers_customermerge_merge", args=[pair[0].pk, pair[1].pk])
    assert staff_client.get(url).status_code == 200
    staff_client.post(url, {"keep": "a", "merge": "1"})
    assert Customer.objects.get(pk=pair[1].pk).merged_into_id == pair[0].pk


def test_admin_lists_load_for_a_manager_and_audit_records_are_read_only(pair, manager_client, staff_client):
    _scan()
    queue = reverse("admin:customers_duplicatecandidate_changelist")
    assert manager_client.get(queue).url.endswith("?status__exact=open")  # opens on what needs a decision
    for name, query in (
        ("duplicatecandidate", "?status__exact=open"),
        ("customermerge", ""),
        ("deduperun", ""),
    ):
        response = manager_client.get(reverse(f"admin:customers_{name}_changelist") + query)
        assert response.status_code == 200, name
    staff_client.post(
        reverse("admin:customers_customermerge_merge", args=[pair[0].pk, pair[1].pk]),
        {"keep": "a", "merge": "1"},
    )
    merge = CustomerMerge.objects.get()
    page = manager_client.get(reverse("admin:customers_customermerge_change", args=[merge.pk]))
    assert (
        page.status_code == 200
        and b"Undo merge" in page.content
        and b'type="submit" value="Save"' not in page.content
    )
    assert (
        manager_client.post(reverse("admin:customers_customermerge_delete", args=[merge.pk])).status_code
        == 403
    )


def test_the_nightly_schedule_exists_and_queues_one_scan_at_a_time(django_capture_on_commit_callbacks):
    schedule = Schedule.objects.get(func="customers.tasks.dedupe_scan_nightly")
    assert schedule.schedule_type == Schedule.DAILY and schedule.repeats == -1
    with django_capture_on_commit_callbacks(execute=True):
        dedupe_scan_nightly()
        dedupe_scan_nightly()
    run = DedupeRun.objects.get()
    assert (run.trigger, run.status) == ("nightly", "queued")
    assert OrmQ.objects.count() == 1


def test_a_cancelled_scan_stops_and_leaves_the_queue_as_it_was(pair, manager_client):
    run = DedupeRun.objects.create()
    response = manager_client.post(
        reverse("admin:customers_deduperun_changelist"), {"action": "cancel", "_selected_action": [run.pk]}
    )
    assert response.status_code == 302
    dedupe_scan(run.pk)
    run.refresh_from_db()
    assert run.status == "cancelled" and not DuplicateCandidate.objects.exists()
