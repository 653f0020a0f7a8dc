"""The three-way compare for one field: base (last agreed), local now, QuickBooks now. Pure.

A field changed on one side only takes that side's value. Changed on both sides to different values,
the mapping's conflict policy decides; *ask* (and every overlap on money, dates or links of sales and
payments, which the caller passes as ``policy="ask"``) keeps both values in a conflict record.
"""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from typing import Any

from integrations.mapping.engine import conflict_winner

_NUMBER = re.compile(r"^-?(0|[1-9]\d*)(\.\d+)?$")  # no leading zeros: "02134" is a postcode
UNKNOWN = object()  # the base is not known (never pulled, or pushed since): assume local changed

SAME = "same"  # QuickBooks holds what we hold: nothing to do
APPLY = "apply"  # take QuickBooks' value
KEEP = "keep"  # keep ours (it will be pushed)
CONFLICT = "conflict"  # record both, change nothing


def comparable(value: Any) -> Any:
    """One form per value: ``Decimal("5.0")``, ``5`` and ``"5.00"`` compare equal; ``None`` is ``""``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float | Decimal):
        return format(Decimal(str(value)).normalize(), "f")
    if isinstance(value, dict):
        return {k: comparable(v) for k, v in sorted(value.items())}
    if hasattr(value, "isoformat"):
        return value.isoformat()
    text = str(value)
    if _NUMBER.match(text):  # base values are stored as JSON text: "12.50" is the money 12.5
        return format(Decimal(text).normalize(), "f")
    return text


def decide(
    *,
    base: Any,
    local: Any,
    remote: Any,
    policy: str,
    local_updated: datetime | None = None,
    qbo_updated: datetime | None = None,
) -> str:
    remote_c, local_c = comparable(remote), comparable(local)
    if remote_c == local_c:
        return SAME
    base_known = base is not UNKNOWN
    base_c = comparable(base) if base_known else UNKNOWN
    if base_known and remote_c == base_c:
        return KEEP  # only we changed it; our change is (or will be) pushed
    if base_known and local_c == base_c:
        return APPLY  # only QuickBooks changed it
    winner = conflict_winner(policy, local_updated=local_updated, qbo_updated=qbo_updated)
    return {"qbo": APPLY, "local": KEEP}.get(winner, CONFLICT)
