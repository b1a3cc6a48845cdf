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
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial

import numpy as np
import simpy

from sim.engine import Streams, Table
from sim.model import booking
from sim.model.booking import Bookings
from sim.model.demand import FlowDraws, ShipmentMix, draw_flow, month_calendar
from sim.model.disruptions import Occurrence, change_demand
from sim.model.flows import Cargo, Flow
from sim.model.milestones import ARRIVED, CREATED, TURNED_AWAY
from sim.model.seaports import SeaPort
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


class ShipmentSource:
    """Process: every drawn shipment becomes ready at its time, in time order across flows."""

    def __init__(
        self,
        env: simpy.Environment,
        drawn: list[Drawn],
        shipments: Table,
        containers: Table,
        routing: Routing,
    ) -> None:
        self.env = env
        self.drawn = drawn
        self.shipments = shipments
        self.containers = containers
        self.routing = routing

    def _table(self) -> tuple[list[float], list[int], list[int]]:
        """Append one row per shipment, in order of readiness; (times, which draw, index)."""
        per_flow: dict[str, list[np.ndarray]] = {}
        for w, d in enumerate(self.drawn):
            n, f, dr = len(d.draws.times), d.flow, d.draws
            if d.kind == "fcl" and n:
                first = np.concatenate(([0], np.cumsum(dr.containers)[:-1])).astype(int)
                teu = np.add.reduceat(dr.box_teu, first)
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
                CREATED: dr.times,
                "which": np.full(n, w),
                "index": np.arange(n),
            }
            for name, values in columns.items():
                per_flow.setdefault(name, []).append(values)
        if not per_flow:
            return [], [], []
        cols = {name: np.concatenate(parts) for name, parts in per_flow.items()}
        order = np.argsort(cols[CREATED], kind="stable")
        cols = {name: values[order] for name, values in cols.items()}
        which, index = cols.pop("which"), cols.pop("index")
        times = cols[CREATED]
        self.shipments.add_many(len(times), shipment_id=np.arange(len(times)), **cols)
        return times.tolist(), which.tolist(), index.tolist()

    def run(self) -> simpy.events.ProcessGenerator:
        env = self.env
        times, which, index = self._table()
        if not times:
            return
        drawn, routing, hub = self.drawn, self.routing, self.routing.hub
        ship = self.shipments
        # Plain Python lists: indexing numpy scalars one at a time is slow.
        place_l = [d.draws.place.tolist() for d in drawn]
        region_l = [d.draws.region.tolist() for d in drawn]
        commodity_l = [d.draws.commodity.tolist() for d in drawn]
        count_l = [d.draws.containers.tolist() for d in drawn]
        cbm_l = [d.draws.cbm.tolist() for d in drawn]
        box_l = [d.draws.box_teu.tolist() for d in drawn]
        first_l = [
            np.concatenate(([0], np.cumsum(d.draws.containers)[:-1])).astype(int).tolist()
            for d in drawn
        ]
        for sid, (t, w, i) in enumerate(zip(times, which, index, strict=True)):
            if t > env.now:
                yield env.timeout(t - env.now)
            flow, kind = drawn[w].flow, drawn[w].kind
            place, region = place_l[w][i], region_l[w][i]
            if kind == "lcl_export":
                ship[ARRIVED][sid] = t
                hub.lcl_cargo(flow, sid, place, region, cbm_l[w][i])
                continue
            if kind == "fcl":
                start = first_l[w][i]
                boxes = box_l[w][start : start + count_l[w][i]]
            else:
                boxes = [1]
            ledger = routing.ledger(flow, place)
            if flow.corridor in routing.disabled:
                booked = booking.TURNED_AWAY
            elif ledger is None:
                booked = -1
            else:
                booked = ledger.book(t, sum(boxes))
                if booked >= 0:
                    ship["booked_h"][sid] = ledger.departures[booked]
            cargo = Cargo(sid, place, commodity_l[w][i], region)
            if booked == booking.TURNED_AWAY:
                ship["turned_away"][sid] = True
                self._containers(flow, kind, cargo, boxes, turned_away=True)
                continue
            arrive = ledger.arrival_h(t, booked) if ledger is not None else t
            ship[ARRIVED][sid] = arrive
            if arrive > t:
                env.timeout(arrive - t).callbacks.append(
                    partial(self._arrived, flow, kind, cargo, boxes)
                )
            else:
                self._containers(flow, kind, cargo, boxes)

    def _arrived(
        self, flow: Flow, kind: str, cargo: Cargo, boxes: list[int], _: simpy.Event
    ) -> None:
        self._containers(flow, kind, cargo, boxes)

    def _containers(
        self, flow: Flow, kind: str, cargo: Cargo, boxes: list[int], turned_away: bool = False
    ) -> None:
        """The shipment's containers are created where they are first handled, now."""
        now = self.env.now
        routing = self.routing
        c = self.containers
        for teu in boxes:
            cid = flow.new_container(c, cargo, teu=teu, lcl=kind != "fcl", t=now)
            if kind == "lcl_import":
                self.shipments["container_id"][cargo.shipment_id] = cid
            if turned_away:
                c[TURNED_AWAY][cid] = now
            elif flow.direction == "export":
                routing.hub.fcl_export(cid)
            elif flow.arrives_by == "truck":
                routing.hub.truck_import(cid)
            elif (port := routing.sea_ports.get(flow.corridor)) is not None:
                port.overseas(cid, flow.places[cargo.place])
            else:
                routing.services[(flow.corridor, "import")].ready(cid)
