"""Figures of experiments: a comparison's forest plot; a sweep's response curves, its paired
differences against a reference point and, over two levers, its heatmap."""

from __future__ import annotations

import math
import textwrap
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.layout_engine import ConstrainedLayoutEngine
from matplotlib.patches import Rectangle
from matplotlib.ticker import FuncFormatter, PercentFormatter

from sim.results.comparison import COLUMNS
from sim.results.formatting import (
    axis_unit,
    format_lever,
    format_lever_value,
    format_value,
    lever_is_share,
    unit_style,
)
from sim.results.i18n import label, say, unit_text
from sim.results.kpis import headline, unit
from sim.results.plots.labels import kpi_label, lever_label
from sim.results.plots.style import (
    MUTED_COLOUR,
    NOTEBOOK_WIDTH,
    PUBLISHED_COLOUR,
    new_figure,
    note,
    palette,
    styled,
)
from sim.results.run import RunResult

SIGNIFICANT_COLOUR = "#1f5fa6"
INSIGNIFICANT_COLOUR = "#999999"


def _name_of(result: Any, default: str) -> str:
    name = getattr(result, "name", None)
    return str(name) if name else default


@styled
def compare_forest(
    compare: Any,
    *,
    kpis: Sequence[str] | None = None,
    relative: bool = True,
) -> Figure:
    """Forest plot of a scenario comparison: each KPI's difference B − A with its 95 % CI.

    ``compare`` is what ``sim.compare`` returns (or its ``.table``: columns ``kpi, unit,
    a_mean, diff_mean, diff_low, diff_high, significant``). By default it shows the headline
    KPIs (:mod:`sim.results.kpis`). KPIs have different units, so by default the axis shows
    the difference as a percentage of A's mean, and the text beside each row gives it in the
    KPI's own unit. ``relative=False`` plots the differences in their unit, which needs KPIs
    that share one. Filled dots are significant (the CI excludes zero).
    """
    table = getattr(compare, "table", compare)
    if not isinstance(table, pd.DataFrame):
        raise TypeError("compare_forest needs a CompareResult or its .table DataFrame")
    needed = {"kpi", "unit", "a_mean", "diff_mean", "diff_low", "diff_high"}
    missing = needed - set(table.columns)
    if missing:
        raise ValueError(f"comparison table lacks columns {sorted(missing)}")
    rows = table.set_index("kpi")
    a = getattr(compare, "a", None)
    b = getattr(compare, "b", None)
    run_for_labels = a if isinstance(a, RunResult) else None
    if kpis is None:
        present = [str(k) for k in rows.index]
        names = headline(present, run_for_labels.info if run_for_labels else None) or present
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
    shares = (sub["unit"].astype(str) == "share").to_numpy()
    if relative:
        # A share's difference is in percentage points, as every table writes it; a
        # percentage of a percentage would read as another number for the same change.
        with np.errstate(divide="ignore", invalid="ignore"):
            scale = np.where(np.abs(a_mean) > 0, 100.0 / np.abs(a_mean), np.nan)
        scale = np.where(shares, 100.0, scale)
        xlabel = label("axis.diff_pct_of_a_pp" if shares.any() else "axis.diff_pct_of_a")
    else:
        units = set(sub["unit"].astype(str))
        if len(units) > 1:
            raise ValueError(f"relative=False needs KPIs with one unit; these have {sorted(units)}")
        only = units.pop()
        scale = np.full(len(sub), unit_style(only).scaled(1.0))
        xlabel = label("axis.diff_in", unit=unit_text(axis_unit(only, change=True)))
    mid = sub["diff_mean"].to_numpy(dtype=float) * scale
    lo = sub["diff_low"].to_numpy(dtype=float) * scale
    hi = sub["diff_high"].to_numpy(dtype=float) * scale

    fig = new_figure(NOTEBOOK_WIDTH, 0.36 * len(sub) + 2.2)
    ax = fig.subplots()
    ax.grid(axis="y", visible=False)
    ax.grid(axis="x", color="#e6e6e6")
    title = (
        say("Scenario comparison: {b} (B) against {a} (A)", b=_name_of(b, "B"), a=_name_of(a, "A"))
        if a is not None and b is not None
        else say("Scenario comparison: B against A")
    )
    fig.suptitle(title)
    y = np.arange(len(sub))
    colours = np.where(significant, SIGNIFICANT_COLOUR, INSIGNIFICANT_COLOUR)
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
    ax.set_yticklabels([kpi_label(str(k), run_for_labels) for k in sub.index], fontsize=8.5)
    ax.set_ylim(len(sub) - 0.5, -0.5)
    ax.set_xlabel(xlabel)
    finite = np.concatenate([v[np.isfinite(v)] for v in (lo, hi, mid)])
    span = float(np.max(np.abs(finite))) if len(finite) else 1.0
    span = span or 1.0
    ax.set_xlim(-span * 1.1, span * 1.1)
    if relative:
        tick = "" if shares.any() else " %"
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:+.0f}{tick}"))
    trans = ax.get_yaxis_transform()
    ax.text(1.01, -0.9, say("B − A (95 % CI)"), transform=trans, fontsize=8.5, fontweight="bold")
    for row, k in enumerate(sub.index):
        u = str(sub.loc[k, "unit"])
        d = float(sub.loc[k, "diff_mean"])
        width = (float(sub.loc[k, "diff_high"]) - float(sub.loc[k, "diff_low"])) / 2
        text = format_value(d, u, signed=True, change=True, with_unit=True)
        if math.isfinite(width):
            text += f" (± {format_value(width, u, change=True)})"
        if relative and not shares[row] and not math.isfinite(scale[row]):
            text += say("  [A is 0: no %]")
        ax.text(1.01, row, text, transform=trans, va="center", fontsize=8)
    n = table["n"].iloc[0] if "n" in table.columns and len(table) else None
    caption = say("Filled dot: the 95 % CI excludes 0 (significant). ")
    if n is not None:
        caption += say("n = {n} paired replications (common random numbers).", n=int(n))
    note(fig, caption)
    engine = fig.get_layout_engine()
    if isinstance(engine, ConstrainedLayoutEngine):
        engine.set(rect=(0, 0, 0.8, 1))  # room for the text column
    return fig


