"""The sales admin: every page renders, and forms and actions save through the services."""

from decimal import Decimal as D

import pytest
from django.urls import reverse

from sales.models import CreditApplication, Item, Payment, Refund, Sale, StoreCredit, TaxCode
from sales.services import LineInput, refund_create, store_credit_create
from syncportal.outbox.models import OutboxEntry
from tests.factories.customers import CustomerFactory
from tests.factories.sales import (
    TODAY,
    InventoryItemFactory,
    ItemFactory,
    TaxCodeFactory,
    make_cash_sale,
    make_charge,
    make_payment,
)
from tests.sales.conftest import errors, formset, outbox, url

pytestmark = pytest.mark.django_db


def sale_form(*, customer=None, kind="charge", lines, **extra) -> dict:
    data = {
        "kind": kind,
        "customer": customer.pk if customer else "",
        "date": TODAY.isoformat(),
        "payment_method": "cash" if kind == "cash" else "",
        "due_date": "",
        "tax_code": "",
        "discount_percent": "0",
        "customer_po": "",
        "memo": "",
        "override_reason": "",
        "_save": "Save",
    }
    data.update(
        formset(
            "lines",
            [
                {
                    "item": item.pk,
                    "description": "",
                    "quantity": quantity,
                    "unit_price": "",
                    "taxable": "unknown",
                }
                for item, quantity in lines
            ],
        )
    )
    data.update(extra)
    return data


@pytest.fixture
def documents():
    """One of each document, so every change page has something to show."""
    customer = CustomerFactory()
    item = InventoryItemFactory()
    charge = make_charge(customer=customer, lines=[LineInput(item=item, quantity=D("2"))])
    payment = make_payment(customer=customer, amount="5.00", allocations=[(charge, D("5.00"))])
    cash = make_cash_sale(customer=customer, lines=[LineInput(item=item, quantity=D("1"))])
    refund = refund_create(
        date=TODAY, method="cash", original_sale=cash, lines=[LineInput(item=item, quantity=D("1"))]
    )
    credit = store_credit_create(customer=customer, date=TODAY, lines=[LineInput(item=item, quantity=D("1"))])
    return {
        Item: item,
        TaxCode: TaxCodeFactory(),
        Sale: charge,
        Payment: payment,
        Refund: refund,
        StoreCredit: credit,
    }


def test_every_sales_admin_page_renders_for_a_manager(client, manager, documents):
    client.force_login(manager)
    for model, obj in documents.items():
        for page in (url(model, "changelist"), url(model, "add"), url(model, "change", obj.pk)):
            response = client.get(page)
            assert response.status_code == 200, page
        response = client.get(url(model, "changelist"), {"q": "0"})
        assert response.status_code == 200


def test_sale_list_shows_walk_ins_money_and_status(client, manager):
    make_cash_sale()
    make_charge(amount="1234.50")
    client.force_login(manager)
    page = client.get(url(Sale, "changelist")).content.decode()
    assert "Walk-in" in page and "$1,234.50" in page and "Paid at register" in page and "Open" in page


def test_creating_an_account_charge_through_the_admin_calls_the_service(client, staff):
    customer = CustomerFactory()
    item = ItemFactory(unit_price=D("12.50"), taxable=False)
    client.force_login(staff)
    response = client.post(url(Sale, "add"), sale_form(customer=customer, lines=[(item, "2")]))
    assert response.status_code == 302, errors(response)
    sale = Sale.objects.get()
    assert (sale.number, sale.total, sale.balance_due, sale.created_by) == (
        "INV-000001",
        D("25.00"),
        D("25.00"),
        staff,
    )
    assert outbox() == [("sales.sale", sale.pk, "create")]
    customer.refresh_from_db()
    assert customer.balance == D("25.00")


def test_service_refusal_shows_on_the_form_and_nothing_is_written(client, staff):
    item = ItemFactory()
    client.force_login(staff)
    response = client.post(url(Sale, "add"), sale_form(customer=None, lines=[(item, "1")]))
    assert response.status_code == 200
    assert "only cash sales can be walk-in" in response.content.decode()
    assert not Sale.objects.exists() and not OutboxEntry.objects.exists()


