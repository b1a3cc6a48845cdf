"""Plots of run, comparison and sweep results, for planners and analysts alike.

Each function takes a result — a :class:`~sim.results.run.RunResult`, or the comparison /
sweep result of ``sim.compare`` / ``sim.sweep`` (or just its table) — and returns a
matplotlib :class:`~matplotlib.figure.Figure`. Nothing is shown and no global pyplot state is
touched, so the same functions serve the report, the command line and notebooks (a notebook
displays a returned figure; ``fig.savefig("x.png")`` writes it).

Conventions shared by every plot:

* Statistics use the window after warm-up, ``[0, horizon)`` hours from the scenario's start
  date, selected exactly as the KPIs are (:mod:`sim.results.kpi`), so a number read off a
  plot matches the KPI table. Plots over time show the warm-up too, shaded grey.
* Over several replications, a plot shows the mean over replications; bands show the range
  or the 95 % confidence interval, as each legend says.
* Hours are hours; a date axis shows calendar dates. Units are in every axis label.

Run plots: :func:`clearance_times`, :func:`throughput`, :func:`resource_levels`,
:func:`load_factors`, :func:`sidings_timeline`, :func:`dwell_breakdown` (all in
:data:`RUN_PLOTS`, in report order). Experiment plots: :func:`compare_forest`,
:func:`sweep_response`.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import textwrap
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FixedFormatter, FixedLocator, FuncFormatter, PercentFormatter

from sim.results.kpi import DIRECTIONS, HEADLINE, counted_trains, unit
from sim.results.published import PUBLISHED_2023
from sim.results.run import RunResult
from sim.results.stats import t_interval

__all__ = [
    "RUN_PLOTS",
    "clearance_times",
    "compare_forest",
    "corridor_label",
    "dwell_breakdown",
    "kpi_label",
    "lever_label",
    "load_factors",
    "resource_levels",
    "run_figures",
    "sidings_timeline",
    "sweep_response",
    "throughput",
]

# ------------------------------------------------------------------------------ look and feel

CORRIDOR_COLOURS = {
    "qinzhou_rail_sea": "#1f5fa6",
    "china_laos": "#c8412b",
    "china_vietnam": "#2e8b57",
    "road": "#7f7f7f",
}
_SPARE_COLOURS = ("#8e5ea2", "#d98c1f", "#17a2b8", "#b5651d", "#5f6b7a")
DEFAULT_CORRIDOR_LABELS = {
    "qinzhou_rail_sea": "Rail–sea via Qinzhou port",
    "china_laos": "China–Laos international train",
    "china_vietnam": "China–Vietnam international train",
    "road": "Road (truck)",
}
"""Labels used when no scenario is at hand (e.g. a bare comparison table)."""
DIRECTION_LABELS = {"export": "Export (Huaihua → ASEAN)", "import": "Import (ASEAN → Huaihua)"}
WARMUP_COLOUR = "#d9d9d9"
PUBLISHED_COLOUR = "#d62728"
MEAN_COLOUR = "#222222"
P90_COLOUR = "#555555"
_CJK = re.compile(r"\s*[(（][^)）]*[\u3000-\u9fff][^)）]*[)）]|[\u3000-\u9fff]+")


def _base(width: float, height: float) -> Figure:
    """A figure with the house style (constrained layout, readable type)."""
    fig = Figure(figsize=(width, height), layout="constrained", dpi=100)
    return fig


def _style(ax: Axes) -> None:
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="y", color="#e6e6e6", linewidth=0.8)
    ax.set_axisbelow(True)


def _no_data(ax: Axes, what: str) -> None:
    ax.text(
        0.5,
        0.5,
        f"no {what} in the statistics window",
        ha="center",
        va="center",
        transform=ax.transAxes,
        color="#777777",
    )
    ax.set_xticks([])
    ax.set_yticks([])


def _footer(fig: Figure, run: RunResult, note: str = "") -> None:
    """A small line under the figure: scenario, period, replications and how to read it."""
    s = run.scenario
    reps = _replications(run)
    text = (
        f"Scenario '{run.name}', {s.get('start')} – {s.get('end')}, "
        f"{reps} replication{'s' if reps != 1 else ''}"
        f"{', seed ' + str(run.manifest['seed']) if 'seed' in run.manifest else ''}."
    )
    if note:
        text += " " + note
    _note(fig, text)


def _note(fig: Figure, text: str) -> None:
    """A small grey note under the figure, wrapped to its width."""
    width = int(fig.get_figwidth() * 15.5)
    fig.supxlabel(textwrap.fill(text, width), fontsize=8, color="#555555", ha="left", x=0.01)


def corridor_label(run: RunResult | None, corridor: str, *, short: bool = False) -> str:
    """A corridor's label from the scenario, without Chinese characters (fonts lack them).

    ``short`` drops words such as "international train" for legends."""
    label = ""
    if run is not None:
        spec = run.scenario.get("corridors", {}).get(corridor)
        if isinstance(spec, Mapping):
            label = str(spec.get("label") or "")
    if not label:
        label = DEFAULT_CORRIDOR_LABELS.get(corridor) or corridor.replace("_", " ").title()
    label = _CJK.sub("", label).strip()
    if short:
        label = re.sub(r"\s+(international\s+)?(train|service)s?$", "", label)
    return label or corridor


def _corridor_colour(corridor: str, order: Sequence[str]) -> str:
    if corridor in CORRIDOR_COLOURS:
        return CORRIDOR_COLOURS[corridor]
    spare = [c for c in order if c not in CORRIDOR_COLOURS]
    return _SPARE_COLOURS[spare.index(corridor) % len(_SPARE_COLOURS)] if corridor in spare else "k"


def _corridors(run: RunResult, present: Sequence[str] = ()) -> list[str]:
    """Corridors in scenario order, then any others present in the data."""
    names = list(run.scenario.get("corridors", {}) or {})
    return names + sorted({str(c) for c in present} - set(names))


# ------------------------------------------------------------------------------ time helpers


def _start(run: RunResult) -> pd.Timestamp:
    return pd.Timestamp(str(run.scenario.get("start", "2000-01-01")))


def _horizon_h(run: RunResult) -> float:
    s = run.scenario
    if "start" in s and "end" in s:
        days = (pd.Timestamp(str(s["end"])) - pd.Timestamp(str(s["start"]))).days + 1
        return days * 24.0
    return float(np.nanmax(run.containers["t_created"].to_numpy()))


def _warmup_h(run: RunResult) -> float:
    return float(run.scenario.get("warmup_days", 0) or 0) * 24.0


def _replications(run: RunResult) -> int:
    return int(run.kpis["replication"].nunique()) if len(run.kpis) else run.replications


def _hours_to_num(run: RunResult, hours: np.ndarray | float) -> np.ndarray:
    """Hours from the start date as matplotlib date numbers (days)."""
    return mdates.date2num(_start(run).to_pydatetime()) + np.asarray(hours, dtype=float) / 24.0


def _date_axis(ax: Axes, lo: float, hi: float) -> None:
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
            d.strftime("%b\n%Y") if i == 0 or d.month == 1 else d.strftime("%b")
            for i, d in enumerate(ticks)
        ]
    elif span > 21:
        ticks = days[days.day_of_week == 0]
        labels = [d.strftime("%d %b") for d in ticks]
    else:
        ticks = days
        labels = [d.strftime("%a\n%d %b") for d in ticks]
    ax.xaxis.set_major_locator(FixedLocator(mdates.date2num(ticks.to_pydatetime())))
    ax.xaxis.set_major_formatter(FixedFormatter(labels))


def _shade_warmup(ax: Axes, run: RunResult, label: bool) -> None:
    warm = _warmup_h(run)
    if warm <= 0:
        return
    lo, hi = _hours_to_num(run, [-warm, 0.0])
    ax.axvspan(
        lo,
        hi,
        color=WARMUP_COLOUR,
        alpha=0.6,
        linewidth=0,
        label="warm-up (not in statistics)" if label else None,
        zorder=0,
    )


# ------------------------------------------------------------------------------ KPI names

_RESOURCE_LABELS = {
    "customs.import.officers": "import customs officers",
    "customs.export.officers": "export customs officers",
    "customs.inspection_bays": "customs inspection bays",
    "customs.quarantine_lab": "quarantine laboratory",
    "consolidation.crews": "LCL consolidation crews",
    "deconsolidation.crews": "LCL deconsolidation crews",
    "yard.export": "yard, export block",
    "yard.import": "yard, import block",
    "tracks": "arrival/departure tracks",
    "sidings": "rail sidings",
    "handling": "handling units (cranes)",
    "gate": "truck gate",
}
_STAT_LABELS = {"mean": "mean", "p50": "median", "p90": "90th percentile", "p95": "95th percentile"}


def _resource_label(where: str) -> str:
    for key, label in _RESOURCE_LABELS.items():
        if where == key or where.endswith("." + key):
            return label
    return where


def kpi_label(name: str, run: RunResult | None = None) -> str:
    """A planner's wording of a dotted KPI name, e.g. ``clearance_h.import.mean`` →
    "Import customs clearance time, mean". Unknown names come back unchanged."""
    parts = name.split(".")
    head, rest = parts[0], parts[1:]

    def corridor(c: str) -> str:
        return corridor_label(run, c)

    if head == "trains" and rest:
        if rest == ["total"]:
            return "Trains run, all corridors"
        return "Trains run, " + corridor(rest[0]) + (f", {rest[1]}" if len(rest) > 1 else "")
    if head == "teu" and rest:
        if rest == ["total"]:
            return "TEU carried by train, all corridors"
        return "TEU, " + corridor(rest[0]) + (f", {rest[1]}" if len(rest) > 1 else "")
    if head == "teu_per_train" and rest:
        where = "all corridors" if rest == ["mean"] else corridor(rest[0])
        return f"TEU per train, {where}"
    if head == "train_load_factor" and rest:
        return f"Train load factor, {corridor(rest[0])}"
    if head == "clearance_h" and len(rest) == 2 and rest[1] != "censored":
        return (
            f"{rest[0].capitalize()} customs clearance time, {_STAT_LABELS.get(rest[1], rest[1])}"
        )
    if head == "dwell_h" and len(rest) == 3 and rest[2] == "censored":
        return f"{rest[1].capitalize()} stays at {rest[0].capitalize()} still running at the end"
    if head == "dwell_h" and len(rest) == 3:
        return (
            f"{rest[1].capitalize()} dwell at {rest[0].capitalize()}, "
            f"{_STAT_LABELS.get(rest[2], rest[2])}"
        )
    if head == "door_to_door_h" and len(rest) == 2:
        return f"{rest[0].capitalize()} door-to-door time, {_STAT_LABELS.get(rest[1], rest[1])}"
    if head == "utilisation" and rest:
        return f"Utilisation of {_resource_label('.'.join(rest))}"
    if head == "queue" and len(rest) >= 2 and rest[-1] == "mean":
        return f"Mean queue at {_resource_label('.'.join(rest[:-1]))}"
    costs = {
        "shipper_cny": "Shipper cost, all counted containers",
        "subsidy_cny": "Operating subsidy paid",
        "rail_discount_cny": "Rail freight-rate discount given",
    }
    if head == "cost" and rest and rest[0] in costs:
        return costs[rest[0]]
    if head == "customs" and len(rest) == 2:
        what = {
            "inspected_share": "physically inspected",
            "quarantined_share": "quarantine sampled",
        }
        return f"Share of {rest[0]} containers {what.get(rest[1], rest[1])}"
    if head == "containers" and rest:
        return f"Containers {rest[0].replace('_', ' ')}"
    if head == "queue" and len(rest) >= 2 and rest[-1] == "end":
        return f"Queue at {_resource_label('.'.join(rest[:-1]))} at the end"
    if head in ("backlog_teu", "turned_away_teu", "undelivered_share") and rest:
        what = {
            "backlog_teu": "TEU still in the system at the end",
            "turned_away_teu": "TEU turned away to the competing route",
            "undelivered_share": "Share of accepted TEU not delivered by the end",
        }[head]
        if rest == ["total"]:
            return f"{what}, all corridors"
        if rest[0] == "state" and len(rest) == 2:
            return f"{what}, {rest[1].replace('_', ' ')}"
        return f"{what}, {corridor(rest[0])}" + (f", {rest[1]}" if len(rest) > 1 else "")
    if head == "turned_away_share" and rest:
        return "Share of TEU turned away to the competing route"
    if head == "rolled_teu" and len(rest) == 2:
        return f"TEU that found their sailing full ({rest[1]})"
    if head in ("growth_per_day", "unstable") and rest:
        if rest == ["count"]:
            return "Queues and backlogs that grow without bound"
        where = ".".join(rest)
        label = (
            f"{corridor(rest[1])}, {rest[2]} backlog"
            if rest[0] == "corridor" and len(rest) == 3
            else _resource_label(where)
        )
        return ("Growth per day of " if head == "growth_per_day" else "Grows without bound: ") + (
            label
        )
    if head == "train_delay_h" and rest:
        return "Export train departure after its scheduled time, mean"
    if head == "train_turnaround_h" and rest:
        return "Import train arrival to unloaded, mean"
    if head == "clearance_h" and len(rest) == 2 and rest[1] == "censored":
        return f"{rest[0].capitalize()} clearances still running at the end"
    return name


def _unit_label(kpi_unit: str) -> str:
    return {"share": "%", "CNY": "CNY", "items": "items"}.get(kpi_unit, kpi_unit)


# ------------------------------------------------------------------------------ selections


def _created_in_window(c: pd.DataFrame, horizon: float) -> pd.Series:
    return (c["t_created"] >= 0) & (c["t_created"] < horizon)


def _str(col: pd.Series) -> pd.Series:
    return col.astype(str)


# ------------------------------------------------------------------------------ clearance


def clearance_times(run: RunResult, *, published: Mapping[str, float] | None = None) -> Figure:
    """Distribution of customs clearance times, import and export.

    Import times (hours) are split by the path a declaration took — document review only,
    physical inspection, quarantine sampling — because that is what makes the mean. Export
    times are in minutes. Vertical lines mark the simulated mean and 90th percentile (the
    KPI values, means over replications) and the published 2023 mean. Containers as for the
    ``clearance_h.*`` KPIs: created after warm-up, released before the horizon.
    """
    published = PUBLISHED_2023 if published is None else published
    c = run.containers
    horizon = _horizon_h(run)
    sel = _created_in_window(c, horizon) & (c["t_customs_end"] < horizon)
    c = c.loc[sel]
    direction = _str(c["direction"])
    summary = run.summary.set_index("kpi")["mean"] if len(run.summary) else pd.Series(dtype=float)

    fig = _base(13, 5.2)
    axes = fig.subplots(1, 2)
    fig.suptitle("How long customs clearance takes at Huaihua", fontsize=14, fontweight="bold")
    for ax, d in zip(axes, ("import", "export"), strict=True):
        _style(ax)
        mine = c.loc[direction == d]
        scale = 1.0 if d == "import" else 60.0
        xunit = "h" if d == "import" else "min"
        x = (mine["t_customs_end"] - mine["t_customs_start"]).to_numpy(dtype=float) * scale
        ax.set_title(
            f"{d.capitalize()} declarations (n = {len(x):,} containers)", fontsize=11, loc="left"
        )
        if len(x) == 0:
            _no_data(ax, f"{d} clearances")
            continue
        top = float(np.quantile(x, 0.995))
        top = max(top, 1e-6)
        step = _nice_step(top / 50)
        edges = np.arange(0.0, top + step, step)
        clipped = np.minimum(x, edges[-1] - step / 2)
        share = 100.0 / len(x)
        if d == "import":
            paths = _clearance_paths(mine)
            colours = ["#9ecae1", "#fdae6b", "#a1d99b", "#31a354"]
            data, labels, weights = [], [], []
            used = []
            for (label, mask), colour in zip(paths.items(), colours, strict=True):
                if mask.any():
                    data.append(clipped[mask])
                    labels.append(f"{label} ({mask.mean():.0%})")
                    weights.append(np.full(mask.sum(), share))
                    used.append(colour)
            ax.hist(
                data,
                bins=edges,
                weights=weights,
                stacked=True,
                label=labels,
                color=used,
                edgecolor="white",
                linewidth=0.3,
            )
        else:
            ax.hist(
                clipped,
                bins=edges,
                weights=np.full(len(x), share),
                color="#9ecae1",
                edgecolor="white",
                linewidth=0.3,
                label="all declarations",
            )
        over = int((x > edges[-1]).sum())
        if over:
            ax.annotate(
                f"{over:,} longer than {edges[-1]:.0f} {xunit}\n(up to {x.max():,.0f} {xunit}),"
                " counted in the last bar",
                xy=(0.98, 0.55),
                xycoords="axes fraction",
                ha="right",
                fontsize=8,
                color="#555555",
            )
        mean = float(summary.get(f"clearance_h.{d}.mean", np.nan)) * scale
        p90 = float(summary.get(f"clearance_h.{d}.p90", np.nan)) * scale
        if not math.isfinite(mean):
            mean = float(x.mean())
        if not math.isfinite(p90):
            p90 = float(np.quantile(x, 0.9))
        ax.axvline(mean, color=MEAN_COLOUR, linewidth=2, label=f"simulated mean {mean:.2f} {xunit}")
        ax.axvline(
            p90,
            color=P90_COLOUR,
            linestyle="--",
            linewidth=1.5,
            label=f"90th percentile {p90:.1f} {xunit}",
        )
        pub = published.get(f"clearance_h.{d}.mean")
        if pub is not None:
            beyond = pub * scale > edges[-1]
            ax.axvline(
                min(pub * scale, edges[-1]) if beyond else pub * scale,
                color=PUBLISHED_COLOUR,
                linestyle=":",
                linewidth=2.2,
                label=f"published 2023 mean {pub * scale:.2f} {xunit}"
                + (" (off the scale, drawn at the edge)" if beyond else ""),
            )
        ax.set_xlabel(f"clearance time, declaration to release ({xunit})")
        ax.set_ylabel("share of containers (%)")
        ax.set_xlim(0, edges[-1])
        ax.legend(fontsize=8.5, frameon=False, loc="upper right")
    _footer(
        fig,
        run,
        "Containers created after warm-up and released before the end; export in minutes "
        "(published 0.09 h = 5.4 min).",
    )
    return fig


def _clearance_paths(c: pd.DataFrame) -> dict[str, np.ndarray]:
    inspected = c["inspected"].to_numpy(dtype=bool)
    sampled = c["quarantined"].to_numpy(dtype=bool)
    return {
        "document review only": ~inspected & ~sampled,
        "physical inspection": inspected & ~sampled,
        "quarantine sample": ~inspected & sampled,
        "inspection + quarantine": inspected & sampled,
    }


def _nice_step(raw: float) -> float:
    """1, 2 or 5 times a power of ten, at least ``raw``."""
    if raw <= 0 or not math.isfinite(raw):
        return 1.0
    power = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 2.5, 5, 10):
        if m * power >= raw:
            return float(m * power)
    return float(10 * power)


# ------------------------------------------------------------------------------ throughput


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
    horizon = _horizon_h(run)
    ran = counted_trains(t, horizon)
    ran = ran.assign(
        departed_at=ran["departed_at"].where(_str(ran["direction"]) == "export", ran["unloaded_at"])
    )
    reps = sorted(run.kpis["replication"].unique()) if len(run.kpis) else [0]
    freq = "M" if period == "month" else "W-SUN"
    start = _start(run)
    end = start + pd.Timedelta(hours=horizon)
    periods = pd.period_range(start, end - pd.Timedelta(seconds=1), freq=freq)
    corridors = _corridors(run, _str(ran["corridor"]).unique())

    fig = _base(13, 8)
    axes = fig.subplots(2, 2, sharex=True)
    fig.suptitle(f"Throughput at Huaihua per {period}, by corridor", fontsize=14, fontweight="bold")
    x = np.arange(len(periods))
    partial = np.array([p.start_time < start or p.end_time >= end for p in periods])
    labels = [
        (
            p.strftime("%b\n%Y" if i == 0 or p.month == 1 else "%b")
            if period == "month"
            else p.start_time.strftime("%d %b")
        )
        + ("*" if cut else "")
        for i, (p, cut) in enumerate(zip(periods, partial, strict=True))
    ]
    key = pd.PeriodIndex(ran["departed_at"], freq=freq) if len(ran) else None
    for col, d in enumerate(DIRECTIONS):
        for row, (what, ylabel) in enumerate(
            (("teu", "TEU per " + period), ("trains", "trains per " + period))
        ):
            ax = axes[row, col]
            _style(ax)
            bottom = np.zeros(len(periods))
            mine = ran.loc[_str(ran["direction"]) == d] if len(ran) else ran
            for c in corridors:
                sel = mine.loc[_str(mine["corridor"]) == c]
                if sel.empty:
                    continue
                k = key[(_str(ran["direction"]) == d) & (_str(ran["corridor"]) == c)]
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
                colour = _corridor_colour(c, corridors)
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
                ax.set_title(DIRECTION_LABELS[d], fontsize=11, loc="left")
            if not bottom.any():
                ax.text(0.5, 0.5, "no trains", ha="center", transform=ax.transAxes, color="#777")
    for ax in axes[1]:
        ax.set_xticks(x)
        step = max(1, math.ceil(len(x) / 18))
        ax.set_xticklabels(
            [lab if i % step == 0 else "" for i, lab in enumerate(labels)],
            rotation=0 if period == "month" else 60,
            fontsize=8.5 if period == "week" else 9,
        )
        ax.set_xlabel(
            "month of train departure" if period == "month" else "week of train departure (Mon–Sun)"
        )
    handles = [
        Patch(color=_corridor_colour(c, corridors), label=corridor_label(run, c, short=True))
        for c in corridors
        if c in set(_str(ran["corridor"]))
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
    _footer(
        fig,
        run,
        "Mean over replications of trains that ran, exports dated by departure from the hub, "
        "imports by the end of their unloading there; imports depart the "
        "partner terminal about a day before reaching Huaihua."
        + (" * Period cut by the start or end of the run (drawn paler)." if partial.any() else ""),
    )
    return fig


# ------------------------------------------------------------------------------ resources

DEFAULT_RESOURCES = (
    "customs.import.officers",
    "customs.export.officers",
    "customs.inspection_bays",
    "customs.quarantine_lab",
    "consolidation.crews",
    "yard.export",
    "yard.import",
    "sidings",
    "handling",
)
_WAITING_UNITS = {
    "customs.import.officers": "declarations",
    "customs.export.officers": "declarations",
    "customs.inspection_bays": "containers",
    "customs.quarantine_lab": "samples",
    "consolidation.crews": "boxes to stuff",
    "deconsolidation.crews": "boxes",
    "yard.export": "trucks",
    "yard.import": "trucks/trains",
    "tracks": "trains",
    "sidings": "trains",
    "handling": "trains",
    "gate": "trucks",
}


def _cumulative(t: np.ndarray, v: np.ndarray, x: np.ndarray) -> np.ndarray:
    """∫ from t[0] to each x of the right-continuous step function (v[0] before t[0])."""
    if len(t) == 0:
        return np.zeros(len(x))
    widths = np.diff(t)
    acc = np.concatenate(([0.0], np.cumsum(v[:-1] * widths)))
    k = np.clip(np.searchsorted(t, x, side="right") - 1, 0, None)
    return acc[k] + v[k] * (x - t[k])


def _binned(t: np.ndarray, v: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Integral of the step function over each bin."""
    return np.diff(_cumulative(t, v, edges))