# ------------------------------------------------------------------------------ sweep


@styled
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
    lever, ``kpi, unit, mean, low, high``; or any table of that shape, e.g.
    :meth:`SweepResult.marginal <sim.experiment.sweep.SweepResult.marginal>`). ``lever`` is
    the x axis (default: the lever with most values). ``facet`` is a lever whose values get a
    column of panels each (e.g. ``demand.scale``); any other lever that varies within a panel
    becomes one line per value. ``targets`` draws a dashed line at a KPI's target (e.g.
    ``{"clearance_h.import.mean": 24}``).

    Bands of different points overlap even where the points differ for sure: the points of
    a sweep share their random numbers, and :func:`sweep_differences` shows their paired
    differences instead.
    """
    summary = getattr(sweep, "summary", sweep)
    if not isinstance(summary, pd.DataFrame):
        raise TypeError("sweep_response needs a SweepResult or its .summary DataFrame")
    n = int(summary["n"].min()) if "n" in summary.columns and len(summary) else None
    return _response(
        summary,
        kpis,
        lever=lever,
        facet=facet,
        targets=targets,
        change=False,
        title="Response to the lever: {lever}",
        caption="Line: mean over replications at each sweep point; band: Student-t 95 % "
        "confidence interval" + (f" (n = {n} replications a point)." if n else "."),
    )


@styled
def sweep_differences(
    sweep: Any,
    kpis: str | Sequence[str],
    *,
    reference: int | Mapping[str, Any] = 0,
    lever: str | None = None,
    facet: str | None = None,
) -> Figure:
    """Each KPI's change against a reference point of the sweep, with its paired 95 % CI.

    ``sweep`` is what ``sim.sweep`` returns (its :meth:`~sim.experiment.sweep.SweepResult.
    differences` against ``reference`` are drawn), or such a differences table itself. The
    points share their random numbers, so a difference is measured replication by
    replication: its interval (the error bar) is narrower than the bands of
    :func:`sweep_response`, often by far; a filled dot is a difference whose interval
    excludes 0. ``lever`` and ``facet`` as in :func:`sweep_response`.
    """
    if isinstance(sweep, pd.DataFrame):
        table = sweep
    elif hasattr(sweep, "differences"):
        table = sweep.differences(reference, kpis)
    else:
        raise TypeError("sweep_differences needs a SweepResult or its .differences() table")
    needed = {"kpi", "unit", "diff_mean", "diff_low", "diff_high", "point"}
    missing = needed - set(table.columns)
    if missing:
        raise ValueError(f"differences table lacks columns {sorted(missing)}")
    levers = [str(c) for c in table.columns if c not in _NOT_LEVERS]
    shaped = table[["point", *levers, "kpi", "unit"]].assign(
        mean=table["diff_mean"], low=table["diff_low"], high=table["diff_high"]
    )
    for column in ("n", "significant"):
        if column in table.columns:
            shaped[column] = table[column]
    ref = table.attrs.get("reference")
    where = ""
    if ref is not None:
        first = shaped.loc[shaped["point"] == ref].head(1)
        if len(first) and levers:
            where = (
                " ("
                + ", ".join(
                    f"{lever_label(lv)} = {format_lever_value(lv, first[lv].iloc[0])}"
                    for lv in levers
                )
                + ")"
            )
    n = int(table["n"].min()) if "n" in table.columns and len(table) else None
    narrowing = (
        float(np.nanmedian(table["narrowing"].to_numpy(dtype=float)))
        if "narrowing" in table.columns and table["narrowing"].notna().any()
        else None
    )
    caption = (
        "Dot: mean over replications of the paired difference point − reference; bar: its "
        "Student-t 95 % confidence interval; filled: the interval excludes 0"
        + (f" (n = {n} paired replications, common random numbers" if n else " (")
        + (
            f"; in the median a paired interval is {1 - narrowing:.0%} as wide as the "
            "interval of unpaired means)."
            if narrowing is not None and math.isfinite(narrowing)
            else ")."
        )
    )
    return _response(
        shaped,
        kpis,
        lever=lever,
        facet=facet,
        targets=None,
        change=True,
        title="Change against the reference point" + where,
        caption=caption,
    )


_SWEEP_FIXED = {"point", "kpi", "unit", "mean", "half_width", "low", "high", "n", "std"}
_NOT_LEVERS = _SWEEP_FIXED | set(COLUMNS)
"""Columns of a sweep summary or differences table that are not levers."""
FEW_LEVELS = 6
"""A lever with at most this many values gets one tick per value, labelled as the value."""


def _on_axis(values: np.ndarray, u: str, change: bool = False) -> np.ndarray:
    """Values as the y axis shows them: a share stays a fraction (with a percent formatter),
    anything else as its unit writes it (money in millions); a change of a share is in
    percentage points."""
    if u == "share" and not change:
        return values
    return unit_style(u).scaled_array(values)


def _response(
    summary: pd.DataFrame,
    kpis: str | Sequence[str],
    *,
    lever: str | None,
    facet: str | None,
    targets: Mapping[str, float] | None,
    change: bool,
    title: str,
    caption: str,
) -> Figure:
    """Panels of KPIs against a lever (one row of panels per KPI, a column per ``facet``
    value), one legend for the figure, sized for a notebook column."""
    names = [kpis] if isinstance(kpis, str) else list(kpis)
    levers = [str(c) for c in summary.columns if c not in _NOT_LEVERS]
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
    panel_w = min(max(NOTEBOOK_WIDTH / cols, 3.0), 6.5)
    fig = new_figure(panel_w * cols, 3.3 * nrows + 1.6)
    axes = fig.subplots(nrows, cols, squeeze=False, sharex=True, sharey="row" if facet else False)
    axes = axes.ravel()
    heading = title.format(lever=lever_label(lever))
    fig.suptitle(textwrap.fill(heading, int(panel_w * cols * 8.5)), fontsize=12)
    colours = palette()
    all_x = summary[lever].to_numpy(dtype=float)
    share_x = lever_is_share(lever, all_x)
    values = np.sort(np.unique(all_x[np.isfinite(all_x)]))
    span = float(values[-1] - values[0]) if len(values) > 1 else 1.0
    legend: dict[str, Any] = {}
    legend_title = ""
    wrap = max(int(panel_w * 9), 24)
    for ax, (k, f) in zip(axes, panels, strict=False):
        mine = summary.loc[summary["kpi"] == k]
        if facet is not None:
            mine = mine.loc[mine[facet] == f]
        u = str(mine["unit"].iloc[0]) if "unit" in mine.columns and len(mine) else unit(k)
        others = [c for c in levers if c not in (lever, facet) and mine[c].nunique() > 1]
        groups = list(mine.groupby(others, sort=True)) if others else [((), mine)]
        for i, (key, g) in enumerate(groups):
            g = g.sort_values(lever)
            x = g[lever].to_numpy(dtype=float)
            m = g["mean"].to_numpy(dtype=float)
            low = g["low"].to_numpy(dtype=float) if "low" in g else m
            high = g["high"].to_numpy(dtype=float) if "high" in g else m
            low = np.where(np.isfinite(low), low, np.nan)  # an unbounded interval: no band
            high = np.where(np.isfinite(high), high, np.nan)
            colour = colours[i % len(colours)]
            key_t = key if isinstance(key, tuple) else (key,)
            label = (
                ", ".join(format_lever_value(o, v) for o, v in zip(others, key_t, strict=True))
                if others
                else ("change" if change else "mean")
            )
            if others:
                legend_title = ", ".join(lever_label(o) for o in others)
            if change:
                # error bars, side by side when several lines share an x
                shift = (i - (len(groups) - 1) / 2) * 0.025 * span
                yv = _on_axis(m, u, change)
                err = np.vstack([yv - _on_axis(low, u, change), _on_axis(high, u, change) - yv])
                ax.errorbar(
                    x + shift, yv, yerr=err, fmt="none", ecolor=colour, elinewidth=1.6, capsize=3
                )
                significant = (
                    g["significant"].fillna(False).to_numpy(dtype=bool)
                    if "significant" in g
                    else (low > 0) | (high < 0)
                )
                ax.plot(x + shift, yv, color=colour, linewidth=0.8, alpha=0.6)
                ax.scatter(
                    x + shift,
                    yv,
                    s=30,
                    color=np.where(significant, colour, "white"),
                    edgecolors=colour,
                    zorder=3,
                )
                handle = ax.lines[-1]
            else:
                if np.nanmin(m, initial=0.0) >= 0:
                    low = np.clip(low, 0, None)  # a count, time or cost is never negative
                ax.fill_between(
                    x, _on_axis(low, u), _on_axis(high, u), color=colour, alpha=0.2, linewidth=0
                )
                (handle,) = ax.plot(x, _on_axis(m, u), marker="o", color=colour, label=label)
            legend.setdefault(label, handle)
        if change:
            ax.axhline(0, color="k", linewidth=0.8)
        if k in targets:
            target = float(_on_axis(np.array([targets[k]]), u)[0])
            t_label = (
                f"target {format_lever(targets[k], share=u == 'share')} {'' if u == 'share' else u}"
            )
            ax.axhline(target, color=PUBLISHED_COLOUR, linestyle="--", linewidth=1.3, label=t_label)
            legend.setdefault(t_label, ax.lines[-1])
        ax.set_ylabel(axis_unit(u, change=change) or "value", fontsize=9)
        if u == "share" and not change:
            ax.yaxis.set_major_formatter(PercentFormatter(1.0))
        panel = textwrap.fill(_panel_label(k), wrap)
        if facet is not None:
            panel += f"\n{lever_label(facet)} = {format_lever_value(facet, f)}"
        ax.set_title(panel, fontsize=9.5, loc="left")
        ax.tick_params(labelsize=8.5)
    _lever_axis(axes[: len(panels)], lever, values, share_x, cols)
    for ax in axes[len(panels) :]:
        ax.set_visible(False)
    if len(legend) > 1 or (legend and any(lb not in ("mean", "change") for lb in legend)):
        # one legend, under the bottom-left panel (the layout makes room for it)
        below = axes[((len(panels) - 1) // cols) * cols]
        below.legend(
            list(legend.values()),
            list(legend),
            title=legend_title or None,
            loc="upper left",
            bbox_to_anchor=(0, -0.2),
            ncol=min(len(legend), max(1, int(panel_w * cols / 2.2))),
            frameon=False,
            fontsize=8.5,
            title_fontsize=8.5,
            alignment="left",
        )
    note(fig, caption)
    return fig


def _panel_label(kpi: str) -> str:
    """A KPI's label; a marginal of one KPI over another (``a per b``) in words."""
    a, per, b = kpi.partition(" per ")
    if per and unit(a) and unit(b):
        return f"{kpi_label(a)}, per extra {unit(b)} ({kpi_label(b)})"
    return kpi_label(kpi)


