"""Score a pair of prepared customers: how likely they are the same customer, and why, in plain words.

Each field comparison adds evidence (a log-odds weight, in the spirit of Fellegi-Sunter): agreement
on something rare between strangers (an email, a phone number) adds a lot, disagreement on
something that identifies a person (a different first name under the same family name) takes a lot
away, and a field one side left empty says nothing. The total maps to 0..1 through a logistic curve
centred on ``CENTRE``: 0.5 at the default review threshold, 0.95 three points above.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping

from rapidfuzz.distance import OSA
from rapidfuzz.fuzz import token_sort_ratio

from customers.matching.records import Prepared

CENTRE = 6.0
# Defaults of the DEDUPE_REVIEW_THRESHOLD / DEDUPE_AUTO_SUGGEST_THRESHOLD settings (the benchmark
# uses these; the settings may override them per store).
REVIEW_THRESHOLD = 0.5
AUTO_SUGGEST_THRESHOLD = 0.9
RARE_NAME_BONUS = 4.0
RARE_NAME_EXPECTED = 0.05  # names expected this seldom by chance start to count as evidence

# Name evidence by (family-name relation, first-name relation).
_NAME_WEIGHTS = {
    ("same", "same"): 4.0,
    ("same", "nickname"): 3.5,
    ("same", "typo"): 3.0,
    ("same", "initial"): 2.5,
    ("same", "missing"): 1.5,
    ("same", "different"): -9.0,
    ("typo", "same"): 3.0,
    ("typo", "nickname"): 2.0,
    ("typo", "typo"): 1.0,
    ("typo", "initial"): 1.0,
    ("typo", "missing"): 0.0,
    ("typo", "different"): -9.0,
    ("different", "same"): -3.0,
    ("different", "nickname"): -3.5,
}
_NAME_DIFFERENT = -7.0


def _first_relation(a: Prepared, b: Prepared) -> str:
    fa, fb = a.first, b.first
    if fa == fb:
        return "same" if fa else "missing"
    if not fa or not fb:
        return "missing"
    if len(fa) == 1 or len(fb) == 1:
        return "initial" if fa[0] == fb[0] else "different"
    if a.first_forms & b.first_forms:
        return "nickname"
    if min(len(fa), len(fb)) >= 3 and OSA.distance(fa, fb, score_cutoff=1) <= 1:
        return "typo"
    return "different"


def _typo(x: str, y: str) -> bool:
    """One edit or one swap of neighbouring letters (two for long names)."""
    allowed = 2 if min(len(x), len(y)) >= 8 else 1
    return min(len(x), len(y)) >= 3 and OSA.distance(x, y, score_cutoff=allowed) <= allowed


def name_counts(prepared: Iterable[Prepared]) -> Counter:
    """How many customers have each first and each family name, and how many customers there are."""
    counts: Counter = Counter()
    total = 0
    for p in prepared:
        total += 1
        if p.last:
            counts["l|" + p.last] += 1
            if len(p.first) > 1:
                counts["f|" + p.first] += 1
    counts["#"] = total
    return counts


def _expected(p: Prepared, counts: Mapping[str, int]) -> float | None:
    """How many customers would have ``p``'s first and family name by chance (None: no first name)."""
    if len(p.first) < 2:
        return None
    first, last = counts.get("f|" + p.first, 1), counts.get("l|" + p.last, 1)
    return first * last / max(counts.get("#", 1), 1)


def _rare(a: Prepared, b: Prepared, counts: Mapping[str, int] | None, why: list[str] | None) -> float:
    """A rare name is evidence in itself: strangers seldom share it.

    The chance estimate (first-name count x family-name count / customers) is taken for both
    spellings and the larger kept, so a typo or a swapped order does not make a name look rare.
    Below ``RARE_NAME_EXPECTED`` the weight grows with its log, up to ``RARE_NAME_BONUS``.
    """
    if counts is None:
        return 0.0
    estimates = [e for e in (_expected(a, counts), _expected(b, counts)) if e is not None]
    if not estimates:
        return 0.0
    bonus = min(RARE_NAME_BONUS, math.log(RARE_NAME_EXPECTED / max(max(estimates), 1e-9)))
    if bonus <= 0:
        return 0.0
    if why is not None:
        why.append("a rare name among your customers")
    return bonus


