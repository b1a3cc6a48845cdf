"""Speed of one baseline replication, beside plain SimPy's M/M/4 rate measured in the same run.

    .venv/bin/python benchmarks/bench_baseline.py [--repeats 5]

Budget (issue: core simulation): one replication of the baseline in under 2 s wall on a
2-core machine. Reports the median over repeats of: simulation wall time, the KPIs of one
replication (its recorded columns and KPIs, everything after the simulation), full
replication wall time (simulation + KPIs), container journeys per second, SimPy events per
container, and plain SimPy's M/M/4 customers per second (a process per customer, the usual
way).
Machines are shared and noisy: compare medians and ratios from one run, not across runs.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from mm4_simpy import mm4_customers_per_second

from sim.engine import collector_paused
from sim.experiment.runner import measure, run_one, simulate
from sim.scenario import load_scenario

ROOT = Path(__file__).resolve().parent.parent
BUDGET_S = 2.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--json", action="store_true", help="print the numbers as JSON")
    args = parser.parse_args()

    scenario = load_scenario(ROOT / "scenarios" / "baseline.yaml")
    sim_s, kpis_s, full_s, containers, events = [], [], [], [], []
    for rep in range(args.repeats):
        started = time.perf_counter()
        recorder, n_events = simulate(scenario, rep)
        sim_s.append(time.perf_counter() - started)
        with collector_paused():  # as run_one measures
            started = time.perf_counter()
            measure(scenario, recorder)
            kpis_s.append(time.perf_counter() - started)
        containers.append(recorder.tables["containers"].n)
        events.append(n_events)
        started = time.perf_counter()
        run_one(scenario, rep)
        full_s.append(time.perf_counter() - started)
    simpy_rate = statistics.median(mm4_customers_per_second() for _ in range(args.repeats))

    sim_med = statistics.median(sim_s)
    journeys = statistics.median(c / s for c, s in zip(containers, sim_s, strict=True))
    result = {
        "replication_sim_s_median": round(sim_med, 3),
        "replication_kpis_s_median": round(statistics.median(kpis_s), 4),
        "replication_with_kpis_s_median": round(statistics.median(full_s), 3),
        "budget_s": BUDGET_S,
        "within_budget": statistics.median(full_s) < BUDGET_S,
        "containers_median": statistics.median(containers),
        "events_per_container": round(statistics.median(events) / statistics.median(containers), 2),
        "container_journeys_per_s": round(journeys),
        "plain_simpy_mm4_customers_per_s": round(simpy_rate),
        "ratio_journeys_to_mm4_customers": round(journeys / simpy_rate, 2),
    }
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        width = max(map(len, result))
        for key, value in result.items():
            print(f"{key:<{width}}  {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
