"""Query faults: 4000 parse errors and 4001 validation errors with QBO's wording."""

from __future__ import annotations

import pytest

from integrations.qbo_sandbox.query import (
    ENTITY_PROPERTIES,
    Condition,
    Query,
    QueryError,
    validate_properties,
)
from tests.integrations.qbo_sandbox.query_helpers import fault, q


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
