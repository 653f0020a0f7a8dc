"""Customers follow the configured mappings and scope; removal is deactivation in QuickBooks."""

from __future__ import annotations

import json

import pytest

from customers.models import MAX_DEPTH
from customers.services import customer_create, customer_deactivate, customer_delete, customer_update
from integrations.mapping.choices import Direction, Entity
from integrations.models.mapping import FieldMapping, SyncSettings
from integrations.sync.push import drain
from integrations.sync.refs import custom_field_definitions
from tests.factories.customers import CustomerTypeFactory
from tests.integrations.sync.helpers import linked, named, read_back

pytestmark = [pytest.mark.django_db, pytest.mark.sandbox]


def _sent_bodies(sandbox_company, entity: str = "Customer") -> list[dict]:
    """The customer bodies SyncPortal's batches carried (from the sandbox's request log)."""
    log = sandbox_company.hook(f"requests?realm={sandbox_company.realm}&limit=500", method="GET")
    bodies = []
    for entry in log["requests"]:
        if "batch" in entry.get("path", "") and entry.get("body"):
            for item in json.loads(entry["body"])["BatchItemRequest"]:
                if entity in item:
                    bodies.append(item[entity])
    return bodies


def test_a_chain_of_sub_customers_five_levels_deep_arrives_in_one_drain(connection, qbo):
    chain = [customer_create(display_name="Level 0 Holdings")]
    for level in range(1, MAX_DEPTH + 1):
        chain.append(customer_create(display_name=f"Level {level} Site", parent=chain[-1]))

    result = drain(connection.pk)

    assert (result.pushed, result.failed) == (len(chain), 0)
    deepest = read_back(qbo, chain[-1])
    assert deepest["Level"] == MAX_DEPTH
    assert deepest["FullyQualifiedName"].split(":") == [c.display_name for c in chain]
    assert deepest["ParentRef"]["value"] == linked(chain[-2]).qbo_id and deepest["Job"] is True


def test_deactivating_and_deleting_make_the_customer_inactive_in_quickbooks(connection, qbo):
    retired = customer_create(display_name="Retired Rita")
    removed = customer_create(display_name="Removed Ron")
    drain(connection.pk)
    removed_qbo_id = linked(removed).qbo_id
    customer_deactivate(customer=retired)
    customer_delete(customer=removed)

    result = drain(connection.pk)

    assert result.failed == 0
    assert qbo.read("Customer", linked(retired).qbo_id)["Active"] is False
    assert qbo.read("Customer", removed_qbo_id)["Active"] is False


def test_an_edit_sends_only_the_changed_mapped_fields(connection, qbo, sandbox_company):
    customer = customer_create(
        display_name="Lakeside Deli", email="old@lakeside.example", phone="555-010-7000"
    )
    drain(connection.pk)
    customer_update(customer=customer, changes={"email": "new@lakeside.example", "notes": ""})

    drain(connection.pk)

    update = _sent_bodies(sandbox_company)[-1]
    assert set(update) == {"Id", "SyncToken", "sparse", "PrimaryEmailAddr"}
    qbo_customer = read_back(qbo, customer)
    assert qbo_customer["PrimaryEmailAddr"]["Address"] == "new@lakeside.example"
    assert qbo_customer["PrimaryPhone"]["FreeFormNumber"] == "555-010-7000"


def test_a_mapping_set_to_pull_only_is_not_pushed(connection, qbo, sandbox_company):
    FieldMapping.objects.filter(entity=Entity.CUSTOMER, local_field="email").update(
        direction=Direction.FROM_QBO
    )
    customer_create(display_name="Quiet Quinn", email="quinn@example.com", company_name="Quinn Co")

    drain(connection.pk)

    [qbo_customer] = named(qbo, "Customer", "Quiet Quinn")
    assert "PrimaryEmailAddr" not in qbo_customer
    assert qbo_customer["CompanyName"] == "Quinn Co"
    assert "PrimaryEmailAddr" not in _sent_bodies(sandbox_company)[-1]


def test_scope_by_customer_type_decides_who_is_sent(connection, qbo):
    SyncSettings.objects.create(
        realm_id=connection.realm_id, customer_scope="by_type", customer_types=["Wholesale"]
    )
    customer_create(
        display_name="Wholesale Wendy",
        customer_type=CustomerTypeFactory(name="Wholesale"),
        sync_with_quickbooks=False,
    )
    customer_create(display_name="Retail Rick", customer_type=CustomerTypeFactory(name="Retail"))

    drain(connection.pk)

    assert named(qbo, "Customer", "Wholesale Wendy")
    assert named(qbo, "Customer", "Retail Rick") == []


def test_custom_field_definitions_are_read_from_the_company_preferences():
    preferences = {
        "SalesFormsPrefs": {
            "CustomField": [
                {"CustomField": [{"Name": "SalesFormsPrefs.UseSalesCustom2", "BooleanValue": True}]},
                {
                    "CustomField": [
                        {"Name": "SalesFormsPrefs.SalesCustomName2", "StringValue": "P.O. Number"},
                        {"Name": "SalesFormsPrefs.SalesCustomName3", "StringValue": "Crew #"},
                    ]
                },
            ]
        }
    }

    assert custom_field_definitions(preferences) == {"P.O. Number": "2", "Crew #": "3"}
