"""Customs at the hub: export and import desks, inspection bays and the quarantine lab.

A container's declaration goes through document review by an officer; with some probability
it is then physically inspected in an inspection bay (bays are shared by both directions);
an agricultural import is, with some probability, sampled for quarantine and waits for the
lab. Clearance time is release − declaration. Each container's service times and
selections are drawn when it is declared, from streams of their own, so two scenarios that
declare the same containers draw the same numbers (common random numbers).

Officers may work only in given windows (working hours). Outside them the desk has no
officers; a review under way is finished.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np
import simpy

from sim.engine import Bernoulli, Resource, Sampler, Table


class CustomsDesk:
    """One direction's customs: review, then maybe inspection, then maybe quarantine."""

    def __init__(
        self,
        env: simpy.Environment,
        *,
        officers: Resource,
        review: Sampler,
        inspect: Bernoulli,
        inspection_time: Sampler,
        bays: Resource,
        sample: Bernoulli | None,
        test_time: Sampler | None,
        lab: Resource | None,
        containers: Table,
    ) -> None:
        self.env = env
        self.officers = officers
        self.review = review
        self.inspect = inspect
        self.inspection_time = inspection_time
        self.bays = bays
        self.sample = sample
        self.test_time = test_time
        self.lab = lab
        self.containers = containers

    def declare(self, cid: int, released: Callable[[int], None]) -> None:
        """File container ``cid``'s declaration now; ``released(cid)`` is called at release."""
        c = self.containers
        env = self.env
        c["t_customs_start"][cid] = env.now
        review_h = self.review()
        inspect = self.inspect()
        inspection_h = self.inspection_time() if inspect else 0.0
        sampled = self.sample is not None and bool(c["agricultural"][cid]) and self.sample()
        test_h = self.test_time() if sampled and self.test_time is not None else 0.0
        c["inspected"][cid] = inspect
        c["quarantined"][cid] = sampled

        def release() -> None:
            c["t_customs_end"][cid] = env.now
            released(cid)

        def after_inspection() -> None:
            if sampled and self.lab is not None:
                self.lab.serve(test_h, release)
            else:
                release()

        def after_review() -> None:
            if inspect:
                self.bays.serve(inspection_h, after_inspection)
            else:
                after_inspection()

        self.officers.serve(review_h, after_review)


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
    """Officers on duty (``staff`` of them) during ``intervals``, none in between.

    The desk's capacity is set at once for the current time, so a declaration filed at this
    very instant already sees the right number of officers; later changes run as a process.
    """
    now = env.now
    on_duty = any(lo <= now < hi for lo, hi in intervals)
    officers.set_capacity(staff if on_duty else 0)
    env.process(_shifts(env, officers, staff, [(lo, hi) for lo, hi in intervals if hi > now]))


def _shifts(
    env: simpy.Environment, officers: Resource, staff: int, intervals: list[tuple[float, float]]
) -> simpy.events.ProcessGenerator:
    for lo, hi in intervals:
        if lo > env.now:
            yield env.timeout(lo - env.now)
            officers.set_capacity(staff)
        yield env.timeout(hi - env.now)
        officers.set_capacity(0)
