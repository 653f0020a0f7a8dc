"""Test hooks under /__sandbox/… (routed only when ``config.test_hooks`` is true).

POST   /__sandbox/faults          {"kind", "match": {method, path, entity, operation, realm},
                                   "times", "status", "code", "message", "detail", "type", "seconds"}
GET    /__sandbox/faults          DELETE /__sandbox/faults
GET    /__sandbox/clock           POST /__sandbox/clock {"advance_seconds": n}
GET    /__sandbox/requests?realm=&since=&limit=      DELETE /__sandbox/requests
POST   /__sandbox/throttle        {"enabled", "requests_per_minute", "max_concurrent",
                                   "batch_requests_per_minute"} (also resets the windows)
POST   /__sandbox/realms          {"realm_id"?, "company_name"?}  -> a new seeded company
POST   /__sandbox/realms/<realm>/reset
POST   /__sandbox/realms/<realm>/bookkeeper {"entity", "action": create|update|deactivate|reactivate|
                                   void|delete, "id", "fields": {...}}
POST   /__sandbox/realms/<realm>/merge {"entity": "Customer", "from_id", "to_id"}
"""

from __future__ import annotations

import secrets

from werkzeug.routing import Rule
from werkzeug.wrappers import Request, Response

from . import faults, operations
from .entities.context import Ctx
from .entities.registry import by_name
from .merge import merge_customers
from .seed import reset_realm, seed_realm

UNAVAILABLE_HTML = (
    "<html><head><title>503 Service Unavailable</title></head><body>Service Unavailable</body></html>"
)


def injected_response(app, rule) -> Response:
    from .app import json_response

    if rule.kind == "unavailable":
        return Response(UNAVAILABLE_HTML, status=503, content_type="text/html")
    if rule.kind == "token_expired":
        return json_response(faults.auth_failure_body("Token expired: injected"), 401)
    fault = rule.fault()
    if rule.kind == "throttle":
        response = json_response(faults.throttle_body(app.time_text()), 429)
        response.headers["Retry-After"] = "60"
        return response
    return app.fault_response(fault)


def _body(request: Request) -> dict:
    data = request.get_json(silent=True, force=True)
    return data if isinstance(data, dict) else {}


