"""The sandbox's QBO query language: parsing, faults, evaluation, ordering, projection, pushdown."""

from __future__ import annotations

import json
import random
import sqlite3
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from integrations.qbo_sandbox.query import (
    ENTITY_PROPERTIES,
    NAME_LIST_ENTITIES,
    Condition,
    Query,
    QueryError,
    matches,
    parse_query,
    project,
    sort_documents,
    sql_pushdown,
    validate_properties,
)

TODAY = date(2015, 7, 23)


def q(sql: str, **kwargs) -> Query:
    return parse_query(sql, today=TODAY, **kwargs)


def fault(sql: str, **kwargs) -> QueryError:
    with pytest.raises(QueryError) as info:
        parse_query(sql, today=TODAY, **kwargs)
    return info.value


def select(sql: str, docs: list[dict]) -> list[str]:
    query = q(sql)
    return [d["Id"] for d in sort_documents(query, [d for d in docs if matches(query, d)])]


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


def test_keywords_entities_and_properties_in_any_case_come_back_canonical():
    query = q(
        "select displayname, metadata.lastupdatedtime from cUstomer where givenname = 'Greg' "
        "and Metadata.CreateTime > '2015-01-01' orderby FAMILYNAME desc, iD asc startposition 2 maxresults 3"
    )
    assert query.entity == "Customer"
    assert query.fields == ("DisplayName", "MetaData.LastUpdatedTime")
    assert [c.field for c in query.conditions] == ["GivenName", "MetaData.CreateTime"]
    assert query.order_by == (("FamilyName", True), ("Id", False))
    assert q("SELECT * FROM salesreceipt").entity == "SalesReceipt"
    assert q("Select Count(*) From CREDITMEMO").entity == "CreditMemo"


def test_string_comparisons_ignore_case():
    docs = [{"Id": "1", "GivenName": "Greg"}, {"Id": "2", "GivenName": "Gregory"}]
    assert select("SELECT * from cUstomer where givenname = 'greg'", docs) == ["1"]
    assert select("SELECT * from Customer where GivenName = 'GREG'", docs) == ["1"]
    account = [{"Id": "35", "Name": "Checking", "Active": True}]
    assert select("SELECT * FROM Account WHERE Name = 'checking'", account) == ["35"]


@pytest.mark.parametrize("literal", ["true", "TRUE", "True", "'true'", "'True'", "1"])
def test_boolean_literals(literal):
    docs = [{"Id": "1", "Taxable": True}, {"Id": "2", "Taxable": False}, {"Id": "3"}]
    assert select(f"SELECT * FROM Customer WHERE Taxable = {literal}", docs) == ["1"]


# --- values --------------------------------------------------------------------------------------


def test_literal_types():
    query = q(
        "SELECT * FROM Invoice WHERE TotalAmt > 10.50 AND Balance >= 3 AND DocNumber = '1001' "
        "AND PrivateNote = 'it''s' AND ExchangeRate != -1.5"
    )
    assert [c.value for c in query.conditions] == [Decimal("10.50"), 3, "1001", "it's", Decimal("-1.5")]
    assert q("SELECT * FROM Customer WHERE Notes = 'C:\\temp\\\\x'").conditions[0].value == "C:\\temp\\x"


def test_current_date_is_the_company_today():
    query = q("SELECT * FROM Invoice WHERE DueDate < CURRENT_DATE")
    assert query.conditions == (Condition("DueDate", "<", "2015-07-23"),)
    docs = [{"Id": "1", "DueDate": "2015-07-22"}, {"Id": "2", "DueDate": "2015-07-23"}]
    assert select("SELECT * FROM Invoice WHERE DueDate < CURRENT_DATE", docs) == ["1"]
    assert select("SELECT * FROM Invoice WHERE DueDate IN (CURRENT_DATE)", docs) == ["2"]


def test_numbers_quoted_or_not_compare_numerically():
    docs = [{"Id": "1", "Balance": 9.5}, {"Id": "2", "Balance": 10}, {"Id": "3", "Balance": 100.25}]
    assert select("SELECT * FROM Customer WHERE Balance > 10", docs) == ["3"]
    assert select("SELECT * FROM Customer WHERE Balance > '9.75'", docs) == ["2", "3"]
    assert select("SELECT * FROM Customer WHERE Balance = 10.00", docs) == ["2"]
    assert select("SELECT * FROM Customer WHERE Balance <= 100.25", docs) == ["1", "2", "3"]
    assert select("SELECT * FROM Customer WHERE Balance = 'ten'", docs) == []


