"""Every save-time validation message a manager can meet, word for word where the issue gives it."""

import pytest

from integrations.mapping.defaults import DEFAULT_MAPPINGS, DEFAULT_MATCH_RULES
from integrations.mapping.engine import MappingSpec
from integrations.mapping.matching import MatchRuleSpec
from integrations.mapping.options import SyncOptions
from integrations.mapping.settings_validation import check_settings
from integrations.mapping.validation import (
    check_mapping,
    check_mapping_set,
    check_match_rule,
    check_match_rules,
)


def m(local, path, direction="both", transform="none", args=None, entity="customer", policy="newest_wins"):
    return MappingSpec(entity, local, path, direction, policy, transform, args or {})


def messages(problems):
    return [p.message for p in problems]


@pytest.mark.parametrize(
    ("mapping", "field", "message"),
    [
        (
            m("email", "PrimaryEmailAddr.Adress"),
            "qbo_path",
            "‘PrimaryEmailAddr.Adress’ is not a QuickBooks Customer field. "
            "Did you mean ‘PrimaryEmailAddr.Address’?",
        ),
        (
            m("emial", "PrimaryEmailAddr.Address"),
            "local_field",
            "‘emial’ is not a SyncPortal customer field. Did you mean ‘email’?",
        ),
        (m("email", "Nonsense"), "qbo_path", "‘Nonsense’ is not a QuickBooks Customer field."),
        (m("email", "Email", entity="widget"), "entity", "‘widget’ is not something SyncPortal syncs."),
        (
            m("email", "PrimaryEmailAddr.Address", transform="reverse"),
            "transform",
            "‘reverse’ is not a transform.",
        ),
        (
            m("display_name", "ParentRef.value"),
            "qbo_path",
            "ParentRef.value is set by the sync engine from the parent customer's QuickBooks link; "
            "it cannot be mapped.",
        ),
        (
            m("balance", "Balance", "both"),
            "direction",
            "Balance is read-only in QuickBooks; set the direction to ‘From QuickBooks’.",
        ),
        (m("name", "DisplayName", "both"), "direction", "SyncPortal works out ‘name’ itself"),
        (
            m("credit_limit", "PrimaryPhone.FreeFormNumber", "to_qbo", "phone"),
            "transform",
            "The transform ‘phone’ expects text; credit_limit is a number.",
        ),
        (
            m("name", "DisplayName", "both", "name_order", {"order": "first_last"}),
            "direction",
            "set the direction to ‘To QuickBooks’",
        ),
        (
            m("notes", "Notes", transform="case", args={"mode": "loud"}),
            "transform_args",
            "needs a mode: upper, lower or title",
        ),
        (
            m("tax_exempt", "GivenName"),
            "qbo_path",
            "tax_exempt is yes/no but GivenName in QuickBooks is text.",
        ),
        (
            m("balance", "DisplayName", "from_qbo"),
            "qbo_path",
            "balance is a number but DisplayName in QuickBooks is text.",
        ),
        (
            m("customer_type", "CustomerTypeRef.value", "to_qbo"),
            "transform",
            "CustomerTypeRef.value holds a QuickBooks id; "
            "turn customer_type values into ids with the transform ‘value_map’",
        ),
        (m("email", "CustomField[Email]"), None, "pair custom_fields[Email] with CustomField[Email]"),
        (
            m("custom_fields[*]", "CustomField[Tier]"),
            None,
            "needs both sides: custom_fields[*] ↔ CustomField[*]",
        ),
        (
            m("amount", "TotalAmt", "both", entity="payment", policy="newest_wins"),
            "conflict_policy",
            "‘Newest change wins’ is not allowed for amounts and dates",
        ),
    ],
)
def test_a_bad_mapping_is_explained(mapping, field, message):
    problems = check_mapping(mapping)
    assert any(message in p.message and p.field == field for p in problems), messages(problems)


