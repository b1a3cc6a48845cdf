"""Demand: shipments arriving as (seasonal) Poisson processes.

Each flow (corridor, direction) has a mean rate in TEU per week at the reference
rate levers, scaled month by month by seasonal factors. Shipment times are drawn as a
non-homogeneous Poisson process by inversion: unit-rate exponential gaps accumulated in
"cumulative rate" space are mapped back to hours through the piecewise-linear cumulative rate.
Everything exogenous is drawn up front, vectorised, from the flow's own streams; when a
what-if only rescales a rate, the same gaps map to proportionally shifted times (common
random numbers).

How volumes respond to rates and discounts is :mod:`sim.model.economics`; how the drawn
shipments enter the model (bookings, the gate) is :mod:`sim.model.sources`.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from sim.engine.dists import Distribution


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


@dataclass(frozen=True)
class ShipmentMix:
    """What a flow's shipments are made of: weights of their overseas places, commodities and
    hinterland regions, FCL boxes per shipment and the share of 40 ft boxes, and the volume
    of an LCL consignment (at most ``cbm_max``, a container's)."""

    place_w: np.ndarray
    commodity_w: np.ndarray
    region_w: np.ndarray
    containers_per_shipment: float
    share_40ft: float
    cbm: Distribution | None
    cbm_max: float


def _choice(rng: np.random.Generator, weights: np.ndarray, size: int) -> np.ndarray:
    if len(weights) == 1:
        return np.zeros(size, dtype=int)
    p = weights / weights.sum()
    return rng.choice(len(weights), size=size, p=p)


def draw_flow(
    kind: str,
    rate_per_h: float,
    calendar: RateCalendar,
    mix: ShipmentMix,
    *,
    arrivals_rng: np.random.Generator,
    attributes_rng: np.random.Generator,
) -> FlowDraws:
    """Draw shipments of kind ``fcl``, ``lcl_export`` (cargo by cbm) or ``lcl_import`` (boxes)."""
    times = poisson_arrivals(rate_per_h, calendar, arrivals_rng)
    n = len(times)
    rng = attributes_rng
    place = _choice(rng, mix.place_w, n) if len(mix.place_w) else np.full(n, -1)
    commodity = _choice(rng, mix.commodity_w, n)
    region = _choice(rng, mix.region_w, n)
    if kind == "fcl":
        containers = 1 + rng.poisson(mix.containers_per_shipment - 1.0, n)
        box_teu = np.where(rng.random(int(containers.sum())) < mix.share_40ft, 2, 1)
        volume = np.full(n, np.nan)
    elif kind == "lcl_export":
        assert mix.cbm is not None
        containers = np.ones(n, dtype=int)
        box_teu = np.empty(0, dtype=int)
        volume = np.clip(np.asarray(mix.cbm.sample(rng, n), dtype=float), 0.01, mix.cbm_max)
    else:
        containers = np.ones(n, dtype=int)
        box_teu = np.ones(n, dtype=int)
        volume = np.full(n, np.nan)
    return FlowDraws(times, place, commodity, region, containers.astype(int), box_teu, volume)
