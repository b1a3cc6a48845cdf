"""How long customs clearance takes: the distribution of clearance times, import and export."""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.results.i18n import label as i18n_label
from sim.results.i18n import say, unit_text
from sim.results.plots.labels import hub_name
from sim.results.plots.style import (
    MEAN_COLOUR,
    NOTEBOOK_WIDTH,
    P90_COLOUR,
    PUBLISHED_COLOUR,
    footer,
    new_figure,
    no_data,
    styled,
)
from sim.results.plots.timeaxis import as_str, created_in_window
from sim.results.published import PUBLISHED_2023
from sim.results.run import RunResult


@styled
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
    horizon = run.info.horizon_h
    sel = created_in_window(c, horizon) & (c["t_customs_end"] < horizon)
    c = c.loc[sel]
    direction = as_str(c["direction"])
    summary = run.summary.set_index("kpi")["mean"] if len(run.summary) else pd.Series(dtype=float)

    fig = new_figure(NOTEBOOK_WIDTH, 4.6)
    axes = fig.subplots(1, 2)
    fig.suptitle(say("How long customs clearance takes at {hub}", hub=hub_name(run)))
    for ax, d in zip(axes, ("import", "export"), strict=True):
        mine = c.loc[direction == d]
        scale = 1.0 if d == "import" else 60.0
        xunit = "h" if d == "import" else "min"
        shown = unit_text(xunit) if xunit == "h" else say("min")
        x = (mine["t_customs_end"] - mine["t_customs_start"]).to_numpy(dtype=float) * scale
        ax.set_title(
            say(
                "{Direction} declarations (n = {n} containers)",
                Direction=i18n_label(f"direction.{d}").capitalize(),
                n=f"{len(x):,}",
            ),
            fontsize=11,
            loc="left",
        )
        if len(x) == 0:
            no_data(ax, f"{d} clearances")
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
                label=say("all declarations"),
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
        mean = _kpi(summary, f"clearance_h.{d}.mean") * scale
        p90 = _kpi(summary, f"clearance_h.{d}.p90") * scale
        if not math.isfinite(mean):
            mean = float(x.mean())
        if not math.isfinite(p90):
            p90 = float(np.quantile(x, 0.9))
        ax.axvline(
            mean,
            color=MEAN_COLOUR,
            linewidth=2,
            label=say("simulated mean {value} {unit}", value=f"{mean:.2f}", unit=shown),
        )
        ax.axvline(
            p90,
            color=P90_COLOUR,
            linestyle="--",
            linewidth=1.5,
            label=say("90th percentile {value} {unit}", value=f"{p90:.1f}", unit=shown),
        )
        pub = published.get(f"clearance_h.{d}.mean")
        if pub is not None:
            beyond = pub * scale > edges[-1]
            ax.axvline(
                min(pub * scale, edges[-1]) if beyond else pub * scale,
                color=PUBLISHED_COLOUR,
                linestyle=":",
                linewidth=2.2,
                label=say(
                    "published 2023 mean {value} {unit}", value=f"{pub * scale:.2f}", unit=shown
                )
                + (say(" (off the scale, drawn at the edge)") if beyond else ""),
            )
        ax.set_xlabel(say("clearance time, declaration to release ({unit})", unit=shown))
        ax.set_ylabel(say("share of containers (%)"))
        ax.set_xlim(0, edges[-1])
        ax.legend(fontsize=8.5, frameon=False, loc="upper right")
    footer(
        fig,
        run,
        say(
            "Containers created after warm-up and released before the end; export in minutes "
            "(published 0.09 h = 5.4 min)."
        ),
    )
    return fig


def _kpi(means: pd.Series, name: str) -> float:
    """A KPI's mean over replications; NaN if the run has none."""
    return float(means[name]) if name in means.index else math.nan


def _clearance_paths(c: pd.DataFrame) -> dict[str, np.ndarray]:
    inspected = c["inspected"].to_numpy(dtype=bool)
    sampled = c["quarantined"].to_numpy(dtype=bool)
    return {
        say("document review only"): ~inspected & ~sampled,
        say("physical inspection"): inspected & ~sampled,
        say("quarantine sample"): ~inspected & sampled,
        say("inspection + quarantine"): inspected & sampled,
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
