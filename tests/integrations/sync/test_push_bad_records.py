"""Records QuickBooks would refuse (or keep wrong) become failures in plain words; the rest flows.

Who catches what (QBO spec §3.1, §5.3): QuickBooks itself refuses a ':' in a name (2040) and an item
that is inactive there (610), so those go out and its answer is explained. SyncPortal checks before
sending what QuickBooks would store wrong or refuse with a vague message: e-mail addresses (QuickBooks
only looks for an '@' and a '.') and values longer than the QuickBooks field a mapping sends them to.
The local services already refuse such input; these rows come from older imports, written directly.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from customers.models import Customer
from customers.services import customer_create, customer_update
from integrations.mapping.choices import Direction, Entity
from integrations.models import SyncFailure
from integrations.models.mapping import FieldMapping
from integrations.sync.push import drain
from sales.models import Sale
from sales.services import LineInput, item_create, sale_create
from tests.factories.sales import TODAY
from tests.integrations.sync.helpers import linked, named

pytestmark = [pytest.mark.django_db, pytest.mark.sandbox]


def _imported(display_name: str, **fields) -> Customer:
    """A customer as an old import left it: created properly, then changed behind the services."""
    customer = customer_create(display_name=f"Import {Customer.objects.count() + 1}")
    Customer.objects.filter(pk=customer.pk).update(display_name=display_name, **fields)
    return Customer.objects.get(pk=customer.pk)


def _failure(record) -> SyncFailure:
    entity = f"{record._meta.app_label}.{record._meta.model_name}"
    return SyncFailure.objects.get(entity=entity, object_id=record.pk)


def test_a_colon_in_a_name_is_refused_by_quickbooks_and_explained(connection, qbo):
    bad = _imported("Acme: Warehouse")
    customer_create(display_name="Good Neighbour Hardware")

    result = drain(connection.pk)

    assert (result.pushed, result.failed) == (1, 1)
    failure = _failure(bad)
    assert failure.cause == "invalid_characters" and failure.qbo_code == "2040"
    assert "Acme: Warehouse" in failure.message and "colon" in failure.message
    assert failure.status == SyncFailure.Status.OPEN  # a person must rename it
    assert named(qbo, "Customer", "Good Neighbour Hardware")


@pytest.mark.parametrize("address", ["jane doe@example.com", "jane@example"])
def test_an_invalid_email_is_caught_before_sending(connection, qbo, address):
    bad = _imported("Jane Doe Florist", email=address)
    customer_create(display_name="Fine Flowers Inc")

    result = drain(connection.pk)

    assert (result.pushed, result.failed) == (1, 1)
    failure = _failure(bad)
    assert failure.cause == "invalid_record" and failure.status == SyncFailure.Status.OPEN
    assert f"‘{address}’ is not a valid e-mail address" in failure.message
    assert named(qbo, "Customer", "Jane Doe Florist") == []

    customer_update(customer=bad, changes={"email": "jane@florist.example"})
    drain(connection.pk)

    assert named(qbo, "Customer", "Jane Doe Florist")[0]["PrimaryEmailAddr"]["Address"] == (
        "jane@florist.example"
    )
    assert _failure(bad).status == SyncFailure.Status.RESOLVED


def test_a_101_character_name_fits_display_name_but_not_a_100_character_field(connection, qbo):
    long_name = "Northwest Regional Association of Independent Garden Centres and Nursery Growers" + "x" * 21
    assert len(long_name) == 101
    fits = customer_create(display_name=long_name)  # DisplayName takes 500 characters

    drain(connection.pk)

    assert qbo.read("Customer", linked(fits).qbo_id)["DisplayName"] == long_name

    FieldMapping.objects.create(
        entity=Entity.CUSTOMER, local_field="display_name", qbo_path="CompanyName", direction=Direction.TO_QBO
    )
    too_long = customer_create(display_name=long_name[:-1] + "y")
    drain(connection.pk)

    failure = _failure(too_long)
    assert failure.cause == "invalid_record"
    assert "CompanyName is 101 characters long and QuickBooks allows at most 100" in failure.message


def test_a_sale_of_an_item_made_inactive_in_quickbooks_fails_and_says_so(connection, qbo, sandbox_company):
    customer = customer_create(display_name="Ridge Orchards")
    retired = item_create(name="Old fertiliser", unit_price=Decimal("9.00"))
    current = item_create(name="New fertiliser", unit_price=Decimal("11.00"))
    drain(connection.pk)
    sandbox_company.hook(
        f"realms/{sandbox_company.realm}/bookkeeper",
        {"entity": "Item", "action": "deactivate", "id": linked(retired).qbo_id},
    )
    bad = sale_create(
        kind=Sale.Kind.CHARGE, customer=customer, date=TODAY, lines=[LineInput(item=retired, quantity=1)]
    )
    good = sale_create(
        kind=Sale.Kind.CHARGE, customer=customer, date=TODAY, lines=[LineInput(item=current, quantity=1)]
    )

    result = drain(connection.pk)

    assert (result.pushed, result.failed) == (1, 1)
    failure = _failure(bad)
    assert failure.cause == "inactive_reference" and failure.qbo_code == "610"
    assert bad.number in failure.message and "inactive or deleted in QuickBooks" in failure.message
    assert qbo.read("Invoice", linked(good).qbo_id)["TotalAmt"] == 11


def test_a_sale_waiting_for_a_fixed_customer_goes_on_the_next_drain(connection, qbo):
    bad = _imported("Moss & Stone", email="moss at stone")
    sale = sale_create(
        kind=Sale.Kind.CHARGE,
        customer=bad,
        date=TODAY,
        lines=[LineInput(item=item_create(name="Gravel", unit_price=Decimal("5.00")), quantity=2)],
    )
    drain(connection.pk)
    assert _failure(sale).cause == "waiting_for_dependency"

    customer_update(customer=bad, changes={"email": "moss@stone.example"})
    drain(connection.pk)  # the customer goes; the sale is due again at once
    drain(connection.pk)

    assert qbo.read("Invoice", linked(sale).qbo_id)["CustomerRef"]["value"] == linked(bad).qbo_id
    assert _failure(sale).status == SyncFailure.Status.RESOLVED
