"""The duplicate finder: plain customer records in, scored candidate pairs (with reasons) out.

Pure Python over ``CustomerRecord``s so the nightly scan and the benchmark run the same code.
Memory stays proportional to the number of customers plus the pairs actually compared: the raw
records are consumed once and only their prepared keys are kept, blocks are built one key family
at a time, and reasons are written only for pairs that reach the threshold.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from customers.matching.blocking import KEY_FAMILIES, KeyFamily, block_pairs, blocks
from customers.matching.normalize import prepare
from customers.matching.records import CustomerRecord, Prepared
from customers.matching.scoring import cannot_reach, evidence, name_counts, to_score, to_weight

MAX_BLOCK = 120  # bigger blocks are compared by sorted neighbourhood ...
WINDOW = 12  # ... each member with the next WINDOW members
_CHECK_EVERY = 20_000  # pairs between progress reports / cancel checks

Progress = Callable[[str, int, int], None]


class FinderCancelled(Exception):
    """``should_stop`` returned True; nothing was returned."""


@dataclass(frozen=True, slots=True)
class Candidate:
    a_id: int  # always the smaller id
    b_id: int
    score: float
    reasons: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class FinderResult:
    candidates: list[Candidate]
    customers: int
    pairs_compared: int


def find_duplicates(
    records: Iterable[CustomerRecord],
    *,
    threshold: float,
    progress: Progress | None = None,
    should_stop: Callable[[], bool] | None = None,
    default_country: str = "1",
    families: tuple[KeyFamily, ...] = KEY_FAMILIES,
    max_block: int = MAX_BLOCK,
    window: int = WINDOW,
) -> FinderResult:
    """Every pair of customers that scores at least ``threshold`` (0..1), best first.

    ``progress(stage, done, total)`` is called now and then ("preparing" per customer, "comparing"
    per key family); ``should_stop()`` is polled as often and aborts with ``FinderCancelled``.
    """
    prepared: list[Prepared] = []
    for record in records:
        prepared.append(prepare(record, default_country))
        if progress and len(prepared) % _CHECK_EVERY == 0:
            progress("preparing", len(prepared), 0)
    count = len(prepared)
    counts = name_counts(prepared)
    min_weight = to_weight(threshold)
    seen: set[int] = set()
    hits: list[tuple[float, int, int]] = []
    since_check = 0
    for done, family in enumerate(families):
        for members in blocks(prepared, family):
            for left, right in block_pairs(prepared, members, max_block=max_block, window=window):
                code = left * count + right
                if code in seen:
                    continue
                seen.add(code)
                a, b = prepared[left], prepared[right]
                if cannot_reach(a, b, min_weight):
                    continue
                weight = evidence(a, b, None, counts)
                if weight >= min_weight:
                    hits.append((weight, left, right))
            since_check += len(members)
            if since_check >= _CHECK_EVERY:
                since_check = 0
                if should_stop and should_stop():
                    raise FinderCancelled
        if progress:
            progress("comparing", done + 1, len(families))
    compared = len(seen)
    del seen
    hits.sort(reverse=True)
    return FinderResult(
        candidates=[_explain(prepared[left], prepared[right], counts) for _, left, right in hits],
        customers=count,
        pairs_compared=compared,
    )


def _explain(a: Prepared, b: Prepared, counts: Counter) -> Candidate:
    if a.id > b.id:
        a, b = b, a
    why: list[str] = []
    score = round(to_score(evidence(a, b, why, counts)), 3)
    return Candidate(a_id=a.id, b_id=b.id, score=score, reasons=tuple(why))
