"""Every transform, both ways, and the argument checks a manager sees when saving one."""

from decimal import Decimal

import pytest

from integrations.mapping.fields import FieldSpec
from integrations.mapping.transforms import TRANSFORMS, Context, check_args

RECORD = {
    "given_name": "Ada",
    "middle_name": "K",
    "family_name": "Lovelace",
    "company_name": "Analytical Ltd",
}


def to_qbo(name, value, args=None, **ctx):
    return TRANSFORMS[name].to_qbo(value, args or {}, Context(**ctx))


def from_qbo(name, value, args=None, **ctx):
    return TRANSFORMS[name].from_qbo(value, args or {}, Context(**ctx))


def test_none_copies_the_value_both_ways():
    assert to_qbo("none", "Ada") == "Ada"
    assert from_qbo("none", Decimal("1.50")) == Decimal("1.50")


@pytest.mark.parametrize(
    ("order", "expected"),
    [
        ("first_last", "Ada K Lovelace"),
        ("last_first", "Lovelace, Ada K"),
        ("company_first", "Analytical Ltd"),
    ],
)
def test_name_order_builds_the_name_in_the_chosen_order(order, expected):
    assert to_qbo("name_order", "ignored", {"order": order}, record=RECORD) == expected


def test_name_order_falls_back_to_the_company_then_the_value():
    company_only = {"company_name": "Analytical Ltd"}
    assert to_qbo("name_order", "Shown", {"order": "last_first"}, record=company_only) == "Analytical Ltd"
    assert to_qbo("name_order", "Shown", {"order": "first_last"}, record={}) == "Shown"
    assert to_qbo("name_order", "x", {"order": "company_first"}, record={"given_name": "Ada"}) == "Ada"


def test_name_order_only_works_towards_quickbooks():
    assert TRANSFORMS["name_order"].from_qbo is None


@pytest.mark.parametrize(
    ("mode", "expected"), [("upper", "O'BRIEN CO"), ("lower", "o'brien co"), ("title", "O'Brien Co")]
)
def test_case_changes_letters_towards_quickbooks_only(mode, expected):
    assert to_qbo("case", "o'BRIEN co", {"mode": mode}) == expected
    assert from_qbo("case", "O'BRIEN CO", {"mode": mode}) == "O'BRIEN CO"


@pytest.mark.parametrize(
    ("style", "typed", "expected"),
    [
        ("us", "555.123.4567", "(555) 123-4567"),
        ("us", "+1 555 123 4567 ext. 12", "(555) 123-4567 x12"),
        ("us", "+44 20 7946 0958", "+44 20 7946 0958"),
        ("e164", "(555) 123-4567", "+15551234567"),
        ("e164", "+44 20 7946 0958", "+442079460958"),
        ("digits", "(555) 123-4567 x9", "5551234567 x9"),
    ],
)
def test_phone_normalises_both_ways(style, typed, expected):
    assert to_qbo("phone", typed, {"style": style}) == expected
    assert from_qbo("phone", typed, {"style": style}) == expected


def test_phone_leaves_empty_values_alone():
    assert to_qbo("phone", "") == ""
    assert to_qbo("phone", None) is None


def test_trim_cuts_to_the_quickbooks_limit_and_strips():
    assert to_qbo("trim", "  A very long note  ", max_length=6) == "A very"
    assert to_qbo("trim", "abcdef", {"max_length": 3}, max_length=500) == "abc"
    assert from_qbo("trim", "  kept whole  ", max_length=3) == "kept whole"


def test_default_fills_empty_values_both_ways():
    assert to_qbo("default", "", {"value": "Print"}) == "Print"
    assert to_qbo("default", "Email", {"value": "Print"}) == "Email"
    assert from_qbo("default", None, {"value": "n/a"}) == "n/a"


def test_value_map_translates_and_reverses():
    args = {"map": {"cash": "Cash", "card": "Visa"}}
    assert to_qbo("value_map", "card", args) == "Visa"
    assert from_qbo("value_map", "Visa", args) == "card"
    assert to_qbo("value_map", "other", args) == "other"  # unmapped: kept
    assert to_qbo("value_map", "other", {**args, "unmapped": "blank"}) is None


def test_value_map_handles_yes_no_values():
    args = {"map": {"true": False, "false": True}}
    assert to_qbo("value_map", True, args) is False
    assert from_qbo("value_map", False, args) == "true"


def test_value_map_can_use_a_named_map_from_the_sync_settings():
    maps = {"payment_methods": {"card": "MasterCard"}}
    assert to_qbo("value_map", "card", {"map": "payment_methods"}, value_maps=maps) == "MasterCard"


NOTES = FieldSpec("Notes", "text", 2000)
CITY = FieldSpec("BillAddr.City", "text")


@pytest.mark.parametrize(
    ("name", "args", "target", "message"),
    [
        ("name_order", {}, NOTES, "needs an order: first_last, last_first or company_first"),
        ("case", {"mode": "shout"}, NOTES, "needs a mode: upper, lower or title"),
        ("phone", {"style": "fancy"}, NOTES, "needs a style: us, e164 or digits"),
        ("phone", {"country_code": "+1"}, NOTES, "country_code of 1 to 3 digits"),
        ("trim", {"max_length": "ten"}, NOTES, "max_length as a whole number"),
        ("trim", {}, CITY, "BillAddr.City has no QuickBooks length limit"),
        (
            "trim",
            {"max_length": 3000},
            NOTES,
            "cannot keep 3000 characters: QuickBooks keeps at most 2000 in Notes",
        ),
        ("default", {}, NOTES, "needs a value"),
        ("value_map", {}, NOTES, "needs a map"),
        ("value_map", {"map": "colours"}, NOTES, "not ‘colours’"),
        ("value_map", {"map": {"a": ["b"]}}, NOTES, "maps to single values"),
        ("value_map", {"map": {"a": "b"}, "unmapped": "drop"}, NOTES, "unmapped: keep"),
        ("case", {"mode": "upper", "colour": "red"}, NOTES, "does not take ‘colour’"),
    ],
)
def test_bad_arguments_are_explained(name, args, target, message):
    assert any(message in problem for problem in check_args(name, args, target))


def test_good_arguments_pass():
    assert check_args("trim", {}, NOTES) == []
    assert check_args("value_map", {"map": "tax_codes"}, NOTES) == []
    assert check_args("phone", {"style": "e164", "country_code": "44"}, NOTES) == []
