"""What a report says first: the findings that matter, computed from the results, and the
KPIs grouped by theme.

:func:`run_findings` gives three to five plain sentences about a run — how much went
through, how long import clearance took, what limits capacity (the bottleneck rule of
:mod:`sim.results.health`), whether the run reached a steady state and what the subsidy
cost — each with its 95 % confidence interval. :func:`compare_findings` says which headline
KPIs a what-if changed significantly — the key KPIs (those a sweep shows) first, then the
largest relative changes — and how the bottleneck and the stability of B differ from A's.
:func:`sweep_findings` says, for each key KPI of a sweep, at which points it is lowest and
highest, and which points are unstable. :func:`themed` groups KPI names by their family's
theme in the KPI registry (throughput, time, capacity, money, emissions, stability).

Every sentence is a template of :mod:`sim.results.i18n` (``finding.*``) and every heading a
theme's text there (``theme.*``), written in the language in force (:func:`~sim.results.i18n.
current`, as a report in Chinese sets it); numbers are written by the project's formatter
(:func:`sim.results.formatting.format_value`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

from sim.results.formatting import format_value
from sim.results.health import SATURATED, Health, diagnose
from sim.results.i18n import current, label
from sim.results.kpis import KPIS, headline
from sim.results.kpis.registry import THEMES, Theme
from sim.results.run import RunResult
from sim.results.runinfo import RunInfo
from sim.results.tables import rows_by

MONEY = ("cost.subsidy_cny", "cost.rail_discount_cny")
"""The public money a run's findings name (when any was spent)."""
MAX_CHANGES = 4
"""How many significant changes a comparison's findings name."""


def _value(row: Mapping[str, Any], unit: str, *, with_unit: bool = False) -> tuple[str, str]:
    """A summary row's mean and half-width, as the formatter writes them."""
    mean = format_value(float(row["mean"]), unit, with_unit=with_unit)
    hw = float(row["half_width"])
    return mean, format_value(hw, unit, with_unit=with_unit) if math.isfinite(hw) else "–"


def resource_text(where: str, info: RunInfo | None) -> str:
    """A hub resource's label from its scope (the scope itself if the run does not know it)."""
    built = info.resource(where) if info is not None else None
    return built.label(current()) if built is not None else where


def run_findings(run: RunResult) -> list[str]:
    """Three to five sentences on a run: throughput, import clearance, capacity, stability
    (and cargo turned away), money — each said only when the run has its KPIs."""
    rows = rows_by(run.summary)
    info = run.info
    out: list[str] = []
    if "teu.total" in rows:
        teu, teu_hw = _value(rows["teu.total"], "TEU")
        text = label(
            "finding.throughput",
            teu=teu,
            teu_hw=teu_hw,
            hub=info.hub.label(current()),
            start=info.start,
            end=info.end,
        )
        if "trains.total" in rows:
            trains, trains_hw = _value(rows["trains.total"], "trains")
            text += label("finding.trains", trains=trains, trains_hw=trains_hw)
        out.append(text)
    if "clearance_h.import.mean" in rows:
        mean, hw = _value(rows["clearance_h.import.mean"], "h")
        text = label("finding.clearance", mean=mean, hw=hw)
        if "clearance_h.import.p90" in rows:
            p90, _ = _value(rows["clearance_h.import.p90"], "h")
            text += label("finding.clearance_p90", p90=p90)
        out.append(text)
    health = diagnose(run.kpi_means(), info)
    capacity = capacity_finding(health, rows, info)
    if capacity:
        out.append(capacity)
    out.append(health.unstable_line() or label("finding.steady"))
    if health.turned_away_line():
        out.append(health.turned_away_line())
    spent = [float(rows[k]["mean"]) for k in MONEY if k in rows]
    if "cost.subsidy_cny" in rows and any(v != 0 for v in spent):
        subsidy, hw = _value(rows["cost.subsidy_cny"], "CNY", with_unit=True)
        text = label("finding.money", subsidy=subsidy, hw=hw)
        if "cost.rail_discount_cny" in rows:
            discount, discount_hw = _value(rows["cost.rail_discount_cny"], "CNY", with_unit=True)
            text += label("finding.discount", discount=discount, discount_hw=discount_hw)
        out.append(text)
    return out


def capacity_finding(health: Health, rows: Mapping[str, Mapping[str, Any]], info: RunInfo) -> str:
    """The bottleneck with its utilisation, or the busiest resource when none is near
    saturation (``""`` for a run without utilisation KPIs)."""
    if health.bottleneck is not None:
        where, _ = health.bottleneck
    else:
        busy = [
            (float(rows[f"utilisation.{r.where}"]["mean"]), r.where)
            for r in info.resources
            if f"utilisation.{r.where}" in rows
        ]
        busy = [b for b in busy if math.isfinite(b[0])]
        if not busy:
            return ""
        where = max(busy)[1]
    row = rows.get(f"utilisation.{where}")
    if row is None:
        return ""
    util, hw = _value(row, "share")
    key = "bottleneck" if health.bottleneck is not None else "no_bottleneck"
    return label(
        f"finding.{key}",
        resource=resource_text(where, info),
        util=util,
        hw=hw,
        saturated=f"{SATURATED:.0%}",
    )


