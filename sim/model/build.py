"""``build(scenario, env, streams, recorder)``: the one place that reads the scenario schema.

It turns the validated scenario into runtime objects with plain typed parameters — the rail
network and its routes, train services, vessel services, the hub's resources and customs
desks, and every flow's shipments drawn up front — wires them together and registers their
processes with the environment. Running the environment to the horizon then simulates the
scenario; everything observed goes to the recorder.

Stream names (each its own random generator, see :class:`sim.engine.Streams`):
``demand.<flow>.<kind>.arrivals`` / ``.attributes``, ``hub.gate``, ``hub.stuffing``,
``hub.deconsolidation``, ``hub.pickup``, ``customs.<direction>.review`` / ``.inspect`` /
``.inspection_time``, ``customs.quarantine.sample`` / ``.test``,
``trains.<corridor>.<direction>.run_time`` / ``.border``, ``sea.<port>.transit``,
``port.<port>.<direction>``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import numpy as np
import simpy

from sim.engine import Bernoulli, Draws, Recorder, Sampler, Streams, Table, monitored
from sim.model.customs import CustomsDesk, duty_intervals, start_shifts
from sim.model.demand import (
    HOURS_PER_WEEK,
    FlowDraws,
    booked_arrivals,
    draw_flow,
    drayage_cny_per_teu,
    elasticity_multiplier,
    logit_multiplier,
    month_calendar,
)
from sim.model.flows import ROAD, FlowSpec
from sim.model.network import Crossing, RailNetwork, Route
from sim.model.terminal import Hub
from sim.model.train import TrainService
from sim.model.vessels import VesselService
from sim.results.records import CONTAINER_COLUMNS, SHIPMENT_COLUMNS, TRAIN_COLUMNS, VESSEL_COLUMNS
from sim.scenario.schema import (
    MONTHS,
    WEEKDAYS,
    Headway,
    Levers,
    Scenario,
    Weekly,
    clock_hours,
)
from sim.scenario.schema import (
    Flow as FlowSpecSchema,
)
from sim.scenario.schema import (
    TrainService as TrainServiceSpec,
)


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


# ---------------------------------------------------------------------------- calendars


def weekly_times(spec: Weekly, start_weekday: int, t0_h: float, t1_h: float) -> np.ndarray:
    """Hours (from the start date) of every (day, time) in ``spec`` within ``[t0_h, t1_h)``."""
    days = {WEEKDAYS.index(d) for d in spec.days}
    clocks = sorted(clock_hours(t) for t in spec.times)
    out = []
    for day in range(math.floor(t0_h / 24), math.ceil(t1_h / 24) + 1):
        if (start_weekday + day) % 7 in days:
            out.extend(day * 24 + c for c in clocks)
    times = np.asarray(out, dtype=float)
    return times[(times >= t0_h) & (times < t1_h)]


def departure_times(
    spec: Weekly | Headway, start_weekday: int, t0_h: float, t1_h: float
) -> np.ndarray:
    if isinstance(spec, Weekly):
        return weekly_times(spec, start_weekday, t0_h, t1_h)
    k0 = math.ceil((t0_h - spec.first_h) / spec.headway_h)
    k1 = math.ceil((t1_h - spec.first_h) / spec.headway_h)
    return spec.first_h + spec.headway_h * np.arange(k0, k1, dtype=float)


def mean_headway_h(spec: Weekly | Headway) -> float:
    if isinstance(spec, Weekly):
        return HOURS_PER_WEEK / (len(set(spec.days)) * len(set(spec.times)))
    return spec.headway_h


# ---------------------------------------------------------------------------- network


def build_network(s: Scenario) -> RailNetwork:
    net = RailNetwork()
    for name, place in s.network.places.items():
        crossing = None
        if place.crossing is not None:
            crossing = Crossing(
                name, place.crossing.technical_h.to_engine(), place.crossing.customs_h.to_engine()
            )
        net.add_place(name, place.kind, crossing)
    for leg in s.network.legs:
        net.add_leg(
            leg.a,
            leg.b,
            distance_km=leg.distance_km,
            run_time_h=leg.run_time_h.to_engine(),
            bureau=leg.bureau,
            tariff_cny_per_teu=leg.tariff_cny_per_teu,
        )
    return net


# ---------------------------------------------------------------------------- demand


def _flow_specs(s: Scenario, net: RailNetwork) -> dict[str, FlowSpec]:
    """Every flow's costs and demand response at the scenario's and the reference levers."""
    specs = {}
    for name, flow in s.demand.flows.items():
        commodities = tuple(flow.commodities)
        if flow.corridor is None:  # trucked imports: no rail route, no rate levers
            corridor, costs, discount, subsidy, multiplier = (
                ROAD,
                np.zeros((1, len(flow.regions))),
                0.0,
                0.0,
                1.0,
            )
        else:
            corridor, subsidy = flow.corridor, s.tariffs.subsidy_per_teu_cny
            costs, discount, multiplier = _route_economics(s, net, flow)
        specs[name] = FlowSpec(
            name,
            corridor,
            flow.direction,
            flow.arrives_by,
            tuple(flow.places),
            commodities,
            tuple(s.commodities[c].agricultural for c in commodities),
            tuple(flow.regions),
            costs,
            discount,
            subsidy,
            multiplier,
        )
    return specs


def _route_economics(
    s: Scenario, net: RailNetwork, flow: FlowSpecSchema
) -> tuple[np.ndarray, float, float]:
    """A train flow's shipper cost per TEU by (place, region), rail discount per TEU, and its
    volume multiplier at the scenario's levers relative to the reference levers."""
    assert flow.corridor is not None
    tariffs, response = s.tariffs, s.demand.response
    vot = tariffs.value_of_time_cny_per_teu_h
    corridor = s.corridors[flow.corridor]
    route = net.route(flow.corridor, "export", corridor.path, corridor.four_customs_as_one)
    service = corridor.trains.export if flow.direction == "export" else corridor.trains.import_
    places = list(flow.places)
    sea_cost = np.zeros(len(places))
    transit = np.full(len(places), route.mean_run_h() + mean_headway_h(service.schedule) / 2)
    if s.sea is not None and flow.corridor == s.sea.corridor:
        port = net.crossing(s.sea.port)
        port_dwell = port.mean_h(corridor.four_customs_as_one) if port else 0.0
        for i, p in enumerate(places):
            svc = s.sea.services[p]
            sea_cost[i] = svc.freight_cny_per_teu
            transit[i] += port_dwell + mean_headway_h(svc.sailings) / 2 + svc.transit_h.mean
    region_km = np.array([s.regions[r].drayage_km for r in flow.regions])
    weights = np.outer(
        np.array(list(flow.places.values())) / sum(flow.places.values()),
        np.array(list(flow.regions.values())) / sum(flow.regions.values()),
    )

    def cost_matrix(levers: Levers) -> np.ndarray:
        dray = np.array(
            [
                drayage_cny_per_teu(
                    km, tariffs.truck_cny_per_teu_km, tariffs.toll_share, levers.toll_cut
                )
                for km in region_km
            ]
        )
        rail = route.tariff_cny_per_teu(levers.discount)
        return rail + sea_cost[:, None] + dray[None, :] - levers.subsidy_per_teu_cny

    def generalised(costs: np.ndarray) -> float:
        return float(((costs + vot * transit[:, None]) * weights).sum())

    costs = cost_matrix(tariffs)
    g_new, g_ref = generalised(costs), generalised(cost_matrix(response.reference))
    if response.model == "logit":
        g_alt = corridor.competitor.cost_cny_per_teu + vot * corridor.competitor.transit_h
        multiplier = logit_multiplier(g_new, g_ref, g_alt, response.cost_sensitivity_per_cny)
    elif response.model == "elasticity":
        multiplier = elasticity_multiplier(g_new, g_ref, response.elasticity)
    else:
        multiplier = 1.0
    discount = route.list_tariff_cny_per_teu() - route.tariff_cny_per_teu(tariffs.discount)
    return costs, discount, multiplier


