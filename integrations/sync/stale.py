"""The engine side of a 5010: re-read, merge (``merge3``), then send, agree, or hold for a person."""

from __future__ import annotations

import copy
import logging

from django.db import transaction
from django.utils import timezone

from integrations.models.sync import Direction, QBOLink, SyncConflict, SyncEvent, SyncFailure
from integrations.qbo import errors
from integrations.qbo.contracts import BatchOp
from integrations.sync import records, stale_policy
from integrations.sync.merge3 import Merge, next_base, sent_fields, three_way
from integrations.sync.outcomes import Diagnosis

log = logging.getLogger(__name__)

ACTIVE = records.ACTIVE


def disputed(connection, keys) -> dict[tuple[str, int], dict]:
    """Open conflicts of the records among ``keys``: record → {field: QuickBooks' value}."""
    wanted = {entity for entity, _ in keys}
    ids = {object_id for _, object_id in keys}
    found: dict[tuple[str, int], dict] = {}
    for entity, object_id, name, qbo_value in SyncConflict.objects.filter(
        connection=connection, status=SyncConflict.Status.OPEN, entity__in=wanted, object_id__in=ids
    ).values_list("entity", "object_id", "field", "qbo_value"):
        found.setdefault((entity, object_id), {})[name] = qbo_value
    return {key: values for key, values in found.items() if key in set(keys)}


def while_disputed(record, values: dict):
    """``record`` as the push should send it while a person decides: each disputed field carries
    QuickBooks' value (so ours never silently overwrites it), every other change still flows.
    ``None`` when a disputed field is not one of the record's own (then the record waits whole)."""
    own = {f.attname for f in record._meta.concrete_fields}
    if not set(values) <= own:
        return None
    shown = copy.copy(record)
    for name, value in values.items():
        setattr(shown, name, value)
    return shown


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
    merge, taken = stale_policy.settle(item, three_way(link.base or {}, sent_fields(body), theirs), theirs)
    token = str(theirs.get("SyncToken", ""))
    if taken:
        # QuickBooks' values of the fields taken here are now what both sides hold: the base says so,
        # or the next push would send them back as if they were our own change (an echo write).
        agreed_theirs = {name: theirs.get(name) for name in taken if name in theirs}
        link.base = next_base(link.base, agreed_theirs)
        QBOLink.objects.filter(pk=link.pk).update(base=link.base)
    if merge.conflicts:
        _record_conflicts(connection, item, link, merge, token)
        return None
    if not merge.push:
        # QuickBooks already holds every value we keep (ours, or theirs taken here by policy):
        # agree on QuickBooks' current values, and stop retrying.
        agreed = {name: theirs.get(name) for name in sent_fields(body) if name in theirs}
        _agree(connection, item, link, agreed, token)
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
        "which value to keep for each field in Sync conflicts. Its other changes keep going to QuickBooks.",
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
