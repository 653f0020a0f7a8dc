"""The /v3/company/{realm}/… endpoints: each turns a request into a payload dict or a Fault.

The HTTP pipeline (auth, throttle, fault injection, requestid, transaction, webhooks) lives in
``app.py``; these functions only know QBO semantics.
"""

from __future__ import annotations

import json
import secrets

from werkzeug.wrappers import Request

from . import batch as batch_module
from . import cdc, faults, operations, queryexec
from .entities.context import Ctx
from .entities.fields import is_true
from .entities.registry import by_segment
from .timefmt import qbo_datetime

MINIMAL_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def json_body(request: Request) -> object:
    raw = request.get_data(cache=True)
    try:
        return json.loads(raw or b"")
    except (ValueError, UnicodeDecodeError) as exc:
        message = str(exc).split(":")[0]
        raise faults.invalid_property(f"{message} (malformed JSON request body)", "") from None


def _handler(entity: str, request: Request):
    handler = by_segment(entity)
    if handler is None:
        raise faults.unknown_resource(request.path)
    return handler


def entity_post(ctx: Ctx, request: Request, entity: str) -> dict:
    handler = _handler(entity, request)
    body = json_body(request)
    operation = request.args.get("operation", "").lower()
    include = {part.strip().lower() for part in request.args.get("include", "").split(",")}
    ctx.allow_duplicate_docnumber = "allowduplicatedocnum" in include
    if operation == "delete":
        record = operations.delete(ctx, handler, body)
        return {handler.name: operations.deleted_doc(record)}
    if operation == "void" or "void" in include:
        record = operations.void(ctx, handler, body)
    elif operation == "create":
        record = operations.create(ctx, handler, body)
    elif operation in ("", "update"):
        has_id = isinstance(body, dict) and str(body.get("Id") or "").strip() not in ("", "0")
        if has_id or operation == "update":
            record = operations.update(ctx, handler, body)
        else:
            record = operations.create(ctx, handler, body)
    else:
        raise faults.unsupported(operation)
    return {handler.name: record.doc}


def entity_get(ctx: Ctx, request: Request, entity: str, entity_id: str) -> dict:
    handler = _handler(entity, request)
    record = operations.read(ctx, handler, entity_id)
    doc = record.doc
    include = request.args.get("include", "").lower()
    if handler.name == "Invoice" and "invoicelink" in include:
        online = doc.get("AllowOnlineCreditCardPayment") or doc.get("AllowOnlineACHPayment")
        if online and (doc.get("BillEmail") or {}).get("Address"):
            doc = {
                **doc,
                "InvoiceLink": f"https://connect.intuit.com/portal/app/CommerceNetwork/view/"
                f"scs-v1-{secrets.token_hex(16)}?locale=en_US",
            }
    return {handler.name: doc}


def entity_send(ctx: Ctx, request: Request, entity: str, entity_id: str) -> dict:
    handler = _handler(entity, request)
    if handler.name not in ("Invoice", "SalesReceipt", "CreditMemo", "RefundReceipt"):
        raise faults.unsupported("send")
    with ctx.store.db.atomic():
        record = operations.read(ctx, handler, entity_id)
        address = request.args.get("sendTo") or (record.doc.get("BillEmail") or {}).get("Address")
        if not address:
            raise faults.required("BillEmail")
        record.doc["BillEmail"] = {"Address": address}
        record.doc["EmailStatus"] = "EmailSent"
        record.doc["DeliveryInfo"] = {"DeliveryType": "Email", "DeliveryTime": qbo_datetime(ctx.now, ctx.tz)}
        ctx.touch(record)
    return {handler.name: record.doc}


def entity_pdf(ctx: Ctx, request: Request, entity: str, entity_id: str) -> bytes:
    operations.read(ctx, _handler(entity, request), entity_id)
    return MINIMAL_PDF


def query(ctx: Ctx, request: Request) -> dict:
    if request.method == "GET":
        sql = request.args.get("query", "")
    else:
        sql = request.get_data(as_text=True) or request.args.get("query", "")
    return {"QueryResponse": queryexec.run(ctx, sql)}


def change_data_capture(ctx: Ctx, request: Request) -> dict:
    return cdc.changes(ctx, request.args.get("entities", ""), request.args.get("changedSince", ""))


def batch(ctx: Ctx, request: Request) -> dict:
    return batch_module.run(ctx, json_body(request))


def company_info(ctx: Ctx, request: Request, entity_id: str) -> dict:
    if entity_id not in (ctx.realm, "1"):
        raise faults.not_found()
    record = ctx.store.get(ctx.realm, "CompanyInfo", "1")
    if record is None:
        raise faults.not_found()
    return {"CompanyInfo": {**record.doc, "Id": "1"}}


def preferences(ctx: Ctx, request: Request) -> dict:
    record = ctx.store.get(ctx.realm, "Preferences", "1")
    if record is None:
        raise faults.not_found()
    if request.method == "GET":
        return {"Preferences": record.doc}
    body = json_body(request)
    if not isinstance(body, dict):
        raise faults.invalid_property("Preferences", "")
    if str(body.get("SyncToken", "")) != str(record.sync_token):
        raise (
            faults.stale(ctx.user)
            if body.get("SyncToken") not in (None, "")
            else faults.required("SyncToken")
        )
    with ctx.store.db.atomic():
        for section, value in body.items():
            if section in operations.ALWAYS_ACCEPTED:
                continue
            if not isinstance(value, dict):
                raise faults.invalid_property(f"{section} must be an object", section)
            if is_true(body.get("sparse")):
                record.doc[section] = {**(record.doc.get(section) or {}), **value}
            else:
                record.doc[section] = value
        ctx.touch(record)
    return {"Preferences": record.doc}
