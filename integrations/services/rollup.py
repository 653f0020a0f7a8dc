"""Fold the sync event log into the dashboard's hourly counts and daily latency percentiles.

Run by a django-q2 schedule every minute (``syncportal.console.tasks.refresh_rollup``). Each run
refolds only the hours and days touched since the last run (plus a small margin for events whose
transaction committed late), so its cost follows the recent event rate, not the size of the log.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Count
from django.db.models.functions import TruncHour
from django.utils import timezone

from integrations.models import RollupState, SyncEvent, SyncEventHourly, SyncLatencyDaily

WINDOW = dt.timedelta(days=7)
KEEP = dt.timedelta(days=35)
# An event is stamped when its transaction starts, so a slow commit can land behind the last fold.
LATE_COMMIT_MARGIN = dt.timedelta(minutes=5)


def floor_hour(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.UTC).replace(minute=0, second=0, microsecond=0)


def rollup_refresh(*, now: dt.datetime | None = None) -> dt.datetime:
    """Bring the rollup tables up to ``now`` (default: the current time); returns that moment."""
    now = now or timezone.now()
    with transaction.atomic():
        state, _ = RollupState.objects.select_for_update().get_or_create(pk=1)
        oldest = floor_hour(now - WINDOW)
        since = oldest if state.folded_until is None else floor_hour(state.folded_until - LATE_COMMIT_MARGIN)
        since = max(since, oldest)
        _fold_hours(since, now)
        _fold_days(since.date(), now)
        SyncEventHourly.objects.filter(hour__lt=now - KEEP).delete()
        SyncLatencyDaily.objects.filter(day__lt=(now - KEEP).date()).delete()
        state.folded_until = now
        state.save(update_fields=["folded_until"])
    return now


def _fold_hours(since: dt.datetime, now: dt.datetime) -> None:
    counts = (
        SyncEvent.objects.filter(created_at__gte=since, created_at__lte=now)
        .annotate(bucket=TruncHour("created_at", tzinfo=dt.UTC))
        .values("connection_id", "bucket", "direction", "outcome")
        .annotate(events=Count("pk"))
        .order_by()
    )
    rows = [
        SyncEventHourly(
            connection_id=row["connection_id"],
            hour=row["bucket"],
            direction=row["direction"],
            outcome=row["outcome"],
            events=row["events"],
        )
        for row in counts
    ]
    SyncEventHourly.objects.filter(hour__gte=since).delete()
    SyncEventHourly.objects.bulk_create(rows, batch_size=1000)


def _fold_days(first_day: dt.date, now: dt.datetime) -> None:
    day = first_day
    while day <= now.date():
        start = dt.datetime.combine(day, dt.time.min, tzinfo=dt.UTC)
        end = min(start + dt.timedelta(days=1), now)
        SyncLatencyDaily.objects.filter(day=day).delete()
        SyncLatencyDaily.objects.bulk_create(_day_rows(day, start, end))
        day += dt.timedelta(days=1)


def _day_rows(day: dt.date, start: dt.datetime, end: dt.datetime) -> list[SyncLatencyDaily]:
    timed = SyncEvent.objects.filter(
        created_at__gte=start, created_at__lt=end, outcome=SyncEvent.Outcome.OK, latency_ms__isnull=False
    )
    groups = timed.values("connection_id", "direction").annotate(samples=Count("pk")).order_by()
    rows = []
    for group in groups:
        ordered = timed.filter(connection_id=group["connection_id"], direction=group["direction"]).order_by(
            "latency_ms"
        )
        samples = group["samples"]
        rows.append(
            SyncLatencyDaily(
                connection_id=group["connection_id"],
                day=day,
                direction=group["direction"],
                samples=samples,
                p50_ms=_nearest_rank(ordered, samples, 0.50),
                p95_ms=_nearest_rank(ordered, samples, 0.95),
            )
        )
    return rows


def _nearest_rank(ordered, samples: int, share: float) -> int:
    """The smallest value with at least ``share`` of the samples at or below it (nearest-rank)."""
    rank = max(1, -(-int(share * 100) * samples // 100))  # ceil(share * samples), in integers
    return ordered.values_list("latency_ms", flat=True)[rank - 1]
