"""The README's tour: screenshots of the dashboard, a failure, a conflict and a merge (docs/tour/*.png).

Not part of the ordinary run (it rewrites files in the repository): ``make tour`` regenerates the
pictures with ``SYNCPORTAL_TOUR=1``. Everything on them is made the way a store makes it: customers
and sales pushed to the real sandbox, a refused email, an edit on both sides, two duplicates.
"""

import datetime as dt
import os
from pathlib import Path

import pytest
from django.utils import timezone

from customers.models import DuplicateCandidate
from customers.services import customer_create, customer_update
from integrations.mapping.choices import ConflictPolicy
from integrations.models import FieldMapping, QBOLink, SyncConflict, SyncEvent, SyncFailure
from integrations.services.reconciliation import reconciliation_run
from integrations.services.rollup import rollup_refresh
from integrations.sync.push import drain
from syncportal.access.roles import MANAGER
from tests.factories.sales import make_cash_sale, make_charge

TOUR = Path(__file__).resolve().parents[2] / "docs" / "tour"
MAX_BYTES = 200_000  # the README stays light to clone

pytestmark = [
    pytest.mark.browser,
    pytest.mark.sandbox,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not os.environ.get("SYNCPORTAL_TOUR"), reason="set SYNCPORTAL_TOUR=1 (make tour)"),
]

STORE = ["Bayside Bakery", "Cedar & Sons", "Harbor Grill", "Lighthouse Books", "Marina Deli",
         "Pier 9 Florist", "Quay Hardware", "Saltwater Surf", "Tidewater Café",
         "Wharf Street Pets"]  # fmt: skip


def picture(page, name: str) -> Path:
    path = TOUR / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    assert path.stat().st_size < MAX_BYTES, f"{path.name} is {path.stat().st_size:,} bytes"
    return path


def a_week_of_sync(connection) -> None:
    """The store's customers and sales, pushed for real; their events spread over the past week
    so the dashboard's charts show a week, as the demo data spreads its sales history."""
    for n, name in enumerate(STORE):
        customer = customer_create(display_name=name, email=f"orders{n}@{name.split()[0].lower()}.example")
        make_cash_sale(customer=customer)
        if n % 3 == 0:
            make_charge(customer=customer, amount=f"{40 + n * 7}.00")
    drain(connection.pk)
    now = timezone.now()
    for index, pk in enumerate(SyncEvent.objects.order_by("pk").values_list("pk", flat=True)):
        SyncEvent.objects.filter(pk=pk).update(created_at=now - dt.timedelta(hours=(index * 37) % 160 + 1))
    rollup_refresh()


def test_tour_screenshots(page, login_as, connection, sandbox_company):
    TOUR.mkdir(parents=True, exist_ok=True)
    a_week_of_sync(connection)
    # A failure: QuickBooks refuses a host-only email address.
    refused = customer_create(display_name="Anchor Outfitters", email="orders@localhost")
    # A conflict: the email changed in QuickBooks and here since the last sync, and the mapping asks.
    FieldMapping.objects.filter(local_field="email").update(conflict_policy=ConflictPolicy.ASK)
    both = customer_create(display_name="Driftwood Gallery", email="hello@driftwood.example")
    drain(connection.pk)
    link = QBOLink.objects.get(entity="customers.customer", object_id=both.pk)
    sandbox_company.hook(
        f"realms/{sandbox_company.realm}/bookkeeper",
        {"entity": "Customer", "action": "update", "id": link.qbo_id,
         "fields": {"PrimaryEmailAddr": {"Address": "accounts@driftwood.example"}}},
    )  # fmt: skip
    customer_update(customer=both, changes={"email": "sales@driftwood.example"})
    # Two duplicates waiting for the front desk.
    kept = customer_create(display_name="John Smith", email="john.smith@example.com", phone="555-201-3344")
    typo = customer_create(
        display_name="Jhon Smith", email="john.smith+store@example.com", phone="555-201-3344"
    )
    drain(connection.pk)
    reconciliation_run(connection=connection)  # the dashboard's accuracy figure
    a, b = sorted((kept, typo), key=lambda c: c.pk)
    candidate = DuplicateCandidate.objects.create(
        customer_a=a,
        customer_b=b,
        score=0.93,
        reasons=["same phone", "similar name"],
        found_at=timezone.now(),
    )
    rollup_refresh()

    login_as(MANAGER)
    # The admin's navigation sidebar folded (the « button remembers it), so the page gets the width.
    page.evaluate("localStorage.setItem('django.admin.navSidebarIsOpen', 'false')")
    page.goto("/admin/")
    assert page.is_visible("#duplicates-waiting")
    picture(page, "dashboard")

    failure = SyncFailure.objects.get(object_id=refused.pk)
    page.goto(f"/admin/integrations/syncfailure/{failure.pk}/change/")
    assert "Invalid Email Address Format" in page.inner_text(".field-message")
    picture(page, "failure")

    conflict = SyncConflict.objects.get(object_id=both.pk)
    page.goto(f"/admin/integrations/syncconflict/{conflict.pk}/change/")
    assert "accounts@driftwood.example" in page.content() and "sales@driftwood.example" in page.content()
    picture(page, "conflict")

    page.goto(f"/admin/customers/duplicatecandidate/{candidate.pk}/review/")
    page.wait_for_selector("#merge-table")
    picture(page, "merge")
