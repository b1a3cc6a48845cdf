"""Vessel services and the hub's gate and yard, each alone on a tiny environment."""

from __future__ import annotations

import numpy as np

from sim.engine import Constant, Draws, Environment, Resource, Sampler
from sim.model.customs import CustomsDesk, CustomsStage
from sim.model.terminal import Hub, HubResources, HubTimes, LclRule
from sim.model.vessels import Liner, Sailings, VesselService
from tests.model.tables import new_tables


def vessel_service(env, tables, landed, *, slots=100, cutoff=0.0):
    return VesselService(
        env,
        Liner("haiphong", Sailings(np.array([10.0, 178.0]), slots, cutoff), Constant(24.0)),
        Draws(np.random.default_rng(0)),
        tables,
        landed=lambda ids: landed.append((env.now, ids.tolist())),
    )


def test_a_sailing_takes_everything_waiting_both_ways():
    env = Environment()
    tables = new_tables()
    c, vessels = tables.containers, tables.vessels
    landed = []
    svc = vessel_service(env, tables, landed)
    for _ in range(3):
        c.add(container_id=c.n, teu=2)
    svc.at_quay(0)
    svc.at_quay(1)
    svc.overseas(2)
    env.process(svc.run())
    env.run()
    assert list(c["t_vessel"][:3]) == [10.0, 10.0, 10.0]
    assert list(c["t_delivered"][:2]) == [34.0, 34.0]  # exports arrive overseas
    assert landed == [(34.0, [2])]  # imports land at the rail–sea port
    assert vessels.n == 2
    assert list(vessels["teu"][:2]) == [4, 2]
    assert svc.waiting() == 0
    assert list(c["rolls"][:3]) == [0, 0, 0]


def test_a_full_sailing_or_a_missed_cut_off_rolls_containers_to_the_next():
    env = Environment()
    tables = new_tables()
    c = tables.containers
    svc = vessel_service(env, tables, [], slots=3, cutoff=5.0)
    for _ in range(4):
        c.add(container_id=c.n, teu=1)
    for cid in range(3):
        svc.at_quay(cid)  # at hour 0
    c.add(container_id=4, teu=2)
    svc.at_quay(4)  # 2 TEU, in time, but the three boxes before it take all 3 slots
    env.timeout(7.0).callbacks.append(lambda _: svc.at_quay(3))  # after the 5 h cut-off
    env.process(svc.run())
    env.run()
    assert list(c["t_vessel"][:3]) == [10.0, 10.0, 10.0]
    assert c["t_vessel"][3] == 178.0  # missed the cut-off: not a roll
    assert c["t_vessel"][4] == 178.0  # found the sailing full: one roll
    assert list(c["rolls"][:5]) == [0, 0, 0, 0, 1]


def make_hub(env, yard_teu, *, tracks=1, sidings=1, reception=0.0):
    tables = new_tables()
    rng = np.random.default_rng(0)
    review = CustomsStage("review", Resource(env, "officers", 10), Sampler(Constant(1.0), rng))
    desk = CustomsDesk(env, [review], tables.containers)
    hub = Hub(
        env,
        tables,
        resources=HubResources(
            gate=Resource(env, "gate", 1),
            yard_export=Resource(env, "yard.export", yard_teu),
            yard_import=Resource(env, "yard.import", yard_teu),
            tracks=Resource(env, "tracks", tracks),
            sidings=Resource(env, "sidings", sidings),
            handling=Resource(env, "handling", 1),
            handling_teu_per_h=10.0,
            crews=Resource(env, "crews", 1),
            deconsolidation=Resource(env, "decons", 1),
        ),
        times=HubTimes(
            gate=Sampler(Constant(0.1), rng),
            reception=Sampler(Constant(reception), rng),
            stuffing=Sampler(Constant(3.0), rng),
            deconsolidation=Sampler(Constant(2.0), rng),
            pickup=Sampler(Constant(5.0), rng),
        ),
        lcl=LclRule(33, 28, 96),
        export_customs=desk,
        import_customs=desk,
    )
    return hub, tables.containers


def test_a_full_yard_blocks_the_gate_until_a_train_frees_space():
    env = Environment()
    hub, c = make_hub(env, yard_teu=4)
    ready = []
    hub.export_ready["c"] = lambda cid: ready.append((cid, env.now))
    for _ in range(3):
        cid = c.add(container_id=c.n, corridor="c", direction="export", teu=2, t_created=0.0)
        hub.fcl_export(cid)
    env.timeout(20).callbacks.append(lambda _: hub.departed(4))  # a train leaves with two
    env.run()
    assert [cid for cid, _ in ready] == [0, 1, 2]
    assert c["t_gate_in"][1] == 0.2  # one gate lane, 0.1 h a truck
    assert c["t_gate_in"][2] == 20.1  # waited at the gate for the export block
    assert len(hub.res.yard_export) == 0


def test_an_import_train_is_unloaded_then_cleared_then_collected():
    env = Environment()
    hub, c = make_hub(env, yard_teu=100)
    ids = np.array([c.add(container_id=i, direction="import", teu=1, lcl=i == 1) for i in range(2)])
    row = hub.trains.add(train_id=0, direction="import", t_arrived=0.0)
    env.process(hub.receive(row, ids))
    env.run()
    assert list(c["t_yard_in"][:2]) == [0.1, 0.2]  # 10 TEU/h
    assert list(c["t_customs_end"][:2]) == [1.1, 1.2]
    assert c["t_consolidated"][1] == 3.2  # LCL box deconsolidated by a crew
    assert list(c["t_delivered"][:2]) == [6.1, 8.2]
    assert hub.trains["t_unloaded"][row] == 0.2
    for r in (hub.res.yard_import, hub.res.sidings, hub.res.tracks, hub.res.handling):
        assert r.in_use == 0


def test_an_import_train_waits_for_yard_space_on_a_track_not_on_a_siding():
    """The import block is full: the arriving train is received on the arrival/departure
    track and waits there, and an export train still gets the only siding."""
    env = Environment()
    hub, c = make_hub(env, yard_teu=2, reception=1.0)
    ids = np.array([c.add(container_id=i, direction="import", teu=1) for i in range(2)])
    hub.res.yard_import.request(2, lambda _: None)  # the block is full until hour 30
    env.timeout(30).callbacks.append(lambda _: hub.res.yard_import.release(2))
    row = hub.trains.add(train_id=0, direction="import", t_arrived=0.0)
    env.process(hub.receive(row, ids))
    got = []
    env.timeout(5).callbacks.append(
        lambda _: hub.res.sidings.request(1, lambda _: got.append(env.now))
    )
    env.timeout(6).callbacks.append(lambda _: hub.res.sidings.release(1))
    env.run()
    assert got == [5.0]  # the export train's siding was free
    assert hub.trains["t_received"][row] == 0.0
    assert hub.trains["t_unloaded"][row] == 30.2  # space at 30, two lifts at 10 TEU/h
    assert c["t_yard_in"][0] == 30.1


def test_with_no_free_track_an_arriving_train_waits_outside():
    env = Environment()
    hub, c = make_hub(env, yard_teu=100, reception=2.0)
    rows = []
    for k in range(2):
        ids = np.array([c.add(container_id=c.n, direction="import", teu=1)])
        rows.append(hub.trains.add(train_id=k, direction="import", t_arrived=0.0))
        env.process(hub.receive(rows[-1], ids))
    env.run()
    # one track: the second train is received when the first leaves it for the siding at 2
    assert list(hub.trains["t_received"][:2]) == [0.0, 2.0]