@dataclass(frozen=True)
class _Drawn:
    flow: FlowSpec
    kind: str
    draws: FlowDraws
    arrive: np.ndarray
    """When each shipment reaches the hub gate or its origin terminal (≥ its booking time)."""


def _draw_demand(s: Scenario, specs: dict[str, FlowSpec], streams: Streams) -> list[_Drawn]:
    calendar = month_calendar(
        s.start,
        -s.warmup_h,
        s.horizon_h,
        {i + 1: s.demand.seasonality[m] for i, m in enumerate(MONTHS)},
    )
    cons = s.terminal.consolidation
    fill_cbm = cons.container_cbm * cons.fill_threshold
    out = []
    for name, flow in s.demand.flows.items():
        spec = specs[name]
        teu_per_h = flow.teu_per_week / HOURS_PER_WEEK * s.demand.scale * spec.demand_multiplier
        fcl_teu = flow.containers_per_shipment * (1 + flow.share_40ft)
        kinds = {"fcl": (1 - flow.lcl_share) * teu_per_h / fcl_teu}
        if flow.direction == "export":
            kinds["lcl_export"] = (
                flow.lcl_share * teu_per_h * fill_cbm / flow.lcl_cbm.to_engine().mean
            )
        else:
            kinds["lcl_import"] = flow.lcl_share * teu_per_h
        for kind, rate in kinds.items():
            if rate <= 0:
                continue
            draws = draw_flow(
                kind=kind,
                rate_per_h=rate,
                calendar=calendar,
                place_w=np.array(list(flow.places.values()), dtype=float),
                commodity_w=np.array(list(flow.commodities.values()), dtype=float),
                region_w=np.array(list(flow.regions.values()), dtype=float),
                containers_per_shipment=flow.containers_per_shipment,
                share_40ft=flow.share_40ft,
                cbm=flow.lcl_cbm.to_engine(),
                cbm_max=cons.container_cbm,
                arrivals_rng=streams[f"demand.{name}.{kind}.arrivals"],
                attributes_rng=streams[f"demand.{name}.{kind}.attributes"],
            )
            arrive = draws.times
            service = _booked_service(s, name)
            if kind == "fcl" and service is not None and service.booking is not None:
                departures = departure_times(
                    service.schedule,
                    s.start.weekday(),
                    -s.warmup_h + service.open_h,
                    s.horizon_h,
                )
                arrive = booked_arrivals(
                    draws.times,
                    departures,
                    service.booking.window_h,
                    service.booking.cutoff_h,
                    -s.warmup_h,
                )
            out.append(_Drawn(spec, kind, draws, arrive))
    return out


