"""The match-rule settings a sale obeys, read back from the sandbox: address updates from new orders,
and "when nothing matches: post to the default customer"."""

from __future__ import annotations

from decimal import Decimal

import pytest

from customers.models import Customer
from customers.services import customer_create
from integrations.models.mapping import SyncSettings
from integrations.sync.push import drain
from sales.models import PaymentMethod, Sale
from sales.services import (
    LineInput,
    ReturnLineInput,
    item_create,
    payment_create,
    refund_create,
    sale_create,
    store_credit_apply,
    store_credit_create,
)
from tests.factories.sales import TODAY
from tests.integrations.sync.helpers import linked, named, read_back

pytestmark = [pytest.mark.django_db, pytest.mark.sandbox]

ORDER_ADDRESSES = {
    "bill_line1": "9 New Road",
    "bill_city": "Newtown",
    "bill_postal_code": "94110",
    "ship_line1": "2 Pier Street",
    "ship_city": "Harbor",
}
OLD_BILLING = {"Line1": "1 Old Street", "City": "Oldtown", "PostalCode": "10001"}
OLD_SHIPPING = {"Line1": "5 Old Dock", "City": "Oldport"}
NEW_BILLING = {"Line1": "9 New Road", "City": "Newtown", "PostalCode": "94110"}
NEW_SHIPPING = {"Line1": "2 Pier Street", "City": "Harbor"}


def _sale(kind: str, customer, **kwargs) -> Sale:
    item = item_create(name=f"Lantern {Sale.objects.count()}", unit_price=Decimal("30.00"))
    extra = {"payment_method": PaymentMethod.CASH} if kind == Sale.Kind.CASH else {}
    return sale_create(
        kind=kind, customer=customer, date=TODAY, lines=[LineInput(item=item, quantity=1)], **extra, **kwargs
    )


def _post_to_the_default_customer(connection, qbo) -> dict:
    """The company's first active customer becomes the default customer; returns it."""
    [house] = qbo.query("SELECT * FROM Customer WHERE Active = true MAXRESULTS 1")["Customer"]
    SyncSettings.objects.create(
        realm_id=connection.realm_id, unmatched_action="default_customer", default_customer_qbo_id=house["Id"]
    )
    return house


def _starts_syncing(connection, customer) -> None:
    from customers.services import customer_update

    customer_update(customer=customer, changes={"sync_with_quickbooks": True})  # on their own from now
    drain(connection.pk)


def _address(customer: Customer, prefix: str) -> dict:
    parts = {"line1": "Line1", "city": "City", "postal_code": "PostalCode"}
    return {
        qbo: getattr(customer, f"{prefix}_{part}")
        for part, qbo in parts.items()
        if getattr(customer, f"{prefix}_{part}")
    }


@pytest.mark.parametrize(
    ("rule", "billing", "shipping"),
    [
        ("none", OLD_BILLING, OLD_SHIPPING),
        ("billing", NEW_BILLING, OLD_SHIPPING),
        ("shipping", OLD_BILLING, NEW_SHIPPING),
        ("both", NEW_BILLING, NEW_SHIPPING),
    ],
)
def test_a_new_orders_addresses_update_the_customer_here_and_in_quickbooks(
    connection, qbo, rule, billing, shipping
):
    ada = customer_create(
        display_name="Ada Addresses",
        bill_line1="1 Old Street",
        bill_city="Oldtown",
        bill_postal_code="10001",
        ship_line1="5 Old Dock",
        ship_city="Oldport",
    )
    drain(connection.pk)
    SyncSettings.objects.create(realm_id=connection.realm_id, address_updates=rule)
    sale = _sale(Sale.Kind.CHARGE, ada, addresses=ORDER_ADDRESSES)

    result = drain(connection.pk)

    assert result.failed == 0
    ada.refresh_from_db()
    assert (_address(ada, "bill"), _address(ada, "ship")) == (billing, shipping)
    theirs = read_back(qbo, ada)
    assert {k: v for k, v in theirs["BillAddr"].items() if k in ("Line1", "City", "PostalCode")} == billing
    assert {k: v for k, v in theirs["ShipAddr"].items() if k in ("Line1", "City", "PostalCode")} == shipping
    invoice = read_back(qbo, sale)  # the order itself carries its own addresses whatever the rule
    assert invoice["BillAddr"]["Line1"] == "9 New Road" and invoice["ShipAddr"]["City"] == "Harbor"
    assert invoice["CustomerRef"]["value"] == linked(ada).qbo_id