def resource_levels(
    run: RunResult,
    *,
    resources: Sequence[str] | None = None,
    bin_h: float | None = None,
) -> Figure:
    """Queue length and utilisation over time of the hub's resources, warm-up shaded.

    One row per resource (``resources`` are scopes under the hub, e.g. ``"yard"`` or
    ``"customs.import.officers"``; default: customs, consolidation, yard and sidings). Left:
    the time-weighted mean number waiting in each ``bin_h``-hour bin (default a day, or 2 h
    for runs under three weeks); right: utilisation, units in use over units available in the
    bin (officers off duty are not available, as for the ``utilisation.*`` KPIs). The thin
    line is the mean over replications per bin, the thick line its moving average over a week
    (over a day for 2-hour bins).
    """
    q = run.queues
    hub = str(run.scenario.get("hub", "huaihua"))
    wanted = list(resources) if resources is not None else list(DEFAULT_RESOURCES)
    present = set(_str(q["where"]).unique()) if len(q) else set()
    rows = [r for r in wanted if f"{hub}.{r}" in present or r in present]
    horizon = _horizon_h(run)
    warm = _warmup_h(run)
    span_h = horizon + warm
    if bin_h is None:
        bin_h = 24.0 if span_h > 21 * 24 else 2.0
    edges = np.arange(-warm, horizon + bin_h / 2, bin_h)
    if edges[-1] < horizon:
        edges = np.append(edges, horizon)
    widths = np.diff(edges)
    mids = _hours_to_num(run, (edges[:-1] + edges[1:]) / 2)
    smooth_h = 7 * 24.0 if bin_h >= 12 else 24.0
    window = max(1, round(smooth_h / bin_h))
    smooth_label = "7-day moving average" if smooth_h > 24 else "24-hour moving average"

    fig = _base(13, 1.95 * max(len(rows), 1) + 1.5)
    fig.suptitle(
        "Queues and utilisation of Huaihua's resources over time", fontsize=14, fontweight="bold"
    )
    if not rows:
        _no_data(fig.subplots(), "resource records")
        return fig
    axes = fig.subplots(len(rows), 2, sharex=True, squeeze=False)
    where_col = _str(q["where"])
    per = "day" if bin_h == 24 else f"{bin_h:g} h"
    for i, r in enumerate(rows):
        where = f"{hub}.{r}" if f"{hub}.{r}" in present else r
        g = q.loc[where_col == where]
        waits, used, avail = [], [], []
        for _, rg in g.groupby("replication", sort=True):
            order = np.argsort(rg["t"].to_numpy(dtype=float), kind="stable")
            t = rg["t"].to_numpy(dtype=float)[order]
            busy = rg["busy"].to_numpy(dtype=float)[order]
            cap = np.maximum(rg["capacity"].to_numpy(dtype=float)[order], busy)
            waits.append(_binned(t, rg["queue"].to_numpy(dtype=float)[order], edges))
            used.append(_binned(t, busy, edges))
            avail.append(_binned(t, cap, edges))
        wait_sum = np.sum(waits, axis=0)
        used_sum, avail_sum = np.sum(used, axis=0), np.sum(avail, axis=0)
        n = len(waits)
        kernel = np.ones(window)

        def moving(
            total: np.ndarray, weight: np.ndarray, kernel: np.ndarray = kernel
        ) -> np.ndarray:
            num = np.convolve(total, kernel, mode="same")
            den = np.convolve(weight, kernel, mode="same")
            with np.errstate(invalid="ignore", divide="ignore"):
                return np.where(den > 1e-9, num / den, np.nan)

        with np.errstate(invalid="ignore", divide="ignore"):
            series = (
                (wait_sum / (n * widths), moving(wait_sum, n * widths)),
                (
                    np.where(avail_sum > 1e-9, used_sum / avail_sum, np.nan),
                    moving(used_sum, avail_sum),
                ),
            )
        label = _resource_label(r)
        cap_max = float(g["capacity"].max())
        cap_text = f"{cap_max:,.0f} {'TEU' if r.startswith('yard') else 'units'}"
        for j, ((raw, smooth), colour) in enumerate(
            zip(series, ("#8c510a", "#1f5fa6"), strict=True)
        ):
            ax = axes[i, j]
            _style(ax)
            _shade_warmup(ax, run, label=(i == 0 and j == 0))
            ax.step(
                mids,
                raw,
                where="mid",
                color=colour,
                linewidth=0.7,
                alpha=0.45,
                label=f"mean per {per}" if i == 0 else None,
            )
            if window > 1:
                ax.plot(
                    mids,
                    smooth,
                    color=colour,
                    linewidth=2,
                    label=smooth_label if i == 0 else None,
                )
            if j == 0:
                ax.set_ylabel(f"waiting\n({_WAITING_UNITS.get(r, 'items')})", fontsize=9)
                ax.set_title(f"{_upper_first(label)} ({cap_text}): queue", fontsize=10, loc="left")
                top = float(np.nanmax(raw)) if np.isfinite(raw).any() else 0.0
                ax.set_ylim(0, top * 1.1 if top > 0 else 1)
                if top == 0:
                    ax.text(
                        0.5,
                        0.5,
                        "nothing ever waited",
                        transform=ax.transAxes,
                        ha="center",
                        va="center",
                        color="#777777",
                        fontsize=9,
                    )
            else:
                ax.set_ylabel("in use (%)", fontsize=9)
                ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
                ax.set_ylim(0, 1.05)
                ax.set_title(f"{_upper_first(label)}: utilisation", fontsize=10, loc="left")
    axes[0, 0].legend(fontsize=8, frameon=False, loc="upper right", ncol=3)
    axes[0, 1].legend(fontsize=8, frameon=False, loc="upper right", ncol=2)
    lo, hi = _hours_to_num(run, [-warm, horizon])
    for ax in axes[-1]:
        ax.set_xlim(lo, hi)
        _date_axis(ax, lo, hi)
    _footer(
        fig,
        run,
        f"Time-weighted means per {per} over all replications; the grey band is the warm-up. "
        "Utilisation counts only hours when units are available (officers on duty).",
    )
    return fig