def _booked_service(s: Scenario, flow_name: str) -> TrainServiceSpec | None:
    """The train service a flow's FCL cargo is booked on at its origin terminal, if any.

    Exports are booked on their corridor's export trains; imports by train on a land
    corridor on its import trains. Rail–sea imports reach the port by vessel instead.
    """
    flow = s.demand.flows[flow_name]
    if flow.corridor is None or flow.arrives_by != "train":
        return None
    trains = s.corridors[flow.corridor].trains
    if flow.direction == "export":
        return trains.export
    if s.sea is not None and flow.corridor == s.sea.corridor:
        return None
    return trains.import_


# ---------------------------------------------------------------------------- build


def build(s: Scenario, env: simpy.Environment, streams: Streams, recorder: Recorder) -> Model:
    """Build the model of scenario ``s`` in ``env`` (whose clock starts at −warm-up hours)."""
    t0, t1 = -s.warmup_h, s.horizon_h
    start_weekday = s.start.weekday()
    net = build_network(s)
    specs = _flow_specs(s, net)
    drawn = _draw_demand(s, specs, streams)
    expected = sum(int(d.draws.containers.sum()) for d in drawn)
    containers = recorder.table("containers", CONTAINER_COLUMNS, capacity=expected + 1024)
    shipments = recorder.table("shipments", SHIPMENT_COLUMNS, capacity=len(drawn) + 1024)
    trains = recorder.table("trains", TRAIN_COLUMNS, capacity=512)
    vessels = recorder.table("vessels", VESSEL_COLUMNS, capacity=512)

    term, cus = s.terminal, s.customs
    where = s.hub
    res = lambda name, cap: monitored(env, recorder, f"{where}.{name}", cap)  # noqa: E731
    gate = res("gate", term.gate.lanes)
    yard = res("yard", term.yard.capacity_teu)
    sidings = res("sidings", term.sidings.count)
    crews = res("consolidation.crews", term.consolidation.crews)
    decons = res("deconsolidation.crews", term.deconsolidation.crews)
    bays = res("customs.inspection_bays", cus.inspection.bays)
    lab = res("customs.quarantine_lab", cus.quarantine.lab_slots)

    def sampler(spec_dist: object, stream: str) -> Sampler:
        return Sampler(spec_dist.to_engine(), streams[stream])  # type: ignore[attr-defined]

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
            start_shifts(
                env, officers, desk.officers, duty_intervals(windows, start_weekday, t0, t1)
            )
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
        gate=gate,
        gate_time=sampler(term.gate.service_h, "hub.gate"),
        yard=yard,
        sidings=sidings,
        handling_teu_per_h=term.sidings.handling_teu_per_h,
        crews=crews,
        stuffing=sampler(cons.stuffing_h, "hub.stuffing"),
        container_cbm=cons.container_cbm,
        fill_cbm=cons.container_cbm * cons.fill_threshold,
        max_wait_h=cons.max_wait_h,
        deconsolidation=decons,
        deconsolidation_time=sampler(term.deconsolidation.time_h, "hub.deconsolidation"),
        pickup=sampler(term.pickup_h, "hub.pickup"),
        export_customs=desks["export"],
        import_customs=desks["import"],
    )

    # -- sea ----------------------------------------------------------------------------------
    services: dict[tuple[str, str], TrainService] = {}
    vessel_services: dict[str, VesselService] = {}
    sea = s.sea
    sea_corridor = sea.corridor if sea is not None else None
    port_crossing = net.crossing(sea.port) if sea is not None else None

    def port_dwell(direction: str, four: bool) -> Callable[[], float]:
        assert sea is not None
        draws = Draws(streams[f"port.{sea.port}.{direction}"])

        def dwell() -> float:
            if port_crossing is None:
                return 0.0
            h = draws.draw(port_crossing.technical_h)
            if not four:
                h += draws.draw(port_crossing.customs_h)
            return h

        return dwell

    if sea is not None:
        four = s.corridors[sea.corridor].four_customs_as_one
        import_dwell = port_dwell("import", four)

        def landed(ids: np.ndarray) -> None:
            def at_port(_: simpy.Event) -> None:
                containers["t_port"][ids] = env.now
                ready = services[(sea.corridor, "import")].ready
                for cid in ids.tolist():
                    ready(cid)

            env.timeout(import_dwell()).callbacks.append(at_port)

        for port, svc in sea.services.items():
            vessel_services[port] = VesselService(
                env,
                port=port,
                sailings=weekly_times(svc.sailings, start_weekday, t0, t1),
                transit_h=svc.transit_h.to_engine(),
                draws=Draws(streams[f"sea.{port}.transit"]),
                containers=containers,
                vessels=vessels,
                landed=landed,
            )

    # -- trains -------------------------------------------------------------------------------
    for cname, corridor in s.corridors.items():
        for direction, spec in (
            ("export", corridor.trains.export),
            ("import", corridor.trains.import_),
        ):
            route = net.route(cname, direction, corridor.path, corridor.four_customs_as_one)
            on_arrival = _arrival_handler(
                env,
                direction,
                cname == sea_corridor,
                hub,
                containers,
                vessel_services,
                port_dwell("export", corridor.four_customs_as_one)
                if cname == sea_corridor
                else None,
            )
            services[(cname, direction)] = _train_service(
                env,
                spec,
                route,
                start_weekday,
                t0,
                t1,
                streams,
                containers,
                trains,
                sidings=sidings if direction == "export" else None,
                handling=term.sidings.handling_teu_per_h if direction == "export" else None,
                on_departed=yard.release if direction == "export" else None,
                on_arrival=on_arrival,
            )
            if direction == "export":
                hub.export_ready[cname] = services[(cname, direction)].ready

    for svc in services.values():
        env.process(svc.run())
    for vsvc in vessel_services.values():
        env.process(vsvc.run())
    env.process(
        _arrivals(env, drawn, shipments, containers, hub, services, vessel_services, sea_corridor)
    )

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
    )


