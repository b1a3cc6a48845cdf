"""Liner services between the rail–sea port and overseas ports.

Each overseas port has weekly sailings. At a sailing time the vessel bound overseas takes every
export container waiting at the rail–sea port for that destination, and the vessel bound for
the rail–sea port takes every import container waiting overseas. Vessel capacity is not a
constraint at these volumes (a feeder carries hundreds of TEU; the hub sends tens a week).
A sailing is one event for all its containers.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import simpy

from sim.engine import Distribution, Draws, Table


class VesselService:
    """Sailings between the rail–sea port and overseas ``port`` at the given times (hours)."""

    def __init__(
        self,
        env: simpy.Environment,
        *,
        port: str,
        sailings: np.ndarray,
        transit_h: Distribution,
        draws: Draws,
        containers: Table,
        vessels: Table,
        landed: Callable[[np.ndarray], None],
    ) -> None:
        self.env = env
        self.port = port
        self.sailings = sailings
        self.transit_h = transit_h
        self.draws = draws
        self.containers = containers
        self.vessels = vessels
        self.landed = landed
        self.outbound: list[int] = []
        """Export containers waiting at the rail–sea port for this destination."""
        self.inbound: list[int] = []
        """Import containers waiting at the overseas port."""

    def run(self) -> simpy.events.ProcessGenerator:
        env = self.env
        c = self.containers
        for sail in self.sailings.tolist():
            if sail > env.now:
                yield env.timeout(sail - env.now)
            if self.outbound:
                ids = np.asarray(self.outbound, dtype=np.int64)
                self.outbound = []
                transit = self.draws.draw(self.transit_h)
                row = self._row("export", ids, transit)
                c["t_vessel"][ids] = env.now
                c["t_delivered"][ids] = env.now + transit
                c["vessel_id"][ids] = row
            if self.inbound:
                ids = np.asarray(self.inbound, dtype=np.int64)
                self.inbound = []
                transit = self.draws.draw(self.transit_h)
                row = self._row("import", ids, transit)
                c["t_vessel"][ids] = env.now
                c["vessel_id"][ids] = row
                env.timeout(transit).callbacks.append(lambda _, ids=ids: self.landed(ids))

    def _row(self, direction: str, ids: np.ndarray, transit: float) -> int:
        return self.vessels.add(
            vessel_id=self.vessels.n,
            port=self.port,
            direction=direction,
            t_sailed=self.env.now,
            t_arrived=self.env.now + transit,
            teu=int(self.containers["teu"][ids].sum()),
            containers=len(ids),
        )
