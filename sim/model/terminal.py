"""The hub terminal: truck gate, yard, tracks and sidings, handling, consolidation.

Exports: an FCL container comes to the gate against a train booking (see
:mod:`sim.model.booking`); its truck needs space in the yard's export block before it can pass
the gate, then its declaration is filed. LCL cargo passes the gate into the consolidation
centre, where it is grouped by corridor and destination; a container closes when it is full
enough or when its first consignment has waited ``max_wait_h``, is booked on a train, stuffed
by a crew and then enters the export block and customs. Cleared containers wait for a train
of their corridor (loaded at a siding by the handling units, see :mod:`sim.model.train`),
which frees their yard space when it leaves.

Imports: an arriving train is received on an arrival/departure track (with none free, it
waits outside the hub). It stays there until the yard's import block can hold its whole load
and a siding is free, then moves to the siding — so an import train never holds a loading
siding while it waits for yard space — and is unloaded by a handling unit at its rate; each
container's declaration is filed as it is lifted off. After release, LCL containers are
deconsolidated by a crew, and the consignee's truck takes the cargo out, freeing the import
block. Imports arriving by truck (bonded transit from another port of entry) pass the gate
into the import block and customs in the same way.

No wait is circular: the import block drains through customs and collection alone; export
trains leave on their timetable whatever they hold; tracks, sidings and handling units are
held only while their train is worked or while it waits for one of those.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import simpy

from sim.engine import Environment, Resource, Sampler
from sim.model import booking
from sim.model.booking import Bookings
from sim.model.customs import CustomsDesk
from sim.model.flows import Flow
from sim.model.milestones import (
    CONSOLIDATED,
    DELIVERED,
    GATE_IN,
    ON_SIDING,
    RECEIVED,
    TURNED_AWAY,
    UNLOADED,
    YARD_IN,
)
from sim.model.tables import Tables


@dataclass(eq=False)
class _Bin:
    flow: Flow
    place: int
    region: int
    opened_h: float
    cbm: float = 0.0
    shipments: list[int] = field(default_factory=list)


class ConsolidationCentre:
    """LCL export cargo grouped by (corridor, destination) into 20 ft containers."""

    def __init__(
        self,
        env: Environment,
        *,
        container_cbm: float,
        fill_cbm: float,
        max_wait_h: float,
        closed: Callable[[_Bin], None],
    ) -> None:
        self.env = env
        self.container_cbm = container_cbm
        self.fill_cbm = fill_cbm
        self.max_wait_h = max_wait_h
        self.closed = closed
        self.bins: dict[tuple[str, int], _Bin] = {}

    def add(self, flow: Flow, shipment_id: int, place: int, region: int, cbm: float) -> None:
        key = (flow.corridor, place)
        open_bin = self.bins.get(key)
        if open_bin is not None and open_bin.cbm + cbm > self.container_cbm:
            self._close(key)
            open_bin = None
        if open_bin is None:
            open_bin = _Bin(flow, place, region, self.env.now)
            self.bins[key] = open_bin
            self.env.call_in(self.max_wait_h, self._expire, (key, open_bin))
        open_bin.cbm += cbm
        open_bin.shipments.append(shipment_id)
        if open_bin.cbm >= self.fill_cbm:
            self._close(key)

    def _expire(self, timer: tuple[tuple[str, int], _Bin]) -> None:
        key, expected = timer
        if self.bins.get(key) is expected:
            self._close(key)

    def _close(self, key: tuple[str, int]) -> None:
        self.closed(self.bins.pop(key))


@dataclass(frozen=True)
class HubResources:
    """The hub's resources, each with a queue of its own."""

    gate: Resource
    yard_export: Resource
    yard_import: Resource
    tracks: Resource
    sidings: Resource
    handling: Resource
    handling_teu_per_h: float
    crews: Resource
    deconsolidation: Resource


@dataclass(frozen=True)
class HubTimes:
    """Service times at the hub, each drawn from a stream of its own."""

    gate: Sampler
    reception: Sampler
    stuffing: Sampler
    deconsolidation: Sampler
    pickup: Sampler


@dataclass(frozen=True)
class LclRule:
    """When the consolidation centre closes a container."""

    container_cbm: float
    fill_cbm: float
    max_wait_h: float


