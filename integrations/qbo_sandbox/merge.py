"""Merging two customers, as a bookkeeper does in the QBO UI (the ``merge`` test hook).

The merged-away customer's transactions and sub-customers move to the survivor, its opening
balance too; it becomes inactive; one ``Merge`` event names the survivor with ``deletedId``.
"""

from __future__ import annotations

from . import faults
from .entities import ledger
from .entities.base import refresh_descendants
from .entities.context import Ctx
from .entities.registry import TRANSACTION_TYPES
from .store import Record, db_id


def _customer(ctx: Ctx, customer_id: str) -> Record:
    record = ctx.store.get(ctx.realm, "Customer", str(customer_id))
    if record is None or record.deleted:
        raise faults.not_found()
    return record


def _bump(ctx: Ctx, record: Record) -> None:
    record.sync_token += 1
    record.doc["SyncToken"] = str(record.sync_token)
    ctx.stamp(record, created=False)
    ctx.store.save(record)


def merge_customers(ctx: Ctx, from_id: str, to_id: str) -> Record:
    """Call inside a write transaction."""
    if str(from_id) == str(to_id):
        raise faults.business("A customer cannot be merged into itself.")
    gone, survivor = _customer(ctx, from_id), _customer(ctx, to_id)
    ref = {"value": survivor.id, "name": survivor.doc.get("DisplayName")}
    marks = ",".join("?" * len(TRANSACTION_TYPES))
    for txn in ctx.store.select(
        f"realm = ? AND customer_id = ? AND deleted = 0 AND type IN ({marks})",
        (ctx.realm, db_id(gone.id), *TRANSACTION_TYPES),
    ):
        txn.doc["CustomerRef"] = ref
        txn.customer_id = survivor.id
        if ctx.config.merge_bumps_transactions:
            ctx.touch(txn)
        else:
            ctx.store.save(txn)
    for child in ctx.store.children(ctx.realm, "Customer", gone.id):
        child.parent_id = survivor.id
        child.doc["ParentRef"] = ref
        ctx.touch(child)
    survivor.opening_cents += gone.opening_cents
    ctx.store.save(survivor)
    refresh_descendants(ctx, survivor, "DisplayName")
    gone.opening_cents = 0
    gone.active = False
    gone.doc["Active"] = False
    _bump(ctx, gone)  # reported through the Merge event (deletedId), not a separate Update
    ledger.refresh_customer(ctx, gone.id)
    ledger.refresh_customer(ctx, survivor.id)
    survivor = ctx.store.get(ctx.realm, "Customer", survivor.id)
    _bump(ctx, survivor)
    ctx.event(survivor, "Merge", deleted_id=gone.id)
    return survivor
