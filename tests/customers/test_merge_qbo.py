"""A merge made inside QuickBooks (the sandbox merge hook) applied here: merged, no echo, not revived."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from customers.merging import customer_merge_from_qbo, customer_merge_undo
from customers.models import Customer, CustomerMerge
from customers.services import customer_create, customer_reactivate, customer_update
from integrations.models import QBOLink, QBOMergeJob
from integrations.selectors.merges import customer_is_merged_away, customer_merged_into
from integrations.sync.push import drain
from sales.models import Payment, Sale
from sales.services import AllocationInput
from syncportal.outbox.models import OutboxEntry
from syncportal.outbox.services import Origin
from tests.factories.sales import make_cash_sale, make_charge, make_payment

pytestmark = [pytest.mark.django_db, pytest.mark.sandbox]


def _qbo_id(customer) -> str:
    return QBOLink.objects.get(entity="customers.customer", object_id=customer.pk).qbo_id


@pytest.fixture
def merged_in_quickbooks(connection, qbo, sandbox_company):
    """Linked customers with history; a bookkeeper merges "Bob Smith" into "Robert Smith" in QuickBooks."""
    survivor = customer_create(display_name="Robert Smith", email="rob@example.com")
    duplicate = customer_create(display_name="Bob Smith", phone="555-010-3000")
    child = customer_create(display_name="Bob Smith - Shop", parent=duplicate)
    make_charge(customer=survivor, amount="40.00")
    charge = make_charge(customer=duplicate, amount="100.00")
    make_payment(customer=duplicate, amount="30.00", allocations=[AllocationInput(charge, Decimal("30.00"))])
    make_cash_sale(customer=duplicate)
    assert drain(connection.pk).failed == 0
    sandbox_company.hook(
        f"realms/{sandbox_company.realm}/merge",
        {"entity": "Customer", "from_id": _qbo_id(duplicate), "to_id": _qbo_id(survivor)},
    )
    return {"survivor": survivor, "duplicate": duplicate, "child": child}


def test_a_quickbooks_merge_merges_here_too_without_an_echo(connection, qbo, merged_in_quickbooks):
    survivor, duplicate, child = (merged_in_quickbooks[k] for k in ("survivor", "duplicate", "child"))
    outbox_before = OutboxEntry.objects.count()

    merge = customer_merge_from_qbo(survivor=survivor, merged=duplicate)

    duplicate.refresh_from_db()
    survivor.refresh_from_db()
    assert duplicate.merged_into_id == survivor.pk and duplicate.is_active is False
    assert not Sale.objects.filter(customer=duplicate).exists()
    assert not Payment.objects.filter(customer=duplicate).exists()
    assert Customer.objects.get(pk=child.pk).parent_id == survivor.pk
    # The survivor keeps its own details, as it does in QuickBooks; both sides agree on the balance.
    assert (survivor.email, survivor.phone) == ("rob@example.com", "")
    assert survivor.balance == Decimal(str(qbo.read("Customer", _qbo_id(survivor))["Balance"]))
    assert merge.origin == "qbo" and merge.sync_quickbooks is False
    assert OutboxEntry.objects.count() == outbox_before
    result = drain(connection.pk)
    assert result.pushed == 0 and not QBOMergeJob.objects.exists()


def test_a_merged_away_customer_is_never_resurrected_by_pull(connection, qbo, merged_in_quickbooks):
    survivor, duplicate = merged_in_quickbooks["survivor"], merged_in_quickbooks["duplicate"]
    customer_merge_from_qbo(survivor=survivor, merged=duplicate)
    duplicate_qbo = _qbo_id(duplicate)

    assert customer_is_merged_away(connection=connection, qbo_id=duplicate_qbo) is True
    assert customer_is_merged_away(connection=connection, qbo_id=_qbo_id(survivor)) is False
    assert customer_merged_into(connection=connection, qbo_id=duplicate_qbo) == survivor
    # What a pull would apply if QuickBooks later reported the old record active or renamed.
    customer_update(
        customer=duplicate, changes={"is_active": True, "notes": "from QuickBooks"}, origin=Origin.QBO
    )
    assert customer_reactivate(customer=duplicate, origin=Origin.QBO) == []
    duplicate.refresh_from_db()
    assert duplicate.is_active is False and duplicate.notes == "" and duplicate.merged_into_id == survivor.pk


def test_a_repeated_merge_webhook_changes_nothing_and_a_quickbooks_merge_cannot_be_undone_here(
    connection, merged_in_quickbooks
):
    survivor, duplicate = merged_in_quickbooks["survivor"], merged_in_quickbooks["duplicate"]
    first = customer_merge_from_qbo(survivor=survivor, merged=duplicate)
    duplicate.refresh_from_db()

    again = customer_merge_from_qbo(survivor=survivor, merged=duplicate)

    assert again.pk == first.pk and CustomerMerge.objects.count() == 1
    with pytest.raises(ValidationError, match="made in QuickBooks"):
        customer_merge_undo(merge=first)
    assert Customer.objects.get(pk=duplicate.pk).merged_into_id == survivor.pk


def test_a_merge_into_a_different_customer_than_here_is_refused_and_changes_nothing(
    connection, merged_in_quickbooks
):
    survivor, duplicate = merged_in_quickbooks["survivor"], merged_in_quickbooks["duplicate"]
    other = customer_create(display_name="Robbie Smith")
    customer_merge_from_qbo(survivor=other, merged=duplicate)
    duplicate.refresh_from_db()
    sales_before = Sale.objects.filter(customer=other).count()

    with pytest.raises(ValidationError, match="already merged"):
        customer_merge_from_qbo(survivor=survivor, merged=duplicate)

    assert Customer.objects.get(pk=duplicate.pk).merged_into_id == other.pk
    assert Sale.objects.filter(customer=other).count() == sales_before