def _name_evidence(
    a: Prepared, b: Prepared, why: list[str] | None, counts: Mapping[str, int] | None
) -> float:
    last = "same" if a.last == b.last else ("typo" if _typo(a.last, b.last) else "different")
    first = _first_relation(a, b)
    if last == "different" and a.first and b.first:
        straight = a.first == b.last and a.last == b.first
        if straight or (_typo(a.first, b.last) and _typo(a.last, b.first)):
            if why is not None:
                why.append(f"first and last name swapped: '{a.label}' / '{b.label}'")
            return (3.5 if straight else 2.0) + _rare(a, b, counts, why)
    weight = _NAME_WEIGHTS.get((last, first), _NAME_DIFFERENT)
    if why is not None:
        why.append(_name_words(a, b, last, first))
    if a.middle and b.middle and a.middle != b.middle and weight > 0:
        weight -= 2.5
        if why is not None:
            why.append(f"different middle initials ('{a.middle.upper()}' / '{b.middle.upper()}')")
    if a.suffix != b.suffix and weight > 0:
        weight -= 9.0 if a.suffix and b.suffix else 8.0
        if why is not None:
            one, other = (a.suffix or "none"), (b.suffix or "none")
            why.append(
                f"different generations ('{one.title()}' / '{other.title()}'): may be parent and child"
            )
    elif weight > 0 and first != "missing" and (a.middle == b.middle or not (a.middle and b.middle)):
        weight += _rare(a, b, counts, why)
    return weight


def _name_words(a: Prepared, b: Prepared, last: str, first: str) -> str:
    pair = f"'{a.label}' / '{b.label}'"
    if last == "same" and first == "same":
        return f"same name: {pair}"
    if last == "same" and first == "nickname":
        short, formal = sorted((a.first, b.first), key=len)
        return f"same name with a nickname ('{short.title()}' for '{formal.title()}'): {pair}"
    if last == "same" and first == "initial":
        return f"same name, first name given as an initial: {pair}"
    if last == "same" and first == "missing":
        return f"same last name, one without a first name: {pair}"
    if (last, first) in {("same", "typo"), ("typo", "same")}:
        return f"names differ by one typo: {pair}"
    if last == "typo" and first in {"typo", "nickname", "initial"}:
        return f"similar names (small differences in both parts): {pair}"
    if last in {"same", "typo"} and first == "different":
        return f"same last name but different first names: {pair} (may be family members)"
    if last == "different" and first in {"same", "nickname"}:
        return f"same first name but different last names: {pair}"
    return f"different names: {pair}"


def _company_evidence(a: Prepared, b: Prepared, why: list[str] | None) -> float:
    businesses = not a.has_person and not b.has_person
    if a.company == b.company:
        if why is not None:
            why.append(f"same company: '{a.company}'")
        return 5.0 if businesses else 3.0
    if (
        OSA.distance(a.company, b.company, score_cutoff=1) <= 1
        or token_sort_ratio(a.company, b.company) >= 92
    ):
        if why is not None:
            why.append(f"similar company names: '{a.company}' / '{b.company}'")
        return 4.0 if businesses else 2.0
    if why is not None:
        why.append("different companies")
    return -6.0 if businesses else -1.0


