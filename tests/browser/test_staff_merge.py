"""Staff at the front desk merge two duplicate customers from the review queue, in a real browser."""

import pytest
from django.utils import timezone

from customers.models import Customer, DuplicateCandidate
from customers.services import customer_create
from integrations.sync.push import drain
from syncportal.access.roles import STAFF
from tests.factories.sales import make_charge

pytestmark = [pytest.mark.browser, pytest.mark.sandbox, pytest.mark.django_db(transaction=True)]


def test_staff_merges_two_duplicates_from_the_review_queue(page, login_as, shot, connection, sandbox_company):
    kept = customer_create(display_name="John Smith", email="john.smith@example.com")
    typo = customer_create(display_name="Jhon Smith", email="john.smith+store@example.com")
    make_charge(customer=typo, amount="25.00")
    drain(connection.pk)  # both are in QuickBooks before anyone notices the duplicate
    a, b = sorted((kept, typo), key=lambda c: c.pk)
    DuplicateCandidate.objects.create(
        customer_a=a, customer_b=b, score=0.93, reasons=["same email"], found_at=timezone.now()
    )

    login_as(STAFF)
    shot("dashboard")
    page.click("#duplicates-waiting a")
    page.wait_for_selector("#result_list")
    shot("review queue")
    page.click("#result_list tbody tr a")
    page.wait_for_selector("#merge-table")
    shot("side by side")
    keep = page.locator(f"input[name=keep][value='{'a' if a == kept else 'b'}']")
    if not keep.is_checked():
        with page.expect_navigation():  # each choice re-renders the preview
            keep.check()
    name = page.locator("#merge-table label", has_text="John Smith").locator("input")
    if not name.is_checked():
        with page.expect_navigation():
            name.check()
    shot("choices made")
    page.click("input[name=merge]")
    page.wait_for_selector(".messagelist")
    shot("merged")

    message = page.inner_text(".messagelist")
    assert "Merged 'Jhon Smith' into 'John Smith'" in message
    assert Customer.objects.get(pk=typo.pk).merged_into_id == kept.pk
    assert kept.sales.count() == 1

    # The customer page shows the moved charge in the survivor's history.
    page.goto(f"/admin/customers/customer/{kept.pk}/change/")
    assert "25.00" in page.inner_text("#customer-timeline")
    shot("survivor page")

    # What QuickBooks now holds, in the sandbox's own view, once the change is pushed.
    drain(connection.pk)
    page.goto(f"{sandbox_company.url}/realms/{sandbox_company.realm}/customers")
    shot("sandbox view")
    assert "John Smith" in page.content()
