"""Initial import from a real sandbox company over HTTP: what arrives locally, linked, once."""

from __future__ import annotations

from decimal import Decimal

import pytest

from customers.models import Customer
from integrations.models import ImportRun, QBOLink
from sales.models import Item, Payment, Sale, TaxCode
from syncportal.outbox.models import OutboxEntry

pytestmark = [pytest.mark.django_db, pytest.mark.sandbox]


def test_import_brings_customers_hierarchy_items_invoices_and_payments(seeded, import_all, sandbox_company):
    sandbox_company.hook("requests", method="DELETE")
    run = import_all()

    assert run.status == ImportRun.Status.DONE, run.error
    assert run.percent == 100
    names = set(Customer.objects.values_list("display_name", flat=True))
    assert {"Amy's Bird Sanctuary", "Freeman Sporting Goods", "Harbor Outfitters", "Pier 12 Dock B"} <= names
    assert Customer.objects.count() == 11
    ocean = Customer.objects.get(display_name="0969 Ocean View Road")
    assert ocean.parent.display_name == "Freeman Sporting Goods" and ocean.bill_with_parent
    dock = Customer.objects.get(display_name="Pier 12 Dock B")
    assert dock.full_name == "Harbor Outfitters:Pier 12:Pier 12 Dock B" and dock.depth == 2
    assert Customer.objects.get(display_name="Harbor Outfitters").email == "ap@harbor.example"

    lamp = Item.objects.get(name="Dock Lamp")
    assert (lamp.unit_price, lamp.sku, lamp.income_account) == (
        Decimal("40.00"),
        "LAMP-1",
        "Sales of Product Income",
    )
    assert TaxCode.objects.get(name="Tucson").rate == Decimal("9.1000")

    open_charges = {s.number: s for s in Sale.objects.filter(kind=Sale.Kind.CHARGE)}
    assert len(open_charges) == 4
    red_rock = Sale.objects.get(customer__display_name="Red Rock Diner")
    assert (red_rock.total, red_rock.balance_due) == (Decimal("120.00"), Decimal("70.00"))
    pier_invoice = Sale.objects.get(customer=Customer.objects.get(display_name="Pier 12"))
    assert [(x.item.name, x.quantity, x.amount) for x in pier_invoice.lines.all()] == [
        ("Dock Lamp", Decimal("2.000"), Decimal("80.00"))
    ]

    pier_payment = Payment.objects.get(customer__display_name="Pier 12")
    assert (pier_payment.amount, pier_payment.unapplied_amount, pier_payment.method) == (
        Decimal("100.00"),
        Decimal("70.00"),
        "card",
    )
    assert [(a.sale_id, a.amount) for a in pier_payment.allocations.all()] == [
        (pier_invoice.pk, Decimal("30.00"))
    ]
    assert Payment.objects.get(allocations__sale=red_rock).amount == Decimal("50.00")

    link = QBOLink.objects.get(entity="customers.customer", object_id=dock.pk)
    assert (link.qbo_type, link.qbo_id, link.sync_token) == ("Customer", seeded["sub_job"]["Id"], "0")
    # The base is the QuickBooks-shaped state a push agrees with (its sparse updates diff against it).
    assert link.fingerprint and link.base["DisplayName"] == "Pier 12 Dock B"
    assert link.base["ParentRef"] == {"value": seeded["job"]["Id"]}
    log = sandbox_company.hook(f"requests?realm={sandbox_company.realm}&limit=10000", method="GET")[
        "requests"
    ]
    assert run.api_calls == len([r for r in log if r["path"].startswith("/v3/")])  # every metered read
    assert OutboxEntry.objects.count() == 0  # applied with origin QuickBooks: nothing to push back