def test_ids_compare_numerically_and_only_with_equals_or_in():
    docs = [{"Id": str(n)} for n in (1, 2, 10, 20)]
    assert select("SELECT * FROM Invoice WHERE Id = '10'", docs) == ["10"]
    assert select("SELECT * FROM Invoice WHERE Id = 10", docs) == ["10"]
    assert select("SELECT * FROM Invoice WHERE Id IN ('2', 20, '010')", docs) == ["2", "10", "20"]
    tax = [{"Id": "TAX", "Name": "TAX"}, {"Id": "NON", "Name": "NON"}, {"Id": "2", "Name": "CA"}]
    assert select("SELECT * FROM TaxCode WHERE Id = 'tax'", tax) == ["TAX"]


def test_reference_fields_compare_on_value():
    docs = [
        {"Id": "1", "ParentRef": {"value": "58"}, "PaymentMethodRef": {"value": "3", "name": "Visa"}},
        {"Id": "2", "ParentRef": {"value": "5"}},
        {"Id": "3"},
    ]
    assert select("SELECT * FROM Customer WHERE ParentRef = '58'", docs) == ["1"]
    assert select("SELECT * FROM Customer WHERE ParentRef IN (5, 58)", docs) == ["1", "2"]
    assert select("SELECT * FROM Customer WHERE PaymentMethodRef = '3'", docs) == ["1"]
    receipts = [
        {"Id": "7", "DepositToAccountRef": {"value": "35"}},
        {"Id": "8", "DepositToAccountRef": {"value": "4"}},
    ]
    assert select("SELECT * FROM SalesReceipt WHERE DepositToAccountRef = '4'", receipts) == ["8"]


def test_item_ref_matches_any_item_line():
    docs = [
        {
            "Id": "1",
            "Line": [{"SalesItemLineDetail": {"ItemRef": {"value": "5"}}}, {"DetailType": "SubTotal"}],
        },
        {"Id": "2", "Line": [{"SalesItemLineDetail": {"ItemRef": {"value": "6"}}}]},
        {"Id": "3", "Line": [{"GroupLineDetail": {"GroupItemRef": {"value": "5"}}}]},
        {"Id": "4"},
    ]
    assert select("SELECT * FROM Invoice WHERE ItemRef = '5'", docs) == ["1", "3"]


def test_object_properties_compare_on_their_text():
    docs = [
        {
            "Id": "1",
            "PrimaryEmailAddr": {"Address": "Jdrew@MyEmail.com"},
            "PrimaryPhone": {"FreeFormNumber": "555"},
        },
        {"Id": "2", "PrimaryEmailAddr": {"Address": "other@x.com"}},
    ]
    assert select("SELECT * FROM Customer WHERE PrimaryEmailAddr = 'jdrew@myemail.com'", docs) == ["1"]
    assert select("SELECT * FROM Customer WHERE PrimaryPhone = '555'", docs) == ["1"]


def test_missing_property_is_null_and_never_matches():
    docs = [{"Id": "1", "CompanyName": "Acme"}, {"Id": "2"}, {"Id": "3", "CompanyName": None}]
    assert select("SELECT * FROM Customer WHERE CompanyName != 'Acme'", docs) == []
    assert select("SELECT * FROM Customer WHERE CompanyName != 'Other'", docs) == ["1"]
    assert select("SELECT * FROM Customer WHERE CompanyName IN ('acme', 'x')", docs) == ["1"]
    assert select("SELECT * FROM Customer WHERE CompanyName LIKE '%'", docs) == ["1"]
    assert select("SELECT * FROM Customer WHERE CompanyName < 'b'", docs) == ["1"]


