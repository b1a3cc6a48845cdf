"""Disruptions on an overloaded hub, and the watchdog around disruptions.

* Every kind of disruption at once, on a hub at three, five and ten times today's demand, with
  one import officer or with a tiny yard: the run reaches its horizon, nothing is lost, every
  container ends delivered, turned away or in a named state, the KPIs agree with the tables
  (backlog and turned-away TEU and share), trains keep leaving once the disruptions are over,
  and the overload shows where it should (shippers turned away; a customs backlog).
* The same compared with the undisrupted hub under the same overload: the recovery KPIs are
  consistent (a corridor not back within its band by the end says so, with the hours to the
  end as a lower bound), and the disruption's cost shows as shippers turned away when the
  trains are full.
* A disruption that leaves the hub unable to work stops with one clear error line.
* The watchdog lets a planned closure of every kind pass although it lasts longer than the
  patience of every probe, and still stops a model really stuck during or after one.
"""

from __future__ import annotations

from typing import Any

import pytest
import simpy

from sim.engine import Recorder, Stalled, Streams
from sim.experiment.compare import compare
from sim.experiment.runner import run_one, run_until
from sim.model import build
from sim.results.kpis.recovery import Settings
from sim.results.states import STATES, states_at
from sim.results.tables import frame, queue_frame
from sim.scenario import Scenario, load_scenario
from tests.conftest import BASELINE, flat, landport
from tests.validation import invariants
from tests.validation.test_growth import export_departure_gaps

RUN = {"end": "2023-02-10", "warmup_days": 7, "replications": 1}
"""Five weeks of the baseline: every disruption below is over a week before the end."""

EVERY_KIND = [
    {"kind": "border_closure", "target": "mohan", "start": "2023-01-04", "duration_h": 240,
     "trains": "wait"},
    {"kind": "port_closure", "target": "qinzhou", "start": "2023-01-10 08:00", "duration_h": 72,
     "sailings": "cancel"},
    {"kind": "line_outage", "target": ["huaihua", "liuzhou"], "start": "2023-01-12",
     "duration_h": 120, "trains": "wait"},
    {"kind": "resource_outage", "target": "customs", "start": "2023-01-14 06:00",
     "duration_h": 8},
    {"kind": "capacity_change", "target": "handling", "start": "2023-01-16", "duration_h": 168,
     "factor": 0.5},
    {"kind": "demand_change", "target": "all", "start": "2023-01-18", "duration_h": 120,
     "factor": 1.5},
]
"""One of each kind, staggered over January; the last is over on 23 January."""
LAST_END_H = (22 + 5) * 24.0
"""The end of the last disruption (23 January, 00:00), in hours from the start date."""

LOADS = {
    "demand x3": {"demand.scale": 3},
    "demand x5": {"demand.scale": 5},
    "demand x10": {"demand.scale": 10},
    "one import officer": {"customs.import.officers": 1},
    "tiny yard, demand x3": {"demand.scale": 3, "terminal.yard.capacity_teu": 200},
}
LEAST_TURNED_AWAY_SHARE = {"demand x3": 0.2, "demand x5": 0.4, "demand x10": 0.6}
"""At k times today's demand on today's trains about 1 − 1/k of the cargo cannot be carried;
these are looser bounds, since the window is short and the disruptions add their own."""


def disrupted(load: dict[str, Any], items: list[dict[str, Any]] = EVERY_KIND) -> Scenario:
    return load_scenario(BASELINE, {**RUN, **load, "disruptions": items})


@pytest.fixture(scope="module")
def reference() -> dict[str, float]:
    """The KPIs of the disrupted hub at today's demand and staffing."""
    return run_one(disrupted({}), 0).kpis


