"""Time and money formats of the QBO wire protocol.

QBO answers in the company's time zone with an explicit offset (``2015-07-23T10:58:12-07:00``;
the envelope's ``time`` adds milliseconds) and stores money with two decimals. The sandbox keeps
``updated_at`` as UTC with milliseconds so CDC never misses a change made within the same second
as the previous CDC call (``MetaData`` shows whole seconds, like QBO).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache
from zoneinfo import ZoneInfo

CENT = Decimal("0.01")
_DATETIME = re.compile(
    r"^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?))?\s*(Z|[+-]\d{2}:?\d{2}|\s\d{2}:?\d{2})?$"
)


@lru_cache(maxsize=8)
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def qbo_datetime(moment: datetime, tz: str) -> str:
    """MetaData format: whole seconds, company offset (``2015-07-23T10:58:12-07:00``)."""
    local = moment.astimezone(zone(tz))
    return local.strftime("%Y-%m-%dT%H:%M:%S") + _offset(local)


def qbo_time(moment: datetime, tz: str) -> str:
    """Envelope ``time`` format: milliseconds and company offset."""
    local = moment.astimezone(zone(tz))
    return local.strftime("%Y-%m-%dT%H:%M:%S.") + f"{local.microsecond // 1000:03d}" + _offset(local)


def _offset(local: datetime) -> str:
    raw = local.strftime("%z")  # -0700
    return f"{raw[:3]}:{raw[3:]}"


def utc_key(moment: datetime) -> str:
    """The sortable UTC form kept in ``entity.updated_at`` (millisecond precision)."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def local_date(moment: datetime, tz: str) -> date:
    return moment.astimezone(zone(tz)).date()


def parse_datetime(text: str, tz: str) -> datetime | None:
    """Parse a QBO date or datetime; naive values are company time. ``None`` when malformed.

    A ``+`` in an unencoded query string arrives as a space, so ``" 07:00"`` reads as ``+07:00``.
    """
    match = _DATETIME.match(text.strip()) if isinstance(text, str) else None
    if not match:
        return None
    day, clock, offset = match.groups()
    try:
        naive = datetime.fromisoformat(f"{day}T{clock or '00:00:00'}")
    except ValueError:
        return None
    if not offset:
        return naive.replace(tzinfo=zone(tz)).astimezone(UTC)
    offset = offset.strip()
    if offset == "Z":
        return naive.replace(tzinfo=UTC)
    sign = -1 if offset.startswith("-") else 1
    digits = offset.lstrip("+-").replace(":", "")
    delta = timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    return (naive - sign * delta).replace(tzinfo=UTC)


def parse_date(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if isinstance(text, str) and len(text) == 10 else None
    except ValueError:
        return None


def money(value) -> Decimal:
    """Two-decimal half-up rounding; raises ``ValueError`` for anything that is not a number."""
    if isinstance(value, bool) or value is None:
        raise ValueError("not a number")
    try:
        number = Decimal(str(value).strip()) if not isinstance(value, Decimal) else value
    except (InvalidOperation, ValueError) as exc:
        raise ValueError("not a number") from exc
    if not number.is_finite():
        raise ValueError("not a number")
    return number.quantize(CENT, rounding=ROUND_HALF_UP)


def number(value) -> Decimal:
    """Any JSON number (quantities, rates): not rounded."""
    if isinstance(value, bool) or value is None:
        raise ValueError("not a number")
    try:
        result = Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise ValueError("not a number") from exc
    if not result.is_finite():
        raise ValueError("not a number")
    return result


def emit(value: Decimal) -> int | float:
    """A Decimal as a JSON number: integers stay integers, cents become floats (``65.0`` style)."""
    if value == value.to_integral_value():
        return float(value) if value.as_tuple().exponent < 0 else int(value)
    return float(value)


def cents(value: Decimal) -> int:
    return int((value * 100).to_integral_value(rounding=ROUND_HALF_UP))