def test_not_equals_is_tolerated():
    docs = [{"Id": "1", "DisplayName": "A"}, {"Id": "2", "DisplayName": "B"}]
    assert select("SELECT * FROM Customer WHERE DisplayName != 'a'", docs) == ["2"]
    assert select("SELECT * FROM Customer WHERE DisplayName <> 'b'", docs) == ["1"]


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("King%", ["1", "2"]),
        ("%groceries", ["1", "4"]),
        ("%ING%", ["1", "2", "3"]),
        ("king's groceries", ["1"]),
        ("K%s", ["1"]),
        ("%", ["1", "2", "3", "4", "5"]),
        ("Bob_s%", ["5"]),
        ("%s b%", ["5"]),
        ("B.b%", []),
    ],
)
def test_like_supports_percent_only(pattern, expected):
    docs = [
        {"Id": "1", "DisplayName": "King's Groceries"},
        {"Id": "2", "DisplayName": "Kingston"},
        {"Id": "3", "DisplayName": "Viking Bakery"},
        {"Id": "4", "DisplayName": "Local groceries"},
        {"Id": "5", "DisplayName": "Bob_s Barn"},
    ]
    escaped = pattern.replace("'", "\\'")
    assert select(f"SELECT * FROM Customer WHERE DisplayName LIKE '{escaped}'", docs) == expected


def test_in_with_quoted_list_and_booleans():
    docs = [
        {"Id": "1", "DisplayName": "Alpha", "Active": True},
        {"Id": "2", "DisplayName": "beta", "Active": False},
        {"Id": "3", "DisplayName": "Gamma", "Active": True},
    ]
    assert select("SELECT * FROM Customer WHERE DisplayName IN ('alpha', 'BETA')", docs) == ["1"]
    assert select(
        "SELECT * FROM Customer WHERE Active IN (true, false) AND DisplayName IN ('alpha', 'BETA')", docs
    ) == [
        "1",
        "2",
    ]
    assert select("SELECT * FROM Customer WHERE Active IN (false)", docs) == ["2"]


# --- datetimes -----------------------------------------------------------------------------------

CUSTOMERS_BY_TIME = [
    {
        "Id": "1",
        "MetaData": {
            "CreateTime": "2015-07-23T10:58:12-07:00",
            "LastUpdatedTime": "2015-07-23T10:58:12-07:00",
        },
    },
    {
        "Id": "2",
        "MetaData": {"CreateTime": "2015-07-23T23:30:00-07:00", "LastUpdatedTime": "2015-07-24T06:30:01Z"},
    },
    {
        "Id": "3",
        "MetaData": {
            "CreateTime": "2015-01-16T15:08:12-08:00",
            "LastUpdatedTime": "2015-01-16T15:08:12-08:00",
        },
    },
    {"Id": "4"},
]


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ("MetaData.LastUpdatedTime > '2015-07-23T17:58:12Z'", ["2"]),
        ("MetaData.LastUpdatedTime >= '2015-07-23T17:58:12Z'", ["1", "2"]),
        ("MetaData.LastUpdatedTime = '2015-07-23T10:58:12-07:00'", ["1"]),
        ("MetaData.LastUpdatedTime = '2015-07-23T13:58:12-04:00'", ["1"]),
        ("MetaData.LastUpdatedTime = '2015-07-23T10:58:12'", ["1"]),  # naive = company time
        ("MetaData.LastUpdatedTime > '2015-07-23T10:58:12.5'", ["2"]),
        ("MetaData.LastUpdatedTime < '2015-07-23T10:58:12.5-07:00'", ["1", "3"]),
        ("Metadata.LastUpdatedTime <= '2015-07-23T23:30:01'", ["1", "2", "3"]),
        ("MetaData.LastUpdatedTime < '2015-07-23T23:30:01'", ["1", "3"]),
        ("MetaData.CreateTime >= '2015-07-23'", ["1", "2"]),  # a date = midnight, company time
        ("MetaData.CreateTime < '2015-07-23'", ["3"]),
        ("MetaData.CreateTime < CURRENT_DATE", ["3"]),
        ("MetaData.CreateTime > '2015-07-23T07:00:00+00:00'", ["1", "2"]),
        ("MetaData.CreateTime != '2015-01-16T15:08:12-08:00'", ["1", "2"]),
        ("MetaData.CreateTime IN ('2015-01-16T23:08:12Z', '2015-07-23T23:30:00-07:00')", ["2", "3"]),
    ],
)
def test_metadata_compares_as_instants(where, expected):
    assert select(f"SELECT * FROM Customer WHERE {where}", CUSTOMERS_BY_TIME) == expected


def test_company_time_zone_governs_naive_values():
    query = q("SELECT * FROM Customer WHERE MetaData.CreateTime >= '2015-07-23'", company_tz="UTC")
    assert [d["Id"] for d in CUSTOMERS_BY_TIME if matches(query, d)] == ["1", "2"]
    query = q("SELECT * FROM Customer WHERE MetaData.CreateTime >= '2015-07-23T18:00:00'", company_tz="UTC")
    assert [d["Id"] for d in CUSTOMERS_BY_TIME if matches(query, d)] == ["2"]


