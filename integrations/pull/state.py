"""What both sides last agreed on for one linked record: the base of the three-way compare.

``QBOLink.base`` is written by pull with the SyncToken it belongs to. When the link's token has
moved on since (our push wrote a newer version), or pull never ran for the record, the base is
rebuilt from the outbox: a field with no local change still waiting to be pushed holds what
QuickBooks last accepted from us, so its local value *is* the base; a field with a pending local
change has an unknown base (treated as changed here, so the conflict policy decides).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Q

from integrations.models.sync import Direction, QBOLink, SyncEvent, SyncFailure
from integrations.pull.compare import UNKNOWN
from integrations.selectors.outbox import pending_q
from syncportal.outbox.models import OutboxEntry

ALL_FIELDS = "*"
CUSTOM_FIELDS = "custom_fields"  # the local field holding every custom field


def pending_local_fields(link: QBOLink) -> set[str]:
    """Local fields changed since QuickBooks last accepted this record (``{"*"}``: all of them).

    Pending = outbox entries not yet handled, plus, when the last push of the record failed (a
    5010, say), the entries since its last successful push: those fields never reached QuickBooks.
    """
    entries = OutboxEntry.objects.filter(entity=link.entity, object_id=link.object_id)
    pending = pending_q(link.connection)
    if SyncFailure.objects.filter(
        connection_id=link.connection_id,
        direction=Direction.PUSH,
        entity=link.entity,
        object_id=link.object_id,
        status__in=[SyncFailure.Status.OPEN, SyncFailure.Status.RETRYING],
    ).exists():
        last_ok = (
            SyncEvent.objects.filter(
                connection_id=link.connection_id,
                direction=Direction.PUSH,
                entity=link.entity,
                object_id=link.object_id,
                outcome=SyncEvent.Outcome.OK,
            )
            .order_by("-created_at")
            .values_list("created_at", flat=True)
            .first()
        )
        if last_ok is None:
            return {ALL_FIELDS}
        pending |= Q(created_at__gt=last_ok)
    fields: set[str] = set()
    for operation, changed in entries.filter(pending).values_list("operation", "changed_fields"):
        fields |= set(changed) if operation == "update" and changed else {ALL_FIELDS}
    return fields


def base_values(
    link: QBOLink, local: dict[str, Any], *, pushed_as_is: Callable[[], bool] | None = None
) -> dict[str, Any]:
    """Field → base value (or ``UNKNOWN``) for every field in ``local``.

    ``pushed_as_is()`` says whether our last push sent the record exactly as it is now; then
    whatever the outbox still shows as waiting has reached QuickBooks, except custom fields (never
    pushed). It builds the push's document, so it is asked only when something looks waiting.
    """
    stored = link.base or {}
    if stored and stored.get("_sync_token") == link.sync_token:
        return {name: stored.get(name, UNKNOWN) for name in local}
    pending = pending_local_fields(link)
    if pending and pushed_as_is is not None and pushed_as_is():
        pending = {CUSTOM_FIELDS} if pending & {ALL_FIELDS, CUSTOM_FIELDS} else set()
    if ALL_FIELDS in pending:
        return dict.fromkeys(local, UNKNOWN)
    # ``custom_fields[Tier]`` is pending when the local custom fields changed (one field here).
    return {
        name: (UNKNOWN if name in pending or name.partition("[")[0] in pending else value)
        for name, value in local.items()
    }
