"""Liner services between a rail–sea port and overseas ports.

Each overseas port a rail–sea port serves has weekly sailings in both directions. A sailing
has ``slots_teu`` for the hub's cargo each way and a container-yard cut-off: at the sailing
time the vessel bound overseas takes, in order of arrival at the quay, the export containers
that reached the rail–sea port by the cut-off, as long as its slots last; the vessel bound for
the rail–sea port takes the import containers waiting overseas in the same way. A container
that was there by the cut-off but found no slot *rolls* to the next sailing, and its ``rolls``
count goes up. A sailing is one event for all its containers.

A closure of the rail–sea port (:class:`~sim.model.disruptions.PortDisruptions`) cancels the
sailings due while it is closed (a row with ``cancelled``), or holds them until it reopens and
lets them leave together, with the cut-off counted from the actual departure; a vessel that
arrives while the port is closed waits at anchor to land; a port at reduced capacity offers
that share of each sailing's slots.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import simpy

from sim.engine import Distribution, Draws, Environment
from sim.model.disruptions import PortDisruptions
from sim.model.milestones import DELIVERED, VESSEL
from sim.model.tables import Tables


@dataclass(frozen=True)
class Sailings:
    """When a service sails (hours, ascending), its slots each way and its cut-off."""

    times: np.ndarray
    slots_teu: int
    cutoff_h: float


@dataclass(frozen=True)
class Liner:
    """A liner service to overseas ``port``: its sailings and its sea transit time."""

    port: str
    sailings: Sailings
    transit_h: Distribution


class _Quay:
    """Containers waiting for a sailing in one direction, in order of arrival."""

    __slots__ = ("ids", "since")

    def __init__(self) -> None:
        self.ids: list[int] = []
        self.since: list[float] = []

    def __len__(self) -> int:
        return len(self.ids)

    def add(self, cid: int, t: float) -> None:
        self.ids.append(cid)
        self.since.append(t)

    def board(self, latest: float, slots: int, teu: Sequence[int], rolls: np.ndarray) -> np.ndarray:
        """Take containers there by ``latest`` while ``slots`` last; count the rest as rolled."""
        take: list[int] = []
        keep_ids: list[int] = []
        keep_since: list[float] = []
        room = slots
        for cid, t in zip(self.ids, self.since, strict=True):
            if t > latest:
                keep_ids.append(cid)
                keep_since.append(t)
                continue
            size = teu[cid]
            if size <= room:
                take.append(cid)
                room -= size
            else:
                rolls[cid] += 1
                keep_ids.append(cid)
                keep_since.append(t)
        self.ids, self.since = keep_ids, keep_since
        return np.asarray(take, dtype=np.int64)


class VesselService:
    """Sailings of ``liner`` between a rail–sea port and an overseas port; transit times are
    drawn with ``draws``, and import containers are handed to ``landed`` at the rail–sea port."""

    def __init__(
        self,
        env: Environment,
        liner: Liner,
        draws: Draws,
        tables: Tables,
        landed: Callable[[np.ndarray], None],
        closures: PortDisruptions | None = None,
    ) -> None:
        self.env = env
        self.port = liner.port
        self.sailings = liner.sailings
        self.transit_h = liner.transit_h
        self.draws = draws
        self.containers = tables.containers.columns
        self._teu = tables.containers.teu
        self.vessels = tables.vessels
        self.landed = landed
        self.outbound = _Quay()
        """Export containers waiting at the rail–sea port for this destination."""
        self.inbound = _Quay()
        """Import containers waiting at the overseas port."""
        self.sailed = 0
        """Sailings that carried anything (the service's progress, for the watchdog)."""
        self.closures = closures

    def closed_now(self) -> bool:
        """Whether a disruption has closed the rail–sea port now (cargo then waits by plan)."""
        return self.closures is not None and self.closures.closed(self.env.now)

    def waiting(self) -> int:
        """Containers waiting for a sailing, both ways."""
        return len(self.outbound) + len(self.inbound)

    def at_quay(self, cid: int) -> None:
        """Export container ``cid`` reaches the rail–sea port's quay now."""
        self.containers["rolls"][cid] = 0
        self.outbound.add(cid, self.env.now)

    def overseas(self, cid: int) -> None:
        """Import container ``cid`` is ready at the overseas port now."""
        self.containers["rolls"][cid] = 0
        self.inbound.add(cid, self.env.now)

    def run(self) -> simpy.events.ProcessGenerator:
        env = self.env
        c = self.containers
        slots, cutoff = self.sailings.slots_teu, self.sailings.cutoff_h
        for sail in self.sailings.times.tolist():
            if sail > env.now:
                yield env.timeout(sail - env.now)
            offered, by = slots, ""
            if self.closures is not None:
                what, by, share = self.closures.sailing(sail)
                if what == "cancel":
                    self._cancelled(by)
                    continue
                if what == "delay":
                    reopen = self.closures.reopens(env.now)
                    if reopen > env.now:
                        yield env.timeout(reopen - env.now)
                    sail = env.now
                else:
                    offered = int(slots * share)
            if self.outbound:
                ids = self.outbound.board(sail - cutoff, offered, self._teu, c["rolls"])
                if len(ids):
                    transit = self.draws.draw(self.transit_h)
                    row = self._row("export", ids, transit, by)
                    c[VESSEL][ids] = env.now
                    c[DELIVERED][ids] = env.now + transit
                    c["vessel_id"][ids] = row
            if self.inbound:
                ids = self.inbound.board(sail - cutoff, offered, self._teu, c["rolls"])
                if len(ids):
                    transit = self.draws.draw(self.transit_h)
                    row = self._row("import", ids, transit, by)
                    c[VESSEL][ids] = env.now
                    c["vessel_id"][ids] = row
                    env.call_in(transit, self._land, ids)

    def _land(self, ids: np.ndarray) -> None:
        if self.closures is not None and self.closures.closed(self.env.now):
            self.env.call_in(self.closures.reopens(self.env.now) - self.env.now, self._land, ids)
            return
        self.landed(ids)

    def _row(self, direction: str, ids: np.ndarray, transit: float, by: str = "") -> int:
        self.sailed += 1
        return self.vessels.add(
            port=self.port,
            direction=direction,
            t_sailed=self.env.now,
            t_arrived=self.env.now + transit,
            teu=int(self.containers["teu"][ids].sum()),
            containers=len(ids),
            disruption=by or None,
        )

    def _cancelled(self, disruption: str) -> None:
        """The sailing due now is cancelled: a row that carried nothing, both ways."""
        self.vessels.add(
            port=self.port,
            direction="both",
            t_sailed=self.env.now,
            teu=0,
            containers=0,
            cancelled=True,
            disruption=disruption,
        )
