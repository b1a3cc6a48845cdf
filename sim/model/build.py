"""``build(scenario, env, streams, recorder)``: the one place that reads the scenario schema.

It turns the validated scenario into runtime objects with plain typed parameters — the rail
network and its routes, the hub's resources and customs stages, the rail–sea ports with their
liner services, train services with their booking ledgers, and every flow's shipments drawn
up front — wires them together, registers their processes with the environment and sets the
watchdog over every place where work can wait. Running the environment to the horizon then
simulates the scenario; everything observed goes to the recorder. The domain logic lives in
the modules it wires (:mod:`~sim.model.customs`, :mod:`~sim.model.seaports`,
:mod:`~sim.model.train`, …); this module only reads the scenario and connects. It is longer
than most modules because it holds every connection in one place: split, the wiring of one
part would hide in another's module.

Stream names (each its own random generator, see :class:`sim.engine.Streams`):
``demand.<flow>.<kind>.arrivals`` / ``.attributes``, ``hub.gate``, ``hub.reception``,
``hub.stuffing``, ``hub.deconsolidation``, ``hub.pickup``, ``customs.<direction>.review`` /
``.inspect`` / ``.inspection_time``, ``customs.quarantine.sample`` / ``.test``,
``customs.<direction>.<stage>.select`` / ``.time`` (extra stages),
``trains.<corridor>.<direction>.run_time`` / ``.border``, ``port.<rail–sea port>.<direction>``,
``sea.<overseas port>.transit`` — or ``sea.<rail–sea port>.<overseas port>.transit`` for a
service to an overseas port that a rail–sea port listed earlier already serves, so that adding
a port leaves the draws of those before it as they were (common random numbers).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sim.engine import (
    Bernoulli,
    Draws,
    Environment,
    Probe,
    Recorder,
    Resource,
    Sampler,
    Streams,
    monitored,
    watch,
)
from sim.engine.schedule import Steps, follow
from sim.model.booking import Bookings, Ledger
from sim.model.customs import CustomsDesk, CustomsStage, duty_intervals
from sim.model.disruptions import Disruptions
from sim.model.economics import (
    CONTAINER_DERIVED,
    Account,
    Rates,
    build_accounts,
    build_flows,
    rates,
    settle,
)
from sim.model.flows import MIXED, Flow
from sim.model.network import Crossing, RailNetwork
from sim.model.probes import liner_probe, patience_h, resource_probes, train_probe
from sim.model.seaports import PortDwell, SeaPort
from sim.model.sources import Drawn, Routing, ShipmentSource, draw_demand
from sim.model.tables import Containers, Tables
from sim.model.terminal import Hub, HubResources, HubTimes, LclRule
from sim.model.timetable import departure_times, mean_headway_h, weekly_times
from sim.model.train import HubLoading, Timetable, TrainDraws, TrainEnds, TrainService
from sim.model.vessels import Liner, Sailings
from sim.results.records import CONTAINER_COLUMNS, SHIPMENT_COLUMNS, TRAIN_COLUMNS, VESSEL_COLUMNS
from sim.scenario.schema import (
    WEEKDAYS,
    CustomsDeskSpec,
    Dist,
    Scenario,
    TrainServiceSpec,
    WorkingHours,
    clock_hours,
)


@dataclass
class Model:
    """The runtime objects of one replication, wired and with their processes registered."""

    env: Environment
    recorder: Recorder
    hub: Hub
    network: RailNetwork
    flows: dict[str, Flow]
    services: dict[tuple[str, str], TrainService]
    sea_ports: dict[str, SeaPort]
    """Rail–sea port → its liner services and bookings."""
    horizon_h: float
    warmup_h: float
    shipments_drawn: int = 0
    resources: list[str] = field(default_factory=list)
    probes: list[Probe] = field(default_factory=list)
    accounts: dict[str, Account] = field(default_factory=dict)
    """Every train flow's door-to-door account (:mod:`sim.model.economics`)."""
    rates: Rates | None = None

    def settle(self) -> None:
        """Fill every container's door-to-door account; call once the run has ended."""
        if self.rates is not None:
            settle(self.recorder.tables["containers"], self.flows, self.accounts, self.rates)


