"""Trains: timetabled services of one corridor in one direction.

A train is placed for loading ``open_h`` hours before its scheduled departure (at the hub it
needs a siding, which it holds until it leaves). While open it takes the containers waiting
for its corridor in arrival order, then any that become ready, as long as they fit. Loading
runs at the siding's handling rate, so a container's ``t_loaded`` is when its lift ends. The
dispatch policy decides when it leaves:

* ``timetable``: at the scheduled time (or when loading ends, if later);
* ``when_full``: as soon as it is full and loaded, else at the scheduled time;
* ``min_load``: at the scheduled time if it has ``min_load_teu``, else when it reaches it or
  ``max_hold_h`` hours later, whichever comes first ("即来即走" holds).

A train with nothing loaded does not run and does not count as run. Loading a train is one
event, not one per container: containers are data (rows of the containers table).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import simpy

from sim.engine import Draws, Resource, Table
from sim.model.network import Route


class _Loading:
    __slots__ = ("cursor", "holding", "ids", "row", "teu", "trigger")

    def __init__(self, row: int, now: float, trigger: simpy.Event) -> None:
        self.row = row
        self.ids: list[int] = []
        self.teu = 0
        self.cursor = now
        self.holding = False
        self.trigger = trigger


class TrainService:
    """Trains of ``route`` leaving at the times in ``departures`` (hours, ascending)."""

    def __init__(
        self,
        env: simpy.Environment,
        *,
        route: Route,
        departures: np.ndarray,
        capacity_teu: int,
        policy: str,
        open_h: float,
        min_load_teu: int,
        max_hold_h: float,
        sidings: Resource | None,
        handling_teu_per_h: float | None,
        run_time: Draws,
        border_dwell: Draws,
        containers: Table,
        trains: Table,
        on_departed: Callable[[int], None] | None,
        on_arrival: Callable[[int, np.ndarray], None],
    ) -> None:
        self.env = env
        self.route = route
        self.departures = departures
        self.capacity_teu = capacity_teu
        self.policy = policy
        self.open_h = open_h
        self.min_load_teu = min_load_teu
        self.max_hold_h = max_hold_h
        self.sidings = sidings
        self.handling_teu_per_h = handling_teu_per_h
        self.run_time = run_time
        self.border_dwell = border_dwell
        self.containers = containers
        self.trains = trains
        self.on_departed = on_departed
        self.on_arrival = on_arrival
        self.waiting: list[int] = []
        self._open: _Loading | None = None

    # -- containers -------------------------------------------------------------------------

    def ready(self, cid: int) -> None:
        """Container ``cid`` is ready to leave: load it on the open train or let it wait."""
        train = self._open
        if train is not None and train.teu + int(self.containers["teu"][cid]) <= self.capacity_teu:
            self._load(train, cid)
            self._check(train)
        else:
            self.waiting.append(cid)

    def _load(self, train: _Loading, cid: int) -> None:
        teu = int(self.containers["teu"][cid])
        if self.handling_teu_per_h:
            train.cursor = max(train.cursor, self.env.now) + teu / self.handling_teu_per_h
        else:
            train.cursor = max(train.cursor, self.env.now)
        self.containers["t_loaded"][cid] = train.cursor
        train.ids.append(cid)
        train.teu += teu

    def _absorb(self, train: _Loading) -> None:
        room = self.capacity_teu - train.teu
        if room <= 0 or not self.waiting:
            return
        teu = self.containers["teu"]
        keep: list[int] = []
        for i, cid in enumerate(self.waiting):
            if room <= 0:
                keep.extend(self.waiting[i:])
                break
            size = int(teu[cid])
            if size <= room:
                self._load(train, cid)
                room -= size
            else:
                keep.append(cid)
        self.waiting = keep

    def _check(self, train: _Loading) -> None:
        if train.trigger.triggered:
            return
        if (self.policy == "when_full" and train.teu >= self.capacity_teu) or (
            self.policy == "min_load" and train.holding and train.teu >= self.min_load_teu
        ):
            train.trigger.succeed()

    # -- the train ----------------------------------------------------------------------------

    def run(self) -> simpy.events.ProcessGenerator:
        env = self.env
        rows = self.trains
        route = self.route
        for scheduled in self.departures.tolist():
            open_at = scheduled - self.open_h
            if open_at > env.now:
                yield env.timeout(open_at - env.now)
            if self.sidings is not None:
                yield self.sidings.acquire(1)
            row = rows.add(
                train_id=rows.n,
                corridor=route.corridor,
                direction=route.direction,
                origin=route.origin,
                destination=route.destination,
                policy=self.policy,
                capacity_teu=self.capacity_teu,
                t_scheduled=scheduled,
                t_open=env.now,
                teu=0,
                containers=0,
                ran=False,
            )
            train = _Loading(row, env.now, env.event())
            self._open = train
            self._absorb(train)
            self._check(train)
            if self.policy == "when_full":
                if not train.trigger.triggered and scheduled > env.now:
                    yield train.trigger | env.timeout(scheduled - env.now)
            else:
                if scheduled > env.now:
                    yield env.timeout(scheduled - env.now)
                if self.policy == "min_load" and train.teu < self.min_load_teu:
                    train.holding = True
                    if self.max_hold_h > 0:
                        yield train.trigger | env.timeout(self.max_hold_h)
            self._open = None
            if train.cursor > env.now:
                yield env.timeout(train.cursor - env.now)
            if self.sidings is not None:
                self.sidings.release(1)
            rows["teu"][row] = train.teu
            rows["containers"][row] = len(train.ids)
            if not train.ids:
                continue
            rows["ran"][row] = True
            rows["t_departed"][row] = env.now
            ids = np.asarray(train.ids, dtype=np.int64)
            self.containers["t_train_departed"][ids] = env.now
            self.containers["train_id"][ids] = row
            if self.on_departed is not None:
                self.on_departed(train.teu)
            env.process(self._journey(row, ids))

    def _journey(self, row: int, ids: np.ndarray) -> simpy.events.ProcessGenerator:
        env = self.env
        for leg in self.route.legs:
            yield env.timeout(self.run_time.draw(leg.run_time_h))
            if leg.border is not None:
                dwell = self.border_dwell.draw(leg.border.technical_h)
                if not self.route.four_customs_as_one:
                    dwell += self.border_dwell.draw(leg.border.customs_h)
                yield env.timeout(dwell)
                self.containers["t_border"][ids] = env.now
        self.trains["t_arrived"][row] = env.now
        self.containers["t_train_arrived"][ids] = env.now
        self.on_arrival(row, ids)
