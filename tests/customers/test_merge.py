"""Merging duplicate customers and undoing it: what moves, what balances say, what an undo restores."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission, User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.test import override_settings

from customers.matching.merge_fields import snapshot
from customers.merging import customer_merge, customer_merge_undo
from customers.models import Customer, CustomerMerge, CustomerNote, DuplicateCandidate
from sales.models import PaymentMethod, Refund, Sale, StoreCredit
from sales.services import AllocationInput, ReturnLineInput, refund_create, store_credit_create
from syncportal.outbox.models import OutboxEntry
from tests.factories.customers import CustomerFactory, CustomerNoteFactory
from tests.factories.sales import TODAY, ItemFactory, make_cash_sale, make_charge, make_payment

pytestmark = pytest.mark.django_db


def _fail_refresh(*, customer, actor=None):
    # A database refusal halfway through a merge: records are already moved when this runs.
    Customer.objects.filter(pk=customer.pk).update(credit_limit=Decimal("-1.00"))


@pytest.fixture
def merger(db):
    user = User.objects.create_user("merger", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="merge_customer"))
    return User.objects.get(pk=user.pk)  # fresh instance: no permission cache


@pytest.fixture
def books(db):
    """Two records of one customer, each with history, and a sub-customer under the duplicate."""
    survivor = CustomerFactory(
        display_name="John Smith",
        given_name="John",
        family_name="Smith",
        email="john@example.com",
        phone="",
        custom_fields={"Region": "North", "Rep": "Sam"},
    )
    duplicate = CustomerFactory(
        display_name="Jon Smith",
        given_name="Jon",
        family_name="Smith",
        email="",
        phone="(555) 010-2000",
        bill_line1="12 Main St",
        bill_postal_code="97201",
        custom_fields={"Region": "South", "Loyalty": "Gold"},
    )
    make_charge(customer=survivor, amount="50.00")
    charge = make_charge(customer=duplicate, amount="100.00")
    payment = make_payment(
        customer=duplicate, amount="30.00", allocations=[AllocationInput(charge, Decimal("30.00"))]
    )
    cash = make_cash_sale(customer=duplicate)
    item = ItemFactory(taxable=False)
    refund = refund_create(
        customer=duplicate,
        date=TODAY,
        method=PaymentMethod.CASH,
        lines=[ReturnLineInput(item=item, quantity=Decimal("1"), unit_price=Decimal("5.00"))],
    )
    credit = store_credit_create(
        customer=duplicate,
        date=TODAY,
        lines=[ReturnLineInput(item=item, quantity=Decimal("1"), unit_price=Decimal("10.00"))],
    )
    note = CustomerNoteFactory(customer=duplicate, body="Prefers phone calls")
    child = CustomerFactory(display_name="Jon Smith - Garage job", parent=duplicate)
    for customer in (survivor, duplicate):
        customer.refresh_from_db()
    return {
        "survivor": survivor,
        "duplicate": duplicate,
        "charge": charge,
        "payment": payment,
        "cash": cash,
        "refund": refund,
        "credit": credit,
        "note": note,
        "child": child,
    }


def test_merge_moves_every_record_and_the_survivor_owes_the_sum(books, merger):
    survivor, duplicate = books["survivor"], books["duplicate"]
    assert (survivor.balance, duplicate.balance) == (
        Decimal("50.00"),
        Decimal("60.00"),
    )  # 100 - 30 paid - 10 credit

    merge = customer_merge(survivor=survivor, duplicate=duplicate, actor=merger)

    assert set(Sale.objects.filter(customer=survivor)) >= {books["charge"], books["cash"]}
    assert books["payment"].__class__.objects.get(pk=books["payment"].pk).customer == survivor
    assert Refund.objects.get(pk=books["refund"].pk).customer == survivor
    assert StoreCredit.objects.get(pk=books["credit"].pk).customer == survivor
    assert CustomerNote.objects.get(pk=books["note"].pk).customer == survivor
    child = Customer.objects.get(pk=books["child"].pk)
    assert (child.parent, child.depth) == (survivor, 1)
    for related in (Sale, Refund, StoreCredit, CustomerNote):
        assert not related.objects.filter(customer=duplicate).exists()
    survivor.refresh_from_db()
    duplicate.refresh_from_db()
    assert survivor.balance == Decimal("110.00")
    assert duplicate.balance == Decimal("0.00")
    assert merge.moved["sales.sale.customer"] == sorted([books["charge"].pk, books["cash"].pk])
    assert merge.moved["customers.customer.parent"] == [books["child"].pk]


def test_merge_keeps_chosen_values_fills_gaps_and_unions_custom_fields(books, merger):
    survivor, duplicate = books["survivor"], books["duplicate"]

    customer_merge(
        survivor=survivor,
        duplicate=duplicate,
        actor=merger,
        field_choices={"display_name": "duplicate", "custom_fields.Region": "duplicate"},
    )

    survivor.refresh_from_db()
    assert survivor.display_name == "Jon Smith"  # chosen from the duplicate
    assert survivor.email == "john@example.com"  # survivor's own value kept
    assert survivor.phone == "(555) 010-2000"  # survivor had none: the duplicate's fills the gap
    assert (survivor.bill_line1, survivor.bill_postal_code) == ("12 Main St", "97201")
    assert survivor.custom_fields == {"Region": "South", "Rep": "Sam", "Loyalty": "Gold"}


def test_the_duplicate_is_inactive_marked_merged_and_steps_aside_for_its_name(books, merger):
    survivor, duplicate = books["survivor"], books["duplicate"]

    customer_merge(
        survivor=survivor, duplicate=duplicate, field_choices={"display_name": "duplicate"}, actor=merger
    )

    duplicate.refresh_from_db()
    assert duplicate.is_active is False
    assert duplicate.merged_into == survivor
    assert duplicate.display_name == f"Jon Smith (merged into #{survivor.pk})"


def test_merge_writes_one_outbox_row_with_both_ids_and_every_moved_record(books, merger):
    survivor, duplicate = books["survivor"], books["duplicate"]
    before = OutboxEntry.objects.count()

    merge = customer_merge(survivor=survivor, duplicate=duplicate, actor=merger)

    rows = list(OutboxEntry.objects.order_by("id")[before:])
    assert [(r.entity, r.object_id, r.operation) for r in rows] == [
        ("customers.customer", survivor.pk, "merge")
    ]
    details = rows[0].details
    assert (details["survivor_id"], details["duplicate_id"]) == (survivor.pk, duplicate.pk)
    assert details["moved"]["sales.payment.customer"] == [books["payment"].pk]
    assert details["moved"] == merge.moved
    assert rows[0].actor == merger


def test_a_local_only_merge_tells_quickbooks_nothing(books, merger):
    before = OutboxEntry.objects.count()
    customer_merge(
        survivor=books["survivor"], duplicate=books["duplicate"], actor=merger, sync_quickbooks=False
    )
    assert OutboxEntry.objects.count() == before


def test_merge_closes_the_pair_in_the_review_queue_and_supersedes_the_duplicates_other_pairs(books, merger):
    survivor, duplicate = books["survivor"], books["duplicate"]
    third = CustomerFactory()
    a, b = sorted([survivor, duplicate], key=lambda c: c.pk)
    pair = DuplicateCandidate.objects.create(
        customer_a=a, customer_b=b, score=0.9, found_at=duplicate.created_at
    )
    other = DuplicateCandidate.objects.create(
        customer_a=duplicate, customer_b=third, score=0.6, found_at=duplicate.created_at
    )

    merge = customer_merge(survivor=survivor, duplicate=duplicate, actor=merger)

    pair.refresh_from_db()
    other.refresh_from_db()
    assert (pair.status, pair.decided_by) == ("merged", merger)
    assert other.status == "superseded"
    customer_merge_undo(merge=merge, actor=merger)
    pair.refresh_from_db()
    other.refresh_from_db()
    assert (pair.status, other.status) == ("open", "open")


def test_undo_restores_both_customers_every_record_and_both_balances_exactly(books, merger):
    survivor, duplicate = books["survivor"], books["duplicate"]
    survivor_before, duplicate_before = snapshot(survivor), snapshot(duplicate)
    owners = {
        model: dict(model.objects.values_list("pk", "customer_id"))
        for model in (Sale, Refund, StoreCredit, CustomerNote, books["payment"].__class__)
    }

    merge = customer_merge(
        survivor=survivor,
        duplicate=duplicate,
        actor=merger,
        field_choices={"display_name": "duplicate", "custom_fields.Region": "duplicate"},
    )
    customer_merge_undo(merge=merge, actor=merger)

    survivor.refresh_from_db()
    duplicate.refresh_from_db()
    assert snapshot(survivor) == survivor_before
    assert snapshot(duplicate) == duplicate_before
    assert (survivor.balance, duplicate.balance) == (Decimal("50.00"), Decimal("60.00"))
    for model, before in owners.items():
        assert dict(model.objects.values_list("pk", "customer_id")) == before
    child = Customer.objects.get(pk=books["child"].pk)
    assert (child.parent, child.depth) == (duplicate, 1)
    merge.refresh_from_db()
    assert merge.undone_by == merger and merge.undone_at is not None
    undo_row = OutboxEntry.objects.order_by("-id").first()
    assert (undo_row.operation, undo_row.details["action"]) == ("merge", "undo")


def test_undo_is_refused_when_the_survivor_was_edited_since_and_refused_twice(books, merger):
    survivor, duplicate = books["survivor"], books["duplicate"]
    merge = customer_merge(survivor=survivor, duplicate=duplicate, actor=merger)
    Customer.objects.filter(pk=survivor.pk).update(phone="(555) 999-0000")  # the merge filled phone in

    with pytest.raises(ValidationError, match="edited after the merge"):
        customer_merge_undo(merge=merge, actor=merger)

    Customer.objects.filter(pk=survivor.pk).update(phone="(555) 010-2000")
    customer_merge_undo(merge=merge, actor=merger)
    with pytest.raises(ValidationError, match="already undone"):
        customer_merge_undo(merge=merge, actor=merger)


@override_settings(CUSTOMER_BALANCE_REFRESH="tests.customers.test_merge._fail_refresh")
def test_a_failure_midway_leaves_both_customers_and_their_records_untouched(books, merger):
    survivor, duplicate = books["survivor"], books["duplicate"]
    before = (snapshot(survivor), snapshot(duplicate))
    owners = dict(Sale.objects.values_list("pk", "customer_id"))
    outbox = OutboxEntry.objects.count()

    with pytest.raises(IntegrityError):
        customer_merge(survivor=survivor, duplicate=duplicate, actor=merger)

    survivor.refresh_from_db()
    duplicate.refresh_from_db()
    assert (snapshot(survivor), snapshot(duplicate)) == before
    assert dict(Sale.objects.values_list("pk", "customer_id")) == owners
    assert Customer.objects.get(pk=books["child"].pk).parent == duplicate
    assert not CustomerMerge.objects.exists()
    assert OutboxEntry.objects.count() == outbox


def test_a_refused_choice_writes_nothing(books, merger):
    survivor, duplicate = books["survivor"], books["duplicate"]
    with pytest.raises(ValidationError):
        customer_merge(
            survivor=survivor, duplicate=duplicate, field_choices={"balance": "duplicate"}, actor=merger
        )
    with pytest.raises(ValidationError, match="sub-customer"):
        customer_merge(survivor=books["child"], duplicate=duplicate, actor=merger)
    assert not CustomerMerge.objects.exists()
    assert Sale.objects.filter(customer=duplicate).count() == 2


def test_a_merged_customer_cannot_be_merged_again(books, merger):
    customer_merge(survivor=books["survivor"], duplicate=books["duplicate"], actor=merger)
    with pytest.raises(ValidationError, match="already merged"):
        customer_merge(survivor=CustomerFactory(), duplicate=books["duplicate"], actor=merger)


def test_someone_without_the_merge_permission_cannot_merge_or_undo(books, merger):
    clerk = User.objects.create_user("clerk", is_staff=True)
    with pytest.raises(PermissionDenied):
        customer_merge(survivor=books["survivor"], duplicate=books["duplicate"], actor=clerk)
    merge = customer_merge(survivor=books["survivor"], duplicate=books["duplicate"], actor=merger)
    with pytest.raises(PermissionDenied):
        customer_merge_undo(merge=merge, actor=clerk)
    assert Customer.objects.get(pk=books["duplicate"].pk).merged_into_id == books["survivor"].pk


def test_undo_is_refused_when_a_moved_record_was_used_since(books, merger):
    survivor, duplicate = books["survivor"], books["duplicate"]
    merge = customer_merge(survivor=survivor, duplicate=duplicate, actor=merger)
    survivor.refresh_from_db()
    # After the merge the survivor pays the charge that came from the duplicate: payment and charge
    # now belong together, so moving the charge back would split them.
    make_payment(
        customer=survivor, amount="70.00", allocations=[AllocationInput(books["charge"], Decimal("70.00"))]
    )

    with pytest.raises(ValidationError, match="changed since"):
        customer_merge_undo(merge=merge, actor=merger)
    assert Sale.objects.get(pk=books["charge"].pk).customer == survivor