def _upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


# ------------------------------------------------------------------------------ load factors


def load_factors(run: RunResult) -> Figure:
    """How full the trains ran: TEU loaded over train capacity, per corridor and direction.

    Every train counted as run after warm-up (as the ``trains.*`` KPIs count) is one dot;
    boxes show quartiles, a white diamond the mean (the ``train_load_factor.*`` KPIs pool
    both directions).
    """
    ran = counted_trains(run.trains, _horizon_h(run))
    corridors = [
        c
        for c in _corridors(run, _str(ran["corridor"]).unique())
        if (_str(ran["corridor"]) == c).any()
    ]
    fig = _base(12, 6)
    ax = fig.subplots()
    _style(ax)
    fig.suptitle("How full the trains ran", fontsize=14, fontweight="bold")
    if ran.empty:
        _no_data(ax, "trains")
        return fig
    lf = (ran["teu"] / ran["capacity_teu"]).to_numpy(dtype=float)
    corridor = _str(ran["corridor"]).to_numpy()
    direction = _str(ran["direction"]).to_numpy()
    jitter = np.random.default_rng(0)  # display only: spreads dots sideways
    positions, labels = [], []
    pos = 0.0
    trans = ax.get_xaxis_transform()
    for c in corridors:
        colour = _corridor_colour(c, corridors)
        for k, d in enumerate(DIRECTIONS):
            values = lf[(corridor == c) & (direction == d)]
            p = pos + k * 1.0
            positions.append(p)
            labels.append(f"{d}\n{len(values):,} trains")
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
                f"mean\n{values.mean():.0%}",
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
    ax.text(positions[-1] + 0.8, 1.0, "full", va="bottom", ha="right", fontsize=8, color="#777")
    ax.set_xticks(positions)
    ax.set_xticklabels(labels, fontsize=8.5)
    ax.set_xlim(positions[0] - 0.7, positions[-1] + 0.9)
    ax.set_ylim(0, 1.1)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_ylabel("load factor (TEU loaded / train capacity, %)")
    _footer(fig, run, "One dot per train that ran after warm-up, all replications; ◇ mean.")
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
    hub = str(run.scenario.get("hub", "huaihua"))
    rows = []
    exp = t.loc[_str(t["origin"]) == hub]
    for r in exp.itertuples(index=False):
        end = r.t_departed if r.ran else r.t_scheduled
        rows.append((r.train_id, str(r.corridor), "export", r.t_open, end, r.teu, bool(r.ran)))
    imp = t.loc[(_str(t["destination"]) == hub) & t["t_unloaded"].notna()]
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
    row. Bottom: trains running to or from Huaihua that week, per corridor and direction.
    ``week_start`` is a date (the week runs 7 days from its 00:00); by default the busiest
    Monday-to-Sunday week after warm-up. One replication (default 0).
    """
    start = _start(run)
    horizon = _horizon_h(run)
    source = run.kpis if len(run.kpis) else run.trains
    reps = sorted(int(r) for r in source["replication"].unique())
    if replication not in reps:
        raise ValueError(f"replication {replication} not in this run (it has {reps})")
    if run.trains.empty:
        fig = _base(14, 4)
        fig.suptitle("Sidings and trains at Huaihua", fontsize=14, fontweight="bold")
        _no_data(fig.subplots(), "trains")
        _footer(fig, run)
        return fig
    bars = _siding_intervals(run, replication)
    if week_start is None:
        w0 = _busiest_week(bars, horizon, start)
    else:
        w0 = (pd.Timestamp(week_start) - start) / pd.Timedelta(hours=1)
    w1 = w0 + 7 * 24
    bars = bars.assign(lane=_assign_lanes(bars))
    week = bars.loc[(bars["t1"] > w0) & (bars["t0"] < w1)]
    sidings = int(run.scenario.get("terminal", {}).get("sidings", {}).get("count", 0) or 0)
    used = int(week["lane"].max()) + 1 if len(week) else 0
    free = max(sidings - used, 0)
    n_rows = used + (1 if free else 0)
    trains = run.trains
    trains = trains.loc[(trains["replication"] == replication) & trains["ran"].astype(bool)]
    corridors = _corridors(run, _str(trains["corridor"]).unique())
    line_rows = [
        (c, d)
        for c in corridors
        for d in DIRECTIONS
        if ((_str(trains["corridor"]) == c) & (_str(trains["direction"]) == d)).any()
    ]

    fig = _base(14, 0.5 * (n_rows + len(line_rows)) + 3.2)
    ax, line = fig.subplots(
        2, 1, sharex=True, gridspec_kw={"height_ratios": [max(n_rows, 2), max(len(line_rows), 2)]}
    )
    label_w0 = (start + pd.Timedelta(hours=w0)).strftime("%a %d %b %Y")
    fig.suptitle(
        f"Sidings and trains at Huaihua, the week from {label_w0}", fontsize=14, fontweight="bold"
    )
    _style(ax)
    ax.grid(axis="x", color="#eeeeee")
    for r in week.itertuples(index=False):
        colour = _corridor_colour(r.corridor, corridors)
        x0, x1 = _hours_to_num(run, [r.t0, r.t1])
        ax.broken_barh(
            [(x0, x1 - x0)],
            (r.lane + 0.12, 0.76),
            facecolors=colour if r.ran else "white",
            edgecolors=colour,
            hatch="///" if r.direction == "import" else None,
            alpha=0.85,
            linewidth=1,
        )
        shown = min(r.t1, w1) - max(r.t0, w0)
        if shown >= 6:
            mid = _hours_to_num(run, (max(r.t0, w0) + min(r.t1, w1)) / 2)
            ax.text(
                mid,
                r.lane + 0.5,
                f"{'↓' if r.direction == 'import' else '↑'} {r.teu} TEU",
                ha="center",
                va="center",
                fontsize=7.5,
                color="white" if r.direction == "export" and r.ran else "black",
                fontweight="bold",
                clip_on=True,
                bbox={"facecolor": "white", "alpha": 0.7, "linewidth": 0, "pad": 1}
                if r.direction == "import"
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
            color="#777777",
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

    _style(line)
    line.grid(axis="x", color="#eeeeee")
    for y, (c, d) in enumerate(line_rows):
        mine = trains.loc[(_str(trains["corridor"]) == c) & (_str(trains["direction"]) == d)]
        mine = mine.loc[(mine["t_arrived"] > w0) & (mine["t_departed"] < w1)]
        colour = _corridor_colour(c, corridors)
        for r in mine.itertuples(index=False):
            x0, x1 = _hours_to_num(run, [r.t_departed, r.t_arrived])
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
        (str(r.corridor), str(r.direction)): (str(r.origin), str(r.destination))
        for r in trains.drop_duplicates(["corridor", "direction"]).itertuples(index=False)
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
    lo, hi = _hours_to_num(run, [w0, w1])
    line.set_xlim(lo, hi)
    _date_axis(line, lo, hi)
    line.xaxis.set_minor_locator(FixedLocator(np.arange(lo, hi + 1e-9, 0.25)))
    line.set_xlabel("date (minor ticks every 6 h)")
    handles = [
        Patch(color=_corridor_colour(c, corridors), label=corridor_label(run, c)) for c in corridors
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
    _footer(
        fig,
        run,
        f"Replication {replication}. A white bar is an export train that got no containers and "
        "so did not run.",
    )
    return fig


# ------------------------------------------------------------------------------ dwell


EXPORT_SEGMENTS = {
    "LCL consolidation (filling and stuffing a box)": "#8e5ea2",
    "customs clearance": "#d62728",
    "yard wait for a train": "#f0a830",
    "loading, then on the wagon until departure": "#1f5fa6",
}
IMPORT_SEGMENTS = {
    "siding wait and unloading": "#1f5fa6",
    "customs clearance": "#d62728",
    "LCL deconsolidation": "#8e5ea2",
    "waiting for the consignee's truck": "#7f9f7f",
}


def dwell_segments(run: RunResult) -> pd.DataFrame:
    """Each container's hours at the hub split into stages (one column per stage).

    Export, gate-in to train departure: LCL consolidation = yard entry − gate-in (zero for
    FCL, whose gate-in is its yard entry); customs = release − declaration (filed on yard
    entry); yard wait = start of its lift onto the wagon − release; loading = departure −
    start of lift (the lift is TEU ÷ the handling units' rate, then the box rides the wagon
    until the train leaves). Import, train arrival (or gate-in by truck) to gate-out: unloading =
    declaration (filed as the box is lifted off) − arrival; customs = release − declaration;
    deconsolidation (LCL only) = unstuffed − release; waiting for the truck = gate-out − the
    later of release and unstuffing. Containers are those of the ``dwell_h.<hub>.<direction>``
    KPI whose stay ended by the horizon; the KPI also counts stays still under way then
    (Kaplan–Meier), so it is a little longer than the mean of these.
    """
    c = run.containers
    horizon = _horizon_h(run)
    created = _created_in_window(c, horizon)
    direction = _str(c["direction"])
    rate = float(run.scenario.get("terminal", {}).get("handling", {}).get("teu_per_h", 0) or 0)
    out = []
    exp = c.loc[(direction == "export") & created & (c["t_train_departed"] < horizon)]
    if len(exp):
        lift = exp["teu"] / rate if rate > 0 else 0.0
        lift_start = exp["t_loaded"] - lift
        names = list(EXPORT_SEGMENTS)
        seg = pd.DataFrame(
            {
                names[0]: exp["t_yard_in"] - exp["t_gate_in"],
                names[1]: exp["t_customs_end"] - exp["t_customs_start"],
                names[2]: lift_start - exp["t_customs_end"],
                names[3]: exp["t_train_departed"] - lift_start,
            }
        )
        seg = seg.assign(
            replication=exp["replication"],
            corridor=_str(exp["corridor"]),
            direction="export",
            total=exp["t_train_departed"] - exp["t_gate_in"],
        )
        out.append(seg)
    imp = c.loc[(direction == "import") & created & (c["t_delivered"] < horizon)]
    if len(imp):
        entered = imp["t_train_arrived"].fillna(imp["t_gate_in"])
        unstuffed = imp["t_consolidated"].where(imp["lcl"].astype(bool))
        released = np.fmax(imp["t_customs_end"], unstuffed.fillna(-np.inf))
        names = list(IMPORT_SEGMENTS)
        seg = pd.DataFrame(
            {
                names[0]: imp["t_customs_start"] - entered,
                names[1]: imp["t_customs_end"] - imp["t_customs_start"],
                names[2]: (unstuffed - imp["t_customs_end"]).fillna(0.0),
                names[3]: imp["t_delivered"] - released,
            }
        )
        seg = seg.assign(
            replication=imp["replication"],
            corridor=_str(imp["corridor"]),
            direction="import",
            total=imp["t_delivered"] - entered,
        )
        out.append(seg)
    if not out:
        return pd.DataFrame(columns=["replication", "corridor", "direction", "total"])
    return pd.concat(out, ignore_index=True)


def dwell_breakdown(run: RunResult, *, as_share: bool = False) -> Figure:
    """Where a container's time at Huaihua goes, per corridor and direction.

    Each bar is one corridor's mean stay, in hours, split into stages (see
    :func:`dwell_segments`), with the 95 % confidence interval of the total over
    replications given beside the bar. With ``as_share`` the bars show each stage's share of
    the stay instead, so that corridors of very different dwell read alike (hours stay
    written in the bars).
    "All corridors" matches the ``dwell_h.<hub>.<direction>.mean`` KPI.
    """
    seg = dwell_segments(run)
    fig = _base(13, 7.2)
    axes = fig.subplots(2, 1)
    hub = _upper_first(str(run.scenario.get("hub", "huaihua")))
    fig.suptitle(f"Where a container's time at {hub} goes", fontsize=14, fontweight="bold")
    corridors = _corridors(run, seg["corridor"].unique() if len(seg) else ())
    for ax, d, stages in zip(axes, DIRECTIONS, (EXPORT_SEGMENTS, IMPORT_SEGMENTS), strict=True):
        _style(ax)
        ax.grid(axis="y", visible=False)
        ax.grid(axis="x", color="#e6e6e6")
        span = "gate-in to train departure" if d == "export" else "train arrival to gate-out"
        ax.set_title(f"{DIRECTION_LABELS[d]}: {span}", fontsize=11, loc="left")
        mine = seg.loc[seg["direction"] == d] if len(seg) else seg
        if mine.empty:
            _no_data(ax, f"{d} containers")
            continue
        groups = [("All corridors", mine)] + [
            (corridor_label(run, c), mine.loc[mine["corridor"] == c])
            for c in corridors
            if (mine["corridor"] == c).any()
        ]
        hours = np.array([[g[st].clip(lower=0).mean() for st in stages] for _, g in groups])
        totals = hours.sum(axis=1)
        widths = hours / np.where(totals > 0, totals, 1.0)[:, None] if as_share else hours
        scale = 1.0 if as_share else float(max(totals.max(), 1e-9))
        y = np.arange(len(groups))
        left = np.zeros(len(groups))
        for k, (stage, colour) in enumerate(stages.items()):
            ax.barh(y, widths[:, k], left=left, color=colour, height=0.64, label=stage)
            for yi in y:
                if widths[yi, k] >= 0.07 * scale:
                    ax.text(
                        left[yi] + widths[yi, k] / 2,
                        yi,
                        f"{hours[yi, k]:.1f} h",
                        ha="center",
                        va="center",
                        fontsize=8.5,
                        color="white",
                        fontweight="bold",
                    )
            left += widths[:, k]
        labels = []
        for yi, (name, g) in enumerate(groups):
            ci = t_interval(g.groupby("replication")["total"].mean().to_numpy())
            pm = f" ± {ci.half_width:.1f}" if math.isfinite(ci.half_width) else ""
            labels.append(f"{name}\n{totals[yi]:,.1f} h{pm}, {len(g):,} boxes")
        ax.set_yticks(y)
        ax.set_yticklabels(labels, fontsize=8.5)
        ax.invert_yaxis()
        if as_share:
            ax.set_xlim(0, 1)
            ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
            ax.set_xlabel("share of the mean stay at the hub (%); hours per stage in the bars")
        else:
            ax.set_xlim(0, scale * 1.08)
            ax.set_xlabel("mean hours at the hub per container (h)")
        ax.legend(loc="upper left", bbox_to_anchor=(0, -0.2), ncol=4, frameon=False, fontsize=8.5)
    _footer(
        fig,
        run,
        "Containers created after warm-up that finished their stay before the end. Beside each "
        "bar: mean stay ± its 95 % CI over replications, and containers counted.",
    )
    return fig


# ------------------------------------------------------------------------------ compare

FOREST_KPIS = tuple(
    k
    for k in HEADLINE
    if k
    not in {
        "trains.qinzhou_rail_sea",
        "trains.china_laos",
        "trains.china_vietnam",
        "train_load_factor.qinzhou_rail_sea",
        "train_load_factor.china_laos",
        "train_load_factor.china_vietnam",
        "clearance_h.export.p90",
        "utilisation.huaihua.customs.export.officers",
    }
)
"""KPIs the forest plot shows by default, when the comparison has them."""


def _fmt_value(value: float, kpi_unit: str, *, signed: bool = True, unit: bool = True) -> str:
    """A difference in its KPI's unit: shares in percentage points, money in million CNY."""
    if not math.isfinite(value):
        return "–"
    sign = "+" if signed and value != 0 else ""
    if kpi_unit == "share":
        text, u = f"{value * 100:{sign}.1f}", "pp"
    elif kpi_unit == "CNY":
        text, u = f"{value / 1e6:{sign},.2f}", "M CNY"
    elif value == 0:
        text, u = "0", kpi_unit
    elif abs(value) >= 100 or (kpi_unit in ("TEU", "trains", "containers") and abs(value) >= 10):
        text, u = f"{value:{sign},.0f}", kpi_unit
    elif abs(value) >= 1 or kpi_unit in ("TEU", "trains", "containers"):
        text, u = f"{value:{sign}.1f}", kpi_unit
    else:
        text, u = f"{value:{sign}.3f}", kpi_unit
    return f"{text} {u}" if unit and u else text


