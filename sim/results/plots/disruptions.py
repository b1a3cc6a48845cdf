"""Disruptions: backlog and throughput over time, disrupted against undisrupted, and the
time each disruption took to recover from.

Both read a comparison whose B has disruptions (``sim.compare(baseline, disrupted)``): A is
the undisrupted run, B the disrupted one, replication r of each paired by common random
numbers. The windows of B's disruptions are shaded (each replication's; a random
disruption's differ between replications, so they are drawn lighter).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.results.i18n import say
from sim.results.kpis.recovery import ALL, at_hub, backlog, recovery_rows
from sim.results.plots.style import NOTEBOOK_WIDTH, new_figure, note, palette, styled
from sim.results.stats import t_interval

DISRUPTION_COLOUR = "#d62728"


def _per_replication(c: pd.DataFrame, grid: np.ndarray, horizon: float) -> dict[str, np.ndarray]:
    """Backlog, TEU in the hub's yard and TEU delivered per day, each replication a row."""
    out: dict[str, list[np.ndarray]] = {"backlog": [], "hub": [], "delivered": []}
    days = np.arange(0.0, horizon + 24.0, 24.0)
    for _, g in c.groupby("replication", sort=True):
        out["backlog"].append(backlog(g, grid, horizon))
        out["hub"].append(at_hub(g, grid))
        t = g["t_delivered"].to_numpy(dtype=float, na_value=np.nan)
        teu = g["teu"].to_numpy(dtype=float)
        ok = ~np.isnan(t)
        out["delivered"].append(np.histogram(t[ok], bins=days, weights=teu[ok])[0])
    return {k: np.vstack(v) if v else np.empty((0, 0)) for k, v in out.items()}


def _band(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean over replications and its 95 % interval, at each column."""
    mean = rows.mean(axis=0)
    half = np.array([t_interval(rows[:, j]).half_width for j in range(rows.shape[1])])
    half = np.nan_to_num(half)
    return mean, mean - half, mean + half


@styled
def disruption_timeline(result: Any, corridor: str = ALL) -> Figure:
    """Backlog (TEU in the system), TEU in the hub's yard and TEU delivered per day, over
    time: the undisrupted run (A) and the disrupted one (B), means over paired replications
    with 95 % bands, and B − A with the 95 % band of the paired difference; B's disruption
    windows shaded. ``corridor``: one corridor, or ``all``."""
    a, b = result.a, result.b
    horizon = float(b.info.horizon_h)
    grid = np.arange(0.0, horizon + 1e-9, 6.0)
    ca, cb = a.containers, b.containers
    if corridor != ALL:
        ca = ca[ca["corridor"].astype(str) == corridor]
        cb = cb[cb["corridor"].astype(str) == corridor]
    ra, rb = _per_replication(ca, grid, horizon), _per_replication(cb, grid, horizon)
    days = np.arange(0.0, horizon, 24.0) + 12.0
    fig = new_figure(NOTEBOOK_WIDTH, 8.2)
    axes = fig.subplots(3, 1, sharex=True)
    where = say("all corridors") if corridor == ALL else corridor.replace("_", " ")
    fig.suptitle(
        say("{b} against {a}: backlog and throughput, {where}", b=b.name, a=a.name, where=where)
    )
    colours = palette()
    panels = (
        ("backlog", grid, say("TEU in the system")),
        ("hub", grid, say("TEU in the hub's yard")),
        ("delivered", days, say("TEU delivered per day")),
    )
    for ax, (key, x, ylabel) in zip(axes, panels, strict=True):
        for rows, name, colour in ((ra[key], a.name, colours[0]), (rb[key], b.name, colours[1])):
            if rows.size == 0:
                continue
            mean, lo, hi = _band(rows)
            ax.plot(x / 24.0, mean, color=colour, label=say("{name} (mean)", name=name), lw=1.2)
            ax.fill_between(x / 24.0, lo, hi, color=colour, alpha=0.2, lw=0)
        if ra[key].size and rb[key].size and ra[key].shape == rb[key].shape:
            diff, lo, hi = _band(rb[key] - ra[key])
            twin = ax.twinx()
            twin.plot(x / 24.0, diff, color=DISRUPTION_COLOUR, lw=0.8, ls="--", label="B − A")
            twin.fill_between(x / 24.0, lo, hi, color=DISRUPTION_COLOUR, alpha=0.1, lw=0)
            twin.set_ylabel(say("B − A (paired)"), color=DISRUPTION_COLOUR)
        ax.set_ylabel(ylabel)
        _shade(ax, result)
    axes[0].legend(loc="upper left", fontsize=8)
    axes[-1].set_xlabel(say("days from {start}", start=b.info.start))
    note(
        fig,
        say(
            "Lines: means over paired replications (common random numbers), bands their 95 % "
            "intervals; dashed: B − A, the paired difference, with its 95 % band (right axis). "
            "Shaded: B's disruption windows."
        ),
    )
    return fig


def _shade(ax: Any, result: Any) -> None:
    windows = getattr(result, "windows", None)
    if windows is None or not len(windows):
        return
    reps = max(int(windows["replication"].nunique()), 1)
    for _, w in windows.iterrows():
        ax.axvspan(
            float(w["start_h"]) / 24.0,
            float(w["end_h"]) / 24.0,
            color=DISRUPTION_COLOUR,
            alpha=0.15 / reps,
            lw=0,
        )


@styled
def recovery_bars(summaries: Mapping[str, pd.DataFrame], corridor: str = ALL) -> Figure:
    """Time to recover after each disruption ends, one bar per scenario and disruption, with
    its 95 % interval over paired replications; ``summaries``: scenario → the recovery summary
    of its comparison with the undisrupted run (``CompareResult.recovery_summary``)."""
    labels, means, halves, open_ = [], [], [], []
    for scenario, summary in summaries.items():
        rows = recovery_rows(summary)
        for _, r in rows[rows["corridor"] == corridor].iterrows():
            labels.append(f"{scenario}\n{str(r['disruption']).replace('_', ' ')}")
            means.append(float(r["recovery_h"]))
            halves.append(float(np.nan_to_num(r["recovery_h_hw"])))
            open_.append(float(r["recovered"]) < 1)
    fig = new_figure(max(6.0, 1.6 * len(labels) + 2), 5)
    ax = fig.subplots()
    colours = [DISRUPTION_COLOUR if o else palette()[0] for o in open_]
    y = np.arange(len(labels))
    ax.barh(y, means, xerr=halves, color=colours, capsize=3)
    ax.set_yticks(y, labels)
    ax.invert_yaxis()
    ax.set_xlabel(
        say("hours from the disruption's end until the backlog is back within the band")
    )
    fig.suptitle(say("Time to recover, by disruption"))
    note(
        fig,
        say(
            "Means over paired replications with 95 % intervals. Red: some replications had "
            "not recovered by the end of the run (the time then runs to the end: a lower bound)."
        ),
    )
    return fig
