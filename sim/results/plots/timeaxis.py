"""Time on figures: hours from the start date as calendar dates, the warm-up band, step
functions summed over bins, and the containers of the statistics window.

As for the KPIs, the statistics window is ``[0, horizon)`` hours from the scenario's start
date (:mod:`sim.results.kpis`); hours before 0 are warm-up, shaded on plots over time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.ticker import FixedFormatter, FixedLocator

from sim.results.i18n import date_text, say
from sim.results.plots.style import WARMUP_COLOUR
from sim.results.run import RunResult


def run_start(run: RunResult) -> pd.Timestamp:
    """The start date of the statistics window (hour 0)."""
    return pd.Timestamp(run.info.start)


def hours_to_num(run: RunResult, hours: Sequence[float] | np.ndarray | float) -> np.ndarray:
    """Hours from the start date as matplotlib date numbers (days)."""
    origin = float(mdates.date2num(run_start(run).to_pydatetime()))
    return origin + np.asarray(hours, dtype=float) / 24.0


def date_axis(ax: Axes, lo: float, hi: float) -> None:
    """Calendar ticks between date numbers ``lo`` and ``hi``: months, Mondays or days.

    Tick positions are computed here rather than by matplotlib's rrule-based date locators,
    which cost seconds on a figure of many shared axes.
    """
    first, last = mdates.num2date(lo), mdates.num2date(hi)
    days = pd.date_range(first.date(), last.date() + dt.timedelta(days=1), freq="D")
    days = days[
        (days >= pd.Timestamp(first.replace(tzinfo=None)))
        & (days <= pd.Timestamp(last.replace(tzinfo=None)))
    ]
    span = hi - lo
    if span > 120:
        ticks = days[days.day == 1]
        labels = [
            date_text(d, "month_year" if i == 0 or d.month == 1 else "month")
            for i, d in enumerate(ticks)
        ]
    elif span > 21:
        ticks = days[days.day_of_week == 0]
        labels = [date_text(d, "day") for d in ticks]
    else:
        ticks = days
        labels = [date_text(d, "weekday_day") for d in ticks]
    ax.xaxis.set_major_locator(FixedLocator(list(mdates.date2num(ticks.to_pydatetime()))))
    ax.xaxis.set_major_formatter(FixedFormatter(labels))


def shade_warmup(ax: Axes, run: RunResult, label: bool) -> None:
    """Shade the warm-up, before the statistics window."""
    warm = run.info.warmup_h
    if warm <= 0:
        return
    lo, hi = hours_to_num(run, [-warm, 0.0])
    ax.axvspan(
        float(lo),
        float(hi),
        color=WARMUP_COLOUR,
        alpha=0.6,
        linewidth=0,
        label=say("warm-up (not in statistics)") if label else None,
        zorder=0,
    )


def cumulative(t: np.ndarray, v: np.ndarray, x: np.ndarray) -> np.ndarray:
    """∫ from t[0] to each x of the right-continuous step function (v[0] before t[0])."""
    if len(t) == 0:
        return np.zeros(len(x))
    widths = np.diff(t)
    acc = np.concatenate(([0.0], np.cumsum(v[:-1] * widths)))
    k = np.clip(np.searchsorted(t, x, side="right") - 1, 0, None)
    out: np.ndarray = acc[k] + v[k] * (x - t[k])
    return out


def binned(t: np.ndarray, v: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Integral of the step function over each bin."""
    return np.diff(cumulative(t, v, edges))


def created_in_window(c: pd.DataFrame, horizon: float) -> pd.Series:
    """Containers created in the statistics window, as the KPIs count them."""
    return (c["t_created"] >= 0) & (c["t_created"] < horizon)


def as_str(col: pd.Series) -> pd.Series:
    """A categorical text column as plain strings."""
    return col.astype(str)