@pytest.mark.parametrize("load", LOADS, ids=str)
def test_an_overloaded_hub_runs_through_every_kind_of_disruption_and_says_what_happened(
    load: str, reference: dict[str, float]
) -> None:
    s = disrupted(LOADS[load])
    result = run_one(s, 0)  # raises Stalled if the watchdog fires
    k = result.kpis
    c, trains = (frame(result.tables[n]).assign(replication=0) for n in ("containers", "trains"))
    queues = queue_frame(result.series).assign(replication=0)
    h = s.horizon_h

    # nothing is lost, and every container is somewhere named
    invariants.milestones_in_flow_order(c)
    invariants.trains_carry_their_containers(c, trains)
    invariants.resources_within_capacity(queues)
    invariants.teu_balance(c, trains, queues, h, s.hub)
    born = c[c["t_created"] < h]
    assert set(states_at(born, h)) <= set(STATES)

    # the flow KPIs are those of the tables: of the containers created in the window (after
    # the warm-up), each is delivered, turned away or still in the system; the backlog is
    # every container in the system at the horizon, warm-up ones included
    away = born["t_turned_away"] < h
    gone = away | (born["t_delivered"] < h)
    window = born["t_created"] >= 0
    assert k["containers.created"] == window.sum()
    assert k["containers.delivered"] + k["containers.turned_away"] + (window & ~gone).sum() == (
        k["containers.created"]
    )
    assert k["containers.in_system"] == (~gone).sum()
    assert k["backlog_teu.total"] == born.loc[~gone, "teu"].sum()
    assert k["turned_away_teu.total"] == born.loc[window & away, "teu"].sum()
    assert k["turned_away_share.total"] == pytest.approx(
        born.loc[window & away, "teu"].sum() / born.loc[window, "teu"].sum()
    )
    for corridor in s.corridors:
        for direction in ("export", "import"):
            mine = (born["corridor"] == corridor) & (born["direction"] == direction)
            assert k[f"backlog_teu.{corridor}.{direction}"] == born.loc[mine & ~gone, "teu"].sum()

    # the disruptions are over and the trains leave again
    assert not export_departure_gaps(s, trains, c)
    left = trains[(trains["direction"] == "export") & trains["ran"]]["t_departed"]
    assert (left > LAST_END_H).sum() >= 3

    # the overload shows where it should
    if load in LEAST_TURNED_AWAY_SHARE:
        assert k["turned_away_share.total"] > LEAST_TURNED_AWAY_SHARE[load]
    if load == "one import officer":
        customs = "backlog_teu.state.in_customs"
        assert k[customs] > 2 * reference[customs]
    if load.startswith("tiny yard"):
        assert k["turned_away_share.total"] > reference["turned_away_share.total"]


def test_recovery_under_overload_is_measured_against_the_same_overload() -> None:
    """At five times today's demand, undisrupted against disrupted (paired): every recovery
    KPI is consistent with the others, and with the trains full the line outage's cost shows
    as shippers turned away rather than as a backlog that cannot grow."""
    load = LOADS["demand x5"]
    s = disrupted(load)
    c = compare(load_scenario(BASELINE, {**RUN, **load}), s, replications=1, save=False,
                workers=1)
    v = c.recovery.set_index("kpi")["value"]
    margin = Settings().lost_margin_cny_per_teu
    ends = {d.key: LAST_END_H for d in s.disruptions}  # a bound: each ends by 23 January
    names = {d.key for d in s.disruptions}
    assert {str(k).split(".")[1] for k in v.index} == names
    for name in names:
        for corridor in (*s.corridors, "all"):
            key = f"recovery.{name}.{corridor}"
            assert v[f"{key}.recovered"] in (0.0, 1.0)
            if v[f"{key}.recovered"] == 0:
                # not back within its band by the end: the hours to the end, a lower bound
                assert v[f"{key}.recovery_h"] >= s.horizon_h - ends[name] - 1
            assert 0 <= v[f"{key}.recovery_h"] <= s.horizon_h
            assert v[f"{key}.peak_backlog_teu"] >= 0
            assert v[f"{key}.storage_cny"] >= 0
            assert v[f"{key}.demurrage_cny"] >= 0
            assert v[f"{key}.turned_away_cny"] == pytest.approx(
                max(v[f"{key}.turned_away_teu"], 0) * margin
            )
            delayed = v[f"{key}.teu_delayed"]
            assert delayed >= 0
            if delayed > 0:
                assert v[f"{key}.extra_h_per_delayed_teu"] > Settings().delay_tolerance_h
    line = "recovery.line_outage_huaihua_liuzhou"
    assert v[f"{line}.all.turned_away_teu"] > 0
    assert v[f"{line}.all.trains_held"] >= 1
    assert v["recovery.port_closure_qinzhou.qinzhou_rail_sea.sailings_cancelled"] == 3


def test_a_disruption_that_leaves_the_hub_unable_to_work_is_one_error_line(tmp_path) -> None:
    """The import yard cut to 30 TEU from 5 January: an 80 TEU train can never be unloaded
    although the yard is open. The run stops with one error line naming the yard, exit 1, and
    writes nothing."""
    scenario = tmp_path / "yard-cut.yaml"
    scenario.write_text(
        f"extends: {BASELINE}\n"
        "name: yard-cut\n"
        "end: 2023-02-28\n"
        "watchdog: {stall_h: 48}\n"
        "disruptions:\n"
        "  - {kind: capacity_change, target: yard.import, start: '2023-01-05',\n"
        "     end: '2023-02-28', factor: 0.02}\n",
        encoding="utf-8",
    )
    out = tmp_path / "run"
    result = landport("run", scenario, "-n", "1", "--workers", "1", "--out", out)
    assert result.exit_code == 1
    (line,) = [x for x in result.stderr.splitlines() if x.strip()]
    assert line.startswith("error: the run stopped: the model is stuck at hour ")
    assert "huaihua.yard.import" in flat(line)
    assert "Traceback" not in result.output
    assert not out.exists()


