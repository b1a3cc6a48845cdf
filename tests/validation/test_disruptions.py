"""Disruptions conserve cargo, and a comparison measures recovery from them: the shipped
disruption scenarios run whole with every invariant of the baseline, and compared with the
baseline their recovery KPIs say what the disruption did."""

from __future__ import annotations

import math

import pytest

from sim.experiment.api import run
from sim.experiment.compare import compare
from sim.scenario import load_scenario
from tests.conftest import BASELINE, ROOT
from tests.validation import invariants

SHIPPED = sorted((ROOT / "scenarios" / "disruptions").glob("*.yaml"))


def test_every_kind_is_shipped_in_a_scenario():
    kinds = {d.kind for path in SHIPPED for d in load_scenario(path).disruptions}
    assert {
        "border_closure",
        "port_closure",
        "line_outage",
        "capacity_change",
        "demand_change",
    } <= kinds


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_nothing_is_lost_through_a_disruption(path):
    s = load_scenario(path, {"replications": 1})
    r = run(s, save=False)
    invariants.milestones_in_flow_order(r.containers)
    invariants.trains_carry_their_containers(r.containers, r.trains)
    invariants.resources_within_capacity(r.queues)
    parts = invariants.teu_balance(r.containers, r.trains, r.queues, s.horizon_h, s.hub)
    assert parts["delivered"] > 0


@pytest.fixture(scope="module")
def mohan():
    return compare(
        BASELINE, ROOT / "scenarios/disruptions/mohan-closure-10d.yaml", replications=2, save=False
    )


def test_a_border_closure_delays_cargo_on_its_corridor_only(mohan):
    s = mohan.recovery_summary.set_index("kpi")["mean"]
    key = "recovery.mohan_closure"
    assert s[f"{key}.china_laos.teu_delayed"] > 0
    assert s[f"{key}.china_laos.trains_held"] >= 2  # one train each way meets it
    # the export train waits 140–180 h at the border and the import train about 10 h: the
    # delayed TEU are late by a mix of the two
    assert 30 < s[f"{key}.china_laos.extra_h_per_delayed_teu"] < 200
    assert s[f"{key}.china_laos.peak_backlog_teu"] > 0
    assert s[f"{key}.china_laos.trains_cancelled"] == 0
    assert s[f"{key}.china_vietnam.trains_held"] == 0
    assert s[f"{key}.china_vietnam.peak_backlog_teu"] == 0
    assert math.isfinite(s[f"{key}.china_laos.recovery_h"])


def test_a_port_closure_cancels_the_sailings_in_its_window():
    c = compare(
        BASELINE, ROOT / "scenarios/disruptions/qinzhou-typhoon-3d.yaml", replications=1, save=False
    )
    s = c.recovery_summary.set_index("kpi")["mean"]
    # Haiphong (Tue 8th), Ho Chi Minh City (Wed 9th), Bangkok (Thu 10th), all at 18:00
    assert s["recovery.qinzhou_typhoon.qinzhou_rail_sea.sailings_cancelled"] == 3
    assert s["recovery.qinzhou_typhoon.qinzhou_rail_sea.teu_delayed"] > 0


def test_a_comparison_with_disruptions_computes_every_recovery_family(mohan):
    from sim.results.kpis import KPIS
    from sim.results.kpis.registry import Paired

    names = [str(k) for k in mohan.recovery_summary["kpi"]]
    found = {KPIS.family(n).pattern for n in names}  # type: ignore[union-attr]
    assert found == {f.pattern for f in KPIS if isinstance(f.compute, Paired)}


def test_a_port_closure_with_delayed_sailings_sends_them_together_when_it_reopens():
    """Qinzhou closed from Tuesday 10 January 08:00 for 72 h with ``sailings: delay``: the
    sailings due in the window (Haiphong Tuesday, Ho Chi Minh City Wednesday, Bangkok
    Thursday) are not cancelled but bunch, all leaving at the hour it reopens; the others keep
    their days."""
    from sim.experiment.runner import run_one
    from sim.results.tables import frame
    from tests.conftest import SHORT_MONTH

    item = {"kind": "port_closure", "name": "typhoon", "target": "qinzhou",
            "start": "2023-01-10 08:00", "duration_h": 72, "sailings": "delay"}
    overrides = {**SHORT_MONTH, "replications": 1}
    before = frame(run_one(load_scenario(BASELINE, overrides), 0).tables["vessels"])
    after = frame(
        run_one(load_scenario(BASELINE, {**overrides, "disruptions": [item]}), 0).tables["vessels"]
    )
    reopen = 9 * 24 + 8 + 72
    held = after[after["disruption"] == "typhoon"]
    assert sorted(set(held["port"])) == ["bangkok", "haiphong", "ho_chi_minh"]
    assert (held["t_sailed"] == reopen).all()
    assert not after["cancelled"].any()
    due = before[(before["t_sailed"] >= reopen - 72) & (before["t_sailed"] < reopen)]
    assert sorted(set(due["port"])) == ["bangkok", "haiphong", "ho_chi_minh"]
    assert (due["t_sailed"] < reopen).all()  # undisrupted, they left on their days
    # every other sailing that carried cargo left at one of its timetable's hours (a row is
    # written only for a sailing that carried something)
    others = after[after["disruption"].isna()]
    assert set(others["t_sailed"]) <= set(before["t_sailed"])
    assert len(others) > 0.8 * len(before)
