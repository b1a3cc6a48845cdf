"""An independent simulator agrees: Ciw (a test-only dependency) runs the same reduced import
customs queues — M/M/c and M/D/1, parameters read from the same scenario files — and its
mean clearance time equals landport's within a 99 % Welch interval of the difference.

Both are estimated the same way as the KPI ``clearance_h.import.mean``: containers arriving
in the statistics window after the warm-up, whose clearance ended before the horizon, where
both simulations stop. Ciw draws from its own numpy generators (one per distribution, spawned
from a fixed seed), never from global random state; its tie-breaking between simultaneous
events uses the global ``random`` module, but ties have probability zero here.
"""

from __future__ import annotations

import ciw
import numpy as np
import pytest

from sim.engine import dists
from sim.results.stats import welch_interval
from sim.scenario import Scenario
from tests.validation import theory
from tests.validation.conftest import CONFIDENCE, interval, queue_parameters, show

CIW_REPLICATIONS = 20
CIW_SEED = 20240601


class _Draws(ciw.dists.Distribution):
    """A Ciw distribution drawing from one of our distributions with its own generator."""

    def __init__(self, dist: dists.Distribution, rng: np.random.Generator) -> None:
        self.dist = dist
        self.rng = rng

    def sample(self, t: float | None = None, ind: object = None) -> float:
        return float(self.dist.sample(self.rng))


def ciw_clearance(s: Scenario, replications: int, seed: int) -> np.ndarray:
    """Mean time in the customs queue per Ciw replication of reduced scenario ``s``."""
    lam, review, servers = queue_parameters(s)
    start, stop = s.warmup_h, s.warmup_h + s.horizon_h  # Ciw's clock starts at 0
    out = []
    for rep in range(replications):
        arrivals, service = (
            np.random.default_rng(q)
            for q in np.random.SeedSequence(seed, spawn_key=(rep,)).spawn(2)
        )
        network = ciw.create_network(
            arrival_distributions=[_Draws(dists.Exponential(1.0 / lam), arrivals)],
            service_distributions=[_Draws(review, service)],
            number_of_servers=[servers],
        )
        sim = ciw.Simulation(network)
        sim.simulate_until_max_time(stop)
        sojourn = [
            r.exit_date - r.arrival_date
            for r in sim.get_all_records()
            if start <= r.arrival_date < stop and r.exit_date < stop
        ]
        out.append(np.mean(sojourn))
    return np.asarray(out)


@pytest.mark.parametrize("queue", ["mmc", "md1"])
def test_ciw_gives_the_same_mean_clearance_as_landport(queue, request):
    s, result = request.getfixturevalue(queue)
    lam, review, servers = queue_parameters(s)
    ours = result.wide()["clearance_h.import.mean"].to_numpy()
    theirs = ciw_clearance(s, CIW_REPLICATIONS, CIW_SEED)
    if isinstance(review, dists.Exponential):
        expected = theory.mmc_sojourn_h(lam, review.mean, servers)
    else:
        expected = theory.mg1_sojourn_h(lam, review.mean, review.variance)
    show(f"{s.name} landport", expected, interval(ours))
    show(f"{s.name} Ciw {ciw.__version__}", expected, interval(theirs))
    diff = welch_interval(theirs, ours, CONFIDENCE)
    print(f"{s.name} landport − Ciw: {diff.mean:+.4f} ± {diff.half_width:.4f} h")
    assert diff.covers(0.0)
    assert interval(theirs).covers(expected)  # and Ciw itself is right