def test_dates_compare_as_dates():
    docs = [{"Id": "1", "TxnDate": "2015-01-31"}, {"Id": "2", "TxnDate": "2015-02-01"}, {"Id": "3"}]
    assert select("SELECT * FROM Invoice WHERE TxnDate > '2015-01-31'", docs) == ["2"]
    assert select("SELECT * FROM Invoice WHERE TxnDate = '2015-02-01T10:00:00-08:00'", docs) == ["2"]
    assert select("SELECT * FROM Invoice WHERE TxnDate <= '2015-02-01' ORDER BY TxnDate DESC", docs) == [
        "2",
        "1",
    ]


# --- default Active filter ---------------------------------------------------------------------


def test_name_lists_hide_inactive_rows_unless_active_is_mentioned():
    docs = [{"Id": "1", "Active": True}, {"Id": "2", "Active": False}, {"Id": "3"}]
    assert select("SELECT * FROM Customer", docs) == ["1", "3"]
    assert select("SELECT * FROM Customer WHERE Active = false", docs) == ["2"]
    assert select("SELECT * FROM Customer WHERE Active IN (true, false)", docs) == ["1", "2"]
    assert select("SELECT * FROM Invoice", docs) == ["1", "2", "3"]
    assert {
        "Customer",
        "Item",
        "Account",
        "TaxCode",
        "Vendor",
        "Employee",
        "Term",
        "PaymentMethod",
    } <= NAME_LIST_ENTITIES
    assert "Invoice" not in NAME_LIST_ENTITIES


# --- errors --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sql", "detail"),
    [
        (
            "SELECT * FROM Invoice ORDER TxnDate",
            'QueryParserError: Encountered " <IDENTIFIER> "TxnDate "" at line 1, column 29.',
        ),
        (
            "SELECT * FROM Customer WHERE DisplayName = 'a' OR DisplayName = 'b'",
            'QueryParserError: Encountered " <IDENTIFIER> "OR "" at line 1, column 48.',
        ),
        (
            "SELECT * FROM Customer c JOIN Invoice i",
            'QueryParserError: Encountered " <IDENTIFIER> "c "" at line 1, column 24.',
        ),
        (
            "SELECT COUNT(*) FROM Invoice GROUP BY CustomerRef",
            'QueryParserError: Encountered " <IDENTIFIER> "GROUP "" at line 1, column 30.',
        ),
        ("SELECT * FROM Customer WHERE", 'QueryParserError: Encountered "<EOF>" at line 1, column 29.'),
        ("", 'QueryParserError: Encountered "<EOF>" at line 1, column 1.'),
        (
            "SELECT * Customer",
            'QueryParserError: Encountered " <IDENTIFIER> "Customer "" at line 1, column 10.',
        ),
        ("SELECT FROM Customer", 'QueryParserError: Encountered " "FROM" "FROM "" at line 1, column 8.'),
        (
            "SELECT * FROM Customer WHERE DisplayName LIKE 5",
            'QueryParserError: Encountered " <INTEGER> "5 "" at line 1, column 47.',
        ),
        (
            "SELECT * FROM Customer WHERE Id IN ()",
            'QueryParserError: Encountered " ")" ") "" at line 1, column 37.',
        ),
        (
            "SELECT * FROM Customer MAXRESULTS 10 MAXRESULTS 10",
            'QueryParserError: Encountered " "MAXRESULTS" "MAXRESULTS "" at line 1, column 38.',
        ),
        (
            "SELECT * FROM Customer MAXRESULTS '10'",
            'QueryParserError: Encountered " <STRING_LITERAL> "\\\'10\\\' "" at line 1, column 35.',
        ),
        (
            "SELECT * FROM Customer WHERE Balance ~ 5",
            'QueryParserError: Lexical error at line 1, column 38.  Encountered: "~" (126), after : ""',
        ),
        (
            "SELECT * FROM Customer WHERE DisplayName = 'abc",
            'QueryParserError: Lexical error at line 1, column 48.  Encountered: <EOF> after : "\\\'abc"',
        ),
        (
            "SELECT *\nFROM Customer\nWHERE NOT Active = true",
            'QueryParserError: Encountered " <IDENTIFIER> "Active "" at line 3, column 11.',
        ),
        (
            "SELECT NoSuchField FROM Customer WHERE",  # syntax is checked before properties
            'QueryParserError: Encountered "<EOF>" at line 1, column 39.',
        ),
        (
            "SELECT * FROM Customer;",
            'QueryParserError: Lexical error at line 1, column 23.  Encountered: ";" (59), after : ""',
        ),
    ],
)
def test_parse_errors_are_4000(sql, detail):
    error = fault(sql)
    assert (error.code, error.message, error.detail) == ("4000", "Error parsing query", detail)
    assert error.as_error() == {
        "Message": "Error parsing query",
        "Detail": detail,
        "code": "4000",
        "element": "",
    }
    assert str(error) == detail


