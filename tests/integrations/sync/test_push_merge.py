"""Pushing a customer merge (and its undo) to a real sandbox company over HTTP."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from customers.merging import customer_merge, customer_merge_undo
from customers.services import customer_create
from integrations.models import QBOLink, QBOMergeJob, SyncFailure
from integrations.sync.push import drain
from sales.services import AllocationInput, ReturnLineInput, sale_void, store_credit_create
from syncportal.outbox.models import OutboxEntry
from tests.factories.sales import TODAY, ItemFactory, make_cash_sale, make_charge, make_payment

pytestmark = [pytest.mark.django_db, pytest.mark.sandbox]

TYPES = ("Invoice", "SalesReceipt", "Payment", "CreditMemo")


def _qbo_id(customer) -> str:
    return QBOLink.objects.get(entity="customers.customer", object_id=customer.pk).qbo_id


def _transactions_of(qbo, qbo_id: str) -> dict[str, list[str]]:
    found = {}
    for qbo_type in TYPES:
        rows = qbo.query(f"SELECT * FROM {qbo_type} WHERE CustomerRef = '{qbo_id}'").get(qbo_type, [])
        found[qbo_type] = sorted(row["Id"] for row in rows)
    return found


def _customers_named(qbo, name: str) -> list[dict]:
    escaped = name.replace("'", "\\'")
    sql = f"SELECT * FROM Customer WHERE DisplayName = '{escaped}' AND Active IN (true, false)"
    return qbo.query(sql).get("Customer", [])


@pytest.fixture
def pair(connection, qbo):
    """Two linked customers in QuickBooks; the duplicate has an invoice with a payment applied, a cash
    sale, a credit memo and a sub-customer."""
    survivor = customer_create(display_name="Jane A. Doe", email="jane@example.com")
    duplicate = customer_create(display_name="Jane Doe", phone="555-010-2000")
    child = customer_create(display_name="Jane Doe - Garage", parent=duplicate, bill_with_parent=True)
    make_charge(customer=survivor, amount="40.00")
    charge = make_charge(customer=duplicate, amount="100.00")
    make_payment(customer=duplicate, amount="30.00", allocations=[AllocationInput(charge, Decimal("30.00"))])
    make_cash_sale(customer=duplicate)
    store_credit_create(
        customer=duplicate,
        date=TODAY,
        lines=[
            ReturnLineInput(item=ItemFactory(taxable=False), quantity=Decimal("1"), unit_price=Decimal("10"))
        ],
    )
    first = drain(connection.pk)
    assert first.failed == 0, list(SyncFailure.objects.values_list("message", flat=True))
    before = _transactions_of(qbo, _qbo_id(duplicate))
    assert all(before[t] for t in TYPES)
    return {"survivor": survivor, "duplicate": duplicate, "child": child, "moving": before}


def test_a_merge_re_points_everything_in_quickbooks_and_deactivates_the_duplicate(connection, qbo, pair):
    survivor, duplicate, child = pair["survivor"], pair["duplicate"], pair["child"]
    survivor_qbo, duplicate_qbo = _qbo_id(survivor), _qbo_id(duplicate)
    survivor_had = _transactions_of(qbo, survivor_qbo)

    customer_merge(survivor=survivor, duplicate=duplicate, field_choices={"phone": "duplicate"})
    result = drain(connection.pk)

    assert result.failed == 0, list(SyncFailure.objects.values_list("message", flat=True))
    after = _transactions_of(qbo, survivor_qbo)
    for qbo_type in TYPES:
        assert after[qbo_type] == sorted(survivor_had[qbo_type] + pair["moving"][qbo_type])
    assert _transactions_of(qbo, duplicate_qbo) == {t: [] for t in TYPES}
    qbo_child = qbo.read("Customer", _qbo_id(child))
    assert qbo_child["ParentRef"]["value"] == survivor_qbo
    assert qbo_child["FullyQualifiedName"] == "Jane A. Doe:Jane Doe - Garage"
    qbo_survivor = qbo.read("Customer", survivor_qbo)
    assert qbo_survivor["PrimaryPhone"]["FreeFormNumber"] == "555-010-2000"  # the merged value
    assert qbo_survivor["PrimaryEmailAddr"]["Address"] == "jane@example.com"
    assert qbo.read("Customer", duplicate_qbo)["Active"] is False
    # Nothing was created: one customer per name, the moved sales keep their links.
    assert len(_customers_named(qbo, "Jane A. Doe")) == 1
    assert QBOMergeJob.objects.get().status == QBOMergeJob.Status.DONE
    assert not SyncFailure.objects.exclude(status=SyncFailure.Status.RESOLVED).exists()


def test_a_merge_where_the_survivor_takes_the_duplicates_name_renames_the_duplicate_first(
    connection, qbo, pair
):
    survivor, duplicate = pair["survivor"], pair["duplicate"]

    customer_merge(survivor=survivor, duplicate=duplicate, field_choices={"display_name": "duplicate"})
    result = drain(connection.pk)

    assert result.failed == 0, list(SyncFailure.objects.values_list("message", flat=True))
    assert qbo.read("Customer", _qbo_id(survivor))["DisplayName"] == "Jane Doe"
    gone = qbo.read("Customer", _qbo_id(duplicate))
    assert gone["Active"] is False and gone["DisplayName"].startswith("Jane Doe (merged into #")


def test_a_refused_step_is_a_plain_failure_later_steps_wait_and_a_retry_finishes(
    connection, qbo, pair, sandbox_company
):
    survivor, duplicate = pair["survivor"], pair["duplicate"]
    duplicate_qbo = _qbo_id(duplicate)
    sandbox_company.hook(
        "faults",
        {
            "kind": "fault",
            "match": {"entity": "Payment", "operation": "update", "realm": sandbox_company.realm},
            "code": "6000",
            "message": "A business validation error has occurred",
            "detail": "The payment is locked by a closed period",
            "times": 1,
        },
    )
    customer_merge(survivor=survivor, duplicate=duplicate)

    first = drain(connection.pk)

    failure = SyncFailure.objects.get(entity="customers.customermerge")
    assert first.failed == 1 and failure.status == SyncFailure.Status.OPEN
    assert failure.message.startswith(
        "Merging ‘Jane Doe’ into ‘Jane A. Doe’: QuickBooks refused to move payment"
    )
    assert "closed period" in failure.message and "wait" in failure.message
    # Invoices and the rest moved; the payment and every later step did not happen.
    left = _transactions_of(qbo, duplicate_qbo)
    assert left["Payment"] == pair["moving"]["Payment"] and left["Invoice"] == []
    assert qbo.read("Customer", duplicate_qbo)["Active"] is True
    assert qbo.read("Customer", _qbo_id(pair["child"]))["ParentRef"]["value"] == duplicate_qbo
    assert drain(connection.pk).pushed == 0  # waits for a person while the failure is open

    SyncFailure.objects.filter(pk=failure.pk).update(
        status=SyncFailure.Status.RETRYING, next_retry_at=timezone.now()
    )
    drain(connection.pk)

    failure.refresh_from_db()
    assert failure.status == SyncFailure.Status.RESOLVED
    assert _transactions_of(qbo, duplicate_qbo) == {t: [] for t in TYPES}
    assert qbo.read("Customer", duplicate_qbo)["Active"] is False
    assert qbo.read("Customer", _qbo_id(pair["child"]))["ParentRef"]["value"] == _qbo_id(survivor)


def test_undo_reactivates_the_duplicate_and_moves_back_what_moved_back(connection, qbo, pair):
    survivor, duplicate = pair["survivor"], pair["duplicate"]
    survivor_qbo, duplicate_qbo = _qbo_id(survivor), _qbo_id(duplicate)
    survivor_had = _transactions_of(qbo, survivor_qbo)
    merge = customer_merge(
        survivor=survivor, duplicate=duplicate, field_choices={"display_name": "duplicate"}
    )
    drain(connection.pk)

    customer_merge_undo(merge=merge)
    result = drain(connection.pk)

    assert result.failed == 0, list(SyncFailure.objects.values_list("message", flat=True))
    assert _transactions_of(qbo, duplicate_qbo) == pair["moving"]
    assert _transactions_of(qbo, survivor_qbo) == survivor_had
    restored = qbo.read("Customer", duplicate_qbo)
    assert restored["Active"] is True and restored["DisplayName"] == "Jane Doe"
    assert qbo.read("Customer", survivor_qbo)["DisplayName"] == "Jane A. Doe"
    assert qbo.read("Customer", _qbo_id(pair["child"]))["ParentRef"]["value"] == duplicate_qbo
    assert list(QBOMergeJob.objects.values_list("action", "status")) == [("merge", "done"), ("undo", "done")]


def test_a_merge_undone_before_it_reached_quickbooks_leaves_quickbooks_as_it_was(connection, qbo, pair):
    survivor, duplicate = pair["survivor"], pair["duplicate"]
    duplicate_qbo = _qbo_id(duplicate)
    merge = customer_merge(survivor=survivor, duplicate=duplicate)
    customer_merge_undo(merge=merge)

    result = drain(connection.pk)

    assert result.failed == 0, list(SyncFailure.objects.values_list("message", flat=True))
    assert _transactions_of(qbo, duplicate_qbo) == pair["moving"]
    assert qbo.read("Customer", duplicate_qbo)["Active"] is True
    assert dict(QBOMergeJob.objects.values_list("action", "status")) == {
        "merge": "superseded",
        "undo": "done",
    }


def test_an_answer_lost_mid_merge_is_re_run_without_moving_anything_twice(
    connection, qbo, pair, sandbox_company
):
    survivor, duplicate = pair["survivor"], pair["duplicate"]
    [invoice_id] = pair["moving"]["Invoice"]
    token_before = int(qbo.read("Invoice", invoice_id)["SyncToken"])
    sandbox_company.hook(
        "faults",
        {
            "kind": "lost_response",
            "match": {"entity": "Invoice", "operation": "update", "realm": sandbox_company.realm},
            "times": 1,
        },
    )
    customer_merge(survivor=survivor, duplicate=duplicate)

    drain(connection.pk)  # QuickBooks moved the invoice, but the answer never came back

    failure = SyncFailure.objects.get(entity="customers.customermerge")
    assert failure.status == SyncFailure.Status.RETRYING  # retried automatically
    SyncFailure.objects.filter(pk=failure.pk).update(next_retry_at=timezone.now())
    drain(connection.pk)

    assert _transactions_of(qbo, _qbo_id(duplicate)) == {t: [] for t in TYPES}
    assert int(qbo.read("Invoice", invoice_id)["SyncToken"]) == token_before + 1  # moved once
    assert qbo.read("Customer", _qbo_id(duplicate))["Active"] is False
    assert SyncFailure.objects.get(pk=failure.pk).status == SyncFailure.Status.RESOLVED


def test_a_survivor_never_sent_is_added_first_and_receives_the_duplicates_records(connection, qbo):
    survivor = customer_create(display_name="Walk-in Wanda", sync_with_quickbooks=False)
    duplicate = customer_create(display_name="Wanda Walker")
    make_charge(customer=duplicate, amount="60.00")
    drain(connection.pk)
    assert not QBOLink.objects.filter(entity="customers.customer", object_id=survivor.pk).exists()
    moving = _transactions_of(qbo, _qbo_id(duplicate))

    customer_merge(survivor=survivor, duplicate=duplicate)
    result = drain(connection.pk)

    assert result.failed == 0, list(SyncFailure.objects.values_list("message", flat=True))
    assert len(_customers_named(qbo, "Walk-in Wanda")) == 1
    assert _transactions_of(qbo, _qbo_id(survivor))["Invoice"] == moving["Invoice"]
    assert qbo.read("Customer", _qbo_id(duplicate))["Active"] is False


def test_records_only_quickbooks_has_move_with_the_merge_and_back_with_the_undo(
    connection, qbo, pair, sandbox_company
):
    survivor, duplicate = pair["survivor"], pair["duplicate"]
    item_qbo = QBOLink.objects.filter(entity="sales.item").values_list("qbo_id", flat=True).first()
    made = sandbox_company.hook(
        f"realms/{sandbox_company.realm}/bookkeeper",
        {
            "entity": "Invoice",
            "action": "create",
            "fields": {
                "CustomerRef": {"value": _qbo_id(duplicate)},
                "Line": [
                    {
                        "Amount": 25,
                        "DetailType": "SalesItemLineDetail",
                        "SalesItemLineDetail": {"ItemRef": {"value": item_qbo}, "Qty": 1, "UnitPrice": 25},
                    }
                ],
            },
        },
    )
    remote_id = str((made.get("Invoice") or made)["Id"])
    merge = customer_merge(survivor=survivor, duplicate=duplicate)
    drain(connection.pk)
    assert qbo.read("Invoice", remote_id)["CustomerRef"]["value"] == _qbo_id(survivor)
    assert qbo.read("Customer", _qbo_id(duplicate))["Active"] is False

    customer_merge_undo(merge=merge)
    result = drain(connection.pk)

    assert result.failed == 0, list(SyncFailure.objects.values_list("message", flat=True))
    assert qbo.read("Invoice", remote_id)["CustomerRef"]["value"] == _qbo_id(duplicate)
    assert _transactions_of(qbo, _qbo_id(duplicate))["Invoice"] == sorted(
        [*pair["moving"]["Invoice"], remote_id]
    )


def test_merging_two_customers_quickbooks_never_had_sends_nothing(connection, qbo):
    survivor = customer_create(display_name="Local Lou", sync_with_quickbooks=False)
    duplicate = customer_create(display_name="Lou Local", sync_with_quickbooks=False)
    drain(connection.pk)

    customer_merge(survivor=survivor, duplicate=duplicate, field_choices={"sync_with_quickbooks": "survivor"})
    result = drain(connection.pk)

    assert (result.pushed, result.failed) == (0, 0)
    assert _customers_named(qbo, "Local Lou") == [] and _customers_named(qbo, "Lou Local") == []
    assert QBOMergeJob.objects.get().status == QBOMergeJob.Status.DONE


def test_a_merge_row_without_the_merges_ids_is_ignored_and_the_rest_still_flows(connection, qbo):
    odd = customer_create(display_name="Odd Row Olga")
    OutboxEntry.objects.create(entity="customers.customer", object_id=odd.pk, operation="merge", details={})
    customer_create(display_name="Next In Line")

    result = drain(connection.pk)

    assert result.failed == 0 and not QBOMergeJob.objects.exists()
    assert len(_customers_named(qbo, "Next In Line")) == 1


def test_undoing_a_merge_of_a_duplicate_quickbooks_never_had_finishes_cleanly(connection, qbo):
    survivor = customer_create(display_name="Synced Sam")
    duplicate = customer_create(display_name="Sam Synced", sync_with_quickbooks=False)
    drain(connection.pk)
    merge = customer_merge(
        survivor=survivor, duplicate=duplicate, field_choices={"sync_with_quickbooks": "survivor"}
    )
    drain(connection.pk)

    customer_merge_undo(merge=merge)
    result = drain(connection.pk)

    assert result.failed == 0, list(SyncFailure.objects.values_list("message", flat=True))
    assert _customers_named(qbo, "Sam Synced") == []
    assert len(_customers_named(qbo, "Synced Sam")) == 1
    assert set(QBOMergeJob.objects.values_list("status", flat=True)) == {"done"}


def test_voided_transactions_which_quickbooks_will_not_edit_stay_and_the_merge_completes(connection, qbo):
    survivor = customer_create(display_name="Vera Voss")
    duplicate = customer_create(display_name="Vera Vos")
    voided = make_charge(customer=duplicate, amount="20.00")
    make_charge(customer=duplicate, amount="35.00")
    drain(connection.pk)
    sale_void(sale=voided)
    drain(connection.pk)
    voided_qbo = QBOLink.objects.get(entity="sales.sale", object_id=voided.pk).qbo_id

    customer_merge(survivor=survivor, duplicate=duplicate)
    result = drain(connection.pk)

    assert result.failed == 0, list(SyncFailure.objects.values_list("message", flat=True))
    assert _transactions_of(qbo, _qbo_id(duplicate))["Invoice"] == [voided_qbo]
    assert len(_transactions_of(qbo, _qbo_id(survivor))["Invoice"]) == 1
    assert qbo.read("Customer", _qbo_id(duplicate))["Active"] is False
