"""Capacity that follows a schedule, and windows in which something is closed or reduced.

A :class:`Steps` is a step function of time: a value from each breakpoint until the next
(shifts of officers, a gate closed for a night, a yard block halved for a week). Step
functions multiply (a shift pattern times a disruption's factor) and round down to whole
units. :func:`follow` makes a :class:`~sim.engine.resources.Resource`'s capacity follow one:
the capacity for the current time is set at once, later changes run as a process of one
timeout per breakpoint. Units in use when the capacity falls finish their current job.

:class:`Windows` are the intervals in which a thing works at a ``factor`` of its normal rate
(0: closed), for things that are not resources — a border crossing, a line, a port: the model
asks whether it is open at a time and, if not, when it reopens.

It knows nothing of freight: breakpoints are hours on the environment's clock.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import simpy

from sim.engine.resources import Resource


@dataclass(frozen=True)
class Steps:
    """A step function: ``values[i]`` from ``times[i]`` until ``times[i + 1]``; ``before``
    until ``times[0]``. Times are ascending."""

    before: float
    times: tuple[float, ...] = ()
    values: tuple[float, ...] = ()

    def __post_init__(self) -> None:
        if len(self.times) != len(self.values):
            raise ValueError("a step function needs one value per breakpoint")
        if any(b < a for a, b in zip(self.times, self.times[1:], strict=False)):
            raise ValueError("breakpoints of a step function must be ascending")

    @classmethod
    def constant(cls, value: float) -> Steps:
        return cls(value)

    @classmethod
    def on_off(cls, on: float, intervals: Iterable[tuple[float, float]]) -> Steps:
        """``on`` within each of ``intervals`` (ascending, disjoint), 0 outside them."""
        times: list[float] = []
        values: list[float] = []
        for lo, hi in intervals:
            times += [lo, hi]
            values += [on, 0.0]
        return cls(0.0, tuple(times), tuple(values))

    def at(self, t: float) -> float:
        """The value at time ``t`` (a breakpoint's value holds from the breakpoint on)."""
        value = self.before
        for time, v in zip(self.times, self.values, strict=True):
            if time > t:
                break
            value = v
        return value

    def times_values(self, after: float) -> list[tuple[float, float]]:
        """Breakpoints later than ``after`` with their values, dropping those that change
        nothing."""
        out: list[tuple[float, float]] = []
        current = self.at(after)
        for t, v in zip(self.times, self.values, strict=True):
            if t > after and v != current:
                out.append((t, v))
                current = v
        return out

    def times_scaled(self, windows: Windows) -> Steps:
        """This function times the factor of ``windows`` at each time, rounded down to whole
        units (a fraction of a unit serves no request of a whole one)."""
        points = sorted({*self.times, *windows.breakpoints()})

        def value(t: float | None) -> float:
            base = self.before if t is None else self.at(t)
            factor = 1.0 if t is None else windows.factor(t)
            return float(math.floor(base * factor + 1e-9))

        return Steps(value(None), tuple(points), tuple(value(t) for t in points))


@dataclass(frozen=True)
class Window:
    """``[start_h, end_h)`` in which a thing works at ``factor`` of its rate (0: closed)."""

    start_h: float
    end_h: float
    factor: float
    tag: str = ""
    """Whose window it is (a disruption's name), for the record."""

    def __post_init__(self) -> None:
        if not self.end_h > self.start_h:
            raise ValueError(f"a window must end after it starts, got {self}")
        if not (math.isfinite(self.factor) and self.factor >= 0):
            raise ValueError(f"a window's factor must be finite and >= 0, got {self.factor}")


class Windows:
    """Windows of one thing; where windows overlap their factors multiply."""

    def __init__(self, windows: Iterable[Window] = ()) -> None:
        self.windows: tuple[Window, ...] = tuple(sorted(windows, key=lambda w: w.start_h))

    def __bool__(self) -> bool:
        return bool(self.windows)

    def breakpoints(self) -> list[float]:
        return sorted({t for w in self.windows for t in (w.start_h, w.end_h)})

    def active(self, t: float) -> list[Window]:
        return [w for w in self.windows if w.start_h <= t < w.end_h]

    def factor(self, t: float) -> float:
        """The rate at time ``t``: the product of the factors of the windows around it."""
        out = 1.0
        for w in self.active(t):
            out *= w.factor
        return out

    def reopens(self, t: float) -> float:
        """When a thing closed at ``t`` (factor 0) opens again: the first time from ``t`` on
        at which no closing window holds (``t`` itself if it is open)."""
        while True:
            closing = [w.end_h for w in self.active(t) if w.factor == 0]
            if not closing:
                return t
            t = max(closing)

    def closed_by(self, t: float) -> str:
        """The tag of the last-starting window that closes the thing at ``t`` ("" if open)."""
        closing = [w for w in self.active(t) if w.factor == 0]
        return closing[-1].tag if closing else ""

    def tag_at(self, t: float) -> str:
        """The tag of the last-starting window around ``t`` ("" if none)."""
        around = self.active(t)
        return around[-1].tag if around else ""


def follow(env: simpy.Environment, resource: Resource, steps: Steps) -> None:
    """Make ``resource``'s capacity follow ``steps`` from now on.

    The capacity for the current time is set at once, so a request made at this very instant
    already sees it; later changes run as a process.
    """
    now = env.now
    resource.set_capacity(steps.at(now))
    changes = steps.times_values(now)
    if changes:
        env.process(_follow(env, resource, changes))


def _follow(
    env: simpy.Environment, resource: Resource, changes: Sequence[tuple[float, float]]
) -> simpy.events.ProcessGenerator:
    for t, value in changes:
        yield env.timeout(t - env.now)
        resource.set_capacity(value)
