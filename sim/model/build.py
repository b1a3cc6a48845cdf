"""``build(scenario, env, streams, recorder)``: the one place that reads the scenario schema.

It turns the validated scenario into runtime objects with plain typed parameters — the rail
network and its routes, train and liner services with their booking ledgers, the hub's
resources and customs desks, and every flow's shipments drawn up front — wires them together,
registers their processes with the environment and sets the watchdog over every place where
work can wait. Running the environment to the horizon then simulates the scenario;
everything observed goes to the recorder.

Stream names (each its own random generator, see :class:`sim.engine.Streams`):
``demand.<flow>.<kind>.arrivals`` / ``.attributes``, ``hub.gate``, ``hub.reception``,
``hub.stuffing``, ``hub.deconsolidation``, ``hub.pickup``, ``customs.<direction>.review`` /
``.inspect`` / ``.inspection_time``, ``customs.quarantine.sample`` / ``.test``,
``trains.<corridor>.<direction>.run_time`` / ``.border``, ``sea.<port>.transit``,
``port.<port>.<direction>``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import simpy

from sim.engine import (
    Bernoulli,
    Distribution,
    Draws,
    Probe,
    Recorder,
    Resource,
    Sampler,
    Streams,
    Table,
    monitored,
    watch,
)
from sim.model.booking import TURNED_AWAY, Bookings, Ledger, ThroughLedger
from sim.model.customs import CustomsDesk, duty_intervals, start_shifts
from sim.model.economics import flow_specs
from sim.model.flows import FlowSpec
from sim.model.network import Crossing, RailNetwork
from sim.model.sources import Routing, ShipmentSource, draw_demand
from sim.model.terminal import Hub, HubResources, HubTimes, LclRule
from sim.model.timetable import departure_times, longest_gap_h, mean_headway_h, weekly_times
from sim.model.train import HubLoading, Timetable, TrainService
from sim.model.vessels import Sailings, VesselService
from sim.results.records import CONTAINER_COLUMNS, SHIPMENT_COLUMNS, TRAIN_COLUMNS, VESSEL_COLUMNS
from sim.scenario.schema import WEEKDAYS, Scenario, clock_hours
from sim.scenario.schema import TrainService as ServiceSpec


@dataclass
class Model:
    """The runtime objects of one replication, wired and with their processes registered."""

    env: simpy.Environment
    recorder: Recorder
    hub: Hub
    network: RailNetwork
    flows: dict[str, FlowSpec]
    services: dict[tuple[str, str], TrainService]
    vessels: dict[str, VesselService]
    horizon_h: float
    warmup_h: float
    shipments_drawn: int = 0
    resources: list[str] = field(default_factory=list)
    probes: list[Probe] = field(default_factory=list)


def build_network(s: Scenario) -> RailNetwork:
    net = RailNetwork()
    for name, place in s.network.places.items():
        crossing = None
        if place.crossing is not None:
            crossing = Crossing(
                name,
                place.crossing.technical_h.to_engine(),
                place.crossing.customs_h.to_engine(),
                place.crossing.foreign_h.to_engine(),
            )
        net.add_place(name, place.kind, crossing)
    for leg in s.network.legs:
        net.add_leg(
            leg.a,
            leg.b,
            distance_km=leg.distance_km,
            run_time_h=leg.run_time_h.to_engine(),
            bureau_km=leg.bureau_km(),
            tariff_cny_per_teu=leg.tariff_cny_per_teu,
        )
    return net


def _ledger(s: Scenario, spec: ServiceSpec) -> Ledger | None:
    """Bookings on a service's trains, sold from its timetable (past the horizon, so that
    cargo ready near the end is booked as it would be)."""
    if spec.booking is None:
        return None
    t0, t1 = -s.warmup_h + spec.open_h, s.horizon_h
    within = departure_times(spec.schedule, s.start, t0, t1)
    beyond = spec.booking.max_delay_h + 3 * min(mean_headway_h(spec.schedule, within), 24 * 365)
    return Ledger(
        departure_times(spec.schedule, s.start, t0, t1 + beyond),
        spec.capacity_teu,
        cutoff_h=spec.cutoff_h,
        max_delay_h=spec.booking.max_delay_h,
        window_h=spec.booking.window_h,
        t0_h=-s.warmup_h,
    )


def build(s: Scenario, env: simpy.Environment, streams: Streams, recorder: Recorder) -> Model:
    """Build the model of scenario ``s`` in ``env`` (whose clock starts at −warm-up hours)."""
    t0, t1 = -s.warmup_h, s.horizon_h
    net = build_network(s)
    specs = flow_specs(s, net)
    drawn = draw_demand(s, specs, streams)
    expected = sum(int(d.draws.containers.sum()) for d in drawn)
    containers = recorder.table("containers", CONTAINER_COLUMNS, capacity=expected + 1024)
    shipments = recorder.table(
        "shipments", SHIPMENT_COLUMNS, capacity=sum(len(d.draws.times) for d in drawn) + 1024
    )
    trains = recorder.table("trains", TRAIN_COLUMNS, capacity=512)
    vessels = recorder.table("vessels", VESSEL_COLUMNS, capacity=512)

    term, cus = s.terminal, s.customs
    resources: dict[str, Resource] = {}

    def res(name: str, capacity: float) -> Resource:
        resources[name] = monitored(env, recorder, f"{s.hub}.{name}", capacity)
        return resources[name]

    def sampler(spec_dist: object, stream: str) -> Sampler:
        return Sampler(spec_dist.to_engine(), streams[stream])  # type: ignore[attr-defined]

    hub_res = HubResources(
        gate=res("gate", term.gate.lanes),
        yard_export=res("yard.export", term.yard.export_teu),
        yard_import=res("yard.import", term.yard.import_teu),
        tracks=res("tracks", term.tracks.count),
        sidings=res("sidings", term.sidings.count),
        handling=res("handling", term.handling.units),
        handling_teu_per_h=term.handling.teu_per_h,
        crews=res("consolidation.crews", term.consolidation.crews),
        deconsolidation=res("deconsolidation.crews", term.deconsolidation.crews),
    )
    bays = res("customs.inspection_bays", cus.inspection.bays)
    lab = res("customs.quarantine_lab", cus.quarantine.lab_slots)
    desks = {}
    for direction, desk in (("export", cus.export), ("import", cus.import_)):
        officers = res(f"customs.{direction}.officers", desk.officers)
        if desk.working_hours is not None:
            windows = [
                (
                    frozenset(WEEKDAYS.index(d) for d in w.days),
                    clock_hours(w.start),
                    clock_hours(w.end),
                )
                for w in desk.working_hours
            ]
            intervals = duty_intervals(windows, s.start.weekday(), t0, t1)
            start_shifts(env, officers, desk.officers, intervals)
        is_import = direction == "import"
        desks[direction] = CustomsDesk(
            env,
            officers=officers,
            review=sampler(desk.review_h, f"customs.{direction}.review"),
            inspect=Bernoulli(desk.inspection_probability, streams[f"customs.{direction}.inspect"]),
            inspection_time=sampler(cus.inspection.time_h, f"customs.{direction}.inspection_time"),
            bays=bays,
            sample=Bernoulli(cus.quarantine.probability, streams["customs.quarantine.sample"])
            if is_import
            else None,
            test_time=sampler(cus.quarantine.test_h, "customs.quarantine.test")
            if is_import
            else None,
            lab=lab if is_import else None,
            containers=containers,
        )

    cons = term.consolidation
    hub = Hub(
        env,
        containers=containers,
        shipments=shipments,
        trains=trains,
        resources=hub_res,
        times=HubTimes(
            gate=sampler(term.gate.service_h, "hub.gate"),
            reception=sampler(term.tracks.reception_h, "hub.reception"),
            stuffing=sampler(cons.stuffing_h, "hub.stuffing"),
            deconsolidation=sampler(term.deconsolidation.time_h, "hub.deconsolidation"),
            pickup=sampler(term.pickup_h, "hub.pickup"),
        ),
        lcl=LclRule(cons.container_cbm, cons.container_cbm * cons.fill_threshold, cons.max_wait_h),
        export_customs=desks["export"],
        import_customs=desks["import"],
    )

    # -- sea ----------------------------------------------------------------------------------
    services: dict[tuple[str, str], TrainService] = {}
    vessel_services: dict[str, VesselService] = {}
    sailing_ledgers: dict[str, Bookings] = {}
    sea = s.sea
    sea_corridor = sea.corridor if sea is not None else None
    port_crossing = net.crossing(sea.port) if sea is not None else None

    def port_dwell(direction: str, four: bool) -> Callable[[], float]:
        assert sea is not None
        draws = Draws(streams[f"port.{sea.port}.{direction}"])
        parts: tuple[Distribution, ...] = (
            port_crossing.parts(four) if port_crossing is not None else ()
        )

        def dwell() -> float:
            return sum(draws.draw(p) for p in parts)

        return dwell

    if sea is not None:
        four = s.corridors[sea.corridor].four_customs_as_one
        import_dwell = port_dwell("import", four)

        def landed(ids: np.ndarray) -> None:
            def at_port(_: simpy.Event) -> None:
                containers["t_port"][ids] = env.now
                service = services.get((sea.corridor, "import"))
                if service is None:  # corridor switched off: the cargo stays at the port
                    return
                for cid in ids.tolist():
                    service.ready(cid)

            env.timeout(import_dwell()).callbacks.append(at_port)

        for port, svc in sea.services.items():
            times = weekly_times(svc.sailings, s.start.weekday(), t0, t1)
            vessel_services[port] = VesselService(
                env,
                port=port,
                sailings=Sailings(times, svc.slots_teu, svc.cutoff_h),
                transit_h=svc.transit_h.to_engine(),
                draws=Draws(streams[f"sea.{port}.transit"]),
                containers=containers,
                vessels=vessels,
                landed=landed,
            )
            beyond = sea.max_delay_h + 3 * 168.0
            sailing_ledgers[port] = Ledger(
                weekly_times(svc.sailings, s.start.weekday(), t0, t1 + beyond),
                svc.slots_teu,
                cutoff_h=svc.cutoff_h,
                max_delay_h=sea.max_delay_h,
                window_h=None,
                t0_h=t0,
            )

    # -- trains -------------------------------------------------------------------------------
    loading = HubLoading(hub_res.sidings, hub_res.handling, term.handling.teu_per_h)
    train_ledgers: dict[tuple[str, str], Bookings] = {}
    for cname, corridor in s.corridors.items():
        if not corridor.enabled:
            continue
        for direction, spec in (
            ("export", corridor.trains.export),
            ("import", corridor.trains.import_),
        ):
            route = net.route(cname, direction, corridor.path, corridor.four_customs_as_one)
            key = f"trains.{cname}.{direction}"
            at_hub = direction == "export"
            services[(cname, direction)] = TrainService(
                env,
                route=route,
                timetable=Timetable(
                    departures=departure_times(spec.schedule, s.start, t0 + spec.open_h, t1),
                    capacity_teu=spec.capacity_teu,
                    policy=spec.policy,
                    open_h=spec.open_h,
                    cutoff_h=spec.cutoff_h,
                    min_load_teu=spec.min_load_teu,
                    max_hold_h=spec.max_hold_h,
                ),
                hub=loading if at_hub else None,
                run_time=Draws(streams[f"{key}.run_time"]),
                border_dwell=Draws(streams[f"{key}.border"]),
                containers=containers,
                trains=trains,
                on_departed=hub.departed if at_hub else None,
                on_arrival=_arrival_handler(
                    env,
                    direction,
                    hub,
                    containers,
                    vessel_services if cname == sea_corridor else None,
                    port_dwell("export", corridor.four_customs_as_one)
                    if cname == sea_corridor
                    else None,
                ),
            )
            ledger = _ledger(s, spec)
            if ledger is not None:
                train_ledgers[(cname, direction)] = ledger
        hub.export_ready[cname] = services[(cname, "export")].ready

    # Rail–sea imports book their sailing and the train on from the port together.
    onward = train_ledgers.pop((sea_corridor, "import"), None) if sea is not None else None
    if sea is not None and isinstance(onward, Ledger):
        port_mean = (
            port_crossing.mean_h(s.corridors[sea.corridor].four_customs_as_one)
            if (port_crossing is not None)
            else 0.0
        )
        for port, ledger in list(sailing_ledgers.items()):
            lead = sea.services[port].transit_h.to_engine().mean + port_mean
            assert isinstance(ledger, Ledger)
            sailing_ledgers[port] = ThroughLedger(ledger, onward, lead)

    def book_lcl(corridor: str, now: float) -> bool:
        if corridor not in hub.export_ready:
            return False
        ledger = train_ledgers.get((corridor, "export"))
        return ledger is None or ledger.book(now, 1) != TURNED_AWAY

    hub.book_lcl = book_lcl

    for svc in services.values():
        env.process(svc.run())
    for vsvc in vessel_services.values():
        env.process(vsvc.run())
    routing = Routing(
        hub=hub,
        services=services,
        vessels=vessel_services,
        sea_corridor=sea_corridor,
        train_ledgers=train_ledgers,
        sailing_ledgers=sailing_ledgers,
        disabled=frozenset(c for c, spec in s.corridors.items() if not spec.enabled),
    )
    env.process(ShipmentSource(env, drawn, shipments, containers, routing).run())

    probes = _probes(s, resources, services, vessel_services)
    watch(env, probes)
    return Model(
        env=env,
        recorder=recorder,
        hub=hub,
        network=net,
        flows=specs,
        services=services,
        vessels=vessel_services,
        horizon_h=t1,
        warmup_h=s.warmup_h,
        shipments_drawn=sum(len(d.draws.times) for d in drawn),
        resources=sorted(recorder.series),
        probes=probes,
    )


def _probes(
    s: Scenario,
    resources: dict[str, Resource],
    services: dict[tuple[str, str], TrainService],
    vessels: dict[str, VesselService],
) -> list[Probe]:
    """Every place where work can wait, for the watchdog: resources and the cargo waiting for
    a train or a sailing (whose patience covers the longest gap of its timetable).

    A resource whose units are held by work that itself waits for other resources makes
    progress when those move: a train on an arrival track waits for yard space and a siding,
    a container in the yard for customs (and, for an export, a train), a train on a siding
    for a handling unit. So a slow chain is not taken for a stuck one.
    """
    stall = s.watchdog.stall_h
    departures = [svc for (_, d), svc in services.items() if d == "export"]
    waits_for: dict[str, tuple[Callable[[], int], ...]] = {
        "tracks": _moves(resources, "yard.import", "sidings"),
        "sidings": _moves(resources, "handling"),
        "yard.import": _moves(
            resources,
            "customs.import.officers",
            "customs.inspection_bays",
            "customs.quarantine_lab",
            "deconsolidation.crews",
        ),
        "yard.export": (
            *_moves(resources, "customs.export.officers", "customs.inspection_bays"),
            *(lambda svc=svc: svc.departed for svc in departures),
        ),
    }
    probes = []
    for name, r in resources.items():
        deps = waits_for.get(name, ())
        probes.append(
            Probe(
                r.where,
                r.waiting,
                lambda r=r, deps=deps: r.moves + sum(f() for f in deps),
                stall,
                "requests waiting",
            )
        )
    t0, t1 = -s.warmup_h, s.horizon_h
    for (corridor, direction), svc in services.items():
        spec = getattr(
            s.corridors[corridor].trains, "import_" if direction == "import" else "export"
        )
        # the longest wait for a train: from the start, between trains, and past the horizon
        ahead = departure_times(spec.schedule, s.start, t0 + spec.open_h, 2 * t1 - t0)
        gap = longest_gap_h(np.concatenate(([t0], ahead))) if len(ahead) else math.inf
        probes.append(
            Probe(
                f"corridor.{corridor}.{direction}",
                lambda svc=svc: len(svc.waiting),
                lambda svc=svc: svc.departed,
                max(stall, 2 * gap),
                "containers waiting for a train",
            )
        )
    for port, vsvc in vessels.items():
        sailings = s.sea.services[port].sailings if s.sea is not None else None
        ahead = weekly_times(sailings, s.start.weekday(), t0, 2 * t1 - t0) if sailings else []
        gap = longest_gap_h(np.concatenate(([t0], ahead))) if len(ahead) else math.inf
        probes.append(
            Probe(
                f"sea.{port}",
                vsvc.waiting,
                lambda vsvc=vsvc: vsvc.sailed,
                max(stall, 2 * gap),
                "containers waiting for a sailing",
            )
        )
    return probes


def _moves(resources: dict[str, Resource], *names: str) -> tuple[Callable[[], int], ...]:
    return tuple(lambda r=resources[n]: r.moves for n in names)


def _arrival_handler(
    env: simpy.Environment,
    direction: str,
    hub: Hub,
    containers: Table,
    vessels: dict[str, VesselService] | None,
    export_port_dwell: Callable[[], float] | None,
) -> Callable[[int, np.ndarray], None]:
    """What happens when a train reaches the end of its route."""
    if direction == "import":
        return lambda row, ids: env.process(hub.receive(row, ids)) and None

    if vessels is not None:
        assert export_port_dwell is not None

        def to_vessels(row: int, ids: np.ndarray) -> None:
            def at_quay(_: simpy.Event) -> None:
                containers["t_port"][ids] = env.now
                place = containers["place"]
                for cid in ids.tolist():
                    vessels[place[cid]].at_quay(cid)

            env.timeout(export_port_dwell()).callbacks.append(at_quay)

        return to_vessels

    def delivered(row: int, ids: np.ndarray) -> None:
        containers["t_delivered"][ids] = env.now

    return delivered