@pytest.mark.parametrize(
    "mapping",
    [
        m("email", "PrimaryEmailAddr.Address"),
        m("credit_limit", "Notes", "to_qbo"),  # a number can be written as text
        m("balance", "Balance", "from_qbo", policy="qbo_wins"),
        m("tax_exempt", "GivenName", "off"),  # off: nothing flows, nothing to check
        m("customer_type", "CustomerTypeRef.name", "to_qbo"),
        m("amount", "TotalAmt", "to_qbo", entity="payment"),  # policies matter only both ways
        m("custom_fields[Tier]", "CustomField[Loyalty]"),
    ],
)
def test_a_sound_mapping_passes(mapping):
    assert check_mapping(mapping) == []


def test_the_shipped_defaults_pass_every_check():
    assert [(d, messages(check_mapping(d))) for d in DEFAULT_MAPPINGS if check_mapping(d)] == []
    for entity in {d.entity for d in DEFAULT_MAPPINGS}:
        assert check_mapping_set(entity, DEFAULT_MAPPINGS, name_fields={"DisplayName"}) == []
    assert check_match_rules(DEFAULT_MATCH_RULES) == []


def test_a_required_quickbooks_field_mapped_to_nothing():
    rest = [d for d in DEFAULT_MAPPINGS if d.entity == "customer" and d.qbo_path not in ("DisplayName",)]
    rest = [
        d
        if d.qbo_path not in ("GivenName", "FamilyName", "CompanyName", "MiddleName", "Title", "Suffix")
        else m(d.local_field, d.qbo_path, "from_qbo")
        for d in rest
    ]
    assert messages(check_mapping_set("customer", rest)) == [
        "DisplayName is required by QuickBooks but no mapping sends it to QuickBooks."
    ]
    no_total = [d for d in DEFAULT_MAPPINGS if d.entity == "payment" and d.qbo_path != "TotalAmt"]
    assert messages(check_mapping_set("payment", no_total)) == [
        "TotalAmt is required by QuickBooks but no mapping sends it to QuickBooks."
    ]


def test_two_rules_sending_different_fields_to_one_quickbooks_field():
    rules = [*DEFAULT_MAPPINGS, m("ship_city", "BillAddr.City", "to_qbo")]
    assert messages(check_mapping_set("customer", rules)) == [
        "Two rules send different local fields to BillAddr.City (bill_city, ship_city)."
    ]


def test_two_rules_writing_different_quickbooks_fields_into_one_local_field():
    rules = [*DEFAULT_MAPPINGS, m("email", "Notes", "from_qbo")]
    assert messages(check_mapping_set("customer", rules)) == [
        "Two rules write different QuickBooks fields into ‘email’ (Notes, PrimaryEmailAddr.Address)."
    ]


def test_customer_names_sent_to_a_field_no_mapping_fills():
    assert messages(check_mapping_set("customer", DEFAULT_MAPPINGS, name_fields={"PrintOnCheckName"})) == [
        "Customer names go to PrintOnCheckName (sync settings), "
        "but no mapping sends anything to PrintOnCheckName."
    ]


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        (MatchRuleSpec("shoe_size"), "‘shoe_size’ is not a kind of match rule."),
        (MatchRuleSpec("fuzzy_name"), "needs a threshold between 50 and 100"),
        (MatchRuleSpec("fuzzy_name", threshold=30), "needs a threshold between 50 and 100"),
        (
            MatchRuleSpec("email", threshold=80),
            "Only a similar-name rule takes a threshold; leave it empty for ‘Email address’.",
        ),
    ],
)
def test_a_bad_match_rule_is_explained(rule, message):
    assert any(message in text for text in messages(check_match_rule(rule)))


