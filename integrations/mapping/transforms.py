"""The fixed set of transforms a field mapping can apply, as pure functions.

Each transform has a name (stored on the mapping), the arguments it takes (``transform_args``), the
local field types it accepts, a function towards QuickBooks and, when it can be undone, one back.

========== ================================================================ ==========================
name        what it does                                                      arguments
========== ================================================================ ==========================
none        copies the value                                                  –
name_order  builds the name from first/middle/last/company names              order: first_last |
            ("First Last", "Last, First", or the company name first);          last_first | company_first
            towards QuickBooks only
case        changes letter case towards QuickBooks; pulls keep QuickBooks'     mode: upper | lower | title
            text
phone       normalises phone numbers, both ways                               style: us (default) | e164 |
                                                                              digits; country_code ("1")
trim        strips spaces and cuts text to QuickBooks' length limit           max_length (optional, ≤ the
            (towards QuickBooks; pulls only strip)                            QuickBooks limit)
default     uses a fixed value when the field is empty, both ways             value
value_map   translates values, e.g. payment methods or tax codes; pulls      map: {local: quickbooks} or
            use the map backwards                                             "payment_methods" /
                                                                              "tax_codes" (sync settings);
                                                                              unmapped: keep | blank
========== ================================================================ ==========================
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from integrations.mapping.fields import BOOL, DATE, NUMBER, TEXT, FieldSpec

NAMED_MAPS = ("payment_methods", "tax_codes")
NAME_ORDERS = {"first_last": "“First Last”", "last_first": "“Last, First”", "company_first": "company first"}
CASES = ("upper", "lower", "title")
PHONE_STYLES = ("us", "e164", "digits")
_EXTENSION = re.compile(r"\s*(?:x|ext\.?|extension|#)\s*(\d+)\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Context:
    """What a transform may look at besides the value."""

    record: Mapping[str, Any] = field(default_factory=dict)  # the whole local record
    max_length: int | None = None  # the QuickBooks field's length limit
    value_maps: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)  # from the sync settings


Fn = Callable[[Any, Mapping[str, Any], Context], Any]


@dataclass(frozen=True)
class Transform:
    name: str
    label: str
    accepts: frozenset[str]
    to_qbo: Fn
    from_qbo: Fn | None  # None: works towards QuickBooks only
    check_args: Callable[[Mapping[str, Any], FieldSpec | None], list[str]]
    args: tuple[str, ...] = ()
    any_output: bool = False  # the output type is whatever the arguments say (value_map)


def _same(value, args, ctx):
    return value


def _no_args(args, target) -> list[str]:
    return []


def _part(record: Mapping[str, Any], key: str) -> str:
    return str(record.get(key) or "").strip()


def name_order(value, args, ctx: Context):
    record = ctx.record
    given_middle = " ".join(p for p in (_part(record, "given_name"), _part(record, "middle_name")) if p)
    family, company = _part(record, "family_name"), _part(record, "company_name")
    if args.get("order") == "last_first":
        person = f"{family}, {given_middle}" if family and given_middle else family or given_middle
    else:
        person = " ".join(p for p in (given_middle, family) if p)
    composed = (company or person) if args.get("order") == "company_first" else (person or company)
    return composed or value


def _check_name_order(args, target) -> list[str]:
    if args.get("order") not in NAME_ORDERS:
        return ["The transform ‘name_order’ needs an order: first_last, last_first or company_first."]
    return []


def case(value, args, ctx):
    if not isinstance(value, str):
        return value
    return {"upper": str.upper, "lower": str.lower, "title": str.title}[args.get("mode", "upper")](value)


def _check_case(args, target) -> list[str]:
    if args.get("mode", "upper") not in CASES:
        return ["The transform ‘case’ needs a mode: upper, lower or title."]
    return []


def phone(value, args, ctx):
    """``(555) 123-4567`` style (``us``), ``+15551234567`` (``e164``) or bare digits; keeps extensions."""
    if not isinstance(value, str) or not value.strip():
        return value
    found = _EXTENSION.search(value)
    main = value[: found.start()] if found else value
    digits = re.sub(r"\D", "", main)
    country = str(args.get("country_code", "1"))
    national = (
        digits[len(country) :] if len(digits) == 10 + len(country) and digits.startswith(country) else digits
    )
    style = args.get("style", "us")
    if style == "digits":
        out = digits
    elif style == "e164":
        out = "+" + (digits if main.strip().startswith("+") or len(national) != 10 else country + national)
    elif len(national) == 10 and country == "1":
        out = f"({national[:3]}) {national[3:6]}-{national[6:]}"
    else:
        out = main.strip()
    return f"{out} x{found[1]}" if found else out


def _check_phone(args, target) -> list[str]:
    problems = []
    if args.get("style", "us") not in PHONE_STYLES:
        problems.append("The transform ‘phone’ needs a style: us, e164 or digits.")
    if not re.fullmatch(r"\d{1,3}", str(args.get("country_code", "1"))):
        problems.append("The transform ‘phone’ needs a country_code of 1 to 3 digits, e.g. 1 or 44.")
    return problems


def _limit(args, ctx: Context) -> int | None:
    limits = [n for n in (args.get("max_length"), ctx.max_length) if isinstance(n, int)]
    return min(limits) if limits else None


def trim(value, args, ctx: Context):
    if not isinstance(value, str):
        return value
    limit = _limit(args, ctx)
    value = value.strip()
    return value[:limit].rstrip() if limit else value


def _strip(value, args, ctx):
    return value.strip() if isinstance(value, str) else value


def _check_trim(args, target) -> list[str]:
    wanted = args.get("max_length")
    if wanted is not None and (not isinstance(wanted, int) or isinstance(wanted, bool) or wanted < 1):
        return ["The transform ‘trim’ needs max_length as a whole number of characters, e.g. 100."]
    limit = target.max_length if target else None
    if wanted is None and limit is None and target is not None:
        return [f"{target.name} has no QuickBooks length limit; give the transform ‘trim’ a max_length."]
    if wanted and limit and wanted > limit:
        return [
            f"The transform ‘trim’ cannot keep {wanted} characters: "
            f"QuickBooks keeps at most {limit} in {target.name}."
        ]
    return []


def default(value, args, ctx):
    return args.get("value") if value is None or value == "" else value


def _check_default(args, target) -> list[str]:
    if args.get("value") in (None, "") or isinstance(args.get("value"), dict | list):
        return [
            "The transform ‘default’ needs a value (text, a number or true/false) "
            "to use when the field is empty."
        ]
    return []


def map_key(value) -> str:
    """How a value is looked up in a value map: JSON keys are text, so ``True`` is ``"true"``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return "" if value is None else str(value)


