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
import simpy

from sim.engine import Bernoulli, Resource, Sampler, Table
from sim.engine.schedule import Steps, follow
from sim.model.milestones import CUSTOMS_END, CUSTOMS_START


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


class _Declaration:
    """A declaration on its way through the stages it was selected for (no closures)."""

    __slots__ = ("cid", "desk", "hours", "i", "released", "resources")

    def __init__(
        self,
        desk: CustomsDesk,
        cid: int,
        released: Callable[[int], None],
        resources: list[Resource],
        hours: list[float],
    ) -> None:
        self.desk = desk
        self.cid = cid
        self.released = released
        self.resources = resources
        self.hours = hours
        self.i = 0

    def next(self) -> None:
        """Queue for the next stage, or be released after the last."""
        i = self.i
        if i < len(self.hours):
            self.i = i + 1
            self.resources[i].serve(self.hours[i], self.next)
            return
        desk = self.desk
        desk.containers[CUSTOMS_END][self.cid] = desk.env.now
        self.released(self.cid)


class CustomsDesk:
    """One direction's customs: its declarations pass ``stages`` in order."""

    def __init__(
        self, env: simpy.Environment, stages: Sequence[CustomsStage], containers: Table
    ) -> None:
        self.env = env
        self.stages = tuple(stages)
        self.containers = containers
        self._agricultural = any(stage.agricultural_only for stage in self.stages)
        for stage in self.stages:
            if stage.flag is not None and containers.dtypes.get(stage.flag) != np.dtype(bool):
                raise ValueError(
                    f"customs stage {stage.name!r}: {stage.flag!r} is not a bool column of the "
                    "containers table"
                )

    def stage(self, name: str) -> CustomsStage:
        """The stage called ``name``."""
        for stage in self.stages:
            if stage.name == name:
                return stage
        raise KeyError(f"no customs stage {name!r}; the stages are {[s.name for s in self.stages]}")

    def declare(self, cid: int, released: Callable[[int], None]) -> None:
        """File container ``cid``'s declaration now; ``released(cid)`` is called at release."""
        c = self.containers
        c[CUSTOMS_START][cid] = self.env.now
        agricultural = self._agricultural and bool(c["agricultural"][cid])
        resources: list[Resource] = []
        hours: list[float] = []
        for stage in self.stages:
            if stage.agricultural_only and not agricultural:
                continue
            if stage.select is not None and not stage.select():
                continue
            resources.append(stage.resource)
            hours.append(stage.time())
            if stage.flag is not None:
                c[stage.flag][cid] = True
        _Declaration(self, cid, released, resources, hours).next()


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
    env: simpy.Environment, officers: Resource, staff: int, intervals: list[tuple[float, float]]
) -> None:
    """Officers on duty (``staff`` of them) during ``intervals``, none in between: the desk's
    capacity follows that schedule (:func:`sim.engine.schedule.follow`)."""
    follow(env, officers, Steps.on_off(staff, intervals))