def _name_of(result: Any, default: str) -> str:
    name = getattr(result, "name", None)
    return str(name) if name else default


def compare_forest(
    compare: Any,
    *,
    kpis: Sequence[str] | None = None,
    relative: bool = True,
) -> Figure:
    """Forest plot of a scenario comparison: each KPI's difference B − A with its 95 % CI.

    ``compare`` is what ``sim.compare`` returns (or its ``.table``: columns ``kpi, unit,
    a_mean, diff_mean, diff_low, diff_high, significant``). KPIs have different units, so by
    default the axis shows the difference as a percentage of A's mean, and the text beside
    each row gives it in the KPI's own unit. ``relative=False`` plots the differences in
    their unit, which needs KPIs that share one. Filled dots are significant (the CI
    excludes zero).
    """
    table = getattr(compare, "table", compare)
    if not isinstance(table, pd.DataFrame):
        raise TypeError("compare_forest needs a CompareResult or its .table DataFrame")
    needed = {"kpi", "unit", "a_mean", "diff_mean", "diff_low", "diff_high"}
    missing = needed - set(table.columns)
    if missing:
        raise ValueError(f"comparison table lacks columns {sorted(missing)}")
    rows = table.set_index("kpi")
    if kpis is None:
        names = [k for k in FOREST_KPIS if k in rows.index]
        names = names or list(rows.index)
    else:
        unknown = [k for k in kpis if k not in rows.index]
        if unknown:
            raise KeyError(f"KPIs not in the comparison: {unknown}")
        names = list(kpis)
    sub = rows.loc[names]
    if "significant" in sub.columns:
        significant = sub["significant"].fillna(False).astype(bool).to_numpy()
    else:
        significant = ((sub["diff_low"] > 0) | (sub["diff_high"] < 0)).to_numpy()
    a_mean = sub["a_mean"].to_numpy(dtype=float)
    if relative:
        with np.errstate(divide="ignore", invalid="ignore"):
            scale = np.where(np.abs(a_mean) > 0, 100.0 / np.abs(a_mean), np.nan)
        xlabel = "difference B − A, as % of A's mean"
    else:
        units = set(sub["unit"].astype(str))
        if len(units) > 1:
            raise ValueError(f"relative=False needs KPIs with one unit; these have {sorted(units)}")
        scale = np.ones(len(sub))
        xlabel = f"difference B − A ({_unit_label(units.pop())})"
    mid = sub["diff_mean"].to_numpy(dtype=float) * scale
    lo = sub["diff_low"].to_numpy(dtype=float) * scale
    hi = sub["diff_high"].to_numpy(dtype=float) * scale

    a = getattr(compare, "a", None)
    b = getattr(compare, "b", None)
    run_for_labels = a if isinstance(a, RunResult) else None
    fig = _base(13, 0.36 * len(sub) + 2.2)
    ax = fig.subplots()
    _style(ax)
    ax.grid(axis="y", visible=False)
    ax.grid(axis="x", color="#e6e6e6")
    title = (
        f"Scenario comparison: {_name_of(b, 'B')} (B) against {_name_of(a, 'A')} (A)"
        if a is not None and b is not None
        else "Scenario comparison: B against A"
    )
    fig.suptitle(title, fontsize=14, fontweight="bold")
    y = np.arange(len(sub))
    colours = np.where(significant, "#1f5fa6", "#999999")
    for yi in y:
        if math.isfinite(lo[yi]) and math.isfinite(hi[yi]):
            ax.plot([lo[yi], hi[yi]], [yi, yi], color=colours[yi], linewidth=2)
        if math.isfinite(mid[yi]):
            ax.scatter(
                [mid[yi]],
                [yi],
                s=40,
                color=colours[yi] if significant[yi] else "white",
                edgecolors=colours[yi],
                zorder=3,
            )
    ax.axvline(0, color="k", linewidth=0.8)
    ax.set_yticks(y)
    ax.set_yticklabels([kpi_label(k, run_for_labels) for k in sub.index], fontsize=8.5)
    ax.set_ylim(len(sub) - 0.5, -0.5)
    ax.set_xlabel(xlabel)
    finite = np.concatenate([v[np.isfinite(v)] for v in (lo, hi, mid)])
    span = float(np.max(np.abs(finite))) if len(finite) else 1.0
    span = span or 1.0
    ax.set_xlim(-span * 1.1, span * 1.1)
    if relative:
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:+.0f} %"))
    trans = ax.get_yaxis_transform()
    ax.text(1.01, -0.9, "B − A (95 % CI)", transform=trans, fontsize=8.5, fontweight="bold")
    for yi, k in enumerate(sub.index):
        u = str(sub.loc[k, "unit"])
        d = float(sub.loc[k, "diff_mean"])
        width = (float(sub.loc[k, "diff_high"]) - float(sub.loc[k, "diff_low"])) / 2
        text = _fmt_value(d, u)
        if math.isfinite(width):
            text += f" (± {_fmt_value(width, u, signed=False, unit=False)})"
        if relative and not math.isfinite(scale[yi]):
            text += "  [A is 0: no %]"
        ax.text(1.01, yi, text, transform=trans, va="center", fontsize=8)
    n = table["n"].iloc[0] if "n" in table.columns and len(table) else None
    note = "Filled dot: the 95 % CI excludes 0 (significant). "
    if n is not None:
        note += f"n = {int(n)} paired replications (common random numbers)."
    _note(fig, note)
    fig.get_layout_engine().set(rect=(0, 0, 0.8, 1))  # room for the text column
    return fig


