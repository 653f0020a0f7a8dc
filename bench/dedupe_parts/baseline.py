"""The reference: the recordlinkage library's usual pipeline on the same customers.

Preprocessed the way its documentation shows (``clean``, digits-only phones) plus the splitting of
a one-box name a user would write anyway, indexed with the same families of blocks as the
SyncPortal finder (email, phone, family name + initial, first name + sorted neighbourhood on the
family name, street, company), compared field by field, then classified twice: the unsupervised
ECM classifier (its probability as the score) and a plain "agreeing fields" threshold.
"""

from __future__ import annotations

import re
import time

import numpy as np
import pandas as pd
import recordlinkage
from recordlinkage.preprocessing import clean

from customers.matching.records import CustomerRecord

FEATURES = ("first", "last", "email", "phone", "street", "postal", "company")


def _split_name(rec: CustomerRecord) -> tuple[str, str]:
    if rec.given_name or rec.family_name:
        return rec.given_name, rec.family_name
    if rec.company_name and rec.display_name == rec.company_name:
        return "", ""
    head, comma, tail = rec.display_name.partition(",")
    if comma:
        return tail.strip(), head.strip()
    words = rec.display_name.split()
    return (words[0], words[-1]) if len(words) > 1 else ("", rec.display_name)


def frame(records: list[CustomerRecord]) -> pd.DataFrame:
    names = [_split_name(r) for r in records]
    df = pd.DataFrame(
        {
            "first": [n[0] for n in names],
            "last": [n[1] for n in names],
            "email": [r.email.strip().lower() for r in records],
            "phone": [re.sub(r"\D", "", r.phone)[-10:] for r in records],
            "street": [f"{r.line1} {r.line2}".strip() for r in records],
            "postal": [r.postal_code[:5] for r in records],
            "company": [r.company_name for r in records],
        },
        index=pd.Index([r.id for r in records], name="id"),
    )
    for column in ("first", "last", "street", "company"):
        df[column] = clean(df[column])
    df = df.replace("", np.nan)
    df["initial"] = df["first"].str[:1]
    return df


def run(records: list[CustomerRecord], review: float, auto: float) -> dict:
    started, cpu = time.perf_counter(), time.process_time()
    df = frame(records)
    indexer = recordlinkage.Index()
    indexer.block("email")
    indexer.block("phone")
    indexer.block(["last", "initial"])
    indexer.sortedneighbourhood("last", window=9, block_on=["first"])
    indexer.sortedneighbourhood("first", window=9, block_on=["last"])
    indexer.sortedneighbourhood("last", window=3, block_on=["initial", "postal"])
    indexer.block("street")
    indexer.block("company")
    pairs = indexer.index(df)
    compare = recordlinkage.Compare()
    compare.string("first", "first", method="jarowinkler", threshold=0.85, label="first")
    compare.string("last", "last", method="jarowinkler", threshold=0.85, label="last")
    compare.exact("email", "email", label="email")
    compare.exact("phone", "phone", label="phone")
    compare.string("street", "street", method="damerau_levenshtein", threshold=0.85, label="street")
    compare.exact("postal", "postal", label="postal")
    compare.string("company", "company", method="jarowinkler", threshold=0.85, label="company")
    features = compare.compute(pairs, df)
    shared_wall, shared_cpu = time.perf_counter() - started, time.process_time() - cpu

    results = {}
    t0, c0 = time.perf_counter(), time.process_time()
    ecm = recordlinkage.ECMClassifier(binarize=0.5)
    ecm.fit(features)
    probability = ecm.prob(features)
    results["ECM"] = _scored(
        probability,
        review,
        auto,
        shared_wall + time.perf_counter() - t0,
        shared_cpu + time.process_time() - c0,
    )
    t0, c0 = time.perf_counter(), time.process_time()
    agreeing = features.sum(axis=1)
    # The documentation's threshold classifier: count agreeing fields (3 of 7 to review, 4 to suggest).
    results["sum>=3"] = _scored(
        agreeing / len(FEATURES),
        3 / len(FEATURES) - 1e-9,
        4 / len(FEATURES) - 1e-9,
        shared_wall + time.perf_counter() - t0,
        shared_cpu + time.process_time() - c0,
    )
    for result in results.values():
        result["pairs_compared"] = len(pairs)
    return results


def _scored(scores: pd.Series, review: float, auto: float, wall: float, cpu: float) -> dict:
    def as_pairs(mask) -> list[tuple[int, int]]:
        return [(min(a, b), max(a, b)) for a, b in scores.index[mask.to_numpy()]]

    return {"wall": wall, "cpu": cpu, "review": as_pairs(scores >= review), "auto": as_pairs(scores >= auto)}
