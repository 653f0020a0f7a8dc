"""Save-time checks of the mapping configuration, in plain words (pure).

``check_mapping`` looks at one mapping, ``check_mapping_set`` at all mappings of an entity together
(required QuickBooks fields, contradicting rules), ``check_match_rule(s)`` at match rules;
``settings_validation.check_settings`` at the sync settings. Each returns :class:`Problem` values;
errors stop a save, warnings are shown after it. Model ``clean()``, the admin forms, the services
and the import all use these functions, so every way in gives the same messages.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError

from integrations.mapping.choices import (
    RECEIVES,
    SENDS,
    TRANSACTIONS,
    Applies,
    ConflictPolicy,
    Direction,
    Entity,
    MatchKind,
)
from integrations.mapping.fields import (
    CUSTOM,
    DATE,
    LOCAL_FIELDS,
    NUMBER,
    QBO_FIELDS,
    QBO_LABELS,
    REF,
    REQUIRED,
    TEXT,
    TYPE_WORDS,
    WILDCARD,
    custom_name,
    local_field,
    mappable,
    qbo_field,
    suggest,
)
from integrations.mapping.transforms import TRANSFORMS, check_args

FUZZY_MIN, FUZZY_MAX = 50, 100


@dataclass(frozen=True)
class Problem:
    message: str
    field: str | None = None  # the form field the message belongs to (None: the whole record)
    warning: bool = False


def raise_errors(problems: Iterable[Problem]) -> None:
    """Raise a ``ValidationError`` carrying every error (warnings are not errors)."""
    errors: dict[str, list[str]] = defaultdict(list)
    for problem in problems:
        if not problem.warning:
            errors[problem.field or "__all__"].append(problem.message)
    if errors:
        raise ValidationError(dict(errors))


def _did_you_mean(message: str, name: str, candidates: list[str]) -> str:
    close = suggest(name, candidates)
    return f"{message} Did you mean ‘{close}’?" if close else message


def _fits(source: str, target: str) -> bool:
    return source == target or (target == TEXT and source in (NUMBER, DATE))


def _accepts_words(accepts: frozenset[str]) -> str:
    words = [TYPE_WORDS[t] for t in (TEXT, NUMBER, "bool", DATE) if t in accepts]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def check_mapping(m) -> list[Problem]:
    """Problems with one mapping on its own: names, direction, types, transform and policy."""
    if m.entity not in Entity.values:
        return [Problem(f"‘{m.entity}’ is not something SyncPortal syncs.", "entity")]
    entity_label = Entity(m.entity).label.split(" (")[0].lower()
    local, remote = local_field(m.entity, m.local_field), qbo_field(m.entity, m.qbo_path)
    transform = TRANSFORMS.get(m.transform)
    problems = []
    if local is None:
        message = f"‘{m.local_field}’ is not a SyncPortal {entity_label} field."
        problems.append(
            Problem(_did_you_mean(message, m.local_field, mappable(LOCAL_FIELDS[m.entity])), "local_field")
        )
    if remote is None:
        message = f"‘{m.qbo_path}’ is not a QuickBooks {QBO_LABELS[m.entity]} field."
        problems.append(
            Problem(_did_you_mean(message, m.qbo_path, mappable(QBO_FIELDS[m.entity])), "qbo_path")
        )
    if transform is None:
        choices = ", ".join(TRANSFORMS)
        problems.append(
            Problem(f"‘{m.transform}’ is not a transform. Choose one of: {choices}.", "transform")
        )
    if problems:
        return problems
    if remote.managed:
        return [Problem(f"{remote.name} is {remote.managed}; it cannot be mapped.", "qbo_path")]
    if m.direction == Direction.OFF:
        return []
    sends, receives = m.direction in SENDS, m.direction in RECEIVES
    if sends and remote.read_only:
        problems.append(
            Problem(
                f"{remote.name} is read-only in QuickBooks; set the direction to ‘From QuickBooks’.",
                "direction",
            )
        )
    if receives and local.read_only:
        problems.append(
            Problem(
                f"SyncPortal works out ‘{local.name}’ itself, so QuickBooks cannot write it; "
                "set the direction to ‘To QuickBooks’.",
                "direction",
            )
        )
    if (local.type == CUSTOM) != (remote.type == CUSTOM):
        name = custom_name(m.qbo_path) or custom_name(m.local_field)
        problems.append(
            Problem(
                "Custom fields map by name to custom fields: "
                f"pair custom_fields[{name}] with CustomField[{name}]."
            )
        )
        return problems
    if local.type == CUSTOM and (custom_name(m.local_field) == WILDCARD) != (
        custom_name(m.qbo_path) == WILDCARD
    ):
        problems.append(
            Problem(
                "‘[*]’ (every custom field, by name) needs both sides: custom_fields[*] ↔ CustomField[*]."
            )
        )
    if local.type not in transform.accepts:
        problems.append(
            Problem(
                f"The transform ‘{transform.name}’ expects {_accepts_words(transform.accepts)}; "
                f"{local.name} is {TYPE_WORDS[local.type]}.",
                "transform",
            )
        )
    elif receives and transform.from_qbo is None:
        problems.append(
            Problem(
                f"The transform ‘{transform.name}’ only works towards QuickBooks; "
                "set the direction to ‘To QuickBooks’.",
                "direction",
            )
        )
    problems += [
        Problem(text, "transform_args") for text in check_args(transform.name, m.transform_args, remote)
    ]
    if not transform.any_output and local.type != CUSTOM:
        problems += _type_problems(local, remote, sends, receives)
    if (
        m.entity in TRANSACTIONS
        and m.direction == Direction.BOTH
        and m.conflict_policy == ConflictPolicy.NEWEST_WINS
        and local.type in (NUMBER, DATE)
    ):
        problems.append(
            Problem(
                "‘Newest change wins’ is not allowed for amounts and dates of sales, payments, refunds and "
                "credit: a late edit on one side would silently change money. Choose ‘QuickBooks wins’, "
                "‘SyncPortal wins’ or ‘Ask’.",
                "conflict_policy",
            )
        )
    return problems


def _type_problems(local, remote, sends: bool, receives: bool) -> list[Problem]:
    if REF in (local.type, remote.type):
        return [
            Problem(
                f"{remote.name} holds a QuickBooks id; turn {local.name} values into ids with the transform "
                f"‘value_map’, or map the reference's name ({remote.name.rsplit('.', 1)[0]}.name) instead.",
                "transform",
            )
        ]
    if (sends and not _fits(local.type, remote.type)) or (receives and not _fits(remote.type, local.type)):
        return [
            Problem(
                f"{local.name} is {TYPE_WORDS[local.type]} but {remote.name} in QuickBooks is "
                f"{TYPE_WORDS[remote.type]}.",
                "qbo_path",
            )
        ]
    return []


def check_mapping_set(entity: str, mappings: Iterable, *, name_fields: Iterable[str] = ()) -> list[Problem]:
    """Problems among all mappings of one entity: required fields, rules that contradict each other."""
    chosen = [m for m in mappings if m.entity == entity]
    sending = [m for m in chosen if m.direction in SENDS]
    sent_paths = {m.qbo_path for m in sending}
    problems = [
        Problem(f"{group[0]} is required by QuickBooks but no mapping sends it to QuickBooks.")
        for group in REQUIRED.get(entity, ())
        if not sent_paths & set(group)
    ]
    by_path: dict[str, set[str]] = defaultdict(set)
    for m in sending:
        by_path[m.qbo_path].add(m.local_field)
    problems += [
        Problem(f"Two rules send different local fields to {path} ({', '.join(sorted(names))}).")
        for path, names in sorted(by_path.items())
        if len(names) > 1
    ]
    by_local: dict[str, set[str]] = defaultdict(set)
    for m in chosen:
        if m.direction in RECEIVES:
            by_local[m.local_field].add(m.qbo_path)
    problems += [
        Problem(f"Two rules write different QuickBooks fields into ‘{name}’ ({', '.join(sorted(paths))}).")
        for name, paths in sorted(by_local.items())
        if len(paths) > 1
    ]
    if entity in (Entity.CUSTOMER, Entity.SUB_CUSTOMER):
        problems += [
            Problem(f"Customer names go to {name} (sync settings), but no mapping sends anything to {name}.")
            for name in sorted(set(name_fields))
            if name not in sent_paths
        ]
    return problems


def check_match_rule(rule) -> list[Problem]:
    if rule.kind not in MatchKind.values:
        return [Problem(f"‘{rule.kind}’ is not a kind of match rule.", "kind")]
    if rule.kind == MatchKind.FUZZY_NAME:
        if rule.threshold is None or not FUZZY_MIN <= rule.threshold <= FUZZY_MAX:
            return [
                Problem(
                    f"A similar-name rule needs a threshold between {FUZZY_MIN} and {FUZZY_MAX} (percent "
                    "similarity); below 50 almost any two names match.",
                    "threshold",
                )
            ]
    elif rule.threshold is not None:
        label = MatchKind(rule.kind).label
        return [
            Problem(f"Only a similar-name rule takes a threshold; leave it empty for ‘{label}’.", "threshold")
        ]
    return []


def _overlap(a: str, b: str) -> bool:
    return Applies.BOTH in (a, b) or a == b


def check_match_rules(rules: Iterable) -> list[Problem]:
    """Problems among the match rules: the same test twice, or nothing to match with."""
    enabled = sorted((r for r in rules if r.enabled), key=lambda r: r.position)
    problems = []
    for i, first in enumerate(enabled):
        for second in enabled[i + 1 :]:
            if first.kind != second.kind or not _overlap(first.applies, second.applies):
                continue
            if first.kind == MatchKind.FUZZY_NAME and first.threshold != second.threshold:
                problems.append(
                    Problem(
                        f"Two similar-name rules use different thresholds ({first.threshold}% and "
                        f"{second.threshold}%); keep one."
                    )
                )
            else:
                problems.append(
                    Problem(f"Two rules both match by {MatchKind(first.kind).label.lower()}; keep one.")
                )
    if not any(r.applies in (Applies.BOTH, Applies.PUSH) for r in enabled):
        problems.append(
            Problem(
                "No match rule is on for sending: every customer sent becomes a new QuickBooks customer, "
                "duplicating the ones QuickBooks already has.",
                warning=True,
            )
        )
    return problems
