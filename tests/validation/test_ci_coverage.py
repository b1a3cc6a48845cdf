"""Confidence intervals mean what they say: on the customs desk reduced to an M/M/c queue, the
95 % Student-t interval of mean clearance time over 5 replications covers the Erlang-C value
in about 95 % of independent experiments.

Each experiment is 5 replications under its own seed (experiments share no random numbers);
the interval is :func:`sim.results.stats.t_interval`, as in every KPI summary. The test has
power: intervals that covered 80 % of the time would fail it, and the same intervals cover a
value 20 % off far less often.

To stay fast, a replication is simulated by the real model (``simulate``) and its mean
clearance computed from the recorded columns exactly as the KPI defines it (containers created
in the window whose clearance ended by the horizon); the first test checks that this is the
``clearance_h.import.mean`` KPI itself. Measured on the 2-core development machine: 120
experiments (600 replications of a week) in about 10 s on 2 workers.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.experiment.backends import execute
from sim.experiment.runner import run_one, simulate
from sim.results.stats import survival, t_interval
from sim.scenario import Scenario, load_scenario
from tests.conftest import MMC, MMC_WEEK

ARRIVALS_PER_H = 2.0  # 336 TEU a week, one box a shipment
REVIEW_H = 1.2
REPLICATIONS = 5


def erlang_c_sojourn_h(lam: float, mean_service_h: float, servers: int) -> float:
    """Mean time in an M/M/c system, W = Wq + 1/μ, by the Erlang-C formula."""
    a = lam * mean_service_h
    rho = a / servers
    waiting = a**servers / math.factorial(servers) / (1 - rho)
    p_wait = waiting / (sum(a**k / math.factorial(k) for k in range(servers)) + waiting)
    return p_wait * mean_service_h / (servers * (1 - rho)) + mean_service_h


def mean_clearance_h(scenario: Scenario, replication: int, seed: int) -> float:
    """``clearance_h.import.mean`` of one replication, from the recorded columns: clearances
    still running at the horizon count with their time so far (Kaplan–Meier)."""
    recorder, _ = simulate(scenario, replication, seed)
    c = recorder.tables["containers"].arrays()
    h = scenario.horizon_h
    counted = (c["t_created"] >= 0) & (c["t_created"] < h) & (c["t_customs_start"] < h)
    end, start = c["t_customs_end"][counted], c["t_customs_start"][counted]
    ended = end < h
    return survival(np.where(ended, end, h) - start, ended).mean


def coverage(scenario: Scenario, experiments: int, truth: float) -> dict[str, float]:
    tasks = [(scenario, r, 1000 + e) for e in range(experiments) for r in range(REPLICATIONS)]
    values = np.array(execute(mean_clearance_h, tasks, workers=2)).reshape(experiments, -1)
    intervals = [t_interval(v) for v in values]
    return {
        "covered": float(np.mean([ci.covers(truth) for ci in intervals])),
        "covered_20pct_low": float(np.mean([ci.covers(0.8 * truth) for ci in intervals])),
        "covered_20pct_high": float(np.mean([ci.covers(1.2 * truth) for ci in intervals])),
        "grand_mean": float(values.mean()),
        "mean_half_width": float(np.mean([ci.half_width for ci in intervals])),
    }


def test_the_direct_mean_is_the_clearance_kpi():
    scenario = load_scenario(MMC, MMC_WEEK)
    kpi = run_one(scenario, 3, 1001).kpis["clearance_h.import.mean"]
    assert mean_clearance_h(scenario, 3, 1001) == kpi


def test_erlang_c_reference_values():
    assert erlang_c_sojourn_h(2.0, 1.2, 3) == pytest.approx(2.4944, abs=1e-4)  # mmc_import.yaml
    assert erlang_c_sojourn_h(2.0, 1.2, 4) == pytest.approx(1.4153, abs=1e-4)


def test_95_percent_intervals_cover_the_erlang_c_clearance_time_about_95_percent_of_the_time():
    """M/M/4 (ρ = 0.6) for one week after a day of warm-up; 120 experiments × 5 replications."""
    scenario = load_scenario(MMC, MMC_WEEK)
    truth = erlang_c_sojourn_h(ARRIVALS_PER_H, REVIEW_H, scenario.customs.import_.officers)
    found = coverage(scenario, 120, truth)
    print(f"W = {truth:.4f} h; {found}")
    # 95 % against 80 %: with 120 experiments a true 95 % (or the 92–94 % that a short horizon
    # gives, see the README) falls below 87 % with probability < 1 %, a true 80 % reaches it
    # with probability about 2 %.
    assert 0.87 <= found["covered"] <= 0.99
    assert abs(found["grand_mean"] - truth) < 0.02 * truth
    assert found["covered_20pct_low"] < 0.5
    assert found["covered_20pct_high"] < 0.5


@pytest.mark.slow
def test_coverage_on_the_mmc_import_scenario_as_committed():
    """M/M/3 (ρ = 0.8) for 28 days, as in tests/scenarios/mmc_import.yaml; 200 experiments."""
    scenario = load_scenario(MMC)
    truth = erlang_c_sojourn_h(ARRIVALS_PER_H, REVIEW_H, scenario.customs.import_.officers)
    found = coverage(scenario, 200, truth)
    print(f"W = {truth:.4f} h; {found}")
    assert 0.90 <= found["covered"] <= 0.99
