"""Route economics: what a shipper pays for a route, and how volumes respond to it.

A route's **generalised cost** per TEU is what the shipper pays — rail tariff after each
railway group's discount on its own sections, sea freight, drayage between the hinterland and
the hub after the toll cut, less the per-TEU subsidy paid into the price — plus value of time ×
expected transit time (mean run and border dwell, half a train headway, and for rail–sea cargo
the port dwell, half a sailing interval and the sea transit). Demand responds to the change of
that cost relative to the reference levers (at which the scenario's volumes were observed),
either by

* binary logit against the corridor's competing route (e.g. trucking to the Guangdong
  coast), with generalised cost G_alt and cost sensitivity θ per CNY: the route's share is
  ``1 / (1 + exp(θ·(G − G_alt)))`` and the volume multiplier is share(G) / share(G_ref)
  (Ben-Akiva & Lerman, *Discrete Choice Analysis*, ch. 5), or
* constant elasticity: ``(G / G_ref) ** ε``.

A deeper discount lowers G, so it never lowers demand (θ ≥ 0, ε ≤ 0).

**Door-to-door accounts.** Each flow also carries an :class:`Account`: what one TEU pays and
emits on its route, by overseas place and hinterland region, and the same cargo by the
corridor's competing route. Money, per TEU: the rail tariff after discount, sea freight, the
truck haul between region and hub and the tolls paid on it (after the toll cut), handling at
the hub and port charges at the rail–sea port; storage in the hub's yard beyond the free time
and the value of time over the door-to-door journey depend on the box's own milestones, so
:func:`settle` adds them when the run ends. The operating subsidy reduces what the shipper
pays; the public purse pays it, forgoes the railway's discount and waives the tolls. The
charges the levers do not touch (handling, port, storage) are accounted, not part of the
route choice above, which compares the prices the levers move.

CO₂e follows the GLEC Framework v3 / ISO 14083, well-to-wheel: each leg's distance × its
mode's intensity (× the cargo tonnes of a TEU for an intensity per tonne-km) — drayage by
truck, rail legs by their traction, the sea leg by its ships' size class — and the competing
route's road distance by truck (plus the same sea leg, for a competitor that ends at sea).

The policy's own effect: volumes at the scenario's levers are V_ref × m, and with no policy at
all (no discount, no toll cut, no subsidy) V_ref × m₀, so a share ``1 − m₀ / m`` of every
box is cargo the policy brought (:attr:`Account.induced_share`).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np

from sim.engine import Table
from sim.engine.recorder import Derived, PerKey, Sum
from sim.model.flows import ROAD, Flow
from sim.model.network import RailNetwork, Route
from sim.model.timetable import departure_times, mean_headway_h
from sim.results.records import ACCOUNT_COLUMNS, CHARGE_COLUMNS
from sim.scenario.schema import Emissions, FlowSpec, Leg, Levers, Scenario

NO_POLICY = Levers(discount={}, toll_cut=0.0, subsidy_per_teu_cny=0.0)
"""The levers of no policy at all: list tariffs, full tolls, no subsidy."""


def drayage_cny_per_teu(
    km: float, truck_cny_per_teu_km: float, toll_share: float, toll_cut: float
) -> float:
    """Truck cost between a hinterland region and the hub, after the highway toll cut."""
    return km * truck_cny_per_teu_km * (1.0 - toll_share * toll_cut)


@dataclass(frozen=True)
class Drayage:
    """A truck haul per TEU split three ways: the haul without tolls, the tolls the shipper
    pays after the cut, and the tolls waived (the public purse's)."""

    haul_cny: float
    toll_cny: float
    waived_cny: float


def drayage_parts(
    km: float, truck_cny_per_teu_km: float, toll_share: float, toll_cut: float
) -> Drayage:
    """:func:`drayage_cny_per_teu` split into haul, tolls paid and tolls waived."""
    full = km * truck_cny_per_teu_km
    tolls = full * toll_share
    return Drayage(full - tolls, tolls * (1.0 - toll_cut), tolls * toll_cut)


def leg_co2e_kg_per_teu(km: float, kg_per_teu_km: float) -> float:
    """CO₂e of one leg per TEU: distance × intensity per TEU-km (for an intensity per
    tonne-km, that is g/tkm × tonnes per TEU / 1000)."""
    return km * kg_per_teu_km


@dataclass(frozen=True)
class Account:
    """What one TEU of a flow pays and emits door to door, and the same cargo by the
    corridor's competing route. Arrays are by overseas place ``[P]`` or hinterland region
    ``[R]``; CO₂e is NaN when the scenario has no emissions."""

    rail_cny: float
    """Rail tariff after each bureau's discount."""
    sea_cny: np.ndarray
    drayage_cny: np.ndarray
    toll_cny: np.ndarray
    toll_waived_cny: np.ndarray
    handling_cny: float
    """Handling at the hub and port charges at the rail–sea port."""
    region_weights: np.ndarray
    """Shares of the flow's regions: a consolidated (LCL) box's truck legs are their mean."""
    co2e_drayage_kg: np.ndarray
    co2e_rail_kg: float
    co2e_sea_kg: np.ndarray
    road_cny: float
    """The competing route's price (all in)."""
    road_transit_h: float
    road_co2e_kg: np.ndarray
    induced_share: float
    """Share of the flow's volume the policy brought: ``1 − m₀ / m``."""


@dataclass(frozen=True)
class Rates:
    """Charges that depend on a box's own milestones, settled when the run ends."""

    value_of_time_cny_per_teu_h: float
    storage_cny_per_teu_day: float
    storage_free_h: float


_LARGEST_EXP = 700.0
"""math.exp overflows a float beyond about 709.78."""


def logit_share(cost: float, competitor_cost: float, theta: float) -> float:
    """Share choosing the route in a binary logit against the competitor (costs in CNY/TEU)."""
    x = theta * (cost - competitor_cost)
    if x > _LARGEST_EXP:  # 1 / (1 + e^x) = e^-x to double precision, and e^x would overflow
        return math.exp(-x)
    return 1.0 / (1.0 + math.exp(x))


def logit_multiplier(
    cost: float, reference_cost: float, competitor_cost: float, theta: float
) -> float:
    """Volume at ``cost`` relative to volume at ``reference_cost`` (binary logit)."""
    if theta * (min(cost, reference_cost) - competitor_cost) > _LARGEST_EXP:
        # Both shares are e^-x to double precision, and may underflow: take their ratio.
        return math.exp(-theta * (cost - reference_cost))
    return logit_share(cost, competitor_cost, theta) / logit_share(
        reference_cost, competitor_cost, theta
    )


def elasticity_multiplier(cost: float, reference_cost: float, elasticity: float) -> float:
    if reference_cost <= 0 or cost <= 0:
        return 1.0
    return (cost / reference_cost) ** elasticity


def build_flows(s: Scenario, net: RailNetwork) -> dict[str, Flow]:
    """Every flow's costs and demand response at the scenario's and the reference levers."""
    flows = {}
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
            costs, discount, multiplier = route_economics(s, net, flow)
        flows[name] = Flow(
            name=name,
            corridor=corridor,
            direction=flow.direction,
            arrives_by=flow.arrives_by,
            places=tuple(flow.places),
            commodities=commodities,
            agricultural=tuple(s.commodities[c].agricultural for c in commodities),
            regions=tuple(flow.regions),
            shipper_cost_cny_per_teu=costs,
            rail_discount_cny_per_teu=discount,
            subsidy_cny_per_teu=subsidy,
            demand_multiplier=multiplier,
        )
    return flows


class _RouteChoice:
    """A train flow's route as its shippers see it: prices by (place, region) at any levers,
    expected transit, and the volume multiplier of any levers against the reference ones."""

    def __init__(self, s: Scenario, net: RailNetwork, flow: FlowSpec) -> None:
        assert flow.corridor is not None
        self.s, self.flow = s, flow
        tariffs = s.tariffs
        self.vot = tariffs.value_of_time_cny_per_teu_h
        corridor = self.corridor = s.corridors[flow.corridor]
        route = net.route(flow.corridor, "export", corridor.path, corridor.four_customs_as_one)
        self.route: Route = route
        service = corridor.trains.export if flow.direction == "export" else corridor.trains.import_
        window = departure_times(service.schedule, s.start, -s.warmup_h, s.horizon_h)
        headway = mean_headway_h(service.schedule, window)
        if isinstance(service.schedule, list) and math.isinf(headway):
            # Fewer than two trains in a run that short: the periods' own timetables, on
            # average (an infinite wait would make every generalised cost infinite, and
            # demand NaN).
            headway = float(np.mean([mean_headway_h(p.schedule, window) for p in service.schedule]))
        places = list(flow.places)
        self.sea_cost = np.zeros(len(places))
        self.transit = np.full(len(places), route.mean_run_h() + headway / 2)
        sea_port = s.sea_port_of(flow.corridor)
        if sea_port is not None:
            port_name, port_spec = sea_port
            port = net.crossing(port_name)
            port_dwell = port.mean_h(corridor.four_customs_as_one) if port else 0.0
            for i, p in enumerate(places):
                svc = port_spec.services[p]
                self.sea_cost[i] = svc.freight_cny_per_teu
                self.transit[i] += (
                    port_dwell
                    + mean_headway_h(svc.sailings, np.empty(0)) / 2
                    + svc.transit_h.to_engine().mean
                )
        self.region_km = np.array([s.regions[r].drayage_km for r in flow.regions])
        self.region_w = np.array(list(flow.regions.values())) / sum(flow.regions.values())
        self.weights = np.outer(
            np.array(list(flow.places.values())) / sum(flow.places.values()), self.region_w
        )

    def drayage(self, levers: Levers) -> list[Drayage]:
        t = self.s.tariffs
        return [
            drayage_parts(km, t.truck_cny_per_teu_km, t.toll_share, levers.toll_cut)
            for km in self.region_km
        ]

    def cost_matrix(self, levers: Levers) -> np.ndarray:
        """Price per TEU by (place, region): rail after discount, sea, drayage, − subsidy."""
        dray = np.array([d.haul_cny + d.toll_cny for d in self.drayage(levers)])
        rail = self.route.tariff_cny_per_teu(levers.discount)
        return rail + self.sea_cost[:, None] + dray[None, :] - levers.subsidy_per_teu_cny

    def generalised(self, levers: Levers) -> float:
        costs = self.cost_matrix(levers)
        return float(((costs + self.vot * self.transit[:, None]) * self.weights).sum())

    def multiplier(self, levers: Levers) -> float:
        """Volume at ``levers`` relative to volume at the reference levers."""
        response = self.s.demand.response
        g_new, g_ref = self.generalised(levers), self.generalised(response.reference)
        if response.model == "logit":
            competitor = self.corridor.competitor
            g_alt = competitor.cost_cny_per_teu + self.vot * competitor.transit_h
            return logit_multiplier(g_new, g_ref, g_alt, response.cost_sensitivity_per_cny)
        if response.model == "elasticity":
            return elasticity_multiplier(g_new, g_ref, response.elasticity)
        return 1.0


def route_economics(
    s: Scenario, net: RailNetwork, flow: FlowSpec
) -> tuple[np.ndarray, float, float]:
    """A train flow's shipper cost per TEU by (place, region), rail discount per TEU, and its
    volume multiplier at the scenario's levers relative to the reference levers."""
    choice = _RouteChoice(s, net, flow)
    route, tariffs = choice.route, s.tariffs
    discount = route.list_tariff_cny_per_teu() - route.tariff_cny_per_teu(tariffs.discount)
    return choice.cost_matrix(tariffs), discount, choice.multiplier(tariffs)


def build_accounts(s: Scenario, net: RailNetwork) -> dict[str, Account]:
    """The door-to-door :class:`Account` of every train flow, by flow name."""
    return {
        name: route_account(s, net, flow)
        for name, flow in s.demand.flows.items()
        if flow.corridor is not None
    }


def route_account(s: Scenario, net: RailNetwork, flow: FlowSpec) -> Account:
    """What a TEU of a train flow pays and emits door to door, and by the competing route."""
    choice = _RouteChoice(s, net, flow)
    tariffs, corridor = s.tariffs, choice.corridor
    places = list(flow.places)
    dray = choice.drayage(tariffs)
    handling = tariffs.handling_cny_per_teu
    sea_port = s.sea_port_of(flow.corridor)
    if sea_port is not None:
        handling += sea_port[1].port_cny_per_teu
    m = choice.multiplier(tariffs)
    m0 = choice.multiplier(NO_POLICY)
    induced = max(0.0, 1.0 - m0 / m) if m > 0 else 0.0
    nan_p, nan_r = np.full(len(places), np.nan), np.full(len(flow.regions), np.nan)
    co2e_dray, co2e_rail, co2e_sea, road_co2e = nan_r, math.nan, nan_p, nan_p
    if s.emissions is not None:
        e = s.emissions
        truck = e.truck.kg_per_teu_km(e.cargo_t_per_teu)
        co2e_dray = np.array([leg_co2e_kg_per_teu(km, truck) for km in choice.region_km])
        co2e_rail = rail_co2e_kg_per_teu(s, corridor.path, e)
        co2e_sea = np.zeros(len(places))
        if sea_port is not None:
            for i, p in enumerate(places):
                svc = sea_port[1].services[p]
                assert svc.distance_km is not None  # both checked with the references
                assert svc.ship is not None
                ship = e.ships[svc.ship].kg_per_teu_km(e.cargo_t_per_teu)
                co2e_sea[i] = leg_co2e_kg_per_teu(svc.distance_km, ship)
        road_km = corridor.competitor.road_km
        assert road_km is not None  # checked when the scenario has emissions
        road_co2e = leg_co2e_kg_per_teu(road_km, truck) + (
            co2e_sea if corridor.competitor.sea_leg else np.zeros(len(places))
        )
    return Account(
        rail_cny=choice.route.tariff_cny_per_teu(tariffs.discount),
        sea_cny=choice.sea_cost.copy(),
        drayage_cny=np.array([d.haul_cny for d in dray]),
        toll_cny=np.array([d.toll_cny for d in dray]),
        toll_waived_cny=np.array([d.waived_cny for d in dray]),
        handling_cny=handling,
        region_weights=choice.region_w,
        co2e_drayage_kg=co2e_dray,
        co2e_rail_kg=co2e_rail,
        co2e_sea_kg=co2e_sea,
        road_cny=corridor.competitor.cost_cny_per_teu,
        road_transit_h=corridor.competitor.transit_h,
        road_co2e_kg=np.asarray(road_co2e, dtype=float),
        induced_share=induced,
    )


def rail_co2e_kg_per_teu(s: Scenario, path: list[str], emissions: Emissions) -> float:
    """CO₂e per TEU of the rail legs along ``path``, each by its traction."""
    legs: dict[frozenset[str], Leg] = {}
    for leg in s.network.legs:  # the network keeps the last leg between two places
        legs[frozenset((leg.a, leg.b))] = leg
    total = 0.0
    for a, b in itertools.pairwise(path):
        leg = legs[frozenset((a, b))]
        intensity = getattr(emissions.rail, leg.traction)
        total += leg_co2e_kg_per_teu(
            leg.distance_km, intensity.kg_per_teu_km(emissions.cargo_t_per_teu)
        )
    return total


def rates(s: Scenario) -> Rates:
    t = s.tariffs
    return Rates(t.value_of_time_cny_per_teu_h, t.storage_cny_per_teu_day, t.storage_free_days * 24)


ACCOUNT_SUMS: dict[str, Sum] = {
    "door_cny": Sum(CHARGE_COLUMNS, ("subsidy_cny",)),
    "public_cny": Sum(("subsidy_cny", "rail_discount_cny", "toll_waived_cny")),
    "co2e_kg": Sum(("co2e_drayage_kg", "co2e_rail_kg", "co2e_sea_kg")),
}
"""The account columns that are sums of others: the shipper's door-to-door total, public
money and CO₂e (see :func:`settle`)."""

PER_TEU = PerKey("flow", "teu")
CONTAINER_DERIVED: dict[str, Derived] = {
    "subsidy_cny": PER_TEU,
    "rail_discount_cny": PER_TEU,
    "rail_cny": PER_TEU,
    "handling_cny": PER_TEU,
    "road_cny": PER_TEU,
    "co2e_rail_kg": PER_TEU,
    "induced_share": PerKey("flow"),
    **ACCOUNT_SUMS,
}
"""Columns of the containers table made when it is read, never stored: the charges that are
a number per TEU of the box's flow (and its flow's induced share), kept once per flow
(:meth:`sim.model.tables.Containers.write`, :func:`settle`), and :data:`ACCOUNT_SUMS`."""


def settle(table: Table, flows: dict[str, Flow], accounts: dict[str, Account], r: Rates) -> None:
    """Fill every container's door-to-door account once the run has ended (vectorised).

    Per box, for its TEU: the route's charges and CO₂e by its flow, overseas place and region
    (a consolidated box's region is ``mixed``: the mean over its flow's regions), storage
    beyond the free time from yard-in to the train's departure (exports) or to gate-out
    (imports), the value of time from creation to delivery (NaN until delivered); the door-to-
    door total ``door_cny`` (the shipper's: charges + storage + time − subsidy), ``public_cny``
    (subsidy + rail discount + tolls waived), and the competing route's ``road_cny`` (its price
    + value of time over its transit) and ``road_co2e_kg``.
    """
    n = table.n
    if n == 0:
        return
    at = table.rows()  # each row's place in the buffers
    flow_of = table["flow"][at]
    place_of = table["place"][at]  # codes; −1 (none) last in the lookups below
    region_of = table["region"][at]
    places = [*table.categories["place"], None]
    regions = [*table.categories["region"], None]
    teu = table["teu"][at].astype(float)
    out = {name: np.full(n, np.nan) for name in ACCOUNT_COLUMNS}
    for name, acc in accounts.items():
        per_flow = {
            "rail_cny": acc.rail_cny,
            "handling_cny": acc.handling_cny,
            "road_cny": acc.road_cny + r.value_of_time_cny_per_teu_h * acc.road_transit_h,
            "co2e_rail_kg": acc.co2e_rail_kg,
            "induced_share": acc.induced_share,
        }
        for column, value in per_flow.items():
            if column in table.per_key:  # made when the table is read (CONTAINER_DERIVED)
                table.set_per_key(column, name, value)
        if name not in table.categories["flow"]:
            continue
        rows = np.flatnonzero(flow_of == table.categories["flow"].index(name))
        if len(rows) == 0:
            continue
        flow = flows[name]
        # each place (region) code's index in the flow's places (regions); none: 0 (−1)
        p_index = {p: i for i, p in enumerate(flow.places)}
        r_index = {g: i for i, g in enumerate(flow.regions)}
        pi = np.array([p_index.get(p, 0) for p in places], dtype=int)[place_of[rows]]
        ri = np.array([r_index.get(g, -1) for g in regions], dtype=int)[region_of[rows]]

        def by_region(values: np.ndarray, acc: Account = acc, ri: np.ndarray = ri) -> np.ndarray:
            """Per box by its region; a consolidated box (no one region): the flow's mean."""
            mean = float(np.dot(values, acc.region_weights))
            out: np.ndarray = np.where(ri < 0, mean, values[np.maximum(ri, 0)])
            return out

        box = teu[rows]
        out["rail_cny"][rows] = per_flow["rail_cny"] * box
        out["sea_cny"][rows] = acc.sea_cny[pi] * box
        out["drayage_cny"][rows] = by_region(acc.drayage_cny) * box
        out["toll_cny"][rows] = by_region(acc.toll_cny) * box
        out["toll_waived_cny"][rows] = by_region(acc.toll_waived_cny) * box
        out["handling_cny"][rows] = per_flow["handling_cny"] * box
        out["road_cny"][rows] = per_flow["road_cny"] * box
        out["co2e_drayage_kg"][rows] = by_region(acc.co2e_drayage_kg) * box
        out["co2e_rail_kg"][rows] = per_flow["co2e_rail_kg"] * box
        out["co2e_sea_kg"][rows] = acc.co2e_sea_kg[pi] * box
        out["road_co2e_kg"][rows] = acc.road_co2e_kg[pi] * box
        out["induced_share"][rows] = per_flow["induced_share"]
    directions = table.categories["direction"]
    export_code = directions.index("export") if "export" in directions else -2  # −2: no code
    export = table["direction"][at] == export_code
    yard_out = np.where(export, table["t_train_departed"][at], table["t_delivered"][at])
    stay_h = yard_out - table["t_yard_in"][at]
    charged_days = np.maximum(stay_h - r.storage_free_h, 0.0) / 24.0
    has_account = ~np.isnan(out["rail_cny"])
    out["storage_cny"] = np.where(
        has_account, r.storage_cny_per_teu_day * charged_days * teu, np.nan
    )
    door_h = table["t_delivered"][at] - table["t_created"][at]
    out["time_cny"] = np.where(has_account, r.value_of_time_cny_per_teu_h * door_h * teu, np.nan)
    parts = {
        **out,
        "subsidy_cny": table.values("subsidy_cny", at),
        "rail_discount_cny": table.values("rail_discount_cny", at),
    }
    for name, total in ACCOUNT_SUMS.items():
        out[name] = total.of(parts)
    for name, values in out.items():
        if name in table.stored:  # the others are made when the table is read
            table[name][at] = values
