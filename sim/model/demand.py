"""Demand: shipments arriving as (seasonal) Poisson processes, and their response to rates.

**Arrivals.** Each flow (corridor, direction) has a mean rate in TEU per week at the reference
rate levers, scaled month by month by seasonal factors. Shipment times are drawn as a
non-homogeneous Poisson process by inversion: unit-rate exponential gaps accumulated in
"cumulative rate" space are mapped back to hours through the piecewise-linear cumulative rate.
Everything exogenous is drawn up front, vectorised, from the flow's own streams; when a
what-if only rescales a rate, the same gaps map to proportionally shifted times (common
random numbers).

**Response.** A route's generalised cost per TEU is what the shipper pays (rail tariff after
each bureau's discount, sea freight, drayage after the toll cut, less the per-TEU subsidy paid
into the price) plus value of time × expected transit time. Demand responds to the change
of that cost relative to the reference levers, either by

* binary logit against the corridor's competing route (e.g. trucking to the Guangdong
  coast), with generalised cost G_alt and cost sensitivity θ per CNY: the route's share is
  ``1 / (1 + exp(θ·(G − G_alt)))`` and the volume multiplier is share(G) / share(G_ref)
  (Ben-Akiva & Lerman, *Discrete Choice Analysis*, ch. 5), or
* constant elasticity: ``(G / G_ref) ** ε``.

A deeper discount lowers G, so it never lowers demand (θ ≥ 0, ε ≤ 0).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from sim.engine.dists import Distribution

HOURS_PER_WEEK = 168.0
_LARGEST_EXP = 700.0
"""math.exp overflows a float beyond about 709.78."""


@dataclass(frozen=True)
class RateCalendar:
    """Piecewise-constant multipliers of a base rate.

    Segment ``i`` is ``[edges_h[i], edges_h[i+1])``.
    """

    edges_h: np.ndarray
    factor: np.ndarray

    def cumulative(self, rate_per_h: float) -> np.ndarray:
        return np.concatenate(([0.0], np.cumsum(rate_per_h * self.factor * np.diff(self.edges_h))))


def month_calendar(
    start: dt.date, t0_h: float, t1_h: float, factors: Mapping[int, float]
) -> RateCalendar:
    """Calendar-month segments covering ``[t0_h, t1_h]`` hours from ``start`` 00:00."""
    origin = dt.datetime.combine(start, dt.time())
    first = origin + dt.timedelta(hours=t0_h)
    month = dt.datetime(first.year, first.month, 1)
    edges = [t0_h]
    factor = []
    while True:
        nxt = dt.datetime(month.year + month.month // 12, month.month % 12 + 1, 1)
        end_h = (nxt - origin).total_seconds() / 3600.0
        factor.append(factors[month.month])
        if end_h >= t1_h:
            edges.append(t1_h)
            break
        edges.append(end_h)
        month = nxt
    return RateCalendar(np.asarray(edges, dtype=float), np.asarray(factor, dtype=float))


def poisson_arrivals(
    rate_per_h: float, calendar: RateCalendar, rng: np.random.Generator
) -> np.ndarray:
    """Arrival times (hours, ascending) of a Poisson process with rate ``rate_per_h × factor``."""
    cum = calendar.cumulative(rate_per_h)
    total = float(cum[-1])
    if total <= 0:
        return np.empty(0)
    size = int(total + 6 * math.sqrt(total) + 32)
    points = np.cumsum(rng.exponential(1.0, size))
    while points[-1] < total:
        more = np.cumsum(rng.exponential(1.0, size)) + points[-1]
        points = np.concatenate((points, more))
    points = points[points < total]
    return np.interp(points, cum, calendar.edges_h)


def drayage_cny_per_teu(
    km: float, truck_cny_per_teu_km: float, toll_share: float, toll_cut: float
) -> float:
    """Truck cost between a hinterland region and the hub, after the highway toll cut."""
    return km * truck_cny_per_teu_km * (1.0 - toll_share * toll_cut)


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


def booked_arrivals(
    booked: np.ndarray, departures: np.ndarray, window_h: float, cutoff_h: float, t0_h: float
) -> np.ndarray:
    """When cargo booked at ``booked`` reaches the terminal of trains leaving at ``departures``.

    Cargo is booked on the first departure D at or after its booking time. What was booked
    since the previous departure (or ``t0_h``) reaches the terminal in booking order, spread
    evenly over [D − ``window_h``, D − ``cutoff_h``], never before it was booked. Where trains
    run more often than the window, nothing changes: cargo arrives as soon as it exists.
    """
    booked = np.asarray(booked, dtype=float)
    if len(departures) == 0 or len(booked) == 0:
        return booked.copy()
    idx = np.searchsorted(departures, booked, side="left")
    has_train = idx < len(departures)
    d = np.where(has_train, departures[np.minimum(idx, len(departures) - 1)], booked)
    prev = np.where(idx > 0, departures[np.maximum(idx - 1, 0)], t0_h)
    start, end = d - window_h, d - cutoff_h
    spread = has_train & (start > prev)
    frac = np.where(spread, (booked - prev) / np.where(spread, d - prev, 1.0), 0.0)
    mapped = start + frac * (end - start)
    return np.where(spread, np.maximum(booked, mapped), booked)


@dataclass(frozen=True)
class FlowDraws:
    """Every shipment of one flow and kind (FCL or LCL), drawn up front."""

    times: np.ndarray
    place: np.ndarray
    commodity: np.ndarray
    region: np.ndarray
    containers: np.ndarray
    """FCL: containers per shipment; LCL: 1."""
    box_teu: np.ndarray
    """TEU of each container, all shipments concatenated (FCL); LCL import: ones."""
    cbm: np.ndarray
    """LCL export: consignment volume; otherwise NaN."""


def _choice(rng: np.random.Generator, weights: np.ndarray, size: int) -> np.ndarray:
    if len(weights) == 1:
        return np.zeros(size, dtype=int)
    p = weights / weights.sum()
    return rng.choice(len(weights), size=size, p=p)


def draw_flow(
    *,
    kind: str,
    rate_per_h: float,
    calendar: RateCalendar,
    place_w: np.ndarray,
    commodity_w: np.ndarray,
    region_w: np.ndarray,
    containers_per_shipment: float,
    share_40ft: float,
    cbm: Distribution | None,
    cbm_max: float,
    arrivals_rng: np.random.Generator,
    attributes_rng: np.random.Generator,
) -> FlowDraws:
    """Draw shipments of kind ``fcl``, ``lcl_export`` (cargo by cbm) or ``lcl_import`` (boxes)."""
    times = poisson_arrivals(rate_per_h, calendar, arrivals_rng)
    n = len(times)
    rng = attributes_rng
    place = _choice(rng, place_w, n) if len(place_w) else np.full(n, -1)
    commodity = _choice(rng, commodity_w, n)
    region = _choice(rng, region_w, n)
    if kind == "fcl":
        containers = 1 + rng.poisson(containers_per_shipment - 1.0, n)
        box_teu = np.where(rng.random(int(containers.sum())) < share_40ft, 2, 1)
        volume = np.full(n, np.nan)
    elif kind == "lcl_export":
        assert cbm is not None
        containers = np.ones(n, dtype=int)
        box_teu = np.empty(0, dtype=int)
        volume = np.clip(np.asarray(cbm.sample(rng, n), dtype=float), 0.01, cbm_max)
    else:
        containers = np.ones(n, dtype=int)
        box_teu = np.ones(n, dtype=int)
        volume = np.full(n, np.nan)
    return FlowDraws(times, place, commodity, region, containers.astype(int), box_teu, volume)