def _train_service(
    env: simpy.Environment,
    spec: TrainServiceSpec,
    route: Route,
    start_weekday: int,
    t0: float,
    t1: float,
    streams: Streams,
    containers: Table,
    trains: Table,
    *,
    sidings: object,
    handling: float | None,
    on_departed: Callable[[int], None] | None,
    on_arrival: Callable[[int, np.ndarray], None],
) -> TrainService:
    departures = departure_times(spec.schedule, start_weekday, t0 + spec.open_h, t1)
    key = f"trains.{route.corridor}.{route.direction}"
    return TrainService(
        env,
        route=route,
        departures=departures,
        capacity_teu=spec.capacity_teu,
        policy=spec.policy,
        open_h=spec.open_h,
        min_load_teu=spec.min_load_teu,
        max_hold_h=spec.max_hold_h,
        sidings=sidings,  # type: ignore[arg-type]
        handling_teu_per_h=handling,
        run_time=Draws(streams[f"{key}.run_time"]),
        border_dwell=Draws(streams[f"{key}.border"]),
        containers=containers,
        trains=trains,
        on_departed=on_departed,
        on_arrival=on_arrival,
    )


def _arrival_handler(
    env: simpy.Environment,
    direction: str,
    is_sea: bool,
    hub: Hub,
    containers: Table,
    vessels: dict[str, VesselService],
    export_port_dwell: Callable[[], float] | None,
) -> Callable[[int, np.ndarray], None]:
    """What happens when a train reaches the end of its route."""
    if direction == "import":
        return lambda row, ids: env.process(hub.unload(row, ids)) and None

    if is_sea:
        assert export_port_dwell is not None

        def to_vessels(row: int, ids: np.ndarray) -> None:
            def at_quay(_: simpy.Event) -> None:
                containers["t_port"][ids] = env.now
                place = containers["place"]
                for cid in ids.tolist():
                    vessels[place[cid]].outbound.append(cid)

            env.timeout(export_port_dwell()).callbacks.append(at_quay)

        return to_vessels

    def delivered(row: int, ids: np.ndarray) -> None:
        containers["t_delivered"][ids] = env.now

    return delivered


