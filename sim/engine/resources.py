"""A monitored, callback-driven resource.

``Resource`` is a pool of identical units (officers, crews, sidings, yard TEU) with a strict
FIFO queue of requests. Unlike ``simpy.Resource`` it grants requests by calling a function
rather than triggering an event, so serving an item costs one SimPy event (its service
timeout) instead of three; that is where a model of ten thousand containers spends its time.
Processes that prefer ``yield`` use :meth:`Resource.acquire`.

Every change of queue length, units in use or capacity is reported to a
:class:`~sim.engine.recorder.LevelSeries`, so queue length and utilisation are instrumented
when the resource is built, not patched on afterwards. Capacity may change over time
(working hours); units in use then finish their current job.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable

import simpy

from sim.engine.recorder import LevelSeries, Recorder

Granted = Callable[[], None]


class Resource:
    """``capacity`` identical units, FIFO, granting by callback."""

    __slots__ = (
        "_queue",
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
        env: simpy.Environment,
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
        self._queue: deque[tuple[float, Granted]] = deque()
        self.series = series
        self._record()

    def __len__(self) -> int:
        """Requests waiting."""
        return len(self._queue)

    def _record(self) -> None:
        if self.series is not None:
            self.series.record(self.env.now, len(self._queue), self.in_use, self.capacity)

    def request(self, amount: float, granted: Granted) -> None:
        """Ask for ``amount`` units; ``granted()`` is called (maybe at once) when they are held."""
        if amount > self.max_capacity:
            raise ValueError(
                f"{self.where}: a request for {amount} units can never fit in "
                f"capacity {self.max_capacity}"
            )
        if not self._queue and self.in_use + amount <= self.capacity:
            self.in_use += amount
            self.moves += 1
            self._record()
            granted()
        else:
            self._queue.append((amount, granted))
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
        self._dispatch()

    def _dispatch(self) -> None:
        queue = self._queue
        granted: list[Granted] = []
        while queue and self.in_use + queue[0][0] <= self.capacity:
            amount, fn = queue.popleft()
            self.in_use += amount
            granted.append(fn)
        self.moves += len(granted)
        self._record()
        for fn in granted:
            fn()

    def waiting(self) -> int:
        """Requests waiting while the resource is open (capacity > 0); a closed resource's
        queue is expected to wait, not stuck."""
        return len(self._queue) if self.capacity > 0 else 0

    def serve(self, duration: float, done: Granted) -> None:
        """Hold one unit for ``duration`` hours once granted, then release it and call ``done``."""

        def start() -> None:
            self.env.timeout(duration).callbacks.append(finish)

        def finish(_: simpy.Event) -> None:
            self.release(1)
            done()

        self.request(1, start)

    def acquire(self, amount: float = 1) -> simpy.Event:
        """An event that succeeds when ``amount`` units are held (for generator processes)."""
        event = self.env.event()
        self.request(amount, event.succeed)
        return event


def monitored(env: simpy.Environment, recorder: Recorder, where: str, capacity: float) -> Resource:
    """A resource whose queue length and units in use are recorded under ``where``."""
    return Resource(env, where, capacity, recorder.level(where))