def test_match_rules_that_contradict_each_other():
    twice = [MatchRuleSpec("email", 1), MatchRuleSpec("email", 2, applies="push")]
    assert messages(check_match_rules(twice)) == ["Two rules both match by email address; keep one."]
    fuzzy = [MatchRuleSpec("fuzzy_name", 1, 85), MatchRuleSpec("fuzzy_name", 2, 90)]
    assert messages(check_match_rules(fuzzy)) == [
        "Two similar-name rules use different thresholds (85% and 90%); keep one."
    ]
    one_each_way = [MatchRuleSpec("email", 1, applies="push"), MatchRuleSpec("email", 2, applies="pull")]
    assert check_match_rules(one_each_way) == []


def test_no_match_rule_for_sending_is_a_warning():
    problems = check_match_rules(
        [MatchRuleSpec("email", 1, applies="pull"), MatchRuleSpec("phone", 2, enabled=False)]
    )
    assert [(p.warning, "duplicating the ones QuickBooks already has" in p.message) for p in problems] == [
        (True, True)
    ]


def settings_problems(options, exists=None, types=("Retail",), tax_codes=("CA",), mappings=DEFAULT_MAPPINGS):
    return check_settings(
        options,
        customer_types=types,
        tax_codes=tax_codes,
        customer_mappings=mappings,
        customer_exists=lambda qbo_id: exists,
    )


@pytest.mark.parametrize(
    ("options", "field", "message"),
    [
        (SyncOptions(customer_scope="by_type"), "customer_types", "Choose at least one customer type"),
        (
            SyncOptions(customer_scope="by_type", customer_types=("Wholesale",)),
            "customer_types",
            "‘Wholesale’ is not a customer type.",
        ),
        (
            SyncOptions(unmatched_action="default_customer"),
            "default_customer_qbo_id",
            "Choose the QuickBooks customer that unmatched sales",
        ),
        (
            SyncOptions(walk_in_customer_qbo_id="Walk-in"),
            "walk_in_customer_qbo_id",
            "A QuickBooks customer id is a number",
        ),
        (SyncOptions(name_field="CompanyName"), None, None),
        (
            SyncOptions(payment_method_map={"bitcoin": "Crypto"}),
            "payment_method_map",
            "‘bitcoin’ is not a SyncPortal payment method",
        ),
        (SyncOptions(payment_method_map={"card": ""}), "payment_method_map", "must be a JSON object of text"),
        (
            SyncOptions(tax_code_map={"GST": "GST"}),
            "tax_code_map",
            "‘GST’ is not a SyncPortal tax code (CA).",
        ),
        (
            SyncOptions(category_income_accounts={"Books": 5}),
            "category_income_accounts",
            "must be a JSON object of text",
        ),
        (
            SyncOptions(po_destination="custom_field", po_custom_field_name=" "),
            "po_custom_field_name",
            "Name the QuickBooks custom field",
        ),
    ],
)
def test_bad_settings_are_explained(options, field, message):
    problems = settings_problems(options, exists=True)
    if message is None:
        assert problems == []
        return
    assert any(message in p.message and p.field == field and not p.warning for p in problems), messages(
        problems
    )


def test_a_default_customer_that_does_not_exist_in_quickbooks_is_an_error():
    options = SyncOptions(unmatched_action="default_customer", default_customer_qbo_id="58")
    problems = settings_problems(options, exists=False)
    assert messages(problems) == [
        "QuickBooks customer 58 does not exist in this company; choose the default customer again."
    ]
    assert not problems[0].warning


def test_when_quickbooks_cannot_be_asked_the_settings_save_with_a_warning():
    options = SyncOptions(unmatched_action="default_customer", default_customer_qbo_id="58")
    (problem,) = settings_problems(options, exists=None)
    assert problem.warning and "Could not check that QuickBooks customer 58" in problem.message


def test_customer_names_sent_to_a_field_no_customer_mapping_fills():
    no_company = [d for d in DEFAULT_MAPPINGS if d.qbo_path != "CompanyName"]
    (problem,) = settings_problems(SyncOptions(name_field="CompanyName"), mappings=no_company)
    assert (
        problem.message
        == "Customer names go to CompanyName, but no customer mapping sends anything to CompanyName."
    )
