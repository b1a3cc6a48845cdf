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
"""

from __future__ import annotations

import math

import numpy as np

from sim.model.flows import ROAD, Flow
from sim.model.network import RailNetwork
from sim.model.timetable import departure_times, mean_headway_h
from sim.scenario.schema import FlowSpec, Levers, Scenario


def drayage_cny_per_teu(
    km: float, truck_cny_per_teu_km: float, toll_share: float, toll_cut: float
) -> float:
    """Truck cost between a hinterland region and the hub, after the highway toll cut."""
    return km * truck_cny_per_teu_km * (1.0 - toll_share * toll_cut)


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


def route_economics(
    s: Scenario, net: RailNetwork, flow: FlowSpec
) -> tuple[np.ndarray, float, float]:
    """A train flow's shipper cost per TEU by (place, region), rail discount per TEU, and its
    volume multiplier at the scenario's levers relative to the reference levers."""
    assert flow.corridor is not None
    tariffs, response = s.tariffs, s.demand.response
    vot = tariffs.value_of_time_cny_per_teu_h
    corridor = s.corridors[flow.corridor]
    route = net.route(flow.corridor, "export", corridor.path, corridor.four_customs_as_one)
    service = corridor.trains.export if flow.direction == "export" else corridor.trains.import_
    window = departure_times(service.schedule, s.start, -s.warmup_h, s.horizon_h)
    headway = mean_headway_h(service.schedule, window)
    if isinstance(service.schedule, list) and math.isinf(headway):
        # Fewer than two trains in a run that short: the periods' own timetables, on average
        # (an infinite wait would make every generalised cost infinite, and demand NaN).
        headway = float(np.mean([mean_headway_h(p.schedule, window) for p in service.schedule]))
    places = list(flow.places)
    sea_cost = np.zeros(len(places))
    transit = np.full(len(places), route.mean_run_h() + headway / 2)
    sea_port = s.sea_port_of(flow.corridor)
    if sea_port is not None:
        port_name, port_spec = sea_port
        port = net.crossing(port_name)
        port_dwell = port.mean_h(corridor.four_customs_as_one) if port else 0.0
        for i, p in enumerate(places):
            svc = port_spec.services[p]
            sea_cost[i] = svc.freight_cny_per_teu
            transit[i] += (
                port_dwell
                + mean_headway_h(svc.sailings, np.empty(0)) / 2
                + svc.transit_h.to_engine().mean
            )
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
