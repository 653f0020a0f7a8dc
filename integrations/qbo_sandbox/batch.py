"""Batch (§4.10): up to ``batch_max_items`` independent operations in one HTTP 200 answer.

Each item succeeds or carries its own Fault; a failing item rolls back only itself. Items do not
see each other's creations (a customer created in item 1 is unknown to item 2's invoice), like QBO.
Successful deletes carry the entity key (python-quickbooks requires it); ``optionsData: "void"``
on an update voids.
"""

from __future__ import annotations

import logging

from . import faults, operations, queryexec
from .entities.context import Ctx
from .entities.registry import by_name

log = logging.getLogger(__name__)
RESERVED = ("bId", "operation", "optionsData", "Query")


def item_count(body: object) -> int:
    items = body.get("BatchItemRequest") if isinstance(body, dict) else None
    return len(items) if isinstance(items, list) else 0


def _one(ctx: Ctx, item: dict) -> dict:
    if not isinstance(item, dict):
        raise faults.invalid_property("BatchItemRequest", "BatchItemRequest")
    operation = str(item.get("operation") or "").lower()
    if not operation:
        if "Query" not in item:
            raise faults.required("operation")
        return {"QueryResponse": queryexec.run(ctx, str(item["Query"]))}
    keys = [key for key in item if key not in RESERVED]
    if len(keys) != 1 or by_name(keys[0]) is None:
        raise faults.invalid_property(keys[0] if keys else "entity", keys[0] if keys else "")
    handler = by_name(keys[0])
    body = item[keys[0]]
    if operation == "create":
        record = operations.create(ctx, handler, body)
    elif operation == "update":
        if str(item.get("optionsData") or "").lower() == "void":
            record = operations.void(ctx, handler, body)
        else:
            record = operations.update(ctx, handler, body)
    elif operation == "delete":
        record = operations.delete(ctx, handler, body)
        return {handler.name: operations.deleted_doc(record)}
    else:
        raise faults.bad_enum("operation", item.get("operation"))
    return {handler.name: record.doc}


def run(ctx: Ctx, body: object) -> dict:
    items = body.get("BatchItemRequest") if isinstance(body, dict) else None
    if not isinstance(items, list):
        raise faults.required("BatchItemRequest")
    if len(items) > ctx.config.batch_max_items:
        raise faults.batch_too_large(ctx.config.batch_max_items)
    ctx.batch_created = set()
    responses = []
    for item in items:
        bid = item.get("bId") if isinstance(item, dict) else None
        try:
            result = _one(ctx, item)
        except faults.Fault as fault:
            result = {"Fault": fault.fault()}
        except Exception:  # one broken item must not sink the others
            log.exception("batch item %s failed", bid)
            result = {"Fault": faults.system_failure().fault()}
        responses.append({"bId": bid, **result})
    return {"BatchItemResponse": responses}
