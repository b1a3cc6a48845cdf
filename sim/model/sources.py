"""Shipment sources: every flow's shipments, drawn up front, entering the model in time order.

A shipment is *ready* at its drawn time (an export at the shipper, an import at the overseas
port or the origin terminal abroad). It is then booked (see :mod:`sim.model.booking`):

* exports on their corridor's export trains; FCL cargo then comes to the hub gate (at once, or
  in its booking's delivery window), LCL consignments come to the gate at once and their
  consolidated container is booked when it closes;
* imports by train on a land corridor on that corridor's import trains, at the origin terminal;
* rail–sea imports on the sailings of their overseas port's liner service to the rail–sea port
  of their corridor (slots per sailing), together with the train on from that port;
* imports by truck are not booked: they come to the gate at once.

Cargo that finds no departure with room in time, and all cargo of a corridor that is switched
off (``enabled: false``), is turned away to the competing route: its containers are recorded
with ``t_turned_away`` and go no further. A container is a row of the containers table, created
when its cargo reaches the first place it is handled (or is turned away).

Everything drawn is written when the source is made: one row per shipment, and a slot of the
containers table (see :class:`~sim.model.tables.Containers`) per container of its cargo. While
the model runs, a shipment costs one scheduled call when it becomes ready and, if it comes
later, one when it arrives; a container, the opening of its slot.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from sim.engine import Environment, Streams, Table
from sim.model import booking
from sim.model.booking import Bookings
from sim.model.demand import FlowDraws, ShipmentMix, draw_flow, month_calendar
from sim.model.disruptions import Occurrence, change_demand
from sim.model.flows import Flow
from sim.model.milestones import ARRIVED, CREATED, TURNED_AWAY
from sim.model.seaports import SeaPort
from sim.model.tables import Containers
from sim.model.terminal import Hub
from sim.model.timetable import HOURS_PER_WEEK
from sim.model.train import TrainService
from sim.scenario.schema import MONTHS, Scenario


@dataclass(frozen=True)
class Drawn:
    """Every shipment of one flow and kind (``fcl``, ``lcl_export``, ``lcl_import``)."""

    flow: Flow
    kind: str
    draws: FlowDraws

    @property
    def boxes(self) -> int:
        """Containers its shipments fill up front (LCL exports fill them when consolidated)."""
        return 0 if self.kind == "lcl_export" else int(self.draws.containers.sum())


def draw_demand(
    s: Scenario,
    specs: dict[str, Flow],
    streams: Streams,
    changes: Sequence[Occurrence] = (),
) -> list[Drawn]:
    """Draw every flow's shipments over the warm-up and the horizon, from its own streams,
    then apply the demand ``changes`` (disruptions of kind ``demand_change``)."""
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
        mix = ShipmentMix(
            place_w=np.array(list(flow.places.values()), dtype=float),
            commodity_w=np.array(list(flow.commodities.values()), dtype=float),
            region_w=np.array(list(flow.regions.values()), dtype=float),
            containers_per_shipment=flow.containers_per_shipment,
            share_40ft=flow.share_40ft,
            cbm=flow.lcl_cbm.to_engine(),
            cbm_max=cons.container_cbm,
        )
        for kind, rate in kinds.items():
            if rate <= 0:
                continue
            draws = draw_flow(
                kind,
                rate,
                calendar,
                mix,
                arrivals_rng=streams[f"demand.{name}.{kind}.arrivals"],
                attributes_rng=streams[f"demand.{name}.{kind}.attributes"],
            )
            if changes:
                draws = change_demand(
                    list(changes),
                    name,
                    kind,
                    draws,
                    rate_per_h=rate,
                    calendar=calendar,
                    mix=mix,
                    streams=streams,
                )
            out.append(Drawn(spec, kind, draws))
    return out


Deliver = Callable[[int], None] | None
"""Where a new container goes (None: nowhere, its cargo was turned away)."""


@dataclass(frozen=True)
class Routing:
    """Where a ready shipment goes: the hub, the train services and the rail–sea ports, with
    their booking ledgers."""

    hub: Hub
    services: dict[tuple[str, str], TrainService]
    sea_ports: dict[str, SeaPort]
    """Corridor → the rail–sea port at its end, for corridors that end at one."""
    train_ledgers: dict[tuple[str, str], Bookings]
    """(corridor, direction) → bookings on its trains, for services that take bookings
    (rail–sea imports book through their port's ledgers instead)."""
    disabled: frozenset[str]
    """Corridors switched off: their cargo is turned away."""

    def ledger(self, flow: Flow, place: int) -> Bookings | None:
        """The ledger a shipment of ``flow`` (to or from ``place``) is booked in, if any."""
        if flow.arrives_by == "truck":
            return None
        if flow.direction == "import":
            port = self.sea_ports.get(flow.corridor)
            if port is not None:
                return port.ledgers.get(flow.places[place])
        return self.train_ledgers.get((flow.corridor, flow.direction))

    def deliver(self, flow: Flow, place: int) -> Deliver:
        """Where a new container of ``flow`` (to or from ``place``) goes; None: nowhere, its
        corridor is switched off."""
        if flow.corridor in self.disabled:
            return None
        if flow.direction == "export":
            return self.hub.fcl_export
        if flow.arrives_by == "truck":
            return self.hub.truck_import
        port = self.sea_ports.get(flow.corridor)
        if port is not None:
            return port.liners[flow.places[place]].overseas
        return self.services[(flow.corridor, "import")].ready


class ShipmentSource:
    """Every drawn shipment becomes ready at its time, in time order across flows.

    Making the source writes the shipments table and the containers' slots; :meth:`start`
    schedules the first shipment, as a process starting now would.
    """

    def __init__(
        self,
        env: Environment,
        drawn: list[Drawn],
        shipments: Table,
        containers: Containers,
        routing: Routing,
    ) -> None:
        self.env = env
        self.drawn = drawn
        self.shipments = shipments
        self.containers = containers
        self.routing = routing
        self._ship = shipments.columns
        self._c = containers.columns
        # Per shipment, in order of readiness, as plain lists (numpy scalars are slow).
        self.times: list[float] = []
        self._which: list[int] = []
        self._place: list[int] = []
        self._region: list[int] = []
        self._cbm: list[float] = []
        self._first: list[int] = []
        self._count: list[int] = []
        self._teu: list[int] = []
        self._table()
        # Per draw: its kind and flow, whether its corridor is switched off, and by place code
        # (−1 last) the ledger its shipments book in and where their containers go.
        self._draws: list[tuple[str, Flow, bool, list[Bookings | None], list[Deliver]]] = []
        for d in drawn:
            places = [*range(len(d.flow.places)), -1] if d.kind != "lcl_export" else []
            self._draws.append(
                (
                    d.kind,
                    d.flow,
                    d.flow.corridor in routing.disabled,
                    [routing.ledger(d.flow, p) for p in places],
                    [routing.deliver(d.flow, p) for p in places],
                )
            )

    def _table(self) -> None:
        """Append one row per shipment, in order of readiness, and write every container's
        slot."""
        per_flow: dict[str, list[np.ndarray]] = {}
        table = self.shipments
        first_box = 0
        for w, d in enumerate(self.drawn):
            n, f, dr = len(d.draws.times), d.flow, d.draws
            if d.kind == "fcl" and n:
                first = np.concatenate(([0], np.cumsum(dr.containers)[:-1])).astype(int)
                teu = np.add.reduceat(dr.box_teu, first)
            else:
                first = np.arange(n)
                teu = np.full(n, 0 if d.kind == "lcl_export" else 1)

            def codes(column: str, names: tuple[str | None, ...]) -> np.ndarray:
                return np.asarray([table.code(column, v) for v in names], dtype=np.int32)

            columns = {
                "flow": np.full(n, table.code("flow", f.name), dtype=np.int32),
                "corridor": np.full(n, table.code("corridor", f.corridor), dtype=np.int32),
                "direction": np.full(n, table.code("direction", f.direction), dtype=np.int32),
                "commodity": codes("commodity", f.commodities)[dr.commodity],
                "place": codes("place", (*f.places, None))[dr.place],  # code -1: none
                "region": codes("region", f.regions)[dr.region],
                "lcl": np.full(n, d.kind != "fcl"),
                "containers": dr.containers if d.kind != "lcl_export" else np.zeros(n, dtype=int),
                "teu": teu,
                "cbm": dr.cbm,
                CREATED: dr.times,
                "which": np.full(n, w),
                "index": np.arange(n),
                "first": first + first_box if d.kind != "lcl_export" else np.full(n, -1),
            }
            first_box += d.boxes
            for name, values in columns.items():
                per_flow.setdefault(name, []).append(values)
        if not per_flow:
            return
        cols = {name: np.concatenate(parts) for name, parts in per_flow.items()}
        order = np.argsort(cols[CREATED], kind="stable")
        cols = {name: values[order] for name, values in cols.items()}
        which, index, first_slot = cols.pop("which"), cols.pop("index"), cols.pop("first")
        times = cols[CREATED]
        n = len(times)
        codes_ = {name: cols.pop(name) for name in ("flow", "corridor", "direction", "commodity")}
        codes_.update({name: cols.pop(name) for name in ("place", "region")})
        rows = table.add_many(n, **cols)
        for name, values in codes_.items():
            table.columns[name][rows] = values
        self._containers_slots(order, which, index)
        self.times = times.tolist()
        self._which = which.tolist()
        self._first = first_slot.tolist()
        self._count = cols["containers"].tolist()
        self._teu = cols["teu"].tolist()
        self._cbm = cols["cbm"].tolist()
        place = np.empty(n, dtype=int)
        region = np.empty(n, dtype=int)
        offset = 0
        for d in self.drawn:
            k = len(d.draws.times)
            place[offset : offset + k] = d.draws.place
            region[offset : offset + k] = d.draws.region
            offset += k
        self._place = place[order].tolist()
        self._region = region[order].tolist()

    def _containers_slots(self, order: np.ndarray, which: np.ndarray, index: np.ndarray) -> None:
        """Write the slots of every container the drawn shipments fill, draw by draw."""
        sid = np.empty(len(order), dtype=np.int64)
        sid[order] = np.arange(len(order))
        offset = 0
        for d in self.drawn:
            n, dr = len(d.draws.times), d.draws
            mine = sid[offset : offset + n]
            offset += n
            if d.kind == "lcl_export":
                continue
            shipment = np.repeat(np.arange(n), dr.containers)
            self.containers.write(
                d.flow,
                shipment_id=mine[shipment],
                place=dr.place[shipment],
                commodity=dr.commodity[shipment],
                region=dr.region[shipment],
                teu=dr.box_teu,
                lcl=d.kind != "fcl",
            )

    def start(self) -> None:
        """Schedule the first shipment (at the current time, before anything else due now)."""
        self.env.call_soon(self._begin, 0)

    def _begin(self, first: int) -> None:
        if first < len(self.times):
            t = self.times[first]
            if t > self.env.now:
                self.env.call_in(t - self.env.now, self._ready, first)
            else:
                self._ready(first)

    def _ready(self, sid: int) -> None:
        """Shipment ``sid`` is ready, and so is every later one due by now; the one after
        those is scheduled."""
        env, times = self.env, self.times
        n = len(times)
        while True:
            self._book(sid, times[sid])
            sid += 1
            if sid == n:
                return
            if times[sid] > env.now:
                env.call_in(times[sid] - env.now, self._ready, sid)
                return

    def _book(self, sid: int, t: float) -> None:
        """Book shipment ``sid`` (ready at its time ``t``) and send its cargo on its way."""
        w = self._which[sid]
        kind, flow, disabled, ledgers, deliver = self._draws[w]
        place = self._place[sid]
        ship = self._ship
        if kind == "lcl_export":
            ship[ARRIVED][sid] = t
            self.routing.hub.lcl_cargo(flow, sid, place, self._region[sid], self._cbm[sid])
            return
        ledger = ledgers[place]
        if disabled:
            booked = booking.TURNED_AWAY
        elif ledger is None:
            booked = -1
        else:
            booked = ledger.book(t, self._teu[sid])
            if booked >= 0:
                ship["booked_h"][sid] = ledger.departures[booked]
        if booked == booking.TURNED_AWAY:
            ship["turned_away"][sid] = True
            self._containers(sid, None)
            return
        arrive = ledger.arrival_h(t, booked) if ledger is not None else t
        ship[ARRIVED][sid] = arrive
        if arrive > t:
            self.env.call_in(arrive - t, self._arrived, sid)
        else:
            self._containers(sid, deliver[place])

    def _arrived(self, sid: int) -> None:
        self._containers(sid, self._draws[self._which[sid]][4][self._place[sid]])

    def _containers(self, sid: int, deliver: Deliver) -> None:
        """The shipment's containers are created where they are first handled, now, and go
        to ``deliver`` (None: they are turned away)."""
        now = self.env.now
        c = self._c
        open_ = self.containers.table.open
        first = self._first[sid]
        lcl_import = self._draws[self._which[sid]][0] == "lcl_import"
        for slot in range(first, first + self._count[sid]):
            c[CREATED][slot] = now  # containers.open(slot, now), inlined
            row = open_(slot)
            if lcl_import:
                self._ship["container_id"][sid] = row
            if deliver is None:
                c[TURNED_AWAY][slot] = now
            else:
                deliver(slot)
