"""Sync conflicts: the values side by side, who may resolve, and what each resolution does."""

from __future__ import annotations

import pytest
from django.urls import reverse

from customers.services import customer_create
from integrations.models import QBOLink, SyncConflict
from integrations.sync.push import drain
from syncportal.outbox.models import OutboxEntry
from tests.factories.customers import CustomerFactory
from tests.factories.sync import QBOLinkFactory, SyncConflictFactory

pytestmark = pytest.mark.django_db


def resolve(client, conflict, choice: str, **extra):
    return client.post(
        reverse("admin:integrations_syncconflict_resolve", args=[conflict.pk]),
        {"choice": choice, **extra},
        follow=True,
    )


def conflict_on(customer, **kwargs) -> SyncConflict:
    link = QBOLinkFactory(object_id=customer.pk, base={"email": "old@example.com"})
    return SyncConflictFactory(
        connection=link.connection, object_id=customer.pk, record_label=str(customer), **kwargs
    )


@pytest.mark.parametrize("role", ["manager", "bookkeeper"])
def test_the_page_shows_base_local_and_quickbooks_values_side_by_side(signed_in, role):
    conflict = conflict_on(CustomerFactory(email="local@example.com"))

    page = signed_in(role).get(reverse("admin:integrations_syncconflict_change", args=[conflict.pk]))

    assert page.status_code == 200
    assert page.context["values"] == [
        ("When they last agreed", "old@example.com"),
        ("SyncPortal", "local@example.com"),
        ("QuickBooks", "qbo@example.com"),
    ]
    assert b"Keep SyncPortal" in page.content and b"Keep QuickBooks" in page.content


def test_staff_cannot_see_or_resolve_conflicts(signed_in):
    conflict = conflict_on(CustomerFactory(email="local@example.com"))
    staff = signed_in("staff")

    assert staff.get(reverse("admin:integrations_syncconflict_changelist")).status_code == 403
    assert resolve(staff, conflict, "keep_qbo").status_code == 403
    conflict.refresh_from_db()
    assert conflict.status == SyncConflict.Status.OPEN


def test_without_the_resolve_permission_the_buttons_are_gone_and_the_post_is_refused(
    signed_in, django_user_model
):
    from django.contrib.auth.models import Permission
    from django.test import Client

    conflict = conflict_on(CustomerFactory(email="local@example.com"))
    viewer = django_user_model.objects.create_user("viewer", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_syncconflict"))
    client = Client()
    client.force_login(viewer)

    page = client.get(reverse("admin:integrations_syncconflict_change", args=[conflict.pk]))
    assert page.status_code == 200 and b"Keep SyncPortal" not in page.content
    assert resolve(client, conflict, "keep_local").status_code == 403


def test_keep_quickbooks_applies_the_value_here_without_an_echo(signed_in):
    customer = CustomerFactory(email="local@example.com")
    conflict = conflict_on(customer)
    outbox_before = OutboxEntry.objects.count()

    resolve(signed_in("bookkeeper"), conflict, "keep_qbo")

    customer.refresh_from_db()
    conflict.refresh_from_db()
    assert customer.email == "qbo@example.com"
    assert conflict.status == SyncConflict.Status.RESOLVED and conflict.resolution == "kept_qbo"
    assert OutboxEntry.objects.count() == outbox_before  # nothing to send back to QuickBooks
    assert QBOLink.objects.get(object_id=customer.pk).base["email"] == "qbo@example.com"


def test_an_invalid_typed_value_is_refused_in_plain_words_and_nothing_changes(signed_in):
    customer = CustomerFactory(email="local@example.com")
    conflict = conflict_on(customer)
    outbox_before = OutboxEntry.objects.count()

    page = resolve(signed_in("bookkeeper"), conflict, "edit", value="not an email")

    assert [str(m) for m in page.context["messages"]] == ["Enter a valid email address."]
    customer.refresh_from_db()
    conflict.refresh_from_db()
    assert customer.email == "local@example.com"
    assert conflict.status == SyncConflict.Status.OPEN
    assert OutboxEntry.objects.count() == outbox_before
    assert QBOLink.objects.get(object_id=customer.pk).base == {"email": "old@example.com"}


def test_a_resolved_conflict_cannot_be_resolved_twice(signed_in):
    customer = CustomerFactory(email="local@example.com")
    conflict = conflict_on(customer)
    client = signed_in("manager")
    resolve(client, conflict, "keep_qbo")

    page = resolve(client, conflict, "keep_local")

    assert b"already resolved" in page.content
    conflict.refresh_from_db()
    assert conflict.resolution == "kept_qbo"


@pytest.mark.sandbox
@pytest.mark.parametrize(
    ("choice", "typed", "expected"),
    [("keep_local", "", "ours@example.com"), ("edit", "agreed@example.com", "agreed@example.com")],
)
def test_keep_syncportal_and_edit_overwrite_quickbooks(
    connection, qbo, sandbox_company, signed_in, choice, typed, expected
):
    customer = customer_create(display_name="Gull Point Marina", email="ours@example.com")
    drain(connection.pk)
    link = QBOLink.objects.get(object_id=customer.pk, entity="customers.customer")
    sandbox_company.hook(
        f"realms/{sandbox_company.realm}/bookkeeper",
        {"entity": "Customer", "action": "update", "id": link.qbo_id,
         "fields": {"PrimaryEmailAddr": {"Address": "theirs@example.com"}}},
    )  # fmt: skip
    # What the pull engine records when it sees QuickBooks' edit against our unsent one.
    conflict = SyncConflictFactory(
        connection=connection, object_id=customer.pk, field="email",
        base_value="ours@example.com", local_value="ours@example.com", qbo_value="theirs@example.com",
    )  # fmt: skip

    resolve(signed_in("bookkeeper"), conflict, choice, value=typed)
    result = drain(connection.pk)

    assert (result.pushed, result.failed) == (1, 0)
    [in_qbo] = qbo.query(f"SELECT * FROM Customer WHERE Id = '{link.qbo_id}'")["Customer"]
    assert in_qbo["PrimaryEmailAddr"]["Address"] == expected
    customer.refresh_from_db()
    assert customer.email == expected
    conflict.refresh_from_db()
    assert conflict.status == SyncConflict.Status.RESOLVED
    assert QBOLink.objects.get(pk=link.pk).base["PrimaryEmailAddr"]["Address"] == expected  # agreed state
