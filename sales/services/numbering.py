"""Document numbers: a per-kind prefix and a zero-padded counter, e.g. ``CS-000123``, ``INV-000045``.

Concurrency: the next number is max(existing) + 1, computed while holding a lock that only one
transaction per prefix can hold until it commits or rolls back:
- PostgreSQL: ``pg_advisory_xact_lock`` on a key derived from the prefix. After the lock is granted
  the MAX query runs with a fresh READ COMMITTED snapshot, so it sees the number the previous holder
  committed. Several web and worker processes therefore never compute the same number.
- SQLite: settings open every transaction with ``BEGIN IMMEDIATE`` (the database write lock), so
  writers are already serialised.
The unique constraint on ``number`` stays as the last guard. Deriving from existing rows (no counter
table) also keeps numbers that arrive from QuickBooks in the same sequence, and a rolled-back
transaction leaves no gap.
"""

from __future__ import annotations

import re
import zlib

from django.db import connection, models
from django.db.models import BigIntegerField, Max
from django.db.models.functions import Cast, Substr

DIGITS = 6


def _lock_prefix(key: str) -> None:
    if not connection.in_atomic_block:
        raise RuntimeError("document_number_next() must run inside the service's transaction")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [zlib.crc32(key.encode())])


def document_number_next(*, model: type[models.Model], prefix: str) -> str:
    """The next free ``<prefix><number>`` for ``model``; call inside the transaction that saves it."""
    _lock_prefix(f"{model._meta.label_lower}:{prefix}")
    last = (
        model._default_manager.filter(number__regex=rf"^{re.escape(prefix)}[0-9]+$")
        .annotate(seq=Cast(Substr("number", len(prefix) + 1), BigIntegerField()))
        .aggregate(last=Max("seq"))["last"]
    )
    return f"{prefix}{(last or 0) + 1:0{DIGITS}d}"
