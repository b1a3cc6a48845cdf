"""Trains: timetabled services of one corridor in one direction.

A train is placed for loading ``open_h`` hours before its scheduled departure (at the hub on a
siding, which it holds until it leaves); when trains run more often than that, several stand
at once. While open a train takes the containers waiting for its corridor in arrival order,
then any that become ready, as long as they fit (the earliest-leaving open train first).

At the hub, loading starts at the cut-off (``cutoff_h`` before the scheduled departure, or when
the train is placed, if later): a handling unit (a crane or reach stacker, shared by every
train) is asked for and lifts what the train holds at its rate; containers that become ready
while it works, or later while the train still stands, are lifted too, so a train leaves when
its dispatch rule allows *and* its lifting is done. Away from the hub loading is not modelled:
a container is loaded when it joins the train. The dispatch policy decides when it leaves:

* ``timetable``: at the scheduled time (or when loading ends, if later);
* ``when_full``: as soon as it is full and loaded, else at the scheduled time;
* ``min_load``: at the scheduled time if it has ``min_load_teu``, else when it reaches it or
  ``max_hold_h`` hours later, whichever comes first ("即来即走" holds).

A train with nothing loaded does not run and does not count as run. Loading is one event per
batch of lifts, not one per container: containers are data (rows of the containers table).

Disruptions (:mod:`sim.model.disruptions`) reach a service through the one object it is given:
a train scheduled in a window that cancels it is not placed (its row says ``cancelled`` and
by what); on its run a train waits at a closed crossing or line, or takes a detour, and the
hours it was held are recorded (``held_h``). Run-time and dwell draws are made as without the
disruption, so that the service's other trains keep their numbers (common random numbers).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import simpy

from sim.engine import Draws, Environment, Resource
from sim.model.disruptions import RouteDisruptions
from sim.model.milestones import (
    ARRIVED,
    BORDER,
    DELIVERED,
    DEPARTED,
    LOADED,
    TRAIN_ARRIVED,
    TRAIN_DEPARTED,
)
from sim.model.network import Route
from sim.model.tables import Tables


@dataclass(frozen=True)
class Timetable:
    """What a service runs: departures (hours, ascending), train size and dispatch rule."""

    departures: np.ndarray
    capacity_teu: int
    policy: str
    open_h: float
    cutoff_h: float
    min_load_teu: int = 0
    max_hold_h: float = 0.0


@dataclass(frozen=True)
class TrainDraws:
    """Streams of a service's run times and of its dwell at border crossings."""

    run_time: Draws
    border: Draws


@dataclass(frozen=True)
class TrainEnds:
    """What happens at either end of a train's run."""

    departed: Callable[[int], None] | None = None
    """A train left its origin with this many TEU (at the hub: their yard space is free)."""
    arrived: Callable[[int, np.ndarray], None] | None = None
    """A train (its row) reached its destination with these containers; None: they are
    delivered there."""


@dataclass(frozen=True)
class HubLoading:
    """The hub's sidings and handling units, where a service's trains are loaded."""

    sidings: Resource
    handling: Resource
    teu_per_h: float


class _Train:
    __slots__ = (
        "holding",
        "idle",
        "ids",
        "lifting",
        "loading",
        "row",
        "teu",
        "trigger",
        "unlifted",
    )

    def __init__(self, row: int, trigger: simpy.Event) -> None:
        self.row = row
        self.ids: list[int] = []
        self.teu = 0
        self.holding = False
        self.trigger = trigger
        self.loading = False
        """Loading has started (the cut-off has passed or the train is full)."""
        self.lifting = False
        self.unlifted: list[int] = []
        self.idle: simpy.Event | None = None


