"""``python -m tests.fuzz [--count N] [--runs M] [--seed S] [--workers W]``: run the fuzz
cases and print the outcome table (tried, clean errors, accepted, failures) and every failure.

The README's table comes from ``python -m tests.fuzz --count 1500 --runs 400 --workers 2``.
Exit status 1 when any case failed.
"""

from __future__ import annotations

import argparse
import sys
import time

from tests.fuzz.harness import run_cases
from tests.fuzz.mutants import scenario_cases, set_cases


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.fuzz", description=__doc__)
    parser.add_argument("--count", type=int, default=1500, help="mutated scenario files")
    parser.add_argument("--runs", type=int, default=400, help="accepted ones to run")
    parser.add_argument("--seed", type=int, default=20260101)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    t0 = time.perf_counter()
    cases = scenario_cases(args.seed, args.count) + set_cases()
    tally = run_cases(cases, runs=args.runs, workers=args.workers)
    print(tally.table())
    for o in tally.failures():
        print(f"#{o.case} [{o.phase}] {o.kind}: {o.note[:100]} → {o.outcome}: {o.detail}")
    print(f"{time.perf_counter() - t0:.0f} s")
    return 1 if tally.failures() else 0


if __name__ == "__main__":
    sys.exit(main())
