"""Customer create/update, validation in plain words, outbox rows, balances, notes, types, deletes."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from customers.models import Customer, CustomerNote, CustomerType, TaxExemptionReason
from customers.services import (
    customer_create,
    customer_delete,
    customer_note_add,
    customer_set_balance,
    customer_type_create,
    customer_type_delete,
    customer_type_rename,
    customer_update,
)
from sales.models import Sale
from syncportal.outbox.models import OutboxEntry
from syncportal.outbox.services import Origin
from tests.factories.customers import CustomerFactory, CustomerTypeFactory

pytestmark = pytest.mark.django_db


def _errors(excinfo) -> dict[str, list[str]]:
    return excinfo.value.message_dict


class TestCreate:
    def test_creates_the_customer_and_one_outbox_row_signed_by_the_actor(self, role_users, outbox):
        actor = role_users["Staff"]
        customer = customer_create(display_name="  Acme Hardware ", email="a@acme.test", actor=actor)

        assert Customer.objects.get().display_name == "Acme Hardware"
        assert outbox() == [("create", customer.pk, [])]
        assert OutboxEntry.objects.get().actor == actor

    def test_a_change_from_quickbooks_writes_no_outbox_row(self, outbox):
        customer_create(display_name="From QuickBooks", origin=Origin.QBO)

        assert Customer.objects.filter(display_name="From QuickBooks").exists()
        assert outbox() == []

    @pytest.mark.parametrize(
        ("fields", "field", "message"),
        [
            ({"display_name": ""}, "display_name", "Enter a display name"),
            ({"display_name": "Acme: Main St"}, "display_name", "cannot contain a colon"),
            ({"given_name": "Jo:e"}, "given_name", "cannot contain a colon"),
            ({"email": "not-an-email"}, "email", "Enter a valid email address."),
            ({"phone": "call me"}, "phone", "Enter a phone number with 7 to 15 digits"),
            ({"mobile": "123"}, "mobile", "Enter a phone number with 7 to 15 digits"),
            ({"tax_exempt": True}, "tax_exemption_reason", "Choose a tax exemption reason"),
            ({"credit_limit": Decimal("-1")}, "credit_limit", "cannot be negative"),
            ({"bill_with_parent": True}, "bill_with_parent", "Only a sub-customer can be billed"),
            ({"custom_fields": ["Region", "North"]}, "custom_fields", "Custom fields must be names"),
            ({"custom_fields": {"Region": {"x": 1}}}, "custom_fields", "Custom fields must be names"),
        ],
    )
    def test_each_rule_refuses_with_a_plain_message_on_its_field_and_writes_nothing(
        self, fields, field, message, outbox
    ):
        fields = {"display_name": "Valid Name", **fields}
        with pytest.raises(ValidationError) as excinfo:
            customer_create(**fields)

        assert message in " ".join(_errors(excinfo)[field])
        assert not Customer.objects.exists()
        assert outbox() == []

    def test_display_names_are_unique_ignoring_case_and_the_message_names_the_existing_one(self, outbox):
        CustomerFactory(display_name="Acme Hardware")

        with pytest.raises(ValidationError) as excinfo:
            customer_create(display_name="ACME hardware ")

        assert _errors(excinfo)["display_name"] == ["A customer named 'Acme Hardware' already exists."]
        assert Customer.objects.count() == 1
        assert outbox() == []

    def test_a_tax_exempt_customer_with_a_reason_is_accepted(self):
        customer = customer_create(
            display_name="School", tax_exempt=True, tax_exemption_reason=TaxExemptionReason.EDUCATIONAL
        )

        assert customer.tax_exempt and customer.tax_exemption_reason == TaxExemptionReason.EDUCATIONAL

    def test_a_sub_customer_gets_its_depth_from_its_parent(self):
        parent = CustomerFactory()
        child = customer_create(display_name="Job 1", parent=parent, bill_with_parent=True)

        assert (child.depth, child.parent, child.full_name) == (1, parent, f"{parent}:Job 1")

    def test_unknown_or_derived_fields_are_a_programming_error(self):
        with pytest.raises(TypeError, match="balance"):
            customer_create(display_name="X", balance=Decimal("5.00"))


class TestUpdate:
    def test_records_only_the_fields_that_really_changed(self, outbox):
        customer = CustomerFactory(email="old@example.com", credit_limit=Decimal("100.00"))

        customer_update(
            customer=customer,
            changes={"email": "new@example.com", "credit_limit": Decimal("100"), "phone": customer.phone},
        )

        assert outbox() == [("update", customer.pk, ["email"])]
        assert Customer.objects.get().email == "new@example.com"

    def test_nothing_changed_writes_no_outbox_row(self, outbox):
        customer = CustomerFactory(email="same@example.com")

        customer_update(customer=customer, changes={"email": "same@example.com"})

        assert outbox() == []

    def test_a_change_from_quickbooks_is_applied_without_an_outbox_row(self, outbox):
        customer = CustomerFactory()

        customer_update(customer=customer, changes={"phone": "555 987 6543"}, origin=Origin.QBO)

        assert Customer.objects.get().phone == "555 987 6543"
        assert outbox() == []

    def test_a_refused_change_leaves_the_stored_customer_untouched(self, outbox):
        customer = CustomerFactory(email="keep@example.com")

        with pytest.raises(ValidationError) as excinfo:
            customer_update(customer=customer, changes={"email": "new@example.com", "tax_exempt": True})

        assert "tax_exemption_reason" in _errors(excinfo)
        assert Customer.objects.get().email == "keep@example.com"
        assert outbox() == []

    def test_renaming_onto_another_customers_name_is_refused(self):
        CustomerFactory(display_name="Taken")
        customer = CustomerFactory(display_name="Free")

        with pytest.raises(ValidationError) as excinfo:
            customer_update(customer=customer, changes={"display_name": "taken"})

        assert _errors(excinfo)["display_name"] == ["A customer named 'Taken' already exists."]

    def test_changing_only_the_case_of_its_own_name_is_allowed(self, outbox):
        customer = CustomerFactory(display_name="acme")

        customer_update(customer=customer, changes={"display_name": "Acme"})

        assert outbox() == [("update", customer.pk, ["display_name"])]


class TestBalance:
    def test_stores_the_balance_and_available_credit_follows_without_an_outbox_row(self, outbox):
        customer = CustomerFactory(credit_limit=Decimal("500.00"))

        customer_set_balance(customer=customer, balance=Decimal("120.50"))

        stored = Customer.objects.get()
        assert (stored.balance, stored.available_credit) == (Decimal("120.50"), Decimal("379.50"))
        assert outbox() == []

    def test_no_credit_limit_means_no_available_credit_figure(self):
        customer = CustomerFactory(credit_limit=None)
        customer_set_balance(customer=customer, balance=Decimal("10.00"))

        assert Customer.objects.get().available_credit is None

    def test_money_must_be_a_decimal_with_cents_at_most(self):
        customer = CustomerFactory()

        with pytest.raises(TypeError):
            customer_set_balance(customer=customer, balance=10.5)
        with pytest.raises(ValueError):
            customer_set_balance(customer=customer, balance=Decimal("10.505"))
        assert Customer.objects.get().balance == Decimal("0.00")


class TestDelete:
    def test_an_unused_customer_is_deleted_and_queued_for_quickbooks(self, outbox):
        customer = CustomerFactory(display_name="Mistake")
        pk = customer.pk

        customer_delete(customer=customer)

        assert not Customer.objects.exists()
        assert outbox() == [("delete", pk, [])]
        assert OutboxEntry.objects.get().details == {"display_name": "Mistake"}

    def test_a_customer_with_sales_or_sub_customers_is_refused_in_words(self, outbox):
        customer = CustomerFactory(display_name="Busy")
        CustomerFactory(parent=customer)
        Sale.objects.create(number="S-1", date=datetime.date(2026, 1, 5), kind="charge", customer=customer)

        with pytest.raises(ValidationError) as excinfo:
            customer_delete(customer=customer)

        assert excinfo.value.messages == [
            "'Busy' cannot be deleted because it has 1 sale and 1 sub-customer. Deactivate it instead: "
            "QuickBooks keeps inactive customers with their history."
        ]
        assert Customer.objects.count() == 2
        assert outbox() == []


class TestNotes:
    def test_a_note_is_kept_with_its_author_and_is_local_only(self, role_users, outbox):
        customer = CustomerFactory()

        note = customer_note_add(
            customer=customer, body=" Called about the invoice. ", actor=role_users["Staff"]
        )

        assert (note.body, note.author, note.customer) == (
            "Called about the invoice.",
            role_users["Staff"],
            customer,
        )
        assert outbox() == []

    def test_an_empty_note_is_refused(self):
        with pytest.raises(ValidationError) as excinfo:
            customer_note_add(customer=CustomerFactory(), body="   ")

        assert _errors(excinfo) == {"body": ["Write something in the note before saving it."]}
        assert not CustomerNote.objects.exists()


class TestCustomerTypes:
    def test_create_rename_delete_each_queue_one_outbox_row(self, outbox):
        customer_type = customer_type_create(name=" Wholesale ")
        customer_type_rename(customer_type=customer_type, name="Wholesale")  # unchanged: no row
        customer_type_rename(customer_type=customer_type, name="Trade")
        pk = customer_type.pk
        customer_type_delete(customer_type=customer_type)

        assert [(op, fields) for op, _, fields in outbox("customers.customertype")] == [
            ("create", []),
            ("update", ["name"]),
            ("delete", []),
        ]
        assert {obj_id for _, obj_id, _ in outbox("customers.customertype")} == {pk}

    def test_type_names_are_unique_ignoring_case(self):
        CustomerTypeFactory(name="Retail")

        with pytest.raises(ValidationError) as excinfo:
            customer_type_create(name="retail")

        assert _errors(excinfo) == {"name": ["A customer type named 'Retail' already exists."]}
        assert CustomerType.objects.count() == 1

    def test_a_type_in_use_cannot_be_deleted(self, outbox):
        customer_type = CustomerTypeFactory(name="Retail")
        CustomerFactory.create_batch(2, customer_type=customer_type)

        with pytest.raises(ValidationError) as excinfo:
            customer_type_delete(customer_type=customer_type)

        assert excinfo.value.messages == [
            "'Retail' is the type of 2 customers. Give them another type first."
        ]
        assert CustomerType.objects.exists()
        assert outbox("customers.customertype") == []
