"""Soak: the suite's two-way convergence state machine (tests/integrations/pull/convergence_machine.py)
for ≥ 2,000 examples, and the counts of what it did.

Runs the convergence test through pytest in this process (pytest-django makes a fresh test database,
the session fixture starts the QBO sandbox in a thread on a free port, exactly as in the suite), with
``CONVERGENCE_EXAMPLES`` split over the two conflict policies it covers (newest wins, ask), then
prints the counts the machine kept: examples, steps, local and QuickBooks edits, webhook and API
faults by kind, worker restarts, conflicts opened/resolved, QuickBooks writes against what local
edits and resolutions allow, duplicates and lost edits (both must be 0), and wall time.

    .venv/bin/python bench/soak.py [--examples 2000] [--quick] [--steps 8]

A failing example stops the run and pytest prints hypothesis' minimal failing sequence of steps.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEST = "tests/integrations/pull/test_convergence.py"


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--examples", type=int, default=2000, help="examples in all (two policies share them)"
    )
    parser.add_argument("--quick", action="store_true", help="200 examples (the suite's own count)")
    parser.add_argument("--steps", type=int, default=8, help="at most this many steps per example")
    args = parser.parse_args()
    examples = 200 if args.quick else args.examples
    stats_path = Path(tempfile.mkdtemp(prefix="soak_")) / "stats.jsonl"
    os.environ.update(
        CONVERGENCE_EXAMPLES=str(max(1, examples // 2)),
        CONVERGENCE_STEPS=str(args.steps),
        CONVERGENCE_STATS=str(stats_path),
        LOG_LEVEL=os.environ.get("LOG_LEVEL", "WARNING"),
    )
    os.chdir(ROOT)
    sys.path.insert(0, str(ROOT))
    import pytest

    started = time.perf_counter()
    code = pytest.main([TEST, "-p", "no:cacheprovider", "-x", "-W", "ignore::UserWarning"])
    wall = time.perf_counter() - started
    runs = [json.loads(line) for line in stats_path.read_text().splitlines()] if stats_path.exists() else []
    report(runs, wall, passed=code == 0)
    return int(code)


def report(runs: list[dict], wall: float, *, passed: bool) -> None:
    total: Counter = Counter()
    for run in runs:
        total.update({k: v for k, v in run.items() if isinstance(v, int) and k != "conflicts_open_at_end"})
    open_at_end = sum(run.get("conflicts_open_at_end", 0) for run in runs)

    def by_prefix(prefix: str) -> str:
        kinds = {k[len(prefix) :]: v for k, v in sorted(total.items()) if k.startswith(prefix)}
        return ", ".join(f"{k} {v}" for k, v in kinds.items()) or "none"

    resolved = sum(v for k, v in total.items() if k.startswith("resolved_"))
    print()
    print(f"soak: {'PASSED' if passed else 'FAILED'} ({', '.join(r['policy'] for r in runs)} policies)")
    print(f"  examples                 {total['examples']:>8}")
    print(f"  steps                    {total['steps']:>8}")
    print(f"  local edits              {total['local_edits']:>8}  (of which money: {total['money_local']})")
    print(f"  QuickBooks edits         {total['qbo_edits']:>8}  (money: {by_prefix('qbo_money_')})")
    print(f"  webhook faults           {by_prefix('webhook_')}")
    print(f"  API faults               {by_prefix('api_fault_')}")
    print(
        f"  worker restarts          {sum(v for k, v in total.items() if k.startswith('restart_'))}"
        f"  ({by_prefix('restart_')})"
    )
    print(f"  conflicts opened         {total['conflicts_opened']:>8}  open at the end: {open_at_end}")
    print(f"  conflicts resolved       {resolved:>8}  ({by_prefix('resolved_')})")
    print(
        f"  QuickBooks writes        {total['qbo_writes']:>8}  customer writes, against ≤ "
        f"{total['qbo_writes_expected_at_most']} local edits + resolutions (coalesced edits make it lower)"
    )
    print(
        f"  money checked            {total['money_checked_customers']:>8}  customer settlements "
        f"({total['money_disputed_customers']} with an open amount conflict)"
    )
    print(f"  duplicates found         {total['duplicates_found']:>8}")
    print(f"  lost edits               {total['lost_edits']:>8}")
    print(f"  wall time                {wall:>8.1f} s  ({wall / max(1, total['examples']):.2f} s/example)")


if __name__ == "__main__":
    sys.exit(main())
