"""The customer admin: pages render, saves go through the services (outbox rows), errors show on
their fields, and the actions report what they did."""

from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from customers.models import Customer, CustomerNote, CustomerType, TaxExemptionReason
from syncportal.outbox.models import OutboxEntry
from tests.customers.admin_forms import admin_form_data
from tests.factories.customers import CustomerFactory, CustomerNoteFactory, CustomerTypeFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:customers_customer_changelist")
ADD = reverse("admin:customers_customer_add")


def change_url(customer) -> str:
    return reverse("admin:customers_customer_change", args=[customer.pk])


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.mark.parametrize(
    "model", ["customer", "customertype", "customernote"], ids=["customer", "type", "note"]
)
def test_every_customer_admin_page_renders_for_a_manager(manager_client, model):
    customer_type = CustomerTypeFactory(name="Retail")
    parent = CustomerFactory(customer_type=customer_type)
    CustomerFactory(parent=parent)
    note = CustomerNoteFactory(customer=parent)
    obj = {"customer": parent, "customertype": customer_type, "customernote": note}[model]

    for name, args in [("changelist", []), ("add", []), ("change", [obj.pk])]:
        response = manager_client.get(reverse(f"admin:customers_{model}_{name}", args=args))
        assert response.status_code == 200, name


def test_the_list_shows_balance_available_credit_parent_and_type(manager_client):
    parent = CustomerFactory(display_name="Parent Co")
    CustomerFactory(
        display_name="Job A",
        parent=parent,
        customer_type=CustomerTypeFactory(name="Wholesale"),
        credit_limit=Decimal("2000.00"),
        balance=Decimal("1234.50"),
    )

    page = manager_client.get(CHANGELIST).content.decode()

    for shown in ["Job A", "Parent Co", "Wholesale", "1,234.50", "765.50", "No limit"]:
        assert shown in page


def test_search_finds_a_customer_by_phone_digits_alone(manager_client):
    CustomerFactory(display_name="Findable", phone="(555) 867-5309")
    CustomerFactory(display_name="Other", phone="(555) 111-2222")

    response = manager_client.get(CHANGELIST, {"q": "5558675309"})

    assert [c.display_name for c in response.context["cl"].result_list] == ["Findable"]


