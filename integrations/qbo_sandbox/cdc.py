"""Change data capture (§4.8): every object of the listed types changed since a moment.

Full documents for created / updated / voided / deactivated objects, ordered by LastUpdatedTime,
then the tombstones of hard-deleted transactions. At most ``cdc_max_objects`` in all (no paging:
QBO truncates). ``changedSince`` must lie within ``cdc_window_days`` of the sandbox clock.
The read holds the write lock so no write with an earlier timestamp can commit after it.
"""

from __future__ import annotations

import json
from datetime import timedelta

from . import faults
from .entities.context import Ctx
from .entities.registry import CDC_TYPES
from .query.schema import canonical_entity
from .rawjson import RawDocs
from .timefmt import parse_datetime, qbo_datetime, utc_key

UNSUPPORTED = {"journalcode", "taxagency", "timeactivity", "taxcode", "taxrate"}


def _entities(raw: str) -> list[str]:
    names = [part.strip() for part in (raw or "").split(",") if part.strip()]
    if not names:
        raise faults.required("entities")
    out = []
    for name in names:
        if name.lower() in UNSUPPORTED:
            raise faults.unsupported(f"cdc for entity {name}")
        canonical = canonical_entity(name)
        if canonical is None:
            raise faults.Fault("2020", "Invalid entity", f"Entity {name} is not supported by cdc", "entities")
        if canonical not in out:
            out.append(canonical)
    return out


def changes(ctx: Ctx, entities: str, changed_since: str) -> dict:
    """The CDCResponse body (without ``time``, which the caller adds from ``ctx.now``)."""
    names = _entities(entities)
    if not changed_since:
        raise faults.required("changedSince")
    since = parse_datetime(changed_since, ctx.tz)
    if since is None:
        raise faults.Fault("2020", "Invalid changedSince", f"Invalid changedSince value {changed_since}")
    if since < ctx.now - timedelta(days=ctx.config.cdc_window_days):
        raise faults.Fault(
            "500",
            "Unsupported Operation",
            f"Operation cdc with changedSince date {changed_since} which is older than fixed days is not "
            "supported.",
        )
    conn = ctx.store.db.conn
    budget = ctx.config.cdc_max_objects
    groups = []
    for name in names:
        if budget <= 0 or name not in CDC_TYPES:
            continue
        rows = conn.execute(
            "SELECT doc FROM entity WHERE realm = ? AND type = ? AND updated_at >= ? AND deleted = 0 "
            "ORDER BY updated_at, id LIMIT ?",
            (ctx.realm, name, utc_key(since), budget),
        ).fetchall()
        objects = [row[0] for row in rows]  # stored JSON text, spliced in verbatim
        budget -= len(objects)
        if budget > 0:
            gone = conn.execute(
                "SELECT id, doc FROM entity WHERE realm = ? AND type = ? AND updated_at >= ? AND deleted = 1 "
                "ORDER BY updated_at, id LIMIT ?",
                (ctx.realm, name, utc_key(since), budget),
            ).fetchall()
            for row in gone:
                meta = json.loads(row[1]).get("MetaData") or {}
                last = meta.get("LastUpdatedTime") or qbo_datetime(ctx.now, ctx.tz)
                tombstone = {"domain": "QBO", "status": "Deleted", "Id": str(row[0]),
                             "MetaData": {"LastUpdatedTime": last}}  # fmt: skip
                objects.append(json.dumps(tombstone, separators=(",", ":")))
            budget -= len(gone)
        if objects:
            group = {
                name: RawDocs(objects),
                "startPosition": 1,
                "maxResults": len(objects),
                "totalCount": len(objects),
            }
            groups.append(group)
    return {"CDCResponse": [{"QueryResponse": groups or [{}]}]}
