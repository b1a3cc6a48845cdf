"""Figures of decision analysis: which estimates move a KPI (tornado, Morris, Sobol), and the
evidence behind the least set-up that meets a target."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from sim.results.i18n import say, text_or
from sim.results.plots.labels import kpi_label, lever_label
from sim.results.plots.style import new_figure, no_data, note, styled

VERDICT_COLOURS = {"meets": "#2a9d8f", "undecided": "#f0a830", "fails": "#d62728"}


def _rows(ranking: pd.DataFrame, kpi: str) -> pd.DataFrame:
    return ranking[ranking["kpi"] == kpi].sort_values("rank")


def _factor_names(rows: pd.DataFrame) -> list[str]:
    return [lever_label(str(f)) for f in rows["factor"]]


def _tornado(ax: Axes, rows: pd.DataFrame) -> None:
    base = float(rows["kpi_at_base"].iloc[0])
    y = np.arange(len(rows))
    lo, hi = rows["kpi_at_low"].to_numpy(float), rows["kpi_at_high"].to_numpy(float)
    ax.barh(
        y, lo - base, left=base, color="#1f5fa6", height=0.6, label=say("factor at its low end")
    )
    ax.barh(
        y, hi - base, left=base, color="#d62728", height=0.6, label=say("factor at its high end")
    )
    ax.axvline(base, color="k", lw=0.8)
    labels = [
        f"{name}\n[{r['low']:g} – {r['high']:g}]"
        for name, (_, r) in zip(_factor_names(rows), rows.iterrows(), strict=True)
    ]
    ax.set_yticks(y)
    ax.set_yticklabels(labels, fontsize=8.5)
    ax.invert_yaxis()
    ax.legend(loc="lower right", frameon=False, fontsize=8.5)
    ax.set_xlabel(say("KPI, others at the scenario's values (base {base})", base=f"{base:,.4g}"))


def _morris(ax: Axes, rows: pd.DataFrame) -> None:
    x, xe = rows["mu_star"].to_numpy(float), rows["mu_star_conf"].to_numpy(float)
    s = rows["sigma"].to_numpy(float)
    ax.errorbar(x, s, xerr=xe, fmt="o", color="#1f5fa6", ecolor="#9ab", capsize=3)
    top = float(np.nanmax([*(x + xe), *s, 1e-12]))
    quiet = []
    for name, xi, si in zip(_factor_names(rows), x, s, strict=True):
        if max(xi, si) < 0.02 * top:
            quiet.append(name)  # at the origin, where labels would overlap
            continue
        ax.annotate(name, (xi, si), textcoords="offset points", xytext=(5, 4), fontsize=8)
    if quiet:
        ax.text(0.99, 0.02, say("near 0: ") + ", ".join(quiet), transform=ax.transAxes,
                ha="right", fontsize=7.5, color="#555", wrap=True)  # fmt: skip
    ax.plot([0, top], [0, top], ls=":", color="grey", lw=0.8, label="σ = μ*")
    ax.set_xlim(left=0)
    ax.set_ylim(bottom=0)
    ax.set_xlabel(say("μ*: mean absolute elementary effect (bar: 95 % CI)"))
    ax.set_ylabel(say("σ: non-linearity and interactions"))
    ax.legend(loc="upper left", frameon=False, fontsize=8.5)


def _sobol(ax: Axes, rows: pd.DataFrame) -> None:
    y = np.arange(len(rows))
    for shift, col, colour, name in (
        (-0.18, "S1", "#1f5fa6", say("S1: alone")),
        (0.18, "ST", "#d62728", say("ST: with its interactions")),
    ):
        ax.barh(
            y + shift,
            rows[col].to_numpy(float),
            xerr=rows[f"{col}_conf"].to_numpy(float),
            height=0.34,
            color=colour,
            ecolor="#555",
            capsize=2,
            label=name,
        )
    ax.set_yticks(y)
    ax.set_yticklabels(_factor_names(rows), fontsize=8.5)
    ax.invert_yaxis()
    ax.set_xlim(left=min(0.0, float(np.nanmin(rows["S1"].to_numpy(float)))))
    ax.set_xlabel(say("share of the KPI's variance (bar: 95 % CI)"))
    ax.legend(loc="lower right", frameon=False, fontsize=8.5)


@styled
def sensitivity_chart(ranking: pd.DataFrame, kpi: str) -> Figure:
    """How much each factor moves ``kpi``, from a sensitivity analysis's ranked table: a
    tornado chart (one at a time), μ* against σ (Morris) or S1 and ST (Sobol), factors in
    rank order."""
    rows = _rows(ranking, kpi)
    fig = new_figure(10, 0.9 + 0.55 * max(len(rows), 3))
    ax = fig.subplots()
    title = {"oat": "one at a time", "morris": "Morris screening", "sobol": "Sobol indices"}
    method = str(rows["method"].iloc[0]) if len(rows) else ""
    named = say(title[method] if method else "no factors")
    fig.suptitle(
        say("What moves {kpi}: {named}\n{label}", kpi=kpi, named=named, label=kpi_label(kpi)),
        fontsize=11,
    )
    if rows.empty:
        no_data(ax, say("a ranking of {kpi}", kpi=kpi))
    elif method == "oat":
        _tornado(ax, rows)
    elif method == "morris":
        _morris(ax, rows)
    else:
        _sobol(ax, rows)
    note(
        fig,
        say("{kpi}: mean over each point's replications; all points share their seeds.", kpi=kpi),
    )
    return fig


@styled
def optimise_evidence(evaluations: pd.DataFrame, lever: str) -> Figure:
    """Each target's KPI at every set-up tried, mean and 95 % interval at its last round,
    against ``lever``, coloured by verdict, with the target marked."""
    targets = list(dict.fromkeys(evaluations["target"])) if len(evaluations) else []
    fig = new_figure(10, 3.2 * max(len(targets), 1))
    axes = np.atleast_1d(fig.subplots(max(len(targets), 1), 1))
    fig.suptitle(say("The least set-up that meets the target: the evidence"))
    if not targets:
        no_data(axes[0], say("set-ups tried"))
        return fig
    last = evaluations.groupby("candidate")["round"].transform("max")
    final = evaluations[evaluations["round"] == last]
    for ax, target in zip(axes, targets, strict=True):
        rows = final[final["target"] == target].sort_values(lever)
        for verdict, colour in VERDICT_COLOURS.items():
            mine = rows[rows["verdict"] == verdict]
            ax.errorbar(
                mine[lever],
                mine["mean"],
                yerr=mine["half_width"].fillna(0.0),
                fmt="o",
                color=colour,
                capsize=3,
                label=f"{text_or(f'verdict.{verdict}', verdict)} ({len(mine)})",
            )
        for _, r in rows.iterrows():
            ax.annotate(
                f"n={int(r['replications'])}",
                (r[lever], r["mean"]),
                textcoords="offset points",
                xytext=(4, -10),
                fontsize=7,
                color="#555",
            )
        kpi, _, value = str(target).partition(" ")
        level = float(value.split(" ")[-1])
        ax.axhline(level, color="k", ls="--", lw=1, label=say("target {target}", target=target))
        ax.set_xlabel(lever_label(lever))
        ax.set_ylabel(kpi_label(kpi))
        ax.legend(loc="best", frameon=False, fontsize=8)
    note(
        fig,
        say(
            "Mean and Student-t 95 % interval over each set-up's replications (n) at its last "
            "round; a set-up meets a target when its whole interval is on the target's side."
        ),
    )
    return fig