# ---------------------------------------------------------------------------- the watchdog

PATIENT = {"end": "2023-03-15", "warmup_days": 7, "replications": 1, "watchdog.stall_h": 24}
FIVE_WEEKS = {"start": "2023-01-05", "duration_h": 35 * 24}
"""Longer than the watchdog's patience with cargo for a China–Laos train (twice the 400 h
between trains); a China–Vietnam train runs only every 1,150 h, so those closures below are
of Mohan and of the line to Guiyang and Kunming."""
PLANNED = {
    "border closed, trains wait": ({"kind": "border_closure", "target": "mohan",
                                    "trains": "wait"}, "corridor.china_laos."),
    "border closed, trains cancelled": ({"kind": "border_closure", "target": "mohan",
                                         "trains": "cancel"}, "corridor.china_laos."),
    "line out, trains wait": ({"kind": "line_outage", "target": ["huaihua", "liuzhou"],
                               "trains": "wait"}, "corridor.qinzhou_rail_sea."),
    "line out, trains cancelled": ({"kind": "line_outage", "target": ["huaihua", "guiyang"],
                                    "trains": "cancel"}, "corridor.china_laos."),
    "port closed, sailings cancelled": ({"kind": "port_closure", "target": "qinzhou",
                                         "sailings": "cancel"}, "sea.qinzhou."),
    "port closed, sailings delayed": ({"kind": "port_closure", "target": "qinzhou",
                                       "sailings": "delay"}, "sea.qinzhou."),
    **{
        f"{target} closed": ({"kind": "resource_outage", "target": target}, f"huaihua.{target}")
        for target in ("gate", "yard", "tracks", "sidings", "handling", "consolidation",
                       "deconsolidation", "customs")
    },
}
"""Closures of every kind: the disruption, and the probes that watch what it closes."""


def live(s: Scenario) -> tuple[Any, simpy.Environment]:
    env = simpy.Environment(initial_time=-s.warmup_h)
    return build(s, env, Streams(s.seed, 0), Recorder()), env


@pytest.mark.parametrize("what", PLANNED, ids=str)
def test_a_planned_closure_longer_than_the_patience_is_not_taken_for_a_stuck_model(
    what: str,
) -> None:
    item, watched = PLANNED[what]
    s = load_scenario(BASELINE, {**PATIENT, "disruptions": [{**item, **FIVE_WEEKS}]})
    model, env = live(s)
    # five weeks is longer than the watchdog waits at what the closure stops: without
    # knowing the closure is planned, it would stop the run
    patience = [p.patience_h for p in model.probes if p.where.startswith(watched)]
    assert patience
    assert min(patience) < 35 * 24
    run_until(env, model.horizon_h)  # does not raise Stalled
    assert env.now <= model.horizon_h


def grab_sidings_at(model: Any, env: simpy.Environment, t_h: float) -> None:
    """A process that takes every siding at ``t_h`` and never gives them back."""
    sidings = model.hub.res.sidings

    def block() -> Any:
        yield env.timeout(t_h - env.now)
        yield sidings.acquire(sidings.capacity)

    env.process(block())


@pytest.mark.parametrize(
    ("what", "stuck_at_h"),
    [("border closed, trains wait", 10 * 24), ("sidings closed", 46 * 24)],
    ids=["during a border closure", "after the sidings reopen"],
)
def test_a_model_really_stuck_during_or_after_a_disruption_is_stopped(
    what: str, stuck_at_h: float
) -> None:
    """The sidings taken for good by a stray process: during a five-week closure of the Mohan
    border (5 January to 9 February), or a week after a five-week closure of the sidings
    themselves has ended."""
    s = load_scenario(
        BASELINE,
        {**PATIENT, "watchdog.stall_h": 48,
         "disruptions": [{**PLANNED[what][0], **FIVE_WEEKS}]},
    )
    model, env = live(s)
    grab_sidings_at(model, env, stuck_at_h)
    with pytest.raises(Stalled) as stop:
        run_until(env, model.horizon_h)
    assert "huaihua.sidings" in str(stop.value)
    assert stuck_at_h + 48 <= stop.value.t_h <= stuck_at_h + 400
