"""A sale → SalesReceipt or Invoice: item detail or summary, customer, PO number, addresses, accounts."""

import pytest

from integrations.mapping.defaults import DEFAULT_MAPPINGS
from integrations.mapping.options import SyncOptions, customer_in_scope, income_account_for
from integrations.mapping.sales import build_sale_document

CASH = {
    "kind": "cash",
    "number": "S-1001",
    "date": "2026-03-02",
    "memo": "Thanks",
    "customer_po": "PO-77",
    "payment_method": "card",
    "tax_code": "CA",
    "discount_percent": "0",
}
CHARGE = {**CASH, "kind": "charge", "payment_method": "", "due_date": "2026-04-01"}
LINES = [
    {
        "item_name": "Widget",
        "item_qbo_id": "5",
        "category": "Hardware",
        "income_account": "",
        "quantity": "2",
        "unit_price": "10.00",
        "amount": "20.00",
        "taxable": True,
        "description": "",
    },
    {
        "item_name": "Book",
        "category": "Books",
        "income_account": "Book Sales",
        "quantity": "1",
        "unit_price": "15.50",
        "amount": "15.50",
        "taxable": False,
        "description": "Paperback",
    },
]
CUSTOMER = {
    "display_name": "Ada Lovelace",
    "bill_line1": "1 Engine Way",
    "bill_city": "London",
    "ship_city": "Paris",
}


def build(sale=CASH, options=None, **kwargs):
    return build_sale_document(sale, LINES, DEFAULT_MAPPINGS, options or SyncOptions(), **kwargs)


def test_a_cash_sale_becomes_a_sales_receipt_with_item_detail():
    doc = build(customer=CUSTOMER, customer_ref={"value": "58"})
    assert doc.qbo_type == "SalesReceipt"
    assert doc.body["DocNumber"] == "S-1001" and doc.body["TxnDate"] == "2026-03-02"
    assert doc.body["PaymentMethodRef"] == {"name": "Visa"}
    assert doc.body["CustomerRef"] == {"value": "58"}
    first, second = doc.body["Line"]
    assert first["SalesItemLineDetail"] == {
        "ItemRef": {"value": "5", "name": "Widget"},
        "Qty": 2.0,
        "UnitPrice": 10.0,
        "TaxCodeRef": {"value": "TAX"},
    }
    assert second["Description"] == "Paperback" and second["SalesItemLineDetail"]["TaxCodeRef"] == {
        "value": "NON"
    }
    assert "DueDate" not in doc.body


def test_an_account_charge_becomes_an_invoice_without_receipt_fields():
    doc = build(CHARGE, customer=CUSTOMER, customer_ref={"value": "58"})
    assert doc.qbo_type == "Invoice"
    assert doc.body["DueDate"] == "2026-04-01" and "PaymentMethodRef" not in doc.body


def test_summary_lines_for_cash_sales_when_detail_is_for_charges_only():
    options = SyncOptions(item_detail="charges_only", walk_in_customer_qbo_id="99")
    doc = build(options=options, customer=CUSTOMER, customer_ref={"value": "58"})
    assert [
        (line["Amount"], line["SalesItemLineDetail"]["ItemAccountRef"]["name"]) for line in doc.body["Line"]
    ] == [
        (15.5, "Book Sales"),
        (20.0, "Sales of Product Income"),
    ]
    assert doc.body["CustomerRef"] == {"value": "99"}  # customer details are not sent on summaries
    assert doc.body["PrivateNote"] == "Thanks"  # and neither is the PO number
    assert any("summarised receipts carry no PO number" in d for d in doc.decisions)
    charge = build(CHARGE, options=options, customer=CUSTOMER, customer_ref={"value": "58"})
    assert charge.body["Line"][0]["SalesItemLineDetail"]["ItemRef"]["name"] == "Widget"  # charges keep detail


def test_a_customer_outside_the_scope_goes_with_charges_but_not_with_cash_sales():
    cash = build(
        options=SyncOptions(walk_in_customer_qbo_id="99"), customer=CUSTOMER, customer_in_scope=False
    )
    assert cash.body["CustomerRef"] == {"value": "99"}
    assert "Customer ‘Ada Lovelace’ does not sync: posted as a walk-in sale." in cash.decisions
    charge = build(CHARGE, customer=CUSTOMER, customer_ref={"value": "58"}, customer_in_scope=False)
    assert charge.body["CustomerRef"] == {"value": "58"}


def test_a_walk_in_sale_without_a_walk_in_customer_has_no_customer():
    doc = build()
    assert "CustomerRef" not in doc.body
    assert "No customer: QuickBooks records the receipt without one." in doc.decisions


def test_po_number_goes_where_the_setting_says():
    pos = SyncOptions()
    assert build(options=pos, customer=CUSTOMER).body["PrivateNote"] == "PO# PO-77 · Thanks"
    invoice = build(CHARGE, options=pos, customer=CUSTOMER).body
    assert invoice["CustomField"] == [{"Name": "P.O. Number", "Type": "StringType", "StringValue": "PO-77"}]
    assert invoice["PrivateNote"] == "Thanks"
    custom = build(
        options=SyncOptions(po_destination="custom_field", po_custom_field_name="Cust PO"), customer=CUSTOMER
    )
    assert custom.body["CustomField"][0]["Name"] == "Cust PO"
    none = build(CHARGE, options=SyncOptions(po_destination="none"), customer=CUSTOMER)
    assert "CustomField" not in none.body and none.body["PrivateNote"] == "Thanks"


