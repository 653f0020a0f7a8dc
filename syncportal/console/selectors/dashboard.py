"""The dashboard's figures in a fixed number of queries, whatever the size of the event log.

Event counts and latency percentiles come from the rollup tables (``integrations.services.rollup``);
the live figures (queue, failures, conflicts) are grouped aggregates over small, indexed sets.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Min, Q, Sum
from django.urls import reverse
from django.utils import timezone

from customers.models import DuplicateCandidate
from integrations.models import (
    Direction,
    QBOConnection,
    ReconciliationRun,
    RollupState,
    SyncConflict,
    SyncEvent,
    SyncEventHourly,
    SyncFailure,
    SyncLatencyDaily,
)
from integrations.selectors.outbox import pending_for_any_q, pending_q
from integrations.services.rollup import WINDOW, floor_hour
from integrations.sync.outcomes import cause_label
from syncportal.console.links import change_url, changelist_url
from syncportal.outbox.models import OutboxEntry

ACTIVE_FAILURE = Q(status__in=[SyncFailure.Status.OPEN, SyncFailure.Status.RETRYING])


@dataclass(frozen=True)
class Figure:
    count: int
    url: str = ""
    label: str = ""


@dataclass(frozen=True)
class CompanyHealth:
    pk: int
    name: str
    realm_id: str
    status: str
    status_label: str
    status_message: str
    sync_enabled: bool
    paused_until: dt.datetime | None
    access_token_expires_at: dt.datetime | None
    refresh_token_expires_at: dt.datetime | None
    last_push_at: dt.datetime | None
    last_pull_at: dt.datetime | None
    queue: Figure
    oldest_pending_at: dt.datetime | None
    failures: Figure
    failures_by_cause: tuple[Figure, ...]
    conflicts: Figure
    url: str = ""


@dataclass(frozen=True)
class Promised:
    """The three figures the Customer Sync module promises, as measured."""

    accuracy: float | None = None
    accuracy_compared: int = 0
    accuracy_matching: int = 0
    accuracy_run_at: dt.datetime | None = None
    accuracy_url: str = ""
    accuracy_differences_url: str = ""
    report_url: str = ""
    completion_day: dt.date | None = None
    completion_p50_ms: int | None = None
    completion_p95_ms: int | None = None
    completion_samples: int = 0
    completion_url: str = ""
    automatic: int = 0
    automatic_url: str = ""
    by_hand: int = 0
    by_hand_url: str = ""

    @property
    def automatic_share(self) -> float | None:
        total = self.automatic + self.by_hand
        return self.automatic / total if total else None


@dataclass(frozen=True)
class Dashboard:
    now: dt.datetime
    can_see_sync: bool
    companies: tuple[CompanyHealth, ...] = ()
    duplicates: Figure | None = None
    promised: Promised | None = None
    # (hour, outcome) -> events, for the chart; latency rows: (day, samples, p50, p95)
    hourly: dict[tuple[dt.datetime, str], int] = field(default_factory=dict)
    latency: tuple[tuple[dt.date, int, int | None, int | None], ...] = ()
    window_start: dt.datetime | None = None
    folded_until: dt.datetime | None = None
    events_url: str = ""


def dashboard_for(*, user, now: dt.datetime | None = None) -> Dashboard:
    """What ``user``'s role may see: sync health for bookkeepers and managers, the queue for all."""
    now = now or timezone.now()
    duplicates = None
    if user.has_perm("customers.view_duplicatecandidate"):
        duplicates = Figure(
            DuplicateCandidate.objects.filter(status=DuplicateCandidate.Status.OPEN).count(),
            changelist_url(user, "customers.duplicatecandidate", status__exact="open"),
        )
    can_see_sync = user.has_perm("integrations.view_syncevent")
    connections = list(QBOConnection.objects.order_by("company_name", "pk"))
    queue = _queue(connections)
    if not can_see_sync:
        companies = tuple(_company(user, c, queue, {}, {}) for c in connections)
        return Dashboard(now=now, can_see_sync=False, companies=companies, duplicates=duplicates)

    since = floor_hour(now - WINDOW)
    failures, by_hand = _failures(since)
    conflicts = dict(
        SyncConflict.objects.filter(status=SyncConflict.Status.OPEN)
        .values_list("connection_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    companies = tuple(_company(user, c, queue, failures, conflicts) for c in connections)
    hourly: dict[tuple[dt.datetime, str], int] = defaultdict(int)
    for hour, outcome, events in (
        SyncEventHourly.objects.filter(hour__gte=since)
        .values_list("hour", "outcome")
        .annotate(n=Sum("events"))
        .order_by()
    ):
        hourly[(floor_hour(hour), outcome)] += events
    latency = _latency(since.date())
    state = RollupState.objects.filter(pk=1).first()
    promised = _promised(user, since, hourly, latency, by_hand)
    return Dashboard(
        now=now,
        can_see_sync=True,
        companies=companies,
        duplicates=duplicates,
        promised=promised,
        hourly=dict(hourly),
        latency=latency,
        window_start=since,
        folded_until=state.folded_until if state else None,
        events_url=changelist_url(user, "integrations.syncevent", created_at__gte=since.isoformat()),
    )


def _queue(connections: list[QBOConnection]) -> dict[int, tuple[int, dt.datetime | None]]:
    """Pending outbox rows per company (everything past its position), in one aggregate query."""
    if not connections:
        return {}
    aggregates = {}
    for connection in connections:
        pending = pending_q(connection)
        aggregates[f"n{connection.pk}"] = Count("pk", filter=pending)
        aggregates[f"t{connection.pk}"] = Min("created_at", filter=pending)
    row = OutboxEntry.objects.filter(pending_for_any_q(connections)).aggregate(**aggregates)
    return {c.pk: (row[f"n{c.pk}"], row[f"t{c.pk}"]) for c in connections}


def _failures(since: dt.datetime) -> tuple[dict[int, dict[str, int]], int]:
    """Active failures per company and root cause, and failures a person fixed in the window."""
    by_hand_q = Q(resolved_by__isnull=False, resolved_at__gte=since)
    per_company: dict[int, dict[str, int]] = defaultdict(dict)
    by_hand = 0
    rows = (
        SyncFailure.objects.filter(ACTIVE_FAILURE | by_hand_q)
        .values_list("connection_id", "cause")
        .annotate(active=Count("pk", filter=ACTIVE_FAILURE), fixed=Count("pk", filter=by_hand_q))
        .order_by()
    )
    for connection_id, cause, active, fixed in rows:
        if active:
            per_company[connection_id][cause] = active
        by_hand += fixed
    return per_company, by_hand


def _company(user, connection, queue, failures, conflicts) -> CompanyHealth:
    depth, oldest = queue.get(connection.pk, (0, None))
    causes = sorted(failures.get(connection.pk, {}).items(), key=lambda kv: (-kv[1], kv[0]))
    failure_list = "integrations.syncfailure"
    return CompanyHealth(
        pk=connection.pk,
        name=str(connection),
        realm_id=connection.realm_id,
        status=connection.status,
        status_label=connection.get_status_display(),
        status_message=connection.status_message,
        sync_enabled=connection.sync_enabled,
        paused_until=connection.paused_until,
        access_token_expires_at=connection.access_token_expires_at,
        refresh_token_expires_at=connection.refresh_token_hard_expires_at
        or connection.refresh_token_expires_at,
        last_push_at=connection.last_push_at,
        last_pull_at=connection.last_pull_at,
        queue=Figure(depth, changelist_url(user, "outbox.outboxentry", waiting_for=connection.pk)),
        oldest_pending_at=oldest,
        failures=Figure(
            sum(n for _, n in causes),
            changelist_url(
                user, failure_list, connection__id__exact=connection.pk, status__in="open,retrying"
            ),
        ),
        failures_by_cause=tuple(
            Figure(
                n,
                changelist_url(
                    user,
                    failure_list,
                    connection__id__exact=connection.pk,
                    cause=cause,
                    status__in="open,retrying",
                ),
                cause_label(cause),
            )
            for cause, n in causes
        ),
        conflicts=Figure(
            conflicts.get(connection.pk, 0),
            changelist_url(
                user, "integrations.syncconflict", connection__id__exact=connection.pk, status__exact="open"
            ),
        ),
        url=change_url(user, "integrations.qboconnection", connection.pk),
    )


def _latency(first_day: dt.date) -> tuple[tuple[dt.date, int, int | None, int | None], ...]:
    """Push latency per day over every company: the busiest company's percentiles stand for the day.

    Percentiles cannot be added up, so with several companies the day shows the one with most samples.
    """
    best: dict[dt.date, tuple[int, int | None, int | None]] = {}
    for day, samples, p50, p95 in SyncLatencyDaily.objects.filter(
        day__gte=first_day, direction=Direction.PUSH
    ).values_list("day", "samples", "p50_ms", "p95_ms"):
        if samples > best.get(day, (0, None, None))[0]:
            best[day] = (samples, p50, p95)
    return tuple((day, *best[day]) for day in sorted(best))


def _promised(user, since, hourly, latency, by_hand: int) -> Promised:
    run = (
        ReconciliationRun.objects.filter(status=ReconciliationRun.Status.DONE)
        .order_by("-finished_at")
        .first()
    )
    latest = latency[-1] if latency else None
    automatic = sum(n for (_, outcome), n in hourly.items() if outcome == SyncEvent.Outcome.OK)
    report_url = (
        reverse("console:reconciliation") if user.has_perm("integrations.view_reconciliationrun") else ""
    )
    return Promised(
        accuracy=run.accuracy if run else None,
        accuracy_compared=run.compared if run else 0,
        accuracy_matching=run.matching if run else 0,
        accuracy_run_at=run.finished_at if run else None,
        accuracy_url=f"{report_url}?run={run.pk}" if run and report_url else "",
        accuracy_differences_url=f"{report_url}?run={run.pk}&differences=1" if run and report_url else "",
        report_url=report_url,
        completion_day=latest[0] if latest else None,
        completion_samples=latest[1] if latest else 0,
        completion_p50_ms=latest[2] if latest else None,
        completion_p95_ms=latest[3] if latest else None,
        completion_url=changelist_url(
            user, "integrations.syncevent", direction__exact="push", outcome__exact="ok"
        ),
        automatic=automatic,
        automatic_url=changelist_url(
            user, "integrations.syncevent", outcome__exact="ok", created_at__gte=since.isoformat()
        ),
        by_hand=by_hand,
        by_hand_url=changelist_url(
            user, "integrations.syncfailure", resolved_by__isnull="False", resolved_at__gte=since.isoformat()
        ),
    )
