"""Test hooks for webhooks (mounted only with ``config.test_hooks``).

=====  ================================  ==========================================================
POST   /__sandbox/webhooks/chaos         ``{"action": "delay"|"drop"|"duplicate"|"reorder"|"clear",
                                         "count": 1, "seconds": 30}`` -> ``{"chaos": {...}}``.
                                         delay: the next N deliveries wait ``seconds`` (simulated)
                                         more; drop: the next N are discarded as if Intuit lost them;
                                         duplicate: the next N are POSTed twice; reorder: the next
                                         delivery waits for the one behind it and they go out swapped.
GET    /__sandbox/webhooks/chaos         the armed rules
POST   /__sandbox/webhooks/flush         send everything now, ignoring aggregation and retry waits
                                         (a failing head still blocks what follows) ->
                                         ``{"attempted": n, "pending": n}``
GET    /__sandbox/webhooks/log?limit=200 ``{"attempts": [...], "queue": [...], "events": {...}}``;
                                         attempts carry time, status, outcome, event count, realm
                                         ids, bytes and the retry time -- never bodies or signatures
GET    /__sandbox/webhooks/config        current endpoint settings (the verifier token is not shown)
POST   /__sandbox/webhooks/config        ``{"webhook_url", "webhook_format", "webhooks_enabled",
                                         "webhook_verifier_token"}`` (any subset), applied at once
=====  ================================  ==========================================================
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from werkzeug.routing import Rule
from werkzeug.wrappers import Request, Response

from .dispatcher import CHAOS_ACTIONS
from .payloads import FORMATS, iso_utc


def _json(body, status: int = 200) -> Response:
    return Response(json.dumps(body), status=status, content_type="application/json")


def _iso(ts: float | None) -> str | None:
    return None if ts is None else iso_utc(datetime.fromtimestamp(ts, tz=UTC))


def hook_rules(dispatcher) -> list[Rule]:
    config = dispatcher.config

    def chaos(request: Request) -> Response:
        if request.method == "POST":
            data = request.get_json(silent=True) or {}
            action = data.get("action")
            if action == "clear":
                dispatcher.clear_chaos()
            elif action in CHAOS_ACTIONS:
                try:
                    count, seconds = int(data.get("count", 1)), float(data.get("seconds", 0))
                except (TypeError, ValueError):
                    return _json({"error": "count and seconds must be numbers"}, 400)
                dispatcher.set_chaos(action, count, seconds)
            else:
                return _json({"error": f"action must be one of {', '.join(CHAOS_ACTIONS)} or clear"}, 400)
        return _json({"chaos": dispatcher.chaos()})

    def flush(request: Request) -> Response:
        return _json(dispatcher.flush())

    def delivery_log(request: Request) -> Response:
        limit = request.args.get("limit", 200, type=int)
        attempts = [
            {
                "delivery_id": a["delivery_id"],
                "attempt": a["attempt"],
                "time": _iso(a["at"]),
                "url": a["url"],
                "status": a["status"],
                "outcome": a["outcome"],
                "event_count": a["event_count"],
                "realm_ids": json.loads(a["realm_ids"]),
                "bytes": a["bytes"],
                "retry_at": _iso(a["retry_at"]),
            }
            for a in dispatcher.store.attempts(max(1, limit))
        ]
        queue = [
            {
                "delivery_id": d["id"],
                "format": d["format"],
                "attempts": d["attempts"],
                "next_attempt_at": _iso(d["next_attempt_at"]),
                "event_count": d["event_count"],
                "realm_ids": json.loads(d["realm_ids"]),
                "bytes": d["bytes"],
            }
            for d in dispatcher.store.pending()
        ]
        return _json({"attempts": attempts, "queue": queue, "events": dispatcher.store.event_counts()})

    def settings(request: Request) -> Response:
        if request.method == "POST":
            data = request.get_json(silent=True) or {}
            if "webhook_format" in data and data["webhook_format"] not in FORMATS:
                return _json({"error": f"webhook_format must be one of {', '.join(FORMATS)}"}, 400)
            for key in ("webhook_url", "webhook_format", "webhook_verifier_token"):
                if key in data:
                    setattr(config, key, str(data[key]))
            if "webhooks_enabled" in data:
                config.webhooks_enabled = bool(data["webhooks_enabled"])
            dispatcher._wake.set()
        return _json(
            {
                "webhook_url": config.webhook_url,
                "webhook_format": config.webhook_format,
                "webhooks_enabled": config.webhooks_enabled,
                "webhook_debounce_seconds": config.webhook_debounce_seconds,
            }
        )

    return [
        Rule("/__sandbox/webhooks/chaos", endpoint=chaos, methods=["GET", "POST"]),
        Rule("/__sandbox/webhooks/flush", endpoint=flush, methods=["POST"]),
        Rule("/__sandbox/webhooks/log", endpoint=delivery_log, methods=["GET"]),
        Rule("/__sandbox/webhooks/config", endpoint=settings, methods=["GET", "POST"]),
    ]
