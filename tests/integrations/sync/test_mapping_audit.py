"""Issue #6 settings that push and pull must honour, checked through the sandbox: name order,
income account per category, PO number destination, and a mapping's direction on the way in."""

from __future__ import annotations

from decimal import Decimal

import pytest

from customers.services import customer_create
from integrations.mapping.choices import Direction, Entity
from integrations.models import FieldMapping, QBOLink
from integrations.models.mapping import SyncSettings
from integrations.pull.cdc import pull
from integrations.sync.push import drain
from sales.models import PaymentMethod, Sale
from sales.services import LineInput, item_create, sale_create
from tests.factories.sales import TODAY
from tests.integrations.pull.helpers import bookkeeper
from tests.integrations.sync.helpers import linked, named, read_back

pytestmark = [pytest.mark.django_db, pytest.mark.sandbox]


def test_name_order_decides_the_display_name_quickbooks_receives(connection, qbo):
    FieldMapping.objects.filter(entity=Entity.CUSTOMER, qbo_path="DisplayName").update(
        transform="name_order", transform_args={"order": "last_first"}
    )
    ada = customer_create(display_name="Ada L.", given_name="Ada", family_name="Lovelace")

    drain(connection.pk)

    assert read_back(qbo, ada)["DisplayName"] == "Lovelace, Ada"


def test_income_account_by_category_reaches_the_quickbooks_item(connection, qbo):
    SyncSettings.objects.create(
        realm_id=connection.realm_id,
        income_account_source="category",
        category_income_accounts={"Services": "Services"},
    )
    pruning = item_create(name="Pruning", unit_price=Decimal("40.00"), category="Services")
    spade = item_create(name="Spade", unit_price=Decimal("25.00"), category="Tools")

    drain(connection.pk)

    assert read_back(qbo, pruning)["IncomeAccountRef"]["name"] == "Services"
    assert read_back(qbo, spade)["IncomeAccountRef"]["name"] == "Sales of Product Income"  # the default


@pytest.mark.parametrize(
    ("destination", "kind", "memo", "custom"),
    [
        ("private_note", Sale.Kind.CHARGE, "PO# PO-9 · Back door", None),
        ("custom_field", Sale.Kind.CASH, "Back door", "PO-9"),
        ("none", Sale.Kind.CHARGE, "Back door", None),
    ],
)
def test_the_po_number_goes_where_the_setting_says(connection, qbo, destination, kind, memo, custom):
    SyncSettings.objects.create(realm_id=connection.realm_id, po_destination=destination)
    customer = customer_create(display_name="Purchase Order Pam")
    sale = sale_create(
        kind=kind,
        customer=customer,
        date=TODAY,
        lines=[LineInput(item=item_create(name="Hedge shears", unit_price=Decimal("19.00")), quantity=1)],
        payment_method=PaymentMethod.CASH if kind == Sale.Kind.CASH else "",
        customer_po="PO-9",
        memo="Back door",
    )

    drain(connection.pk)

    doc = read_back(qbo, sale)
    assert doc["PrivateNote"] == memo
    assert [f["StringValue"] for f in doc.get("CustomField", [])] == ([custom] if custom else [])


def test_a_mapping_sent_only_to_quickbooks_ignores_quickbooks_edits_on_pull(connection, sandbox_company):
    FieldMapping.objects.filter(entity=Entity.CUSTOMER, local_field="email").update(
        direction=Direction.TO_QBO
    )
    customer = customer_create(display_name="One Way Olive", email="olive@old.example", phone="555-0101")
    drain(connection.pk)
    pull(connection.pk)
    qbo_id = QBOLink.objects.get(entity="customers.customer", object_id=customer.pk).qbo_id
    bookkeeper(
        sandbox_company,
        "Customer",
        "update",
        qbo_id,
        PrimaryEmailAddr={"Address": "olive@new.example"},
        PrimaryPhone={"FreeFormNumber": "555-0199"},
    )

    pull(connection.pk)

    customer.refresh_from_db()
    assert customer.email == "olive@old.example"  # to QuickBooks only: their edit is not taken
    assert customer.phone == "555-0199"  # both ways: it is


def test_a_mapping_switched_off_sends_nothing_and_takes_nothing(connection, qbo, sandbox_company):
    FieldMapping.objects.filter(entity=Entity.CUSTOMER, local_field="company_name").update(
        direction=Direction.OFF
    )
    customer = customer_create(display_name="Off Switch Otto", company_name="Otto GmbH")
    drain(connection.pk)
    pull(connection.pk)
    assert "CompanyName" not in named(qbo, "Customer", "Off Switch Otto")[0]
    bookkeeper(sandbox_company, "Customer", "update", linked(customer).qbo_id, CompanyName="Theirs Ltd")

    pull(connection.pk)

    customer.refresh_from_db()
    assert customer.company_name == "Otto GmbH"


def test_the_customer_type_is_shared_by_name_when_its_mapping_is_on(connection, qbo):
    from integrations.models import SyncFailure
    from tests.factories.customers import CustomerTypeFactory

    assert FieldMapping.objects.get(entity=Entity.CUSTOMER, qbo_path="CustomerTypeRef.name").direction == (
        Direction.OFF  # shipped off: QuickBooks' API cannot create the types
    )
    FieldMapping.objects.filter(qbo_path="CustomerTypeRef.name").update(direction=Direction.TO_QBO)
    wendy = customer_create(
        display_name="Wholesale Wendy", customer_type=CustomerTypeFactory(name="Wholesale")
    )
    gina = customer_create(display_name="Gold Gina", customer_type=CustomerTypeFactory(name="Gold"))

    drain(connection.pk)

    assert read_back(qbo, wendy)["CustomerTypeRef"]["value"] == "2"  # the sandbox's "Wholesale"
    failure = SyncFailure.objects.get(entity="customers.customer", object_id=gina.pk)
    assert "QuickBooks has no customer type named ‘Gold’" in failure.message
    assert "Customer types" in failure.message  # where to add it
