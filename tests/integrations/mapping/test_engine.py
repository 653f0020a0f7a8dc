"""build_qbo_fields / local_changes_from_qbo: what goes to QuickBooks and what comes back."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from integrations.mapping.defaults import DEFAULT_MAPPINGS
from integrations.mapping.engine import (
    MappingSpec,
    build_qbo_fields,
    conflict_winner,
    local_changes_from_qbo,
    named_refs,
    qbo_json,
    sent_fields,
)

LOCAL = {
    "display_name": "Ada Lovelace",
    "given_name": "Ada",
    "family_name": "Lovelace",
    "company_name": "Analytical Ltd",
    "email": "ada@example.com",
    "phone": "555.123.4567",
    "bill_line1": "1 Engine Way",
    "bill_city": "London",
    "tax_exempt": False,
    "is_active": True,
    "notes": "",
    "credit_limit": Decimal("250.00"),
    "custom_fields": {"Tier": "Gold", "Region": "North"},
}


def spec(local, path, direction="both", transform="none", args=None, entity="customer"):
    return MappingSpec(entity, local, path, direction, "newest_wins", transform, args or {})


@pytest.mark.parametrize(
    ("direction", "sent"), [("both", True), ("to_qbo", True), ("from_qbo", False), ("off", False)]
)
def test_push_honours_direction(direction, sent):
    doc = build_qbo_fields("customer", LOCAL, [spec("email", "PrimaryEmailAddr.Address", direction)])
    assert doc == ({"PrimaryEmailAddr": {"Address": "ada@example.com"}} if sent else {})


@pytest.mark.parametrize(
    ("direction", "received"), [("both", True), ("from_qbo", True), ("to_qbo", False), ("off", False)]
)
def test_pull_honours_direction(direction, received):
    qbo = {"PrimaryEmailAddr": {"Address": "new@example.com"}}
    changes = local_changes_from_qbo("customer", qbo, [spec("email", "PrimaryEmailAddr.Address", direction)])
    assert changes == ({"email": "new@example.com"} if received else {})


def test_dotted_paths_build_nested_objects_and_empty_values_are_left_out():
    mappings = [
        spec("bill_line1", "BillAddr.Line1"),
        spec("bill_city", "BillAddr.City"),
        spec("notes", "Notes"),
    ]
    assert build_qbo_fields("customer", LOCAL, mappings) == {
        "BillAddr": {"Line1": "1 Engine Way", "City": "London"}
    }


def test_only_the_entitys_mappings_are_used():
    other = spec("name", "Name", entity="item")
    assert build_qbo_fields("customer", {"name": "Widget"}, [other]) == {}


def test_transforms_apply_on_the_way_out_and_back():
    phone = spec("phone", "PrimaryPhone.FreeFormNumber", transform="phone", args={"style": "e164"})
    assert build_qbo_fields("customer", LOCAL, [phone]) == {
        "PrimaryPhone": {"FreeFormNumber": "+15551234567"}
    }
    back = local_changes_from_qbo("customer", {"PrimaryPhone": {"FreeFormNumber": "555 987 6543"}}, [phone])
    assert back == {"phone": "+15559876543"}


def test_name_order_sends_the_composed_name():
    mapping = spec("name", "DisplayName", "to_qbo", "name_order", {"order": "last_first"})
    assert build_qbo_fields("customer", LOCAL, [mapping]) == {"DisplayName": "Lovelace, Ada"}


def test_types_are_converted_for_quickbooks_and_back():
    mappings = [
        MappingSpec("payment", "amount", "TotalAmt", "both", "ask"),
        MappingSpec("payment", "date", "TxnDate", "both", "ask"),
    ]
    payment = {"amount": "12.50", "date": date(2026, 3, 2)}
    assert build_qbo_fields("payment", payment, mappings) == {"TotalAmt": 12.5, "TxnDate": "2026-03-02"}
    back = local_changes_from_qbo("payment", {"TotalAmt": 99.1, "TxnDate": "2026-04-01"}, mappings)
    assert back == {"amount": Decimal("99.1"), "date": date(2026, 4, 1)}


def test_custom_fields_map_by_name_both_ways():
    every = spec("custom_fields[*]", "CustomField[*]")
    doc = build_qbo_fields("customer", LOCAL, [every])
    assert doc == {
        "CustomField": [
            {"Name": "Region", "Type": "StringType", "StringValue": "North"},
            {"Name": "Tier", "Type": "StringType", "StringValue": "Gold"},
        ]
    }
    qbo = {"CustomField": [{"Name": "Tier", "StringValue": "Silver"}, {"DefinitionId": "3", "Name": "Empty"}]}
    assert local_changes_from_qbo("customer", qbo, [every]) == {"custom_fields": {"Tier": "Silver"}}


def test_a_named_custom_field_mapping_renames_and_overrides_the_by_name_rule():
    mappings = [
        spec("custom_fields[*]", "CustomField[*]"),
        spec("custom_fields[Tier]", "CustomField[Loyalty]"),
    ]
    names = {
        e["Name"]: e["StringValue"] for e in build_qbo_fields("customer", LOCAL, mappings)["CustomField"]
    }
    assert names == {"Loyalty": "Gold", "Region": "North"}
    qbo = {
        "CustomField": [
            {"Name": "Loyalty", "StringValue": "Bronze"},
            {"Name": "Region", "StringValue": "South"},
        ]
    }
    back = local_changes_from_qbo("customer", qbo, mappings)
    assert back == {"custom_fields": {"Tier": "Bronze", "Region": "South"}}


def test_absent_text_from_quickbooks_means_empty_but_absent_numbers_are_left_alone():
    mappings = [spec("notes", "Notes"), spec("balance", "Balance", "from_qbo")]
    assert local_changes_from_qbo("customer", {}, mappings) == {"notes": ""}


def test_read_only_and_managed_fields_are_never_sent():
    mappings = [spec("balance", "Balance", "to_qbo"), spec("display_name", "ParentRef.value", "to_qbo")]
    assert build_qbo_fields("customer", {"balance": 5, "display_name": "x"}, mappings) == {}


def test_default_customer_mappings_send_quickbooks_standard_fields():
    doc = build_qbo_fields(
        "customer", {**LOCAL, "tax_exempt": True, "tax_exemption_reason": 9}, DEFAULT_MAPPINGS
    )
    assert doc["DisplayName"] == "Ada Lovelace"
    assert doc["PrimaryEmailAddr"] == {"Address": "ada@example.com"}
    assert doc["BillAddr"] == {"Line1": "1 Engine Way", "City": "London"}
    assert doc["Taxable"] is False and doc["TaxExemptionReasonId"] == 9
    assert '"TaxExemptionReasonId": 9,' in qbo_json(doc)
    assert "CustomField" not in doc  # shipped switched off
    back = local_changes_from_qbo(
        "customer", {"DisplayName": "Ada L", "Balance": 42.5, "Taxable": True}, DEFAULT_MAPPINGS
    )
    assert (
        back["display_name"] == "Ada L" and back["balance"] == Decimal("42.5") and back["tax_exempt"] is False
    )


def test_payment_methods_go_by_the_settings_map_as_a_name_the_engine_resolves():
    sale = {"payment_method": "card", "number": "S-1"}
    doc = build_qbo_fields(
        "sale", sale, DEFAULT_MAPPINGS, value_maps={"payment_methods": {"card": "MasterCard"}}
    )
    assert doc["PaymentMethodRef"] == {"name": "MasterCard"}
    assert named_refs(doc) == {"PaymentMethodRef": "MasterCard"}
    assert "PaymentMethodRef" not in build_qbo_fields("sale", {"payment_method": "other"}, DEFAULT_MAPPINGS)


def test_sent_fields_lists_what_a_re_push_considers_changed():
    assert sent_fields("payment", DEFAULT_MAPPINGS) == ["amount", "date", "memo", "method", "reference"]


NOW = datetime(2026, 3, 2, 12, tzinfo=UTC)
EARLIER = datetime(2026, 3, 1, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    ("policy", "local", "qbo", "winner"),
    [
        ("qbo_wins", NOW, EARLIER, "qbo"),
        ("local_wins", EARLIER, NOW, "local"),
        ("newest_wins", NOW, EARLIER, "local"),
        ("newest_wins", EARLIER, NOW, "qbo"),
        ("newest_wins", NOW, NOW, "qbo"),
        ("newest_wins", None, NOW, "ask"),
        ("ask", NOW, EARLIER, "ask"),
    ],
)
def test_conflict_policy_decides_who_wins(policy, local, qbo, winner):
    assert conflict_winner(policy, local_updated=local, qbo_updated=qbo) == winner