@dataclass(frozen=True)
class _Fixed:
    """What scenario ``s`` alone decides, the same in every replication: the rail network,
    the flows' prices and demand response, their door-to-door accounts and the rates. Made
    once per scenario (the replications of a run, one after another in a worker, share it;
    scenarios are frozen, so an equal one has the same parts); read, never written, by the
    model."""

    s: Scenario
    net: RailNetwork
    flows: dict[str, Flow]
    accounts: dict[str, Account]
    rates: Rates | None
    shifts: dict[tuple[tuple[tuple[frozenset[int], float, float], ...], int], Steps] = field(
        default_factory=dict
    )
    """Capacity of ``units`` on duty in weekly windows (days, start and end hour), by windows
    and units — see :meth:`_Parts.shifts`."""

    @classmethod
    def of(cls, s: Scenario) -> _Fixed:
        fixed = _last[0]
        # A worker gets each replication's scenario as a copy: equal, not the same object.
        if fixed is None or not (fixed.s is s or fixed.s == s):
            net = build_network(s)
            fixed = cls(s, net, build_flows(s, net), build_accounts(s, net), rates(s))
            for part in (*fixed.flows.values(), *fixed.accounts.values()):
                for value in vars(part).values():
                    if isinstance(value, np.ndarray):
                        value.flags.writeable = False  # shared: a write would be an error
            _last[0] = fixed
        return fixed


_last: list[_Fixed | None] = [None]
"""The scenario built last, with its fixed parts."""


def build(s: Scenario, env: Environment, streams: Streams, recorder: Recorder) -> Model:
    """Build the model of scenario ``s`` in ``env`` (whose clock starts at −warm-up hours)."""
    fixed = _Fixed.of(s)
    net = fixed.net
    flows = dict(fixed.flows)
    disruptions = Disruptions.of(s, streams)
    drawn = draw_demand(s, flows, streams, disruptions.of_kind("demand_change"))
    cons = s.terminal.consolidation
    tables = _tables(recorder, drawn, cons.container_cbm * cons.fill_threshold)
    parts = _Parts(s, env, streams, recorder, tables, disruptions, fixed)

    hub_res = parts.hub_resources()
    desks = parts.customs()
    hub = Hub(
        env,
        tables,
        hub_res,
        parts.hub_times(),
        parts.lcl_rule(),
        export_customs=desks["export"],
        import_customs=desks["import"],
    )
    sea_ports = {name: parts.sea_port(name, net) for name in s.sea_ports}
    ports_by_corridor = {port.corridor: port for port in sea_ports.values()}
    loading = HubLoading(hub_res.sidings, hub_res.handling, s.terminal.handling.teu_per_h)

    services: dict[tuple[str, str], TrainService] = {}
    train_ledgers: dict[tuple[str, str], Bookings] = {}
    for cname, corridor in s.corridors.items():
        if not corridor.enabled:
            continue
        port = ports_by_corridor.get(cname)
        for direction, spec in (
            ("export", corridor.trains.export),
            ("import", corridor.trains.import_),
        ):
            at_hub = direction == "export"
            ends = (
                TrainEnds(departed=hub.departed, arrived=port.train_arrived if port else None)
                if at_hub
                else TrainEnds(arrived=hub.train_arrived)
            )
            route = net.route(cname, direction, corridor.path, corridor.four_customs_as_one)
            services[(cname, direction)] = TrainService(
                env,
                route,
                parts.timetable(spec),
                TrainDraws(
                    Draws(streams[f"trains.{cname}.{direction}.run_time"]),
                    Draws(streams[f"trains.{cname}.{direction}.border"]),
                ),
                tables,
                hub=loading if at_hub else None,
                ends=ends,
                disruptions=disruptions.route(
                    route, net, Draws(streams[f"disruptions.{cname}.{direction}.detour"])
                ),
            )
            ledger = parts.train_ledger(spec)
            if ledger is not None:
                train_ledgers[(cname, direction)] = ledger
        hub.export_ready[cname] = services[(cname, "export")].ready

    # Rail–sea imports book their sailing and the train on from the port together.
    for port in sea_ports.values():
        port.onward = services.get((port.corridor, "import"))
        onward = train_ledgers.pop((port.corridor, "import"), None)
        if isinstance(onward, Ledger):
            port.book_through(onward)
    hub.export_ledgers = {c: ledger for (c, d), ledger in train_ledgers.items() if d == "export"}

    for svc in services.values():
        env.process(svc.run())
    for port in sea_ports.values():
        for liner in port.liners.values():
            env.process(liner.run())
    routing = Routing(
        hub=hub,
        services=services,
        sea_ports=ports_by_corridor,
        train_ledgers=train_ledgers,
        disabled=frozenset(c for c, spec in s.corridors.items() if not spec.enabled),
    )
    ShipmentSource(env, drawn, tables.shipments, tables.containers, routing).start()

    probes = parts.probes(hub_res, desks, services, sea_ports)
    watch(env, probes)
    return Model(
        env=env,
        recorder=recorder,
        hub=hub,
        network=net,
        flows=flows,
        services=services,
        sea_ports=sea_ports,
        horizon_h=s.horizon_h,
        warmup_h=s.warmup_h,
        shipments_drawn=sum(len(d.draws.times) for d in drawn),
        resources=sorted(recorder.series),
        probes=probes,
        accounts=dict(fixed.accounts),
        rates=fixed.rates,
    )


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


