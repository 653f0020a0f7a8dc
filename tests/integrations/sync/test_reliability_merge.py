"""5010 and 6240 against the real sandbox: merged edits, kept conflicts, linked duplicates."""

from __future__ import annotations

import pytest

from customers.services import customer_create, customer_update
from integrations.mapping.choices import ConflictPolicy, MatchKind
from integrations.models import PushBatch, QBOLink, SyncConflict, SyncEvent, SyncFailure
from integrations.models.mapping import FieldMapping, MatchRule
from integrations.selectors.config import candidate_qbo_customers, qbo_customer_exists
from integrations.sync.push import drain

pytestmark = [pytest.mark.django_db, pytest.mark.sandbox]


def _named(qbo, name: str) -> list[dict]:
    return qbo.query(f"SELECT * FROM Customer WHERE DisplayName = '{name}'").get("Customer", [])


def _edit_in_quickbooks(sandbox, qbo_id: str, fields: dict) -> None:
    sandbox.hook(
        f"realms/{sandbox.realm}/bookkeeper",
        {"entity": "Customer", "action": "update", "id": qbo_id, "fields": fields},
    )


def _pushed(connection, **fields):
    customer = customer_create(**fields)
    drain(connection.pk)
    return customer, QBOLink.objects.get(entity="customers.customer", object_id=customer.pk)


def test_disjoint_edits_on_both_sides_are_merged_and_both_survive(connection, qbo, sandbox_company):
    customer, link = _pushed(connection, display_name="Merge Both Ways", email="old@merge.example")
    _edit_in_quickbooks(sandbox_company, link.qbo_id, {"PrimaryPhone": {"FreeFormNumber": "555-222-3333"}})
    customer_update(customer=customer, changes={"email": "new@merge.example"})

    result = drain(connection.pk)

    [doc] = _named(qbo, "Merge Both Ways")
    assert doc["PrimaryEmailAddr"]["Address"] == "new@merge.example"  # ours
    assert doc["PrimaryPhone"]["FreeFormNumber"] == "555-222-3333"  # theirs, not overwritten
    assert result.pushed == 1 and result.failed == 0
    # QuickBooks did refuse our stale SyncToken first; the merged update went as a follow-up batch.
    assert SyncEvent.objects.filter(outcome="failed", summary__code="5010").count() == 1
    assert [item.get("recovery") for item in PushBatch.objects.latest("id").items] == ["merge"]
    assert not SyncConflict.objects.exists()
    assert not SyncFailure.objects.filter(status__in=["open", "retrying"]).exists()
    assert QBOLink.objects.get(pk=link.pk).sync_token == doc["SyncToken"]


def test_a_later_local_edit_does_not_undo_a_quickbooks_change(connection, qbo, sandbox_company):
    customer, link = _pushed(connection, display_name="Later Edit Store", email="a@later.example")
    _edit_in_quickbooks(sandbox_company, link.qbo_id, {"CompanyName": "Later Edit LLC"})
    customer_update(customer=customer, changes={"email": "b@later.example"})
    drain(connection.pk)  # 5010 → merge

    customer_update(customer=customer, changes={"phone": "555-000-1111"})
    drain(connection.pk)

    [doc] = _named(qbo, "Later Edit Store")
    assert doc["CompanyName"] == "Later Edit LLC"
    assert doc["PrimaryEmailAddr"]["Address"] == "b@later.example"
    assert doc["PrimaryPhone"]["FreeFormNumber"] == "555-000-1111"