class TestAddAndChange:
    def test_adding_a_customer_with_a_note_queues_it_for_quickbooks(self, manager_client, role_users):
        data = admin_form_data(
            manager_client.get(ADD),
            display_name="New Shop",
            email="shop@example.com",
            **{"customer_notes-0-body": "Met at fair."},
        )

        response = manager_client.post(ADD, data)

        assert response.status_code == 302, response.context["adminform"].form.errors
        customer = Customer.objects.get(display_name="New Shop")
        entry = OutboxEntry.objects.get(entity="customers.customer")
        assert (entry.operation, entry.object_id, entry.actor) == (
            "create",
            customer.pk,
            role_users["Manager"],
        )
        assert CustomerNote.objects.get().body == "Met at fair."
        assert CustomerNote.objects.get().author == role_users["Manager"]

    def test_changing_a_field_records_exactly_that_field(self, manager_client):
        customer = CustomerFactory(email="old@example.com")
        data = admin_form_data(manager_client.get(change_url(customer)), email="new@example.com")

        response = manager_client.post(change_url(customer), data)

        assert response.status_code == 302
        assert list(OutboxEntry.objects.values_list("operation", "changed_fields")) == [("update", ["email"])]

    def test_saving_without_changes_queues_nothing(self, manager_client):
        customer = CustomerFactory(parent=CustomerFactory())
        CustomerFactory(parent=customer)  # the read-only sub-customer list is posted back too
        CustomerNoteFactory(customer=customer)

        response = manager_client.post(
            change_url(customer), admin_form_data(manager_client.get(change_url(customer)))
        )

        assert response.status_code == 302
        assert not OutboxEntry.objects.exists()

    @pytest.mark.parametrize(
        ("changes", "field", "message"),
        [
            ({"tax_exempt": True}, "tax_exemption_reason", "Choose a tax exemption reason"),
            ({"phone": "call me"}, "phone", "Enter a phone number with 7 to 15 digits"),
            ({"display_name": "Main: Annex"}, "display_name", "cannot contain a colon"),
            ({"display_name": "taken co"}, "display_name", "A customer named 'Taken Co' already exists."),
            ({"bill_with_parent": True}, "bill_with_parent", "Only a sub-customer can be billed"),
        ],
    )
    def test_a_refused_change_shows_the_message_on_its_field_and_saves_nothing(
        self, manager_client, changes, field, message
    ):
        CustomerFactory(display_name="Taken Co")
        customer = CustomerFactory(display_name="Mine", email="keep@example.com")
        data = admin_form_data(
            manager_client.get(change_url(customer)), email="changed@example.com", **changes
        )

        response = manager_client.post(change_url(customer), data)

        assert response.status_code == 200
        assert message in " ".join(response.context["adminform"].form.errors[field])
        assert Customer.objects.get(pk=customer.pk).email == "keep@example.com"
        assert not OutboxEntry.objects.exists()

    def test_a_parent_cycle_is_refused_on_the_parent_field(self, manager_client):
        top = CustomerFactory(display_name="Top")
        child = CustomerFactory(display_name="Child", parent=top)
        data = admin_form_data(manager_client.get(change_url(top)), parent=child.pk)

        response = manager_client.post(change_url(top), data)

        assert response.context["adminform"].form.errors["parent"] == [
            "'Top' cannot be under 'Child' because 'Child' is already under 'Top'."
        ]

    def test_unticking_active_for_a_customer_with_a_balance_is_refused_on_the_active_field(
        self, manager_client
    ):
        customer = CustomerFactory(display_name="Owes", balance=Decimal("10.00"))
        data = admin_form_data(manager_client.get(change_url(customer)), is_active=False)

        response = manager_client.post(change_url(customer), data)

        assert "'Owes' has a balance of 10.00" in response.context["adminform"].form.errors["is_active"][0]
        assert Customer.objects.get().is_active

    def test_a_tax_exempt_customer_with_a_reason_saves(self, manager_client):
        customer = CustomerFactory()
        data = admin_form_data(
            manager_client.get(change_url(customer)),
            tax_exempt=True,
            tax_exemption_reason=str(TaxExemptionReason.RESALE.value),
            resale_number="R-1",
        )

        assert manager_client.post(change_url(customer), data).status_code == 302
        assert OutboxEntry.objects.get().changed_fields == [
            "resale_number",
            "tax_exempt",
            "tax_exemption_reason",
        ]


class TestActions:
    def _post(self, client, action, customers, **extra):
        return client.post(
            CHANGELIST,
            {"action": action, "_selected_action": [c.pk for c in customers], **extra},
            follow=True,
        )

    def test_deactivate_asks_first_then_deactivates_with_sub_customers(self, manager_client):
        parent = CustomerFactory(display_name="Parent")
        CustomerFactory(display_name="Job", parent=parent)

        confirm = self._post(manager_client, "deactivate_selected", [parent])
        assert "Yes, deactivate" in confirm.content.decode() and "Job" in confirm.content.decode()
        assert Customer.objects.filter(is_active=True).count() == 2

        done = self._post(manager_client, "deactivate_selected", [parent], post="yes")
        assert "Deactivated 2 customers." in _messages(done)
        assert not Customer.objects.filter(is_active=True).exists()
        assert OutboxEntry.objects.filter(operation="deactivate").count() == 2

    def test_deactivate_reports_a_refusal_and_carries_on_with_the_rest(self, manager_client):
        owing = CustomerFactory(display_name="Owing", balance=Decimal("3.00"))
        fine = CustomerFactory(display_name="Fine")

        confirm = self._post(manager_client, "deactivate_selected", [owing, fine])
        assert "Will not be deactivated" in confirm.content.decode()
        done = self._post(manager_client, "deactivate_selected", [owing, fine], post="yes")

        shown = _messages(done)
        assert "Deactivated 1 customer." in shown
        assert any(m.startswith("Not changed: 'Owing' has a balance of 3.00") for m in shown)
        assert dict(Customer.objects.values_list("display_name", "is_active")) == {
            "Owing": True,
            "Fine": False,
        }

    def test_reactivate_does_parents_before_their_sub_customers(self, manager_client):
        parent = CustomerFactory(is_active=False)
        child = CustomerFactory(parent=parent, is_active=False)

        done = self._post(manager_client, "reactivate_selected", [child, parent])

        assert "Reactivated 2 customers." in _messages(done)
        assert Customer.objects.filter(is_active=True).count() == 2

    def test_use_with_quickbooks_flags_only_those_not_flagged_yet(self, manager_client):
        off = CustomerFactory(sync_with_quickbooks=False)
        on = CustomerFactory(sync_with_quickbooks=True)

        done = self._post(manager_client, "use_with_quickbooks", [off, on])
        assert "Marked 1 customer “use with QuickBooks”." in _messages(done)
        assert list(OutboxEntry.objects.values_list("object_id", "changed_fields")) == [
            (off.pk, ["sync_with_quickbooks"])
        ]

        done = self._post(manager_client, "stop_using_with_quickbooks", [off, on])
        assert "Unmarked 2 customers “use with QuickBooks”." in _messages(done)
        assert not Customer.objects.filter(sync_with_quickbooks=True).exists()


