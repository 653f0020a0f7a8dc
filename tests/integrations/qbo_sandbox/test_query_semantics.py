"""Query evaluation: case, literals, references, LIKE/IN, instants, the default Active filter."""

from __future__ import annotations

from decimal import Decimal

import pytest

from integrations.qbo_sandbox.query import (
    NAME_LIST_ENTITIES,
    Condition,
    matches,
)
from tests.integrations.qbo_sandbox.query_helpers import CUSTOMERS_BY_TIME, q, select


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
