"""Which outbox rows a company has not handled yet: past its position, or in one of its gaps.

A gap is an id the push found missing below the highest id it read (on PostgreSQL a row can commit
after a higher id was read); ``integrations.sync.outbox_reader`` keeps the list. Anything asking
"is this change still waiting?" must count the gaps too, or a late row would look handled.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q

from integrations.models.connection import QBOConnection


def gap_q(gaps: Iterable | None) -> Q:
    """Rows inside ``[first_id, last_id, first_seen]`` gap ranges (no row when there is none)."""
    query = Q(pk__in=[])
    for low, high, _first_seen in gaps or []:
        query |= Q(id__range=(int(low), int(high)))
    return query


def pending_q(connection: QBOConnection) -> Q:
    return Q(id__gt=connection.outbox_position) | gap_q(connection.outbox_gaps)


def pending_for_any_q(connections: Iterable[QBOConnection]) -> Q:
    """Rows some company among ``connections`` has not handled (an empty list: no row)."""
    connections = list(connections)
    if not connections:
        return Q(pk__in=[])
    lowest = min(c.outbox_position for c in connections)
    return Q(id__gt=lowest) | gap_q([gap for c in connections for gap in c.outbox_gaps or []])
