"""Duplicate finder benchmark: SyncPortal's finder against the recordlinkage library, same data, same run.

    .venv/bin/python bench/dedupe.py [--sizes 10000,100000] [--seed 7] [--library-timeout 900]

For each size it generates synthetic customers with injected duplicates and known ground truth
(``dedupe_parts/synthetic.py``), then runs each engine in a fresh process (so peak memory is that
engine's own: interpreter + the customers + its work) and prints precision, recall and F1 at the
review threshold, precision at the auto-suggest threshold, wall and CPU time and peak memory.
Needs the ``bench`` extra for the library: ``.venv/bin/pip install recordlinkage``.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(Path(__file__).resolve().parent)]

from dedupe_parts.synthetic import generate  # noqa: E402

from customers.matching.finder import find_duplicates  # noqa: E402
from customers.matching.scoring import AUTO_SUGGEST_THRESHOLD, REVIEW_THRESHOLD  # noqa: E402

GOALS = {"f1": 0.95, "auto_precision": 0.99, "seconds_100k": 60.0, "mb_100k": 1024.0}


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def worker(engine: str, data_path: str, review: float, auto: float) -> None:
    """Runs in its own process; prints one JSON object per result."""
    with open(data_path, "rb") as handle:
        records, _ = pickle.load(handle)
    baseline = peak_mb()
    if engine == "syncportal":
        started, cpu = time.perf_counter(), time.process_time()
        result = find_duplicates(records, threshold=review)
        out = {
            "SyncPortal finder": {
                "wall": time.perf_counter() - started,
                "cpu": time.process_time() - cpu,
                "pairs_compared": result.pairs_compared,
                "review": [(c.a_id, c.b_id) for c in result.candidates],
                "auto": [(c.a_id, c.b_id) for c in result.candidates if c.score >= auto],
            }
        }
    else:
        from dedupe_parts.baseline import run

        out = {f"recordlinkage {name}": r for name, r in run(records, review, auto).items()}
    for name, figures in out.items():
        figures.update(engine=name, peak_mb=peak_mb(), data_mb=baseline)
        print(json.dumps(figures))


def evaluate(figures: dict, truth: set[tuple[int, int]]) -> dict:
    review, auto = set(map(tuple, figures["review"])), set(map(tuple, figures["auto"]))
    true_positives = len(review & truth)
    precision = true_positives / len(review) if review else 0.0
    recall = true_positives / len(truth) if truth else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    auto_precision = len(auto & truth) / len(auto) if auto else 0.0
    return {
        **figures,
        "found": len(review),
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "auto_precision": auto_precision,
        "auto_found": len(auto),
    }


def run_engine(engine: str, data_path: str, args, timeout: float) -> list[dict] | str:
    command = [
        sys.executable,
        __file__,
        "--worker",
        engine,
        "--data",
        data_path,
        "--review",
        str(args.review),
        "--auto",
        str(args.auto),
    ]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return f"did not finish within {timeout:.0f} s"
    if done.returncode != 0:
        return "failed: " + (done.stderr.strip().splitlines() or ["?"])[-1]
    return [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]


def table(rows: list[tuple[int, dict | str, str]]) -> None:
    header = (
        f"{'customers':>9}  {'engine':<24} {'wall s':>7} {'cpu s':>7} {'peak MB':>8} {'pairs':>9} "
        f"{'found':>6} {'P@review':>8} {'R@review':>8} {'F1':>6} {'P@auto':>7} {'(n)':>6}"
    )
    print(header)
    print("-" * len(header))
    for size, row, name in rows:
        if isinstance(row, str):
            print(f"{size:>9,}  {name:<24} {row}")
            continue
        print(
            f"{size:>9,}  {row['engine']:<24} {row['wall']:>7.1f} {row['cpu']:>7.1f} {row['peak_mb']:>8.0f} "
            f"{row['pairs_compared']:>9,} {row['found']:>6,} {row['precision']:>8.4f} {row['recall']:>8.4f} "
            f"{row['f1']:>6.4f} {row['auto_precision']:>7.4f} {row['auto_found']:>6,}"
        )


def verdicts(rows: list[tuple[int, dict | str, str]]) -> list[str]:
    ours = {size: r for size, r, _ in rows if isinstance(r, dict) and r["engine"].startswith("SyncPortal")}
    theirs = {}
    for size, r, _ in rows:
        if isinstance(r, dict) and not r["engine"].startswith("SyncPortal"):
            best = theirs.get(size)
            theirs[size] = r if best is None or r["f1"] > best["f1"] else best
    lines = []
    for size, r in ours.items():
        lines.append(
            f"{size:,}: F1 {r['f1']:.4f} {'meets' if r['f1'] >= GOALS['f1'] else 'MISSES'} >= 0.95; "
            f"precision at auto-suggest {r['auto_precision']:.4f} "
            f"{'meets' if r['auto_precision'] >= GOALS['auto_precision'] else 'MISSES'} >= 0.99"
        )
        if size >= 100_000:
            ok = r["wall"] <= GOALS["seconds_100k"] and r["peak_mb"] <= GOALS["mb_100k"]
            lines.append(
                f"{size:,}: {r['wall']:.1f} s wall ({r['cpu']:.1f} s CPU), {r['peak_mb']:.0f} MB peak: "
                f"{'meets' if ok else 'MISSES'} <= 60 s and <= 1 GB"
            )
        other = theirs.get(size)
        if other:
            faster, better = r["wall"] < other["wall"], r["f1"] > other["f1"]
            lines.append(
                f"{size:,}: vs best recordlinkage ({other['engine']}): "
                f"{other['wall'] / max(r['wall'], 1e-9):.1f}x faster, F1 {r['f1']:.4f} vs {other['f1']:.4f} "
                f"-> {'ahead on both' if faster and better else 'NOT ahead on both'}"
            )
        else:
            lines.append(f"{size:,}: recordlinkage has no result at this size (see the table)")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--review", type=float, default=REVIEW_THRESHOLD)
    parser.add_argument("--auto", type=float, default=AUTO_SUGGEST_THRESHOLD)
    parser.add_argument("--library-timeout", type=float, default=900)
    parser.add_argument("--skip-library", action="store_true")
    parser.add_argument("--worker")
    parser.add_argument("--data")
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.data, args.review, args.auto)
        return
    print(
        f"review threshold {args.review}, auto-suggest threshold {args.auto}, seed {args.seed}, "
        f"{os.cpu_count()} CPUs"
    )
    rows: list[tuple[int, dict | str, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in (int(s) for s in args.sizes.split(",")):
            started = time.perf_counter()
            records, truth = generate(size, args.seed)
            path = os.path.join(tmp, f"{size}.pickle")
            with open(path, "wb") as handle:
                pickle.dump((records, truth), handle)
            print(
                f"{size:,} customers, {len(truth):,} true duplicate pairs, generated in "
                f"{time.perf_counter() - started:.1f} s"
            )
            del records
            engines = [("syncportal", 3600.0)] + (
                [] if args.skip_library else [("recordlinkage", args.library_timeout)]
            )
            for engine, timeout in engines:
                result = run_engine(engine, path, args, timeout)
                if isinstance(result, str):
                    rows.append((size, result, engine))
                else:
                    rows.extend((size, evaluate(figures, truth), engine) for figures in result)
    print()
    table(rows)
    print()
    for line in verdicts(rows):
        print(line)


if __name__ == "__main__":
    main()