def _tables(recorder: Recorder, drawn: list[Drawn], fill_cbm: float) -> Tables:
    """The output tables, with a slot for every container the drawn shipments fill and room
    for about as many consolidated LCL containers as their cargo fills (more if needed).
    Small integers and text codes are stored narrow (see :class:`sim.engine.Table`)."""
    boxes = sum(d.boxes for d in drawn)
    lcl = sum(
        min(len(d.draws.times), int(1.5 * d.draws.cbm.sum() / fill_cbm) + 32)
        for d in drawn
        if d.kind == "lcl_export"
    )
    shipments = sum(len(d.draws.times) for d in drawn)
    # every name a text column can hold comes from the flows (and "mixed")
    names = {MIXED}.union(
        *(
            (f.name, f.corridor, f.direction, *f.commodities, *f.places, *f.regions)
            for f in (d.flow for d in drawn)
        )
    )
    text = dict.fromkeys(TEXT, np.int8 if len(names) <= np.iinfo(np.int8).max else np.int16)
    return Tables(
        containers=Containers(
            recorder.table(
                "containers",
                CONTAINER_COLUMNS,
                capacity=boxes + lcl,
                slots=True,
                row_id="container_id",
                storage={
                    **text,
                    "shipment_id": np.int32,
                    "teu": np.int8,
                    "train_id": np.int32,
                    "vessel_id": np.int32,
                    "rolls": np.int16,
                },
                derived=CONTAINER_DERIVED,
            )
        ),
        shipments=recorder.table(
            "shipments",
            SHIPMENT_COLUMNS,
            capacity=shipments,
            row_id="shipment_id",
            storage={**text, "containers": np.int32, "teu": np.int32, "container_id": np.int32},
        ),
        trains=recorder.table("trains", TRAIN_COLUMNS, capacity=512, row_id="train_id"),
        vessels=recorder.table("vessels", VESSEL_COLUMNS, capacity=512, row_id="vessel_id"),
    )


