"""Figures of experiments: a comparison's forest plot and a sweep's response curves."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.layout_engine import ConstrainedLayoutEngine
from matplotlib.ticker import FuncFormatter, PercentFormatter

from sim.results.formatting import axis_unit, format_lever, format_value, is_share_field, unit_style
from sim.results.kpis import headline, unit
from sim.results.plots.labels import kpi_label, lever_label
from sim.results.plots.style import PUBLISHED_COLOUR, new_figure, note, palette, styled
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
    if relative:
        with np.errstate(divide="ignore", invalid="ignore"):
            scale = np.where(np.abs(a_mean) > 0, 100.0 / np.abs(a_mean), np.nan)
        xlabel = "difference B − A, as % of A's mean"
    else:
        units = set(sub["unit"].astype(str))
        if len(units) > 1:
            raise ValueError(f"relative=False needs KPIs with one unit; these have {sorted(units)}")
        only = units.pop()
        scale = np.full(len(sub), unit_style(only).scaled(1.0))
        xlabel = f"difference B − A ({axis_unit(only, change=True)})"
    mid = sub["diff_mean"].to_numpy(dtype=float) * scale
    lo = sub["diff_low"].to_numpy(dtype=float) * scale
    hi = sub["diff_high"].to_numpy(dtype=float) * scale

    fig = new_figure(13, 0.36 * len(sub) + 2.2)
    ax = fig.subplots()
    ax.grid(axis="y", visible=False)
    ax.grid(axis="x", color="#e6e6e6")
    title = (
        f"Scenario comparison: {_name_of(b, 'B')} (B) against {_name_of(a, 'A')} (A)"
        if a is not None and b is not None
        else "Scenario comparison: B against A"
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
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:+.0f} %"))
    trans = ax.get_yaxis_transform()
    ax.text(1.01, -0.9, "B − A (95 % CI)", transform=trans, fontsize=8.5, fontweight="bold")
    for row, k in enumerate(sub.index):
        u = str(sub.loc[k, "unit"])
        d = float(sub.loc[k, "diff_mean"])
        width = (float(sub.loc[k, "diff_high"]) - float(sub.loc[k, "diff_low"])) / 2
        text = format_value(d, u, signed=True, change=True, with_unit=True)
        if math.isfinite(width):
            text += f" (± {format_value(width, u, change=True)})"
        if relative and not math.isfinite(scale[row]):
            text += "  [A is 0: no %]"
        ax.text(1.01, row, text, transform=trans, va="center", fontsize=8)
    n = table["n"].iloc[0] if "n" in table.columns and len(table) else None
    caption = "Filled dot: the 95 % CI excludes 0 (significant). "
    if n is not None:
        caption += f"n = {int(n)} paired replications (common random numbers)."
    note(fig, caption)
    engine = fig.get_layout_engine()
    if isinstance(engine, ConstrainedLayoutEngine):
        engine.set(rect=(0, 0, 0.8, 1))  # room for the text column
    return fig


# ------------------------------------------------------------------------------ sweep

_SWEEP_FIXED = {"point", "kpi", "unit", "mean", "half_width", "low", "high", "n", "std"}


def _is_share_lever(lever: str, values: np.ndarray) -> bool:
    finite = values[np.isfinite(values)]
    return is_share_field(lever) and len(finite) > 0 and float(np.max(np.abs(finite))) <= 1


def _on_axis(values: np.ndarray, u: str) -> np.ndarray:
    """Values as the y axis shows them: a share stays a fraction (with a percent formatter),
    anything else as its unit writes it (money in millions)."""
    return values if u == "share" else unit_style(u).scaled_array(values)


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
    levers = [str(c) for c in summary.columns if c not in _SWEEP_FIXED]
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
    fig = new_figure(max(6.5 * cols, 9) if facet else 6.5 * cols, 4.2 * nrows + 1.0)
    axes = np.atleast_1d(fig.subplots(nrows, cols, squeeze=False, sharey="row" if facet else False))
    axes = axes.ravel()
    fig.suptitle(f"Response to the lever: {lever_label(lever)}")
    colours = palette()
    share_x = _is_share_lever(lever, summary[lever].to_numpy(dtype=float))
    for ax, (k, f) in zip(axes, panels, strict=False):
        mine = summary.loc[summary["kpi"] == k]
        if facet is not None:
            mine = mine.loc[mine[facet] == f]
        u = str(mine["unit"].iloc[0]) if "unit" in mine.columns and len(mine) else unit(k)
        others = [c for c in levers if c not in (lever, facet) and mine[c].nunique() > 1]
        groups = mine.groupby(others, sort=True) if others else [((), mine)]
        for i, (key, g) in enumerate(groups):
            g = g.sort_values(lever)
            x = g[lever].to_numpy(dtype=float)
            m = g["mean"].to_numpy(dtype=float)
            low = g["low"].to_numpy(dtype=float) if "low" in g else m
            high = g["high"].to_numpy(dtype=float) if "high" in g else m
            colour = colours[i % len(colours)]
            key_t = key if isinstance(key, tuple) else (key,)
            label = (
                ", ".join(
                    f"{lever_label(o)} = "
                    f"{format_lever(v, share=_is_share_lever(o, np.array([v], dtype=float)))}"
                    for o, v in zip(others, key_t, strict=True)
                )
                if others
                else "mean"
            )
            if np.nanmin(m, initial=0.0) >= 0:
                low = np.clip(low, 0, None)  # a count, time or cost is never negative
            ax.fill_between(
                x, _on_axis(low, u), _on_axis(high, u), color=colour, alpha=0.2, linewidth=0
            )
            ax.plot(x, _on_axis(m, u), marker="o", color=colour, label=label)
        values = np.sort(mine[lever].dropna().unique().astype(float))
        if 0 < len(values) <= 12 and np.allclose(values, np.round(values)):
            ax.set_xticks(values)  # whole officers, bays, trains: no 3.5 ticks
        if k in targets:
            target = float(_on_axis(np.array([targets[k]]), u)[0])
            ax.axhline(
                target,
                color=PUBLISHED_COLOUR,
                linestyle="--",
                linewidth=1.3,
                label=f"target {format_lever(targets[k], share=u == 'share')} "
                f"{'' if u == 'share' else u}",
            )
        ax.set_ylabel(axis_unit(u) or "value", fontsize=9)
        if u == "share":
            ax.yaxis.set_major_formatter(PercentFormatter(1.0))
        title = kpi_label(k)
        if facet is not None:
            share_f = _is_share_lever(facet, np.array([f], dtype=float))
            title += f"\n{lever_label(facet)} = {format_lever(f, share=share_f)}"
        ax.set_title(title, fontsize=10.5, loc="left")
        ax.set_xlabel(lever_label(lever) + (" (%)" if share_x else ""))
        if share_x:
            ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        ax.legend(fontsize=8, frameon=False, title="band: 95 % CI", title_fontsize=8)
    for ax in axes[len(panels) :]:
        ax.set_visible(False)
    n = int(summary["n"].min()) if "n" in summary.columns and len(summary) else None
    note(
        fig,
        "Line: mean over replications at each sweep point; band: Student-t 95 % confidence "
        "interval" + (f" (n = {n} replications a point)." if n else "."),
    )
    return fig
