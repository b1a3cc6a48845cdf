"""Disruptions: border closures, port closures, line outages, capacity and demand changes.

A scenario's ``disruptions:`` become *occurrences* — windows in hours from the start date,
each with a factor (0: closed) — before the run: a scheduled one from its dates, a random one
as a Poisson process over the simulated period with drawn durations, from the disruption's
own stream ``disruptions.<name>`` (so a comparison with the same seed sees the same ones).
:func:`occurrences` is a pure function of the scenario, the seed and the replication, which is
how the recovery measures of a comparison find the windows of each replication again.

The occurrences then act through the engine and the parts of the model, which ask, never
patch themselves:

* a hub resource's capacity follows a schedule (its shifts times the factors of its windows,
  :func:`sim.engine.schedule.follow`);
* a border crossing (:class:`RouteDisruptions`): a train that reaches it while it is closed
  waits until it reopens (held) — or, with ``trains: cancel``, trains whose scheduled
  departure falls in the window do not run and their cargo waits for the next; a reduced
  crossing makes the dwell longer by 1 / factor;
* a line: a train about to run a leg that is out takes another path of the network (its
  legs' run times drawn from the disruption's stream; no border on a detour), or waits where
  there is none; a reduced line runs slower by 1 / factor. A train already on the leg when it
  goes out finishes its run;
* a rail–sea port (:class:`PortDisruptions`): sailings in the window are cancelled (cargo
  waits for the next, which then finds its slots taken and rolls some) or leave when the port
  reopens, together; vessels arriving while it is closed wait to land; a reduced port offers
  slots × factor a sailing;
* demand (:func:`change_demand`): shipments ready in the window are thinned (each kept with
  probability k) or joined by extra ones (a Poisson process of k − 1 times the rate), drawn
  from streams of the disruption's own, so the flow's other shipments stay as they were.

A window of zero length holds no instant and is dropped: it changes nothing.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field

import networkx as nx
import numpy as np

from sim.engine import Draws, Streams
from sim.engine.schedule import Steps, Window, Windows
from sim.model.demand import FlowDraws, RateCalendar, ShipmentMix, draw_flow
from sim.model.network import LegRun, RailNetwork, Route
from sim.scenario.schema import DisruptionSpec, Scenario, hub_resource_names, resources_of

HOURS_PER_YEAR = 365.25 * 24


@dataclass(frozen=True)
class Occurrence:
    """One window of a disruption, in hours from the scenario's start date."""

    name: str
    kind: str
    target: str | tuple[str, str]
    start_h: float
    end_h: float
    factor: float
    action: str
    """What trains (or sailings) do: wait, cancel, reroute, delay."""

    @property
    def window(self) -> Window:
        return Window(self.start_h, self.end_h, self.factor, self.name)


def _hours(s: Scenario, when: dt.datetime) -> float:
    return (when - dt.datetime.combine(s.start, dt.time())).total_seconds() / 3600.0


def occurrences(s: Scenario, streams: Streams) -> list[Occurrence]:
    """Every window of the scenario's disruptions in one replication (zero-length ones left
    out), in the order the disruptions are listed, then by start."""
    out: list[Occurrence] = []
    for d in s.disruptions:
        rng = streams[f"disruptions.{d.key}"]
        target = tuple(d.target) if isinstance(d.target, list) else d.target
        action = d.sailing_action if d.kind == "port_closure" else d.train_action
        for start_h, length_h in _windows(s, d, Draws(rng)):
            if length_h > 0:
                out.append(
                    Occurrence(
                        d.key,
                        d.kind,
                        target,  # type: ignore[arg-type]
                        start_h,
                        start_h + length_h,
                        d.capacity_factor,
                        action,
                    )
                )
    return out


def _windows(s: Scenario, d: DisruptionSpec, draws: Draws) -> list[tuple[float, float]]:
    """(start, length) in hours of each occurrence of ``d``."""
    if d.start is not None:
        start_h = _hours(s, d.start)
        if d.end is not None:
            return [(start_h, _hours(s, d.end) - start_h)]
        assert d.duration_h is not None
        return [(start_h, draws.draw(d.duration_h.to_engine()))]
    assert d.rate_per_year is not None
    assert d.duration_h is not None
    mean_gap_h = HOURS_PER_YEAR / d.rate_per_year
    duration = d.duration_h.to_engine()
    out = []
    t = float(draws.rng.exponential(mean_gap_h))
    while t < s.horizon_h:
        out.append((t, draws.draw(duration)))
        t += float(draws.rng.exponential(mean_gap_h))
    return out


# ---------------------------------------------------------------------------- the runtime