def _lever_axis(axes: Any, lever: str, values: np.ndarray, share: bool, cols: int) -> None:
    """The lever's axis, the same on every panel: a lever of few values gets one tick per
    value, labelled as the value (``30%``, ``4``); only the bottom panels write its name."""
    text = lever_label(lever) + (" (%)" if share else "")
    for i, ax in enumerate(axes):
        if 0 < len(values) <= FEW_LEVELS:
            ax.set_xticks(values, [format_lever_value(lever, v) for v in values])
            ax.minorticks_off()
        elif share:
            ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        if i >= len(axes) - cols:
            ax.set_xlabel(text, fontsize=9)
            ax.xaxis.set_tick_params(labelbottom=True)


@styled
def sweep_heatmap(
    sweep: Any,
    kpi: str,
    *,
    x: str | None = None,
    y: str | None = None,
    reference: int | Mapping[str, Any] | None = None,
) -> Figure:
    """A KPI over a two-lever grid: one cell per point, coloured and written.

    ``sweep`` is what ``sim.sweep`` returns, or its ``.summary`` (or ``.differences()``)
    table. Without ``reference`` a cell is the KPI's mean at that point, with its 95 % CI;
    with one, the paired difference of the point from the reference (a diverging scale
    centred on 0; the reference's cell is framed, and a difference whose interval includes
    0 is written in grey). ``x`` and ``y`` name the levers (default: the sweep's two); any
    other lever must have a single value.
    """
    if isinstance(sweep, pd.DataFrame):
        found: Any = sweep
    elif reference is not None and hasattr(sweep, "differences"):
        found = sweep.differences(reference, kpi)
    else:
        found = getattr(sweep, "summary", None)
    if not isinstance(found, pd.DataFrame):
        raise TypeError("sweep_heatmap needs a SweepResult or one of its tables")
    table = found
    change = "diff_mean" in table.columns
    if kpi not in set(table["kpi"]):
        raise KeyError(f"KPIs not in the sweep: {[kpi]}")
    rows = table.loc[table["kpi"] == kpi]
    levers = [str(c) for c in rows.columns if c not in _NOT_LEVERS]
    if x is None or y is None:
        varying = [lv for lv in levers if rows[lv].nunique() > 1 and lv not in (x, y)]
        free = [lv for lv in (x, y) if lv is not None] + varying
        if len(free) < 2:
            raise ValueError(f"a heatmap needs two levers that vary; this sweep has {levers}")
        x, y = (x or free[0]), (y or next(lv for lv in free if lv != (x or free[0])))
    for name in (x, y):
        if name not in levers:
            raise KeyError(f"lever {name!r} not in the sweep; levers: {levers}")
    fixed = [lv for lv in levers if lv not in (x, y) and rows[lv].nunique() > 1]
    if fixed:
        raise ValueError(f"levers {fixed} vary too: pick one value of each (filter the table)")
    u = str(rows["unit"].iloc[0]) if len(rows) else unit(kpi)
    mean_col, hw_col = ("diff_mean", "diff_half_width") if change else ("mean", "half_width")
    xs = np.sort(rows[x].unique())
    ys = np.sort(rows[y].unique())
    grid = np.full((len(ys), len(xs)), np.nan)
    hws = np.full_like(grid, np.nan)
    sig = np.ones_like(grid, dtype=bool)
    for _, r in rows.iterrows():
        i, j = int(np.searchsorted(ys, r[y])), int(np.searchsorted(xs, r[x]))
        grid[i, j] = float(r[mean_col])
        hws[i, j] = float(r[hw_col]) if hw_col in r else np.nan
        if change:
            sig[i, j] = bool(r["significant"])
    shown = _on_axis(grid, u, change)
    fig = new_figure(min(NOTEBOOK_WIDTH, 1.5 * len(xs) + 3.8), 0.75 * len(ys) + 2.4)
    ax = fig.subplots()
    ax.grid(False)
    finite = shown[np.isfinite(shown)]
    if change:
        top = float(np.max(np.abs(finite))) if len(finite) else 1.0
        image = ax.imshow(shown, cmap="RdBu_r", vmin=-(top or 1.0), vmax=top or 1.0, aspect="auto")
    else:
        image = ax.imshow(shown, cmap="Blues", aspect="auto")
    low_, high_ = image.get_clim()
    for i in range(len(ys)):
        for j in range(len(xs)):
            if not math.isfinite(grid[i, j]):
                continue
            text = format_value(grid[i, j], u, signed=change, change=change)
            if math.isfinite(hws[i, j]) and hws[i, j] > 0:
                text += f"\n± {format_value(hws[i, j], u, change=True)}"
            level = (shown[i, j] - low_) / ((high_ - low_) or 1.0)
            dark = level > 0.65 or (change and level < 0.2)
            colour = "white" if dark else "black"
            if change and not sig[i, j]:
                colour = MUTED_COLOUR
            ax.text(j, i, text, ha="center", va="center", fontsize=8.5, color=colour)
    ref = table.attrs.get("reference")
    if change and ref is not None:
        at = rows.loc[rows["point"] == ref]
        if len(at):
            i, j = int(np.searchsorted(ys, at[y].iloc[0])), int(np.searchsorted(xs, at[x].iloc[0]))
            ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, linewidth=2, color="k"))
    ax.set_xticks(range(len(xs)), [format_lever_value(x, v) for v in xs])
    ax.set_yticks(range(len(ys)), [format_lever_value(y, v) for v in ys])
    ax.set_xlabel(lever_label(x), fontsize=9)
    ax.set_ylabel(lever_label(y), fontsize=9)
    ax.set_ylim(-0.5, len(ys) - 0.5)
    bar = fig.colorbar(image, ax=ax, shrink=0.9)
    bar.set_label(axis_unit(u, change=change) or "value", fontsize=9)
    what = "change against the framed point" if change else "mean"
    fig.suptitle(textwrap.fill(f"{kpi_label(kpi)}: {what}", 60), fontsize=12)
    n = int(rows["n"].min()) if "n" in rows.columns and len(rows) else None
    note(
        fig,
        (
            "Each cell: the paired difference point − framed point with its 95 % CI; grey: "
            "the interval includes 0"
            if change
            else "Each cell: the mean over replications with its 95 % CI"
        )
        + (f" (n = {n} replications)." if n else "."),
    )
    return fig
