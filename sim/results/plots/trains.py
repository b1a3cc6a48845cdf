"""Trains at the hub: how full they ran, and a week of trains on the sidings and the line."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FixedLocator, PercentFormatter

from sim.results.i18n import label, say
from sim.results.kpis import DIRECTIONS, counted_trains
from sim.results.plots.labels import corridor_colour, corridor_label, hub_name
from sim.results.plots.labels import corridors as corridor_order
from sim.results.plots.style import (
    MUTED_COLOUR,
    NOTEBOOK_WIDTH,
    footer,
    new_figure,
    no_data,
    styled,
)
from sim.results.plots.timeaxis import as_str, date_axis, hours_to_num, run_start
from sim.results.run import RunResult


@styled
def load_factors(run: RunResult) -> Figure:
    """How full the trains ran: TEU loaded over train capacity, per corridor and direction.

    Every train counted as run after warm-up (as the ``trains.*`` KPIs count) is one dot;
    boxes show quartiles, a white diamond the mean (the ``train_load_factor.*`` KPIs pool
    both directions).
    """
    ran = counted_trains(run.trains, run.info.horizon_h)
    corridors = [
        c
        for c in corridor_order(run, as_str(ran["corridor"]).unique())
        if (as_str(ran["corridor"]) == c).any()
    ]
    fig = new_figure(NOTEBOOK_WIDTH, 5.4)
    ax = fig.subplots()
    fig.suptitle(say("How full the trains ran"))
    if ran.empty:
        no_data(ax, say("trains"))
        return fig
    lf = (ran["teu"] / ran["capacity_teu"]).to_numpy(dtype=float)
    corridor = as_str(ran["corridor"]).to_numpy()
    direction = as_str(ran["direction"]).to_numpy()
    jitter = np.random.default_rng(0)  # display only: spreads dots sideways
    positions, labels = [], []
    pos = 0.0
    trans = ax.get_xaxis_transform()
    for c in corridors:
        colour = corridor_colour(run, c)
        for k, d in enumerate(DIRECTIONS):
            values = lf[(corridor == c) & (direction == d)]
            p = pos + k * 1.0
            positions.append(p)
            labels.append(
                say(
                    "{direction}\n{n} trains",
                    direction=label(f"direction.{d}"),
                    n=f"{len(values):,}",
                )
            )
            if len(values) == 0:
                continue
            ax.boxplot(
                [values],
                positions=[p],
                widths=0.6,
                showfliers=False,
                patch_artist=True,
                boxprops={"facecolor": colour, "alpha": 0.25 if d == "import" else 0.4},
                medianprops={"color": colour, "linewidth": 2},
                whiskerprops={"color": colour},
                capprops={"color": colour},
            )
            ax.scatter(
                p + jitter.uniform(-0.22, 0.22, len(values)),
                values,
                s=9,
                color=colour,
                alpha=0.5,
                linewidths=0,
                zorder=3,
            )
            ax.scatter(
                [p], [values.mean()], marker="D", s=42, color="white", edgecolors="k", zorder=4
            )
            ax.annotate(
                say("mean\n{value}", value=f"{values.mean():.0%}"),
                (p + 0.3, values.mean()),
                xytext=(4, 0),
                textcoords="offset points",
                va="center",
                fontsize=8,
                fontweight="bold",
            )
        ax.text(
            pos + 0.5,
            -0.16,
            corridor_label(run, c),
            transform=trans,
            ha="center",
            va="top",
            fontsize=10,
            fontweight="bold",
            color=colour,
        )
        pos += 2.6
    ax.axhline(1.0, color="#999999", linestyle="--", linewidth=1)
    ax.text(
        positions[-1] + 0.8,
        1.0,
        say("full"),
        va="bottom",
        ha="right",
        fontsize=8,
        color=MUTED_COLOUR,
    )
    ax.set_xticks(positions)
    ax.set_xticklabels(labels, fontsize=8.5)
    ax.set_xlim(positions[0] - 0.7, positions[-1] + 0.9)
    ax.set_ylim(0, 1.1)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_ylabel(say("load factor (TEU loaded / train capacity, %)"))
    footer(fig, run, say("One dot per train that ran after warm-up, all replications; ◇ mean."))
    return fig


# ------------------------------------------------------------------------------ sidings Gantt


def _siding_intervals(run: RunResult, replication: int) -> pd.DataFrame:
    """When each train held a siding at the hub (hours), for one replication.

    Export trains hold a siding from the moment they are placed for loading until they leave
    (a train that got no containers releases it at its scheduled time). Import trains hold
    one from the moment they move there from the arrival/departure track (with yard space for
    their load) until their last container is lifted into the yard.
    """
    t = run.trains
    t = t.loc[t["replication"] == replication]
    hub = run.info.hub.name
    rows = []
    exp = t.loc[as_str(t["origin"]) == hub]
    for r in exp.itertuples(index=False):
        end = r.t_departed if r.ran else r.t_scheduled
        rows.append((r.train_id, str(r.corridor), "export", r.t_open, end, r.teu, bool(r.ran)))
    imp = t.loc[(as_str(t["destination"]) == hub) & t["t_unloaded"].notna()]
    for r in imp.itertuples(index=False):
        rows.append((r.train_id, str(r.corridor), "import", r.t_siding, r.t_unloaded, r.teu, True))
    df = pd.DataFrame(rows, columns=["train_id", "corridor", "direction", "t0", "t1", "teu", "ran"])
    return df.sort_values(["t0", "t1"], kind="stable").reset_index(drop=True)


def _assign_lanes(df: pd.DataFrame) -> np.ndarray:
    """Interval partitioning: each bar on the lowest-numbered siding free at its start."""
    free_at: list[float] = []
    lanes = np.empty(len(df), dtype=int)
    for i, (t0, t1) in enumerate(zip(df["t0"], df["t1"], strict=True)):
        for lane, busy_until in enumerate(free_at):
            if busy_until <= t0 + 1e-9:
                free_at[lane] = t1
                lanes[i] = lane
                break
        else:
            free_at.append(t1)
            lanes[i] = len(free_at) - 1
    return lanes


def _busiest_week(df: pd.DataFrame, horizon: float, start: pd.Timestamp) -> float:
    """Start hour of the Monday-to-Sunday week in the window with most siding-hours."""
    first_monday = (7 - start.weekday()) % 7 * 24.0
    weeks = np.arange(first_monday, max(horizon - 7 * 24, first_monday) + 1, 7 * 24)
    if df.empty:
        return float(weeks[0])
    t0, t1 = df["t0"].to_numpy(), df["t1"].to_numpy()
    load = [np.clip(np.minimum(t1, w + 168) - np.maximum(t0, w), 0, None).sum() for w in weeks]
    return float(weeks[int(np.argmax(load))])


@styled
def sidings_timeline(
    run: RunResult,
    *,
    week_start: str | dt.date | pd.Timestamp | None = None,
    replication: int = 0,
) -> Figure:
    """A Gantt chart of one week: trains on the hub's sidings, and trains on the line.

    Top: each bar is a train holding a siding (export: placed for loading until departure;
    import: arrival until unloaded). The model pools its sidings, so they are numbered here
    by a first-free assignment, not a track plan; sidings free all week are folded into one
    row. Bottom: trains running to or from the hub that week, per corridor and direction.
    ``week_start`` is a date (the week runs 7 days from its 00:00); by default the busiest
    Monday-to-Sunday week after warm-up. One replication (default 0).
    """
    start = run_start(run)
    horizon = run.info.horizon_h
    source = run.kpis if len(run.kpis) else run.trains
    reps = sorted(int(r) for r in source["replication"].unique())
    if replication not in reps:
        raise ValueError(f"replication {replication} not in this run (it has {reps})")
    if run.trains.empty:
        fig = new_figure(14, 4)
        fig.suptitle(f"Sidings and trains at {hub_name(run)}")
        no_data(fig.subplots(), "trains")
        footer(fig, run)
        return fig
    bars = _siding_intervals(run, replication)
    if week_start is None:
        w0 = _busiest_week(bars, horizon, start)
    else:
        w0 = (pd.Timestamp(week_start) - start) / pd.Timedelta(hours=1)
    w1 = w0 + 7 * 24
    bars = bars.assign(lane=_assign_lanes(bars))
    week = bars.loc[(bars["t1"] > w0) & (bars["t0"] < w1)]
    built = run.info.resource("sidings")
    sidings = int(built.units) if built is not None else 0
    used = int(week["lane"].max()) + 1 if len(week) else 0
    free = max(sidings - used, 0)
    n_rows = used + (1 if free else 0)
    trains = run.trains
    trains = trains.loc[(trains["replication"] == replication) & trains["ran"].astype(bool)]
    corridors = corridor_order(run, as_str(trains["corridor"]).unique())
    line_rows = [
        (c, d)
        for c in corridors
        for d in DIRECTIONS
        if ((as_str(trains["corridor"]) == c) & (as_str(trains["direction"]) == d)).any()
    ]

    fig = new_figure(14, 0.5 * (n_rows + len(line_rows)) + 3.2)
    ax, line = fig.subplots(
        2, 1, sharex=True, gridspec_kw={"height_ratios": [max(n_rows, 2), max(len(line_rows), 2)]}
    )
    label_w0 = (start + pd.Timedelta(hours=w0)).strftime("%a %d %b %Y")
    fig.suptitle(f"Sidings and trains at {hub_name(run)}, the week from {label_w0}")
    ax.grid(axis="x", color="#eeeeee")
    for r in week.to_dict("records"):
        colour = corridor_colour(run, r["corridor"])
        x0, x1 = hours_to_num(run, [r["t0"], r["t1"]])
        ax.broken_barh(
            [(x0, x1 - x0)],
            (r["lane"] + 0.12, 0.76),
            facecolors=colour if r["ran"] else "white",
            edgecolors=colour,
            hatch="///" if r["direction"] == "import" else None,
            alpha=0.85,
            linewidth=1,
        )
        shown = min(r["t1"], w1) - max(r["t0"], w0)
        if shown >= 6:
            mid = hours_to_num(run, (max(r["t0"], w0) + min(r["t1"], w1)) / 2)
            ax.text(
                mid,
                r["lane"] + 0.5,
                f"{'↓' if r['direction'] == 'import' else '↑'} {r['teu']} TEU",
                ha="center",
                va="center",
                fontsize=7.5,
                color="white" if r["direction"] == "export" and r["ran"] else "black",
                fontweight="bold",
                clip_on=True,
                bbox={"facecolor": "white", "alpha": 0.7, "linewidth": 0, "pad": 1}
                if r["direction"] == "import"
                else None,
            )
    ticks = [f"siding {i + 1}" for i in range(used)]
    if free:
        ticks.append(f"sidings {used + 1}–{sidings}" if free > 1 else f"siding {sidings}")
        ax.axhspan(used, used + 1, color="#f4f4f4", zorder=0)
        ax.text(
            0.5,
            used + 0.5,
            f"{free} siding{'s' if free > 1 else ''} free all week",
            transform=ax.get_yaxis_transform(),
            ha="center",
            va="center",
            color=MUTED_COLOUR,
            fontsize=9,
        )
    ax.set_yticks(np.arange(n_rows) + 0.5)
    ax.set_yticklabels(ticks, fontsize=8.5)
    ax.set_ylim(max(n_rows, 1), 0)
    ax.set_title(
        f"Trains on the {sidings or used} sidings: solid = export train from placement for "
        "loading to departure (↑ TEU loaded); hatched = import train from arrival until "
        "unloaded (↓ TEU)",
        fontsize=9.5,
        loc="left",
    )
    if week.empty:
        ax.text(0.5, 0.5, "no trains on sidings this week", transform=ax.transAxes, ha="center")
    line.grid(axis="x", color="#eeeeee")
    for y, (c, d) in enumerate(line_rows):
        mine = trains.loc[(as_str(trains["corridor"]) == c) & (as_str(trains["direction"]) == d)]
        mine = mine.loc[(mine["t_arrived"] > w0) & (mine["t_departed"] < w1)]
        colour = corridor_colour(run, c)
        for r in mine.to_dict("records"):
            x0, x1 = hours_to_num(run, [r["t_departed"], r["t_arrived"]])
            line.broken_barh(
                [(x0, x1 - x0)],
                (y + 0.2, 0.6),
                facecolors=colour,
                alpha=0.35 if d == "import" else 0.75,
                edgecolors=colour,
                hatch="///" if d == "import" else None,
            )
            line.plot([x0], [y + 0.5], marker="o", color=colour, markersize=4)
            line.plot([x1], [y + 0.5], marker="|", color=colour, markersize=10)
    line.set_yticks(np.arange(len(line_rows)) + 0.5)
    ends = {
        (str(r["corridor"]), str(r["direction"])): (str(r["origin"]), str(r["destination"]))
        for r in trains.drop_duplicates(["corridor", "direction"]).to_dict("records")
    }
    line.set_yticklabels(
        [
            corridor_label(run, c, short=True)
            + "\n"
            + " → ".join(p.replace("_", " ").title() for p in ends[(c, d)])
            for c, d in line_rows
        ],
        fontsize=8,
    )
    line.set_ylim(max(len(line_rows), 1), 0)
    line.set_title("Trains on the line: departure (•) to arrival (|)", fontsize=9.5, loc="left")
    lo, hi = hours_to_num(run, [w0, w1])
    line.set_xlim(lo, hi)
    date_axis(line, lo, hi)
    line.xaxis.set_minor_locator(FixedLocator(list(np.arange(lo, hi + 1e-9, 0.25))))
    line.set_xlabel("date (minor ticks every 6 h)")
    handles = [
        Patch(color=corridor_colour(run, c), label=corridor_label(run, c)) for c in corridors
    ] + [
        Patch(facecolor="white", edgecolor="#444", label="export (solid)"),
        Patch(facecolor="white", edgecolor="#444", hatch="///", label="import (hatched)"),
    ]
    line.legend(
        handles=handles,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.32),
        ncol=len(handles),
        frameon=False,
        fontsize=8.5,
    )
    footer(
        fig,
        run,
        f"Replication {replication}. A white bar is an export train that got no containers and "
        "so did not run.",
    )
    return fig
