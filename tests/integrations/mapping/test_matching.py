"""Match rules: which QuickBooks customer a local customer is (and back), and why."""

from integrations.mapping.defaults import DEFAULT_MATCH_RULES
from integrations.mapping.matching import MatchRuleSpec, customer_decision, match_customer, match_local
from integrations.mapping.options import SyncOptions

ADA = {
    "id": 7,
    "display_name": "Ada Lovelace",
    "company_name": "Analytical Engines Ltd",
    "email": "Ada@Example.com ",
    "phone": "(555) 123-4567",
    "bill_postal_code": "94042-1234",
}


def qbo(id_, name, **extra):
    return {"Id": id_, "DisplayName": name, "Active": True, **extra}


KINGS = qbo("58", "King's Groceries", PrimaryEmailAddr={"Address": "ada@example.com"})
OTHER = qbo("60", "Ada Lovelace (deleted)", Active=False)
PHONE = qbo("61", "Someone", PrimaryPhone={"FreeFormNumber": "+1 555 123 4567"})
COMPANY = qbo("62", "AEL", CompanyName="Analytical Engines, Ltd.", BillAddr={"PostalCode": "94042"})
NAMED = qbo("63", "ada  LOVELACE")
SIMILAR = qbo("64", "Ada Lovelase")
RULES = [
    MatchRuleSpec(kind, n)
    for n, kind in enumerate(["linked_id", "email", "phone", "display_name", "company_postal"], 1)
]


def test_the_first_rule_that_finds_one_customer_decides_and_says_why():
    result = match_customer(ADA, [PHONE, KINGS, NAMED], RULES)
    assert (result.qbo_id, result.rule) == ("58", "email")
    assert (
        result.reason
        == "Email address: email ada@example.com matches QuickBooks customer 58 ‘King's Groceries’."
    )
    assert [(s.rule, s.outcome) for s in result.steps] == [
        ("Linked QuickBooks id", "skipped"),
        ("Email address", "matched"),
    ]


def test_a_linked_customer_matches_its_link_even_when_inactive():
    result = match_customer({**ADA, "qbo_id": "60"}, [KINGS, OTHER], RULES)
    assert (result.qbo_id, result.rule) == ("60", "linked_id")


def test_each_rule_on_its_own():
    assert match_customer(ADA, [PHONE, NAMED], [MatchRuleSpec("phone", 1)]).qbo_id == "61"
    assert match_customer(ADA, [NAMED, SIMILAR], [MatchRuleSpec("display_name", 1)]).qbo_id == "63"
    assert match_customer(ADA, [COMPANY, NAMED], [MatchRuleSpec("company_postal", 1)]).qbo_id == "62"


def test_fuzzy_name_matches_above_the_threshold_with_its_score():
    result = match_customer(ADA, [SIMILAR, KINGS], [MatchRuleSpec("fuzzy_name", 1, threshold=90)])
    assert result.qbo_id == "64" and result.score >= 90
    assert "% similar, threshold 90%" in result.reason
    assert match_customer(ADA, [SIMILAR], [MatchRuleSpec("fuzzy_name", 1, threshold=99)]).qbo_id is None


def test_an_ambiguous_rule_decides_nothing_and_the_next_rule_runs():
    twin = qbo("59", "Ada's other account", PrimaryEmailAddr={"Address": "ada@example.com"})
    result = match_customer(ADA, [KINGS, twin, NAMED], RULES)
    assert (result.qbo_id, result.rule) == ("63", "display_name")
    ambiguous = next(s for s in result.steps if s.outcome == "ambiguous")
    assert "matches 2 records" in ambiguous.detail and "58" in ambiguous.detail and "59" in ambiguous.detail


def test_inactive_quickbooks_customers_are_not_matched_by_name():
    result = match_customer(ADA, [OTHER], RULES)
    assert result.qbo_id is None and result.reason == "No rule matched."


def test_disabled_and_import_only_rules_do_not_run_when_sending():
    rules = [MatchRuleSpec("email", 1, enabled=False), MatchRuleSpec("display_name", 2, applies="pull")]
    assert match_customer(ADA, [KINGS, NAMED], rules).qbo_id is None


def test_the_name_compared_is_the_one_sent_to_the_chosen_quickbooks_field():
    company = qbo("70", "Whatever", CompanyName="Analytical Engines Ltd")
    result = match_customer(
        ADA,
        [company],
        [MatchRuleSpec("display_name", 1)],
        name_field="CompanyName",
        local_name="Analytical Engines Ltd",
    )
    assert result.qbo_id == "70"


def test_import_finds_the_local_customer_a_quickbooks_customer_is():
    linked = {**ADA, "id": 9, "qbo_id": "58", "email": ""}
    assert match_local(KINGS, [ADA, linked], DEFAULT_MATCH_RULES).local_id == 9
    unlinked = match_local(KINGS, [ADA], DEFAULT_MATCH_RULES)
    assert (unlinked.local_id, unlinked.rule) == (7, "email")


def test_when_nothing_matches_the_settings_decide():
    nothing = match_customer(ADA, [], RULES)
    assert customer_decision(nothing, SyncOptions()) == (
        None,
        "No rule matched: a new QuickBooks customer will be created.",
    )
    ref, words = customer_decision(
        nothing, SyncOptions(unmatched_action="default_customer", default_customer_qbo_id="9")
    )
    assert ref == {"value": "9"} and "default customer (QuickBooks id 9)" in words
    matched = match_customer(ADA, [KINGS], RULES)
    assert customer_decision(
        matched, SyncOptions(unmatched_action="default_customer", default_customer_qbo_id="9")
    )[0] == {"value": "58"}