@dataclass
class Disruptions:
    """The occurrences of one replication, sorted by what they act on."""

    occurrences: list[Occurrence]
    resource_names: list[str]
    windows_by_resource: dict[str, Windows] = field(default_factory=dict)

    @classmethod
    def of(cls, s: Scenario, streams: Streams) -> Disruptions:
        found = cls(occurrences(s, streams), hub_resource_names(s))
        by_resource: dict[str, list[Window]] = {}
        for o in found.occurrences:
            if o.kind in ("resource_outage", "capacity_change"):
                assert isinstance(o.target, str)
                for name in resources_of(o.target, found.resource_names):
                    by_resource.setdefault(name, []).append(o.window)
        found.windows_by_resource = {n: Windows(w) for n, w in by_resource.items()}
        return found

    def __bool__(self) -> bool:
        return bool(self.occurrences)

    def of_kind(self, kind: str) -> list[Occurrence]:
        return [o for o in self.occurrences if o.kind == kind]

    # -- hub resources ----------------------------------------------------------------------

    def capacity(self, resource: str, base: Steps) -> Steps | None:
        """The capacity ``resource`` follows: ``base`` (its units, or its shifts) times the
        factors of its windows; None when no disruption touches it."""
        windows = self.windows_by_resource.get(resource)
        return base.times_scaled(windows) if windows else None

    def closes(self, resource: str, t: float) -> bool:
        """Whether a disruption has closed ``resource`` (no units) at ``t``."""
        windows = self.windows_by_resource.get(resource)
        return windows is not None and windows.factor(t) == 0

    # -- routes and ports -------------------------------------------------------------------

    def route(self, route: Route, net: RailNetwork, draws: Draws) -> RouteDisruptions | None:
        """What the disruptions do to trains of ``route`` (None: nothing)."""
        borders: dict[int, Windows] = {}
        lines: dict[int, Windows] = {}
        actions: dict[str, str] = {}
        for i, leg in enumerate(route.legs):
            pair = frozenset((leg.origin, leg.destination))
            on_line = [o for o in self.of_kind("line_outage") if frozenset(o.target) == pair]
            if on_line:
                lines[i] = Windows(o.window for o in on_line)
            if leg.border is not None:
                at_border = [
                    o for o in self.of_kind("border_closure") if o.target == leg.destination
                ]
                if at_border:
                    borders[i] = Windows(o.window for o in at_border)
            for o in (*on_line, *(at_border if leg.border is not None else ())):
                actions[o.name] = o.action
        if not borders and not lines:
            return None
        detours = {
            i: detour(net, route.legs[i])
            for i in lines
            if any(actions[w.tag] == "reroute" for w in lines[i].windows)
        }
        return RouteDisruptions(borders, lines, actions, detours, draws)

    def port(self, name: str) -> PortDisruptions | None:
        here = [o for o in self.of_kind("port_closure") if o.target == name]
        if not here:
            return None
        return PortDisruptions(Windows(o.window for o in here), {o.name: o.action for o in here})


def detour(net: RailNetwork, leg: LegRun) -> tuple[LegRun, ...] | None:
    """The quickest other path between a leg's ends (by mean run time) through places that are
    not borders or sea ports, as legs to run; None if the network has none."""
    g = net.graph
    a, b = leg.origin, leg.destination

    def usable(n: str) -> bool:
        return n in (a, b) or g.nodes[n]["kind"] not in ("border", "seaport")

    view = nx.subgraph_view(
        g,
        filter_node=usable,
        filter_edge=lambda u, v: frozenset((u, v)) != frozenset((a, b)),
    )
    try:
        path = nx.shortest_path(view, a, b, weight=lambda u, v, e: e["run_time_h"].mean)
    except nx.NetworkXNoPath:
        return None
    legs = []
    for u, v in itertools.pairwise(path):
        e = g.edges[u, v]
        legs.append(
            LegRun(
                u,
                v,
                e["distance_km"],
                e["run_time_h"],
                e["bureau_km"],
                e["tariff_cny_per_teu"],
                None,
            )
        )
    return tuple(legs)


@dataclass
class RouteDisruptions:
    """Closures on one route: of its border crossings and its legs, by leg index."""

    borders: dict[int, Windows]
    lines: dict[int, Windows]
    actions: dict[str, str]
    """Disruption name → what trains do (wait, cancel, reroute)."""
    detours: dict[int, tuple[LegRun, ...] | None]
    draws: Draws
    """Run times on detours."""

    def cancelled_by(self, scheduled_h: float) -> str:
        """The disruption that cancels a train scheduled to leave at ``scheduled_h`` ("" if
        none): one with ``trains: cancel`` closing a crossing or line of the route then."""
        for windows in (*self.borders.values(), *self.lines.values()):
            for w in windows.active(scheduled_h):
                if w.factor == 0 and self.actions[w.tag] == "cancel":
                    return w.tag
        return ""

    def leg(self, i: int, now: float) -> tuple[float, str, tuple[LegRun, ...] | None, float]:
        """How a train about to run leg ``i`` at ``now`` gets over it: (hours it waits, the
        disruption that holds or diverts it, the detour's legs or None, the run-time
        multiplier)."""
        windows = self.lines.get(i)
        if windows is None:
            return 0.0, "", None, 1.0
        factor = windows.factor(now)
        if factor > 0:
            return 0.0, windows.tag_at(now) if factor < 1 else "", None, 1.0 / factor
        tag = windows.closed_by(now)
        way = self.detours.get(i)
        if self.actions[tag] == "reroute" and way is not None:
            return 0.0, tag, way, 1.0
        reopen = windows.reopens(now)
        return reopen - now, tag, None, 1.0 / max(windows.factor(reopen), 1e-9)

    def border(self, i: int, now: float) -> tuple[float, str, float]:
        """A train reaching the border after leg ``i`` at ``now``: (hours it waits there, the
        disruption that holds it, the dwell multiplier)."""
        windows = self.borders.get(i)
        if windows is None:
            return 0.0, "", 1.0
        factor = windows.factor(now)
        if factor > 0:
            return 0.0, windows.tag_at(now) if factor < 1 else "", 1.0 / factor
        tag = windows.closed_by(now)
        reopen = windows.reopens(now)
        return reopen - now, tag, 1.0 / max(windows.factor(reopen), 1e-9)

    def run_detour(self, legs: Iterable[LegRun]) -> float:
        return sum(self.draws.draw(leg.run_time_h) for leg in legs)


