"""Disruptions in the model: each kind alone with a hand-computed outcome, nothing lost,
zero-length disruptions change nothing, random ones reproduce with the seed, and the watchdog
tells a planned closure from a stuck model."""

from __future__ import annotations

import numpy as np
import pytest

from sim.engine import Constant, Draws, Environment, Stalled, Streams
from sim.experiment.runner import run_one
from sim.model.disruptions import Disruptions, Occurrence, occurrences
from sim.model.network import RailNetwork
from sim.model.train import Timetable, TrainDraws, TrainEnds, TrainService
from sim.scenario import ScenarioError, load_scenario
from tests.conftest import BASELINE, MMC, MMC_WEEK, SHORT_MONTH
from tests.model.tables import new_tables

# -------------------------------------------------------------------------- tiny network


def network(detour: bool = False) -> RailNetwork:
    """hub —2 h— b (a border: 1 + 3 + 0.5 h dwell) —2 h— end; with ``detour``, also hub —5 h—
    x —5 h— b."""
    from sim.model.network import Crossing

    net = RailNetwork()
    net.add_place("hub", "hub", None)
    net.add_place("b", "border", Crossing("b", Constant(1.0), Constant(3.0), Constant(0.5)))
    net.add_place("end", "city", None)
    legs = [("hub", "b", 2.0), ("b", "end", 2.0)]
    if detour:
        net.add_place("x", "city", None)
        legs += [("hub", "x", 5.0), ("x", "b", 5.0)]
    for a, b, h in legs:
        net.add_leg(
            a,
            b,
            distance_km=100,
            run_time_h=Constant(h),
            bureau_km={"z": 100},
            tariff_cny_per_teu=100,
        )
    return net


def service(env, net, log, disruptions, departures=(10.0,)):
    route = net.route("c", "export", ["hub", "b", "end"], four_customs_as_one=False)
    tables = new_tables()
    d = Disruptions(list(disruptions), []).route(route, net, Draws(np.random.default_rng(1)))
    svc = TrainService(
        env,
        route,
        Timetable(np.asarray(departures), 10, "timetable", open_h=5.0, cutoff_h=5.0),
        TrainDraws(Draws(np.random.default_rng(0)), Draws(np.random.default_rng(0))),
        tables,
        ends=TrainEnds(arrived=lambda row, ids: log.append((env.now, sorted(ids.tolist())))),
        disruptions=d,
    )
    return svc, tables


def run_train(disruptions, *, detour=False, departures=(10.0,), boxes=1):
    env = Environment()
    log: list = []
    svc, tables = service(env, network(detour), log, disruptions, departures)
    for _ in range(boxes):
        cid = tables.containers.add(teu=1, corridor="c", direction="export")
        svc.ready(cid)
    env.process(svc.run())
    env.run(until=1000)
    return log, tables


def closure(kind, target, start, end, action, factor=0.0):
    return Occurrence("d", kind, target, start, end, factor, action)


def test_a_border_closed_for_48_h_delays_the_train_that_meets_it_by_the_remaining_time():
    undisrupted, _ = run_train([])
    # departs at 10 h, reaches the border at 12 h: the dwell (4.5 h) and the last leg follow
    assert undisrupted == [(18.5, [0])]
    log, tables = run_train([closure("border_closure", "b", 1.0, 49.0, "wait")])
    # closed from 1 h for exactly 48 h: at the border from 12 h, it waits the 37 h left
    assert log == [(18.5 + 37.0, [0])]
    trains = tables.trains
    assert trains["held_h"][0] == pytest.approx(37.0)
    assert trains.text("disruption", trains.rows())[0] == "d"


def test_a_crossing_at_half_capacity_takes_twice_the_dwell():
    log, _ = run_train([closure("border_closure", "b", 0.0, 100.0, "wait", factor=0.5)])
    assert log == [(10 + 2 + 2 * 4.5 + 2, [0])]


def test_a_cancelled_train_does_not_run_and_its_cargo_takes_the_next():
    log, tables = run_train(
        [closure("border_closure", "b", 0.0, 20.0, "cancel")], departures=(10.0, 30.0)
    )
    assert log == [(30 + 8.5, [0])]
    assert tables.trains["cancelled"][:2].tolist() == [True, False]
    assert not tables.trains["ran"][0]


def test_a_line_out_with_another_path_sends_the_train_round_it():
    # hub–b is out from 0 to 100 h; the detour hub–x–b takes 5 + 5 h instead of 2
    log, tables = run_train(
        [closure("line_outage", ("hub", "b"), 0.0, 100.0, "reroute")], detour=True
    )
    assert log == [(10 + 10 + 4.5 + 2, [0])]
    assert np.isnan(tables.trains["held_h"][0])
    assert tables.trains.text("disruption", tables.trains.rows())[0] == "d"


def test_a_line_out_without_another_path_holds_the_train_until_it_reopens():
    log, tables = run_train([closure("line_outage", ("hub", "b"), 0.0, 40.0, "reroute")])
    assert log == [(40 + 2 + 4.5 + 2, [0])]
    assert tables.trains["held_h"][0] == pytest.approx(30.0)


