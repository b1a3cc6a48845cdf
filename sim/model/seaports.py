"""Rail–sea ports: where a corridor's trains meet liner services to overseas ports.

A :class:`SeaPort` holds what happens at one port: the dwell of containers between train and
quay (the port's crossing: shunting and transfer, and the Chinese re-declaration unless the
corridor has "four customs as one"), its liner services (sailings, slots and cut-offs, one
:class:`~sim.model.vessels.VesselService` per overseas port) and their booking ledgers.

* An export train arriving at the port: its containers dwell, then wait at the quay for a
  sailing to their destination.
* An import container ready overseas waits for a sailing to the port; it was booked on the
  sailing and on the train on from the port together (a through booking), lands, dwells and
  is then ready for the corridor's import train.

Any number of ports may be served, each by a corridor of its own; a second rail–sea port is
a scenario entry. The dwell is one draw per train or vessel load, not one per container.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.engine import Distribution, Draws, Environment
from sim.model.booking import Bookings, Ledger, ThroughLedger
from sim.model.disruptions import PortDisruptions
from sim.model.milestones import PORT
from sim.model.tables import Tables
from sim.model.train import TrainService
from sim.model.vessels import Liner, VesselService


@dataclass(frozen=True)
class PortDwell:
    """The dwell of a load of containers at the port, between train and quay: the sum of
    ``parts``, drawn from a stream for each direction."""

    parts: tuple[Distribution, ...]
    export: Draws
    import_: Draws

    @property
    def mean_h(self) -> float:
        return sum(d.mean for d in self.parts)

    def draw(self, draws: Draws) -> float:
        return sum(draws.draw(p) for p in self.parts)


class SeaPort:
    """Rail–sea port ``name`` at the end of ``corridor``."""

    def __init__(
        self,
        env: Environment,
        name: str,
        corridor: str,
        dwell: PortDwell,
        tables: Tables,
        closures: PortDisruptions | None = None,
    ) -> None:
        self.env = env
        self.name = name
        self.corridor = corridor
        self.dwell = dwell
        self.tables = tables
        self.closures = closures
        """Windows in which the port is closed or reduced (None: never)."""
        self.liners: dict[str, VesselService] = {}
        """Overseas port → its liner service."""
        self.ledgers: dict[str, Bookings] = {}
        """Overseas port → bookings of import slots on its sailings (and, once
        :meth:`book_through` is called, on the train on from this port)."""
        self.onward: TrainService | None = None
        """The corridor's import trains, which take landed containers on (None: the corridor
        is switched off, and landed cargo stays at the port)."""

    def add_liner(self, liner: Liner, draws: Draws, ledger: Ledger) -> VesselService:
        """Add the liner service to ``liner.port``, whose import slots are sold in ``ledger``."""
        service = VesselService(
            self.env, liner, draws, self.tables, self.landed, closures=self.closures
        )
        self.liners[liner.port] = service
        self.ledgers[liner.port] = ledger
        return service

    def book_through(self, onward: Ledger) -> None:
        """Import cargo books its sailing and the train on from the port (``onward``) together;
        the train is booked for the sailing's expected arrival: sea transit and port dwell."""
        for port, ledger in list(self.ledgers.items()):
            assert isinstance(ledger, Ledger)
            lead = self.liners[port].transit_h.mean + self.dwell.mean_h
            self.ledgers[port] = ThroughLedger(ledger, onward, lead)

    # -- exports ------------------------------------------------------------------------------

    def train_arrived(self, row: int, ids: np.ndarray) -> None:
        """An export train reaches the port: its containers dwell, then go to the quay."""
        self.env.call_in(self.dwell.draw(self.dwell.export), self._at_quay, ids)

    def _at_quay(self, ids: np.ndarray) -> None:
        containers = self.tables.containers
        containers.columns[PORT][ids] = self.env.now
        place = containers.place
        for cid in ids.tolist():
            self.liners[place[cid]].at_quay(cid)

    # -- imports ------------------------------------------------------------------------------

    def overseas(self, cid: int, place: str) -> None:
        """Import container ``cid`` is ready at overseas port ``place`` now."""
        self.liners[place].overseas(cid)

    def landed(self, ids: np.ndarray) -> None:
        """A vessel lands import containers at the port: they dwell, then wait for a train."""
        self.env.call_in(self.dwell.draw(self.dwell.import_), self._ashore, ids)

    def _ashore(self, ids: np.ndarray) -> None:
        self.tables.containers.columns[PORT][ids] = self.env.now
        if self.onward is None:  # corridor switched off: the cargo stays at the port
            return
        for cid in ids.tolist():
            self.onward.ready(cid)
