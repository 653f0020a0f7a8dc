"""The query strings python-quickbooks emits (spec §1.1.4) parse as QBO parses them."""

from __future__ import annotations

from decimal import Decimal

import pytest

from integrations.qbo_sandbox.query import (
    Condition,
    Query,
    matches,
)
from tests.integrations.qbo_sandbox.query_helpers import fault, q

# --- the query strings python-quickbooks 0.9.12 emits (spec §1.1.4, verbatim) -----------------


def test_all_customers():
    query = q("SELECT * FROM Customer MAXRESULTS 100")
    assert query == Query(entity="Customer", max_results=100)


def test_all_items_selects_star_plus_sku():
    query = q("SELECT *, Sku FROM Item MAXRESULTS 100")
    assert (query.entity, query.fields, query.extra_fields, query.max_results) == (
        "Item",
        None,
        ("Sku",),
        100,
    )


def test_all_with_order_by_two_words():
    query = q("SELECT * FROM Customer ORDER BY DisplayName MAXRESULTS 100")
    assert query.order_by == (("DisplayName", False),)
    # The verbatim spec line uses a placeholder property; it parses and fails validation only.
    assert fault("SELECT * FROM Customer ORDER BY X MAXRESULTS 100").code == "4001"


def test_where_with_orderby_one_word_startposition_maxresults():
    query = q("SELECT * FROM Customer WHERE Active = true ORDERBY DisplayName STARTPOSITION 1 MAXRESULTS 10")
    assert query.conditions == (Condition("Active", "=", True),)
    assert query.order_by == (("DisplayName", False),)
    assert (query.start_position, query.max_results, query.mentions_active) == (1, 10, True)


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT * FROM Customer  STARTPOSITION 1 MAXRESULTS 100",
        "SELECT * FROM Customer ",
        "SELECT COUNT(*) FROM Customer ",
        "  SELECT   *   FROM   Customer   MAXRESULTS   5  ",
        "SELECT *\n FROM Customer\r\n\tWHERE Active = true",
    ],
)
def test_extra_and_trailing_whitespace(sql):
    assert q(sql).entity == "Customer"


def test_startposition_zero_is_first_row():
    query = q("SELECT * FROM Customer WHERE Active = true STARTPOSITION 0 MAXRESULTS 10")
    assert query.start_position == 1
    assert q("SELECT * FROM Customer STARTPOSITION -3").start_position == 1
    assert q("SELECT * FROM Customer STARTPOSITION 7").start_position == 7


def test_filter_with_escaped_quote_and_python_true():
    query = q(r"SELECT * FROM Customer WHERE DisplayName = 'O\'Brien' AND Active = True")
    assert query.conditions == (Condition("DisplayName", "=", "O'Brien"), Condition("Active", "=", True))


def test_choose_with_lower_case_in():
    query = q("SELECT * FROM Customer WHERE DisplayName in ('a', 'b')")
    assert query.conditions == (Condition("DisplayName", "IN", ("a", "b")),)


def test_count():
    query = q("SELECT COUNT(*) FROM Customer WHERE Active = true")
    assert query.count_only and query.fields is None and query.mentions_active


def test_filter_on_reference():
    query = q("SELECT * FROM Invoice WHERE CustomerRef = '100'")
    assert query.conditions == (Condition("CustomerRef", "=", "100"),)
    assert matches(query, {"Id": "1", "CustomerRef": {"value": "100", "name": "X"}})
    assert not matches(query, {"Id": "2", "CustomerRef": {"value": "1000"}})


class _RecordingQB:
    """Stands in for a QuickBooks client: records the SQL python-quickbooks would POST."""

    def __init__(self):
        self.sent: list[str] = []

    def query(self, select):
        self.sent.append(select)
        return {"QueryResponse": {}}


def test_every_string_the_real_sdk_builds_parses():
    customer = pytest.importorskip("quickbooks.objects.customer").Customer
    item = pytest.importorskip("quickbooks.objects.item").Item
    invoice = pytest.importorskip("quickbooks.objects.invoice").Invoice
    qb = _RecordingQB()
    customer.all(qb=qb)
    item.all(qb=qb)
    customer.all(order_by="DisplayName DESC", start_position=3, max_results=1000, qb=qb)
    customer.where("Active = true", order_by="DisplayName", start_position=1, max_results=10, qb=qb)
    customer.where("", qb=qb)
    customer.where("", start_position=0, max_results=5, qb=qb)
    customer.filter(DisplayName="O'Brien", Active=True, qb=qb)
    customer.filter(Balance=Decimal("10.50"), Active=False, qb=qb)
    customer.choose(["a", "b"], field="DisplayName", qb=qb)
    customer.choose([1, 2], qb=qb)
    customer.count("Active = true", qb=qb)
    customer.count(qb=qb)
    invoice.filter(CustomerRef="100", qb=qb)
    assert len(qb.sent) == 13
    parsed = [q(sql) for sql in qb.sent]
    assert parsed[1].extra_fields == ("Sku",)
    assert parsed[2].order_by == (("DisplayName", True),) and parsed[2].start_position == 3
    assert parsed[5].start_position == 1 and parsed[5].max_results == 5
    assert parsed[6].conditions[0].value == "O'Brien"
    assert parsed[7].conditions == (
        Condition("Balance", "=", Decimal("10.50")),
        Condition("Active", "=", False),
    )
    assert parsed[9].conditions == (Condition("Id", "IN", (1, 2)),)
    assert parsed[10].count_only and parsed[11].count_only


# --- case-insensitivity -------------------------------------------------------------------------