def _arrivals(
    env: simpy.Environment,
    drawn: list[_Drawn],
    shipments: Table,
    containers: Table,
    hub: Hub,
    services: dict[tuple[str, str], TrainService],
    vessels: dict[str, VesselService],
    sea_corridor: str | None,
) -> Iterator[simpy.Event]:
    """Process: every shipment arrives at its time, in time order across flows."""
    if not drawn:
        return
    # One row per shipment, in order of arrival at the hub gate or origin terminal.
    per_flow: dict[str, list[np.ndarray]] = {}
    first_box = []
    for d in drawn:
        n, f, dr = len(d.draws.times), d.flow, d.draws
        first_box.append(np.concatenate(([0], np.cumsum(dr.containers)[:-1])).astype(int))
        if d.kind == "fcl" and n:
            teu = np.add.reduceat(dr.box_teu, first_box[-1])
        else:
            teu = np.full(n, 0 if d.kind == "lcl_export" else 1)
        places = np.asarray([*f.places, None], dtype=object)  # code -1 → None
        columns = {
            "flow": np.full(n, f.name, dtype=object),
            "corridor": np.full(n, f.corridor, dtype=object),
            "direction": np.full(n, f.direction, dtype=object),
            "commodity": np.asarray(f.commodities, dtype=object)[dr.commodity],
            "place": places[dr.place],
            "region": np.asarray(f.regions, dtype=object)[dr.region],
            "lcl": np.full(n, d.kind != "fcl"),
            "containers": dr.containers if d.kind != "lcl_export" else np.zeros(n, dtype=int),
            "teu": teu,
            "cbm": dr.cbm,
            "t_created": dr.times,
            "t_arrived": d.arrive,
            "which": np.full(n, len(first_box) - 1),
            "index": np.arange(n),
        }
        for name, values in columns.items():
            per_flow.setdefault(name, []).append(values)
    cols = {name: np.concatenate(parts) for name, parts in per_flow.items()}
    order = np.argsort(cols["t_arrived"], kind="stable")
    cols = {name: values[order] for name, values in cols.items()}
    which, index = cols.pop("which"), cols.pop("index")
    times = cols["t_arrived"]
    shipments.add_many(len(times), shipment_id=np.arange(len(times)), **cols)

    # Plain Python lists: indexing numpy scalars one at a time is slow.
    flows = [d.flow for d in drawn]
    kinds = [d.kind for d in drawn]
    place_l = [d.draws.place.tolist() for d in drawn]
    region_l = [d.draws.region.tolist() for d in drawn]
    commodity_l = [d.draws.commodity.tolist() for d in drawn]
    count_l = [d.draws.containers.tolist() for d in drawn]
    cbm_l = [d.draws.cbm.tolist() for d in drawn]
    box_l = [d.draws.box_teu.tolist() for d in drawn]
    first_l = [f.tolist() for f in first_box]

    sea_import = services.get((sea_corridor, "import")) if sea_corridor else None
    for sid, (t, w, i) in enumerate(
        zip(times.tolist(), which.tolist(), index.tolist(), strict=True)
    ):
        if t > env.now:
            yield env.timeout(t - env.now)
        flow, kind = flows[w], kinds[w]
        place, region = place_l[w][i], region_l[w][i]
        if kind == "lcl_export":
            hub.lcl_cargo(flow, sid, place, region, cbm_l[w][i])
            continue
        start = first_l[w][i]
        for k in range(count_l[w][i]):
            cid = flow.new_container(
                containers,
                shipment_id=sid,
                place=place,
                commodity=commodity_l[w][i],
                region=region,
                teu=box_l[w][start + k],
                lcl=kind != "fcl",
                t=t,
            )
            if kind == "lcl_import":
                shipments["container_id"][sid] = cid
            if flow.direction == "export":
                hub.fcl_export(cid)
            elif flow.arrives_by == "truck":
                hub.truck_import(cid)
            elif flow.corridor == sea_corridor and sea_import is not None:
                vessels[flow.places[place]].inbound.append(cid)
            else:
                services[(flow.corridor, "import")].ready(cid)