def test_staff_cannot_approve_going_over_the_credit_limit(client, staff):
    customer = CustomerFactory(credit_limit=D("10.00"))
    item = ItemFactory(unit_price=D("25.00"), taxable=False)
    client.force_login(staff)
    response = client.post(
        url(Sale, "add"),
        sale_form(
            customer=customer, lines=[(item, "1")], override_credit_limit="on", override_reason="regular"
        ),
    )
    assert response.status_code == 200
    assert "Over the credit limit by $15.00; a manager must approve." in response.content.decode()
    assert not Sale.objects.exists()


def test_manager_approves_going_over_the_credit_limit(client, manager):
    customer = CustomerFactory(credit_limit=D("10.00"))
    item = ItemFactory(unit_price=D("25.00"), taxable=False)
    client.force_login(manager)
    response = client.post(
        url(Sale, "add"),
        sale_form(
            customer=customer, lines=[(item, "1")], override_credit_limit="on", override_reason="regular"
        ),
    )
    assert response.status_code == 302
    sale = Sale.objects.get()
    assert (sale.credit_override_by, sale.credit_override_reason) == (manager, "regular")


def test_selling_below_zero_warns_the_user(client, staff):
    item = InventoryItemFactory(quantity_on_hand=D("0"), name="Last widget")
    client.force_login(staff)
    response = client.post(url(Sale, "add"), sale_form(kind="cash", lines=[(item, "2")]), follow=True)
    assert "Last widget is now at -2 on hand; please recount it." in response.content.decode()


def test_changing_a_sale_through_the_admin_replaces_its_lines(client, staff):
    item = ItemFactory(unit_price=D("10.00"), taxable=False)
    sale = make_charge(lines=[LineInput(item=item, quantity=D("1"))])
    line = sale.lines.get()
    data = {
        "due_date": "",
        "discount_percent": "0",
        "customer_po": "PO-7",
        "memo": "",
        "override_reason": "",
    }
    data.update(
        formset(
            "lines",
            [
                {
                    "id": line.pk,
                    "sale": sale.pk,
                    "item": item.pk,
                    "description": "",
                    "quantity": "3",
                    "unit_price": "10.00",
                    "taxable": "false",
                }
            ],
            initial=1,
        )
    )
    data |= formset("allocations", []) | formset("credit_applications", [])  # the read-only inlines
    client.force_login(staff)
    response = client.post(url(Sale, "change", sale.pk), data)
    assert response.status_code == 302, errors(response)
    sale.refresh_from_db()
    assert (sale.total, sale.customer_po, sale.lines.get().quantity) == (D("30.00"), "PO-7", D("3"))
    assert outbox()[-1] == ("sales.sale", sale.pk, "update")


def test_sale_with_a_payment_applied_is_view_only(client, staff):
    sale = make_charge(amount="20.00")
    make_payment(customer=sale.customer, amount="5.00", allocations=[(sale, D("5.00"))])
    client.force_login(staff)
    page = client.get(url(Sale, "change", sale.pk))
    assert page.status_code == 200 and "View sale" in page.content.decode()
    assert client.post(url(Sale, "change", sale.pk), {"memo": "x"}).status_code == 403


def test_recording_a_payment_through_the_admin(client, staff):
    customer = CustomerFactory()
    first, second = (
        make_charge(customer=customer, amount="40.00"),
        make_charge(customer=customer, amount="40.00"),
    )
    data = {
        "customer": customer.pk,
        "date": TODAY.isoformat(),
        "amount": "100.00",
        "method": "check",
        "reference": "1042",
        "memo": "",
        "_save": "Save",
    }
    data.update(
        formset(
            "allocations",
            [
                {"sale": first.pk, "amount": "40.00"},
                {"sale": second.pk, "amount": "25.00"},
                {"sale": "", "amount": ""},
            ],
        )
    )
    client.force_login(staff)
    response = client.post(url(Payment, "add"), data)
    assert response.status_code == 302, errors(response)
    payment = Payment.objects.get()
    first.refresh_from_db()
    second.refresh_from_db()
    assert (payment.unapplied_amount, first.balance_due, second.balance_due) == (
        D("35.00"),
        D("0.00"),
        D("15.00"),
    )
    assert outbox()[-1] == ("sales.payment", payment.pk, "create")


