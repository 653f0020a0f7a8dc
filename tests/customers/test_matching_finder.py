"""The finder over plain records: finds the duplicates, never compares every pair, reports progress."""

import random

import pytest
from django.conf import settings

from customers.matching import finder
from customers.matching.blocking import KEY_FAMILIES
from customers.matching.finder import FinderCancelled, find_duplicates
from customers.matching.records import CustomerRecord as R
from customers.matching.scoring import AUTO_SUGGEST_THRESHOLD, REVIEW_THRESHOLD

FIRST = ["Anna", "Ben", "Carla", "Dmitri", "Elena", "Farid", "Greta", "Hugo", "Ines", "Jonas", "Kira", "Luis"]
LAST = [
    "Almeida",
    "Bergstrom",
    "Castellanos",
    "Dubois",
    "Eriksen",
    "Fontaine",
    "Gallagher",
    "Hoffmann",
    "Iwasaki",
    "Jablonski",
    "Kowalczyk",
    "Lindqvist",
    "Moreau",
    "Nakamura",
    "Okonkwo",
    "Petrov",
]


def population(size: int, seed: int = 3) -> list[R]:
    rng = random.Random(seed)
    records = []
    for i in range(1, size + 1):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        records.append(
            R(
                i,
                display_name=f"{first} {last}",
                given_name=first,
                family_name=last,
                email=f"{first}.{last}.{i}@example.com".lower(),
                phone=f"503-{i:03d}-{1000 + i % 9000:04d}",
                line1=f"{i} Oak Street",
                postal_code="97201",
            )
        )
    return records


def test_it_finds_the_retyped_customers_and_nothing_else():
    records = population(400)
    anna, ben, carla = records[10], records[20], records[30]
    records += [
        R(401, display_name=f"{anna.family_name}, {anna.given_name}", email=anna.email.upper()),
        R(
            402,
            display_name=f"{ben.given_name[0]}. {ben.family_name}",
            phone=ben.phone.replace("-", "."),
            line1=ben.line1.replace("Street", "St"),
        ),
        R(
            403,
            given_name=carla.given_name,
            family_name=carla.family_name[:3] + carla.family_name[4:],
            email=carla.email.replace("@", "+shop@"),
        ),
    ]

    result = find_duplicates(records, threshold=REVIEW_THRESHOLD)

    assert {(c.a_id, c.b_id) for c in result.candidates} == {(11, 401), (21, 402), (31, 403)}
    assert all(c.a_id < c.b_id and c.reasons for c in result.candidates)
    assert result.customers == 403
    assert result.pairs_compared < 403 * 402 // 2 // 10  # a small fraction of all pairs


def test_a_very_common_name_does_not_make_it_compare_everyone_with_everyone():
    records = [R(i, display_name="John Smith", email=f"js{i}@example.com") for i in range(1, 3001)]
    result = find_duplicates(records, threshold=REVIEW_THRESHOLD)
    assert result.pairs_compared < 3000 * 50  # bounded per customer, not 4.5 million
    assert result.candidates == []  # same name, different emails: not evidence enough


def test_results_come_best_first_and_respect_the_threshold():
    records = [
        R(1, display_name="Ola Nordmann", email="ola@example.com", phone="503-555-0100"),
        R(2, display_name="Ola Nordmann", email="OLA@example.com", phone="(503) 555-0100"),
        R(3, display_name="Kari Nordmann", phone="503-555-0177", line1="5 Fjord Rd"),
        R(4, display_name="Kari Nordman", phone="503 555 0177"),
    ]
    everything = find_duplicates(records, threshold=0.01).candidates
    assert [c.score for c in everything] == sorted((c.score for c in everything), reverse=True)
    review = find_duplicates(records, threshold=REVIEW_THRESHOLD).candidates
    assert [(c.a_id, c.b_id) for c in review] == [(1, 2), (3, 4)]
    likely = find_duplicates(records, threshold=AUTO_SUGGEST_THRESHOLD).candidates
    assert [(c.a_id, c.b_id) for c in likely] == [(1, 2)]  # a typo and a phone: review, not a sure thing


def test_progress_is_reported_and_a_cancel_stops_it(monkeypatch):
    monkeypatch.setattr(finder, "_CHECK_EVERY", 50)  # report often on a small population
    stages = []
    find_duplicates(population(500), threshold=0.5, progress=lambda s, d, t: stages.append((s, d, t)))
    assert ("preparing", 500, 0) in stages and stages[-1] == (
        "comparing",
        len(KEY_FAMILIES),
        len(KEY_FAMILIES),
    )

    with pytest.raises(FinderCancelled):
        find_duplicates(population(500), threshold=0.5, should_stop=lambda: True)


@pytest.mark.skipif(
    any(k in __import__("os").environ for k in ("DEDUPE_REVIEW_THRESHOLD", "DEDUPE_AUTO_SUGGEST_THRESHOLD")),
    reason="thresholds overridden in the environment",
)
def test_the_settings_defaults_are_the_thresholds_the_benchmark_measures():
    assert settings.DEDUPE_REVIEW_THRESHOLD == REVIEW_THRESHOLD
    assert settings.DEDUPE_AUTO_SUGGEST_THRESHOLD == AUTO_SUGGEST_THRESHOLD
