"""Customer reads: search, the sub-customer tree, the admin list and balance figures."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from customers.selectors import (
    customer_ancestor_ids,
    customer_delete_blockers,
    customer_descendant_ids,
    customer_get_subtree,
    customer_list_for_admin,
    customer_open_balance_summary,
    customer_search,
)
from tests.factories.customers import CustomerFactory, CustomerNoteFactory, CustomerTypeFactory

pytestmark = pytest.mark.django_db


def _names(queryset) -> list[str]:
    return sorted(queryset.values_list("display_name", flat=True))


class TestSearch:
    @pytest.fixture(autouse=True)
    def people(self):
        CustomerFactory(
            display_name="Jane Smith",
            given_name="Jane",
            family_name="Smith",
            email="jane@example.test",
            phone="(555) 201-3344",
            mobile="",
        )
        CustomerFactory(
            display_name="Acme Plumbing",
            given_name="",  # not the factory's random names: Faker's last names include "Smith"
            family_name="",
            company_name="Acme Plumbing Ltd",
            email="office@plumb.test",
            phone="",
            mobile="+1 555.777.8899",
        )
        CustomerFactory(display_name="John Smithers", given_name="John", family_name="Smithers", phone="")

    @pytest.mark.parametrize(
        ("q", "found"),
        [
            ("smith", ["Jane Smith", "John Smithers"]),
            ("jane smith", ["Jane Smith"]),
            ("ACME", ["Acme Plumbing"]),
            ("plumb.test", ["Acme Plumbing"]),
            ("5552013344", ["Jane Smith"]),
            ("201-3344", ["Jane Smith"]),
            ("7778899", ["Acme Plumbing"]),
            ("nobody", []),
        ],
    )
    def test_matches_every_word_in_names_company_email_or_phone_digits(self, q, found):
        assert _names(customer_search(q=q)) == found

    def test_an_empty_search_returns_everyone(self):
        assert len(_names(customer_search(q="   "))) == 3


class TestTree:
    def test_ancestors_descendants_and_subtree_follow_the_parent_links(self):
        top = CustomerFactory(display_name="Top")
        job_b = CustomerFactory(display_name="Job B", parent=top)
        job_a = CustomerFactory(display_name="Job A", parent=top)
        phase = CustomerFactory(display_name="Phase 1", parent=job_b)
        CustomerFactory(display_name="Elsewhere")

        assert customer_ancestor_ids(customer_id=phase.pk) == [phase.pk, job_b.pk, top.pk]
        assert customer_ancestor_ids(customer_id=None) == []
        assert sorted(customer_descendant_ids(customer=top)) == sorted([job_a.pk, job_b.pk, phase.pk])
        assert [c.display_name for c in customer_get_subtree(customer=top)] == [
            "Top",
            "Job A",
            "Job B",
            "Phase 1",
        ]
        assert customer_descendant_ids(customer=phase) == []


def test_the_admin_list_needs_one_query_and_sorts_by_available_credit():
    retail = CustomerTypeFactory(name="Retail")
    parent = CustomerFactory(display_name="Parent")
    CustomerFactory(display_name="Plenty", parent=parent, customer_type=retail, credit_limit=Decimal("900"))
    CustomerFactory(
        display_name="Little", customer_type=retail, credit_limit=Decimal("500"), balance=Decimal("450")
    )

    with CaptureQueriesContext(connection) as queries:
        rows = [
            (c.display_name, c.parent and c.parent.display_name, c.customer_type and c.customer_type.name)
            for c in customer_list_for_admin()
            .filter(credit_limit__isnull=False)
            .order_by("available_credit_value")
        ]

    assert rows == [("Little", None, "Retail"), ("Plenty", "Parent", "Retail")]
    assert len(queries) == 1


def test_open_balance_summary_counts_who_owes_and_who_is_over_the_limit():
    CustomerFactory(balance=Decimal("100.00"), credit_limit=Decimal("50.00"))
    CustomerFactory(balance=Decimal("25.50"))
    CustomerFactory(balance=Decimal("-10.00"))
    CustomerFactory()

    summary = customer_open_balance_summary()

    assert (summary.customers_owing, summary.total_owed, summary.customers_over_limit) == (
        2,
        Decimal("125.50"),
        1,
    )


def test_total_owed_is_exact_to_the_cent_over_many_customers():
    # SQLite sums these nine balances in binary floating point to 85438.5699999999.
    amounts = ["65655.18", "86.72", "0.79", "897.29", "0.54", "17810.60", "0.65", "837.65", "149.15"]
    for amount in amounts:
        CustomerFactory(balance=Decimal(amount))

    assert customer_open_balance_summary().total_owed == Decimal("85438.57")


def test_delete_blockers_name_what_protects_the_customer_but_not_notes():
    customer = CustomerFactory()
    CustomerNoteFactory(customer=customer)  # notes go with the customer: not a blocker
    assert customer_delete_blockers(customer=customer) == []

    CustomerFactory.create_batch(2, parent=customer)
    assert customer_delete_blockers(customer=customer) == ["2 sub-customers"]
