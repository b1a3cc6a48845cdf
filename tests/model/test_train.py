"""Process tests of train dispatch policies on a tiny environment with a log."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from sim.engine import Constant, Draws, Environment, Resource
from sim.model.network import Crossing, RailNetwork
from sim.model.train import HubLoading, Timetable, TrainDraws, TrainEnds, TrainService
from tests.model.tables import new_tables


def make_service(
    env,
    log,
    *,
    policy="timetable",
    departures=(10.0,),
    capacity=4,
    min_load=0,
    max_hold=0.0,
    open_h=5.0,
    cutoff_h=None,
    sidings=None,
    handling=None,
    units=None,
    border=False,
    arrival_handler=True,
):
    net = RailNetwork()
    crossing = Crossing("b", Constant(1.0), Constant(3.0), Constant(0.5)) if border else None
    net.add_place("hub", "hub", None)
    net.add_place("b", "border" if border else "city", crossing)
    net.add_place("end", "city", None)
    net.add_leg(
        "hub",
        "b",
        distance_km=100,
        run_time_h=Constant(2.0),
        bureau_km={"x": 100},
        tariff_cny_per_teu=100,
    )
    net.add_leg(
        "b",
        "end",
        distance_km=100,
        run_time_h=Constant(2.0),
        bureau_km={"y": 100},
        tariff_cny_per_teu=100,
    )
    route = net.route("c", "export", ["hub", "b", "end"], four_customs_as_one=False)
    tables = new_tables()
    service = TrainService(
        env,
        route,
        Timetable(
            departures=np.asarray(departures, dtype=float),
            capacity_teu=capacity,
            policy=policy,
            open_h=open_h,
            cutoff_h=open_h if cutoff_h is None else cutoff_h,
            min_load_teu=min_load,
            max_hold_h=max_hold,
        ),
        TrainDraws(Draws(np.random.default_rng(0)), Draws(np.random.default_rng(0))),
        tables,
        hub=None
        if sidings is None
        else HubLoading(
            sidings, units if units is not None else Resource(env, "handling", 1), handling
        ),
        ends=TrainEnds(
            departed=lambda teu: log.append(("departed", env.now, teu)),
            arrived=(lambda row, ids: log.append(("arrived", env.now, sorted(ids.tolist()))))
            if arrival_handler
            else None,
        ),
    )
    env.process(service.run())
    return service, tables.containers, tables.trains


def ready_at(env, service, containers, t, teu=1):
    cid = containers.add(container_id=containers.n, teu=teu, t_created=t)
    env.timeout(t).callbacks.append(lambda _: service.ready(cid))
    return cid


@pytest.fixture
def env():
    return Environment()


def test_timetable_train_leaves_on_time_with_what_is_ready(env):
    log = []
    service, c, trains = make_service(env, log, departures=(10.0,), border=True)
    ids = [ready_at(env, service, c, t) for t in (1.0, 7.0, 12.0)]
    env.run(until=50)
    # leaves at 10 with the two ready by then, runs 2 h + 1 h border + 3 h Chinese customs
    # + 0.5 h foreign formalities + 2 h
    assert log == [("departed", 10.0, 2), ("arrived", 18.5, ids[:2])]
    assert c["t_border"][ids[0]] == 16.5
    assert service.waiting == [ids[2]]
    assert trains["ran"][0]


def test_four_customs_as_one_skips_only_the_chinese_border_customs(env):
    log = []
    service, c, _ = make_service(env, log, border=True)
    service.route = dataclasses.replace(service.route, four_customs_as_one=True)
    ready_at(env, service, c, 1.0)
    env.run(until=50)
    assert log[-1][:2] == ("arrived", 15.5)  # the neighbour's 0.5 h remain


def test_when_full_leaves_as_soon_as_full(env):
    log = []
    service, c, _ = make_service(
        env, log, policy="when_full", departures=(20.0,), capacity=3, open_h=15.0
    )
    for t in (6.0, 7.0, 8.0, 9.0):
        ready_at(env, service, c, t)
    env.run(until=60)
    assert log[0] == ("departed", 8.0, 3)


def test_min_load_holds_until_the_minimum_or_the_maximum_hold(env):
    log = []
    service, c, trains = make_service(
        env, log, policy="min_load", departures=(10.0, 40.0), min_load=3, max_hold=6.0
    )
    for t in (2.0, 11.0, 13.0):  # third box reaches the minimum at 13 (held from 10)
        ready_at(env, service, c, t)
    ready_at(env, service, c, 36.0)  # second train: only one box, leaves at 40 + 6
    env.run(until=100)
    departures = [e for e in log if e[0] == "departed"]
    assert departures == [("departed", 13.0, 3), ("departed", 46.0, 1)]
    assert list(trains["t_scheduled"][:2]) == [10.0, 40.0]


def test_an_empty_train_does_not_run(env):
    log = []
    _, _, trains = make_service(env, log, departures=(10.0, 20.0))
    env.run(until=50)
    assert log == []
    assert trains.n == 2
    assert not trains["ran"][:2].any()


def test_capacity_is_respected_and_a_box_that_does_not_fit_waits(env):
    log = []
    service, c, _ = make_service(env, log, capacity=3)
    a = ready_at(env, service, c, 1.0, teu=2)
    b = ready_at(env, service, c, 2.0, teu=2)
    d = ready_at(env, service, c, 3.0, teu=1)
    env.run(until=50)
    assert log[0] == ("departed", 10.0, 3)
    assert log[1][2] == sorted([a, d])
    assert service.waiting == [b]


def test_train_holds_a_siding_while_loading_and_loading_takes_time(env):
    log = []
    sidings = Resource(env, "sidings", 1)
    service, c, _ = make_service(
        env, log, sidings=sidings, handling=1.0, departures=(10.0,), capacity=10
    )
    ids = [ready_at(env, service, c, 0.0) for _ in range(8)]
    env.run(until=5.5)
    assert sidings.in_use == 1  # placed at 10 - 5 = 5
    env.run(until=50)
    # 8 TEU at 1 TEU/h from 5 h: loading ends at 13, after the scheduled 10
    assert log[0] == ("departed", 13.0, 8)
    assert c["t_loaded"][ids[-1]] == 13.0
    assert sidings.in_use == 0


def test_loading_starts_at_the_cut_off_and_takes_what_clears_while_it_works(env):
    log = []
    sidings = Resource(env, "sidings", 1)
    service, c, _ = make_service(
        env, log, sidings=sidings, handling=1.0, departures=(10.0,), cutoff_h=2.0, capacity=10
    )
    first = [ready_at(env, service, c, 0.0) for _ in range(3)]
    late = ready_at(env, service, c, 9.0)  # after the cut-off, while the crane still works
    env.run(until=50)
    # placed at 5, lifting from the cut-off at 8: three boxes by 11, the late one by 12
    assert [c["t_loaded"][i] for i in first] == [9.0, 10.0, 11.0]
    assert c["t_loaded"][late] == 12.0
    assert log[0] == ("departed", 12.0, 4)


def test_trains_share_the_handling_units(env):
    log = []
    sidings = Resource(env, "sidings", 2)
    crane = Resource(env, "handling", 1)
    a, ca, _ = make_service(
        env, log, sidings=sidings, units=crane, handling=1.0, departures=(10.0,), capacity=10
    )
    b, cb, _ = make_service(
        env, log, sidings=sidings, units=crane, handling=1.0, departures=(10.0,), capacity=10
    )
    for _ in range(4):
        ready_at(env, a, ca, 0.0)
        ready_at(env, b, cb, 0.0)
    env.run(until=50)
    # both placed at 5; the crane lifts A's 4 TEU by 9, then B's by 13: B leaves late
    assert sorted(e[1] for e in log if e[0] == "departed") == [10.0, 13.0]


def test_without_an_arrival_handler_the_containers_are_delivered_at_the_destination(env):
    service, c, trains = make_service(env, [], arrival_handler=False)
    cid = ready_at(env, service, c, 1.0)
    env.run()
    # leaves at 10, two legs of 2 h each
    assert c["t_delivered"][cid] == 14.0
    assert trains["t_arrived"][0] == 14.0
