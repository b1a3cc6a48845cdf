"""The documents of experiments: a comparison of two scenarios and a sweep of levers."""

from __future__ import annotations

import json
import math
from typing import Any

import pandas as pd

from sim.results.formatting import format_lever_value, format_value, shown_unit
from sim.results.health import diagnose
from sim.results.i18n import current, label, unit_text
from sim.results.kpis import KPIS, headline
from sim.results.kpis.recovery import recovery_rows
from sim.results.plots.labels import kpi_label, lever_label
from sim.results.report.document import (
    Document,
    Figures,
    Table,
    as_json,
    as_yaml,
    health_notes,
    period_text,
    plus_minus,
    provenance_facts,
)
from sim.results.report.findings import compare_findings, sweep_findings, themed
from sim.results.run import RunResult
from sim.results.runinfo import Provenance, RunInfo
from sim.results.tables import rows_by


def _compare_table(result: Any, names: list[str], table_id: str) -> Table:
    t = result.table.set_index("kpi")
    a = result.a if isinstance(result.a, RunResult) else None
    rows, keys = [], []
    for name in names:
        if name not in t.index:
            continue
        r = t.loc[name]
        u = str(r["unit"])

        narrowing = float(r["narrowing"]) if "narrowing" in r.index else math.nan
        rows.append(
            [
                kpi_label(name, a),
                unit_text(shown_unit(u)),
                plus_minus(float(r["a_mean"]), float(r["a_half_width"]), u),
                plus_minus(float(r["b_mean"]), float(r["b_half_width"]), u),
                format_value(float(r["diff_mean"]), u, signed=True, change=True),
                f"{format_value(float(r['diff_low']), u, signed=True, change=True)} – "
                f"{format_value(float(r['diff_high']), u, signed=True, change=True)}",
                label("word.yes") if bool(r["significant"]) else label("word.no"),
                f"{narrowing:.0%}" if math.isfinite(narrowing) else "–",
            ]
        )
        keys.append(name)
    return Table(
        table_id,
        [
            label(f"column.{c}")
            for c in (
                "kpi",
                "unit",
                "a_mean",
                "b_mean",
                "diff",
                "diff_interval",
                "significant",
                "narrowing",
            )
        ],
        rows,
        [False, False, True, True, True, True, False, True],
        keys,
    )


SAME_IN_FACTS = ("name", "description")
"""Scenario fields the facts already show: left out of the changes."""


def scenario_changes(a: Any, b: Any, path: str = "") -> list[tuple[str, Any, Any]]:
    """(dotted path, A's value, B's value) of every field the two scenarios (as resolved)
    set differently, in A's order then B's; mappings and lists of the same length are
    compared item by item (``demand.flows[2].rate_teu_per_week``), a field only one has
    is None on the other side."""
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for key in dict.fromkeys([*a, *b]):
            if not path and key in SAME_IN_FACTS:
                continue
            sub = f"{path}.{key}" if path else str(key)
            out += scenario_changes(a.get(key), b.get(key), sub)
        return out
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return [c for i, (x, y) in enumerate(zip(a, b, strict=True))
                for c in scenario_changes(x, y, f"{path}[{i}]")]
    return [] if a == b else [(path, a, b)]


def _setting(value: Any, path: str) -> str:
    """A scenario value on one line (``–`` when the scenario does not set it; a share as a
    percentage)."""
    if value is None:
        return "–"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, default=str)
    return format_lever_value(path, value)


def changes_table(a: RunResult, b: RunResult) -> tuple[str, Table]:
    """What B sets differently from A, as an intro and a table (field, A, B)."""
    rows = [
        [p, _setting(x, p), _setting(y, p)] for p, x, y in scenario_changes(a.scenario, b.scenario)
    ]
    intro = (
        label("report.changes_intro", a=a.name, b=b.name)
        if rows
        else label("report.changes_none")
    )
    columns = [label("column.field"), "A", "B"]
    return intro, Table("changes-table", columns, rows, [False, True, True], [])


def _arm_line(run: RunResult) -> str:
    return f"{run.name} — {run.info.description}".rstrip(" —")


def compare_document(result: Any, figures: Figures) -> Document:
    a, b = result.a, result.b
    p = Provenance.of(result.manifest)
    names = [str(k) for k in result.table["kpi"]]
    heads = headline(names, a.info)
    n = int(result.table["n"].iloc[0]) if len(result.table) else 0
    facts = [
        ("A", _arm_line(a)),
        ("B", _arm_line(b)),
        (label("fact.period"), period_text(a.info)),
        (label("fact.replications"), label("fact.paired", n=n)),
        (label("fact.seed"), str(p.seed)),
        *provenance_facts(p, result.path),
    ]
    return Document(
        kind="compare",
        title=label("report.compare_title", hub=a.info.hub.label(current()), a=a.name, b=b.name),
        facts=facts,
        intro=label("report.compare_intro"),
        headline=_compare_table(result, heads, "kpi-table"),
        full=_compare_table(result, names, "kpi-table-all"),
        figures=figures,
        appendices=[
            ("scenario-a", label("report.scenario_a", name=a.name), as_yaml(a.scenario), "yaml"),
            ("manifest", label("report.manifest"), as_json(result.manifest), "json"),
        ],
        notes=[
            line
            for line in health_notes(a, "A: ") + health_notes(b, "B: ")
            if ": Bottleneck:" in line
        ],
        sections=_recovery_sections(result),
        findings=compare_findings(result),
        groups=[
            (theme, heading, _compare_table(result, group, f"kpi-table-{theme}"))
            for theme, heading, group in themed(heads)
        ],
        changes=changes_table(a, b),
    )


