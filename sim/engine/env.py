"""The clock: SimPy's environment, with calls scheduled straight onto its event heap.

:class:`Environment` is a :class:`simpy.Environment` — processes, timeouts, events and
conditions work as in SimPy — plus :meth:`~Environment.call_in`: a function and its argument
due after a delay, pushed onto the same heap without an event object, a callbacks list or a
process to resume. That is what a container's step costs (a service ending, a truck
collecting a box); trains, vessels, shifts and the watchdog stay SimPy processes.

A heap entry is ``(time, priority, id, function, argument)``: SimPy's events are entered as
``(…, fire, event)``, calls as ``(…, function, argument)``, and one counter numbers both. So
a call is ordered among events exactly as a :class:`simpy.Timeout` created at the same moment
would be, and processing an entry is one function call either way.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from heapq import heappop, heappush
from typing import Any, TypeVar

import simpy
from simpy.core import EmptySchedule, StopSimulation
from simpy.events import NORMAL, URGENT, Event, EventPriority

T = TypeVar("T")


def fire(event: Event) -> None:
    """Process a triggered SimPy event: run its callbacks (as :meth:`simpy.Environment.step`)."""
    callbacks, event.callbacks = event.callbacks, None  # type: ignore[assignment]
    try:
        for callback in callbacks:
            callback(event)
    except StopSimulation:
        # As SimPy: keep the callbacks not yet run and process the event again on resuming.
        event.callbacks = callbacks[callbacks.index(callback) + 1 :]
        event.env.schedule(event, EventPriority(-1))
        raise
    if not event._ok and not hasattr(event, "_defused"):
        # A failed event nobody handled crashes the run, with a fresh copy of its exception.
        exc = type(event._value)(*event._value.args)
        exc.__cause__ = event._value
        raise exc


class Environment(simpy.Environment):
    """A SimPy environment in hours that also runs plain calls (see the module).

    ``now`` is a plain attribute here (SimPy's is a property): the model reads the clock
    several times per container.
    """

    _queue: list[Any]  # five-tuples, not SimPy's four
    now: float = 0.0

    @property
    def _now(self) -> float:
        return self.now

    @_now.setter
    def _now(self, t: float) -> None:
        self.now = t

    def schedule(self, event: Event, priority: Any = NORMAL, delay: float = 0) -> None:
        heappush(self._queue, (self.now + delay, priority, next(self._eid), fire, event))

    def call_in(self, delay: float, fn: Callable[[T], object], arg: T) -> None:
        """Call ``fn(arg)`` ``delay`` hours from now (ordered as a timeout created now)."""
        heappush(self._queue, (self.now + delay, NORMAL, next(self._eid), fn, arg))

    def call_soon(self, fn: Callable[[T], object], arg: T) -> None:
        """Call ``fn(arg)`` at the current time, before anything else due now that was not
        itself scheduled so (ordered as a process started now)."""
        heappush(self._queue, (self.now, URGENT, next(self._eid), fn, arg))

    def step(self) -> None:
        try:
            self.now, _, _, fn, arg = heappop(self._queue)
        except IndexError:
            raise EmptySchedule from None
        fn(arg)

    def run_until(self, until: float) -> int:
        """Process everything due before ``until``; return how many entries were processed."""
        queue = self._queue
        n = 0
        while queue:
            now, priority, eid, fn, arg = heappop(queue)
            if now >= until:
                heappush(queue, (now, priority, eid, fn, arg))  # not due: back, same place
                break
            self.now = now
            fn(arg)
            n += 1
        return n


@cache
def freeze_long_lived() -> None:
    """Once per process, after its imports: exempt every object alive now (the modules,
    classes and functions imported, hundreds of thousands of them) from the cyclic
    collector's passes (:func:`gc.freeze`). They live as long as the process; without this,
    each collection of the oldest generation walks them all again."""
    gc.freeze()


@contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic garbage collection inside the block (as it was again after).

    A run allocates millions of short-lived objects that reference counting frees; the cyclic
    collector would walk every live object each time a generation fills up, and more often
    the larger the heap — so a longer or busier run would cost more per container.
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()