# ------------------------------------------------------------------------------ sweep

_SWEEP_FIXED = {"point", "kpi", "unit", "mean", "half_width", "low", "high", "n", "std"}


_LEVER_LABELS = {
    "customs.import.officers": "import customs officers",
    "customs.export.officers": "export customs officers",
    "customs.inspection.bays": "inspection bays",
    "customs.quarantine.lab_slots": "quarantine lab slots",
    "demand.scale": "demand (× 2023)",
    "terminal.sidings.count": "rail sidings",
    "terminal.yard.capacity_teu": "yard capacity (TEU)",
    "tariffs.subsidy_per_teu_cny": "operating subsidy (CNY/TEU)",
    "tariffs.toll_cut": "highway toll cut",
}


def lever_label(lever: str) -> str:
    """A planner's name for a sweep lever (a dotted scenario path)."""
    parts = lever.split(".")
    if len(parts) == 3 and parts[:2] == ["tariffs", "discount"]:
        return f"{parts[2].capitalize()} Railway freight-rate discount"
    return _LEVER_LABELS.get(lever, lever)


def _is_share_lever(lever: str, values: np.ndarray) -> bool:
    words = ("discount", "share", "probability", "toll_cut", "threshold")
    finite = values[np.isfinite(values)]
    return any(w in lever for w in words) and len(finite) > 0 and float(np.max(np.abs(finite))) <= 1


