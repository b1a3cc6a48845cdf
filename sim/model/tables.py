"""The output tables the model writes, handed to its parts as one parameter.

Rows are containers, shipments, trains and sailings (:mod:`sim.results.records` gives their
columns); :func:`sim.model.build.build` makes them in the recorder.

The containers table is laid out in *slots* (see :class:`sim.engine.Table`): every container
the drawn demand can make has its slot, whose fixed attributes — flow, corridor, commodity,
places, TEU, costs — are written in bulk when the model is built (:meth:`Containers.write`);
charges that are a number per TEU of the flow are kept once per flow where the table makes
them when read (``derived`` columns of :class:`sim.engine.Table`). A container appears in
the table when it is created (:meth:`Containers.open`); its id in the model is its slot, and
its row (its ``container_id``) the order of creation. What the running model reads of a
container — TEU, corridor, LCL, agricultural, overseas port — it reads from plain Python
lists, which is many times faster than a numpy scalar.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from sim.engine import Table
from sim.model.flows import MIXED, Flow
from sim.model.milestones import CREATED


class Containers:
    """The containers table (``table``, in slots, its ``container_id`` the row number) and
    what the model reads of each slot."""

    def __init__(self, table: Table) -> None:
        self.table = table
        self.columns = table.columns
        """Column → its buffer, by slot: ``containers.columns[GATE_IN][cid] = env.now``."""
        self.slots = 0
        """Slots written so far."""
        self.teu: list[int] = []
        self.lcl: list[bool] = []
        self.agricultural: list[bool] = []
        self.corridor: list[str] = []
        self.place: list[str | None] = []
        """The overseas port (or origin abroad) of each slot's cargo; None: none."""
        self._flow_names: dict[str, dict[str, Any]] = {}

    def __getitem__(self, column: str) -> np.ndarray:
        return self.columns[column]

    @property
    def n(self) -> int:
        """Containers created so far."""
        return self.table.n

    def write(
        self,
        flow: Flow,
        *,
        shipment_id: np.ndarray,
        place: np.ndarray,
        commodity: np.ndarray,
        region: np.ndarray,
        teu: np.ndarray,
        lcl: bool,
    ) -> int:
        """Write the fixed attributes of ``len(teu)`` new slots of ``flow``'s containers (codes
        into the flow's names; −1: none, or mixed); return the first slot."""
        count = len(teu)
        first = self.slots
        end = first + count
        self.table.reserve(end)
        cols = self.columns
        names = self._names(flow)
        cols["shipment_id"][first:end] = shipment_id
        cols["flow"][first:end] = names["flow"]
        cols["corridor"][first:end] = names["corridor"]
        cols["direction"][first:end] = names["direction"]
        cols["commodity"][first:end] = names["commodity"][commodity]
        cols["place"][first:end] = names["place"][place]
        cols["region"][first:end] = names["region"][region]
        cols["teu"][first:end] = teu
        cols["lcl"][first:end] = lcl
        agricultural = np.asarray((*flow.agricultural, False))[commodity]
        cols["agricultural"][first:end] = agricultural
        cols["shipper_cost_cny"][first:end] = (
            flow.shipper_cost_cny_per_teu[np.maximum(place, 0), region] * teu
        )
        self._per_teu(flow, slice(first, end), teu)
        self.teu.extend(teu.tolist())
        self.lcl.extend([lcl] * count)
        self.agricultural.extend(agricultural.tolist())
        self.corridor.extend([flow.corridor] * count)
        self.place.extend(np.asarray((*flow.places, None), dtype=object)[place].tolist())
        self.slots = end
        return first

    def consolidated(self, flow: Flow, place: int, region: int) -> int:
        """A new slot for an LCL export container of ``flow`` (one TEU of mixed goods for
        ``place`` from ``region``); return it."""
        slot = self.slots
        self.table.reserve(slot + 1)
        cols = self.columns
        names = self._names(flow)
        cols["shipment_id"][slot] = -1
        cols["flow"][slot] = names["flow"]
        cols["corridor"][slot] = names["corridor"]
        cols["direction"][slot] = names["direction"]
        cols["commodity"][slot] = names["commodity"][-1]
        cols["place"][slot] = names["place"][place]
        cols["region"][slot] = names["region"][region]
        cols["teu"][slot] = 1
        cols["lcl"][slot] = True
        cols["agricultural"][slot] = False
        cols["shipper_cost_cny"][slot] = flow.shipper_cost_cny_per_teu[max(place, 0), region] * 1
        self._per_teu(flow, slot, 1)
        self.teu.append(1)
        self.lcl.append(True)
        self.agricultural.append(False)
        self.corridor.append(flow.corridor)
        self.place.append(flow.places[place] if place >= 0 else None)
        self.slots = slot + 1
        return slot

    def _per_teu(self, flow: Flow, where: slice | int, teu: np.ndarray | int) -> None:
        """The subsidy and rail discount of the slots ``where`` (their flow's, per TEU), or
        the flow's numbers once where the table makes these columns when read."""
        for column, per_teu in (
            ("subsidy_cny", flow.subsidy_cny_per_teu),
            ("rail_discount_cny", flow.rail_discount_cny_per_teu),
        ):
            if column in self.table.per_key:
                self.table.set_per_key(column, flow.name, per_teu)
            else:
                self.columns[column][where] = per_teu * teu

    def open(self, slot: int, t: float) -> int:
        """Slot ``slot``'s container is created at ``t``: its row (``container_id``)."""
        self.columns[CREATED][slot] = t
        return self.table.open(slot)

    def rows(self, slots: Iterable[int]) -> list[int]:
        """The rows (``container_id``) of the containers the model knows by ``slots``."""
        row = {slot: i for i, slot in enumerate(self.table.order)}
        return [row[slot] for slot in slots]

    def _names(self, flow: Flow) -> dict[str, Any]:
        """Codes of ``flow``'s names in the text columns; index −1 gives the value of code −1
        in the flow (no place: none; no commodity or region: mixed)."""
        names = self._flow_names.get(flow.name)
        if names is None:
            table = self.table

            def codes(column: str, values: tuple[str | None, ...]) -> np.ndarray:
                return np.asarray([table.code(column, v) for v in values], dtype=np.int32)

            names = self._flow_names[flow.name] = {
                "flow": table.code("flow", flow.name),
                "corridor": table.code("corridor", flow.corridor),
                "direction": table.code("direction", flow.direction),
                "commodity": codes("commodity", (*flow.commodities, MIXED)),
                "place": codes("place", (*flow.places, None)),
                "region": codes("region", (*flow.regions, MIXED)),
            }
        return names

    def add(self, **values: Any) -> int:
        """Write one new slot with ``values`` (by column; text as text) and open it now: a
        container outside any flow, for a process test of one part of the model. Returns
        the slot."""
        t = self.table
        slot = self.slots
        t.reserve(slot + 1)
        self.slots = slot + 1
        t.open(slot)
        for name, value in values.items():
            if name != t.row_id:
                self.columns[name][slot] = t.code(name, value) if name in t.categories else value
        self.teu.append(int(values.get("teu", -1)))
        self.lcl.append(bool(values.get("lcl", False)))
        self.agricultural.append(bool(values.get("agricultural", False)))
        self.corridor.append(values.get("corridor", ""))
        self.place.append(values.get("place"))
        return slot


@dataclass(frozen=True)
class Tables:
    """One row per container, shipment, train and sailing."""

    containers: Containers
    shipments: Table
    trains: Table
    vessels: Table