@dataclass
class PortDisruptions:
    """Closures of one rail–sea port."""

    windows: Windows
    actions: dict[str, str]
    """Disruption name → what sailings in its window do (cancel, delay)."""

    def closed(self, t: float) -> bool:
        return self.windows.factor(t) == 0

    def sailing(self, t: float) -> tuple[str, str, float]:
        """A sailing due at ``t``: (``sail``, ``cancel`` or ``delay``; the disruption; the
        share of its slots offered)."""
        factor = self.windows.factor(t)
        if factor > 0:
            return "sail", self.windows.tag_at(t) if factor < 1 else "", factor
        tag = self.windows.closed_by(t)
        return self.actions[tag], tag, 0.0

    def reopens(self, t: float) -> float:
        return self.windows.reopens(t)


# ---------------------------------------------------------------------------- demand


def change_demand(
    changes: list[Occurrence],
    name: str,
    kind: str,
    base: FlowDraws,
    *,
    rate_per_h: float,
    calendar: RateCalendar,
    mix: ShipmentMix,
    streams: Streams,
) -> FlowDraws:
    """Flow ``name``'s shipments of ``kind`` under the demand changes that apply to it."""
    draws = base
    for o in changes:
        if o.target not in ("all", name) or o.factor == 1:
            continue
        key = f"disruptions.{o.name}.{name}.{kind}"
        inside = (draws.times >= o.start_h) & (draws.times < o.end_h)
        if o.factor < 1:
            u = streams[key].random(int(inside.sum()))
            keep = np.ones(len(draws.times), dtype=bool)
            keep[inside] = u < o.factor
            draws = _subset(draws, np.flatnonzero(keep))
            continue
        window = _clip(calendar, o.start_h, o.end_h)
        if window is None:
            continue
        extra = draw_flow(
            kind,
            rate_per_h * (o.factor - 1),
            window,
            mix,
            arrivals_rng=streams[f"{key}.arrivals"],
            attributes_rng=streams[f"{key}.attributes"],
        )
        both = _concat(draws, extra)
        draws = _subset(both, np.argsort(both.times, kind="stable"))
    return draws


def _clip(calendar: RateCalendar, lo: float, hi: float) -> RateCalendar | None:
    """The part of ``calendar`` within ``[lo, hi)``, or None if they do not overlap."""
    edges = calendar.edges_h
    lo, hi = max(lo, float(edges[0])), min(hi, float(edges[-1]))
    if hi <= lo:
        return None
    inner = [float(e) for e in edges if lo < e < hi]
    points = np.asarray([lo, *inner, hi])
    index = np.searchsorted(edges, points[:-1], side="right") - 1
    return RateCalendar(points, calendar.factor[np.clip(index, 0, len(calendar.factor) - 1)])


def _box_slices(d: FlowDraws) -> list[np.ndarray]:
    """Each shipment's container sizes (FCL; empty for LCL exports)."""
    if len(d.box_teu) == 0:
        return [np.empty(0, dtype=d.box_teu.dtype)] * len(d.times)
    ends = np.cumsum(d.containers)
    starts = ends - d.containers
    return [d.box_teu[a:b] for a, b in zip(starts.tolist(), ends.tolist(), strict=True)]


def _subset(d: FlowDraws, index: np.ndarray) -> FlowDraws:
    boxes = _box_slices(d)
    chosen = [boxes[i] for i in index.tolist()]
    box_teu = np.concatenate(chosen) if chosen else np.empty(0, dtype=d.box_teu.dtype)
    if len(d.box_teu) == 0:
        box_teu = np.empty(0, dtype=d.box_teu.dtype)
    return FlowDraws(
        d.times[index],
        d.place[index],
        d.commodity[index],
        d.region[index],
        d.containers[index],
        box_teu.astype(d.box_teu.dtype),
        d.cbm[index],
    )


def _concat(a: FlowDraws, b: FlowDraws) -> FlowDraws:
    return FlowDraws(
        *(
            np.concatenate((getattr(a, f), getattr(b, f)))
            for f in ("times", "place", "commodity", "region", "containers", "box_teu", "cbm")
        )
    )