def sweep_response(
    sweep: Any,
    kpis: str | Sequence[str],
    *,
    lever: str | None = None,
    facet: str | None = None,
    targets: Mapping[str, float] | None = None,
) -> Figure:
    """Response curves of a sweep: each KPI against a lever, mean with its 95 % CI band.

    ``sweep`` is what ``sim.sweep`` returns (or its ``.summary``: ``point``, one column per
    lever, ``kpi, unit, mean, low, high``). ``lever`` is the x axis (default: the lever with
    most values). ``facet`` is a lever whose values get a column of panels each (e.g.
    ``demand.scale``); any other lever that varies within a panel becomes one line per value.
    ``targets`` draws a dashed line at a KPI's target (e.g. ``{"clearance_h.import.mean":
    24}``).
    """
    summary = getattr(sweep, "summary", sweep)
    if not isinstance(summary, pd.DataFrame):
        raise TypeError("sweep_response needs a SweepResult or its .summary DataFrame")
    names = [kpis] if isinstance(kpis, str) else list(kpis)
    levers = [c for c in summary.columns if c not in _SWEEP_FIXED]
    if not levers:
        raise ValueError("the sweep summary has no lever columns")
    unknown = [k for k in names if k not in set(summary["kpi"])]
    if unknown:
        raise KeyError(f"KPIs not in the sweep: {unknown}")
    if lever is None:
        lever = max((c for c in levers if c != facet), key=lambda c: summary[c].nunique())
    for name in (lever, facet):
        if name is not None and name not in levers:
            raise KeyError(f"lever {name!r} not in the sweep; levers: {levers}")
    facets = sorted(summary[facet].unique()) if facet is not None else [None]
    targets = dict(targets or {})

    if facet is None:
        cols = min(len(names), 2)
        panels = [(k, None) for k in names]
    else:
        cols = len(facets)
        panels = [(k, f) for k in names for f in facets]
    nrows = math.ceil(len(panels) / cols)
    fig = _base(max(6.5 * cols, 9) if facet else 6.5 * cols, 4.2 * nrows + 1.0)
    axes = np.atleast_1d(fig.subplots(nrows, cols, squeeze=False, sharey="row" if facet else False))
    axes = axes.ravel()
    fig.suptitle(f"Response to the lever: {lever_label(lever)}", fontsize=14, fontweight="bold")
    palette = ["#1f5fa6", "#c8412b", "#2e8b57", "#8e5ea2", "#d98c1f", "#17a2b8", "#5f6b7a"]
    share_x = _is_share_lever(lever, summary[lever].to_numpy(dtype=float))
    for ax, (k, f) in zip(axes, panels, strict=False):
        _style(ax)
        mine = summary.loc[summary["kpi"] == k]
        if facet is not None:
            mine = mine.loc[mine[facet] == f]
        u = str(mine["unit"].iloc[0]) if "unit" in mine.columns and len(mine) else unit(k)
        factor = 1e-6 if u == "CNY" else 1.0
        others = [c for c in levers if c not in (lever, facet) and mine[c].nunique() > 1]
        groups = mine.groupby(others, sort=True) if others else [((), mine)]
        for i, (key, g) in enumerate(groups):
            g = g.sort_values(lever)
            x = g[lever].to_numpy(dtype=float)
            m = g["mean"].to_numpy(dtype=float)
            low = g["low"].to_numpy(dtype=float) if "low" in g else m
            high = g["high"].to_numpy(dtype=float) if "high" in g else m
            colour = palette[i % len(palette)]
            key_t = key if isinstance(key, tuple) else (key,)
            label = (
                ", ".join(
                    f"{lever_label(o)} = {_fmt_lever(v, _is_share_lever(o, np.array([v])))}"
                    for o, v in zip(others, key_t, strict=True)
                )
                if others
                else "mean"
            )
            if np.nanmin(m, initial=0.0) >= 0:
                low = np.clip(low, 0, None)  # a count, time or cost is never negative
            ax.fill_between(x, low * factor, high * factor, color=colour, alpha=0.2, linewidth=0)
            ax.plot(x, m * factor, marker="o", color=colour, label=label)
        values = np.sort(mine[lever].dropna().unique().astype(float))
        if 0 < len(values) <= 12 and np.allclose(values, np.round(values)):
            ax.set_xticks(values)  # whole officers, bays, trains: no 3.5 ticks
        if k in targets:
            ax.axhline(
                targets[k] * factor,
                color=PUBLISHED_COLOUR,
                linestyle="--",
                linewidth=1.3,
                label=f"target {_fmt_lever(targets[k], u == 'share')} {'' if u == 'share' else u}",
            )
        ax.set_ylabel({"CNY": "million CNY", "share": "%"}.get(u, u) or "value", fontsize=9)
        if u == "share":
            ax.yaxis.set_major_formatter(PercentFormatter(1.0))
        title = kpi_label(k)
        if facet is not None:
            share_f = _is_share_lever(facet, np.array([f], dtype=float))
            title += f"\n{lever_label(facet)} = {_fmt_lever(f, share_f)}"
        ax.set_title(title, fontsize=10.5, loc="left")
        ax.set_xlabel(lever_label(lever) + (" (%)" if share_x else ""))
        if share_x:
            ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        ax.legend(fontsize=8, frameon=False, title="band: 95 % CI", title_fontsize=8)
    for ax in axes[len(panels) :]:
        ax.set_visible(False)
    n = int(summary["n"].min()) if "n" in summary.columns and len(summary) else None
    _note(
        fig,
        "Line: mean over replications at each sweep point; band: Student-t 95 % confidence "
        "interval" + (f" (n = {n} replications a point)." if n else "."),
    )
    return fig


