"""Edits go out as sparse updates of what changed; settings naming things QuickBooks lacks are failures."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from integrations.models import SyncFailure
from integrations.models.mapping import SyncSettings
from integrations.sync.push import drain
from sales.models import Item, PaymentMethod, Sale, TaxCode
from sales.services import LineInput, item_create, item_update, sale_create, sale_update
from tests.factories.sales import TODAY
from tests.integrations.sync.helpers import item_lines, linked, read_back

pytestmark = [pytest.mark.django_db, pytest.mark.sandbox]


def _last_sent(sandbox_company, qbo_type: str) -> dict:
    log = sandbox_company.hook(f"requests?realm={sandbox_company.realm}&limit=500", method="GET")
    bodies = [
        item[qbo_type]
        for entry in log["requests"]
        if "batch" in entry.get("path", "") and entry.get("body")
        for item in json.loads(entry["body"])["BatchItemRequest"]
        if qbo_type in item
    ]
    return bodies[-1]


def _cash_sale(item: Item, **kwargs) -> Sale:
    kwargs.setdefault("payment_method", PaymentMethod.CASH)
    return sale_create(
        kind=Sale.Kind.CASH, date=TODAY, lines=[LineInput(item=item, quantity=Decimal("1"))], **kwargs
    )


def test_editing_a_sale_memo_sends_only_the_memo(connection, qbo, sandbox_company):
    sale = _cash_sale(item_create(name="Bird feeder", unit_price=Decimal("30.00")), memo="Gift")
    drain(connection.pk)
    sale_update(sale=sale, memo="Gift, wrapped")

    drain(connection.pk)

    assert set(_last_sent(sandbox_company, "SalesReceipt")) == {"Id", "SyncToken", "sparse", "PrivateNote"}
    receipt = read_back(qbo, sale)
    assert receipt["PrivateNote"] == "Gift, wrapped" and receipt["TotalAmt"] == 30


def test_changing_a_sales_lines_replaces_them_in_quickbooks(connection, qbo):
    feeder = item_create(name="Seed feeder", unit_price=Decimal("30.00"))
    sale = _cash_sale(feeder)
    drain(connection.pk)
    sale_update(sale=sale, lines=[LineInput(item=feeder, quantity=Decimal("3"))])

    drain(connection.pk)

    [line] = item_lines(read_back(qbo, sale))
    assert (line["Amount"], line["SalesItemLineDetail"]["Qty"]) == (90, 3)


def test_an_item_price_change_updates_the_item_but_never_its_type(connection, qbo, sandbox_company):
    item = item_create(
        name="Potting soil", unit_price=Decimal("8.00"), kind=Item.Kind.INVENTORY, quantity_on_hand=5
    )
    drain(connection.pk)
    item_update(item=item, data={"unit_price": Decimal("9.50")})

    drain(connection.pk)

    assert set(_last_sent(sandbox_company, "Item")) == {"Id", "SyncToken", "sparse", "UnitPrice"}
    assert read_back(qbo, item)["UnitPrice"] == 9.5


def test_a_payment_method_quickbooks_lacks_is_a_failure_naming_the_setting(connection, qbo):
    SyncSettings.objects.create(realm_id=connection.realm_id, payment_method_map={"cash": "Petty Cash Tin"})
    bad = _cash_sale(item_create(name="Watering can", unit_price=Decimal("14.00")))
    good = _cash_sale(Item.objects.get(name="Watering can"), payment_method=PaymentMethod.CHECK)

    result = drain(connection.pk)

    assert result.failed == 1
    failure = SyncFailure.objects.get(entity="sales.sale", object_id=bad.pk)
    assert failure.cause == "invalid_record"
    assert f"Sale ‘{bad}’ could not be sent: QuickBooks has no payment method named ‘Petty Cash Tin’" in (
        failure.message
    )
    assert "payment method map in the sync settings" in failure.message
    assert linked(good).qbo_type == "SalesReceipt"  # the map says nothing about checks: sent


def test_a_tax_code_is_sent_through_the_tax_code_map(connection, qbo):
    SyncSettings.objects.create(realm_id=connection.realm_id, tax_code_map={"AZ combined": "Tucson"})
    code = TaxCode.objects.create(name="AZ combined", rate=Decimal("9.10"))
    sale = _cash_sale(item_create(name="Sun hat", unit_price=Decimal("20.00")), tax_code=code)

    drain(connection.pk)

    receipt = read_back(qbo, sale)
    assert receipt["TxnTaxDetail"]["TxnTaxCodeRef"]["value"] == "3"  # Tucson: 7.1 % + 2 %
    assert Decimal(str(receipt["TotalAmt"])) == sale.total == Decimal("21.82")