@pytest.mark.parametrize(
    ("sql", "detail"),
    [
        (
            "SELECT * FROM Customer WHERE NoSuchField = '1'",
            "Property NoSuchField not found for Entity Customer",
        ),
        ("SELECT NoSuchField FROM Customer", "Property NoSuchField not found for Entity Customer"),
        ("SELECT *, nosuch FROM Item", "Property nosuch not found for Entity Item"),
        ("SELECT * FROM Customer ORDERBY Nope DESC", "Property Nope not found for Entity Customer"),
        (
            "SELECT * FROM Invoice WHERE DisplayName = 'x'",
            "Property DisplayName not found for Entity Invoice",
        ),
        (
            "SELECT * FROM Customer WHERE MetaData.Nope > '2015-01-01'",
            "Property MetaData.Nope not found for Entity Customer",
        ),
        ("SELECT * FROM Customer MAXRESULTS 1500", "value 1500 is too large. Max allowed value is 1000"),
        (
            "SELECT COUNT(*) FROM Customer MAXRESULTS 1001",
            "value 1001 is too large. Max allowed value is 1000",
        ),
        ("SELECT * FROM Customer MAXRESULTS -1", "value -1 is too small. Min allowed value is 0"),
        ("SELECT * FROM Purchase", "Entity Purchase not found"),
        ("SELECT * FROM Customer WHERE Id > '5'", "Operator > is not supported for property Id"),
        ("SELECT * FROM Customer WHERE id != 5", "Operator != is not supported for property Id"),
        ("SELECT * FROM Customer WHERE Id LIKE '1%'", "Operator LIKE is not supported for property Id"),
        (
            "SELECT * FROM Customer WHERE MetaData.CreateTime > 'yesterday'",
            "Invalid DateTime value yesterday for property MetaData.CreateTime",
        ),
        (
            "SELECT * FROM Customer WHERE MetaData.LastUpdatedTime < '2015-13-45'",
            "Invalid DateTime value 2015-13-45 for property MetaData.LastUpdatedTime",
        ),
    ],
)
def test_validation_errors_are_4001(sql, detail):
    error = fault(sql)
    assert (error.code, error.message, error.detail) == (
        "4001",
        "Invalid query",
        f"QueryValidationError: {detail}",
    )


def test_max_results_limit_is_configurable():
    assert fault("SELECT * FROM Customer MAXRESULTS 51", max_results_limit=50).detail == (
        "QueryValidationError: value 51 is too large. Max allowed value is 50"
    )
    assert q("SELECT * FROM Customer MAXRESULTS 1000").max_results == 1000
    assert q("SELECT * FROM Customer MAXRESULTS 0").max_results == 0
    assert q("SELECT * FROM Customer").max_results is None


def test_validate_properties_checks_hand_built_queries():
    validate_properties(Query(entity="Customer", conditions=(Condition("DisplayName", "=", "x"),)))
    with pytest.raises(QueryError) as info:
        validate_properties(Query(entity="Customer", conditions=(Condition("displayname", "=", "x"),)))
    assert info.value.code == "4001"
    with pytest.raises(QueryError):
        validate_properties(Query(entity="Customer", order_by=(("Bogus", False),)))
    with pytest.raises(QueryError):
        validate_properties(Query(entity="Nope"))