def _contact_evidence(a: Prepared, b: Prepared, why: list[str] | None) -> float:
    weight = 0.0
    if a.email and b.email:
        if a.email == b.email:
            weight += 6.0
            if why is not None:
                why.append("same email (ignoring case, dots in Gmail addresses and +tags)")
        elif a.email.partition("@")[0] == b.email.partition("@")[0]:
            # Neutral: "john.smith@" at two providers is as likely two John Smiths as one.
            if why is not None:
                why.append("same email name at different domains")
        else:
            weight -= 1.0
            if why is not None:
                why.append("different email addresses")
    if a.phones and b.phones:
        if any(p in b.phones for p in a.phones):
            weight += 5.0
            if why is not None:
                why.append("same phone number (ignoring format and country code)")
        elif any(p[-7:] == q[-7:] for p in a.phones for q in b.phones):
            weight += 3.0
            if why is not None:
                why.append("same phone number apart from the area code")
        else:
            weight -= 1.0
            if why is not None:
                why.append("different phone numbers")
    return weight


def _address_evidence(a: Prepared, b: Prepared, why: list[str] | None) -> float:
    weight = 0.0
    if a.street and b.street:
        if a.street == b.street:
            if a.unit and b.unit and a.unit != b.unit:
                weight -= 4.0
                if why is not None:
                    why.append(f"same building, different units ('{a.unit}' / '{b.unit}')")
            else:
                weight += 4.0
                if why is not None:
                    why.append(f"same street address: '{a.street}' (ignoring abbreviations)")
        elif (
            a.street.split(" ", 1)[0] == b.street.split(" ", 1)[0]
            and token_sort_ratio(a.street, b.street) >= 85
        ):
            weight += 2.0
            if why is not None:
                why.append(f"similar street addresses: '{a.street}' / '{b.street}'")
        else:
            weight -= 0.5
            if why is not None:
                why.append("different street addresses")
    if a.postal and b.postal:
        if a.postal == b.postal:
            weight += 0.5
            if why is not None:
                why.append("same postal code")
        else:
            weight -= 0.5
            if why is not None:
                why.append("different postal codes")
    return weight


def evidence(
    a: Prepared, b: Prepared, why: list[str] | None = None, counts: Mapping[str, int] | None = None
) -> float:
    """The summed log-odds weight for "same customer"; appends plain-words reasons to ``why`` if given.

    ``counts`` (from ``name_counts``) says how common each name is; without it (scoring one pair on
    its own) a rare name earns no extra weight.
    """
    weight = 0.0
    if a.has_person and b.has_person:
        weight += _name_evidence(a, b, why, counts)
    if a.company and b.company:
        weight += _company_evidence(a, b, why)
    weight += _contact_evidence(a, b, why) + _address_evidence(a, b, why)
    if _family_members(a, b):
        # A shared email, phone and address is what a household has in common: no amount of it
        # makes two different first names one person.
        weight = min(weight, CENTRE - 1.0)
    return weight


def cannot_reach(a: Prepared, b: Prepared, min_weight: float) -> bool:
    """Cheap early "no" for the finder: two family members never score above ``CENTRE - 1``."""
    return min_weight > CENTRE - 1.0 and a.last == b.last and _family_members(a, b)


def _family_members(a: Prepared, b: Prepared) -> bool:
    if not (a.first and b.first and a.last and b.last) or len(a.first) < 2 or len(b.first) < 2:
        return False
    if a.first == b.first or a.first_forms & b.first_forms:
        return False
    return (a.last == b.last or _typo(a.last, b.last)) and _first_relation(a, b) == "different"


def to_score(weight: float) -> float:
    """Map evidence to 0..1 (0.5 at ``CENTRE``)."""
    return 1.0 / (1.0 + math.exp(CENTRE - weight))


def to_weight(score: float) -> float:
    """The evidence a score threshold stands for (inverse of ``to_score``)."""
    score = min(max(score, 1e-9), 1 - 1e-9)
    return CENTRE - math.log(1.0 / score - 1.0)


def score_pair(a: Prepared, b: Prepared, counts: Mapping[str, int] | None = None) -> tuple[float, list[str]]:
    """(score 0..1, reasons in plain words), in the order the fields were compared."""
    why: list[str] = []
    return round(to_score(evidence(a, b, why, counts)), 3), why
