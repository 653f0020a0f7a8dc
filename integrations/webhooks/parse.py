"""Both webhook payload formats → one list of :class:`Notice` (pure; no database, no network).

Legacy: ``{"eventNotifications": [{"realmId", "dataChangeEvent": {"entities": [...]}}]}``, one realm
per element. CloudEvents: a JSON array of events, each routed by ``intuitaccountid``, so one POST may
span several companies. A notice carries ids and an operation only: the entity itself is read by CDC.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

# CloudEvents name entities in lower case (``qbo.salesreceipt.updated.v1``); we use QuickBooks' names.
_ENTITY_NAMES = {
    name.lower(): name
    for name in (
        "Customer",
        "Invoice",
        "SalesReceipt",
        "Payment",
        "CreditMemo",
        "RefundReceipt",
        "Item",
        "Vendor",
        "Employee",
        "Account",
        "TaxCode",
        "PaymentMethod",
        "Estimate",
        "Bill",
        "JournalEntry",
    )
}
_VERBS = {"created": "Create", "updated": "Update", "deleted": "Delete", "merged": "Merge", "voided": "Void"}
OPERATIONS = set(_VERBS.values()) | {"Emailed"}


class MalformedWebhook(ValueError):
    """The body is not one of the two formats QuickBooks sends."""


@dataclass(frozen=True)
class Notice:
    realm_id: str
    entity: str  # QuickBooks name: Customer, Invoice, ...
    entity_id: str
    operation: str  # Create | Update | Delete | Merge | Void
    deleted_id: str = ""  # Merge: the customer merged away
    event_id: str = ""  # CloudEvents id (legacy deliveries have none)
    last_updated: str = ""


def _text(value, what: str) -> str:
    if not isinstance(value, str | int) or isinstance(value, bool) or str(value).strip() == "":
        raise MalformedWebhook(f"missing or invalid {what}")
    return str(value).strip()


def _legacy(document: dict) -> list[Notice]:
    notifications = document.get("eventNotifications")
    if not isinstance(notifications, list):
        raise MalformedWebhook("eventNotifications must be a list")
    notices = []
    for notification in notifications:
        if not isinstance(notification, dict):
            raise MalformedWebhook("each notification must be an object")
        realm = _text(notification.get("realmId"), "realmId")
        change = notification.get("dataChangeEvent") or {}
        entities = change.get("entities") if isinstance(change, dict) else None
        if not isinstance(entities, list):
            raise MalformedWebhook("dataChangeEvent.entities must be a list")
        for entity in entities:
            if not isinstance(entity, dict):
                raise MalformedWebhook("each entity must be an object")
            name = _text(entity.get("name"), "entity name")
            notices.append(
                Notice(
                    realm_id=realm,
                    entity=_ENTITY_NAMES.get(name.lower(), name),
                    entity_id=_text(entity.get("id"), "entity id"),
                    operation=_text(entity.get("operation"), "operation"),
                    deleted_id=str(entity.get("deletedId") or ""),
                    last_updated=str(entity.get("lastUpdated") or ""),
                )
            )
    return notices


def _cloudevents(events: list) -> list[Notice]:
    notices = []
    for event in events:
        if not isinstance(event, dict):
            raise MalformedWebhook("each CloudEvent must be an object")
        parts = _text(event.get("type"), "type").split(".")
        if len(parts) < 3 or parts[0] != "qbo":
            raise MalformedWebhook("type must look like qbo.<entity>.<verb>.v1")
        entity, verb = parts[1], parts[2]
        data = event.get("data") if isinstance(event.get("data"), dict) else {}
        notices.append(
            Notice(
                realm_id=_text(event.get("intuitaccountid"), "intuitaccountid"),
                entity=_ENTITY_NAMES.get(entity.lower(), entity[:1].upper() + entity[1:]),
                entity_id=_text(event.get("intuitentityid"), "intuitentityid"),
                operation=_VERBS.get(verb, verb.capitalize()),
                deleted_id=str(data.get("deletedid") or data.get("deletedId") or ""),
                event_id=_text(event.get("id"), "id"),
                last_updated=str(event.get("time") or ""),
            )
        )
    return notices


def detect_format(document) -> str:
    if isinstance(document, list):
        return "cloudevents"
    if isinstance(document, dict) and "eventNotifications" in document:
        return "legacy"
    raise MalformedWebhook("neither the legacy nor the CloudEvents format")


def parse_notices(body: bytes) -> tuple[str, list[Notice]]:
    """``(format, notices)``; raises :class:`MalformedWebhook` for anything else."""
    try:
        document = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise MalformedWebhook("the body is not JSON") from exc
    kind = detect_format(document)
    return kind, (_cloudevents(document) if kind == "cloudevents" else _legacy(document))