def test_an_edited_or_re_sent_order_does_not_overwrite_a_later_address_change(connection, qbo):
    SyncSettings.objects.create(realm_id=connection.realm_id, address_updates="billing")
    bo = customer_create(display_name="Bo Billing", bill_line1="1 Old Street")
    sale = _sale(Sale.Kind.CHARGE, bo, addresses=ORDER_ADDRESSES)
    drain(connection.pk)
    from customers.services import customer_update
    from sales.services import sale_update

    customer_update(customer=bo, changes={"bill_line1": "77 Newest Lane", "bill_city": "Latest"})
    sale_update(sale=sale, memo="delivered")

    drain(connection.pk)

    bo.refresh_from_db()
    assert bo.bill_line1 == "77 Newest Lane"
    assert read_back(qbo, bo)["BillAddr"]["Line1"] == "77 Newest Lane"


def test_retrying_a_refused_order_does_not_undo_an_address_typed_since(connection, qbo, sandbox_company):
    SyncSettings.objects.create(realm_id=connection.realm_id, address_updates="billing")
    cy = customer_create(display_name="Cy Retry", bill_line1="1 Old Street")
    item = item_create(name="Retired lamp", unit_price=Decimal("30.00"))
    drain(connection.pk)
    sandbox_company.hook(
        f"realms/{sandbox_company.realm}/bookkeeper",
        {"entity": "Item", "action": "deactivate", "id": linked(item).qbo_id},
    )
    sale = sale_create(
        kind=Sale.Kind.CHARGE,
        customer=cy,
        date=TODAY,
        lines=[LineInput(item=item, quantity=1)],
        addresses=ORDER_ADDRESSES,
    )
    assert drain(connection.pk).failed == 1  # QuickBooks refuses the inactive item
    cy.refresh_from_db()
    assert cy.bill_line1 == "9 New Road"  # the order's address was taken on its first try
    from customers.services import customer_update
    from integrations.models import SyncFailure
    from integrations.services.failures import failures_retry

    customer_update(customer=cy, changes={"bill_line1": "42 Typed Later"})
    sandbox_company.hook(
        f"realms/{sandbox_company.realm}/bookkeeper",
        {"entity": "Item", "action": "reactivate", "id": linked(item).qbo_id},
    )
    failures_retry(failure_ids=[SyncFailure.objects.get(entity="sales.sale", object_id=sale.pk).pk])

    assert drain(connection.pk).failed == 0

    cy.refresh_from_db()
    assert cy.bill_line1 == "42 Typed Later"
    assert read_back(qbo, cy)["BillAddr"]["Line1"] == "42 Typed Later"
    assert read_back(qbo, sale)["BillAddr"]["Line1"] == "9 New Road"  # the order keeps its own


def test_sales_of_customers_quickbooks_does_not_have_go_to_the_default_customer(connection, qbo):
    [house] = qbo.query("SELECT * FROM Customer WHERE Active = true MAXRESULTS 1")["Customer"]
    house_billing = house.get("BillAddr")
    SyncSettings.objects.create(
        realm_id=connection.realm_id,
        unmatched_action="default_customer",
        default_customer_qbo_id=house["Id"],
        address_updates="both",
    )
    pete = customer_create(display_name="Private Pete", sync_with_quickbooks=False, bill_line1="3 Own Way")
    fran = customer_create(display_name="Flagged Fran")  # in the sync scope: created as usual
    cash = _sale(Sale.Kind.CASH, pete, addresses=ORDER_ADDRESSES)
    charge = _sale(Sale.Kind.CHARGE, pete)
    frans = _sale(Sale.Kind.CHARGE, fran)
    payment = payment_create(
        customer=pete,
        amount=Decimal("30.00"),
        date=TODAY,
        method="cash",
        allocations=[(charge, Decimal("30.00"))],
    )

    result = drain(connection.pk)

    assert result.failed == 0
    assert read_back(qbo, cash)["CustomerRef"]["value"] == house["Id"]
    invoice = read_back(qbo, charge)
    assert invoice["CustomerRef"]["value"] == house["Id"] and invoice["Balance"] == 0
    assert read_back(qbo, payment)["CustomerRef"]["value"] == house["Id"]
    assert named(qbo, "Customer", "Private Pete") == []
    assert read_back(qbo, frans)["CustomerRef"]["value"] == linked(fran).qbo_id
    # An order posted to the default customer updates no one's address.
    assert qbo.read("Customer", house["Id"]).get("BillAddr") == house_billing
    pete.refresh_from_db()
    assert pete.bill_line1 == "3 Own Way"


