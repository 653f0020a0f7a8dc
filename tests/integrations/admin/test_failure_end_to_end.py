"""A failure fixed the way a bookkeeper fixes it, against the real sandbox over HTTP."""

from __future__ import annotations

import pytest
from django.urls import reverse

from customers.services import customer_create, customer_update
from integrations.mapping.choices import ConflictPolicy
from integrations.models import FieldMapping, QBOLink, SyncConflict, SyncFailure
from integrations.sync.push import drain
from tests.customers.admin_forms import admin_form_data

pytestmark = [pytest.mark.django_db, pytest.mark.sandbox]


def customers_named(qbo, name: str) -> list[dict]:
    escaped = name.replace("'", "\\'")
    return qbo.query(f"SELECT * FROM Customer WHERE DisplayName = '{escaped}'").get("Customer", [])


def test_a_bookkeeper_renames_a_refused_customer_and_the_failure_resolves(
    connection, qbo, sandbox_company, signed_in
):
    sandbox_company.hook(
        f"realms/{sandbox_company.realm}/bookkeeper",
        {"entity": "Vendor", "action": "create", "fields": {"DisplayName": "Bayside Bakery"}},
    )
    customer = customer_create(display_name="Bayside Bakery", email="orders@bayside.example")
    drain(connection.pk)
    failure = SyncFailure.objects.get(object_id=customer.pk)
    assert failure.status == SyncFailure.Status.OPEN and failure.cause == "duplicate_name"

    client = signed_in("bookkeeper")
    page = client.get(reverse("admin:integrations_syncfailure_change", args=[failure.pk]))
    fix_url = page.context["fix_url"]
    form = client.get(fix_url)
    saved = client.post(fix_url, admin_form_data(form, display_name="Bayside Bakery (retail)"))
    assert saved.status_code == 302, saved.context and saved.context["adminform"].form.errors

    result = drain(connection.pk)

    assert result.pushed == 1
    failure.refresh_from_db()
    assert failure.status == SyncFailure.Status.RESOLVED and failure.resolved_at
    [pushed] = customers_named(qbo, "Bayside Bakery (retail)")
    assert pushed["PrimaryEmailAddr"]["Address"] == "orders@bayside.example"
    queue = client.get(reverse("admin:integrations_syncfailure_changelist"))
    assert queue.context["cl"].result_count == 0


def test_force_push_overwrites_a_customer_changed_in_quickbooks_meanwhile(
    connection, qbo, sandbox_company, signed_in, django_capture_on_commit_callbacks
):
    FieldMapping.objects.filter(local_field="email").update(conflict_policy=ConflictPolicy.ASK)
    customer = customer_create(display_name="Lighthouse Books", email="first@lighthouse.example")
    drain(connection.pk)
    link = QBOLink.objects.get(object_id=customer.pk, entity="customers.customer")
    sandbox_company.hook(
        f"realms/{sandbox_company.realm}/bookkeeper",
        {"entity": "Customer", "action": "update", "id": link.qbo_id,
         "fields": {"PrimaryEmailAddr": {"Address": "qbo@lighthouse.example"}}},
    )  # fmt: skip
    customer_update(customer=customer, changes={"email": "ours@lighthouse.example"})
    drain(connection.pk)  # both changed the e-mail: held as a conflict, nothing overwritten
    failure = SyncFailure.objects.get(object_id=customer.pk)
    assert failure.cause == "conflict"
    assert SyncConflict.objects.get(object_id=customer.pk).status == SyncConflict.Status.OPEN

    with django_capture_on_commit_callbacks(execute=True):
        signed_in("bookkeeper").post(reverse("admin:integrations_syncfailure_force", args=[failure.pk]))
    result = drain(connection.pk)

    assert result.pushed == 1
    failure.refresh_from_db()
    assert failure.status == SyncFailure.Status.RESOLVED and not failure.force_push
    [pushed] = customers_named(qbo, "Lighthouse Books")
    assert pushed["PrimaryEmailAddr"]["Address"] == "ours@lighthouse.example"
    conflict = SyncConflict.objects.get(object_id=customer.pk)  # the person's decision settles it
    assert (conflict.status, conflict.resolution) == (SyncConflict.Status.RESOLVED, "kept_local")
