"""Running a parsed query against the store (§4.7), fast enough for 100,000-row companies.

The query package parses and evaluates; this module decides how much SQLite can do. Conditions the
``sql_pushdown`` fragment expresses *exactly* (Id / Active / name / CustomerRef / ParentRef with
``=``/``IN``) let SQLite paginate with LIMIT/OFFSET over an index, so a page costs the same at row
1 and at row 99,001. Otherwise rows stream in Id order through ``matches`` and stop as soon as the
page is full; only a custom ORDER BY needs every candidate in memory. A client paging through with
STARTPOSITION gets each next page from where the previous one ended (``pagehint``), not by walking
past every earlier row again, as long as nothing was written in between.
"""

from __future__ import annotations

import json
from dataclasses import replace

from . import faults
from .entities.context import Ctx
from .query import QueryError, matches, parse_query, project, sort_documents, sql_pushdown
from .query.schema import NAME_FIELD
from .rawjson import RawDocs

_CUSTOMER_COLUMN = frozenset({"Invoice", "SalesReceipt", "Payment", "CreditMemo", "RefundReceipt"})
_PARENT_COLUMN = frozenset({"Customer", "Item"})
_CHUNK = 500
# SQL here is built only from constant fragments and '?' placeholders (hence the S608 noqa);
# every value is a bound parameter.


def parse(ctx: Ctx, sql: str):
    try:
        return parse_query(sql or "", ctx.config.query_max_results, company_tz=ctx.tz, today=ctx.today())
    except QueryError as exc:
        raise faults.Fault(exc.code, exc.message, exc.detail) from None


def _exactly_pushed(query) -> bool:
    """True when the pushdown fragment keeps exactly the rows ``matches`` keeps."""
    for cond in query.conditions:
        field = cond.field
        exact_column = (
            field in ("Id", "Active")
            or field == NAME_FIELD.get(query.entity)
            or (field == "CustomerRef" and query.entity in _CUSTOMER_COLUMN)
            or (field == "ParentRef" and query.entity in _PARENT_COLUMN)
        )
        if not exact_column or cond.op not in ("=", "IN"):
            return False
        values = cond.value if cond.op == "IN" else (cond.value,)
        numeric = all((isinstance(v, int) and not isinstance(v, bool)) or str(v).isdigit() for v in values)
        if field not in ("Active", NAME_FIELD.get(query.entity)) and not numeric:
            return False
        if field == "Active" and not all(str(v).lower() in ("true", "false") for v in values):
            return False
    return True


def _where(ctx: Ctx, query) -> tuple[str, list]:
    where = "realm = ? AND type = ? AND deleted = 0"
    params: list = [ctx.realm, query.entity]
    pushed = sql_pushdown(query)
    if pushed:
        where += f" AND ({pushed[0]})"
        params.extend(pushed[1])
    return where, params


def _sql_order(query) -> str | None:
    if not query.order_by:
        return "id"
    if len(query.order_by) == 1 and query.order_by[0][0] == "Id":
        return "id DESC" if query.order_by[0][1] else "id"
    return None


def _hint_key(ctx: Ctx, query) -> tuple:
    # Everything that decides which rows a page holds and in what order, except where it starts
    # and how long it is (CURRENT_DATE is already a value in the parsed query).
    return (ctx.realm, replace(query, start_position=1, max_results=None))


def execute(ctx: Ctx, query) -> dict:
    """The ``QueryResponse`` object for a parsed query."""
    db = ctx.store.db
    conn = db.conn
    generation = db.generation  # before reading: a write committed meanwhile voids the hint
    where, params = _where(ctx, query)
    exact = _exactly_pushed(query)
    if query.count_only:
        if exact:
            total = conn.execute(f"SELECT COUNT(*) FROM entity WHERE {where}", params).fetchone()[0]  # noqa: S608
        else:
            cursor = conn.execute(f"SELECT doc FROM entity WHERE {where}", params)  # noqa: S608
            total = sum(1 for (doc,) in cursor if matches(query, json.loads(doc)))
        return {"totalCount": total}
    limit = ctx.config.query_default_max if query.max_results is None else query.max_results
    skip = query.start_position - 1
    order = _sql_order(query)
    key = _hint_key(ctx, query) if order else None
    if key is not None and skip:
        after = db.page_hints.get(key, query.start_position, generation)
        if after is not None:  # the previous page ended at this id: start there, skip nothing
            where += " AND id < ?" if order == "id DESC" else " AND id > ?"
            params = [*params, after]
            skip = 0
    ids: list = []
    if limit <= 0:
        docs: list[dict] = []
    elif order and exact:
        # Page over the covering index first, then read only the page's documents.
        rows = conn.execute(
            f"SELECT id, doc FROM entity WHERE rowid IN (SELECT rowid FROM entity WHERE {where} "  # noqa: S608
            f"ORDER BY {order} LIMIT ? OFFSET ?) ORDER BY {order}",
            [*params, limit, skip],
        ).fetchall()
        ids = [row[0] for row in rows]
        if query.fields is None:  # SELECT * (with or without extras): the stored text is the answer
            _remember(db, key, query, generation, ids, limit)
            texts = [row[1] for row in rows]
            return _page(query, RawDocs(texts)) if texts else {}
        docs = [json.loads(row[1]) for row in rows]
    elif order:
        docs, texts = [], []
        cursor = conn.execute(f"SELECT id, doc FROM entity WHERE {where} ORDER BY {order}", params)  # noqa: S608
        while len(docs) < limit:
            chunk = cursor.fetchmany(_CHUNK)
            if not chunk:
                break
            for row_id, raw in chunk:
                doc = json.loads(raw)
                if not matches(query, doc):
                    continue
                if skip:
                    skip -= 1
                    continue
                docs.append(doc)
                texts.append(raw)
                ids.append(row_id)
                if len(docs) >= limit:
                    break
        if query.fields is None and texts:  # as above: send the stored text, not a re-encoding
            _remember(db, key, query, generation, ids, limit)
            return _page(query, RawDocs(texts))
    else:
        rows = conn.execute(f"SELECT doc FROM entity WHERE {where}", params).fetchall()  # noqa: S608
        candidates = [d for d in (json.loads(row[0]) for row in rows) if matches(query, d)]
        docs = sort_documents(query, candidates)[skip : skip + limit]
    if not docs:
        return {}
    _remember(db, key, query, generation, ids, limit)
    return _page(query, [project(query, doc) for doc in docs])


def _remember(db, key, query, generation: int, ids: list, limit: int) -> None:
    if key is not None and ids and len(ids) >= limit:  # a full page: a next one may be asked for
        db.page_hints.put(key, query.start_position + len(ids), generation, ids[-1])


def _page(query, rows) -> dict:
    return {query.entity: rows, "startPosition": query.start_position, "maxResults": len(rows)}


def run(ctx: Ctx, sql: str) -> dict:
    return execute(ctx, parse(ctx, sql))
