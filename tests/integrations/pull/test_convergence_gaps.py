"""Two gaps the convergence machine found, now closed: a payment entered only in QuickBooks arrives
here, and settling one conflicted field leaves QuickBooks' other fields (edited meanwhile) alone."""

from __future__ import annotations

from decimal import Decimal

import pytest

from customers.services import customer_create, customer_update
from integrations.mapping.choices import ConflictPolicy
from integrations.models import FieldMapping, QBOLink, SyncConflict
from integrations.pull.cdc import pull
from integrations.services.conflicts import conflict_keep_local
from integrations.sync.push import drain
from sales.models import Payment
from tests.integrations.pull.helpers import bookkeeper

pytestmark = [pytest.mark.django_db, pytest.mark.sandbox]


def test_a_payment_entered_only_in_quickbooks_arrives_here(connection, sandbox_company):
    customer = customer_create(display_name="Paid In QuickBooks")
    drain(connection.pk)
    qbo_customer = QBOLink.objects.get(entity="customers.customer", object_id=customer.pk).qbo_id
    bookkeeper(sandbox_company, "Payment", "create", CustomerRef={"value": qbo_customer}, TotalAmt=25)

    pull(connection.pk)

    assert list(Payment.objects.filter(customer=customer).values_list("amount", flat=True)) == [
        Decimal("25.00")
    ]


def test_keeping_our_value_of_one_field_leaves_quickbooks_other_fields_alone(
    connection, sandbox_company, qbo
):
    FieldMapping.objects.filter(entity="customer", local_field__in=["email", "notes"]).update(
        conflict_policy=ConflictPolicy.ASK
    )
    customer = customer_create(display_name="Disputed Dora", email="dora@here.example", notes="first")
    drain(connection.pk)
    qbo_id = QBOLink.objects.get(entity="customers.customer", object_id=customer.pk).qbo_id
    customer_update(customer=customer, changes={"email": "dora@ours.example"})
    bookkeeper(
        sandbox_company, "Customer", "update", qbo_id, PrimaryEmailAddr={"Address": "dora@theirs.example"}
    )
    pull(connection.pk)
    conflict = SyncConflict.objects.get(object_id=customer.pk, field="email", status=SyncConflict.Status.OPEN)

    conflict_keep_local(conflict_id=conflict.pk)
    bookkeeper(sandbox_company, "Customer", "update", qbo_id, Notes="bookkeeper's note")
    drain(connection.pk)

    doc = qbo.read("Customer", qbo_id)
    assert doc["PrimaryEmailAddr"]["Address"] == "dora@ours.example"
    assert doc.get("Notes") == "bookkeeper's note"
