"""What a push leaves behind: links, events, failures. Called inside the drain's transactions."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from integrations.models.connection import QBOConnection
from integrations.models.sync import Direction, PushBatch, QBOLink, SyncEvent, SyncFailure
from integrations.qbo.contracts import BatchResult
from integrations.sync import merge3, outcomes
from integrations.sync.linkrows import links_for
from integrations.sync.plan import ENTITY_MODELS, Change

ACTIVE = [SyncFailure.Status.OPEN, SyncFailure.Status.RETRYING]


def label_for(entity: str, object_id: int) -> str:
    model = ENTITY_MODELS.get(entity)
    if model is None:
        return f"{entity} #{object_id}"
    record = model.objects.filter(pk=object_id).first()
    name = model._meta.verbose_name.capitalize()
    return f"{name} ‘{record}’" if record else f"{name} #{object_id}"


def skip(connection: QBOConnection, change: Change, reason: str) -> None:
    SyncEvent.objects.create(
        connection=connection,
        direction=Direction.PUSH,
        entity=change.entity,
        object_id=change.object_id,
        operation=change.last_operation,
        outcome=SyncEvent.Outcome.SKIPPED,
        summary={"reason": reason},
    )
    # A record that is skipped on purpose no longer needs attention.
    SyncFailure.objects.filter(
        connection=connection, entity=change.entity, object_id=change.object_id, status__in=ACTIVE
    ).update(status=SyncFailure.Status.RESOLVED, resolved_at=timezone.now())


def fail_dependency(connection, change: Change, record, needed: str) -> None:
    label = f"{record._meta.verbose_name.capitalize()} ‘{record}’"
    _upsert_failure(
        connection,
        change.entity,
        change.object_id,
        change.last_operation,
        label,
        outcomes.dependency_failed(label, needed),
        code="",
        detail="",
    )


def fail_invalid(connection, change: Change, record, message: str) -> None:
    """Something only a person can fix (bad data, a name QuickBooks lacks): no automatic retry."""
    label = f"{record._meta.verbose_name.capitalize()} ‘{record}’"
    _upsert_failure(
        connection,
        change.entity,
        change.object_id,
        change.last_operation,
        label,
        outcomes.Diagnosis("invalid_record", message, False),
        code="",
        detail="",
    )


def add_due_retries(connection: QBOConnection, changes: dict) -> None:
    """Failures whose backoff has passed (or that a person asked to retry) join this drain."""
    now = timezone.now()
    due = SyncFailure.objects.filter(
        connection=connection,
        direction=Direction.PUSH,
        status=SyncFailure.Status.RETRYING,
        next_retry_at__lte=now,
    ).values_list("entity", "object_id", "force_push")
    for entity, object_id, force in due[:500]:
        change = changes.setdefault((entity, object_id), Change(entity, object_id))
        change.retry = True
        change.force = change.force or force
        change.overwrite = change.overwrite or force


def pause(connection: QBOConnection, *, seconds: int, reason: str) -> None:
    QBOConnection.objects.filter(pk=connection.pk).update(
        paused_until=timezone.now() + timedelta(seconds=seconds), pause_reason=reason
    )


def upsert_failure(connection, item: dict, label: str, diagnosis, *, code: str, detail: str) -> SyncFailure:
    """Record (or re-word) the failure of one ledger item."""
    return _upsert_failure(
        connection,
        item["entity"],
        item["object_id"],
        item["operation"],
        label,
        diagnosis,
        code=code,
        detail=detail,
    )


def apply_batch(connection: QBOConnection, batch: PushBatch, answers: list[BatchResult], duration_ms: int):
    """Links, events and resolved failures of one answered batch, written a batch at a time
    (one query per kind, not four per record: per-record writes capped the engine's speed)."""
    ok = failed = 0
    by_bid = {answer.bid: answer for answer in answers}
    sent = {body["bId"]: body for body in batch.body["BatchItemRequest"]}
    now = timezone.now()
    per_item_ms = duration_ms // max(1, len(batch.items))
    links = links_for(connection, [(item["entity"], item["object_id"]) for item in batch.items])
    writes = _LinkWrites(links, now)
    events: list[SyncEvent] = []
    accepted: dict[str, list[int]] = {}
    for item in batch.items:
        answer = by_bid[item["bId"]]
        entity, object_id = item["entity"], item["object_id"]
        if answer.ok:
            ok += 1
            writes.link(connection, item, answer.entity or {}, sent[item["bId"]].get(item["qbo_type"]) or {})
            first_at = datetime.fromisoformat(item["first_at"]) if item.get("first_at") else None
            events.append(
                SyncEvent(
                    connection=connection,
                    direction=Direction.PUSH,
                    entity=entity,
                    object_id=object_id,
                    qbo_type=item["qbo_type"],
                    qbo_id=str((answer.entity or {}).get("Id", "")),
                    operation=item["operation"],
                    outcome=SyncEvent.Outcome.OK,
                    duration_ms=per_item_ms,
                    latency_ms=int((now - first_at).total_seconds() * 1000) if first_at else None,
                    request_id=batch.request_id,
                    summary={"batch": batch.pk, "qbo_operation": item["batch_operation"]},
                )
            )
            accepted.setdefault(entity, []).append(object_id)
        else:
            failed += 1
            error = answer.error
            label = label_for(entity, object_id)
            diagnosis = outcomes.diagnose(error, label=label, operation=item["operation"])
            if error.code == "5010":
                # Our SyncToken is old: forget it so the retry reads the current one first.
                writes.forget_token(entity, object_id)
            _upsert_failure(
                connection,
                entity,
                object_id,
                item["operation"],
                label,
                diagnosis,
                code=error.code,
                detail=error.detail,
            )
            events.append(
                SyncEvent(
                    connection=connection,
                    direction=Direction.PUSH,
                    entity=entity,
                    object_id=object_id,
                    qbo_type=item["qbo_type"],
                    operation=item["operation"],
                    outcome=SyncEvent.Outcome.FAILED,
                    duration_ms=per_item_ms,
                    request_id=batch.request_id,
                    summary={"code": error.code, "message": error.message[:200], "cause": diagnosis.cause},
                )
            )
    writes.save()
    SyncEvent.objects.bulk_create(events)
    for entity, ids in accepted.items():
        SyncFailure.objects.filter(
            connection=connection, entity=entity, object_id__in=ids, status__in=ACTIVE
        ).update(status=SyncFailure.Status.RESOLVED, resolved_at=now, force_push=False)
    if ok:
        wake_dependents(connection)
    return ok, failed


def wake_dependents(connection: QBOConnection) -> None:
    """Something reached QuickBooks: records waiting for another one are due again now, however
    many attempts they used (the message promised they go as soon as their dependency is fixed)."""
    SyncFailure.objects.filter(
        connection=connection, cause="waiting_for_dependency", status__in=ACTIVE
    ).update(status=SyncFailure.Status.RETRYING, next_retry_at=timezone.now())


class _LinkWrites:
    """The links one batch creates or changes, saved together (only the lease holder writes links
    for this company, inside the batch's transaction)."""

    def __init__(self, links: dict, now) -> None:
        self.links = links
        self.now = now
        self.created: dict[tuple[str, int], QBOLink] = {}
        self.changed: dict[tuple[str, int], QBOLink] = {}

    def _touch(self, key, link: QBOLink, synced: bool = True) -> None:
        if synced:
            link.last_synced_at = self.now
        if link.pk is None:
            self.created[key] = link
        else:
            self.changed[key] = link

    def forget_token(self, entity: str, object_id: int) -> None:
        key = (entity, object_id)
        if key in self.links:
            self.links[key].sync_token = ""
            self._touch(key, self.links[key], synced=False)

    def link(self, connection: QBOConnection, item: dict, entity_doc: dict, sent_body: dict) -> None:
        qbo_id = str(entity_doc.get("Id", ""))
        if not qbo_id:
            return
        key = (item["entity"], item["object_id"])
        link = self.links.get(key)
        if item["batch_operation"] == "delete" or entity_doc.get("status") == "Deleted":
            if link is not None:
                link.fingerprint, link.sync_token = "deleted", ""
                self._touch(key, link)
            return
        if link is None:
            link = self.links[key] = QBOLink(connection=connection, entity=key[0], object_id=key[1])
        old = link.base if link.pk and item["batch_operation"] == "update" else {}
        link.qbo_type = item["qbo_type"]
        link.qbo_id = qbo_id
        link.sync_token = str(entity_doc.get("SyncToken", ""))
        link.fingerprint = item.get("fingerprint", "")
        # The agreed state: what the mappings sent (the next push diffs against it, and it is the
        # base of the three-way merge after a 5010, sync.merge3). A follow-up update (after a merge
        # or a link) carries no full state: the fields it sent are laid over the old base.
        link.base = item.get("base") or merge3.next_base(old, sent_body)
        self._touch(key, link)

    def save(self) -> None:
        if self.changed:
            QBOLink.objects.bulk_update(
                list(self.changed.values()),
                ["qbo_type", "qbo_id", "sync_token", "fingerprint", "base", "last_synced_at"],
            )
        if self.created:
            QBOLink.objects.bulk_create(list(self.created.values()))


@transaction.atomic
def _upsert_failure(
    connection, entity, object_id, operation, label, diagnosis, *, code, detail
) -> SyncFailure:
    failure = (
        SyncFailure.objects.select_for_update()
        .filter(
            connection=connection,
            direction=Direction.PUSH,
            entity=entity,
            object_id=object_id,
            status__in=ACTIVE,
        )
        .first()
    )
    if failure is None:
        failure = SyncFailure(
            connection=connection, direction=Direction.PUSH, entity=entity, object_id=object_id
        )
    failure.attempts += 1
    failure.record_label = label[:255]
    failure.operation = operation
    failure.cause = diagnosis.cause
    failure.message = diagnosis.message
    failure.qbo_code = code
    failure.qbo_detail = detail[:2000]
    failure.last_attempt_at = timezone.now()
    failure.force_push = False
    if diagnosis.retry and failure.attempts < outcomes.MAX_AUTOMATIC_ATTEMPTS:
        failure.status = SyncFailure.Status.RETRYING
        failure.next_retry_at = timezone.now() + outcomes.backoff(failure.attempts)
    else:
        failure.status = SyncFailure.Status.OPEN  # waits for a person
        failure.next_retry_at = None
    failure.save()
    return failure
