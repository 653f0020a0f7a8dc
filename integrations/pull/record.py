"""Pull-side bookkeeping: sync events, conflict records, pull failures, link state."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from integrations.models.sync import Direction, QBOLink, SyncConflict, SyncEvent, SyncFailure
from integrations.pull.compare import comparable

ACTIVE = [SyncFailure.Status.OPEN, SyncFailure.Status.RETRYING]


def jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def qbo_time(doc: dict) -> datetime | None:
    raw = (doc.get("MetaData") or {}).get("LastUpdatedTime")
    if not raw:
        return None
    try:
        return datetime.fromisoformat(str(raw).replace("Z", "+00:00"))
    except ValueError:
        return None


def event(connection, *, entity, object_id, doc, operation, outcome, summary=None) -> None:
    SyncEvent.objects.create(
        connection=connection,
        direction=Direction.PULL,
        entity=entity,
        object_id=object_id,
        qbo_type=doc.get("_type", ""),
        qbo_id=str(doc.get("Id", "")),
        operation=operation,
        outcome=outcome,
        summary=summary or {},
    )


def open_conflicts(connection, entity: str, object_id: int) -> dict[str, SyncConflict]:
    return {
        c.field: c
        for c in SyncConflict.objects.filter(
            connection=connection, entity=entity, object_id=object_id, status=SyncConflict.Status.OPEN
        )
    }


def conflict_record(
    connection, *, entity, object_id, label, field, base, local, remote, existing=None
) -> SyncConflict:
    """One open conflict per record and field; a newer QuickBooks value updates it (both kept)."""
    if existing is not None:
        # Either side edited the disputed field again: the conflict shows both current versions.
        if (comparable(existing.qbo_value), comparable(existing.local_value)) != (
            comparable(jsonable(remote)),
            comparable(jsonable(local)),
        ):
            existing.qbo_value = jsonable(remote)
            existing.local_value = jsonable(local)
            existing.save(update_fields=["qbo_value", "local_value"])
        return existing
    return SyncConflict.objects.create(
        connection=connection,
        entity=entity,
        object_id=object_id,
        record_label=label[:255],
        field=field,
        base_value=jsonable(base),
        local_value=jsonable(local),
        qbo_value=jsonable(remote),
    )


def pull_failure(connection, *, entity, object_id, label, operation, message, doc, summary=None) -> None:
    """QuickBooks sent a change we could not apply; a bookkeeper sees it with the others, and the
    record's sync history shows the failed attempt."""
    failure = SyncFailure.objects.filter(
        connection=connection, direction=Direction.PULL, entity=entity, object_id=object_id, status__in=ACTIVE
    ).first() or SyncFailure(
        connection=connection, direction=Direction.PULL, entity=entity, object_id=object_id
    )
    failure.record_label = label[:255]
    failure.operation = operation
    failure.cause = "pull_refused"
    failure.message = message
    failure.attempts += 1
    failure.status = SyncFailure.Status.OPEN
    failure.last_attempt_at = timezone.now()
    failure.save()
    event(
        connection,
        entity=entity,
        object_id=object_id,
        doc=doc,
        operation=operation,
        outcome=SyncEvent.Outcome.FAILED,
        summary=summary,
    )


def already_pulled(link: QBOLink, doc: dict) -> bool:
    """This exact version was applied (or recognised as an echo) before: an overlap or a duplicate."""
    return (link.base or {}).get("_pulled_token") == str(doc.get("SyncToken", "")) and (
        link.sync_token == str(doc.get("SyncToken", ""))
    )


def link_store(link: QBOLink, *, doc: dict, base: dict | None = None, fingerprint: str | None = None) -> None:
    link.sync_token = str(doc.get("SyncToken", ""))
    link.qbo_updated_at = qbo_time(doc)
    fields = ["sync_token", "qbo_updated_at", "last_synced_at", "base"]
    if base is not None:
        # The token the base belongs to: a push after this makes the base stale (see pull.state).
        link.base = {**jsonable(base), "_sync_token": link.sync_token}
    link.base = {**(link.base or {}), "_pulled_token": link.sync_token}
    if fingerprint is not None:
        link.fingerprint = fingerprint
        fields.append("fingerprint")
    link.save(update_fields=fields)
