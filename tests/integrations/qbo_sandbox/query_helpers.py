"""Shared helpers for the query-language tests."""

from __future__ import annotations

from datetime import date

import pytest

from integrations.qbo_sandbox.query import (
    Query,
    QueryError,
    matches,
    parse_query,
    sort_documents,
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
