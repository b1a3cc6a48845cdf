"""A monitored, callback-driven resource.

``Resource`` is a pool of identical units (officers, crews, sidings, yard TEU) with a strict
FIFO queue of requests, each for a whole number of units. Unlike ``simpy.Resource`` it grants
a request by calling a function with the argument it was given (``granted(arg)``), rather
than by triggering an event, and
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
from heapq import heappush
from typing import Any

import simpy
from simpy.events import NORMAL

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
        "_finish_",
        "_q",
        "_queue",
        "_start_",
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
        self.in_use = 0
        self.moves = 0
        """Grants and releases so far: the resource's progress, as the watchdog sees it."""
        self._queue: deque[tuple[int, Granted, Any]] = deque()
        self._start_ = self._start  # bound once: the hot path makes none
        self._finish_ = self._finish
        self.series = series
        # Where each change goes: appended to the series' columns, or nowhere.
        self._t: Callable[[float], object] = _ignore
        self._q: Callable[[int], object] = _ignore
        self._b: Callable[[int], object] = _ignore
        if series is not None:
            self._t, self._q, self._b = series.t.append, series.queue.append, series.busy.append
            series.capacity(env.now, capacity)
        self._record()

    def __len__(self) -> int:
        """Requests waiting."""
        return len(self._queue)

    def _record(self) -> None:
        self._t(self.env.now)
        self._q(len(self._queue))
        self._b(self.in_use)

    def _cannot_fit(self, amount: int) -> ValueError:
        return ValueError(
            f"{self.where}: a request for {amount} units can never fit in "
            f"capacity {self.max_capacity}"
        )

    # The methods below are the hot path of a run: each records the levels itself (three
    # appends, no call) rather than through _record.

    def _whole(self, amount: float) -> int:
        """``amount`` as a whole number of units (``2.0`` is 2); a fraction is an error."""
        units = int(amount)
        if units != amount:
            raise ValueError(f"{self.where}: requests are for whole units, got {amount}")
        return units

    def request(self, amount: float, granted: Granted, arg: Any = None) -> None:
        """Ask for ``amount`` units (a whole number); ``granted(arg)`` is called (maybe at once)
        when they are held."""
        if not isinstance(amount, int):
            amount = self._whole(amount)
        if amount > self.max_capacity:
            raise self._cannot_fit(amount)
        queue = self._queue
        self._t(self.env.now)
        if not queue and self.in_use + amount <= self.capacity:
            self.in_use += amount
            self.moves += 1
            self._q(0)
            self._b(self.in_use)
            granted(arg)
        else:
            queue.append((amount, granted, arg))
            self._q(len(queue))
            self._b(self.in_use)

    def release(self, amount: float) -> None:
        """Give back ``amount`` units (a whole number) and grant waiting requests that now fit,
        in order."""
        self.in_use -= amount if isinstance(amount, int) else self._whole(amount)
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
        capacity = self.capacity
        if not queue or self.in_use + queue[0][0] > capacity:
            self._t(self.env.now)
            self._q(len(queue))
            self._b(self.in_use)
            return
        amount, fn, arg = queue.popleft()
        in_use = self.in_use = self.in_use + amount
        if not queue or in_use + queue[0][0] > capacity:  # the common case: one grant
            self.moves += 1
            self._t(self.env.now)
            self._q(len(queue))
            self._b(in_use)
            fn(arg)
            return
        granted: list[tuple[Granted, Any]] = [(fn, arg)]
        while queue and self.in_use + queue[0][0] <= capacity:
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
        env = self.env
        now = env.now
        self._t(now)
        if not queue and self.in_use + 1 <= self.capacity:
            in_use = self.in_use = self.in_use + 1
            self.moves += 1
            self._q(0)
            self._b(in_use)
            # env.call_in(duration, self._finish, job), inlined
            heappush(
                env._queue, (now + duration, NORMAL, next(env._eid), self._finish_, (done, arg))
            )
        else:
            queue.append((1, self._start_, (duration, done, arg)))
            self._q(len(queue))
            self._b(self.in_use)

    def _start(self, job: tuple[float, Granted, Any]) -> None:
        duration, done, arg = job
        self.env.call_in(duration, self._finish_, (done, arg))

    def _finish(self, job: tuple[Granted, Any]) -> None:
        # self.release(1), inlined, with the common case (no request granted) first
        in_use = self.in_use = self.in_use - 1
        self.moves += 1
        queue = self._queue
        if not queue or in_use + queue[0][0] > self.capacity:
            self._t(self.env.now)
            self._q(len(queue))
            self._b(in_use)
        else:
            self._dispatch()
        job[0](job[1])

    def acquire(self, amount: float = 1) -> simpy.Event:
        """An event that succeeds when ``amount`` units are held (for generator processes)."""
        event = self.env.event()
        self.request(amount, event.succeed)
        return event


def monitored(env: Environment, recorder: Recorder, where: str, capacity: float) -> Resource:
    """A resource whose queue length and units in use are recorded under ``where``."""
    return Resource(env, where, capacity, recorder.level(where))