def test_with_create_new_an_account_charge_still_sends_its_customer(connection, qbo):
    SyncSettings.objects.create(realm_id=connection.realm_id, unmatched_action="create")
    carla = customer_create(display_name="Charge Carla", sync_with_quickbooks=False)
    charge = _sale(Sale.Kind.CHARGE, carla)

    drain(connection.pk)

    assert read_back(qbo, charge)["CustomerRef"]["value"] == linked(carla).qbo_id


def test_before_posting_to_the_default_customer_the_match_rules_look_in_quickbooks(
    connection, qbo, sandbox_company
):
    from tests.integrations.pull.helpers import bookkeeper

    house = _post_to_the_default_customer(connection, qbo)
    bookkeeper(
        sandbox_company,
        "Customer",
        "create",
        DisplayName="Peter Known",
        PrimaryEmailAddr={"Address": "peter@known.example"},
    )
    [theirs] = named(qbo, "Customer", "Peter Known")
    known = customer_create(
        display_name="Pete Known", email="peter@known.example", sync_with_quickbooks=False
    )
    stranger = customer_create(display_name="Total Stranger", sync_with_quickbooks=False)
    known_sale = _sale(Sale.Kind.CASH, known)
    stranger_sale = _sale(Sale.Kind.CASH, stranger)

    result = drain(connection.pk)

    assert result.failed == 0
    assert read_back(qbo, known_sale)["CustomerRef"]["value"] == theirs["Id"]  # the email rule found him
    assert linked(known).qbo_id == theirs["Id"]
    assert read_back(qbo, stranger_sale)["CustomerRef"]["value"] == house["Id"]
    # Nobody new in QuickBooks: linked, he is kept in step like any linked customer (as a 6240 link is).
    assert [c["Id"] for c in named(qbo, "Customer", "peter@known.example", "PrimaryEmailAddr")] == [
        theirs["Id"]
    ]
    assert named(qbo, "Customer", "Total Stranger") == []


def test_a_payment_follows_its_charge_to_the_default_customer_after_the_customer_joins(connection, qbo):
    house = _post_to_the_default_customer(connection, qbo)
    late = customer_create(display_name="Late Larry", sync_with_quickbooks=False)
    charge = _sale(Sale.Kind.CHARGE, late)
    drain(connection.pk)
    _starts_syncing(connection, late)
    payment = payment_create(
        customer=late,
        amount=Decimal("30.00"),
        date=TODAY,
        method="cash",
        allocations=[(charge, Decimal("30.00"))],
    )

    result = drain(connection.pk)

    assert result.failed == 0
    assert linked(late).qbo_id != house["Id"]
    assert read_back(qbo, payment)["CustomerRef"]["value"] == house["Id"]  # where the charge is
    assert read_back(qbo, charge)["Balance"] == 0


def test_returns_follow_their_sale_to_the_default_customer_after_the_customer_joins(connection, qbo):
    house = _post_to_the_default_customer(connection, qbo)
    rita = customer_create(display_name="Returning Rita", sync_with_quickbooks=False)
    cash = _sale(Sale.Kind.CASH, rita)
    charge = _sale(Sale.Kind.CHARGE, rita)
    drain(connection.pk)
    _starts_syncing(connection, rita)
    [cash_line] = cash.lines.all()
    [charge_line] = charge.lines.all()
    refund = refund_create(
        date=TODAY,
        method=PaymentMethod.CASH,
        customer=rita,
        original_sale=cash,
        lines=[ReturnLineInput(item=cash_line.item, quantity=Decimal("1"))],
    )
    credit = store_credit_create(
        customer=rita,
        date=TODAY,
        original_sale=charge,
        lines=[ReturnLineInput(item=charge_line.item, quantity=Decimal("1"))],
    )
    store_credit_apply(store_credit=credit, sale=charge, amount=Decimal("30.00"))
    later = _sale(Sale.Kind.CASH, rita)  # a new sale is hers

    result = drain(connection.pk)

    assert result.failed == 0
    assert linked(rita).qbo_id != house["Id"]
    assert read_back(qbo, refund)["CustomerRef"]["value"] == house["Id"]  # where the sale it returns is
    assert read_back(qbo, credit)["CustomerRef"]["value"] == house["Id"]
    assert read_back(qbo, charge)["Balance"] == 0  # the credit paid the charge it returned
    assert read_back(qbo, later)["CustomerRef"]["value"] == linked(rita).qbo_id
