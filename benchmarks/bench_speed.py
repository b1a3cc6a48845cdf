"""Every speed figure of landport in one run, beside plain SimPy measured in the same process.

    .venv/bin/python benchmarks/bench_speed.py [--repeats 5] [--json] [--skip-cli]

Rows (targets in brackets):

* container journeys per second ÷ plain SimPy's M/M/4 customers per second, paired
  (each baseline replication followed by one M/M/4 run) [≥ 1.0]; and the run's heap entries
  (SimPy events and scheduled calls) per second ÷ the steps per second of a bare SimPy
  callback chain (a timeout whose callback makes the next one): what an event of the model
  costs beside SimPy's least;
* one baseline replication with its tables and KPIs, in a warm process [≤ 0.12 s];
* cost per container at ×10 demand over two years against ×1 over eight months, trains and
  hub scaled as in ``bench_growth.py`` [≤ ×1.1];
* bytes recorded per container (tables and level series) [≤ 400 B];
* ``landport run -n 30`` on 1 and on 2 workers [≤ 5 s, ≥ 1.8×];
* ``landport --help`` and ``landport validate`` start-up, beside ``python -c pass``
  [≤ 0.25 s].

Medians with [min, max] over the repeats. Machines are shared and noisy: compare medians and
ratios from one run, not across runs.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import simpy

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_growth import scaled
from mm4_simpy import mm4_customers_per_second

from sim.experiment.runner import run_one, simulate
from sim.scenario import load_scenario

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "scenarios" / "baseline.yaml"


def chain_steps_per_second(steps: int = 200_000, seed: int = 1) -> float:
    """A bare SimPy callback chain: each timeout's callback creates the next timeout."""
    delays = np.random.default_rng(seed).exponential(1.0, steps).tolist()
    env = simpy.Environment()
    it = iter(delays)

    def step(_: simpy.Event) -> None:
        delay = next(it, None)
        if delay is not None:
            env.timeout(delay).callbacks.append(step)

    env.timeout(0).callbacks.append(step)
    started = time.perf_counter()
    env.run()
    return steps / (time.perf_counter() - started)


def spread(values: Sequence[float], digits: int = 3) -> dict[str, Any]:
    return {
        "median": round(statistics.median(values), digits),
        "range": [round(min(values), digits), round(max(values), digits)],
    }


ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
"""Commands start as on an installed machine, where Python keeps the bytecode it compiles
(some shells set PYTHONDONTWRITEBYTECODE; then every start would compile again)."""


def wall(cmd: list[str], repeats: int) -> list[float]:
    out = []
    for _ in range(repeats):
        started = time.perf_counter()
        subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True, env=ENV)
        out.append(time.perf_counter() - started)
    return out


def engine_rows(repeats: int) -> dict[str, Any]:
    scenario = load_scenario(BASELINE)
    ratio_mm4, ratio_chain, journeys, mm4, chain = [], [], [], [], []
    per_container_b, events_per_container = [], []
    for rep in range(repeats):
        started = time.perf_counter()
        recorder, events = simulate(scenario, rep)
        sim_s = time.perf_counter() - started
        n = recorder.tables["containers"].n
        journeys.append(n / sim_s)
        events_per_container.append(events / n)
        per_container_b.append(recorder.nbytes / n)
        mm4.append(mm4_customers_per_second())
        chain.append(chain_steps_per_second())
        ratio_mm4.append(journeys[-1] / mm4[-1])
        ratio_chain.append(journeys[-1] * events_per_container[-1] / chain[-1])
    replication = []
    for rep in range(repeats):
        started = time.perf_counter()
        run_one(scenario, rep)
        replication.append(time.perf_counter() - started)
    return {
        "journeys_per_s": spread(journeys, 0),
        "mm4_customers_per_s": spread(mm4, 0),
        "chain_steps_per_s": spread(chain, 0),
        "journeys_over_mm4": spread(ratio_mm4, 2) | {"target": ">= 1.0"},
        "events_per_container": spread(events_per_container, 2),
        "events_per_s_over_chain_steps": spread(ratio_chain, 2),
        "replication_s": spread(replication) | {"target": "<= 0.12"},
        "bytes_per_container": spread(per_container_b, 0) | {"target": "<= 400"},
    }


def growth_row(repeats: int) -> dict[str, Any]:
    base = load_scenario(BASELINE)
    small = load_scenario(BASELINE, scaled(base, 1))
    big = load_scenario(BASELINE, {**scaled(base, 10), "end": "2024-12-31"})
    us: dict[str, list[float]] = {"x1_8_months": [], "x10_2_years": []}
    for rep in range(repeats):
        for name, scenario in (("x1_8_months", small), ("x10_2_years", big)):
            started = time.perf_counter()
            recorder, _ = simulate(scenario, rep)
            us[name].append((time.perf_counter() - started) / recorder.tables["containers"].n * 1e6)
    ratios = [b / a for a, b in zip(us["x1_8_months"], us["x10_2_years"], strict=True)]
    return {
        "us_per_container_x1_8_months": spread(us["x1_8_months"], 2),
        "us_per_container_x10_2_years": spread(us["x10_2_years"], 2),
        "ratio": spread(ratios, 2) | {"target": "<= 1.1"},
    }


def cli_rows(repeats: int, landport: str) -> dict[str, Any]:
    # The bytecode of the package, written once as an install or the first start writes it.
    subprocess.run([sys.executable, "-m", "compileall", "-q", "sim"], cwd=ROOT, check=True, env=ENV)
    with tempfile.TemporaryDirectory() as tmp:
        runs: dict[int, list[float]] = {1: [], 2: []}
        for i in range(repeats):
            for workers in (1, 2):
                out = str(Path(tmp) / f"run-{workers}-{i}")
                cmd = [landport, "run", str(BASELINE), "-n", "30", "--workers", str(workers)]
                runs[workers] += wall([*cmd, "--out", out], 1)
    speedup = [a / b for a, b in zip(runs[1], runs[2], strict=True)]
    starts = max(repeats, 5)
    return {
        "run_n30_1_worker_s": spread(runs[1], 2),
        "run_n30_2_workers_s": spread(runs[2], 2) | {"target": "<= 5"},
        "run_n30_speedup": spread(speedup, 2) | {"target": ">= 1.8"},
        "python_pass_s": spread(wall([sys.executable, "-c", "pass"], starts)),
        "help_s": spread(wall([landport, "--help"], starts)) | {"target": "<= 0.25"},
        "validate_s": spread(wall([landport, "validate", str(BASELINE)], starts))
        | {"target": "<= 0.25"},
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--growth-repeats", type=int, default=1)
    parser.add_argument("--cli-repeats", type=int, default=1)
    parser.add_argument("--skip-cli", action="store_true", help="no landport subprocesses")
    parser.add_argument("--json", action="store_true", help="print the numbers as JSON")
    args = parser.parse_args()
    landport = str(Path(sys.executable).parent / "landport")
    steps: list[tuple[str, Callable[[], dict[str, Any]]]] = [
        ("engine", lambda: engine_rows(args.repeats)),
        ("growth", lambda: growth_row(args.growth_repeats)),
    ]
    if not args.skip_cli:
        steps.append(("cli", lambda: cli_rows(args.cli_repeats, landport)))
    result = {}
    for name, fn in steps:
        result[name] = fn()
        if not args.json:
            for key, value in result[name].items():
                print(f"{key:32} {value}", flush=True)
    if args.json:
        print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
