"""A customer created in QuickBooks that the store already has is linked by the match rules, not
duplicated (the reverse match of issue #6 point 2, on the CDC pull as on the initial import)."""

from __future__ import annotations

import pytest

from customers.models import Customer
from customers.services import customer_create
from integrations.models import QBOLink, SyncEvent
from integrations.pull.cdc import pull
from integrations.sync.push import drain
from tests.integrations.pull.helpers import bookkeeper
from tests.integrations.sync.helpers import named

pytestmark = [pytest.mark.django_db, pytest.mark.sandbox]


def _quiet_start(connection) -> None:
    drain(connection.pk)
    pull(connection.pk)  # sets the CDC cursor


def test_a_quickbooks_customer_matching_a_store_customer_is_linked_to_it(connection, qbo, sandbox_company):
    ada = customer_create(
        display_name="Ada Lovelace",
        email="ada@example.com",
        company_name="Analytical Engines",
        sync_with_quickbooks=False,  # never sent: QuickBooks does not know her yet
    )
    _quiet_start(connection)
    bookkeeper(
        sandbox_company,
        "Customer",
        "create",
        DisplayName="A. Lovelace",
        PrimaryEmailAddr={"Address": "ada@example.com"},
        PrimaryPhone={"FreeFormNumber": "(555) 010-0142"},
        CompanyName="Someone Else's Co",
    )

    pull(connection.pk)

    assert Customer.objects.count() == 1
    ada.refresh_from_db()
    [theirs] = named(qbo, "Customer", "A. Lovelace")
    assert QBOLink.objects.get(entity="customers.customer", object_id=ada.pk).qbo_id == theirs["Id"]
    assert ada.phone  # blank here: QuickBooks fills it
    assert (ada.display_name, ada.company_name) == ("Ada Lovelace", "Analytical Engines")  # ours stay
    event = SyncEvent.objects.get(direction="pull", object_id=ada.pk, operation="link")
    assert "Email address" in event.summary["reason"]


def test_an_ambiguous_match_creates_a_new_customer_instead_of_guessing(connection, sandbox_company):
    for name in ("Sam Smith", "Samantha Smith"):
        customer_create(display_name=name, email="smith@example.com", sync_with_quickbooks=False)
    _quiet_start(connection)
    bookkeeper(
        sandbox_company,
        "Customer",
        "create",
        DisplayName="S. Smith",
        PrimaryEmailAddr={"Address": "smith@example.com"},
    )

    pull(connection.pk)

    new = Customer.objects.get(display_name="S. Smith")
    assert QBOLink.objects.filter(entity="customers.customer", object_id=new.pk).exists()
    assert Customer.objects.count() == 3
