"""What the admin list, the banner and ``sync_status`` show about each QuickBooks connection.

Only frozen dataclasses leave this module, and none carries a token.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from integrations.models.connection import QBOConnection
from integrations.models.sync import SyncFailure
from integrations.selectors.outbox import pending_q
from integrations.services.connection import refresh_token_expiring
from syncportal.outbox.models import OutboxEntry

CONNECTED, NEEDS_RECONNECT, PAUSED, DISCONNECTED = "connected", "needs_reconnect", "paused", "disconnected"


def connection_state(connection: QBOConnection) -> tuple[str, str]:
    """(key, words) of where the connection stands, e.g. ("paused", "Paused until 14:02")."""
    if connection.status == QBOConnection.Status.DISCONNECTED:
        return DISCONNECTED, "Disconnected"
    if connection.status == QBOConnection.Status.NEEDS_RECONNECT:
        return NEEDS_RECONNECT, "Needs reconnect"
    if not connection.sync_enabled:
        return PAUSED, "Paused by a manager"
    if connection.paused_until and connection.paused_until > timezone.now():
        local = timezone.localtime(connection.paused_until)
        return PAUSED, f"Paused until {local:%H:%M:%S}" + (
            f" ({connection.pause_reason})" if connection.pause_reason else ""
        )
    return CONNECTED, "Connected"


def connections_with_queue() -> QuerySet:
    """Connections annotated with ``queue_depth``: outbox changes this company has not handled yet."""
    depth = (
        OutboxEntry.objects.filter(id__gt=OuterRef("outbox_position"))
        .order_by()
        .annotate(one=Value(1))
        .values("one")
        .annotate(n=Count("id"))
        .values("n")
    )
    return QBOConnection.objects.annotate(
        queue_depth=Coalesce(Subquery(depth, output_field=IntegerField()), 0)
    )


@dataclass(frozen=True)
class ConnectionStatus:
    realm_id: str
    company: str
    state: str
    state_label: str
    status_message: str
    access_token_expires_at: datetime | None
    refresh_token_expires_at: datetime | None
    refresh_token_expiring: bool
    queue_depth: int
    oldest_pending_at: datetime | None
    open_failures_by_cause: dict[str, int]
    last_push_at: datetime | None


def connection_status(connection: QBOConnection) -> ConnectionStatus:
    pending = OutboxEntry.objects.filter(pending_q(connection))
    oldest = pending.order_by("id").values_list("created_at", flat=True).first()
    failures = (
        SyncFailure.objects.filter(
            connection=connection, status__in=[SyncFailure.Status.OPEN, SyncFailure.Status.RETRYING]
        )
        .values("cause")
        .annotate(n=Count("id"))
        .order_by("-n", "cause")
    )
    state, label = connection_state(connection)
    return ConnectionStatus(
        realm_id=connection.realm_id,
        company=str(connection),
        state=state,
        state_label=label,
        status_message=connection.status_message,
        access_token_expires_at=connection.access_token_expires_at,
        refresh_token_expires_at=connection.refresh_token_expires_at,
        refresh_token_expiring=refresh_token_expiring(connection),
        queue_depth=pending.count(),
        oldest_pending_at=oldest,
        open_failures_by_cause={row["cause"]: row["n"] for row in failures},
        last_push_at=connection.last_push_at,
    )


def connection_statuses(*, realm_id: str = "") -> list[ConnectionStatus]:
    connections = QBOConnection.objects.order_by("company_name", "realm_id")
    if realm_id:
        connections = connections.filter(realm_id=realm_id)
    return [connection_status(c) for c in connections]


@dataclass(frozen=True)
class ConnectionAlert:
    """One line of the admin banner."""

    pk: int
    company: str
    kind: str  # "needs_reconnect" | "refresh_expiring"
    expires_at: datetime | None = None


def connection_alerts() -> list[ConnectionAlert]:
    alerts = []
    for connection in QBOConnection.objects.exclude(status=QBOConnection.Status.DISCONNECTED).only(
        "pk", "realm_id", "company_name", "status", "refresh_token_expires_at"
    ):
        if connection.status == QBOConnection.Status.NEEDS_RECONNECT:
            alerts.append(ConnectionAlert(connection.pk, str(connection), NEEDS_RECONNECT))
        elif refresh_token_expiring(connection):
            alerts.append(
                ConnectionAlert(
                    connection.pk, str(connection), "refresh_expiring", connection.refresh_token_expires_at
                )
            )
    return alerts
