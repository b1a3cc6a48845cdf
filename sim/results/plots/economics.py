"""What a TEU costs and emits door to door on each corridor, against the competing route."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from sim.results.i18n import say
from sim.results.kpis.measures import delivered_accounts
from sim.results.plots.labels import corridor_label
from sim.results.plots.style import NOTEBOOK_WIDTH, footer, new_figure, no_data, styled
from sim.results.plots.timeaxis import as_str
from sim.results.run import RunResult

COST_PARTS = {
    "rail_cny": ("rail tariff after discount", "#1f5fa6"),
    "sea_cny": ("sea freight", "#2a9d8f"),
    "drayage_cny": ("truck haul to and from the hub", "#8c6d46"),
    "toll_cny": ("tolls paid", "#c9a66b"),
    "handling_cny": ("handling and port charges", "#8e5ea2"),
    "storage_cny": ("yard storage", "#f0a830"),
    "time_cny": ("value of time, door to door", "#bdbdbd"),
}
"""The shipper's door-to-door cost of a box, by part (columns of the containers table)."""
SUBSIDY = ("operating subsidy (less to pay)", "#7f9f7f")
ROAD = ("competing route: price and value of time", "#d62728")
PUBLIC = ("public money: subsidy, rail discount, tolls waived", "#555555")
CO2E_PARTS = {
    "co2e_drayage_kg": ("truck legs", "#8c6d46"),
    "co2e_rail_kg": ("rail legs", "#1f5fa6"),
    "co2e_sea_kg": ("sea leg", "#2a9d8f"),
}


def per_teu_parts(run: RunResult, columns: list[str]) -> pd.DataFrame:
    """Per corridor, each column's sum per TEU over the boxes delivered in the window,
    computed replication by replication and averaged, as the KPIs are (so
    ``door_cny``'s value is ``cost.per_teu.<corridor>``)."""
    d = delivered_accounts(run.containers, run.info.horizon_h)
    if d.empty:
        return pd.DataFrame(columns=["corridor", *columns])
    d = d.assign(corridor=as_str(d["corridor"]))
    sums = d.groupby(["corridor", "replication"])[[*columns, "teu"]].sum()
    per = sums[columns].div(sums["teu"], axis=0)
    return per.groupby(level="corridor").mean().reset_index()


def _corridor_rows(run: RunResult, table: pd.DataFrame) -> list[tuple[str, pd.Series]]:
    by_name = {str(r["corridor"]): r for _, r in table.iterrows()}
    return [(c, by_name[c]) for c in run.info.corridor_names if c in by_name]


def _bar_labels(ax: Axes, y: np.ndarray, ends: np.ndarray, values: np.ndarray, unit: str) -> None:
    """Each bar's value written just right of where the bar ends."""
    right = float(ends.max()) if len(ends) else 0.0
    for yi, end, v in zip(y, ends, values, strict=True):
        ax.text(end + 0.01 * right, yi, f"{v:,.0f} {unit}", va="center", fontsize=8.5)