class TrainService:
    """Trains of ``route`` running to ``timetable``; at the hub, loaded with ``hub``."""

    def __init__(
        self,
        env: Environment,
        route: Route,
        timetable: Timetable,
        draws: TrainDraws,
        tables: Tables,
        *,
        hub: HubLoading | None = None,
        ends: TrainEnds = TrainEnds(),
        disruptions: RouteDisruptions | None = None,
    ) -> None:
        self.env = env
        self.route = route
        self.timetable = timetable
        self.capacity_teu = timetable.capacity_teu
        self.hub = hub
        self.run_time = draws.run_time
        self.border_dwell = draws.border
        self.containers = tables.containers.columns
        self._teu = tables.containers.teu
        self.trains = tables.trains
        self.on_departed = ends.departed
        self.on_arrival = ends.arrived
        self.waiting: list[int] = []
        """Containers ready for this service that no open train has taken yet."""
        self.departed = 0
        """Trains that have left so far (the service's progress, for the watchdog)."""
        self._open: list[_Train] = []
        """Trains taking containers now, earliest departure first."""
        self._standing: list[_Train] = []
        """Trains standing for loading (open, or closed and finishing their lifts)."""
        self.disruptions = disruptions

    def cancelled_now(self) -> bool:
        """Whether a disruption cancels this service's trains now (its cargo then waits by
        plan, not because the model is stuck)."""
        d = self.disruptions
        return d is not None and bool(d.cancelled_by(self.env.now))

    def holding(self) -> list[int]:
        """Containers this service holds now: waiting, or on its open train (not yet gone)."""
        return [*self.waiting, *(cid for train in self._standing for cid in train.ids)]

    # -- containers -------------------------------------------------------------------------

    def ready(self, cid: int) -> None:
        """Container ``cid`` is ready to leave: put it on the open train or let it wait."""
        size = self._teu[cid]
        for train in self._open:
            if train.teu + size <= self.capacity_teu:
                self._join(train, cid)
                self._full(train)
                return
        self.waiting.append(cid)

    def _join(self, train: _Train, cid: int) -> None:
        train.ids.append(cid)
        train.teu += self._teu[cid]
        if self.hub is None:
            self.containers[LOADED][cid] = self.env.now
        else:
            train.unlifted.append(cid)
            if train.loading:
                self._lift(train)

    def _absorb(self, train: _Train) -> None:
        room = self.capacity_teu - train.teu
        if room <= 0 or not self.waiting:
            return
        teu = self._teu
        keep: list[int] = []
        for i, cid in enumerate(self.waiting):
            if room <= 0:
                keep.extend(self.waiting[i:])
                break
            size = teu[cid]
            if size <= room:
                self._join(train, cid)
                room -= size
            else:
                keep.append(cid)
        self.waiting = keep

    def _full(self, train: _Train) -> None:
        if train.trigger.triggered:
            return
        if (self.timetable.policy == "when_full" and train.teu >= self.capacity_teu) or (
            self.timetable.policy == "min_load"
            and train.holding
            and train.teu >= self.timetable.min_load_teu
        ):
            train.trigger.succeed()

    # -- lifting at the hub ---------------------------------------------------------------------

    def _start_loading(self, train: _Train) -> None:
        train.loading = True
        self._lift(train)

    def _lift(self, train: _Train) -> None:
        """Ask for a handling unit if the train has containers to lift and none is working."""
        if self.hub is not None and not train.lifting and train.unlifted:
            train.lifting = True
            self.hub.handling.request(1, self._lift_batch, train)

    def _lift_batch(self, train: _Train) -> None:
        """A handling unit works the train: lift every container not yet lifted."""
        assert self.hub is not None
        batch, train.unlifted = train.unlifted, []
        # a few containers at a time (one, mostly): a loop, not arrays
        loaded, teu, now = self.containers[LOADED], self._teu, self.env.now
        rate = self.hub.teu_per_h
        lifted = 0
        for cid in batch:
            lifted += teu[cid]
            loaded[cid] = now + lifted / rate
        self.env.call_in(now + lifted / rate - now, self._lifted, train)

    def _lifted(self, train: _Train) -> None:
        assert self.hub is not None
        if train.unlifted:
            self._lift_batch(train)
            return
        self.hub.handling.release(1)
        train.lifting = False
        if train.idle is not None and not train.idle.triggered:
            train.idle.succeed()

    # -- the train ----------------------------------------------------------------------------

    def run(self) -> simpy.events.ProcessGenerator:
        """Process: each train is placed ``open_h`` before its departure (several may stand
        at once when trains run more often than that)."""
        env = self.env
        for scheduled in self.timetable.departures.tolist():
            open_at = scheduled - self.timetable.open_h
            if open_at > env.now:
                yield env.timeout(open_at - env.now)
            cancelled = self.disruptions.cancelled_by(scheduled) if self.disruptions else ""
            if cancelled:
                self._cancel(scheduled, cancelled)
                continue
            env.process(self._train(scheduled))

    def _cancel(self, scheduled: float, disruption: str) -> None:
        """The train of ``scheduled`` does not run: a disruption cancelled it."""
        self._row(scheduled, cancelled=True, disruption=disruption)

    def _row(self, scheduled: float, **more: object) -> int:
        """A row of the trains table for the train of ``scheduled``, nothing loaded yet."""
        route, tt, rows = self.route, self.timetable, self.trains
        return rows.add(
            corridor=route.corridor,
            direction=route.direction,
            origin=route.origin,
            destination=route.destination,
            policy=tt.policy,
            capacity_teu=tt.capacity_teu,
            t_scheduled=scheduled,
            teu=0,
            containers=0,
            ran=False,
            **more,
        )

    def _train(self, scheduled: float) -> simpy.events.ProcessGenerator:
        env = self.env
        rows = self.trains
        tt = self.timetable
        sidings = self.hub.sidings if self.hub is not None else None
        if sidings is not None:
            yield sidings.acquire(1)
        row = self._row(scheduled, t_open=env.now)
        train = _Train(row, env.event())
        self._open.append(train)
        self._standing.append(train)
        self._absorb(train)
        self._full(train)
        cutoff = scheduled - tt.cutoff_h
        if tt.policy == "when_full":
            if not train.trigger.triggered and cutoff > env.now:
                yield train.trigger | env.timeout(cutoff - env.now)
            self._start_loading(train)
            if not train.trigger.triggered and scheduled > env.now:
                yield train.trigger | env.timeout(scheduled - env.now)
        else:
            if cutoff > env.now:
                yield env.timeout(cutoff - env.now)
            self._start_loading(train)
            if scheduled > env.now:
                yield env.timeout(scheduled - env.now)
            if tt.policy == "min_load" and train.teu < tt.min_load_teu:
                train.holding = True
                if tt.max_hold_h > 0:
                    yield train.trigger | env.timeout(tt.max_hold_h)
        self._open.remove(train)
        while train.lifting or train.unlifted:
            train.idle = env.event()
            self._lift(train)
            yield train.idle
        self._standing.remove(train)
        if sidings is not None:
            sidings.release(1)
        rows["teu"][row] = train.teu
        rows["containers"][row] = len(train.ids)
        if not train.ids:
            return
        self.departed += 1
        rows["ran"][row] = True
        rows[DEPARTED][row] = env.now
        ids = np.asarray(train.ids, dtype=np.int64)
        self.containers[TRAIN_DEPARTED][ids] = env.now
        self.containers["train_id"][ids] = row
        if self.on_departed is not None:
            self.on_departed(train.teu)
        env.process(self._journey(row, ids))

    def _journey(self, row: int, ids: np.ndarray) -> simpy.events.ProcessGenerator:
        env = self.env
        d = self.disruptions
        for i, leg in enumerate(self.route.legs):
            run_h = self.run_time.draw(leg.run_time_h)
            if d is not None:
                wait_h, by, way, slower = d.leg(i, env.now)
                if wait_h > 0:
                    self._held(row, wait_h, by)
                    yield env.timeout(wait_h)
                if by:
                    self._by(row, by)
                run_h = d.run_detour(way) if way is not None else run_h * slower
            yield env.timeout(run_h)
            if leg.border is not None:
                dwell = 0.0
                for part in leg.border.parts(self.route.four_customs_as_one):
                    dwell += self.border_dwell.draw(part)
                if d is not None:
                    wait_h, by, slower = d.border(i, env.now)
                    if wait_h > 0:
                        self._held(row, wait_h, by)
                        yield env.timeout(wait_h)
                    if by:
                        self._by(row, by)
                    dwell *= slower
                yield env.timeout(dwell)
                self.containers[BORDER][ids] = env.now
        self.trains[ARRIVED][row] = env.now
        self.containers[TRAIN_ARRIVED][ids] = env.now
        if self.on_arrival is None:
            self.containers[DELIVERED][ids] = env.now
        else:
            self.on_arrival(row, ids)

    def _held(self, row: int, hours: float, disruption: str) -> None:
        held = self.trains["held_h"]
        held[row] = hours if np.isnan(held[row]) else held[row] + hours
        self._by(row, disruption)

    def _by(self, row: int, disruption: str) -> None:
        """The train of ``row`` was held or rerouted by ``disruption``."""
        self.trains["disruption"][row] = self.trains.code("disruption", disruption)
