"""Items and sales reach QuickBooks as the sync settings say: read back from the sandbox."""

from __future__ import annotations

from decimal import Decimal

import pytest

from customers.services import customer_create
from integrations.mapping.choices import Direction, Entity
from integrations.models import SyncFailure
from integrations.models.mapping import FieldMapping, SyncSettings
from integrations.sync.push import drain
from sales.models import Item, PaymentMethod, Sale, TaxCode
from sales.services import LineInput, item_create, sale_create
from tests.factories.sales import TODAY
from tests.integrations.sync.helpers import item_lines, linked, named, read_back

pytestmark = [pytest.mark.django_db, pytest.mark.sandbox]


def _item(name: str, price: str = "10.00", **kwargs) -> Item:
    return item_create(name=name, unit_price=Decimal(price), **kwargs)


def test_items_are_created_with_their_type_price_and_income_account(connection, qbo):
    _item("Gift wrap", "2.50", kind=Item.Kind.SERVICE, taxable=False)
    _item("Garden hose", "24.00", kind=Item.Kind.INVENTORY, quantity_on_hand=Decimal("7"), sku="HOSE-1")

    result = drain(connection.pk)

    assert (result.pushed, result.failed) == (2, 0)
    [wrap] = named(qbo, "Item", "Gift wrap", "Name")
    [hose] = named(qbo, "Item", "Garden hose", "Name")
    assert (wrap["Type"], wrap["UnitPrice"], wrap["Taxable"]) == ("Service", 2.5, False)
    assert wrap["IncomeAccountRef"]["name"] == "Sales of Product Income"
    assert (hose["Type"], hose["QtyOnHand"], hose["Sku"]) == ("Inventory", 7, "HOSE-1")
    assert hose["AssetAccountRef"]["name"] == "Inventory Asset"


def test_cash_sale_becomes_a_sales_receipt_with_method_deposit_tax_discount_and_po(connection, qbo):
    TaxCode.objects.create(name="California", rate=Decimal("8.00"))
    customer = customer_create(display_name="Harbor Cafe", email="owner@harbor.example")
    hose = _item("Soaker hose", "20.00")
    sale = sale_create(
        kind=Sale.Kind.CASH,
        customer=customer,
        date=TODAY,
        lines=[LineInput(item=hose, quantity=Decimal("2"))],
        tax_code=TaxCode.objects.get(name="California"),
        discount_percent=Decimal("10"),
        payment_method=PaymentMethod.CARD,
        customer_po="PO-7781",
        memo="Left at the back door",
    )

    result = drain(connection.pk)

    assert (result.pushed, result.failed) == (3, 0)  # item, customer, sale
    receipt = read_back(qbo, sale)
    assert linked(sale).qbo_type == "SalesReceipt"
    assert receipt["DocNumber"] == sale.number and receipt["TxnDate"] == TODAY.isoformat()
    assert receipt["CustomerRef"]["value"] == linked(customer).qbo_id
    assert receipt["PaymentMethodRef"]["name"] == "Visa"
    assert receipt["DepositToAccountRef"]["name"] == "Undeposited Funds"
    assert receipt["TxnTaxDetail"]["TxnTaxCodeRef"]["value"] == "2"  # California
    assert receipt["PrivateNote"] == "PO# PO-7781 · Left at the back door"
    [line] = item_lines(receipt)
    assert line["SalesItemLineDetail"]["ItemRef"]["value"] == linked(hose).qbo_id
    assert (line["Amount"], line["SalesItemLineDetail"]["TaxCodeRef"]["value"]) == (40, "TAX")
    [discount] = [x for x in receipt["Line"] if x["DetailType"] == "DiscountLineDetail"]
    assert discount["DiscountLineDetail"]["DiscountPercent"] == 10 and discount["Amount"] == 4


def test_taxed_cash_sale_total_in_quickbooks_matches_the_register(connection, qbo):
    code = TaxCode.objects.create(name="California", rate=Decimal("8.00"))
    sale = sale_create(
        kind=Sale.Kind.CASH,
        date=TODAY,
        lines=[LineInput(item=_item("Planter", "12.50"), quantity=Decimal("4"))],
        tax_code=code,
        payment_method=PaymentMethod.CASH,
    )

    drain(connection.pk)

    receipt = read_back(qbo, sale)
    assert Decimal(str(receipt["TotalAmt"])) == sale.total == Decimal("54.00")
    assert "CustomerRef" not in receipt  # a walk-in sale
    assert receipt["PaymentMethodRef"]["name"] == "Cash"


def test_account_charge_becomes_an_invoice_with_the_po_in_its_custom_field(connection, qbo):
    customer = customer_create(display_name="Freeman Landscaping", email="ap@freeman.example")
    sale = sale_create(
        kind=Sale.Kind.CHARGE,
        customer=customer,
        date=TODAY,
        due_date=TODAY.replace(day=30),
        lines=[LineInput(item=_item("Mulch bag", "6.00", taxable=False), quantity=Decimal("10"))],
        customer_po="FL-2026-14",
    )

    drain(connection.pk)

    invoice = read_back(qbo, sale)
    assert linked(sale).qbo_type == "Invoice"
    assert invoice["Balance"] == 60 and invoice["DueDate"] == TODAY.replace(day=30).isoformat()
    assert invoice["CustomField"] == [
        {"DefinitionId": "1", "Name": "P.O. Number", "Type": "StringType", "StringValue": "FL-2026-14"}
    ]
    assert "PrivateNote" not in invoice