def compare_findings(result: Any) -> list[str]:
    """Sentences on a comparison: how many headline KPIs changed significantly, the largest
    of those changes, a bottleneck that moves, and B's (and A's) stability notes."""
    a: RunResult = result.a
    b: RunResult = result.b
    table = rows_by(result.table)
    names = headline(list(table), a.info)
    n = int(result.table["n"].iloc[0]) if len(result.table) else 0
    changed = [name for name in names if bool(table[name]["significant"])]
    out = [
        label("finding.changed", k=len(changed), m=len(names), n=n)
        if changed
        else label("finding.unchanged", n=n)
    ]

    def relative(name: str) -> float:
        r = table[name]
        base = abs(float(r["a_mean"]))
        diff = abs(float(r["diff_mean"]))
        return diff / base if base > 0 else math.inf

    key = set(KPIS.select(names, "key", a.info))
    first = sorted(changed, key=lambda k: (k not in key, -relative(k), names.index(k)))
    for name in first[:MAX_CHANGES]:
        r = table[name]
        u = str(r["unit"])

        def diff(col: str, u: str = u, r: Mapping[str, Any] = r) -> str:
            return format_value(float(r[col]), u, signed=True, change=True)

        out.append(
            label(
                "finding.change",
                label=KPIS.label(name, a.info, current()),
                a=format_value(float(r["a_mean"]), u, with_unit=True),
                b=format_value(float(r["b_mean"]), u, with_unit=True),
                diff=diff("diff_mean"),
                low=diff("diff_low"),
                high=diff("diff_high"),
            )
        )
    ha, hb = diagnose(a.kpi_means(), a.info), diagnose(b.kpi_means(), b.info)
    where_a = ha.bottleneck[0] if ha.bottleneck is not None else None
    where_b = hb.bottleneck[0] if hb.bottleneck is not None else None
    if where_a != where_b:
        none = label("finding.bottleneck_none")
        out.append(
            label(
                "finding.bottleneck_moves",
                a=resource_text(where_a, a.info) if where_a else none,
                b=resource_text(where_b, b.info) if where_b else none,
            )
        )
    for side, health in (("A: ", ha), ("B: ", hb)):
        lines = (health.unstable_line(), health.turned_away_line())
        out += [side + line for line in lines if line]
    return out


def themed(names: Iterable[str]) -> list[tuple[Theme, str, list[str]]]:
    """``names`` grouped by theme, in theme order, each with its heading; themes without a
    KPI left out (names no family has are left out too)."""
    groups = KPIS.by_theme(names)
    return [(t, label(f"theme.{t}"), groups[t]) for t in THEMES if groups[t]]


def sweep_findings(sweep: Any, names: list[str], info: RunInfo | None) -> list[str]:
    """Sentences on a sweep: for each of ``names`` (its key KPIs), the points where it is
    lowest and highest, and which points are unstable."""
    summary = sweep.summary
    levers = {k: text for k, text, _ in sweep.point_means()}
    out = []
    for name in names:
        rows = summary[summary["kpi"] == name]
        means = dict(zip(rows["point"].astype(int), rows["mean"].astype(float), strict=True))
        finite = {k: v for k, v in means.items() if math.isfinite(v)}
        if not finite:
            continue
        u = KPIS.unit(name)
        name_text = KPIS.label(name, info, current())
        low = min(finite, key=lambda k: (finite[k], k))
        high = max(finite, key=lambda k: (finite[k], -k))
        if finite[low] == finite[high]:
            value = format_value(finite[low], u, with_unit=True)
            out.append(label("finding.sweep_flat", label=name_text, value=value))
            continue
        out.append(
            label(
                "finding.sweep_range",
                label=name_text,
                low=format_value(finite[low], u, with_unit=True),
                low_point=low,
                low_levers=levers[low],
                high=format_value(finite[high], u, with_unit=True),
                high_point=high,
                high_levers=levers[high],
            )
        )
    unstable = [
        k for k, _, means in sweep.point_means() if not diagnose(means, sweep.run(k).info).steady
    ]
    if unstable:
        out.append(
            label(
                "finding.sweep_unstable",
                k=len(unstable),
                m=len(levers),
                points=", ".join(str(k) for k in unstable),
            )
        )
    else:
        out.append(label("finding.sweep_steady"))
    return out