# -------------------------------------------------------------------------- whole scenarios

MONTH = {**SHORT_MONTH, "replications": 1}


def with_disruption(base, *items, **extra):
    return load_scenario(base, {**MONTH, **extra, "disruptions": list(items)})


def test_the_customs_system_down_for_8_h_serves_no_declaration_in_those_hours():
    s = with_disruption(
        MMC,
        {
            "kind": "resource_outage",
            "target": "customs",
            "start": "2023-01-10 06:00",
            "duration_h": 8,
        },
        **{**MMC_WEEK, "end": "2023-01-14"},
    )
    r = run_one(s, 0)
    c = r.tables["containers"]
    lo, hi = 9 * 24 + 6, 9 * 24 + 14
    review = r.series["huaihua.customs.import.officers"]
    closed = (review["t"] >= lo) & (review["t"] < hi)
    assert (review["capacity"][closed] == 0).all()
    assert closed.any()
    filed = (c["t_customs_start"] >= lo) & (c["t_customs_start"] < hi)
    assert filed.sum() > 0
    # declarations filed while the system is down wait for it: none is cleared before it is up
    assert np.all(c["t_customs_end"][filed] >= hi)


def test_halved_demand_in_a_window_thins_only_that_window():
    base = load_scenario(BASELINE, MONTH)
    half = with_disruption(
        BASELINE,
        {
            "kind": "demand_change",
            "target": "rail_sea_export",
            "start": "2023-01-10",
            "end": "2023-01-20",
            "factor": 0.5,
        },
    )
    ship_a = run_one(base, 0).tables["shipments"]
    ship_b = run_one(half, 0).tables["shipments"]

    def ready(ship, inside):
        t = ship["t_created"]
        mine = ship["flow"].decode() == "rail_sea_export"
        w = (t >= 9 * 24) & (t < 19 * 24)
        return t[mine & (w if inside else ~w)]

    outside_a, outside_b = ready(ship_a, False), ready(ship_b, False)
    assert np.array_equal(outside_a, outside_b)  # the rest of the flow is untouched
    n_a, n_b = len(ready(ship_a, True)), len(ready(ship_b, True))
    assert set(ready(ship_b, True)) <= set(ready(ship_a, True))
    assert 0.3 * n_a < n_b < 0.7 * n_a


def test_doubled_demand_adds_shipments_only_in_the_window():
    base = load_scenario(BASELINE, MONTH)
    more = with_disruption(
        BASELINE,
        {
            "kind": "demand_change",
            "target": "all",
            "start": "2023-01-10",
            "end": "2023-01-20",
            "factor": 2.0,
        },
    )
    a = run_one(base, 0).tables["shipments"]["t_created"]
    b = run_one(more, 0).tables["shipments"]["t_created"]
    w = (9 * 24, 19 * 24)
    inside_a = np.sum((a >= w[0]) & (a < w[1]))
    inside_b = np.sum((b >= w[0]) & (b < w[1]))
    assert 1.6 * inside_a < inside_b < 2.4 * inside_a
    assert np.array_equal(a[(a < w[0]) | (a >= w[1])], b[(b < w[0]) | (b >= w[1])])


ZERO_LENGTH = [
    {"kind": "border_closure", "target": "mohan", "start": "2023-01-12", "duration_h": 0},
    {"kind": "port_closure", "target": "qinzhou", "start": "2023-01-12", "duration_h": 0},
    {
        "kind": "line_outage",
        "target": ["huaihua", "liuzhou"],
        "start": "2023-01-12",
        "duration_h": 0,
    },
    {"kind": "resource_outage", "target": "yard", "start": "2023-01-12", "duration_h": 0},
    {
        "kind": "capacity_change",
        "target": "customs.import.officers",
        "start": "2023-01-12",
        "end": "2023-01-12",
        "factor": 3,
    },
    {
        "kind": "demand_change",
        "target": "all",
        "start": "2023-01-12",
        "duration_h": 0,
        "factor": 0.2,
    },
]


@pytest.mark.parametrize("item", ZERO_LENGTH, ids=lambda d: d["kind"])
def test_a_zero_length_disruption_changes_nothing(item):
    base = run_one(load_scenario(BASELINE, MONTH), 0)
    same = run_one(with_disruption(BASELINE, item), 0)
    assert same.kpis == base.kpis or all(
        (a == b) or (a != a and b != b)
        for a, b in zip(base.kpis.values(), same.kpis.values(), strict=True)
    )
    assert list(same.kpis) == list(base.kpis)


def test_a_capacity_change_by_a_factor_of_one_changes_nothing():
    base = run_one(load_scenario(BASELINE, MONTH), 0)
    same = run_one(
        with_disruption(
            BASELINE,
            {
                "kind": "capacity_change",
                "target": "gate",
                "start": "2023-01-05",
                "duration_h": 100,
                "factor": 1,
            },
        ),
        0,
    )
    assert np.array_equal(
        base.tables["containers"]["t_delivered"],
        same.tables["containers"]["t_delivered"],
        equal_nan=True,
    )


