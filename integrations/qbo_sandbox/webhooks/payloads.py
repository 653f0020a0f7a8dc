"""Webhook bodies and headers exactly as Intuit sends them (spec §7.1-§7.3).

Bodies are serialised once, stored as bytes and signed over those exact bytes, so a retry resends
a byte-identical body with the same signature.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

OPERATION_VERBS = {
    "Create": "created",
    "Update": "updated",
    "Delete": "deleted",
    "Merge": "merged",
    "Void": "voided",
}
FORMATS = ("legacy", "cloudevents")


def sign(body: bytes, verifier_token: str) -> str:
    """``intuit-signature``: base64(HMAC-SHA256(key=verifier token, msg=raw body))."""
    digest = hmac.new(verifier_token.encode("utf-8"), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def iso_utc(moment: datetime | str) -> str:
    """``2025-09-08T20:52:31.657Z`` (naive datetimes are taken as UTC; ISO strings are accepted)."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _dumps(document) -> bytes:
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def legacy_body(realm_id: str, events: list[dict]) -> bytes:
    """One ``eventNotifications`` element for one realm, one entity entry per event."""
    entities = []
    for event in events:
        entity = {
            "name": event["entity"],
            "id": event["entity_id"],
            "operation": event["operation"],
            "lastUpdated": event["last_updated"],
        }
        if event["deleted_id"] is not None:
            entity["deletedId"] = event["deleted_id"]
        entities.append(entity)
    return _dumps({"eventNotifications": [{"realmId": realm_id, "dataChangeEvent": {"entities": entities}}]})


def cloudevents_source(client_id: str) -> str:
    """A stable per-app source like Intuit's ``intuit.<base64 digest>``."""
    return "intuit." + base64.b64encode(hashlib.sha256(client_id.encode()).digest()).decode("ascii")


def cloudevents_body(events: list[dict], source: str) -> bytes:
    """A JSON array of CloudEvents; may hold events of several realms."""
    out = []
    for event in events:
        verb = OPERATION_VERBS[event["operation"]]
        data = {"deletedid": event["deleted_id"]} if event["deleted_id"] is not None else {}
        out.append(
            {
                "specversion": "1.0",
                "id": event["uuid"],
                "source": source,
                "type": f"qbo.{event['entity'].lower()}.{verb}.v1",
                "datacontenttype": "application/json",
                "time": event["last_updated"],
                "intuitentityid": event["entity_id"],
                "intuitaccountid": event["realm_id"],
                "data": data,
            }
        )
    return _dumps(out)


def headers(
    body: bytes, verifier_token: str, t_id: str, created: datetime, company_tz: str
) -> dict[str, str]:
    """The request headers of Intuit's notification server (doc sample values)."""
    created_local = created.astimezone(ZoneInfo(company_tz)).strftime("%Y-%m-%dT%H:%M:%S%z")
    return {
        "content-type": "application/json; charset=utf-8",
        "accept": "application/json",
        "user-agent": "intuit_notification_server/0.1",
        "intuit-signature": sign(body, verifier_token),
        "intuit-t-id": t_id,
        "intuit-created-time": created_local,
        "intuit-notification-schema-version": "0.1",
    }