class TestDelete:
    def test_a_manager_deletes_an_unused_customer_and_quickbooks_is_told(self, manager_client):
        customer = CustomerFactory()
        url = reverse("admin:customers_customer_delete", args=[customer.pk])

        response = manager_client.post(url, {"post": "yes"})

        assert response.status_code == 302
        assert not Customer.objects.exists()
        assert OutboxEntry.objects.get().operation == "delete"

    def test_a_customer_with_sub_customers_is_not_deleted_and_the_reason_is_given(self, manager_client):
        parent = CustomerFactory(display_name="Parent")
        CustomerFactory(parent=parent)
        url = reverse("admin:customers_customer_delete", args=[parent.pk])

        response = manager_client.post(url, {"post": "yes"}, follow=True)

        assert response.redirect_chain[-1][0] == change_url(parent)
        assert _messages(response) == [
            "'Parent' cannot be deleted because it has 1 sub-customer. Deactivate it instead: "
            "QuickBooks keeps inactive customers with their history."
        ]
        assert Customer.objects.count() == 2

    def test_bulk_delete_is_not_offered(self, manager_client):
        CustomerFactory()
        actions = manager_client.get(CHANGELIST).context["action_form"].fields["action"].choices
        assert "delete_selected" not in [name for name, _ in actions]


def test_the_parent_picker_searches_like_the_list(manager_client):
    CustomerFactory(display_name="Findable", phone="(555) 867-5309")
    CustomerFactory(display_name="Other", phone="(555) 111-2222")
    params = {"app_label": "customers", "model_name": "customer", "field_name": "parent", "term": "8675309"}

    response = manager_client.get(reverse("admin:autocomplete"), params)

    assert [item["text"] for item in response.json()["results"]] == ["Findable"]


class TestCustomerTypesAndNotes:
    def test_a_type_in_use_is_not_deleted_and_an_unused_one_is(self, manager_client):
        used, unused = CustomerTypeFactory(name="Used"), CustomerTypeFactory(name="Unused")
        CustomerFactory(customer_type=used)

        refused = manager_client.post(
            reverse("admin:customers_customertype_delete", args=[used.pk]), {"post": "yes"}, follow=True
        )
        manager_client.post(reverse("admin:customers_customertype_delete", args=[unused.pk]), {"post": "yes"})

        assert _messages(refused) == ["'Used' is the type of 1 customer. Give them another type first."]
        assert list(CustomerType.objects.values_list("name", flat=True)) == ["Used"]
        assert list(OutboxEntry.objects.values_list("operation", "object_id")) == [("delete", unused.pk)]

    def test_renaming_a_type_onto_another_name_is_refused_on_the_name_field(self, manager_client):
        CustomerTypeFactory(name="Retail")
        trade = CustomerTypeFactory(name="Trade")

        response = manager_client.post(
            reverse("admin:customers_customertype_change", args=[trade.pk]), {"name": "RETAIL"}
        )

        assert response.context["adminform"].form.errors["name"] == [
            "A customer type named 'Retail' already exists."
        ]

    def test_a_note_added_on_its_own_page_is_signed_and_cannot_be_rewritten(self, staff_client, role_users):
        customer = CustomerFactory()

        response = staff_client.post(
            reverse("admin:customers_customernote_add"), {"customer": customer.pk, "body": "Prefers email."}
        )

        note = CustomerNote.objects.get()
        assert response.status_code == 302
        assert (note.body, note.author) == ("Prefers email.", role_users["Staff"])
        change = staff_client.post(
            reverse("admin:customers_customernote_change", args=[note.pk]),
            {"customer": customer.pk, "body": "x"},
        )
        assert change.status_code == 403
        assert CustomerNote.objects.get().body == "Prefers email."
