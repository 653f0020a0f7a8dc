"""Scoring a pair: the typing differences that still mean one customer, the look-alikes that do not,
and the reasons a reviewer reads."""

import pytest

from customers.matching.normalize import prepare
from customers.matching.records import CustomerRecord as R
from customers.matching.scoring import AUTO_SUGGEST_THRESHOLD, REVIEW_THRESHOLD, name_counts, score_pair

BASE = {"email": "", "phone": "", "line1": "", "postal_code": ""}


def score(a: R, b: R, counts=None) -> tuple[float, list[str]]:
    return score_pair(prepare(a), prepare(b), counts)


SAME_CUSTOMER = [
    # (first record, second record, a reason the reviewer sees)
    (
        R(1, display_name="John Smith", email="john.smith@gmail.com"),
        R(2, display_name="Jhon Smith", email="JohnSmith+shop@gmail.com"),
        "names differ by one typo: 'John Smith' / 'Jhon Smith'",
    ),
    (
        R(1, display_name="Katherine Jones", phone="(503) 555-0101"),
        R(2, display_name="Katherine Jnoes", phone="+1 503 555 0101"),
        "same phone number (ignoring format and country code)",
    ),
    (
        R(1, display_name="Robert Brown", email="rb@example.com"),
        R(2, display_name="Bob Brown", email="RB@example.com"),
        "same name with a nickname ('Bob' for 'Robert'): 'Robert Brown' / 'Bob Brown'",
    ),
    (
        R(
            1,
            display_name="Maria Garcia",
            phone="503-555-0199",
            line1="12 North Main Street",
            postal_code="97201",
        ),
        R(2, display_name="M. Garcia", phone="5035550199", line1="12 N Main St", postal_code="97201-4411"),
        "same name, first name given as an initial: 'Maria Garcia' / 'M. Garcia'",
    ),
    (
        R(1, given_name="Wei", family_name="Zhang", email="wei.zhang@example.com"),
        R(2, display_name="Zhang, Wei", email="wei.zhang@example.com"),
        "same name: 'Wei Zhang' / 'Zhang, Wei'",
    ),
    (
        R(1, given_name="Wei", family_name="Zhang", phone="503 555 0111"),
        R(2, given_name="Zhang", family_name="Wei", phone="(503) 555-0111"),
        "first and last name swapped: 'Wei Zhang' / 'Zhang Wei'",
    ),
    (
        R(1, display_name="The Acme Co.", company_name="The Acme Co.", phone="503-555-0100"),
        R(2, display_name="ACME, Inc", company_name="ACME, Inc", phone="(503) 555-0100"),
        "same company: 'acme'",
    ),
]


@pytest.mark.parametrize(("a", "b", "reason"), SAME_CUSTOMER)
def test_typing_differences_still_reach_the_review_queue_with_the_reason(a, b, reason):
    value, reasons = score(a, b)
    assert value >= REVIEW_THRESHOLD, reasons
    assert reason in reasons


def test_name_email_and_phone_together_are_a_likely_duplicate():
    value, _ = score(
        R(1, display_name="Jon Smith", email="jon@example.com", phone="503-555-0101"),
        R(2, display_name="John Smith", email="Jon@Example.com", phone="(503) 555-0101"),
    )
    assert value >= AUTO_SUGGEST_THRESHOLD


LOOK_ALIKES = [
    # Husband and wife: same address, landline and even email; different first names.
    (
        R(1, display_name="John Smith", email="smiths@example.com", phone="503-555-0101", line1="12 Main St"),
        R(
            2,
            display_name="Mary Smith",
            email="smiths@example.com",
            phone="503-555-0101",
            line1="12 Main Street",
        ),
        "same last name but different first names: 'John Smith' / 'Mary Smith' (may be family members)",
    ),
    # Father and son at one address.
    (
        R(1, display_name="George Thomas", phone="503-555-0133", line1="8 Oak Rd", postal_code="97201"),
        R(2, display_name="George Thomas Jr", phone="503-555-0133", line1="8 Oak Road", postal_code="97201"),
        "different generations ('None' / 'Jr'): may be parent and child",
    ),
    # Neighbours in one building.
    (
        R(1, display_name="Ana Lopez", line1="500 Pine St", line2="Apt 4", postal_code="97201"),
        R(2, display_name="Ana Lopez", line1="500 Pine Street", line2="Apt 7", postal_code="97201"),
        "same building, different units ('4' / '7')",
    ),
    # Two John Smiths with nothing else in common.
    (
        R(1, display_name="John Smith", email="js1@example.com", phone="503-555-0001"),
        R(2, display_name="John Smith", email="js2@example.com", phone="503-555-0002"),
        "different email addresses",
    ),
]


@pytest.mark.parametrize(("a", "b", "reason"), LOOK_ALIKES)
def test_look_alikes_stay_out_of_the_queue_and_say_why(a, b, reason):
    value, reasons = score(a, b)
    assert value < REVIEW_THRESHOLD, reasons
    assert reason in reasons


def test_a_name_no_other_customer_has_counts_more_than_a_common_one():
    # A store of 2,000 customers: 200 John Smiths, everyone else with a name of their own.
    population = [prepare(R(i, display_name="John Smith")) for i in range(3, 203)]
    population += [prepare(R(i, display_name=f"Given{i} Family{i}")) for i in range(203, 2000)]
    rare = (
        R(1, display_name="Xiomara Quattlebaum", email="xq@example.com"),
        R(2, display_name="Xiomara Quattlebaum"),
    )
    common = (R(1, display_name="John Smith", email="js@example.com"), R(2, display_name="John Smith"))
    counts = name_counts([*population, *(prepare(r) for r in (*rare, *common))])

    rare_score, rare_reasons = score(*rare, counts)
    common_score, _ = score(*common, counts)

    assert rare_score >= REVIEW_THRESHOLD > common_score
    assert "a rare name among your customers" in rare_reasons


def test_scores_are_symmetric():
    a = R(1, display_name="Robert Brown", email="rb@example.com", line1="1 Elm St", line2="Unit 2")
    b = R(2, display_name="Bob Browne", phone="503-555-0101", line1="1 Elm Street #2")
    assert score(a, b)[0] == score(b, a)[0]
