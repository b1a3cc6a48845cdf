"""Timetables: when trains and vessels leave, in hours from the scenario's start date.

A schedule is weekly (given weekdays at given times of day) or a headway (every ``headway_h``
hours from ``first_h``). A service may change its timetable during a run: a list of periods,
each with the date from which its schedule is in force. Working hours of customs officers are
weekly windows too (:func:`duty_intervals` in :mod:`sim.model.customs`).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence

import numpy as np

from sim.scenario.schema import WEEKDAYS, Headway, Period, Weekly, clock_hours

HOURS_PER_WEEK = 168.0


def weekly_times(spec: Weekly, start_weekday: int, t0_h: float, t1_h: float) -> np.ndarray:
    """Hours (from the start date) of every (day, time) in ``spec`` within ``[t0_h, t1_h)``."""
    weekdays = sorted({WEEKDAYS.index(d) for d in spec.days})
    clocks = np.asarray(sorted(clock_hours(t) for t in spec.times), dtype=np.float64)
    day = np.arange(math.floor(t0_h / 24), math.ceil(t1_h / 24) + 1)
    day = day[np.isin((start_weekday + day) % 7, weekdays)]
    # day by day, each day's clocks in order; (day * 24) + clock as Python computes it
    times = ((day * 24).astype(np.float64)[:, None] + clocks[None, :]).ravel()
    return times[(times >= t0_h) & (times < t1_h)]


def _one(spec: Weekly | Headway, start_weekday: int, t0_h: float, t1_h: float) -> np.ndarray:
    if isinstance(spec, Weekly):
        return weekly_times(spec, start_weekday, t0_h, t1_h)
    k0 = math.ceil((t0_h - spec.first_h) / spec.headway_h)
    k1 = math.ceil((t1_h - spec.first_h) / spec.headway_h)
    return spec.first_h + spec.headway_h * np.arange(k0, k1, dtype=float)


def departure_times(
    spec: Weekly | Headway | Sequence[Period], start: dt.date, t0_h: float, t1_h: float
) -> np.ndarray:
    """Departures (hours from ``start``, ascending) of a schedule within ``[t0_h, t1_h)``.

    With periods, each period's schedule applies from its date (00:00) to the next period's
    date; the first period's schedule also applies before its date (in the warm-up, say). A
    headway's ``first_h`` counts from its period's date.
    """
    if isinstance(spec, Weekly | Headway):
        return _one(spec, start.weekday(), t0_h, t1_h)
    parts = []
    for i, period in enumerate(spec):
        origin_h = (period.from_ - start).days * 24.0
        end_h = (spec[i + 1].from_ - start).days * 24.0 if i + 1 < len(spec) else math.inf
        lo = t0_h if i == 0 else max(t0_h, origin_h)
        hi = min(t1_h, end_h)
        if hi <= lo:
            continue
        times = _one(period.schedule, period.from_.weekday(), lo - origin_h, hi - origin_h)
        parts.append(times + origin_h)
    return np.concatenate(parts) if parts else np.empty(0)


def mean_headway_h(spec: Weekly | Headway | Sequence[Period], window: np.ndarray) -> float:
    """Mean hours between departures: of the schedule, or over ``window`` for periods."""
    if isinstance(spec, Weekly):
        return HOURS_PER_WEEK / (len(set(spec.days)) * len(set(spec.times)))
    if isinstance(spec, Headway):
        return spec.headway_h
    if len(window) < 2:
        return math.inf
    return float((window[-1] - window[0]) / (len(window) - 1))


def longest_gap_h(times: np.ndarray) -> float:
    """The longest wait between consecutive departures (0 with fewer than two)."""
    return float(np.diff(times).max()) if len(times) > 1 else 0.0
