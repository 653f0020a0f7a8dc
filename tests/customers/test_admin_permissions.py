"""Who may do what with customers in the admin, per role (the groups' model permissions)."""

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client
from django.urls import reverse

from customers.models import Customer, CustomerType
from syncportal.access.roles import BOOKKEEPER, MANAGER, STAFF
from syncportal.outbox.models import OutboxEntry
from tests.customers.admin_forms import admin_form_data
from tests.factories.customers import CustomerFactory, CustomerTypeFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:customers_customer_changelist")
ADD = reverse("admin:customers_customer_add")
IMPORT = reverse("admin:customers_customer_import")
EXPORT = reverse("admin:customers_customer_export")


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("url", [CHANGELIST, ADD, IMPORT, EXPORT])
def test_anonymous_visitors_are_sent_to_the_login_page(client, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


@pytest.mark.parametrize("role", [STAFF, BOOKKEEPER, MANAGER])
def test_every_role_can_add_and_change_customers(role_users, role):
    client = _client(role_users[role])

    added = client.post(ADD, admin_form_data(client.get(ADD), display_name=f"Added by {role}"))
    customer = Customer.objects.get(display_name=f"Added by {role}")
    url = reverse("admin:customers_customer_change", args=[customer.pk])
    changed = client.post(url, admin_form_data(client.get(url), email="changed@example.com"))

    assert (added.status_code, changed.status_code) == (302, 302)
    assert Customer.objects.get(pk=customer.pk).email == "changed@example.com"


@pytest.mark.parametrize(("role", "may_delete"), [(STAFF, False), (BOOKKEEPER, False), (MANAGER, True)])
def test_only_managers_can_delete_a_customer(role_users, role, may_delete):
    customer = CustomerFactory()
    client = _client(role_users[role])
    url = reverse("admin:customers_customer_delete", args=[customer.pk])

    response = client.post(url, {"post": "yes"})

    assert response.status_code == (302 if may_delete else 403)
    assert Customer.objects.filter(pk=customer.pk).exists() is not may_delete
    change_page = client.get(reverse("admin:customers_customer_change", args=[customer.pk]))
    if not may_delete:
        assert "deletelink" not in change_page.content.decode()


@pytest.mark.parametrize("role", [STAFF, BOOKKEEPER, MANAGER])
def test_every_role_can_import_and_export(role_users, role):
    client = _client(role_users[role])

    assert client.get(IMPORT).status_code == 200
    assert client.get(EXPORT).status_code == 200


def test_someone_who_can_only_view_customers_can_export_but_not_import_or_act(db):
    viewer = User.objects.create_user(username="viewer", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_customer"))
    client = _client(viewer)
    CustomerFactory()

    assert client.get(EXPORT).status_code == 200
    assert client.get(IMPORT).status_code == 403
    assert client.get(ADD).status_code == 403
    changelist = client.get(CHANGELIST)
    assert "deactivate_selected" not in changelist.content.decode()


@pytest.mark.parametrize(("role", "may_add"), [(STAFF, False), (BOOKKEEPER, True), (MANAGER, True)])
def test_customer_types_are_managed_by_bookkeepers_and_managers(role_users, role, may_add):
    CustomerTypeFactory(name="Retail")
    client = _client(role_users[role])

    assert client.get(reverse("admin:customers_customertype_changelist")).status_code == 200
    response = client.post(reverse("admin:customers_customertype_add"), {"name": "Wholesale"})

    assert response.status_code == (302 if may_add else 403)
    assert CustomerType.objects.filter(name="Wholesale").exists() is may_add
    assert OutboxEntry.objects.filter(entity="customers.customertype").exists() is may_add