def rules(app) -> list[Rule]:
    from .app import json_response

    def bad(message: str) -> Response:
        return json_response({"error": message}, 400)

    def faults_hook(request: Request) -> Response:
        if request.method == "GET":
            return json_response({"rules": app.injector.list()})
        if request.method == "DELETE":
            app.injector.clear()
            return json_response({"cleared": True})
        try:
            rule = app.injector.add(_body(request))
        except (ValueError, TypeError) as exc:
            return bad(str(exc))
        return json_response({"rule": rule.__dict__})

    def clock_hook(request: Request) -> Response:
        if request.method == "POST":
            try:
                app.clock.advance(float(_body(request).get("advance_seconds", 0)))
            except (ValueError, TypeError) as exc:
                return bad(str(exc))
        return json_response({"now": app.clock.now().isoformat(), "offset_seconds": app.clock.offset_seconds})

    def requests_hook(request: Request) -> Response:
        if request.method == "DELETE":
            app.request_log.clear()
            return json_response({"cleared": True})
        args = request.args
        entries = app.request_log.entries(
            args.get("realm"), int(args.get("since", 0) or 0), int(args.get("limit", 200) or 200)
        )
        return json_response({"requests": entries})

    def throttle_hook(request: Request) -> Response:
        data = _body(request)
        cfg = app.config
        if "enabled" in data:
            cfg.throttle = bool(data["enabled"])
        for key in ("requests_per_minute", "max_concurrent", "batch_requests_per_minute"):
            if key in data:
                setattr(cfg, key, int(data[key]))
        app.throttle.reset()
        return json_response({"enabled": cfg.throttle, "requests_per_minute": cfg.requests_per_minute,
                              "max_concurrent": cfg.max_concurrent,
                              "batch_requests_per_minute": cfg.batch_requests_per_minute})  # fmt: skip

    def latency_hook(request: Request) -> Response:
        data = _body(request)
        cfg = app.config
        try:
            for key in ("request_latency_ms", "batch_item_latency_ms"):
                if key in data:
                    value = float(data[key])
                    if not 0 <= value <= 60_000:
                        return bad(f"{key} must be between 0 and 60000 (simulated milliseconds)")
                    setattr(cfg, key, value)
        except (TypeError, ValueError):
            return bad("request_latency_ms and batch_item_latency_ms must be numbers")
        return json_response(
            {"request_latency_ms": cfg.request_latency_ms, "batch_item_latency_ms": cfg.batch_item_latency_ms}
        )

    def new_realm(request: Request) -> Response:
        data = _body(request)
        realm = str(data.get("realm_id") or f"93414{secrets.randbelow(10**11):011d}")
        if not realm.isdigit():
            return bad("realm_id must be digits")
        if app.store.realm_exists(realm):
            return bad(f"realm {realm} exists")
        name = str(data.get("company_name") or f"Sandbox Company {realm}")
        with app.db.transaction():
            seed_realm(app.store, app.config, realm, name, app.clock.now())
        return json_response({"realm_id": realm, "company_name": name})

    def reset(request: Request, realm: str) -> Response:
        if not app.store.realm_exists(realm):
            return bad(f"unknown realm {realm}")
        reset_realm(app.store, app.config, realm, app.clock.now())
        with app.db.transaction():
            app.request_ids.forget_realm(realm)
        return json_response({"realm_id": realm, "reset": True})

    def write(realm: str, action) -> Response:
        """Run a hook edit in one transaction, then notify webhooks like any API write."""
        if not app.store.realm_exists(realm):
            return bad(f"unknown realm {realm}")
        ctx = Ctx(store=app.store, config=app.config, realm=realm, now=app.clock.now(), user="Bookkeeper")
        try:
            with app.db.transaction():
                ctx.now = app.clock.now()
                payload = action(ctx)
        except faults.Fault as fault:
            return app.fault_response(fault)
        for event in ctx.events:
            app.webhooks.notify(event.realm, event.entity, event.entity_id, event.operation,
                                event.last_updated, event.deleted_id)  # fmt: skip
        return json_response(payload)

    def bookkeeper(request: Request, realm: str) -> Response:
        data = _body(request)
        handler = by_name(str(data.get("entity", "")))
        if handler is None:
            return bad("unknown entity")
        action = str(data.get("action", "update")).lower()
        fields = data.get("fields") or {}
        body = {**fields, "Id": str(data.get("id", "")), "sparse": True}

        def apply(ctx: Ctx) -> dict:
            if action == "create":
                record = operations.create(ctx, handler, fields)
            elif action in ("update", "deactivate", "reactivate"):
                if action != "update":
                    body["Active"] = action == "reactivate"
                record = operations.update(ctx, handler, body, check_token=False)
            elif action == "void":
                record = operations.void(ctx, handler, body, check_token=False)
            elif action == "delete":
                record = operations.delete(ctx, handler, body, check_token=False)
                return {handler.name: operations.deleted_doc(record)}
            else:
                raise faults.bad_enum("action", action)
            return {handler.name: record.doc}

        return write(realm, apply)

    def merge(request: Request, realm: str) -> Response:
        data = _body(request)
        if str(data.get("entity", "Customer")) != "Customer":
            return bad("only Customer merges are supported")
        return write(realm, lambda ctx: {"Customer": merge_customers(
            ctx, str(data.get("from_id", "")), str(data.get("to_id", ""))).doc})  # fmt: skip

    return [
        Rule("/__sandbox/faults", endpoint=faults_hook, methods=["GET", "POST", "DELETE"]),
        Rule("/__sandbox/clock", endpoint=clock_hook, methods=["GET", "POST"]),
        Rule("/__sandbox/requests", endpoint=requests_hook, methods=["GET", "DELETE"]),
        Rule("/__sandbox/throttle", endpoint=throttle_hook, methods=["POST"]),
        Rule("/__sandbox/latency", endpoint=latency_hook, methods=["POST"]),
        Rule("/__sandbox/realms", endpoint=new_realm, methods=["POST"]),
        Rule("/__sandbox/realms/<realm>/reset", endpoint=reset, methods=["POST"]),
        Rule("/__sandbox/realms/<realm>/bookkeeper", endpoint=bookkeeper, methods=["POST"]),
        Rule("/__sandbox/realms/<realm>/merge", endpoint=merge, methods=["POST"]),
    ]