TEXT = ("flow", "corridor", "direction", "commodity", "place", "region")
"""Text columns of the containers and shipments tables: names from the scenario, a few."""


class _Parts:
    """Builds each part of the model from its section of the scenario."""

    def __init__(
        self,
        s: Scenario,
        env: Environment,
        streams: Streams,
        recorder: Recorder,
        tables: Tables,
        disruptions: Disruptions,
        fixed: _Fixed,
    ) -> None:
        self.s = s
        self.fixed = fixed
        self.disruptions = disruptions
        self.env = env
        self.streams = streams
        self.recorder = recorder
        self.tables = tables
        self.t0, self.t1 = -s.warmup_h, s.horizon_h
        self.resources: dict[str, Resource] = {}
        """Every resource at the hub, by its name under the hub's scope."""
        self.transit_streams: set[str] = set()

    def resource(
        self, name: str, capacity: int, hours: list[WorkingHours] | None = None
    ) -> Resource:
        """A hub resource of ``capacity`` units — only in the weekly windows ``hours``, if
        given — whose capacity follows its shifts and the disruptions that touch it."""
        res = monitored(self.env, self.recorder, f"{self.s.hub}.{name}", capacity)
        self.resources[name] = res
        base = Steps.constant(capacity) if hours is None else self.shifts(capacity, hours)
        steps = self.disruptions.capacity(name, base)
        if steps is not None or hours is not None:
            follow(self.env, res, steps if steps is not None else base)
        return res

    def sampler(self, dist: Dist, stream: str) -> Sampler:
        return Sampler(dist.to_engine(), self.streams[stream])

    # -- the hub ----------------------------------------------------------------------------

    def hub_resources(self) -> HubResources:
        term = self.s.terminal
        return HubResources(
            gate=self.resource("gate", term.gate.lanes),
            yard_export=self.resource("yard.export", term.yard.export_teu),
            yard_import=self.resource("yard.import", term.yard.import_teu),
            tracks=self.resource("tracks", term.tracks.count),
            sidings=self.resource("sidings", term.sidings.count),
            handling=self.resource("handling", term.handling.units),
            handling_teu_per_h=term.handling.teu_per_h,
            crews=self.resource("consolidation.crews", term.consolidation.crews),
            deconsolidation=self.resource("deconsolidation.crews", term.deconsolidation.crews),
        )

    def hub_times(self) -> HubTimes:
        term = self.s.terminal
        return HubTimes(
            gate=self.sampler(term.gate.service_h, "hub.gate"),
            reception=self.sampler(term.tracks.reception_h, "hub.reception"),
            stuffing=self.sampler(term.consolidation.stuffing_h, "hub.stuffing"),
            deconsolidation=self.sampler(term.deconsolidation.time_h, "hub.deconsolidation"),
            pickup=self.sampler(term.pickup_h, "hub.pickup"),
        )

    def lcl_rule(self) -> LclRule:
        cons = self.s.terminal.consolidation
        return LclRule(
            cons.container_cbm, cons.container_cbm * cons.fill_threshold, cons.max_wait_h
        )

    # -- customs ----------------------------------------------------------------------------

    def shifts(self, units: int, hours: list[WorkingHours]) -> Steps:
        """``units`` only in the weekly windows ``hours``, none outside them."""
        windows = tuple(
            (frozenset(WEEKDAYS.index(d) for d in w.days), clock_hours(w.start), clock_hours(w.end))
            for w in hours
        )
        key = (windows, units)  # by value: a worker's copy of the scenario is new each time
        known = self.fixed.shifts.get(key)
        if known is not None:
            return known
        intervals = duty_intervals(windows, self.s.start.weekday(), self.t0, self.t1)
        steps = self.fixed.shifts[key] = Steps.on_off(units, intervals)
        return steps

    def customs(self) -> dict[str, CustomsDesk]:
        """Each direction's desk: the standard stages from the desk's fields, then its extra
        stages, whose resources are the scenario's ``customs.resources``."""
        cus = self.s.customs
        shared = {
            "inspection_bays": self.resource("customs.inspection_bays", cus.inspection.bays),
            "quarantine_lab": self.resource("customs.quarantine_lab", cus.quarantine.lab_slots),
        }
        officers = {}
        for direction, desk in (("export", cus.export), ("import", cus.import_)):
            officers[direction] = self.resource(
                f"customs.{direction}.officers", desk.officers, desk.working_hours
            )
        for name, spec in cus.resources.items():
            shared[name] = self.resource(f"customs.{name}", spec.units, spec.working_hours)
        return {
            direction: CustomsDesk(
                self.env,
                self.customs_stages(direction, desk, {**shared, "officers": officers[direction]}),
                self.tables.containers,
            )
            for direction, desk in (("export", cus.export), ("import", cus.import_))
        }

    def customs_stages(
        self, direction: str, desk: CustomsDeskSpec, resources: dict[str, Resource]
    ) -> list[CustomsStage]:
        cus, streams = self.s.customs, self.streams
        stages = [
            CustomsStage(
                "review",
                resources["officers"],
                self.sampler(desk.review_h, f"customs.{direction}.review"),
            ),
            CustomsStage(
                "inspection",
                resources["inspection_bays"],
                self.sampler(cus.inspection.time_h, f"customs.{direction}.inspection_time"),
                select=Bernoulli(
                    desk.inspection_probability, streams[f"customs.{direction}.inspect"]
                ),
                flag="inspected",
            ),
        ]
        if direction == "import":
            stages.append(
                CustomsStage(
                    "quarantine",
                    resources["quarantine_lab"],
                    self.sampler(cus.quarantine.test_h, "customs.quarantine.test"),
                    select=Bernoulli(
                        cus.quarantine.probability, streams["customs.quarantine.sample"]
                    ),
                    agricultural_only=True,
                    flag="quarantined",
                )
            )
        for extra in desk.extra_stages:
            key = f"customs.{direction}.{extra.name}"
            stages.append(
                CustomsStage(
                    extra.name,
                    resources[extra.resource],
                    self.sampler(extra.time_h, f"{key}.time"),
                    select=Bernoulli(extra.probability, streams[f"{key}.select"]),
                    agricultural_only=extra.applies_to == "agricultural",
                )
            )
        return stages

    # -- sea ports --------------------------------------------------------------------------

    def sea_port(self, name: str, net: RailNetwork) -> SeaPort:
        s, streams = self.s, self.streams
        spec = s.sea_ports[name]
        crossing = net.crossing(name)
        four = s.corridors[spec.corridor].four_customs_as_one
        dwell = PortDwell(
            crossing.parts(four) if crossing is not None else (),
            export=Draws(streams[f"port.{name}.export"]),
            import_=Draws(streams[f"port.{name}.import"]),
        )
        port = SeaPort(
            self.env, name, spec.corridor, dwell, self.tables, self.disruptions.port(name)
        )
        weekday = s.start.weekday()
        for overseas, svc in spec.services.items():
            stream = f"sea.{overseas}.transit"
            if stream in self.transit_streams:  # served from a port listed earlier too
                stream = f"sea.{name}.{overseas}.transit"
            self.transit_streams.add(stream)
            times = weekly_times(svc.sailings, weekday, self.t0, self.t1)
            beyond = spec.max_delay_h + 3 * 168.0
            port.add_liner(
                Liner(
                    overseas,
                    Sailings(times, svc.slots_teu, svc.cutoff_h),
                    svc.transit_h.to_engine(),
                ),
                Draws(streams[stream]),
                Ledger(
                    weekly_times(svc.sailings, weekday, self.t0, self.t1 + beyond),
                    svc.slots_teu,
                    cutoff_h=svc.cutoff_h,
                    max_delay_h=spec.max_delay_h,
                    window_h=None,
                    t0_h=self.t0,
                ),
            )
        return port

    # -- trains -----------------------------------------------------------------------------

    def timetable(self, spec: TrainServiceSpec) -> Timetable:
        return Timetable(
            departures=departure_times(spec.schedule, self.s.start, self.t0 + spec.open_h, self.t1),
            capacity_teu=spec.capacity_teu,
            policy=spec.policy,
            open_h=spec.open_h,
            cutoff_h=spec.cutoff_h,
            min_load_teu=spec.min_load_teu,
            max_hold_h=spec.max_hold_h,
        )

    def train_ledger(self, spec: TrainServiceSpec) -> Ledger | None:
        """Bookings on a service's trains, sold from its timetable (past the horizon, so that
        cargo ready near the end is booked as it would be)."""
        if spec.booking is None:
            return None
        s = self.s
        t0, t1 = self.t0 + spec.open_h, self.t1
        within = departure_times(spec.schedule, s.start, t0, t1)
        beyond = spec.booking.max_delay_h + 3 * min(mean_headway_h(spec.schedule, within), 24 * 365)
        return Ledger(
            departure_times(spec.schedule, s.start, t0, t1 + beyond),
            spec.capacity_teu,
            cutoff_h=spec.cutoff_h,
            max_delay_h=spec.booking.max_delay_h,
            window_h=spec.booking.window_h,
            t0_h=self.t0,
        )

    # -- the watchdog -----------------------------------------------------------------------

    def closed(self, thing: Resource | TrainService) -> bool:
        """Whether a disruption has closed a hub resource, or a service's trains now: it
        cancels them, or has closed the sidings or the handling units that load them."""
        if isinstance(thing, TrainService):
            hub = thing.hub
            return thing.cancelled_now() or (
                hub is not None and (self.closed(hub.sidings) or self.closed(hub.handling))
            )
        name = thing.where.removeprefix(f"{self.s.hub}.")
        return self.disruptions.closes(name, self.env.now)

    def probes(
        self,
        hub_res: HubResources,
        desks: dict[str, CustomsDesk],
        services: dict[tuple[str, str], TrainService],
        sea_ports: dict[str, SeaPort],
    ) -> list[Probe]:
        """Every place where work can wait: resources, and cargo waiting for a train or a
        sailing (whose patience covers the longest gap of its timetable)."""
        s, stall = self.s, self.s.watchdog.stall_h
        t0, far = self.t0, 2 * self.t1 - self.t0

        def customs(direction: str) -> list[Resource]:
            return list(dict.fromkeys(stage.resource for stage in desks[direction].stages))

        departures = [svc for (_, d), svc in services.items() if d == "export"]
        probes = resource_probes(
            self.resources.values(),
            {
                hub_res.tracks: (hub_res.yard_import, hub_res.sidings),
                hub_res.sidings: (hub_res.handling,),
                hub_res.yard_import: (*customs("import"), hub_res.deconsolidation),
                hub_res.yard_export: (*customs("export"), *departures),
            },
            stall,
            self.closed if self.disruptions else None,
        )
        for (corridor, direction), svc in services.items():
            trains = s.corridors[corridor].trains
            spec = trains.import_ if direction == "import" else trains.export
            ahead = departure_times(spec.schedule, s.start, t0 + spec.open_h, far)
            probes.append(
                train_probe(
                    f"corridor.{corridor}.{direction}",
                    svc,
                    patience_h(stall, t0, ahead),
                    self.closed if self.disruptions else None,
                )
            )
        for name, port in sea_ports.items():
            for overseas, liner in port.liners.items():
                sailings = s.sea_ports[name].services[overseas].sailings
                ahead = weekly_times(sailings, s.start.weekday(), t0, far)
                probes.append(
                    liner_probe(f"sea.{name}.{overseas}", liner, patience_h(stall, t0, ahead))
                )
        return probes
