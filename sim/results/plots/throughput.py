"""Throughput: TEU and trains per month or week, by corridor, export and import."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from sim.results.i18n import date_text, say
from sim.results.kpis import DIRECTIONS, counted_trains
from sim.results.plots.labels import (
    corridor_colour,
    corridor_label,
    direction_title,
    hub_name,
)
from sim.results.plots.labels import corridors as corridor_order
from sim.results.plots.style import NOTEBOOK_WIDTH, footer, new_figure, styled
from sim.results.plots.timeaxis import as_str, run_start
from sim.results.run import RunResult


@styled
def throughput(run: RunResult, *, period: str = "month") -> Figure:
    """TEU and trains per month (or week) by corridor, export and import.

    Counts trains as the ``trains.*`` and ``teu.*`` KPIs do — an export train once it has left
    the hub, an import train once it has been unloaded there, after warm-up and before the
    horizon — dated by that moment, averaged over replications.
    ``period`` is ``"month"`` or ``"week"`` (Monday to Sunday). Periods cut by the start or
    end of the run are drawn paler and marked with an asterisk.
    """
    if period not in ("month", "week"):
        raise ValueError(f"period must be 'month' or 'week', got {period!r}")
    t = run.trains
    horizon = run.info.horizon_h
    ran = counted_trains(t, horizon)
    ran = ran.assign(
        departed_at=ran["departed_at"].where(
            as_str(ran["direction"]) == "export", ran["unloaded_at"]
        )
    )
    reps = sorted(run.kpis["replication"].unique()) if len(run.kpis) else [0]
    freq = "M" if period == "month" else "W-SUN"
    start = run_start(run)
    end = start + pd.Timedelta(hours=horizon)
    periods = pd.period_range(start, end - pd.Timedelta(seconds=1), freq=freq)
    corridors = corridor_order(run, as_str(ran["corridor"]).unique())

    fig = new_figure(NOTEBOOK_WIDTH, 7.2)
    axes = fig.subplots(2, 2, sharex=True)
    fig.suptitle(
        say("Throughput at {hub} per {period}, by corridor", hub=hub_name(run), period=say(period))
    )
    x = np.arange(len(periods))
    partial = np.array([p.start_time < start or p.end_time >= end for p in periods])
    labels = [
        date_text(
            p.start_time,
            ("month_year" if i == 0 or p.month == 1 else "month") if period == "month" else "day",
        )
        + ("*" if cut else "")
        for i, (p, cut) in enumerate(zip(periods, partial, strict=True))
    ]
    key = pd.PeriodIndex(ran["departed_at"], freq=freq) if len(ran) else None
    for col, d in enumerate(DIRECTIONS):
        for row, (what, ylabel) in enumerate(
            (
                ("teu", say("TEU per {period}", period=say(period))),
                ("trains", say("trains per {period}", period=say(period))),
            )
        ):
            ax = axes[row, col]
            bottom = np.zeros(len(periods))
            mine = ran.loc[as_str(ran["direction"]) == d] if len(ran) else ran
            for c in corridors:
                sel = mine.loc[as_str(mine["corridor"]) == c]
                if sel.empty or key is None:
                    continue
                k = key[(as_str(ran["direction"]) == d) & (as_str(ran["corridor"]) == c)]
                values = sel["teu"].to_numpy(dtype=float) if what == "teu" else np.ones(len(sel))
                grid = (
                    pd.DataFrame({"rep": sel["replication"].to_numpy(), "p": k, "v": values})
                    .groupby(["rep", "p"])["v"]
                    .sum()
                    .unstack("p")
                    .reindex(index=reps, columns=periods)
                    .fillna(0.0)
                )
                heights = grid.mean(axis=0).to_numpy()
                colour = corridor_colour(run, c)
                bars = ax.bar(
                    x,
                    heights,
                    bottom=bottom,
                    color=colour,
                    label=corridor_label(run, c),
                    width=0.8,
                )
                for bar, cut in zip(bars, partial, strict=True):
                    if cut:
                        bar.set_alpha(0.45)
                bottom += heights
            ax.set_ylabel(ylabel)
            if row == 0:
                ax.set_title(direction_title(run, d), fontsize=11, loc="left")
            if not bottom.any():
                ax.text(
                    0.5, 0.5, say("no trains"), ha="center", transform=ax.transAxes, color="#777"
                )
    for ax in axes[1]:
        ax.set_xticks(x)
        step = max(1, math.ceil(len(x) / 18))
        ax.set_xticklabels(
            [lab if i % step == 0 else "" for i, lab in enumerate(labels)],
            rotation=0 if period == "month" else 60,
            fontsize=8.5 if period == "week" else 9,
        )
        ax.set_xlabel(
            say("month of train departure")
            if period == "month"
            else say("week of train departure (Mon–Sun)")
        )
    handles = [
        Patch(color=corridor_colour(run, c), label=corridor_label(run, c, short=True))
        for c in corridors
        if c in set(as_str(ran["corridor"]))
    ]
    for row in axes:
        top = max(ax.get_ylim()[1] for ax in row)
        for ax in row:
            ax.set_ylim(0, top * 1.18)
    if handles:
        axes[0, 0].legend(
            handles=handles,
            loc="upper left",
            ncol=len(handles),
            frameon=False,
            fontsize=8.5,
            handlelength=1.2,
            columnspacing=1.0,
        )
    footer(
        fig,
        run,
        say(
            "Mean over replications of trains that ran, exports dated by departure from the hub, "
            "imports by the end of their unloading there; imports depart the partner terminal "
            "about a day before reaching {hub}.",
            hub=hub_name(run),
        )
        + (
            say(" * Period cut by the start or end of the run (drawn paler).")
            if partial.any()
            else ""
        ),
    )
    return fig