def test_a_customer_not_flagged_still_goes_with_a_charge_but_not_with_a_cash_sale(connection, qbo):
    charged = customer_create(display_name="Cash Only Carla", sync_with_quickbooks=False)
    walk_in = customer_create(display_name="Private Pete", sync_with_quickbooks=False)
    rake = _item("Rake", "15.00")
    charge = sale_create(
        kind=Sale.Kind.CHARGE, customer=charged, date=TODAY, lines=[LineInput(item=rake, quantity=1)]
    )
    cash = sale_create(
        kind=Sale.Kind.CASH,
        customer=walk_in,
        date=TODAY,
        lines=[LineInput(item=rake, quantity=1)],
        payment_method=PaymentMethod.CASH,
    )

    drain(connection.pk)

    assert read_back(qbo, charge)["CustomerRef"]["value"] == linked(charged).qbo_id
    assert "CustomerRef" not in read_back(qbo, cash)
    assert named(qbo, "Customer", "Private Pete") == []


def test_summary_lines_for_cash_sales_when_item_detail_is_for_charges_only(connection, qbo):
    SyncSettings.objects.create(realm_id=connection.realm_id, item_detail="charges_only")
    sale = sale_create(
        kind=Sale.Kind.CASH,
        date=TODAY,
        lines=[
            LineInput(item=_item("Seeds", "3.00"), quantity=Decimal("3")),
            LineInput(item=_item("Gloves", "8.00"), quantity=Decimal("1")),
        ],
        payment_method=PaymentMethod.CHECK,
    )

    drain(connection.pk)

    [line] = item_lines(read_back(qbo, sale))
    assert line["Amount"] == 17
    assert line["Description"] == "Summary of 2 line(s): Sales of Product Income"


def test_a_sale_whose_customer_failed_waits_and_says_why_while_others_flow(connection, qbo, sandbox_company):
    sandbox_company.hook(
        f"realms/{sandbox_company.realm}/bookkeeper",
        {"entity": "Vendor", "action": "create", "fields": {"DisplayName": "Taken Name Ltd"}},
    )
    blocked = customer_create(display_name="Taken Name Ltd")
    fine = customer_create(display_name="Open Road Supply")
    rope = _item("Rope", "9.00")
    waiting = sale_create(
        kind=Sale.Kind.CHARGE, customer=blocked, date=TODAY, lines=[LineInput(item=rope, quantity=1)]
    )
    flowing = sale_create(
        kind=Sale.Kind.CHARGE, customer=fine, date=TODAY, lines=[LineInput(item=rope, quantity=2)]
    )

    drain(connection.pk)

    assert read_back(qbo, flowing)["TotalAmt"] == 18
    failure = SyncFailure.objects.get(entity="sales.sale", object_id=waiting.pk)
    assert failure.cause == "waiting_for_dependency"
    assert "Taken Name Ltd" in failure.message
    assert SyncFailure.objects.get(entity="customers.customer", object_id=blocked.pk).cause == (
        "duplicate_name"
    )


def test_a_voided_sale_is_voided_in_quickbooks(connection, qbo):
    from sales.services import sale_void

    sale = sale_create(
        kind=Sale.Kind.CASH,
        date=TODAY,
        lines=[LineInput(item=_item("Trowel", "11.00"), quantity=1)],
        payment_method=PaymentMethod.CASH,
    )
    drain(connection.pk)
    sale_void(sale=sale)

    drain(connection.pk)

    receipt = read_back(qbo, sale)
    assert receipt["TotalAmt"] == 0 and receipt["PrivateNote"].startswith("Voided")


def test_a_mapping_can_send_card_sales_to_another_deposit_account(connection, qbo):
    FieldMapping.objects.create(
        entity=Entity.SALE,
        local_field="payment_method",
        qbo_path="DepositToAccountRef.name",
        direction=Direction.TO_QBO,
        transform="value_map",
        transform_args={"map": {"card": "Checking"}, "unmapped": "blank"},
    )
    item = _item("Bench", "80.00")
    card = sale_create(
        kind=Sale.Kind.CASH, date=TODAY, lines=[LineInput(item=item, quantity=1)], payment_method="card"
    )
    cash = sale_create(
        kind=Sale.Kind.CASH, date=TODAY, lines=[LineInput(item=item, quantity=1)], payment_method="cash"
    )

    drain(connection.pk)

    assert read_back(qbo, card)["DepositToAccountRef"]["name"] == "Checking"
    assert read_back(qbo, cash)["DepositToAccountRef"]["name"] == "Undeposited Funds"


def test_a_sale_whose_item_clashes_with_a_quickbooks_name_waits_for_that_item(connection, qbo):
    clash = _item("Pest Control", "35.00")  # the sample company already has this item
    sale = sale_create(
        kind=Sale.Kind.CASH, date=TODAY, lines=[LineInput(item=clash, quantity=1)], payment_method="cash"
    )

    drain(connection.pk)

    assert SyncFailure.objects.get(entity="sales.item", object_id=clash.pk).cause == "duplicate_name"
    waiting = SyncFailure.objects.get(entity="sales.sale", object_id=sale.pk)
    assert "is waiting for Item ‘Pest Control’" in waiting.message
