"""A monitored, callback-driven resource.

``Resource`` is a pool of identical units (officers, crews, sidings, yard TEU) with a strict
FIFO queue of requests. Unlike ``simpy.Resource`` it grants a request by calling a function
with the argument it was given (``granted(arg)``), rather than by triggering an event, and
:meth:`Resource.serve` schedules the end of a service as a plain call
(:meth:`~sim.engine.env.Environment.call_in`): serving an item costs one heap entry and no
closure, instead of three SimPy events. That is where a model of ten thousand containers
spends its time. Processes that prefer ``yield`` use :meth:`Resource.acquire`.

Every change of queue length, units in use or capacity is appended to the columns of a
:class:`~sim.engine.recorder.LevelSeries`, so queue length and utilisation are instrumented
when the resource is built, not patched on afterwards. Capacity may change over time
(working hours); units in use then finish their current job.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import Any

import simpy

from sim.engine.env import Environment
from sim.engine.recorder import LevelSeries, Recorder

Granted = Callable[[Any], object]
"""Called with the argument of the request once it is granted (or the service is over)."""


def _ignore(_: object) -> None:
    """Where an unmonitored resource's level changes go."""


class Resource:
    """``capacity`` identical units, FIFO, granting by callback."""

    __slots__ = (
        "_b",
        "_q",
        "_queue",
        "_t",
        "capacity",
        "env",
        "in_use",
        "max_capacity",
        "moves",
        "series",
        "where",
    )

    def __init__(
        self,
        env: Environment,
        where: str,
        capacity: float,
        series: LevelSeries | None = None,
    ) -> None:
        if capacity < 0:
            raise ValueError(f"{where}: capacity must be >= 0, got {capacity}")
        self.env = env
        self.where = where
        self.capacity = capacity
        self.max_capacity = capacity
        self.in_use: float = 0
        self.moves = 0
        """Grants and releases so far: the resource's progress, as the watchdog sees it."""
        self._queue: deque[tuple[float, Granted, Any]] = deque()
        self.series = series
        # Where each change goes: appended to the series' columns, or nowhere.
        self._t: Callable[[float], object] = _ignore
        self._q: Callable[[int], object] = _ignore
        self._b: Callable[[float], object] = _ignore
        if series is not None:
            self._t, self._q, self._b = series.t.append, series.queue.append, series.busy.append
            series.capacity(env.now, capacity)
        self._record()

    def __len__(self) -> int:
        """Requests waiting."""
        return len(self._queue)

    def _record(self) -> None:
        self._t(self.env._now)
        self._q(len(self._queue))
        self._b(self.in_use)

    def _cannot_fit(self, amount: float) -> ValueError:
        return ValueError(
            f"{self.where}: a request for {amount} units can never fit in "
            f"capacity {self.max_capacity}"
        )

    def request(self, amount: float, granted: Granted, arg: Any = None) -> None:
        """Ask for ``amount`` units; ``granted(arg)`` is called (maybe at once) when they are
        held."""
        if amount > self.max_capacity:
            raise self._cannot_fit(amount)
        queue = self._queue
        if not queue and self.in_use + amount <= self.capacity:
            self.in_use += amount
            self.moves += 1
            self._record()
            granted(arg)
        else:
            queue.append((amount, granted, arg))
            self._record()

    def release(self, amount: float) -> None:
        """Give back ``amount`` units and grant waiting requests that now fit, in order."""
        self.in_use -= amount
        self.moves += 1
        self._dispatch()

    def set_capacity(self, capacity: float) -> None:
        """Change the number of units (a shift starts or ends)."""
        if capacity > self.max_capacity:
            self.max_capacity = capacity
        self.capacity = capacity
        if self.series is not None:
            self.series.capacity(self.env.now, capacity)
        self._dispatch()

    def _dispatch(self) -> None:
        queue = self._queue
        if not queue or self.in_use + queue[0][0] > self.capacity:
            self._record()
            return
        granted: list[tuple[Granted, Any]] = []
        while queue and self.in_use + queue[0][0] <= self.capacity:
            amount, fn, arg = queue.popleft()
            self.in_use += amount
            granted.append((fn, arg))
        self.moves += len(granted)
        self._record()
        for fn, arg in granted:
            fn(arg)

    def waiting(self) -> int:
        """Requests waiting while the resource is open (capacity > 0); a closed resource's
        queue is expected to wait, not stuck."""
        return len(self._queue) if self.capacity > 0 else 0

    def serve(self, duration: float, done: Granted, arg: Any = None) -> None:
        """Hold one unit for ``duration`` hours once granted, then release it and call
        ``done(arg)``."""
        if self.max_capacity < 1:
            raise self._cannot_fit(1)
        queue = self._queue
        job = (duration, done, arg)
        if not queue and self.in_use + 1 <= self.capacity:
            self.in_use += 1
            self.moves += 1
            self._record()
            self.env.call_in(duration, self._finish, job)
        else:
            queue.append((1, self._start, job))
            self._record()

    def _start(self, job: tuple[float, Granted, Any]) -> None:
        self.env.call_in(job[0], self._finish, job)

    def _finish(self, job: tuple[float, Granted, Any]) -> None:
        self.release(1)
        job[1](job[2])

    def acquire(self, amount: float = 1) -> simpy.Event:
        """An event that succeeds when ``amount`` units are held (for generator processes)."""
        event = self.env.event()
        self.request(amount, event.succeed)
        return event


def monitored(env: Environment, recorder: Recorder, where: str, capacity: float) -> Resource:
    """A resource whose queue length and units in use are recorded under ``where``."""
    return Resource(env, where, capacity, recorder.level(where))
