"""Per role: what staff, bookkeepers and managers may do in the sales admin (enforced server-side)."""

from decimal import Decimal as D

import pytest

from sales.models import Item, Payment, Sale
from sales.services import sale_void
from syncportal.outbox.models import OutboxEntry
from tests.factories.sales import ItemFactory, make_cash_sale
from tests.sales.conftest import outbox, url

pytestmark = pytest.mark.django_db


class TestRoles:
    def test_staff_records_sales_and_payments_but_cannot_edit_items_or_delete(self, client, staff):
        client.force_login(staff)
        assert client.get(url(Sale, "add")).status_code == 200
        assert client.get(url(Payment, "add")).status_code == 200
        item = ItemFactory(name="Hammer")
        response = client.post(
            url(Item, "change", item.pk),
            {"name": "Mallet", "kind": item.kind, "unit_price": "1.00", "taxable": "on"},
        )
        assert response.status_code == 403
        assert client.get(url(Item, "add")).status_code == 403
        void = sale_void(sale=make_cash_sale())
        assert client.post(url(Sale, "delete", void.pk), {"post": "yes"}).status_code == 403
        assert Sale.objects.filter(pk=void.pk).exists()

    def test_bookkeeper_edits_items_through_the_service(self, client, bookkeeper):
        item = ItemFactory(name="Hammer", unit_price=D("9.00"))
        client.force_login(bookkeeper)
        response = client.post(
            url(Item, "change", item.pk),
            {
                "name": "Claw hammer",
                "sku": "",
                "description": "",
                "kind": item.kind,
                "category": "",
                "unit_price": "9.50",
                "taxable": "on",
                "income_account": "",
                "is_active": "on",
            },
        )
        assert response.status_code == 302
        item.refresh_from_db()
        assert (item.name, item.unit_price) == ("Claw hammer", D("9.50"))
        assert OutboxEntry.objects.get(operation="update").changed_fields == ["name", "unit_price"]

    def test_manager_deletes_a_void_sale_but_not_a_live_one(self, client, manager):
        live, void = make_cash_sale(), sale_void(sale=make_cash_sale())
        client.force_login(manager)
        assert client.post(url(Sale, "delete", live.pk), {"post": "yes"}).status_code == 403
        assert client.post(url(Sale, "delete", void.pk), {"post": "yes"}).status_code == 302
        assert not Sale.objects.filter(pk=void.pk).exists()
        assert outbox()[-1] == ("sales.sale", void.pk, "delete")

    def test_nobody_deletes_items_in_the_admin(self, client, manager):
        item = ItemFactory()
        client.force_login(manager)
        assert client.post(url(Item, "delete", item.pk), {"post": "yes"}).status_code == 403