def _fmt_lever(value: Any, share: bool) -> str:
    if share:
        return f"{float(value):.0%}"
    return f"{value:g}" if isinstance(value, int | float) else str(value)


# ------------------------------------------------------------------------------ registry

RUN_PLOTS: dict[str, tuple[Callable[[RunResult], Figure], str]] = {
    "clearance": (
        clearance_times,
        "Customs clearance time distribution, import and export, against the published 2023 means.",
    ),
    "throughput": (throughput, "TEU and trains per month by corridor, export and import."),
    "resources": (
        resource_levels,
        "Queue length and utilisation over time of customs, consolidation, yard and sidings;"
        " warm-up shaded.",
    ),
    "load-factors": (load_factors, "Train load factors per corridor and direction."),
    "sidings": (sidings_timeline, "Sidings and trains in the busiest week (Gantt)."),
    "dwell": (
        dwell_breakdown,
        "Where a container's time at Huaihua goes, per corridor and direction.",
    ),
}
"""Every plot of a single run, in report order: name → (function, caption)."""


def run_figures(run: RunResult) -> dict[str, Figure]:
    """Every run plot of ``run``, drawn, by name (see :data:`RUN_PLOTS`)."""
    return {name: fn(run) for name, (fn, _) in RUN_PLOTS.items()}