@styled
def cost_breakdown(run: RunResult) -> Figure:
    """Door-to-door cost and CO₂e per TEU by corridor, by rail and by the competing route.

    Left: the shipper's cost per TEU by rail split into its parts — the subsidy drawn left of
    zero, as it lowers what the shipper pays — beside the competing route's price and value
    of time, and the public money each TEU by rail takes. Right: CO₂e per TEU by rail, by
    truck, rail and sea legs, beside the same cargo by the competing route. Boxes delivered
    in the window, as the ``cost.*_per_teu`` and ``co2e.*`` KPIs count them.
    """
    money = [*COST_PARTS, "subsidy_cny", "road_cny", "public_cny", "door_cny"]
    carbon = [*CO2E_PARTS, "road_co2e_kg", "co2e_kg"]
    cost = per_teu_parts(run, money)
    co2e = per_teu_parts(run, carbon)
    fig = new_figure(NOTEBOOK_WIDTH, 6.0)
    ax_cost, ax_co2 = fig.subplots(1, 2, gridspec_kw={"width_ratios": [3, 2]})
    fig.suptitle(
        say("What a TEU costs and emits door to door: by rail, and by the competing route")
    )
    rows = _corridor_rows(run, cost)
    if not rows:
        no_data(ax_cost, say("boxes delivered by rail"))
        no_data(ax_co2, say("boxes delivered by rail"))
        footer(fig, run)
        return fig
    labels = []
    for i, (c, r) in enumerate(rows):
        y = 3 * i
        left = 0.0
        for col, (name, colour) in COST_PARTS.items():
            ax_cost.barh(
                y, r[col], left=left, color=colour, height=0.8, label=name if i == 0 else None
            )
            left += float(r[col])
        ax_cost.barh(y, -r["subsidy_cny"], color=SUBSIDY[1], height=0.8, hatch="//",
                     label=SUBSIDY[0] if i == 0 else None)  # fmt: skip
        ax_cost.barh(
            y + 1, r["road_cny"], color=ROAD[1], height=0.8, label=ROAD[0] if i == 0 else None
        )
        ax_cost.barh(y + 2, r["public_cny"], color=PUBLIC[1], height=0.5,
                     label=PUBLIC[0] if i == 0 else None)  # fmt: skip
        values = np.array([r["door_cny"], r["road_cny"], r["public_cny"]], dtype=float)
        ends = np.array([left, r["road_cny"], r["public_cny"]], dtype=float)
        _bar_labels(ax_cost, np.array([y, y + 1, y + 2]), ends, values, "CNY")
        labels += [f"{corridor_label(run, c, short=True)}\nby rail", "by road", "public money"]
    ax_cost.set_yticks(np.arange(3 * len(rows)))
    ax_cost.set_yticklabels(labels, fontsize=8.5)
    ax_cost.invert_yaxis()
    ax_cost.axvline(0, color="k", lw=0.8)
    ax_cost.set_xlabel(say("CNY per TEU (door to door; the subsidy left of zero)"))
    ax_cost.legend(loc="upper left", bbox_to_anchor=(0, -0.12), ncol=2, frameon=False, fontsize=8)

    if co2e["co2e_kg"].isna().all():
        no_data(ax_co2, say("CO₂e (the scenario has no emissions)"))
    else:
        rows = _corridor_rows(run, co2e)
        labels = []
        for i, (c, r) in enumerate(rows):
            y = 2 * i
            left = 0.0
            for col, (name, colour) in CO2E_PARTS.items():
                ax_co2.barh(
                    y, r[col], left=left, color=colour, height=0.8, label=name if i == 0 else None
                )
                left += float(r[col])
            ax_co2.barh(y + 1, r["road_co2e_kg"], color=ROAD[1], height=0.8,
                        label=say("competing route") if i == 0 else None)  # fmt: skip
            values = np.array([r["co2e_kg"], r["road_co2e_kg"]], dtype=float)
            _bar_labels(ax_co2, np.array([y, y + 1]), values, values, "kg")
            labels += [f"{corridor_label(run, c, short=True)}\nby rail", "by road"]
        ax_co2.set_yticks(np.arange(2 * len(rows)))
        ax_co2.set_yticklabels(labels, fontsize=8.5)
        ax_co2.invert_yaxis()
        ax_co2.set_xlabel(say("kg CO₂e per TEU, well-to-wheel"))
        ax_co2.legend(
            loc="upper left", bbox_to_anchor=(0, -0.12), ncol=1, frameon=False, fontsize=8
        )
    for ax in (ax_cost, ax_co2):
        ax.grid(axis="y", visible=False)
        ax.margins(x=0.18)
    footer(
        fig,
        run,
        "Boxes delivered after warm-up, per TEU, mean over replications. Competing route: "
        "its price and value of time over its transit; CO₂e of its road distance (and sea leg).",
    )
    return fig
