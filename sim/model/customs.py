"""Customs at the hub: a declaration passes a list of stages, each a queue of its own.

A stage is data: the resource it queues for, its service-time sampler and which declarations
it selects — all of them, each with a probability, or agricultural goods only (with a
probability). The scenario's standard fields make the standard stages — document review by an
officer; with some probability physical inspection in an inspection bay (bays are shared by
both directions); for an agricultural import, with some probability, a quarantine test in the
lab — and a scenario may add further stages (a phytosanitary document check, an X-ray scan)
with resources of their own; :func:`sim.model.build.build` makes them all the same way.

Clearance time is release − declaration. Each container's selections and service times are
drawn when it is declared, stage by stage, from streams of their own, so two scenarios that
declare the same containers draw the same numbers (common random numbers), and a stage added
to one of them leaves every other draw as it was.

Officers (and an extra stage's resource) may work only in given windows (working hours).
Outside them the resource has no units; a service under way is finished.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from sim.engine import Bernoulli, Environment, Resource, Sampler
from sim.engine.schedule import Steps, follow
from sim.model.milestones import CUSTOMS_END, CUSTOMS_START
from sim.model.tables import Containers


@dataclass(frozen=True, slots=True)
class CustomsStage:
    """One step of a declaration: who it selects, where it queues and for how long."""

    name: str
    resource: Resource
    time: Sampler
    """Hours a selected declaration holds a unit of the resource."""
    select: Bernoulli | None = None
    """Whether a declaration in scope is selected; None: every one is."""
    agricultural_only: bool = False
    """Only declarations of agricultural goods are in scope."""
    flag: str | None = None
    """A bool column of the containers table set for each declaration the stage selects."""


Declaration = tuple[int, Callable[[int], None], list[tuple[Resource, float]] | None]
"""A declaration on its way: the container, where it goes when released, and the stages
(resource, hours) still ahead after the one it is in (None: none)."""


class CustomsDesk:
    """One direction's customs: its declarations pass ``stages`` in order.

    A declaration is a plain tuple (:data:`Declaration`) handed from one stage's service to
    the next: no object, no closure per container.
    """

    def __init__(
        self, env: Environment, stages: Sequence[CustomsStage], containers: Containers
    ) -> None:
        self.env = env
        self.stages = tuple(stages)
        self.containers = containers
        self._c = containers.columns
        self._agricultural_of = containers.agricultural
        self._agricultural = any(stage.agricultural_only for stage in self.stages)
        dtypes = containers.table.dtypes
        for stage in self.stages:
            if stage.flag is not None and dtypes.get(stage.flag) != np.dtype(bool):
                raise ValueError(
                    f"customs stage {stage.name!r}: {stage.flag!r} is not a bool column of the "
                    "containers table"
                )
        self._end_ = self._end  # bound once: the hot path makes none
        self._next_ = self._next
        self._plan = tuple(
            (
                stage.resource,
                stage.time.draw,
                None if stage.select is None else stage.select.draw,
                stage.agricultural_only,
                stage.flag,
            )
            for stage in self.stages
        )

    def stage(self, name: str) -> CustomsStage:
        """The stage called ``name``."""
        for stage in self.stages:
            if stage.name == name:
                return stage
        raise KeyError(f"no customs stage {name!r}; the stages are {[s.name for s in self.stages]}")

    def declare(self, cid: int, released: Callable[[int], None]) -> None:
        """File container ``cid``'s declaration now; ``released(cid)`` is called at release."""
        c = self._c
        c[CUSTOMS_START][cid] = self.env.now
        agricultural = self._agricultural and self._agricultural_of[cid]
        first: Resource | None = None
        first_h = 0.0
        rest: list[tuple[Resource, float]] | None = None
        for resource, time, select, agricultural_only, flag in self._plan:
            if agricultural_only and not agricultural:
                continue
            if select is not None and not select():
                continue
            if first is None:
                first, first_h = resource, time()
            elif rest is None:
                rest = [(resource, time())]
            else:
                rest.append((resource, time()))
            if flag is not None:
                c[flag][cid] = True
        if first is None:
            self._end((cid, released, None))
        elif rest is None:
            first.serve(first_h, self._end_, (cid, released, None))
        else:
            first.serve(first_h, self._next_, (cid, released, rest))

    def _next(self, declaration: Declaration) -> None:
        rest = declaration[2]
        assert rest is not None
        resource, hours = rest.pop(0)
        resource.serve(hours, self._next_ if rest else self._end_, declaration)

    def _end(self, declaration: Declaration) -> None:
        cid, released, _ = declaration
        self._c[CUSTOMS_END][cid] = self.env.now
        released(cid)


def duty_intervals(
    windows: Iterable[tuple[frozenset[int], float, float]],
    start_weekday: int,
    t0_h: float,
    t1_h: float,
) -> list[tuple[float, float]]:
    """On-duty intervals (hours from the start date) within ``[t0_h, t1_h]``, merged.

    ``windows`` holds (weekdays 0=Mon..6=Sun, start hour, end hour); ``start_weekday`` is the
    weekday of hour 0.
    """
    intervals: list[tuple[float, float]] = []
    for day in range(int(np.floor(t0_h / 24)), int(np.ceil(t1_h / 24)) + 1):
        weekday = (start_weekday + day) % 7
        for days, a, b in windows:
            if weekday in days:
                lo, hi = max(day * 24 + a, t0_h), min(day * 24 + b, t1_h)
                if hi > lo:
                    intervals.append((lo, hi))
    intervals.sort()
    merged: list[tuple[float, float]] = []
    for lo, hi in intervals:
        if merged and lo <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
        else:
            merged.append((lo, hi))
    return merged


def start_shifts(
    env: Environment, officers: Resource, staff: int, intervals: list[tuple[float, float]]
) -> None:
    """Officers on duty (``staff`` of them) during ``intervals``, none in between: the desk's
    capacity follows that schedule (:func:`sim.engine.schedule.follow`)."""
    follow(env, officers, Steps.on_off(staff, intervals))
