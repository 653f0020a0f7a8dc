"""Match rules: is this local customer an existing QuickBooks customer (and the reverse on import)?

Rules run in order; the first rule that finds exactly one candidate decides. A rule that finds
several candidates decides nothing (it says so) and the next rule runs, so an ambiguous email never
links a customer to the wrong QuickBooks record. Inactive QuickBooks customers are only matched by
their linked id. Pure: candidates are QuickBooks customer documents (push) or local customer
snapshots (import), passed in by the caller.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz

from integrations.mapping.choices import Applies, MatchKind, UnmatchedAction
from integrations.mapping.options import SyncOptions

LABELS = dict(MatchKind.choices)
_DELETED = re.compile(r"\s*\(deleted\)\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class MatchRuleSpec:
    kind: str
    position: int = 0
    threshold: int | None = None
    applies: str = Applies.BOTH
    enabled: bool = True


@dataclass(frozen=True)
class MatchStep:
    rule: str
    outcome: str  # "matched", "no match", "ambiguous", "skipped"
    detail: str


@dataclass(frozen=True)
class MatchResult:
    qbo_id: str | None = None  # match_customer: the QuickBooks customer's Id
    local_id: int | None = None  # match_local: the local customer's id
    rule: str | None = None
    reason: str = "No rule matched."
    score: float | None = None
    steps: tuple[MatchStep, ...] = ()

    @property
    def matched(self) -> bool:
        return self.qbo_id is not None or self.local_id is not None


@dataclass(frozen=True)
class _Keys:
    id: Any
    linked: str
    label: str
    active: bool
    email: str
    phones: frozenset[str]
    name: str
    company: str
    postal: str


def normalise_name(value: str | None) -> str:
    """Case, accents, punctuation, spacing and QuickBooks' " (deleted)" suffix do not count."""
    text = _DELETED.sub("", value or "")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = re.sub(r"&", " and ", text.casefold())
    return " ".join(re.sub(r"[^\w\s]", " ", text).split())


def _phone_key(value: str | None) -> str:
    digits = re.sub(r"\D", "", re.split(r"(?i)\s*(?:x|ext)", value or "")[0])
    return digits[-10:] if len(digits) >= 7 else ""


def _postal(value: str | None) -> str:
    return re.sub(r"[\s-]", "", value or "").upper()[:5]


def _qbo_keys(doc: Mapping[str, Any], name_field: str) -> _Keys:
    def sub(key: str, inner: str) -> str:
        return (doc.get(key) or {}).get(inner) or ""

    phones = {sub(k, "FreeFormNumber") for k in ("PrimaryPhone", "Mobile", "AlternatePhone")}
    return _Keys(
        id=str(doc.get("Id", "")),
        linked=str(doc.get("Id", "")),
        label=f"QuickBooks customer {doc.get('Id')} ‘{doc.get('DisplayName', '')}’",
        active=doc.get("Active", True) is not False,
        email=sub("PrimaryEmailAddr", "Address").strip().casefold(),
        phones=frozenset(filter(None, map(_phone_key, phones))),
        name=normalise_name(doc.get(name_field) or ""),
        company=normalise_name(doc.get("CompanyName")),
        postal=_postal(sub("BillAddr", "PostalCode")),
    )


def _local_keys(local: Mapping[str, Any], name: str | None = None) -> _Keys:
    return _Keys(
        id=local.get("id"),
        linked=str(local.get("qbo_id") or ""),
        label=f"customer #{local.get('id')} ‘{local.get('display_name', '')}’",
        active=local.get("is_active", True) is not False,
        email=(local.get("email") or "").strip().casefold(),
        phones=frozenset(filter(None, (_phone_key(local.get("phone")), _phone_key(local.get("mobile"))))),
        name=normalise_name(name if name is not None else local.get("display_name")),
        company=normalise_name(local.get("company_name")),
        postal=_postal(local.get("bill_postal_code")),
    )


def _exact(rule: str, me: _Keys, others: list[_Keys]) -> tuple[list[_Keys], str]:
    """Candidates equal to ``me`` on the rule's key, or ([], why the rule could not run)."""
    if rule == MatchKind.EMAIL:
        return ([o for o in others if o.email == me.email], f"email {me.email}") if me.email else ([], "")
    if rule == MatchKind.PHONE:
        return ([o for o in others if o.phones & me.phones], "phone number") if me.phones else ([], "")
    if rule == MatchKind.DISPLAY_NAME:
        return ([o for o in others if o.name == me.name], f"name ‘{me.name}’") if me.name else ([], "")
    if me.company and me.postal:  # company + postal code
        hits = [o for o in others if o.company == me.company and o.postal == me.postal]
        return hits, f"company ‘{me.company}’ with postal code {me.postal}"
    return [], ""