def test_entity_properties_cover_the_spec_fields():
    assert {"DisplayName", "GivenName", "Active", "ParentRef", "Balance", "MetaData.LastUpdatedTime"} <= (
        ENTITY_PROPERTIES["Customer"]
    )
    assert {"Sku", "Name", "Type", "IncomeAccountRef"} <= ENTITY_PROPERTIES["Item"]
    assert {"CustomerRef", "TxnDate", "DocNumber", "TotalAmt", "Balance", "DueDate"} <= ENTITY_PROPERTIES[
        "Invoice"
    ]
    assert {"DepositToAccountRef", "PaymentMethodRef"} <= ENTITY_PROPERTIES["SalesReceipt"]
    assert {"UnappliedAmt", "CustomerRef"} <= ENTITY_PROPERTIES["Payment"]
    assert all("Id" in props and "MetaData.CreateTime" in props for props in ENTITY_PROPERTIES.values())


# --- ordering ------------------------------------------------------------------------------------


def test_default_order_is_numeric_id():
    docs = [{"Id": str(n)} for n in (10, 2, 33, 1)]
    assert [d["Id"] for d in sort_documents(q("SELECT * FROM Invoice"), docs)] == ["1", "2", "10", "33"]


def test_order_by_fields_directions_and_ties():
    docs = [
        {"Id": "4", "DisplayName": "bravo", "Balance": 5},
        {"Id": "3", "DisplayName": "Alpha", "Balance": 5},
        {"Id": "12", "DisplayName": "alpha", "Balance": 100},
        {"Id": "1", "Balance": 20},
    ]
    assert select("SELECT * FROM Customer ORDER BY DisplayName", docs) == ["1", "3", "12", "4"]
    assert select("SELECT * FROM Customer ORDERBY DisplayName DESC", docs) == ["4", "3", "12", "1"]
    assert select("SELECT * FROM Customer ORDERBY Balance DESC, DisplayName", docs) == ["12", "1", "3", "4"]
    assert select("SELECT * FROM Customer ORDER BY Balance ASC, DisplayName DESC", docs) == [
        "4",
        "3",
        "1",
        "12",
    ]


def test_order_by_instants_refs_and_dates():
    assert select("SELECT * FROM Customer ORDER BY MetaData.LastUpdatedTime DESC", CUSTOMERS_BY_TIME) == [
        "2",
        "1",
        "3",
        "4",
    ]
    refs = [{"Id": "1", "CustomerRef": {"value": "10"}}, {"Id": "2", "CustomerRef": {"value": "9"}}]
    assert select("SELECT * FROM Invoice ORDER BY CustomerRef", refs) == ["2", "1"]
    tax = [{"Id": "TAX"}, {"Id": "3"}, {"Id": "NON"}, {"Id": "20"}]
    assert [d["Id"] for d in sort_documents(q("SELECT * FROM TaxCode"), tax)] == ["3", "20", "NON", "TAX"]


# --- projection ----------------------------------------------------------------------------------

CUSTOMER_DOC = {
    "Id": "67",
    "SyncToken": "0",
    "DisplayName": "King's Groceries",
    "GivenName": "James",
    "Active": True,
    "MetaData": {"CreateTime": "2015-07-23T10:58:12-07:00", "LastUpdatedTime": "2015-07-23T10:58:12-07:00"},
    "sparse": False,
}


def test_star_returns_the_whole_document():
    assert project(q("SELECT * FROM Customer"), CUSTOMER_DOC) == CUSTOMER_DOC
    assert project(q("SELECT *, Sku FROM Item"), {"Id": "1", "Sku": "S"}) == {"Id": "1", "Sku": "S"}


def test_field_list_returns_only_those_plus_id_marked_sparse():
    query = q("SELECT displayname, Metadata.LastUpdatedTime, CompanyName FROM Customer")
    assert project(query, CUSTOMER_DOC) == {
        "Id": "67",
        "DisplayName": "King's Groceries",
        "MetaData": {"LastUpdatedTime": "2015-07-23T10:58:12-07:00"},
        "sparse": True,
    }
    assert CUSTOMER_DOC["sparse"] is False


