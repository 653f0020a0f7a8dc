"""Reading query literals and document values as dates, datetimes, numbers, booleans and text.

Shared by the evaluator and the SQL pushdown so both coerce a value the same way: a pushed-down
condition must never drop a row the evaluator would have kept.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from zoneinfo import ZoneInfo

DEFAULT_COMPANY_TZ = "America/Los_Angeles"

DATETIME_FIELDS = frozenset({"MetaData.CreateTime", "MetaData.LastUpdatedTime"})

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_NUMBER = re.compile(r"-?\d+(\.\d+)?")
_DIGITS = re.compile(r"\d+")


@lru_cache(maxsize=16)
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def field_kind(field: str) -> str:
    """How a property compares: ``datetime``, ``date``, ``ref`` (Id and *Ref: numeric when both
    sides are digits) or ``plain`` (by the JSON type of the document value)."""
    if field in DATETIME_FIELDS:
        return "datetime"
    if field.endswith("Date"):
        return "date"
    if field == "Id" or field.endswith("Ref"):
        return "ref"
    return "plain"


def parse_datetime(value: object, tz_name: str) -> datetime | None:
    """A date (midnight), a datetime with offset or ``Z``, or a naive datetime (company time zone)."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=zone(tz_name))
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=zone(tz_name))
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not _DATE.match(text):
        return None
    try:
        parsed = datetime.fromisoformat(text)  # a bare date parses as midnight
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=zone(tz_name))


def date_text(value: object) -> str | None:
    """``YYYY-MM-DD`` from a date or datetime literal (the date part as written), else None."""
    if isinstance(value, str) and _DATE.match(value.strip()):
        text = value.strip()
        try:
            date.fromisoformat(text[:10])
        except ValueError:
            return None
        return text[:10]
    return None


def as_decimal(value: object) -> Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | Decimal):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(str(value))
    if isinstance(value, str) and _NUMBER.fullmatch(value):
        try:
            return Decimal(value)
        except InvalidOperation:  # pragma: no cover - the pattern only admits valid decimals
            return None
    return None


def as_bool(value: object) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    return None


def as_text(value: object) -> str:
    """The text a literal stands for when compared with a string property."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def as_int_id(value: object) -> int | None:
    """An Id/reference literal as an integer, only when it is unambiguously one (int or digits)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and _DIGITS.fullmatch(value):
        return int(value)
    return None


def is_numeric_text(value: str) -> bool:
    return bool(_NUMBER.fullmatch(value))


def utc_second_bounds(value: datetime) -> tuple[datetime, datetime]:
    """The whole UTC seconds around ``value``: (floor, ceiling)."""
    utc = value.astimezone(UTC)
    floor = utc.replace(microsecond=0)
    ceiling = floor if utc.microsecond == 0 else floor + timedelta(seconds=1)
    return floor, ceiling