_NOTHING_TO_COMPARE = {
    MatchKind.EMAIL: "no email address to compare",
    MatchKind.PHONE: "no phone number to compare",
    MatchKind.DISPLAY_NAME: "no name to compare",
    MatchKind.COMPANY_POSTAL: "needs both a company name and a billing postal code",
}


def _run(rules: Iterable, me: _Keys, candidates: list[_Keys], direction: str) -> MatchResult:
    active = [c for c in candidates if c.active]
    steps: list[MatchStep] = []
    ordered = sorted(
        (r for r in rules if r.enabled and r.applies in (Applies.BOTH, direction)), key=lambda r: r.position
    )
    for rule in ordered:
        label = LABELS.get(rule.kind, rule.kind)
        score = None
        if rule.kind == MatchKind.LINKED_ID:
            key = me.linked if direction == Applies.PUSH else me.id
            if not key:
                steps.append(MatchStep(label, "skipped", "not linked to QuickBooks yet"))
                continue
            hits = [c for c in candidates if (c.id if direction == Applies.PUSH else c.linked) == str(key)]
            what = f"linked id {key}"
        elif rule.kind == MatchKind.FUZZY_NAME:
            if not me.name:
                steps.append(MatchStep(label, "skipped", "no name to compare"))
                continue
            scored = [(fuzz.token_sort_ratio(me.name, c.name), c) for c in active if c.name]
            best = max((s for s, _ in scored), default=0)
            threshold = rule.threshold or 90
            hits = [c for s, c in scored if s == best and s >= threshold]
            score = round(best, 1)
            what = f"name ‘{me.name}’ ({score}% similar, threshold {threshold}%)"
        else:
            hits, what = _exact(rule.kind, me, active)
            if not what:
                steps.append(MatchStep(label, "skipped", _NOTHING_TO_COMPARE[rule.kind]))
                continue
        if len(hits) == 1:
            hit = hits[0]
            reason = f"{label}: {what} matches {hit.label}."
            steps.append(MatchStep(label, "matched", reason))
            ids = {"qbo_id": hit.id} if direction == Applies.PUSH else {"local_id": hit.id}
            return MatchResult(**ids, rule=rule.kind, reason=reason, score=score, steps=tuple(steps))
        if hits:
            names = ", ".join(h.label for h in hits)
            steps.append(
                MatchStep(label, "ambiguous", f"{what} matches {len(hits)} records ({names}); not used.")
            )
        else:
            steps.append(MatchStep(label, "no match", f"nothing has {what}."))
    return MatchResult(steps=tuple(steps))


def match_customer(
    local: Mapping[str, Any],
    candidates: Iterable[Mapping[str, Any]],
    rules: Iterable,
    *,
    name_field: str = "DisplayName",
    local_name: str | None = None,
) -> MatchResult:
    """Which QuickBooks customer (document) a local customer (snapshot, with ``qbo_id`` once linked) is.

    ``name_field`` is the QuickBooks field customer names go to; ``local_name`` the name the mappings
    send there (defaults to the display name).
    """
    docs = [_qbo_keys(doc, name_field) for doc in candidates]
    return _run(rules, _local_keys(local, local_name), docs, Applies.PUSH)


def match_local(
    qbo_doc: Mapping[str, Any],
    local_candidates: Iterable[Mapping[str, Any]],
    rules: Iterable,
    *,
    name_field: str = "DisplayName",
) -> MatchResult:
    """Which local customer (snapshots with ``id`` and ``qbo_id``) an imported QuickBooks customer is."""
    me = _qbo_keys(qbo_doc, name_field)
    return _run(rules, me, [_local_keys(local) for local in local_candidates], Applies.PULL)


def customer_decision(
    result: MatchResult, options: SyncOptions, *, in_scope: bool = False
) -> tuple[dict | None, str]:
    """The ``CustomerRef`` a sale gets from a match result (``None``: create the customer first), and why.

    A customer the scope syncs is created when nothing matches, whatever the setting: the setting
    only decides for customers that would otherwise not reach QuickBooks.
    """
    if result.qbo_id:
        return {"value": result.qbo_id}, result.reason
    if in_scope:
        return None, "No rule matched: the customer syncs, so a new QuickBooks customer will be created."
    if options.unmatched_action == UnmatchedAction.DEFAULT_CUSTOMER and options.default_customer_qbo_id:
        ref = options.default_customer_qbo_id
        return {"value": ref}, f"No rule matched: posted to the default customer (QuickBooks id {ref})."
    return None, "No rule matched: a new QuickBooks customer will be created."
