"""Create, read, update, delete and void: the write pipeline every entry point shares.

The HTTP handlers, batch items and the bookkeeper hook all call these functions, so an object
changed "in the QBO UI" obeys exactly the rules an API client meets. Each call runs in
``db.atomic()``: a rejected write leaves nothing behind, even inside a batch or a requestid
transaction. Order of checks (§4.3): Id format (2030) → exists (610) → SyncToken present (2020) →
SyncToken current (5010) → field validation → apply.
"""

from __future__ import annotations

from . import faults
from .entities.base import Handler
from .entities.context import Ctx
from .entities.fields import drop_empty, is_true, prepare_body
from .store import TXN_SEQUENCE, Record

ALWAYS_ACCEPTED = frozenset({"Id", "SyncToken", "sparse", "domain", "MetaData", "status"})


def _strict_check(ctx: Ctx, handler: Handler, body: dict) -> None:
    if not ctx.config.strict_properties:
        return
    from .query.schema import canonical_property  # the query helper's property catalogue

    for key in body:
        if key not in ALWAYS_ACCEPTED and canonical_property(handler.name, key) is None:
            raise faults.invalid_property(key, key)


def current_record(ctx: Ctx, handler: Handler, id_value: object) -> Record:
    text = str(id_value).strip() if id_value is not None else ""
    if not text:
        raise faults.required("Id")
    if not text.isdigit() and not (handler.name == "TaxCode" and text.isalpha()):
        raise faults.invalid_id(text)
    record = ctx.lookup(handler.name, text)
    if record is None:
        stored = ctx.store.get(ctx.realm, handler.name, text)
        raise faults.deleted() if stored is not None and stored.deleted else faults.not_found()
    return record


def _check_token(record: Record, body: dict, ctx: Ctx) -> None:
    token = body.get("SyncToken")
    if token is None or token == "":
        raise faults.required("SyncToken")
    try:
        same = int(str(token).strip()) == record.sync_token
    except ValueError:
        same = False
    if not same:
        raise faults.stale(ctx.user)


def _finish(ctx: Ctx, record: Record, created: bool) -> None:
    doc = record.doc
    doc["Id"] = record.id
    doc["SyncToken"] = str(record.sync_token)
    doc["domain"] = "QBO"
    doc["sparse"] = False
    doc.pop("status", None)
    ctx.stamp(record, created)
    ctx.store.save(record)


def create(ctx: Ctx, handler: Handler, body: dict) -> Record:
    if handler.kind == "readonly":
        raise faults.unsupported("Create")
    body = prepare_body(body)
    _strict_check(ctx, handler, body)
    with ctx.store.db.atomic():
        mark = len(ctx.events)
        try:
            data = drop_empty({k: v for k, v in body.items() if k not in handler.readonly})
            record = handler.build(ctx, data, None, body)
            if handler.kind == "txn":
                from .entities.registry import TRANSACTION_TYPES

                record.id = ctx.store.next_id(ctx.realm, TXN_SEQUENCE, TRANSACTION_TYPES)
            else:
                record.id = ctx.store.next_id(ctx.realm, handler.name, (handler.name,))
            _finish(ctx, record, created=True)
            ctx.event(record, "Create")
            handler.after_save(ctx, None, record)
        except BaseException:
            del ctx.events[mark:]
            raise
    if ctx.batch_created is not None:
        ctx.batch_created.add((handler.name, record.id))
    return record


def update(ctx: Ctx, handler: Handler, body: dict, *, check_token: bool = True) -> Record:
    body = prepare_body(body)
    if handler.kind == "readonly":
        raise faults.unsupported("Update")
    _strict_check(ctx, handler, body)
    with ctx.store.db.atomic():
        mark = len(ctx.events)
        try:
            current = current_record(ctx, handler, body.get("Id"))
            if check_token:
                _check_token(current, body, ctx)
            if current.voided and ctx.config.reject_update_of_voided:
                raise faults.business("You can't edit a voided transaction.")
            if is_true(body.get("sparse")):
                data = {k: v for k, v in current.doc.items() if k not in handler.readonly}
                for key, value in body.items():
                    if key in handler.readonly:
                        continue
                    if value is None or value == "":
                        if key != "DisplayName":  # "cannot be removed with sparse update"
                            data.pop(key, None)
                        continue
                    data[key] = drop_empty(value)
            else:
                data = drop_empty({k: v for k, v in body.items() if k not in handler.readonly})
            record = handler.build(ctx, data, current, body)
            record.sync_token = current.sync_token + 1
            _finish(ctx, record, created=False)
            ctx.event(record, "Update")
            handler.after_save(ctx, current, record)
        except BaseException:
            del ctx.events[mark:]
            raise
    return record


def _change(ctx: Ctx, handler: Handler, body: dict, check_token: bool, operation: str) -> Record:
    body = prepare_body(body)
    with ctx.store.db.atomic():
        mark = len(ctx.events)
        try:
            current = current_record(ctx, handler, body.get("Id"))
            if check_token:
                _check_token(current, body, ctx)
            record = current.copy()
            if operation == "Delete":
                handler.delete(ctx, record)
            else:
                if current.voided and ctx.config.reject_update_of_voided:
                    raise faults.business("This transaction is already voided.")
                handler.void(ctx, record)
                record.sync_token += 1
            _finish(ctx, record, created=False)
            ctx.event(record, operation)
            handler.after_save(ctx, current, record)
        except BaseException:
            del ctx.events[mark:]
            raise
    return record


def delete(ctx: Ctx, handler: Handler, body: dict, *, check_token: bool = True) -> Record:
    if not handler.can_delete:
        raise faults.unsupported("Delete")
    return _change(ctx, handler, body, check_token, "Delete")


def void(ctx: Ctx, handler: Handler, body: dict, *, check_token: bool = True) -> Record:
    if not handler.can_void:
        raise faults.unsupported("Void")
    return _change(ctx, handler, body, check_token, "Void")


def read(ctx: Ctx, handler: Handler, id_value: str) -> Record:
    return current_record(ctx, handler, id_value)


def deleted_doc(record: Record) -> dict:
    return {"status": "Deleted", "domain": "QBO", "Id": record.id}
