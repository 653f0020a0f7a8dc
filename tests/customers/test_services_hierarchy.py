"""Sub-customers (parent links, depth, cycles, the 4-level limit) and deactivating/reactivating."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from customers.models import Customer
from customers.services import (
    customer_create,
    customer_deactivate,
    customer_reactivate,
    customer_set_parent,
    customer_update,
)
from syncportal.outbox.services import Origin
from tests.factories.customers import CustomerFactory

pytestmark = pytest.mark.django_db


def _chain(length: int) -> list[Customer]:
    """A top-level customer with ``length - 1`` nested sub-customers below it."""
    nodes = [CustomerFactory(display_name="Level 0")]
    for level in range(1, length):
        nodes.append(CustomerFactory(display_name=f"Level {level}", parent=nodes[-1]))
    return nodes


def _depths() -> dict[str, int]:
    return dict(Customer.objects.values_list("display_name", "depth"))


def _active() -> dict[str, bool]:
    return dict(Customer.objects.values_list("display_name", "is_active"))


class TestSetParent:
    def test_moving_a_customer_re_depths_its_whole_subtree_and_queues_only_the_moved_one(self, outbox):
        top = CustomerFactory(display_name="Top")
        branch = CustomerFactory(display_name="Branch")
        leaf = CustomerFactory(display_name="Leaf", parent=branch)
        CustomerFactory(display_name="Leaf 2", parent=leaf)

        customer_set_parent(customer=branch, parent=top, bill_with_parent=True)

        assert _depths() == {"Top": 0, "Branch": 1, "Leaf": 2, "Leaf 2": 3}
        assert Customer.objects.get(display_name="Leaf 2").full_name == "Top:Branch:Leaf:Leaf 2"
        assert outbox() == [("update", branch.pk, ["bill_with_parent", "parent"])]

    def test_back_to_top_level_stops_billing_with_the_parent(self):
        parent = CustomerFactory(display_name="Parent")
        child = CustomerFactory(display_name="Child", parent=parent, bill_with_parent=True)
        CustomerFactory(display_name="Grandchild", parent=child)

        customer_set_parent(customer=child, parent=None)

        child.refresh_from_db()
        assert (child.parent, child.bill_with_parent) == (None, False)
        assert _depths() == {"Parent": 0, "Child": 0, "Grandchild": 1}

    def test_a_customer_cannot_be_its_own_parent(self):
        customer = CustomerFactory()

        with pytest.raises(ValidationError) as excinfo:
            customer_set_parent(customer=customer, parent=customer)

        assert excinfo.value.message_dict == {"parent": ["A customer cannot be its own parent."]}

    def test_a_customer_cannot_go_under_its_own_sub_customer(self, outbox):
        top, _, bottom = _chain(3)

        with pytest.raises(ValidationError) as excinfo:
            customer_set_parent(customer=top, parent=bottom)

        assert excinfo.value.message_dict == {
            "parent": ["'Level 0' cannot be under 'Level 2' because 'Level 2' is already under 'Level 0'."]
        }
        assert Customer.objects.get(pk=top.pk).parent is None
        assert outbox() == []

    def test_five_levels_are_allowed_and_a_sixth_is_refused(self):
        nodes = _chain(5)

        with pytest.raises(ValidationError) as excinfo:
            customer_create(display_name="Too deep", parent=nodes[-1])

        assert "at most 4 levels of sub-customers" in excinfo.value.message_dict["parent"][0]
        assert "put it 5 levels down" in excinfo.value.message_dict["parent"][0]
        assert not Customer.objects.filter(display_name="Too deep").exists()

    def test_moving_a_subtree_counts_the_levels_below_it(self):
        nodes = _chain(3)  # depths 0..2
        sub = CustomerFactory(display_name="Sub", parent=CustomerFactory(display_name="Other"))
        CustomerFactory(display_name="Sub 2", parent=sub)
        CustomerFactory(display_name="Sub 3", parent=Customer.objects.get(display_name="Sub 2"))

        with pytest.raises(ValidationError) as excinfo:
            customer_set_parent(customer=sub, parent=nodes[-1])  # Sub would be 3, Sub 3 would be 5

        assert "put its lowest sub-customer 5 levels down" in excinfo.value.message_dict["parent"][0]
        assert _depths()["Sub 3"] == 3

    def test_an_inactive_parent_is_refused_for_local_changes_only(self):
        parent = CustomerFactory(display_name="Closed", is_active=False)
        child = CustomerFactory(display_name="Child")

        with pytest.raises(ValidationError) as excinfo:
            customer_set_parent(customer=child, parent=parent)
        assert excinfo.value.message_dict["parent"] == [
            "'Closed' is inactive. Reactivate it first or choose an active parent."
        ]

        customer_set_parent(customer=child, parent=parent, origin=Origin.QBO)
        assert Customer.objects.get(pk=child.pk).parent == parent

    def test_a_parent_merged_into_another_customer_is_refused(self):
        survivor = CustomerFactory(display_name="Survivor")
        merged = CustomerFactory(display_name="Duplicate", merged_into=survivor)

        with pytest.raises(ValidationError) as excinfo:
            customer_create(display_name="Job", parent=merged)

        assert excinfo.value.message_dict["parent"] == [
            "'Duplicate' was merged into 'Survivor'; choose 'Survivor' instead."
        ]


class TestDeactivate:
    def test_deactivating_a_parent_deactivates_every_sub_customer_with_an_outbox_row_each(self, outbox):
        top, middle, bottom = _chain(3)
        bystander = CustomerFactory(display_name="Bystander")

        done = customer_deactivate(customer=top)

        assert [c.display_name for c in done] == ["Level 0", "Level 1", "Level 2"]
        assert _active() == {
            "Level 0": False,
            "Level 1": False,
            "Level 2": False,
            bystander.display_name: True,
        }
        assert outbox() == [
            ("deactivate", top.pk, ["is_active"]),
            ("deactivate", middle.pk, ["is_active"]),
            ("deactivate", bottom.pk, ["is_active"]),
        ]

    def test_a_customer_with_a_balance_cannot_be_deactivated(self, outbox):
        customer = CustomerFactory(display_name="Owes", balance=Decimal("1250.00"))

        with pytest.raises(ValidationError) as excinfo:
            customer_deactivate(customer=customer)

        assert excinfo.value.message_dict["is_active"] == [
            "'Owes' has a balance of 1,250.00, so 'Owes' cannot be deactivated: QuickBooks only deactivates "
            "customers whose balance is zero. Record the payment or credit first."
        ]
        assert Customer.objects.get().is_active
        assert outbox() == []

    def test_a_sub_customer_with_a_balance_blocks_its_parent_and_nothing_is_deactivated(self, outbox):
        top, _, bottom = _chain(3)
        Customer.objects.filter(pk=bottom.pk).update(balance=Decimal("-20.00"))

        with pytest.raises(ValidationError) as excinfo:
            customer_deactivate(customer=top)

        assert (
            "Its sub-customer 'Level 2' has a balance of -20.00" in excinfo.value.message_dict["is_active"][0]
        )
        assert set(_active().values()) == {True}
        assert outbox() == []

    def test_quickbooks_deactivations_apply_even_with_a_local_balance_and_queue_nothing(self, outbox):
        customer = CustomerFactory(balance=Decimal("5.00"))

        customer_deactivate(customer=customer, origin=Origin.QBO)

        assert not Customer.objects.get().is_active
        assert outbox() == []

    def test_deactivating_an_inactive_customer_changes_nothing(self, outbox):
        customer = CustomerFactory(is_active=False)

        assert customer_deactivate(customer=customer) == []
        assert outbox() == []

    def test_unticking_active_in_an_update_follows_the_same_rules(self, outbox):
        top, child = _chain(2)
        customer_update(customer=top, changes={"is_active": False})
        assert _active() == {"Level 0": False, "Level 1": False}
        assert outbox() == [("update", top.pk, ["is_active"]), ("deactivate", child.pk, ["is_active"])]

        owing = CustomerFactory(display_name="Owing", balance=Decimal("1.00"))
        with pytest.raises(ValidationError) as excinfo:
            customer_update(customer=owing, changes={"is_active": False})
        assert "'Owing' has a balance of 1.00" in excinfo.value.message_dict["is_active"][0]


class TestReactivate:
    def test_reactivates_only_the_customer_unless_sub_customers_are_asked_for(self, outbox):
        top = _chain(3)[0]
        Customer.objects.update(is_active=False)

        customer_reactivate(customer=top)
        assert _active() == {"Level 0": True, "Level 1": False, "Level 2": False}

        done = customer_reactivate(customer=top, include_sub_customers=True)
        assert [c.display_name for c in done] == ["Level 1", "Level 2"]
        assert set(_active().values()) == {True}
        assert [op for op, _, _ in outbox()] == ["update", "update", "update"]

    def test_a_sub_customer_of_an_inactive_parent_waits_for_its_parent(self, outbox):
        child = _chain(2)[1]
        Customer.objects.update(is_active=False)

        with pytest.raises(ValidationError) as excinfo:
            customer_reactivate(customer=child)

        assert excinfo.value.message_dict["is_active"] == [
            "'Level 1' is a sub-customer of 'Level 0', which is inactive. Reactivate 'Level 0' first."
        ]
        assert outbox() == []

    def test_a_merged_away_customer_stays_inactive(self):
        survivor = CustomerFactory()
        merged = CustomerFactory(display_name="Dup", is_active=False, merged_into=survivor)

        with pytest.raises(ValidationError) as excinfo:
            customer_reactivate(customer=merged)

        assert "was merged into another customer" in excinfo.value.message_dict["is_active"][0]
        assert not Customer.objects.get(pk=merged.pk).is_active
