"""The per-company lease: one worker at a time talks to a QuickBooks company.

A conditional UPDATE takes the lease only if it is free or expired (the same pattern django-q2's
ORM broker uses for its task locks), so it holds on PostgreSQL with any number of clusters and
hosts, without keeping a transaction open across a ≤ 120 s HTTP call.
"""

from __future__ import annotations

import os
import socket
from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from integrations.models.connection import QBOConnection

TTL = timedelta(seconds=180)  # > the longest QuickBooks call (120 s) + our own work


def host_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def acquire(connection_id: int, owner: str) -> QBOConnection | None:
    now = timezone.now()
    taken = (
        QBOConnection.objects.filter(pk=connection_id)
        .filter(Q(lease_expires_at__isnull=True) | Q(lease_expires_at__lt=now) | Q(lease_owner=owner))
        .update(lease_owner=owner, lease_expires_at=now + TTL)
    )
    if not taken:
        return None
    return QBOConnection.objects.get(pk=connection_id)


def renew(connection_id: int, owner: str) -> bool:
    return bool(
        QBOConnection.objects.filter(pk=connection_id, lease_owner=owner).update(
            lease_expires_at=timezone.now() + TTL
        )
    )


def release(connection_id: int, owner: str, recent_calls: list) -> None:
    QBOConnection.objects.filter(pk=connection_id, lease_owner=owner).update(
        lease_owner="", lease_expires_at=None, recent_calls=recent_calls
    )
