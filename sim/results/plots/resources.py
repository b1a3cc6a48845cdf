"""Resources over time: queue length and utilisation of the hub's resources, warm-up shaded."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from sim.results.i18n import say
from sim.results.plots.labels import hub_name, resource_label, waiting_unit
from sim.results.plots.style import (
    MUTED_COLOUR,
    NOTEBOOK_WIDTH,
    footer,
    new_figure,
    no_data,
    styled,
    upper_first,
)
from sim.results.plots.timeaxis import as_str, binned, date_axis, hours_to_num, shade_warmup
from sim.results.run import RunResult


@styled
def resource_levels(
    run: RunResult,
    *,
    resources: Sequence[str] | None = None,
    bin_h: float | None = None,
) -> Figure:
    """Queue length and utilisation over time of the hub's resources, warm-up shaded.

    One row per resource (``resources`` are scopes under the hub, e.g. ``"sidings"`` or
    ``"customs.import.officers"``; default: the headline resources of the run — customs,
    consolidation, yard, sidings and handling). Left:
    the time-weighted mean number waiting in each ``bin_h``-hour bin (default a day, or 2 h
    for runs under three weeks); right: utilisation, units in use over units available in the
    bin (officers off duty are not available, as for the ``utilisation.*`` KPIs). The thin
    line is the mean over replications per bin, the thick line its moving average over a week
    (over a day for 2-hour bins).
    """
    q = run.queues
    hub = run.info.hub.name
    headline = [r.name for r in run.info.resources if r.headline]
    wanted = list(resources) if resources is not None else headline
    present = set(as_str(q["where"]).unique()) if len(q) else set()
    rows = [r for r in wanted if f"{hub}.{r}" in present or r in present]
    horizon = run.info.horizon_h
    warm = run.info.warmup_h
    span_h = horizon + warm
    if bin_h is None:
        bin_h = 24.0 if span_h > 21 * 24 else 2.0
    edges = np.arange(-warm, horizon + bin_h / 2, bin_h)
    if edges[-1] < horizon:
        edges = np.append(edges, horizon)
    widths = np.diff(edges)
    mids = hours_to_num(run, (edges[:-1] + edges[1:]) / 2)
    smooth_h = 7 * 24.0 if bin_h >= 12 else 24.0
    window = max(1, round(smooth_h / bin_h))
    smooth_label = say("7-day moving average") if smooth_h > 24 else say("24-hour moving average")

    fig = new_figure(NOTEBOOK_WIDTH, 1.7 * max(len(rows), 1) + 1.5)
    fig.suptitle(say("Queues and utilisation of {hub}'s resources over time", hub=hub_name(run)))
    if not rows:
        no_data(fig.subplots(), say("resource records"))
        return fig
    axes = fig.subplots(len(rows), 2, sharex=True, squeeze=False)
    where_col = as_str(q["where"])
    per = say("day") if bin_h == 24 else f"{bin_h:g} h"
    for i, r in enumerate(rows):
        where = f"{hub}.{r}" if f"{hub}.{r}" in present else r
        g = q.loc[where_col == where]
        waits, used, avail = [], [], []
        for _, rg in g.groupby("replication", sort=True):
            order = np.argsort(rg["t"].to_numpy(dtype=float), kind="stable")
            t = rg["t"].to_numpy(dtype=float)[order]
            busy = rg["busy"].to_numpy(dtype=float)[order]
            cap = np.maximum(rg["capacity"].to_numpy(dtype=float)[order], busy)
            waits.append(binned(t, rg["queue"].to_numpy(dtype=float)[order], edges))
            used.append(binned(t, busy, edges))
            avail.append(binned(t, cap, edges))
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
        label = resource_label(r, run)
        cap_max = float(g["capacity"].max())
        cap_text = f"{cap_max:,.0f} {'TEU' if r.startswith('yard') else say('units')}"
        for j, ((raw, smooth), colour) in enumerate(
            zip(series, ("#8c510a", "#1f5fa6"), strict=True)
        ):
            ax = axes[i, j]
            shade_warmup(ax, run, label=(i == 0 and j == 0))
            ax.step(
                mids,
                raw,
                where="mid",
                color=colour,
                linewidth=0.7,
                alpha=0.45,
                label=say("mean per {per}", per=per) if i == 0 else None,
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
                ax.set_ylabel(say("waiting\n({what})", what=waiting_unit(r, run)), fontsize=9)
                ax.set_title(
                    say(
                        "{resource} ({capacity}): queue",
                        resource=upper_first(label),
                        capacity=cap_text,
                    ),
                    fontsize=10,
                    loc="left",
                )
                top = float(np.nanmax(raw)) if np.isfinite(raw).any() else 0.0
                ax.set_ylim(0, top * 1.1 if top > 0 else 1)
                if top == 0:
                    ax.text(
                        0.5,
                        0.5,
                        say("nothing ever waited"),
                        transform=ax.transAxes,
                        ha="center",
                        va="center",
                        color=MUTED_COLOUR,
                        fontsize=9,
                    )
            else:
                ax.set_ylabel(say("in use (%)"), fontsize=9)
                ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
                ax.set_ylim(0, 1.05)
                ax.set_title(
                    say("{resource}: utilisation", resource=upper_first(label)),
                    fontsize=10,
                    loc="left",
                )
    axes[0, 0].legend(fontsize=8, frameon=False, loc="upper right", ncol=3)
    axes[0, 1].legend(fontsize=8, frameon=False, loc="upper right", ncol=2)
    lo, hi = hours_to_num(run, [-warm, horizon])
    for ax in axes[-1]:
        ax.set_xlim(lo, hi)
        date_axis(ax, lo, hi)
    footer(
        fig,
        run,
        say(
            "Time-weighted means per {per} over all replications; the grey band is the warm-up. "
            "Utilisation counts only hours when units are available (officers on duty).",
            per=per,
        ),
    )
    return fig