def test_payment_allocation_beyond_the_balance_is_shown_on_the_form(client, staff):
    customer = CustomerFactory()
    sale = make_charge(customer=customer, amount="40.00")
    data = {
        "customer": customer.pk,
        "date": TODAY.isoformat(),
        "amount": "100.00",
        "method": "cash",
        "reference": "",
        "memo": "",
    }
    data.update(formset("allocations", [{"sale": sale.pk, "amount": "60.00"}]))
    client.force_login(staff)
    response = client.post(url(Payment, "add"), data)
    assert response.status_code == 200
    assert "Only $40.00 is due on INV-000001; $60.00 cannot be applied to it." in response.content.decode()
    assert not Payment.objects.exists()


def test_applying_store_credit_through_the_admin(client, staff):
    customer = CustomerFactory()
    sale = make_charge(customer=customer, amount="40.00")
    credit = store_credit_create(
        customer=customer, date=TODAY, lines=[LineInput(item=ItemFactory(taxable=False), quantity=D("1"))]
    )
    client.force_login(staff)
    data = formset("lines", [], initial=0) | formset("applications", [{"sale": sale.pk, "amount": "10.00"}])
    data["lines-INITIAL_FORMS"] = data["lines-TOTAL_FORMS"] = "0"
    response = client.post(url(StoreCredit, "change", credit.pk), data)
    assert response.status_code == 302, errors(response)
    sale.refresh_from_db()
    assert sale.balance_due == D("30.00")
    assert CreditApplication.objects.get().amount == D("10.00")


def test_void_action_asks_first_then_voids(client, staff):
    sale = make_charge(amount="20.00")
    client.force_login(staff)
    action = {"action": "void_selected", "_selected_action": [sale.pk]}
    confirm = client.post(url(Sale, "changelist"), action)
    assert confirm.status_code == 200 and "Yes, void them" in confirm.content.decode()
    sale.refresh_from_db()
    assert not sale.is_void
    client.post(url(Sale, "changelist"), {**action, "post": "yes"})
    sale.refresh_from_db()
    assert sale.is_void
    assert outbox()[-1] == ("sales.sale", sale.pk, "void")


@pytest.mark.parametrize("model", [Payment, Refund, StoreCredit])
def test_void_action_works_for_every_document(client, staff, documents, model):
    document = documents[model]
    client.force_login(staff)
    client.post(
        url(model, "changelist"),
        {"action": "void_selected", "_selected_action": [document.pk], "post": "yes"},
    )
    document.refresh_from_db()
    assert document.is_void
    assert outbox()[-1] == (model._meta.label_lower, document.pk, "void")


def test_void_action_reports_a_refusal_in_words(client, staff):
    sale = make_charge(amount="20.00")
    make_payment(customer=sale.customer, amount="5.00", allocations=[(sale, D("5.00"))])
    client.force_login(staff)
    response = client.post(
        url(Sale, "changelist"),
        {"action": "void_selected", "_selected_action": [sale.pk], "post": "yes"},
        follow=True,
    )
    assert "un-apply or void those payments" in response.content.decode()
    sale.refresh_from_db()
    assert not sale.is_void


def test_recompute_action_repairs_a_drifted_balance(client, bookkeeper):
    sale = make_charge(amount="20.00")
    # Simulate drift left by a change made behind the services' back (e.g. a bad data fix).
    Sale.objects.filter(pk=sale.pk).update(balance_due=D("3.00"))
    sale.customer.__class__.objects.filter(pk=sale.customer_id).update(balance=D("3.00"))
    client.force_login(bookkeeper)
    response = client.post(
        url(Sale, "changelist"), {"action": "recompute_balances", "_selected_action": [sale.pk]}, follow=True
    )
    assert "Recomputed 1 sale(s) and 1 customer balance(s)." in response.content.decode()
    sale.refresh_from_db()
    sale.customer.refresh_from_db()
    assert (sale.balance_due, sale.customer.balance) == (D("20.00"), D("20.00"))


def test_item_picker_offers_only_active_items(client, staff):
    ItemFactory(name="Drill active")
    ItemFactory(name="Drill retired", is_active=False)
    client.force_login(staff)
    response = client.get(
        reverse("admin:autocomplete"),
        {"term": "Drill", "app_label": "sales", "model_name": "saleline", "field_name": "item"},
    )
    assert [row["text"] for row in response.json()["results"]] == ["Drill active"]