# --- SQL pushdown --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("SELECT * FROM Customer", ("active = 1", [])),
        ("SELECT * FROM Invoice", None),
        ("SELECT * FROM Invoice WHERE TotalAmt > 5 AND DocNumber LIKE '1%'", None),
        ("SELECT * FROM Customer WHERE Active = false", ("active = ?", [0])),
        ("SELECT * FROM Customer WHERE Active IN (true, false)", ("active IN (?, ?)", [1, 0])),
        ("SELECT * FROM Invoice WHERE Id = '12'", ("id = ?", [12])),
        ("SELECT * FROM Invoice WHERE Id IN ('1', 2)", ("id IN (?, ?)", [1, 2])),
        ("SELECT * FROM TaxCode WHERE Id = 'TAX'", ("active = 1", [])),
        (
            "SELECT * FROM Customer WHERE DisplayName = ' King\\'s ' AND Active = true",
            ("name = ? AND active = ?", ["king's", 1]),
        ),
        ("SELECT * FROM Item WHERE Name IN ('A', 'b')", ("active = 1 AND name IN (?, ?)", ["a", "b"])),
        ("SELECT * FROM Customer WHERE CompanyName = 'x'", ("active = 1", [])),
        ("SELECT * FROM Invoice WHERE CustomerRef = '100'", ("customer_id = ?", [100])),
        ("SELECT * FROM Payment WHERE CustomerRef IN ('1', '2')", ("customer_id IN (?, ?)", [1, 2])),
        ("SELECT * FROM Customer WHERE ParentRef = '58'", ("active = 1 AND parent_id = ?", [58])),
        ("SELECT * FROM Account WHERE ParentRef = '58'", ("active = 1", [])),
        (
            "SELECT * FROM Invoice WHERE MetaData.LastUpdatedTime > '2015-07-23T10:58:12-07:00'",
            ("updated_at >= ?", ["2015-07-23T17:58:12"]),
        ),
        (
            "SELECT * FROM Invoice WHERE MetaData.LastUpdatedTime <= '2015-07-23T10:58:12.25-07:00'",
            ("updated_at < ?", ["2015-07-23T17:58:14"]),
        ),
        (
            "SELECT * FROM Invoice WHERE MetaData.LastUpdatedTime = '2015-07-23'",
            ("updated_at >= ? AND updated_at < ?", ["2015-07-23T07:00:00", "2015-07-23T07:00:01"]),
        ),
        ("SELECT * FROM Invoice WHERE MetaData.LastUpdatedTime != '2015-07-23'", None),
        ("SELECT * FROM Invoice WHERE MetaData.CreateTime > '2015-07-23'", None),
    ],
)
def test_pushdown_fragments(sql, expected):
    assert sql_pushdown(q(sql)) == expected


NAMES = ["Alpha", "alpha ", "Beta", "O'Brien", "Gamma Co", "ALPHA", " beta"]
COMPANY_TZ = ZoneInfo("America/Los_Angeles")
OFFSETS = [timezone(timedelta(hours=-7)), timezone(timedelta(hours=-8)), UTC]


def _random_docs(rng: random.Random) -> list[tuple[str, dict]]:
    base = datetime(2015, 7, 23, 12, 0, 0, tzinfo=UTC)
    docs = []
    for n in range(1, 61):
        stamp = (base + timedelta(seconds=rng.randint(-7200, 7200))).astimezone(rng.choice(OFFSETS))
        meta = {"CreateTime": stamp.isoformat(), "LastUpdatedTime": stamp.isoformat()}
        customer = {
            "Id": str(n),
            "DisplayName": rng.choice(NAMES),
            "MetaData": meta,
            "Balance": rng.randint(0, 50),
        }
        if rng.random() < 0.8:
            customer["Active"] = rng.random() < 0.7
        if rng.random() < 0.3:
            customer["ParentRef"] = {"value": str(rng.randint(1, 5))}
        docs.append(("Customer", customer))
        invoice = {"Id": str(100 + n), "MetaData": meta, "TotalAmt": rng.randint(0, 50)}
        if rng.random() < 0.9:
            invoice["CustomerRef"] = {"value": str(rng.randint(1, 8)), "name": "x"}
        docs.append(("Invoice", invoice))
    return docs


def _row(entity: str, doc: dict) -> tuple:
    """The columns the server stores, computed the way sql_pushdown's docstring requires."""
    updated = datetime.fromisoformat(doc["MetaData"]["LastUpdatedTime"]).astimezone(UTC)
    suffix = ["Z", "+00:00", ".000000+00:00"][int(doc["Id"]) % 3]
    name = doc.get("DisplayName")
    return (
        entity,
        int(doc["Id"]),
        0 if doc.get("Active") is False else 1,
        name.strip().lower() if isinstance(name, str) else None,
        int(doc["ParentRef"]["value"]) if "ParentRef" in doc else None,
        int(doc["CustomerRef"]["value"]) if "CustomerRef" in doc else None,
        updated.strftime("%Y-%m-%dT%H:%M:%S") + suffix,
        json.dumps(doc),
    )