def test_random_disruptions_reproduce_with_the_seed_and_differ_with_another():
    s = with_disruption(
        BASELINE,
        {
            "kind": "line_outage",
            "name": "slides",
            "target": ["liuzhou", "nanning"],
            "rate_per_year": 50,
            "duration_h": {"dist": "gamma", "mean": 24, "cv": 0.5},
        },
    )
    one = occurrences(s, Streams(7, 0))
    assert one == occurrences(s, Streams(7, 0))
    assert one != occurrences(s, Streams(8, 0))
    assert one
    assert all(0 <= o.start_h < s.horizon_h and o.end_h > o.start_h for o in one)
    assert run_one(s, 0, 7).kpis == run_one(s, 0, 7).kpis


def test_random_disruptions_draw_from_their_own_stream_so_the_rest_stays_paired():
    """A random disruption that changes nothing (capacity × 1) still draws its occurrences;
    from a stream of its own, so every other draw of the run is as without it."""
    s = with_disruption(
        BASELINE,
        {"kind": "capacity_change", "name": "flicker", "target": "gate", "rate_per_year": 50,
         "duration_h": {"dist": "gamma", "mean": 24, "cv": 0.5}, "factor": 1},
    )
    assert occurrences(s, Streams(s.seed, 0))
    base = run_one(load_scenario(BASELINE, MONTH), 0)
    same = run_one(s, 0)
    for table in ("containers", "trains", "vessels"):
        for column, values in base.tables[table].items():
            floats = values.dtype.kind == "f"
            other = same.tables[table][column]
            assert np.array_equal(values, other, equal_nan=floats), (table, column)


# -------------------------------------------------------------------------- the watchdog


def test_the_watchdog_lets_a_planned_three_week_customs_closure_pass():
    s = with_disruption(
        MMC,
        {
            "kind": "resource_outage",
            "target": "customs.import.officers",
            "start": "2023-01-03",
            "duration_h": 21 * 24,
        },
        **{**MMC_WEEK, "end": "2023-01-31", "watchdog.stall_h": 24},
    )
    r = run_one(s, 0)  # does not raise
    t = r.tables["containers"]["t_customs_end"]
    assert np.nanmax(t) > 24 * 24  # cleared again after the closure


def test_the_watchdog_stops_a_model_stuck_during_a_disruption():
    # the import yard cut to 30 TEU for the rest of the run: an 80 TEU train can never be
    # unloaded, although the yard is open — stuck, not closed
    s = with_disruption(
        BASELINE,
        {
            "kind": "capacity_change",
            "target": "yard.import",
            "start": "2023-01-05",
            "end": "2023-02-28",
            "factor": 0.02,
        },
        **{"watchdog.stall_h": 48},
    )
    with pytest.raises(Stalled, match=r"yard\.import"):
        run_one(s, 0)


# -------------------------------------------------------------------------- the schema


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        (
            {"kind": "border_closure", "target": "kunming", "start": "2023-01-12", "duration_h": 5},
            "unknown border place 'kunming'",
        ),
        (
            {"kind": "capacity_change", "target": "gate", "start": "2023-01-12", "duration_h": 5},
            "needs factor",
        ),
        (
            {
                "kind": "line_outage",
                "target": ["huaihua", "nanning"],
                "start": "2023-01-12",
                "duration_h": 5,
            },
            "no leg joins 'huaihua' and 'nanning'",
        ),
        (
            {"kind": "resource_outage", "target": "cranes", "start": "2023-01-12", "duration_h": 5},
            "unknown hub resource 'cranes'",
        ),
        (
            {
                "kind": "port_closure",
                "target": "qinzhou",
                "start": "2023-01-12 08:00",
                "end": "2023-01-11",
            },
            "is before start",
        ),
        (
            {"kind": "port_closure", "target": "qinzhou", "start": "2025-01-12", "duration_h": 5},
            "outside the simulated period",
        ),
        (
            {
                "kind": "border_closure",
                "target": "mohan",
                "start": "2023-01-12T08:00+08:00",
                "duration_h": 5,
            },
            "without a time zone",
        ),
        (
            {
                "kind": "border_closure",
                "target": "mohan",
                "start": "2023-01-12",
                "duration_h": 5,
                "factor": 1.5,
            },
            "expected factor from 0 to 1",
        ),
        (
            {
                "kind": "border_closure",
                "target": "mohan",
                "start": "2023-01-12",
                "duration_h": 5,
                "trains": "reroute",
            },
            "does not apply",
        ),
        (
            {
                "kind": "demand_change",
                "target": "all",
                "rate_per_year": 2,
                "factor": 2,
                "end": "2023-01-12",
            },
            "needs duration_h",
        ),
    ],
)
def test_a_bad_disruption_is_one_clear_error(item, expected):
    with pytest.raises(ScenarioError) as err:
        with_disruption(BASELINE, item)
    text = " ".join(str(err.value).split())
    assert "disruptions" in text
    assert expected in text
