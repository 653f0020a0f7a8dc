"""Reading the outbox in id order without losing a row that commits late.

On PostgreSQL an outbox id is taken at INSERT, not at commit: a transaction holding id 100 may commit
after id 101 was read and the company's position moved past it. Reading only ``id > position``
would skip 100 forever. So every id missing between the old position and the highest id read is
remembered as a gap (on the connection, with when it was first seen) and read again on each pass
until its row shows up. A rolled-back insert leaves a hole that never fills: a gap is dropped after
``OUTBOX_GAP_GRACE_SECONDS`` (longer than any transaction that writes outbox rows should stay open).

Gaps are stored as ``[first_id, last_id, first_seen_epoch]`` ranges, so a big rolled-back import
(thousands of ids) costs one range, not thousands of ids.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from integrations.models.connection import QBOConnection
from integrations.selectors.outbox import gap_q, pending_q
from syncportal.outbox.models import OutboxEntry

log = logging.getLogger(__name__)

MAX_RANGES = 1000  # far above what concurrent transactions produce; a bound on the row's size


@dataclass
class Chunk:
    entries: list[OutboxEntry]
    position: int  # the highest id read past the old position (or the old position)
    gaps: list[list] = field(default_factory=list)  # the ranges still missing after this read
    changed: bool = False  # position or gaps differ from the connection's


def grace_seconds() -> float:
    return float(getattr(settings, "OUTBOX_GAP_GRACE_SECONDS", 300))


def read_chunk(connection: QBOConnection, limit: int) -> Chunk:
    """The next ``limit`` unhandled rows in id order (late rows from gaps first: they are older)."""
    now = time.time()
    old_gaps = [list(gap) for gap in connection.outbox_gaps or []]
    entries = list(OutboxEntry.objects.filter(pending_q(connection)).order_by("id")[:limit])
    found = sorted(entry.id for entry in entries)
    # Rows that turned up inside a gap split it; what is left of it stays missing (with its age).
    gaps = []
    for low, high, first_seen in old_gaps:
        gaps.extend([a, b, first_seen] for a, b in _holes(int(low), int(high), found))
    position = connection.outbox_position
    newer = [i for i in found if i > position]
    if newer:
        gaps.extend([a, b, now] for a, b in _holes(position + 1, newer[-1], newer))
        position = newer[-1]
    grace = grace_seconds()
    kept = [gap for gap in gaps if now - float(gap[2]) < grace]
    if len(kept) < len(gaps):
        # A hole that stayed empty past the grace period was a rolled-back insert.
        log.info("outbox: %s gap(s) older than %s s dropped", len(gaps) - len(kept), int(grace))
    if len(kept) > MAX_RANGES:
        log.warning("outbox: %s gap ranges; the oldest %s dropped", len(kept), len(kept) - MAX_RANGES)
        kept = sorted(kept, key=lambda gap: gap[2])[-MAX_RANGES:]
    kept.sort()
    changed = position != connection.outbox_position or kept != old_gaps
    return Chunk(entries=entries, position=position, gaps=kept, changed=changed)


def _holes(low: int, high: int, present: list[int]) -> list[tuple[int, int]]:
    """The ranges of ``low..high`` not in ``present`` (sorted ids)."""
    holes, start = [], low
    for value in present:
        if value < start or value > high:
            continue
        if value > start:
            holes.append((start, value - 1))
        start = value + 1
    if start <= high:
        holes.append((start, high))
    return holes


def advance(connection: QBOConnection, chunk: Chunk) -> None:
    """Record that the chunk's rows were handled (the lease holder is the only writer)."""
    if not chunk.changed:
        return
    fields = {"outbox_position": chunk.position, "outbox_gaps": chunk.gaps}
    if chunk.entries:
        fields["last_push_at"] = timezone.now()
    QBOConnection.objects.filter(pk=connection.pk).update(**fields)
    connection.outbox_position, connection.outbox_gaps = chunk.position, chunk.gaps


def has_unread(seen: int, gaps: list) -> bool:
    """Did a row commit past ``seen`` or into one of ``gaps`` (as the lease holder left them)?"""
    return OutboxEntry.objects.filter(Q(id__gt=seen) | gap_q(gaps)).exists()