def _random_where(rng: random.Random, entity: str, doc_times: list[datetime]) -> str:
    def stamp() -> str:
        # Often exactly at, or a fraction of a second around, a stored time: the bounds' edge cases.
        moment = rng.choice(doc_times) + timedelta(microseconds=rng.choice([0, 0, -250000, 250000, 999000]))
        moment = moment.astimezone(rng.choice(OFFSETS))
        text = rng.choice(
            [
                moment.isoformat(),
                moment.astimezone(COMPANY_TZ).strftime("%Y-%m-%dT%H:%M:%S"),  # naive = company time
                moment.astimezone(COMPANY_TZ).strftime("%Y-%m-%dT%H:%M:%S.%f"),
                moment.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + moment.strftime("%z")[:3] + ":00",
                moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                moment.strftime("%Y-%m-%d"),
            ]
        )
        return f"'{text}'"

    def name() -> str:
        return "'" + rng.choice([*NAMES, "zeta", "ALPHA  "]).replace("'", "\\'") + "'"

    def ident() -> str:
        return rng.choice(
            [str(rng.randint(1, 9)), f"'{rng.randint(1, 9)}'", f"'0{rng.randint(1, 9)}'", "'7.0'"]
        )

    pieces = [
        lambda: f"MetaData.LastUpdatedTime {rng.choice(['=', '<', '>', '<=', '>=', '!='])} {stamp()}",
        lambda: f"MetaData.CreateTime {rng.choice(['<', '>='])} {stamp()}",
    ]
    if entity == "Customer":
        pieces += [
            lambda: rng.choice([f"Id = {ident()}", f"Id IN ({ident()}, {ident()})"]),
            lambda: "Active = " + rng.choice(["true", "False", "'TRUE'", "0"]),
            lambda: "Active IN (true, false)",
            lambda: f"DisplayName = {name()}",
            lambda: f"DisplayName IN ({name()}, {name()})",
            lambda: f"DisplayName LIKE '{rng.choice(['al%', '%a', '%et%'])}'",
            lambda: rng.choice([f"ParentRef = {ident()}", f"ParentRef IN ({ident()})"]),
            lambda: f"Balance {rng.choice(['<', '>', '='])} {rng.randint(0, 50)}",
        ]
    else:
        pieces += [
            lambda: f"Id = '{100 + rng.randint(1, 60)}'",
            lambda: f"CustomerRef = {ident()}",
            lambda: f"CustomerRef IN ({ident()}, {ident()})",
            lambda: f"TotalAmt >= {rng.randint(0, 50)}",
        ]
    chosen = [rng.choice(pieces)() for _ in range(rng.randint(0, 3))]
    return f" WHERE {' AND '.join(chosen)}" if chosen else ""


def test_pushdown_then_matches_equals_matches_alone():
    rng = random.Random(20150723)
    docs = _random_docs(rng)
    doc_times = [datetime.fromisoformat(d["MetaData"]["LastUpdatedTime"]) for _, d in docs]
    db = sqlite3.connect(":memory:")
    db.execute(
        "CREATE TABLE entity (type TEXT, id INTEGER, active INTEGER, name TEXT, parent_id INTEGER,"
        " customer_id INTEGER, updated_at TEXT, doc TEXT)"
    )
    db.executemany("INSERT INTO entity VALUES (?, ?, ?, ?, ?, ?, ?, ?)", [_row(e, d) for e, d in docs])
    pushed = narrowed = 0
    for _ in range(600):
        entity = rng.choice(["Customer", "Invoice"])
        query = q(f"SELECT * FROM {entity}{_random_where(rng, entity, doc_times)}")
        expected = sorted(int(d["Id"]) for e, d in docs if e == entity and matches(query, d))
        fragment = sql_pushdown(query)
        where, params = ("type = ?", [entity])
        if fragment is not None:
            pushed += 1
            where, params = f"{where} AND ({fragment[0]})", [*params, *fragment[1]]
        rows = db.execute(f"SELECT doc FROM entity WHERE {where}", params).fetchall()
        narrowed += len(rows) < sum(1 for e, _ in docs if e == entity)
        got = sorted(int(d["Id"]) for d in (json.loads(r[0]) for r in rows) if matches(query, d))
        assert got == expected, (query, fragment)
    assert pushed > 300 and narrowed > 200  # the fragments really do the narrowing
