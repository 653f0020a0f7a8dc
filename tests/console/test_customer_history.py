"""The customer page: account timeline with running balance and the family tree, for each role."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from customers.services import customer_create
from sales.services import payment_void
from syncportal.access.roles import BOOKKEEPER, MANAGER, STAFF
from tests.factories.integrations import user_in_role
from tests.factories.sales import make_cash_sale, make_charge, make_payment

pytestmark = pytest.mark.django_db
D = dt.date(2026, 3, 2)


@pytest.fixture
def family(db):
    top = customer_create(display_name="Harbor Outfitters")
    job = customer_create(display_name="12 Pier Street", parent=top)
    customer_create(display_name="Dock B", parent=job)
    customer_create(display_name="Annex", parent=top)
    return top, job


@pytest.mark.parametrize("role", [STAFF, BOOKKEEPER, MANAGER])
def test_timeline_lists_documents_in_date_order_with_running_balance(client, family, role):
    top, _ = family
    charge = make_charge(customer=top, amount="100.00", date=D)
    make_payment(customer=top, amount="40.00", date=D + dt.timedelta(days=1))
    make_cash_sale(customer=top, date=D + dt.timedelta(days=2))
    voided = make_payment(customer=top, amount="5.00", date=D + dt.timedelta(days=3))
    payment_void(payment=voided)
    client.force_login(user_in_role(role))

    response = client.get(reverse("admin:customers_customer_change", args=[top.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    timeline = html[html.index('id="customer-timeline"') :]
    # Newest first: the void payment (no effect), the cash sale (no effect), the payment, the charge.
    order = [timeline.index(s) for s in ("Payment (void)", "Cash sale", ">+100.00<")]
    assert order == sorted(order)
    assert ">-40.00<" in timeline and ">60.00<" in timeline
    assert "Balance now: <strong>60.00</strong>" in html
    assert reverse("admin:sales_sale_change", args=[charge.pk]) in timeline


def test_family_tree_shows_the_whole_family_in_tree_order(client, family):
    _, job = family
    client.force_login(user_in_role(STAFF))

    html = client.get(reverse("admin:customers_customer_change", args=[job.pk])).content.decode()

    tree = html[html.index('id="customer-tree"') : html.index("Account history")]
    names = ["Harbor Outfitters", "12 Pier Street", "Dock B", "Annex"]
    positions = [tree.index(name) for name in names]
    assert positions == sorted(positions)
    assert "<strong>12 Pier Street</strong> (this customer)" in tree
    assert "No purchases, payments, refunds or store credit yet." in html


def test_a_customer_without_family_shows_no_tree(client):
    alone = customer_create(display_name="Solo Sam")
    client.force_login(user_in_role(STAFF))
    html = client.get(reverse("admin:customers_customer_change", args=[alone.pk])).content.decode()
    assert 'id="customer-tree"' not in html and 'id="customer-history"' in html
    assert Decimal("0") == alone.balance
