"""Shared pieces of the validation suite: the confidence level, the reduced customs queues
and one run of the whole baseline (committed seed and replications). Each run is a session
fixture shared by every test that needs it, so its replications are paid for once."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sim.engine import dists
from sim.experiment.api import run
from sim.results.run import RunResult
from sim.results.stats import Interval, t_interval
from sim.scenario import Scenario, load_scenario
from tests.conftest import BASELINE, MMC

SCENARIOS = Path(__file__).resolve().parent / "scenarios"
CONFIDENCE = 0.99
"""Every analytic check asks the theory to lie inside the simulation's 99 % interval: with a
fixed seed the test is deterministic, and a correct model fails it for one seed in a hundred."""
DESK = "huaihua.customs.import.officers"


def interval(values: np.ndarray | list[float]) -> Interval:
    return t_interval(np.asarray(values, dtype=float), CONFIDENCE)


def show(label: str, theory: float, ci: Interval, unit: str = "h") -> str:
    """One line for the test log: theory vs simulation ± half-width."""
    line = (
        f"{label}: theory {theory:.4f} {unit}, simulated {ci.mean:.4f} ± {ci.half_width:.4f} "
        f"{unit} ({CONFIDENCE:.0%} CI, n={ci.n})"
    )
    print(line)
    return line


MMC_RUN = {"end": "2023-03-31", "replications": 48}
"""Three months a replication, 48 replications: a 99 % half-width of about 4 % of W."""


def queue_parameters(s: Scenario) -> tuple[float, dists.Distribution, int]:
    """(arrivals per hour, review time distribution, officers) of a reduced customs scenario."""
    (flow,) = s.demand.flows.values()
    assert flow.arrives_by == "truck"
    assert flow.containers_per_shipment == 1
    assert flow.share_40ft == 0
    assert flow.lcl_share == 0
    assert s.customs.import_.inspection_probability == 0
    assert s.customs.import_.working_hours is None
    assert s.terminal.gate.service_h.to_engine().mean == 0
    assert set(s.demand.seasonality.values()) == {1.0}
    assert s.demand.scale == 1
    assert s.demand.response.model == "none"
    desk = s.customs.import_
    return flow.teu_per_week / 168.0, desk.review_h.to_engine(), desk.officers


@pytest.fixture(scope="session")
def mmc() -> tuple[Scenario, RunResult]:
    s = load_scenario(MMC, MMC_RUN)
    return s, run(s, save=False)


@pytest.fixture(scope="session")
def md1() -> tuple[Scenario, RunResult]:
    s = load_scenario(SCENARIOS / "md1_import.yaml")
    return s, run(s, save=False)


@pytest.fixture(scope="session")
def baseline_run() -> RunResult:
    """The baseline scenario with its committed seed and replications, all tables in memory."""
    return run(BASELINE, save=False)
