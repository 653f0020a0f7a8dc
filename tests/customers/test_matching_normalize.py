"""What people type, reduced to comparable keys: the differences a duplicate finder must see through."""

import pytest

from customers.matching.normalize import (
    normalize_address,
    normalize_company,
    normalize_email,
    normalize_phone,
    normalize_postal,
    person_name,
    prepare,
)
from customers.matching.records import CustomerRecord


@pytest.mark.parametrize(
    ("record", "expected"),
    [
        (CustomerRecord(1, display_name="Smith, John A."), ("john", "a", "smith", "")),
        (CustomerRecord(1, display_name="Dr. John A. Smith Jr."), ("john", "a", "smith", "jr")),
        (CustomerRecord(1, display_name="John Smith, Jr."), ("john", "", "smith", "jr")),
        (CustomerRecord(1, display_name="Maria de la Cruz"), ("maria", "", "delacruz", "")),
        (CustomerRecord(1, given_name="José", family_name="Núñez-O'Brien"), ("jose", "", "nunezobrien", "")),
        (CustomerRecord(1, given_name="J.", family_name="SMITH"), ("j", "", "smith", "")),
        (CustomerRecord(1, display_name="Acme Plumbing", company_name="Acme Plumbing"), ("", "", "", "")),
    ],
)
def test_names_are_read_from_the_boxes_or_from_a_one_box_name(record, expected):
    assert person_name(record) == expected


def test_nicknames_know_their_formal_names():
    assert {"bob", "robert"} <= prepare(CustomerRecord(1, display_name="Bob Jones")).first_forms
    assert {"ted", "edward", "theodore"} <= prepare(CustomerRecord(1, display_name="Ted Jones")).first_forms


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("John.Smith+receipts@GMail.com", "johnsmith@gmail.com"),
        ("j.o.h.n.smith@googlemail.com", "johnsmith@gmail.com"),
        ("John.Smith@Example.COM", "john.smith@example.com"),  # dots matter outside Gmail
        ("not an email", ""),
    ],
)
def test_emails_ignore_case_plus_tags_and_gmail_dots(typed, key):
    assert normalize_email(typed) == key


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("(503) 555-0101", "15035550101"),
        ("503.555.0101 x 22", "15035550101"),
        ("+1 503 555 0101", "15035550101"),
        ("1-503-555-0101", "15035550101"),
        ("+44 20 7946 0018", "442079460018"),
        ("555-0101", "5550101"),
    ],
)
def test_phones_become_digits_with_the_country_code(typed, key):
    assert normalize_phone(typed) == key


def test_a_national_number_gets_the_stores_country_code():
    assert normalize_phone("020 7946 0018", default_country="44") == "442079460018"


@pytest.mark.parametrize(
    ("line1", "line2", "expected"),
    [
        ("123 North Main Street", "Apartment 4B", ("123 n main st", "4b")),
        ("123 N. Main St.", "Apt #4B", ("123 n main st", "4b")),
        ("123 N Main St #4B", "", ("123 n main st", "4b")),
        ("500 Fifth Avenue", "Suite 010", ("500 5th ave", "10")),
    ],
)
def test_addresses_use_standard_abbreviations_and_split_off_the_unit(line1, line2, expected):
    assert normalize_address(line1, line2) == expected


@pytest.mark.parametrize(
    ("typed", "key"), [("97201-1234", "97201"), (" k1a 0b1", "K1A0B1"), ("2134", "02134")]
)
def test_postal_codes(typed, key):
    assert normalize_postal(typed) == key


@pytest.mark.parametrize("typed", ["The Acme Co., Inc.", "ACME, INC", "Acme LLC", "acme"])
def test_company_names_drop_legal_forms(typed):
    assert normalize_company(typed) == "acme"
