"""Timetabled trains are a batch server: a container waits for the next departure, and for
later ones while trains leave full.

The reduced scenarios (``scenarios/batch_*.yaml``) keep only one export corridor with
instant gate and customs, so a container's wait for a train is
``t_train_departed − t_customs_end`` and its arrivals are Poisson. Trains leave every H hours
on time with up to K containers, first come first served; the closed form is in
:mod:`tests.validation.theory`: H/2 when K never binds, H/2 + E[X]/λ with the stationary
backlog X' = max(X + A − K, 0) otherwise.

The estimate uses containers created in the window up to a margin of several headways
before the horizon, all of which have left by then, so the wait of none is cut off.
"""

from __future__ import annotations

import numpy as np
import pytest

from sim.experiment.api import run
from sim.scenario import Scenario, load_scenario
from sim.scenario.schema import Headway
from tests.validation import theory
from tests.validation.conftest import SCENARIOS, interval, show

MARGIN_HEADWAYS = 10


def service_parameters(s: Scenario) -> tuple[float, float, int]:
    """(arrivals per hour, headway in hours, capacity in containers) of a batch scenario."""
    (corridor,) = s.corridors.values()
    (flow,) = s.demand.flows.values()
    trains = corridor.trains.export
    assert isinstance(trains.schedule, Headway)
    assert trains.policy == "timetable"
    assert trains.open_h < trains.schedule.headway_h
    assert flow.direction == "export"
    assert flow.containers_per_shipment == 1
    assert flow.share_40ft == 0  # one container is one TEU, so capacity counts containers
    assert flow.lcl_share == 0
    assert s.customs.export.review_h.to_engine().mean == 0
    assert s.customs.export.inspection_probability == 0
    assert set(s.demand.seasonality.values()) == {1.0}
    assert s.demand.scale == 1
    assert s.demand.response.model == "none"
    return flow.teu_per_week / 168.0, trains.schedule.headway_h, trains.capacity_teu


@pytest.mark.parametrize(
    ("name", "binds"),
    [("batch_underloaded", False), ("batch_capacity_bound", True)],
)
def test_mean_wait_for_a_train_is_the_batch_service_closed_form(name, binds):
    s = load_scenario(SCENARIOS / f"{name}.yaml")
    lam, headway, capacity = service_parameters(s)
    result = run(s, save=False)
    c = result.containers
    counted = (c["t_created"] >= 0) & (c["t_created"] < s.horizon_h - MARGIN_HEADWAYS * headway)
    c = c[counted]
    assert c["t_train_departed"].notna().all(), "a counted container never left"
    assert (c["t_customs_end"] == c["t_created"]).all(), "gate and customs are not instant"
    wait = (c["t_train_departed"] - c["t_customs_end"]).groupby(c["replication"]).mean()

    trains = result.trains[result.trains["ran"]]
    full = float((trains["teu"] == capacity).mean())
    expected = theory.batch_wait_h(lam, headway, capacity)
    ci = interval(wait.to_numpy())
    show(f"{name}: wait for a train (H = {headway:g} h, K = {capacity})", expected, ci)
    print(f"{name}: {full:.1%} of trains left full")
    assert ci.covers(expected)
    assert ci.half_width < 0.06 * expected
    if binds:
        assert expected > headway / 2 + 1  # the overflow matters ...
        assert full > 0.2  # ... and trains do leave full
    else:
        assert expected == pytest.approx(headway / 2, abs=1e-6)
        assert full == 0.0
    # Trains leave on time: loading never holds a departure.
    late = trains["t_departed"] - trains["t_scheduled"]
    assert float(late.max()) == pytest.approx(0.0, abs=1e-3)
    assert np.all(trains["teu"] <= capacity)
