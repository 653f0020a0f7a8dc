"""The QBO query language: ``SELECT ... FROM Entity WHERE ... ORDERBY ... STARTPOSITION ... MAXRESULTS ...``.

Typical use by the server::

    query = parse_query(sql, config.query_max_results, company_tz=config.company_tz, today=clock_today)
    # optional: narrow the SQLite scan, then always filter with matches()
    docs = [d for d in candidate_docs if matches(query, d)]
    docs = sort_documents(query, docs)
    page = docs[query.start_position - 1 :][: query.max_results or config.query_default_max]
    rows = [project(query, d) for d in page]

Errors are ``QueryError`` (``code`` "4000" parse / "4001" validation, ``message``, ``detail``).
Pagination, deleted rows and the response envelope are the server's job; the default
``Active = true`` filter of name-list entities is applied by ``matches`` (and ``sql_pushdown``).
"""

from .evaluate import default_active_filter, matches, project, sort_documents
from .parser import Condition, Query, QueryError, parse_query, validate_properties
from .pushdown import sql_pushdown
from .schema import ENTITY_PROPERTIES, NAME_LIST_ENTITIES

__all__ = [
    "ENTITY_PROPERTIES",
    "NAME_LIST_ENTITIES",
    "Condition",
    "Query",
    "QueryError",
    "default_active_filter",
    "matches",
    "parse_query",
    "project",
    "sort_documents",
    "sql_pushdown",
    "validate_properties",
]
