"""Customer custom fields, shared with QuickBooks by name, come back when a bookkeeper edits them."""

from __future__ import annotations

import pytest

from customers.models import Customer
from customers.services import customer_create, customer_update
from integrations.mapping.choices import ConflictPolicy, Direction
from integrations.models import FieldMapping, QBOLink, SyncConflict
from integrations.pull.cdc import pull
from integrations.services.conflicts import conflict_keep_qbo
from integrations.sync.push import drain
from tests.integrations.pull.helpers import bookkeeper

pytestmark = [pytest.mark.django_db, pytest.mark.sandbox]


def _tier(value: str) -> list[dict]:
    return [{"DefinitionId": "1", "Name": "Tier", "Type": "StringType", "StringValue": value}]


@pytest.fixture
def shared(connection):
    FieldMapping.objects.filter(local_field="custom_fields[*]").update(direction=Direction.BOTH)
    customer = customer_create(
        display_name="Custom Cycles", custom_fields={"Tier": "Gold", "Region": "North"}
    )
    assert drain(connection.pk).failed == 0
    pull(connection.pk)
    return customer, QBOLink.objects.get(entity="customers.customer", object_id=customer.pk).qbo_id


def test_a_custom_field_changed_in_quickbooks_is_pulled_by_name(connection, sandbox_company, shared):
    customer, qbo_id = shared
    bookkeeper(sandbox_company, "Customer", "update", qbo_id, CustomField=_tier("Platinum"))

    pull(connection.pk)

    customer.refresh_from_db()
    assert customer.custom_fields == {"Tier": "Platinum", "Region": "North"}  # merged by name
    assert drain(connection.pk).pushed == 0  # QuickBooks' own value: nothing goes back


def test_a_custom_field_changed_on_both_sides_under_ask_is_a_conflict(connection, sandbox_company, shared):
    FieldMapping.objects.filter(local_field="custom_fields[*]").update(conflict_policy=ConflictPolicy.ASK)
    customer, qbo_id = shared
    customer_update(customer=customer, changes={"custom_fields": {"Tier": "Silver", "Region": "North"}})
    bookkeeper(sandbox_company, "Customer", "update", qbo_id, CustomField=_tier("Platinum"))

    pull(connection.pk)

    customer.refresh_from_db()
    assert customer.custom_fields["Tier"] == "Silver"
    conflict = SyncConflict.objects.get(object_id=customer.pk, field="custom_fields[Tier]")
    assert (conflict.local_value, conflict.qbo_value) == ("Silver", "Platinum")

    conflict_keep_qbo(conflict_id=conflict.pk)

    assert Customer.objects.get(pk=customer.pk).custom_fields == {"Tier": "Platinum", "Region": "North"}
