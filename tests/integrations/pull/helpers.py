"""Helpers for pull tests: signed webhook posts and sandbox bookkeeper edits."""

from __future__ import annotations

import json

from django.conf import settings

from integrations.qbo_sandbox.webhooks.payloads import sign

URL = "/integrations/webhooks/qbo/"


def legacy(realm: str, *entities: tuple[str, str, str]) -> bytes:
    return json.dumps(
        {
            "eventNotifications": [
                {
                    "realmId": realm,
                    "dataChangeEvent": {
                        "entities": [
                            {"name": n, "id": i, "operation": op, "lastUpdated": "2026-11-22T03:00:00.000Z"}
                            for n, i, op in entities
                        ]
                    },
                }
            ]
        }
    ).encode()


def cloudevent(realm: str, entity: str, entity_id: str, verb: str, event_id: str, **data) -> dict:
    return {
        "specversion": "1.0",
        "id": event_id,
        "source": "intuit.test",
        "type": f"qbo.{entity.lower()}.{verb}.v1",
        "time": "2026-11-22T03:00:00.000Z",
        "intuitentityid": entity_id,
        "intuitaccountid": realm,
        "data": data,
    }


def post(client, body: bytes, signature: str | None = "auto"):
    headers = {}
    if signature == "auto":
        signature = sign(body, settings.QBO_WEBHOOK_VERIFIER_TOKEN)
    if signature is not None:
        headers["HTTP_INTUIT_SIGNATURE"] = signature
    return client.post(URL, data=body, content_type="application/json", **headers)


def bookkeeper(sandbox, entity: str, action: str, qbo_id: str = "", **fields) -> dict:
    body = {"entity": entity, "action": action, "fields": fields}
    if qbo_id:
        body["id"] = qbo_id
    return sandbox.hook(f"realms/{sandbox.realm}/bookkeeper", body)


def run_queued_tasks(limit: int = 50) -> list[str]:
    """A one-shot django-q2 worker: run what the ORM broker holds, oldest first, as a worker would."""
    from django.utils.module_loading import import_string
    from django_q.models import OrmQ
    from django_q.signing import SignedPackage

    ran = []
    for _ in range(limit):
        row = OrmQ.objects.order_by("id").first()
        if row is None:
            break
        task = SignedPackage.loads(row.payload)
        row.delete()
        func = task["func"]
        (import_string(func) if isinstance(func, str) else func)(*task["args"], **task["kwargs"])
        ran.append(func)
    return ran
