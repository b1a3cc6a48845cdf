"""Conservation and causality, on every container of the baseline run and on short random
scenarios (hypothesis): milestones in flow order, each container on one train, no train or
resource above capacity, TEU in = TEU out + TEU in the system."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.experiment.api import run
from sim.scenario import load_scenario
from tests.conftest import BASELINE
from tests.validation import invariants


def test_baseline_milestones_are_in_flow_order(baseline_run):
    invariants.milestones_in_flow_order(baseline_run.containers)


def test_baseline_trains_carry_each_container_once_and_within_capacity(baseline_run):
    invariants.trains_carry_their_containers(baseline_run.containers, baseline_run.trains)


def test_baseline_resources_never_exceed_capacity(baseline_run):
    invariants.resources_within_capacity(baseline_run.queues)


def test_baseline_teu_in_equals_out_plus_in_system(baseline, baseline_run):
    parts = invariants.teu_balance(
        baseline_run.containers,
        baseline_run.trains,
        baseline_run.queues,
        baseline.horizon_h,
        baseline.hub,
    )
    print("baseline TEU at the horizon, all replications:", parts)
    assert parts["delivered"] > 0
    assert parts["in the hub"] > 0
    assert parts["on a train"] > 0


SHORT = {"end": "2023-01-31", "warmup_days": 7, "replications": 1}

overrides = st.fixed_dictionaries(
    {
        "seed": st.integers(0, 2**31 - 1),
        "customs.import.officers": st.integers(1, 5),
        "customs.export.officers": st.integers(1, 3),
        "customs.import.inspection_probability": st.sampled_from([0.0, 0.08, 0.5]),
        "terminal.yard.capacity_teu": st.sampled_from([160, 400, 3000]),
        "terminal.gate.lanes": st.integers(1, 4),
        "terminal.sidings.count": st.integers(1, 11),
        "terminal.tracks.count": st.integers(1, 3),
        "terminal.handling.units": st.integers(1, 4),
        "terminal.handling.teu_per_h": st.sampled_from([4, 12, 40]),
        "corridors.qinzhou_rail_sea.trains.export.capacity_teu": st.sampled_from([20, 50, 80]),
        "corridors.qinzhou_rail_sea.trains.export.policy": st.sampled_from(
            ["timetable", "when_full"]
        ),
        "corridors.china_laos.trains.import.capacity_teu": st.sampled_from([10, 80]),
        "demand.scale": st.sampled_from([0.5, 1.0, 2.0]),
    }
)


@settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(overrides)
def test_conservation_and_causality_hold_in_random_short_scenarios(sets: dict[str, Any]):
    scenario = load_scenario(BASELINE, {**SHORT, **sets})
    result = run(scenario, save=False, workers=1)
    c, trains, queues = result.containers, result.trains, result.queues
    invariants.milestones_in_flow_order(c)
    invariants.trains_carry_their_containers(c, trains)
    invariants.resources_within_capacity(queues)
    invariants.teu_balance(c, trains, queues, scenario.horizon_h, scenario.hub)


# ---------------------------------------------------------------------------- the checks bite


def test_a_milestone_out_of_order_is_caught(baseline_run):
    c = baseline_run.containers.copy()
    i = c.index[(c["direction"] == "import") & c["t_customs_end"].notna()][0]
    c.loc[i, "t_customs_end"] = c.loc[i, "t_customs_start"] - 1.0
    with pytest.raises(AssertionError, match="milestone before an earlier one"):
        invariants.milestones_in_flow_order(c)


def test_a_container_counted_on_a_train_twice_is_caught(baseline_run):
    trains = baseline_run.trains.copy()
    i = trains.index[trains["ran"]][0]
    trains.loc[i, "containers"] += 1
    with pytest.raises(AssertionError, match="count differs"):
        invariants.trains_carry_their_containers(baseline_run.containers, trains)


def test_a_lost_container_is_caught(baseline, baseline_run):
    c = baseline_run.containers
    moving = c["t_train_departed"].notna() & c["t_train_arrived"].isna()
    lost = c.drop(index=c.index[moving][:1])
    with pytest.raises(AssertionError, match="rail TEU"):
        invariants.teu_balance(
            lost, baseline_run.trains, baseline_run.queues, baseline.horizon_h, baseline.hub
        )