def _recovery_sections(result: Any) -> list[tuple[str, str, str, Table]]:
    """The recovery table of a comparison whose B has disruptions (none otherwise)."""
    summary = getattr(result, "recovery_summary", None)
    if summary is None:
        return []
    rows = []
    for _, r in recovery_rows(summary).iterrows():
        rows.append(
            [
                str(r["disruption"]).replace("_", " "),
                str(r["corridor"]).replace("_", " "),
                format_value(float(r["teu_delayed"]), "TEU"),
                format_value(float(r["extra_h_per_delayed_teu"]), "h"),
                format_value(float(r["peak_backlog_teu"]), "TEU"),
                plus_minus(float(r["recovery_h"]), float(r["recovery_h_hw"]), "h"),
                f"{float(r['recovered']):.0%}",
                f"{format_value(float(r['trains_held']), 'trains')} / "
                f"{format_value(float(r['trains_cancelled']), 'trains')}",
                format_value(float(r["sailings_cancelled"]), "sailings"),
                format_value(float(r["turned_away_teu"]), "TEU", signed=True, change=True),
                format_value(float(r["cost_cny"]), "CNY"),
            ]
        )
    heads = (
        "disruption",
        "corridor",
        "teu_delayed",
        "h_per_delayed",
        "peak_extra_backlog",
        "time_to_recover",
        "recovered",
        "trains",
        "sailings",
        "extra_turned_away",
        "cost_paren",
    )
    table = Table(
        "recovery-table",
        [label(f"recovery.{key}") for key in heads],
        rows,
        [False, False, True, True, True, True, True, True, True, True, True],
        [],
    )
    return [("recovery", label("recovery.heading"), label("recovery.intro"), table)]


# ------------------------------------------------------------------------------ sweeps


def sweep_info(sweep: Any) -> RunInfo | None:
    """The run metadata of a sweep's first point (its corridors and resources are every
    point's), or None for a sweep without points."""
    points = [int(k) for k in sweep.points["point"]]
    return sweep.run(min(points)).info if points else None


def sweep_kpis(sweep: Any) -> list[str]:
    """The key KPIs of a sweep: its table's columns and its response curves."""
    present = list(dict.fromkeys(str(k) for k in sweep.summary["kpi"]))
    return KPIS.select(present, "key", sweep_info(sweep))


def _levers(sweep: Any) -> list[str]:
    return [str(c) for c in sweep.points.columns if c != "point"]


def _sweep_tables(sweep: Any) -> tuple[Table, Table]:
    summary: pd.DataFrame = sweep.summary
    levers = _levers(sweep)
    info = sweep_info(sweep)
    names = sweep_kpis(sweep)
    units = dict(zip(summary["kpi"], summary["unit"], strict=False))
    rows = []
    for point in sweep.points.to_dict("records"):
        k = int(point["point"])
        cells = [str(k), *[format_lever_value(lv, point[lv]) for lv in levers]]
        here = rows_by(summary[summary["point"] == k])
        for name in names:
            if name in here:
                r = here[name]
                cells.append(plus_minus(float(r["mean"]), float(r["half_width"]), str(units[name])))
            else:
                cells.append("–")
        rows.append(cells)
    head = Table(
        "kpi-table",
        [
            label("column.point"),
            *[lever_label(lv) for lv in levers],
            *[f"{kpi_label(n, info)} ({unit_text(shown_unit(str(units[n])))})" for n in names],
        ],
        rows,
        [True] * (1 + len(levers) + len(names)),
        [],
    )
    full_rows = [
        [
            str(int(r["point"])),
            *[format_lever_value(lv, r[lv]) for lv in levers],
            kpi_label(str(r["kpi"]), info),
            unit_text(shown_unit(str(r["unit"]))),
            format_value(float(r["mean"]), str(r["unit"])),
            format_value(float(r["half_width"]), str(r["unit"])),
            str(int(r["n"])),
        ]
        for _, r in summary.iterrows()
    ]
    full = Table(
        "kpi-table-all",
        [
            label("column.point"),
            *[lever_label(lv) for lv in levers],
            *[label(f"column.{c}") for c in ("kpi", "unit", "mean", "half_width", "n")],
        ],
        full_rows,
        [True] * (1 + len(levers)) + [False, False, True, True, True],
        [str(k) for k in summary["kpi"]],
    )
    return head, full


def sweep_document(sweep: Any, figures: Figures) -> Document:
    p = Provenance.of(sweep.manifest)
    head, full = _sweep_tables(sweep)
    info = sweep_info(sweep)
    port = info.hub.label(current()) if info is not None else "landport"
    levers = _levers(sweep)
    facts = [
        (label("fact.scenario"), p.scenario or "–"),
        (label("fact.scenario_file"), p.scenario_file or "–"),
        (label("fact.levers"), ", ".join(levers)),
        (label("fact.points"), str(len(sweep.points))),
        (label("fact.replications"), str(p.replications)),
        (label("fact.seed"), str(p.seed)),
        *provenance_facts(p, sweep.path),
    ]
    return Document(
        kind="sweep",
        title=label("report.sweep_title", hub=port, name=p.scenario or ""),
        facts=facts,
        intro=label("report.sweep_intro"),
        headline=head,
        full=full,
        figures=figures,
        appendices=[("manifest", label("report.manifest"), as_json(sweep.manifest), "json")],
        findings=sweep_findings(sweep, sweep_kpis(sweep), info),
        notes=[
            f"point {k} ({label}): {line}"
            for k, label, means in sweep.point_means()
            for line in diagnose(means, sweep.run(k).info).lines()
        ],
    )


def varying_levers(sweep: Any) -> list[str]:
    """The levers whose value differs between the sweep's points."""
    points = sweep.points
    return [str(c) for c in points.columns if c != "point" and points[c].nunique() > 1]
