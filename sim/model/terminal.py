"""The hub terminal: truck gate, yard, sidings, consolidation and deconsolidation.

Exports: an FCL container's truck needs yard space before it can pass the gate (a full yard
blocks the gate), then its declaration is filed. LCL cargo passes the gate into the
consolidation centre, where it is grouped by corridor and destination; a container closes
when it is full enough or when its first consignment has waited ``max_wait_h``, is stuffed by
a crew and then enters the yard and customs. Cleared containers wait for a train of their
corridor, which frees their yard space when it leaves.

Imports: an arriving train takes a siding and, once the yard can hold its load, is unloaded
at the siding's handling rate; each container's declaration is filed as it is lifted off.
After release, LCL containers are deconsolidated by a crew, and the consignee's truck takes
the cargo out, freeing the yard space. Imports arriving by truck (bonded transit from another
port of entry) pass the gate into the yard and customs in the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import simpy

from sim.engine import Resource, Sampler, Table
from sim.model.customs import CustomsDesk
from sim.model.flows import FlowSpec


@dataclass(eq=False)
class _Bin:
    flow: FlowSpec
    place: int
    region: int
    opened_h: float
    cbm: float = 0.0
    shipments: list[int] = field(default_factory=list)


class ConsolidationCentre:
    """LCL export cargo grouped by (corridor, destination) into 20 ft containers."""

    def __init__(
        self,
        env: simpy.Environment,
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

    def add(self, flow: FlowSpec, shipment_id: int, place: int, region: int, cbm: float) -> None:
        key = (flow.corridor, place)
        open_bin = self.bins.get(key)
        if open_bin is not None and open_bin.cbm + cbm > self.container_cbm:
            self._close(key)
            open_bin = None
        if open_bin is None:
            open_bin = _Bin(flow, place, region, self.env.now)
            self.bins[key] = open_bin
            timer = self.env.timeout(self.max_wait_h)
            timer.callbacks.append(lambda _, key=key, b=open_bin: self._expire(key, b))
        open_bin.cbm += cbm
        open_bin.shipments.append(shipment_id)
        if open_bin.cbm >= self.fill_cbm:
            self._close(key)

    def _expire(self, key: tuple[str, int], expected: _Bin) -> None:
        if self.bins.get(key) is expected:
            self._close(key)

    def _close(self, key: tuple[str, int]) -> None:
        self.closed(self.bins.pop(key))


class Hub:
    """The hub's handling of containers between truck and train."""

    def __init__(
        self,
        env: simpy.Environment,
        *,
        containers: Table,
        shipments: Table,
        gate: Resource,
        gate_time: Sampler,
        yard: Resource,
        sidings: Resource,
        handling_teu_per_h: float,
        crews: Resource,
        stuffing: Sampler,
        container_cbm: float,
        fill_cbm: float,
        max_wait_h: float,
        deconsolidation: Resource,
        deconsolidation_time: Sampler,
        pickup: Sampler,
        export_customs: CustomsDesk,
        import_customs: CustomsDesk,
    ) -> None:
        self.env = env
        self.containers = containers
        self.shipments = shipments
        self.gate = gate
        self.gate_time = gate_time
        self.yard = yard
        self.sidings = sidings
        self.handling_teu_per_h = handling_teu_per_h
        self.crews = crews
        self.stuffing = stuffing
        self.deconsolidation = deconsolidation
        self.deconsolidation_time = deconsolidation_time
        self.pickup = pickup
        self.export_customs = export_customs
        self.import_customs = import_customs
        self.consolidation = ConsolidationCentre(
            env,
            container_cbm=container_cbm,
            fill_cbm=fill_cbm,
            max_wait_h=max_wait_h,
            closed=self._stuff,
        )
        self.export_ready: dict[str, Callable[[int], None]] = {}
        """Corridor → where a cleared export container goes (its train service)."""

    # -- exports ------------------------------------------------------------------------------

    def fcl_export(self, cid: int) -> None:
        """An FCL export truck arrives at the gate."""
        teu = int(self.containers["teu"][cid])
        self.yard.request(teu, lambda: self.gate.serve(self.gate_time(), lambda: self._in(cid)))

    def _in(self, cid: int) -> None:
        c = self.containers
        c["t_gate_in"][cid] = self.env.now
        c["t_yard_in"][cid] = self.env.now
        self.export_customs.declare(cid, self._cleared)

    def _cleared(self, cid: int) -> None:
        self.export_ready[self.containers["corridor"][cid]](cid)

    def lcl_cargo(
        self, flow: FlowSpec, shipment_id: int, place: int, region: int, cbm: float
    ) -> None:
        """An LCL consignment's truck arrives at the gate, bound for consolidation."""
        self.gate.serve(
            self.gate_time(),
            lambda: self.consolidation.add(flow, shipment_id, place, region, cbm),
        )

    def _stuff(self, full: _Bin) -> None:
        c = self.containers
        cid = full.flow.new_container(
            c,
            shipment_id=-1,
            place=full.place,
            commodity=-1,
            region=full.region,
            teu=1,
            lcl=True,
            t=full.opened_h,
        )
        c["t_gate_in"][cid] = full.opened_h
        self.shipments["container_id"][np.asarray(full.shipments, dtype=np.int64)] = cid

        def stuffed() -> None:
            c["t_consolidated"][cid] = self.env.now
            self.yard.request(1, lambda: self._yard_in(cid))

        self.crews.serve(self.stuffing(), stuffed)

    def _yard_in(self, cid: int) -> None:
        self.containers["t_yard_in"][cid] = self.env.now
        self.export_customs.declare(cid, self._cleared)

    # -- imports ------------------------------------------------------------------------------

    def unload(self, train_id: int, ids: np.ndarray) -> simpy.events.ProcessGenerator:
        """Process: an import train at the hub takes a siding and is unloaded into the yard."""
        env = self.env
        c = self.containers
        yield self.sidings.acquire(1)
        teu = c["teu"][ids]
        yield self.yard.acquire(int(teu.sum()))
        lifted = np.cumsum(teu) / self.handling_teu_per_h
        c["t_yard_in"][ids] = env.now + lifted
        for cid, delay in zip(ids.tolist(), lifted.tolist(), strict=True):
            env.timeout(delay).callbacks.append(
                lambda _, cid=cid: self.import_customs.declare(cid, self._released)
            )
        yield env.timeout(float(lifted[-1]))
        self.sidings.release(1)

    def truck_import(self, cid: int) -> None:
        """An import container arrives at the gate by truck."""
        teu = int(self.containers["teu"][cid])
        self.yard.request(
            teu, lambda: self.gate.serve(self.gate_time(), lambda: self._import_in(cid))
        )

    def _import_in(self, cid: int) -> None:
        c = self.containers
        c["t_gate_in"][cid] = self.env.now
        c["t_yard_in"][cid] = self.env.now
        self.import_customs.declare(cid, self._released)

    def _released(self, cid: int) -> None:
        if self.containers["lcl"][cid]:
            self.deconsolidation.serve(
                self.deconsolidation_time(), lambda: self._deconsolidated(cid)
            )
        else:
            self._collect(cid)

    def _deconsolidated(self, cid: int) -> None:
        self.containers["t_consolidated"][cid] = self.env.now
        self._collect(cid)

    def _collect(self, cid: int) -> None:
        self.env.timeout(self.pickup()).callbacks.append(lambda _: self._out(cid))

    def _out(self, cid: int) -> None:
        c = self.containers
        c["t_delivered"][cid] = self.env.now
        self.yard.release(int(c["teu"][cid]))
