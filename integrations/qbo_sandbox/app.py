"""The sandbox's WSGI application: routing and the request pipeline of every API call.

Pipeline for /v3/company/{realm}/…: OAuth bearer check (its client_id keys the throttle) →
throttle → injected faults → requestid replay → the endpoint, inside one write transaction for
writes → webhook notifications after commit. Any unexpected exception becomes a 500 SystemFault
(code 10000) with no traceback in the body; the traceback goes to stderr.
"""

from __future__ import annotations

import logging
import time
import uuid

from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from . import api, batch, faults, hooks, view
from .clock import SandboxClock
from .config import SandboxConfig
from .db import SandboxDB
from .entities.context import Ctx
from .entities.registry import by_segment
from .faultinject import FaultInjector
from .rawjson import encode
from .requestid import RequestIds
from .requestlog import RequestLog
from .seed import ensure_seeded
from .store import Store
from .throttle import Throttle
from .timefmt import qbo_time

log = logging.getLogger("qbo_sandbox")
JSON_TYPE = "application/json;charset=UTF-8"
WRITE_ENDPOINTS = {"entity_post", "batch", "preferences", "entity_send"}


def json_response(payload: object, status: int = 200, content_type: str = JSON_TYPE) -> Response:
    body = payload if isinstance(payload, bytes) else encode(payload)
    response = Response(body, status=status, content_type=content_type)
    response.headers["intuit_tid"] = str(uuid.uuid4())
    return response


_SECRET_PATHS = ("/oauth2/", "/v2/oauth2/", "/connect/oauth2", "/__sandbox/oauth/")


