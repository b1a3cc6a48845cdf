"""Vessel services and the hub's gate and yard, each alone on a tiny environment."""

from __future__ import annotations

import numpy as np
import simpy

from sim.engine import Bernoulli, Constant, Draws, Resource, Sampler, Table
from sim.model.customs import CustomsDesk
from sim.model.terminal import Hub
from sim.model.vessels import VesselService
from sim.results.records import CONTAINER_COLUMNS, SHIPMENT_COLUMNS, VESSEL_COLUMNS


def test_a_sailing_takes_everything_waiting_both_ways():
    env = simpy.Environment()
    c = Table(CONTAINER_COLUMNS)
    vessels = Table(VESSEL_COLUMNS)
    landed = []
    svc = VesselService(
        env,
        port="haiphong",
        sailings=np.array([10.0, 178.0]),
        transit_h=Constant(24.0),
        draws=Draws(np.random.default_rng(0)),
        containers=c,
        vessels=vessels,
        landed=lambda ids: landed.append((env.now, ids.tolist())),
    )
    for _ in range(3):
        c.add(container_id=c.n, teu=2)
    svc.outbound.extend([0, 1])
    svc.inbound.append(2)
    env.process(svc.run())
    env.run()
    assert list(c["t_vessel"][:3]) == [10.0, 10.0, 10.0]
    assert list(c["t_delivered"][:2]) == [34.0, 34.0]  # exports arrive overseas
    assert landed == [(34.0, [2])]  # imports land at the rail–sea port
    assert vessels.n == 2
    assert list(vessels["teu"][:2]) == [4, 2]
    assert svc.outbound == []


def make_hub(env, yard_teu):
    c = Table(CONTAINER_COLUMNS)
    rng = np.random.default_rng(0)
    desk = CustomsDesk(
        env,
        officers=Resource(env, "officers", 10),
        review=Sampler(Constant(1.0), rng),
        inspect=Bernoulli(0.0, rng),
        inspection_time=Sampler(Constant(1.0), rng),
        bays=Resource(env, "bays", 1),
        sample=None,
        test_time=None,
        lab=None,
        containers=c,
    )
    hub = Hub(
        env,
        containers=c,
        shipments=Table(SHIPMENT_COLUMNS),
        gate=Resource(env, "gate", 1),
        gate_time=Sampler(Constant(0.1), rng),
        yard=Resource(env, "yard", yard_teu),
        sidings=Resource(env, "sidings", 1),
        handling_teu_per_h=10.0,
        crews=Resource(env, "crews", 1),
        stuffing=Sampler(Constant(3.0), rng),
        container_cbm=33,
        fill_cbm=28,
        max_wait_h=96,
        deconsolidation=Resource(env, "decons", 1),
        deconsolidation_time=Sampler(Constant(2.0), rng),
        pickup=Sampler(Constant(5.0), rng),
        export_customs=desk,
        import_customs=desk,
    )
    return hub, c


def test_a_full_yard_blocks_the_gate_until_a_train_frees_space():
    env = simpy.Environment()
    hub, c = make_hub(env, yard_teu=4)
    ready = []
    hub.export_ready["c"] = lambda cid: ready.append((cid, env.now))
    for _ in range(3):
        cid = c.add(container_id=c.n, corridor="c", direction="export", teu=2, t_created=0.0)
        hub.fcl_export(cid)
    env.timeout(20).callbacks.append(lambda _: hub.yard.release(4))  # a train leaves with two
    env.run()
    assert [cid for cid, _ in ready] == [0, 1, 2]
    assert c["t_gate_in"][1] == 0.2  # one gate lane, 0.1 h a truck
    assert c["t_gate_in"][2] == 20.1  # waited at the gate for the yard
    assert len(hub.yard) == 0


def test_an_import_train_is_unloaded_then_cleared_then_collected():
    env = simpy.Environment()
    hub, c = make_hub(env, yard_teu=100)
    ids = np.array([c.add(container_id=i, direction="import", teu=1, lcl=i == 1) for i in range(2)])
    env.process(hub.unload(0, ids))
    env.run()
    assert list(c["t_yard_in"][:2]) == [0.1, 0.2]  # 10 TEU/h
    assert list(c["t_customs_end"][:2]) == [1.1, 1.2]
    assert c["t_consolidated"][1] == 3.2  # LCL box deconsolidated by a crew
    assert list(c["t_delivered"][:2]) == [6.1, 8.2]
    assert hub.yard.in_use == 0
    assert hub.sidings.in_use == 0