def test_the_same_field_changed_on_both_sides_becomes_a_conflict_and_nothing_is_overwritten(
    connection, qbo, sandbox_company
):
    # The e-mail mapping's policy is "ask" (a manager's choice; other policies settle it themselves).
    FieldMapping.objects.filter(entity__in=["customer", "sub_customer"], local_field="email").update(
        conflict_policy=ConflictPolicy.ASK
    )
    customer, link = _pushed(connection, display_name="Conflict Corner", email="base@conflict.example")
    _edit_in_quickbooks(
        sandbox_company, link.qbo_id, {"PrimaryEmailAddr": {"Address": "qbo@conflict.example"}}
    )
    customer_update(customer=customer, changes={"email": "ours@conflict.example"})

    drain(connection.pk)

    conflict = SyncConflict.objects.get()
    assert conflict.field == "email"  # the store's own words, as the conflict page shows them
    assert (conflict.base_value, conflict.local_value, conflict.qbo_value) == (
        "base@conflict.example", "ours@conflict.example", "qbo@conflict.example"
    )  # fmt: skip
    [doc] = _named(qbo, "Conflict Corner")
    assert doc["PrimaryEmailAddr"]["Address"] == "qbo@conflict.example"
    failure = SyncFailure.objects.get(object_id=customer.pk)
    assert failure.status == SyncFailure.Status.OPEN and failure.cause == "conflict"
    assert "changed both here and in QuickBooks" in failure.message
    customer.refresh_from_db()
    assert customer.email == "ours@conflict.example"  # our value is kept too

    # Until a person decides, the disputed e-mail keeps QuickBooks' value; other edits still flow.
    customer_update(customer=customer, changes={"phone": "555-999-0000"})
    drain(connection.pk)
    [doc] = _named(qbo, "Conflict Corner")
    assert doc["PrimaryPhone"]["FreeFormNumber"] == "555-999-0000"
    assert doc["PrimaryEmailAddr"]["Address"] == "qbo@conflict.example"


def test_newest_wins_settles_the_same_field_without_asking(connection, qbo, sandbox_company):
    customer, link = _pushed(connection, display_name="Newest Corner", email="base@newest.example")
    _edit_in_quickbooks(sandbox_company, link.qbo_id, {"PrimaryEmailAddr": {"Address": "qbo@newest.example"}})
    customer_update(customer=customer, changes={"email": "ours@newest.example"})  # the later change

    drain(connection.pk)

    assert not SyncConflict.objects.exists()
    [doc] = _named(qbo, "Newest Corner")
    assert doc["PrimaryEmailAddr"]["Address"] == "ours@newest.example"


def test_a_duplicate_name_held_by_the_same_customer_is_linked_not_created_twice(
    connection, qbo, sandbox_company
):
    created = sandbox_company.hook(
        f"realms/{sandbox_company.realm}/bookkeeper",
        {
            "entity": "Customer",
            "action": "create",
            "fields": {"DisplayName": "Dup Same Person", "PrimaryEmailAddr": {"Address": "same@dup.example"}},
        },
    )["Customer"]
    customer = customer_create(display_name="Dup Same Person", email="same@dup.example", phone="555-404-5050")

    result = drain(connection.pk)

    [doc] = _named(qbo, "Dup Same Person")
    assert doc["Id"] == created["Id"]
    assert doc["PrimaryPhone"]["FreeFormNumber"] == "555-404-5050"  # our fields went as an update
    assert QBOLink.objects.get(object_id=customer.pk).qbo_id == created["Id"]
    assert result.failed == 0
    assert [item.get("recovery") for item in PushBatch.objects.latest("id").items] == ["link"]
    assert not SyncFailure.objects.filter(status__in=["open", "retrying"]).exists()


def test_a_duplicate_name_held_by_a_different_customer_is_explained_with_both_names(
    connection, qbo, sandbox_company
):
    MatchRule.objects.filter(kind=MatchKind.DISPLAY_NAME).update(enabled=False)
    sandbox_company.hook(
        f"realms/{sandbox_company.realm}/bookkeeper",
        {
            "entity": "Customer",
            "action": "create",
            "fields": {
                "DisplayName": "Dup Other Person",
                "PrimaryEmailAddr": {"Address": "them@dup.example"},
            },
        },
    )
    customer = customer_create(display_name="Dup Other Person", email="us@dup.example")

    drain(connection.pk)

    assert len(_named(qbo, "Dup Other Person")) == 1
    assert not QBOLink.objects.filter(object_id=customer.pk).exists()
    failure = SyncFailure.objects.get(object_id=customer.pk)
    assert failure.status == SyncFailure.Status.OPEN
    assert f"Customer ‘Dup Other Person’ (#{customer.pk})" in failure.message
    assert "QuickBooks customer ‘Dup Other Person’ (Id" in failure.message
    assert "different customer" in failure.message


def test_selectors_read_quickbooks_customers_through_the_gateway(connection, qbo):
    _customer, link = _pushed(connection, display_name="Selector Sam")

    candidates = candidate_qbo_customers(connection.realm_id)

    assert "Selector Sam" in {doc["DisplayName"] for doc in candidates}
    assert qbo_customer_exists(connection.realm_id, link.qbo_id) is True
    assert qbo_customer_exists(connection.realm_id, "987654") is False
    assert qbo_customer_exists("no-such-realm", link.qbo_id) is None