class SandboxApp:
    def __init__(self, config: SandboxConfig, *, db=None, clock=None, oauth=None, webhooks=None) -> None:
        self.config = config
        self.clock = clock or SandboxClock(config.time_scale)
        self.db = db or SandboxDB(config.data_path)
        self.store = Store(self.db)
        if oauth is None:
            from .oauth import OAuthServer

            oauth = OAuthServer(self.db, self.clock, config)
        if webhooks is None:
            from .webhooks import WebhookDispatcher

            webhooks = WebhookDispatcher(self.db, self.clock, config)
        self.oauth, self.webhooks = oauth, webhooks
        self.throttle = Throttle(self.clock, config)
        self.injector = FaultInjector()
        self.request_log = RequestLog(config.request_log_size)
        self.request_ids = RequestIds(self.db, self.clock, config)
        ensure_seeded(self.store, config, self.clock.now())
        self.url_map = Map(self._rules(), strict_slashes=False)

    # --- routing -------------------------------------------------------------------------------

    def _rules(self) -> list[Rule]:
        company = "/v3/company/<realm>"
        api_routes = [
            ("/query", "query", ["GET", "POST"]),
            ("/cdc", "change_data_capture", ["GET"]),
            ("/batch", "batch", ["POST"]),
            ("/companyinfo/<entity_id>", "company_info", ["GET"]),
            ("/preferences", "preferences", ["GET", "POST"]),
            ("/<entity>", "entity_post", ["POST"]),
            ("/<entity>/<entity_id>", "entity_get", ["GET"]),
            ("/<entity>/<entity_id>/send", "entity_send", ["POST"]),
            ("/<entity>/<entity_id>/pdf", "entity_pdf", ["GET"]),
        ]
        rules = [
            Rule(company + path, endpoint=("api", name), methods=methods)
            for path, name, methods in api_routes
        ]
        rules.append(Rule(company + "/<path:rest>", endpoint=("api", "unknown")))
        rules.append(Rule(company, endpoint=("api", "unknown")))
        rules.append(Rule("/__sandbox/info", endpoint=self.info, methods=["GET"]))
        rules += self.oauth.rules() + self.webhooks.rules() + view.rules(self)
        if self.config.test_hooks:
            rules += hooks.rules(self)
        return rules

    def __call__(self, environ, start_response):
        request = Request(environ)
        started = time.perf_counter()
        try:
            response = self.dispatch(request)
        except Exception:
            log.exception("unhandled error for %s %s", request.method, request.path)
            response = self.fault_response(faults.system_failure())
        if not request.path.startswith("/__sandbox/requests"):
            # Token endpoints carry codes, tokens and the client secret: log that they happened, never what.
            secret = request.path.startswith(_SECRET_PATHS)
            self.request_log.add(
                method=request.method,
                path=request.path,
                query=request.query_string.decode("latin-1"),
                status=response.status_code,
                body=b"[redacted]" if secret else request.get_data(cache=True),
                response="[redacted]" if secret else response.get_data()[:2000].decode("utf-8", "replace"),
                realm=environ.get("sandbox.realm"),
                client=environ.get("sandbox.client"),
                ms=round((time.perf_counter() - started) * 1000, 2),
                at=self.clock.now().isoformat(),
            )
        return response(environ, start_response)

    def dispatch(self, request: Request) -> Response:
        adapter = self.url_map.bind_to_environ(request.environ)
        try:
            endpoint, values = adapter.match()
        except NotFound:
            return json_response({"error": "not found", "path": request.path}, 404)
        except MethodNotAllowed as exc:
            if request.path.startswith("/v3/company/"):
                return self.fault_response(faults.unknown_resource(request.path))
            return exc.get_response(request.environ)
        except HTTPException as exc:  # redirects for trailing slashes and the like
            return exc.get_response(request.environ)
        if isinstance(endpoint, tuple):
            return self.api_call(request, endpoint[1], values)
        return endpoint(request, **values)

    # --- the API pipeline ----------------------------------------------------------------------

    def fault_response(self, fault: faults.Fault, now=None) -> Response:
        if self.config.lowercase_fault_chaos and fault.status == 400:
            return json_response(faults.lowercase_envelope(fault), 400)
        return json_response(faults.envelope(fault, self.time_text(now)), fault.status)

    def time_text(self, now=None) -> str:
        return qbo_time(now or self.clock.now(), self.config.company_tz)

    def api_call(self, request: Request, name: str, values: dict) -> Response:
        realm = values.pop("realm")
        request.environ["sandbox.realm"] = realm
        from .oauth import AuthFailure

        try:
            client_id = self.oauth.authenticate(request, realm)
        except AuthFailure as failure:
            return failure.response
        request.environ["sandbox.client"] = client_id
        if not self.store.realm_exists(realm):
            return self.fault_response(
                faults.Fault("3100", "ApplicationAuthorizationFailed", f"Unknown company {realm}", status=403)
            )
        is_batch = name == "batch"
        cost = 1
        if is_batch:
            try:
                cost = max(1, batch.item_count(api.json_body(request)))
            except faults.Fault:
                cost = 1
        key = (client_id, realm)
        if not self.throttle.admit(key, cost, is_batch):
            response = json_response(faults.throttle_body(self.time_text()), 429)
            response.headers["Retry-After"] = "60"
            return response
        try:
            self._model_latency(cost if is_batch else 0)
            rule = self.injector.take(self._facts(request, name, values, realm))
            if rule is not None:
                if rule.kind == "timeout":
                    time.sleep(rule.seconds)
                elif rule.kind != "lost_response":
                    return hooks.injected_response(self, rule)
            response = self.run_endpoint(request, name, values, realm)
            if rule is not None and rule.kind == "lost_response":
                return Response(
                    "<html><body><h1>502 Bad Gateway</h1></body></html>",
                    status=self.config.lost_response_status,
                    content_type="text/html",
                )
            return response
        finally:
            self.throttle.release(key)

    def _model_latency(self, batch_items: int) -> None:
        # Intuit's round trip, if configured (config.request_latency_ms), on the sandbox clock.
        simulated_ms = self.config.request_latency_ms + batch_items * self.config.batch_item_latency_ms
        if simulated_ms > 0:
            self.clock.sleep(simulated_ms / 1000)

    def _facts(self, request: Request, name: str, values: dict, realm: str) -> dict:
        entity = values.get("entity", name)
        handler = by_segment(entity)
        operation = {
            "entity_get": "read",
            "query": "query",
            "change_data_capture": "cdc",
            "batch": "batch",
        }.get(name, name)
        if name == "entity_post":
            op = request.args.get("operation", "").lower()
            if op == "delete":
                operation = "delete"
            elif op == "void" or "void" in request.args.get("include", "").lower():
                operation = "void"
            else:
                try:
                    body = api.json_body(request)
                except faults.Fault:
                    body = None
                operation = "update" if isinstance(body, dict) and body.get("Id") else "create"
        return {
            "method": request.method,
            "path": request.path,
            "entity": handler.name if handler else entity,
            "operation": operation,
            "realm": realm,
        }

    def run_endpoint(self, request: Request, name: str, values: dict, realm: str) -> Response:
        """requestid replay, the write transaction, the endpoint, then webhooks after commit."""
        ctx = Ctx(store=self.store, config=self.config, realm=realm, now=self.clock.now())
        request_id = request.args.get("requestid")
        write = name in WRITE_ENDPOINTS or request_id is not None
        if not write and name != "change_data_capture":
            return self._respond(ctx, request, name, values)
        signature = f"{request.method} {request.path}?operation={request.args.get('operation', '').lower()}"
        try:
            with self.db.transaction():
                ctx.now = self.clock.now()  # under the write lock: see entities/context.py
                if request_id is not None:
                    try:
                        self.request_ids.validate(request_id)
                        stored = self.request_ids.lookup(realm, request_id, signature)
                    except faults.Fault as fault:
                        return self.fault_response(fault, ctx.now)
                    if stored is not None:
                        return json_response(stored.body, stored.status, stored.content_type)
                # Every write inside an endpoint runs in db.atomic(), so a Fault leaves nothing behind.
                response = self._respond(ctx, request, name, values)
                if request_id is not None and self.request_ids.storable(response.status_code):
                    self.request_ids.store(
                        realm, request_id, signature, response.status_code, response.content_type,
                        response.get_data(),
                    )  # fmt: skip
        except Exception:
            log.exception("unhandled error for %s %s", request.method, request.path)
            return self.fault_response(faults.system_failure())
        for event in ctx.events:
            self.webhooks.notify(
                event.realm,
                event.entity,
                event.entity_id,
                event.operation,
                event.last_updated,
                event.deleted_id,
            )
        return response

    def _respond(self, ctx: Ctx, request: Request, name: str, values: dict) -> Response:
        if name == "unknown":
            return self.fault_response(faults.unknown_resource(request.path), ctx.now)
        endpoint = getattr(api, name)
        mark = len(ctx.events)
        try:
            payload = endpoint(ctx, request, **values)
        except faults.Fault as fault:
            del ctx.events[mark:]
            return self.fault_response(fault, ctx.now)
        if isinstance(payload, bytes):
            return Response(payload, content_type="application/pdf")
        payload["time"] = ctx.time_text()
        return json_response(payload)

    # --- always-on info ------------------------------------------------------------------------

    def info(self, request: Request) -> Response:
        cfg = self.config
        return json_response(
            {
                "api_base_url": cfg.api_base_url,
                "discovery_url": cfg.discovery_url,
                "client_id": cfg.client_id,
                "client_secret": cfg.client_secret,
                "redirect_uris": list(cfg.redirect_uris),
                "webhook_verifier_token": cfg.webhook_verifier_token,
                "webhook_url": cfg.webhook_url,
                "webhook_format": cfg.webhook_format,
                "realms": [{"id": rid, "name": name} for rid, name in self.store.realms()],
                "test_hooks": cfg.test_hooks,
                "time_scale": self.clock.time_scale,
            }
        )
