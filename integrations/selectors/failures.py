"""Reads behind the failure queue: the summary by root cause (one grouped query)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q

from integrations.models.sync import SyncFailure
from integrations.sync.outcomes import cause_label

ACTIVE = [SyncFailure.Status.OPEN, SyncFailure.Status.RETRYING]


@dataclass(frozen=True)
class CauseCount:
    cause: str
    label: str
    total: int
    waiting_for_person: int  # status open: retrying automatically will not fix these
    retrying: int


def failure_cause_counts(*, connection_id: int | None = None, limit: int = 50) -> list[CauseCount]:
    """Active failures grouped by root cause, biggest first (bounded: one query, ``limit`` rows)."""
    rows = SyncFailure.objects.filter(status__in=ACTIVE)
    if connection_id is not None:
        rows = rows.filter(connection_id=connection_id)
    grouped = (
        rows.values("cause")
        .annotate(
            total=Count("id"),
            waiting=Count("id", filter=Q(status=SyncFailure.Status.OPEN)),
            retrying=Count("id", filter=Q(status=SyncFailure.Status.RETRYING)),
        )
        .order_by("-total", "cause")[:limit]
    )
    return [
        CauseCount(row["cause"], cause_label(row["cause"]), row["total"], row["waiting"], row["retrying"])
        for row in grouped
    ]


def failure_causes(*, limit: int = 200) -> list[tuple[str, str]]:
    """(cause, label) of every cause ever recorded, for the list filter."""
    causes = SyncFailure.objects.values_list("cause", flat=True).distinct().order_by("cause")[:limit]
    return [(cause, cause_label(cause)) for cause in causes]
