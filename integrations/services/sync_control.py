"""Operator controls for the push queue: drain now (in this process) or queue a drain for the workers."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils import timezone
from django_q.tasks import async_task

from integrations.models.connection import QBOConnection
from integrations.models.sync import SyncFailure
from integrations.sync import push

STOP_WORDS = {
    "paused": "sync is paused by a manager",
    "reconnect": "QuickBooks needs to be reconnected",
    "throttled": "QuickBooks asked us to slow down; the company is paused for a minute",
    "unavailable": "QuickBooks did not answer; it will be retried",
}


class UnknownRealm(Exception):
    pass


@dataclass(frozen=True)
class SyncNowReport:
    realm_id: str
    company: str
    queued: bool = False  # without --wait: a drain task was queued (or one was already waiting)
    pushed: int = 0
    failed: int = 0
    skipped: int = 0
    busy: bool = False  # another worker is draining this company right now
    stopped: str = ""  # plain words, empty when the drain ran to the end
    failures: list[str] = field(default_factory=list)  # what QuickBooks refused, in plain words


def _connections(realm_id: str) -> list[QBOConnection]:
    connections = QBOConnection.objects.exclude(status=QBOConnection.Status.DISCONNECTED).order_by("realm_id")
    if realm_id:
        connections = connections.filter(realm_id=realm_id)
        if not connections:
            raise UnknownRealm(f"No QuickBooks connection has realm {realm_id}.")
    return list(connections)


def sync_now(*, realm_id: str = "", wait: bool = False) -> list[SyncNowReport]:
    """Push pending changes now. ``wait`` drains here and reports; otherwise the workers are woken."""
    reports = []
    for connection in _connections(realm_id):
        if connection.status != QBOConnection.Status.CONNECTED:
            # Queueing a drain would only stop at once; say what is needed instead.
            reports.append(
                SyncNowReport(connection.realm_id, str(connection), stopped=STOP_WORDS["reconnect"])
            )
            continue
        if not wait:
            # Same conditional flip as the commit hook: at most one waiting drain per company.
            if QBOConnection.objects.filter(pk=connection.pk, wake_pending=False).update(wake_pending=True):
                async_task(
                    "integrations.tasks.drain_company",
                    connection.pk,
                    group="push",
                    q_options={"timeout": 150},
                )
            reports.append(SyncNowReport(connection.realm_id, str(connection), queued=True))
            continue
        started = timezone.now()
        result = push.drain(connection.pk)
        failures = SyncFailure.objects.filter(connection=connection, last_attempt_at__gte=started).order_by(
            "id"
        )
        reports.append(
            SyncNowReport(
                realm_id=connection.realm_id,
                company=str(connection),
                pushed=result.pushed,
                failed=result.failed,
                skipped=result.skipped,
                busy=result.busy,
                stopped=STOP_WORDS.get(result.stopped, result.stopped),
                failures=[failure.message for failure in failures[:50]],
            )
        )
    return reports
