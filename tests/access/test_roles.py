"""What each role may do in the admin, enforced server-side, and the sign-in lockout.

Users are made here and put in the groups the roles data migration created; the records come from
the demo generator, so every kind of sales document exists without going through the forms.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client
from django.urls import reverse

from customers.models import Customer
from sales.models import Item, Payment, Refund, Sale, StoreCredit, TaxCode
from syncportal.access.roles import BOOKKEEPER, MANAGER, STAFF
from syncportal.demo.load import seed_demo_data
from tests.customers.admin_forms import admin_form_data

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery"


def url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def users(db) -> dict[str, User]:
    """One user per role, plus "nobody": admin access (is_staff) but no role."""
    made = {}
    for role in (STAFF, BOOKKEEPER, MANAGER, None):
        name = (role or "nobody").lower()
        made[name] = User.objects.create_user(username=f"pat-{name}", password=PASSWORD, is_staff=True)
        if role:
            made[name].groups.add(Group.objects.get(name=role))
    return made


@pytest.fixture
def demo(db) -> None:
    seed_demo_data(customers=150, seed=3, as_of=date(2026, 3, 31), progress=lambda line: None)


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def has_save_button(response) -> bool:
    return response.status_code == 200 and b'name="_save"' in response.content


def unused_customer() -> Customer:
    """A demo customer with no history and no sub-customers: deleting it is allowed at all."""
    return Customer.objects.filter(
        sales__isnull=True,
        payments__isnull=True,
        refunds__isnull=True,
        store_credits__isnull=True,
        children__isnull=True,
    ).first()


# --- no role ------------------------------------------------------------------------------------
@pytest.mark.parametrize("model", [Customer, Sale, Item])
def test_anonymous_visitors_are_sent_to_sign_in(client, model):
    response = client.get(url(model, "changelist"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


@pytest.mark.parametrize("model", [Customer, Sale, Payment, Item])
def test_a_user_without_a_role_is_refused(users, model):
    client = signed_in(users["nobody"])
    assert client.get(url(model, "changelist")).status_code == 403
    assert client.get(url(model, "add")).status_code == 403
    assert "have permission to view or edit anything" in client.get(reverse("admin:index")).text


# --- staff --------------------------------------------------------------------------------------
@pytest.mark.parametrize("model", [Customer, Sale, Payment, Refund, StoreCredit])
def test_staff_can_enter_customers_sales_payments_and_returns(users, model):
    client = signed_in(users["staff"])
    assert client.get(url(model, "changelist")).status_code == 200
    assert has_save_button(client.get(url(model, "add")))


def test_staff_can_change_a_customer_and_a_sale(users, demo):
    client = signed_in(users["staff"])
    customer = Customer.objects.filter(parent__isnull=True, is_active=True).first()
    page = client.get(url(Customer, "change", customer.pk))
    response = client.post(
        url(Customer, "change", customer.pk), admin_form_data(page, notes="Called about an order.")
    )
    assert response.status_code == 302
    assert Customer.objects.get(pk=customer.pk).notes == "Called about an order."
    sale = Sale.objects.filter(is_void=False).first()
    assert has_save_button(client.get(url(Sale, "change", sale.pk)))


def test_staff_cannot_delete_customers_or_sales(users, demo):
    client = signed_in(users["staff"])
    customer, sale = unused_customer(), Sale.objects.first()
    for model, obj in ((Customer, customer), (Sale, sale)):
        assert client.get(url(model, "delete", obj.pk)).status_code == 403
        assert client.post(url(model, "delete", obj.pk), {"post": "yes"}).status_code == 403
        assert model.objects.filter(pk=obj.pk).exists()


@pytest.mark.parametrize("model", [Item, TaxCode])
def test_staff_see_items_and_tax_codes_but_cannot_change_them(users, demo, model):
    client = signed_in(users["staff"])
    obj = model.objects.first()
    assert client.get(url(model, "changelist")).status_code == 200
    page = client.get(url(model, "change", obj.pk))
    assert page.status_code == 200 and not has_save_button(page)  # read-only view
    assert client.get(url(model, "add")).status_code == 403
    response = client.post(url(model, "change", obj.pk), {"name": "Renamed by staff"})
    assert response.status_code == 403
    assert model.objects.get(pk=obj.pk).name == obj.name


def test_staff_only_read_the_configuration_and_see_no_sync_internals(users):
    staff = Group.objects.get(name=STAFF)
    granted = set(staff.permissions.values_list("content_type__app_label", "codename"))
    integrations = {code for app, code in granted if app == "integrations"}
    assert integrations == {
        "view_fieldmapping", "view_matchrule", "view_syncsettings", "view_configchange"
    }  # fmt: skip
    assert not {code for app, code in granted if app == "outbox"}
    client = signed_in(users["staff"])
    assert client.get("/admin/integrations/syncfailure/").status_code in (403, 404)
    assert client.get("/admin/integrations/qboconnection/").status_code in (403, 404)


# --- bookkeeper ---------------------------------------------------------------------------------
def test_bookkeeper_can_change_an_item(users, demo):
    client = signed_in(users["bookkeeper"])
    item = Item.objects.get(sku="HW-1001")
    page = client.get(url(Item, "change", item.pk))
    assert has_save_button(page)
    response = client.post(url(Item, "change", item.pk), admin_form_data(page, unit_price="19.49"))
    assert response.status_code == 302
    assert Item.objects.get(pk=item.pk).unit_price == Decimal("19.49")


def test_bookkeeper_may_view_the_outbox_and_staff_may_not(users):
    assert users["bookkeeper"].has_perm("outbox.view_outboxentry")
    assert not users["bookkeeper"].has_perm("outbox.change_outboxentry")
    assert not users["staff"].has_perm("outbox.view_outboxentry")


def test_bookkeeper_cannot_delete_customers(users, demo):
    customer = unused_customer()
    response = signed_in(users["bookkeeper"]).post(url(Customer, "delete", customer.pk), {"post": "yes"})
    assert response.status_code == 403
    assert Customer.objects.filter(pk=customer.pk).exists()


# --- manager ------------------------------------------------------------------------------------
def test_manager_can_delete_a_customer(users, demo):
    customer = unused_customer()
    client = signed_in(users["manager"])
    assert client.get(url(Customer, "delete", customer.pk)).status_code == 200
    assert client.post(url(Customer, "delete", customer.pk), {"post": "yes"}).status_code == 302
    assert not Customer.objects.filter(pk=customer.pk).exists()


def test_nobody_deletes_an_item_not_even_a_manager(users, demo):
    # QuickBooks cannot delete items either: they are made inactive and stay on old sales.
    item = Item.objects.exclude(pk__in=Sale.objects.values("lines__item")).first()
    client = signed_in(users["manager"])
    assert client.post(url(Item, "delete", item.pk), {"post": "yes"}).status_code == 403
    assert Item.objects.filter(pk=item.pk).exists()
    page = client.get(url(Item, "change", item.pk))
    assert has_save_button(page)
    response = client.post(url(Item, "change", item.pk), admin_form_data(page, is_active=""))
    assert response.status_code == 302 and not Item.objects.get(pk=item.pk).is_active


# --- sign-in lockout (django-axes; AXES_FAILURE_LIMIT is 3 in test settings) ------------------
def sign_in(client: Client, username: str, password: str):
    return client.post(
        reverse("admin:login"), {"username": username, "password": password, "next": "/admin/"}
    )


def test_right_password_works_before_the_limit(client, users):
    for _ in range(2):
        assert sign_in(client, "pat-staff", "wrong").status_code == 200
    response = sign_in(client, "pat-staff", PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/admin/"


def test_after_three_failures_even_the_right_password_is_refused(client, users, settings):
    assert settings.AXES_FAILURE_LIMIT == 3
    for _ in range(3):
        sign_in(client, "pat-staff", "wrong")
    response = sign_in(client, "pat-staff", PASSWORD)
    assert response.status_code == 429
    text = " ".join(response.content.decode().split())
    assert (
        "Too many failed sign-in attempts. Wait 15 minutes or ask a manager to unlock your account." in text
    )
    assert client.get(reverse("admin:index")).status_code == 302  # still signed out
    # The lock is for that account: a colleague at the same computer can still sign in.
    assert sign_in(Client(), "pat-manager", PASSWORD).status_code == 302


def test_a_manager_unlocks_a_locked_out_colleague(client, users):
    for _ in range(3):
        sign_in(client, "pat-staff", "wrong")
    assert sign_in(client, "pat-staff", PASSWORD).status_code == 429
    manager = signed_in(users["manager"])
    attempts = manager.get("/admin/axes/accessattempt/")
    assert attempts.status_code == 200 and "pat-staff" in attempts.content.decode()
    from axes.models import AccessAttempt

    attempt = AccessAttempt.objects.get(username="pat-staff")
    assert manager.post(f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"}).status_code == 302
    assert sign_in(Client(), "pat-staff", PASSWORD).status_code == 302


@pytest.mark.parametrize("role", ["staff", "bookkeeper"])
def test_only_managers_can_unlock_accounts(users, role):
    assert signed_in(users[role]).get("/admin/axes/accessattempt/").status_code == 403