def _table(args, ctx: Context) -> Mapping[str, Any]:
    table = args.get("map")
    return ctx.value_maps.get(table, {}) if isinstance(table, str) else (table or {})


def _unmapped(value, args):
    return None if args.get("unmapped") == "blank" else value


def value_map(value, args, ctx: Context):
    table = _table(args, ctx)
    key = map_key(value)
    return table[key] if key in table else _unmapped(value, args)


def value_map_back(value, args, ctx: Context):
    backwards: dict[str, Any] = {}
    for local, remote in _table(args, ctx).items():
        backwards.setdefault(map_key(remote), local)  # the first local value wins on a many-to-one map
    key = map_key(value)
    return backwards[key] if key in backwards else _unmapped(value, args)


def _check_value_map(args, target) -> list[str]:
    table = args.get("map")
    problems = []
    if isinstance(table, str):
        if table not in NAMED_MAPS:
            problems.append(
                f"The transform ‘value_map’ can use the sync settings' maps "
                f"{' or '.join(NAMED_MAPS)}, not ‘{table}’."
            )
    elif not isinstance(table, dict) or not table:
        problems.append(
            'The transform ‘value_map’ needs a map, e.g. {"cash": "Cash", "card": "Visa"}, '
            "or the name of a sync-settings map (payment_methods, tax_codes)."
        )
    elif any(isinstance(v, dict | list) for v in table.values()):
        problems.append(
            "The transform ‘value_map’ maps to single values (text, numbers or true/false), not lists."
        )
    if args.get("unmapped", "keep") not in ("keep", "blank"):
        problems.append(
            "The transform ‘value_map’ takes unmapped: keep (send the value as is) or blank (send nothing)."
        )
    return problems


SCALARS = frozenset({TEXT, NUMBER, BOOL, DATE})
TRANSFORMS: dict[str, Transform] = {
    t.name: t
    for t in (
        Transform("none", "None (copy the value)", SCALARS | {"custom"}, _same, _same, _no_args),
        Transform(
            "name_order", "Name order", frozenset({TEXT}), name_order, None, _check_name_order, ("order",)
        ),
        Transform("case", "Letter case", frozenset({TEXT}), case, _same, _check_case, ("mode",)),
        Transform(
            "phone",
            "Phone number format",
            frozenset({TEXT}),
            phone,
            phone,
            _check_phone,
            ("style", "country_code"),
        ),
        Transform(
            "trim",
            "Trim to QuickBooks' length limit",
            frozenset({TEXT}),
            trim,
            _strip,
            _check_trim,
            ("max_length",),
        ),
        Transform("default", "Default value", SCALARS, default, default, _check_default, ("value",)),
        Transform(
            "value_map",
            "Value map",
            frozenset({TEXT, NUMBER, BOOL}),
            value_map,
            value_map_back,
            _check_value_map,
            ("map", "unmapped"),
            any_output=True,
        ),
    )
}
CHOICES = [(t.name, t.label) for t in TRANSFORMS.values()]


def check_args(name: str, args: Mapping[str, Any], target: FieldSpec | None) -> list[str]:
    """Plain-words problems with a transform's arguments (unknown names included)."""
    transform = TRANSFORMS[name]
    if not isinstance(args, Mapping):
        return [f"The transform ‘{name}’ needs its arguments as a JSON object, e.g. {{}}."]
    unknown = sorted(set(args) - set(transform.args))
    problems = [f"The transform ‘{name}’ does not take ‘{key}’." for key in unknown]
    return problems + transform.check_args(args, target)
