"""Where a container's time at the hub goes: its stay split into stages, per corridor."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from sim.results.i18n import say
from sim.results.kpis import DIRECTIONS
from sim.results.plots.labels import corridor_label, direction_title, hub_name
from sim.results.plots.labels import corridors as corridor_order
from sim.results.plots.style import NOTEBOOK_WIDTH, footer, new_figure, no_data, styled
from sim.results.plots.timeaxis import as_str, created_in_window
from sim.results.run import RunResult
from sim.results.stats import t_interval

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
    (Kaplan–Meier), so it is a little longer than the mean of these. ``lcl`` tells LCL boxes
    (consolidated at the hub) from FCL ones.
    """
    c = run.containers
    horizon = run.info.horizon_h
    created = created_in_window(c, horizon)
    direction = as_str(c["direction"])
    rate = run.info.handling_teu_per_h
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
            corridor=as_str(exp["corridor"]),
            direction="export",
            lcl=exp["lcl"].astype(bool),
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
            corridor=as_str(imp["corridor"]),
            direction="import",
            lcl=imp["lcl"].astype(bool),
            total=imp["t_delivered"] - entered,
        )
        out.append(seg)
    if not out:
        return pd.DataFrame(columns=["replication", "corridor", "direction", "lcl", "total"])
    return pd.concat(out, ignore_index=True)


@styled
def dwell_breakdown(run: RunResult, *, as_share: bool = False) -> Figure:
    """Where a container's time at the hub goes, per corridor and direction.

    Each bar is the mean stay of one kind of box, in hours, split into stages (see
    :func:`dwell_segments`), with the 95 % confidence interval of the total over
    replications given beside the bar: all boxes of all corridors, then FCL and LCL boxes
    apart (an LCL box waits to be consolidated, an FCL box never does, so their mean would
    hide both), of all corridors and of each. With ``as_share`` the bars show each stage's share of
    the stay instead, so that corridors of very different dwell read alike (hours stay
    written in the bars).
    "All corridors" matches the ``dwell_h.<hub>.<direction>.mean`` KPI.
    """
    seg = dwell_segments(run)
    corridors = corridor_order(run, seg["corridor"].unique() if len(seg) else ())
    bars = {
        d: _groups(run, seg.loc[seg["direction"] == d] if len(seg) else seg, corridors)
        for d in DIRECTIONS
    }
    heights = [max(len(g), 1) * 0.42 + 1.3 for g in bars.values()]
    fig = new_figure(NOTEBOOK_WIDTH, sum(heights) + 0.9)
    axes = fig.subplots(2, 1, height_ratios=heights)
    hub = hub_name(run)
    fig.suptitle(say("Where a container's time at {hub} goes", hub=hub))
    for ax, d, stages in zip(axes, DIRECTIONS, (EXPORT_SEGMENTS, IMPORT_SEGMENTS), strict=True):
        ax.grid(axis="y", visible=False)
        ax.grid(axis="x", color="#e6e6e6")
        span = "gate-in to train departure" if d == "export" else "train arrival to gate-out"
        ax.set_title(f"{direction_title(run, d)}: {span}", fontsize=11, loc="left")
        groups = bars[d]
        if not groups:
            no_data(ax, f"{d} containers")
            continue
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
                        fontsize=8,
                        color="white",
                        fontweight="bold",
                    )
            left += widths[:, k]
        labels = []
        for i, (name, g) in enumerate(groups):
            ci = t_interval(g.groupby("replication")["total"].mean().to_numpy())
            pm = f" ± {ci.half_width:.1f}" if math.isfinite(ci.half_width) else ""
            labels.append(f"{name}\n{totals[i]:,.1f} h{pm}, {len(g):,} boxes")
        ax.set_yticks(y)
        ax.set_yticklabels(labels, fontsize=8)
        ax.invert_yaxis()
        if as_share:
            ax.set_xlim(0, 1)
            ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
            ax.set_xlabel(say("share of the mean stay at the hub (%); hours per stage in the bars"))
        else:
            ax.set_xlim(0, scale * 1.08)
            ax.set_xlabel(say("mean hours at the hub per container (h)"))
        ax.legend(loc="upper left", bbox_to_anchor=(0, -0.12), ncol=2, frameon=False, fontsize=8)
    footer(
        fig,
        run,
        "Containers created after warm-up that finished their stay before the end. Beside each "
        "bar: mean stay ± its 95 % CI over replications, and containers counted.",
    )
    return fig


def _groups(
    run: RunResult, mine: pd.DataFrame, corridors: list[str]
) -> list[tuple[str, pd.DataFrame]]:
    """The bars of one direction: all boxes, then FCL and LCL apart, of all corridors and of
    each (a kind of box a corridor does not carry gets no bar)."""
    if mine.empty:
        return []
    out = [("All corridors, all boxes", mine)]
    for name, part in [("All corridors", mine)] + [
        (corridor_label(run, c), mine.loc[mine["corridor"] == c]) for c in corridors
    ]:
        for kind, is_lcl in (("FCL", False), ("LCL", True)):
            boxes = part.loc[part["lcl"] == is_lcl]
            if len(boxes):
                out.append((f"{name}, {kind}", boxes))
    return out