class Hub:
    """The hub's handling of containers between truck and train."""

    def __init__(
        self,
        env: Environment,
        tables: Tables,
        resources: HubResources,
        times: HubTimes,
        lcl: LclRule,
        *,
        export_customs: CustomsDesk,
        import_customs: CustomsDesk,
    ) -> None:
        self.env = env
        self.containers = tables.containers
        self._c = tables.containers.columns
        self._teu = tables.containers.teu
        self.shipments = tables.shipments
        self.trains = tables.trains
        self.res = resources
        self.times = times
        self.export_customs = export_customs
        self.import_customs = import_customs
        self.consolidation = ConsolidationCentre(
            env,
            container_cbm=lcl.container_cbm,
            fill_cbm=lcl.fill_cbm,
            max_wait_h=lcl.max_wait_h,
            closed=self._stuff,
        )
        self.export_ready: dict[str, Callable[[int], None]] = {}
        """Corridor → where a cleared export container goes (its train service)."""
        self.export_ledgers: dict[str, Bookings] = {}
        """Corridor → bookings on its export trains, for services that take bookings."""

    # -- exports ------------------------------------------------------------------------------

    def fcl_export(self, cid: int) -> None:
        """An FCL export truck arrives at the gate."""
        self.res.yard_export.request(self._teu[cid], self._export_gate, cid)

    def _export_gate(self, cid: int) -> None:
        self.res.gate.serve(self.times.gate.draw(), self._in, cid)

    def _in(self, cid: int) -> None:
        c, now = self._c, self.env.now
        c[GATE_IN][cid] = now
        c[YARD_IN][cid] = now
        self.export_customs.declare(cid, self._cleared)

    def _cleared(self, cid: int) -> None:
        self.export_ready[self.containers.corridor[cid]](cid)

    def lcl_cargo(self, flow: Flow, shipment_id: int, place: int, region: int, cbm: float) -> None:
        """An LCL consignment's truck arrives at the gate, bound for consolidation."""
        self.res.gate.serve(
            self.times.gate.draw(), self._consolidate, (flow, shipment_id, place, region, cbm)
        )

    def _consolidate(self, cargo: tuple[Flow, int, int, int, float]) -> None:
        self.consolidation.add(*cargo)

    def _stuff(self, full: _Bin) -> None:
        c = self._c
        cid = self.containers.consolidated(full.flow, full.place, full.region)
        row = self.containers.open(cid, full.opened_h)
        c[GATE_IN][cid] = full.opened_h
        container_id = self.shipments["container_id"]
        for shipment in full.shipments:
            container_id[shipment] = row
        if not self.book_lcl(full.flow.corridor, self.env.now):
            c[TURNED_AWAY][cid] = self.env.now
            return
        self.res.crews.serve(self.times.stuffing.draw(), self._stuffed, cid)

    def _stuffed(self, cid: int) -> None:
        self._c[CONSOLIDATED][cid] = self.env.now
        self.res.yard_export.request(1, self._yard_in, cid)

    def book_lcl(self, corridor: str, now: float) -> bool:
        """Book a consolidated container (1 TEU) on ``corridor``'s export trains; False if it is
        turned away (no train with room in time, or the corridor runs no trains)."""
        if corridor not in self.export_ready:
            return False
        ledger = self.export_ledgers.get(corridor)
        return ledger is None or ledger.book(now, 1) != booking.TURNED_AWAY

    def _yard_in(self, cid: int) -> None:
        self._c[YARD_IN][cid] = self.env.now
        self.export_customs.declare(cid, self._cleared)

    def departed(self, teu: int) -> None:
        """An export train left: its containers' yard space is free."""
        self.res.yard_export.release(teu)

    # -- imports ------------------------------------------------------------------------------

    def train_arrived(self, row: int, ids: np.ndarray) -> None:
        """An import train (its row) reaches the hub with containers ``ids``."""
        self.env.process(self.receive(row, ids))

    def receive(self, row: int, ids: np.ndarray) -> simpy.events.ProcessGenerator:
        """Process: an import train arrives at the hub and is unloaded into the yard."""
        env, res = self.env, self.res
        c, trains = self._c, self.trains
        yield res.tracks.acquire(1)
        trains[RECEIVED][row] = env.now
        yield env.timeout(self.times.reception.draw())
        teu = c["teu"][ids]
        yield res.yard_import.acquire(int(teu.sum()))
        yield res.sidings.acquire(1)
        res.tracks.release(1)
        trains[ON_SIDING][row] = env.now
        yield res.handling.acquire(1)
        lifted = env.now + np.cumsum(teu) / res.handling_teu_per_h
        c[YARD_IN][ids] = lifted
        for cid, t in zip(ids.tolist(), lifted.tolist(), strict=True):
            env.call_in(t - env.now, self._lifted_off, cid)
        yield env.timeout(float(lifted[-1]) - env.now)
        res.handling.release(1)
        res.sidings.release(1)
        trains[UNLOADED][row] = env.now

    def _lifted_off(self, cid: int) -> None:
        self.import_customs.declare(cid, self._released)

    def truck_import(self, cid: int) -> None:
        """An import container arrives at the gate by truck."""
        self.res.yard_import.request(self._teu[cid], self._import_gate, cid)

    def _import_gate(self, cid: int) -> None:
        self.res.gate.serve(self.times.gate.draw(), self._import_in, cid)

    def _import_in(self, cid: int) -> None:
        c, now = self._c, self.env.now
        c[GATE_IN][cid] = now
        c[YARD_IN][cid] = now
        self.import_customs.declare(cid, self._released)

    def _released(self, cid: int) -> None:
        if self.containers.lcl[cid]:
            self.res.deconsolidation.serve(
                self.times.deconsolidation.draw(), self._deconsolidated, cid
            )
        else:
            self.env.call_in(self.times.pickup.draw(), self._out, cid)

    def _deconsolidated(self, cid: int) -> None:
        self._c[CONSOLIDATED][cid] = self.env.now
        self.env.call_in(self.times.pickup.draw(), self._out, cid)

    def _out(self, cid: int) -> None:
        self._c[DELIVERED][cid] = self.env.now
        self.res.yard_import.release(self._teu[cid])
