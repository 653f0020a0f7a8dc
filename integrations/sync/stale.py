"""The engine side of a 5010: re-read, merge (``merge3``), then send, agree, or hold for a person."""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone

from integrations.models.sync import Direction, QBOLink, SyncConflict, SyncEvent, SyncFailure
from integrations.qbo import errors
from integrations.qbo.contracts import BatchOp
from integrations.sync import records
from integrations.sync.merge3 import Merge, next_base, sent_fields, three_way
from integrations.sync.outcomes import Diagnosis

log = logging.getLogger(__name__)

ACTIVE = records.ACTIVE


def held(connection, keys) -> set[tuple[str, int]]:
    """Records with an open conflict: nothing is sent for them until a person decides."""
    wanted = {entity for entity, _ in keys}
    ids = {object_id for _, object_id in keys}
    rows = SyncConflict.objects.filter(
        connection=connection,
        status=SyncConflict.Status.OPEN,
        entity__in=wanted,
        object_id__in=ids,
    ).values_list("entity", "object_id")
    return set(rows) & set(keys)


def resolve_stale(connection, gateway, item: dict, body: dict) -> BatchOp | None:
    """After a 5010 on ``item``: the merged sparse update to send, or ``None`` (conflict / nothing to do)."""
    link = QBOLink.objects.filter(
        connection=connection, entity=item["entity"], object_id=item["object_id"]
    ).first()
    if link is None:
        return None
    try:
        theirs = gateway.read(item["qbo_type"], link.qbo_id)
    except errors.QBOError as exc:
        # Leave the failure retrying; the next attempt reads again.
        log.warning("re-read after 5010 failed for %s:%s (%s)", item["entity"], item["object_id"], exc.code)
        return None
    merge = three_way(link.base or {}, sent_fields(body), theirs)
    token = str(theirs.get("SyncToken", ""))
    if merge.conflicts:
        _record_conflicts(connection, item, link, merge, token)
        return None
    if not merge.push:
        # QuickBooks already holds every value we meant to send: agree, and stop retrying.
        _agree(connection, item, link, body, token)
        return None
    op_body = {"Id": link.qbo_id, "SyncToken": token, "sparse": True, **merge.push}
    return BatchOp(bid="", operation="update", qbo_type=item["qbo_type"], body=op_body)


@transaction.atomic
def _agree(connection, item: dict, link: QBOLink, body: dict, token: str) -> None:
    QBOLink.objects.filter(pk=link.pk).update(
        sync_token=token, base=next_base(link.base, body), fingerprint=item.get("fingerprint", "")
    )
    SyncFailure.objects.filter(
        connection=connection, entity=item["entity"], object_id=item["object_id"], status__in=ACTIVE
    ).update(status=SyncFailure.Status.RESOLVED, resolved_at=timezone.now())


@transaction.atomic
def _record_conflicts(connection, item: dict, link: QBOLink, merge: Merge, token: str) -> None:
    label = records.label_for(item["entity"], item["object_id"])
    for name, base, mine, theirs in merge.conflicts:
        SyncConflict.objects.update_or_create(
            connection=connection,
            entity=item["entity"],
            object_id=item["object_id"],
            field=name,
            status=SyncConflict.Status.OPEN,
            defaults={
                "record_label": label[:255],
                "base_value": base,
                "local_value": mine,
                "qbo_value": theirs,
            },
        )
    names = ", ".join(name for name, *_ in merge.conflicts)
    diagnosis = Diagnosis(
        "conflict",
        f"{label} was changed both here and in QuickBooks ({names}). Nothing was overwritten: choose "
        "which value to keep for each field in Sync conflicts; it is sent once every conflict is resolved.",
        False,
    )
    records.upsert_failure(connection, item, label, diagnosis, code="5010", detail=f"fields: {names}")
    QBOLink.objects.filter(pk=link.pk).update(sync_token=token)
    SyncEvent.objects.create(
        connection=connection,
        direction=Direction.PUSH,
        entity=item["entity"],
        object_id=item["object_id"],
        qbo_type=item["qbo_type"],
        qbo_id=link.qbo_id,
        operation=item["operation"],
        outcome=SyncEvent.Outcome.CONFLICT,
        summary={"fields": [name for name, *_ in merge.conflicts]},
    )


def bases_for(connection, keys) -> dict[tuple[str, int], dict]:
    """The agreed state of each linked record among ``keys`` (for ``merge3.narrow``)."""
    ids = {object_id for _, object_id in keys}
    rows = QBOLink.objects.filter(connection=connection, object_id__in=ids).values_list(
        "entity", "object_id", "base"
    )
    wanted = set(keys)
    return {(entity, object_id): base for entity, object_id, base in rows if (entity, object_id) in wanted}