def test_an_unmatched_customer_is_named_for_the_engine_to_create_first():
    doc = build(CHARGE, customer=CUSTOMER, customer_ref=None)
    assert doc.body["CustomerRef"] == {"name": "Ada Lovelace"}
    assert "Customer: ‘Ada Lovelace’ → a new QuickBooks customer." in doc.decisions


ORDER = {**CHARGE, "bill_line1": "9 Analytical Row", "bill_city": "Bath", "ship_line1": "2 Dock Rd"}


def test_the_orders_own_addresses_go_on_the_sale():
    doc = build(ORDER, customer=CUSTOMER, customer_ref={"value": "58"})
    assert doc.body["BillAddr"] == {"Line1": "9 Analytical Row", "City": "Bath"}
    assert doc.body["ShipAddr"] == {"Line1": "2 Dock Rd"}
    assert doc.customer_address_updates == () and doc.customer_changes == {}  # the setting is "none"


@pytest.mark.parametrize(
    ("rule", "keys", "changed"),
    [
        ("none", (), {}),
        (
            "billing",
            ("BillAddr",),
            {"bill_line1": "9 Analytical Row", "bill_city": "Bath"},
        ),
        ("shipping", ("ShipAddr",), {"ship_line1": "2 Dock Rd", "ship_city": ""}),
        (
            "both",
            ("BillAddr", "ShipAddr"),
            {
                "bill_line1": "9 Analytical Row",
                "bill_city": "Bath",
                "ship_line1": "2 Dock Rd",
                "ship_city": "",
            },
        ),
    ],
)
def test_an_orders_addresses_replace_the_customers_as_configured(rule, keys, changed):
    doc = build(
        ORDER, options=SyncOptions(address_updates=rule), customer=CUSTOMER, customer_ref={"value": "58"}
    )
    assert doc.customer_address_updates == keys
    assert doc.customer_changes == changed  # a part the order leaves blank is cleared ("ship_city")
    assert any("updated from this order" in d for d in doc.decisions) == bool(keys)


def test_an_order_without_an_address_or_with_the_same_one_changes_nothing():
    both = SyncOptions(address_updates="both")
    assert build(CHARGE, options=both, customer=CUSTOMER).customer_changes == {}
    same = {**CHARGE, "bill_line1": "1 Engine Way", "bill_city": "London"}
    assert build(same, options=both, customer=CUSTOMER).customer_address_updates == ()


def test_a_sale_posted_to_the_default_customer_never_updates_its_addresses():
    doc = build(
        ORDER,
        options=SyncOptions(address_updates="both", unmatched_action="default_customer"),
        customer=CUSTOMER,
        customer_ref={"value": "7"},
        customer_in_scope=False,
        default_customer=True,
    )
    assert doc.body["CustomerRef"] == {"value": "7"}
    assert doc.customer_changes == {}
    assert any("posted to the default customer (QuickBooks id 7)" in d for d in doc.decisions)


def test_a_discount_adds_a_discount_line():
    doc = build({**CASH, "discount_percent": "10", "discount_amount": "3.55"})
    assert doc.body["Line"][-1] == {
        "DetailType": "DiscountLineDetail",
        "Amount": 3.55,
        "DiscountLineDetail": {"PercentBased": True, "DiscountPercent": 10.0},
    }


def test_tax_codes_go_by_the_settings_map():
    doc = build(options=SyncOptions(tax_code_map={"CA": "California"}))
    assert doc.body["TxnTaxDetail"] == {"TxnTaxCodeRef": {"name": "California"}}


def test_income_account_per_item_or_per_category():
    item = {"category": "Books", "income_account": "Own Account"}
    assert income_account_for(item, SyncOptions()) == ("Own Account", "the item's own account")
    by_category = SyncOptions(
        income_account_source="category", category_income_accounts={"Books": "Book Sales"}
    )
    assert income_account_for(item, by_category)[0] == "Book Sales"
    assert income_account_for({"category": "Toys"}, by_category)[0] == "Sales of Product Income"


def test_customer_scope():
    flagged, unflagged = (
        {"sync_with_quickbooks": True},
        {"sync_with_quickbooks": False, "customer_type": "Retail"},
    )
    assert customer_in_scope(flagged, SyncOptions())[0] is True
    assert customer_in_scope(unflagged, SyncOptions()) == (False, "not marked “use with QuickBooks”")
    assert customer_in_scope(unflagged, SyncOptions(customer_scope="all"))[0] is True
    by_type = SyncOptions(customer_scope="by_type", customer_types=("Retail",))
    assert customer_in_scope(unflagged, by_type)[0] is True
    assert customer_in_scope(flagged, by_type)[0] is False
    assert customer_in_scope({"merged_into_id": 3, "sync_with_quickbooks": True}, SyncOptions())[0] is False
