"""What a report says, whatever its format: the document model of a run, comparison or sweep.

A :class:`Document` holds the title, facts (scenario, period, seed, provenance), notes on the
run's health, the headline and full KPI tables as formatted text, the figures and the
appendices (the scenario as resolved, the manifest). :mod:`sim.results.report.render` writes
it as HTML or Markdown from templates. Values are written by the project's one formatter
(:func:`sim.results.formatting.format_value`), KPI names and their order come from the KPI
registry (:mod:`sim.results.kpis`).

A comparison and a sweep are recognised by their attributes (``a``/``b``/``table``,
``points``/``summary``), so this module needs nothing from the experiment layer.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import yaml

from sim.results.formatting import format_lever, format_value, shown_unit
from sim.results.health import diagnose
from sim.results.kpis import KPIS, headline
from sim.results.plots.labels import kpi_label, lever_label
from sim.results.published import PUBLISHED_2023, SOURCE, TOLERANCE, WINDOW
from sim.results.run import RunResult
from sim.results.runinfo import Provenance, RunInfo
from sim.results.tables import rows_by

Figures = list[tuple[str, str, bytes]]
"""(name, caption, PNG bytes) of each figure, in report order."""


@dataclass(frozen=True)
class KpiRow:
    """One KPI, formatted for a report."""

    kpi: str
    label: str
    unit: str
    mean: str
    half_width: str
    interval: str
    n: int
    published: str
    versus_published: str


@dataclass
class Table:
    """A formatted table: header, rows of text cells, which columns are numbers, row keys."""

    id: str
    columns: list[str]
    rows: list[list[str]]
    numeric: list[bool]
    keys: list[str] = field(default_factory=list)
    """One per row (the KPI name), written as ``data-kpi`` in HTML; may be empty."""


@dataclass
class Document:
    """What a report says, whatever its format."""

    kind: str
    title: str
    facts: list[tuple[str, str]]
    intro: str
    headline: Table
    full: Table | None
    figures: Figures
    appendices: list[tuple[str, str, str, str]]
    """(id, heading, text, language) — the scenario as resolved, the manifest."""
    notes: list[str] = field(default_factory=list)
    """Whether the run reached a steady state, its bottleneck, cargo turned away."""


def result_kind(result: Any) -> str:
    """``run``, ``compare`` or ``sweep``: what ``sim.run``, ``sim.compare``, ``sim.sweep`` give."""
    if isinstance(result, RunResult):
        return "run"
    if all(hasattr(result, a) for a in ("a", "b", "table")):
        return "compare"
    if all(hasattr(result, a) for a in ("points", "summary", "kpis")):
        return "sweep"
    raise TypeError(f"cannot report on a {type(result).__name__}: expected a run, compare or sweep")


# ------------------------------------------------------------------------------ runs


def published_for(run: RunResult) -> dict[str, float]:
    """The published 2023 figures that compare with this run.

    Counts (trains run) cover 1 January – 31 August 2023, so they compare only with a run
    over exactly that window; mean clearance times are rates and compare with any run.
    """
    if (run.info.start, run.info.end) == WINDOW:
        return dict(PUBLISHED_2023)
    return {k: v for k, v in PUBLISHED_2023.items() if k.startswith("clearance_h.")}


def _interval(mean: float, half_width: float, unit: str) -> str:
    return f"{format_value(mean - half_width, unit)} – {format_value(mean + half_width, unit)}"


def kpi_rows(run: RunResult, names: Iterable[str] | None = None) -> list[KpiRow]:
    """Formatted rows of the KPI summary (all KPIs, or ``names`` in that order)."""
    summary = rows_by(run.summary)
    published = published_for(run)
    order = list(summary) if names is None else [n for n in names if n in summary]
    rows = []
    for name in order:
        r = summary[name]
        u = str(r["unit"])
        n = int(r["n"])
        mean = float(r["mean"])
        hw = float(r["half_width"])
        pub = published.get(name)
        versus = ""
        if pub is not None and pub != 0 and math.isfinite(mean):
            rel = (mean - pub) / pub
            mark = " ✓" if abs(rel) <= TOLERANCE[name] else " ✗"
            versus = f"{rel:+.1%}{mark}"
        spread = n > 1 and math.isfinite(hw)
        rows.append(
            KpiRow(
                kpi=name,
                label=kpi_label(name, run),
                unit=shown_unit(u),
                mean=format_value(mean, u),
                half_width=format_value(hw, u) if spread else "–",
                interval=(
                    f"{format_value(float(r['low']), u)} – {format_value(float(r['high']), u)}"
                    if spread
                    else "–"
                ),
                n=n,
                published="" if pub is None else format_value(pub, u),
                versus_published=versus,
            )
        )
    return rows


def _kpi_table(rows: list[KpiRow], table_id: str) -> Table:
    return Table(
        table_id,
        ["KPI", "unit", "mean", "± 95 % CI", "95 % CI", "n", "published 2023", "vs published"],
        [
            [
                r.label,
                r.unit,
                r.mean,
                r.half_width,
                r.interval,
                str(r.n),
                r.published,
                r.versus_published,
            ]
            for r in rows
        ],
        [False, False, True, True, True, True, True, True],
        [r.kpi for r in rows],
    )


def _period(info: RunInfo) -> str:
    return (
        f"{info.start} to {info.end} "
        f"(warm-up of {info.warmup_days:g} days before, not in the statistics)"
    )


def _overrides(p: Provenance) -> str:
    return ", ".join(f"{k}={v}" for k, v in p.overrides.items()) or "none"


def _provenance(p: Provenance) -> list[tuple[str, str]]:
    wall = "–"
    if p.wall_s is not None:
        wall = f"{p.wall_s:.1f} s" + (f", {p.events:,} events" if p.events else "")
    return [
        ("Git commit", p.git_commit or "–"),
        ("Created", p.created_at or "–"),
        ("Wall time", wall),
    ]


def _scenario_line(run: RunResult) -> str:
    return f"{run.name}" + (f" — {run.info.description}" if run.info.description else "")


def _run_facts(run: RunResult) -> list[tuple[str, str]]:
    p = Provenance.of(run.manifest)
    return [
        ("Scenario", _scenario_line(run)),
        ("Period", _period(run.info)),
        ("Replications", str(p.replications)),
        ("Seed", str(p.seed)),
        ("Scenario hash", p.scenario_hash or ""),
        ("Scenario file", p.scenario_file or "–"),
        ("Overrides", _overrides(p)),
        *_provenance(p),
        ("Run folder", str(run.path) if run.path else "–"),
    ]


def health_notes(run: RunResult, label: str = "") -> list[str]:
    """The run's stability, bottleneck and turned-away cargo, in plain sentences."""
    return [label + line for line in diagnose(run.kpi_means(), run.info).lines()]


def _yaml(data: Any) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def _json(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False, default=str)


def _run_document(run: RunResult, figures: Figures) -> Document:
    names = [str(k) for k in run.summary["kpi"]]
    return Document(
        kind="run",
        title=f"Huaihua International Land Port — run report: {run.name}",
        facts=_run_facts(run),
        intro=(
            f"Published 2023 figures: {SOURCE}; train counts are shown only for a run over "
            "that period. ✓ / ✗: within / outside the calibration tolerance."
        ),
        headline=_kpi_table(kpi_rows(run, headline(names, run.info)), "kpi-table"),
        full=_kpi_table(kpi_rows(run), "kpi-table-all"),
        figures=figures,
        appendices=[
            ("scenario", "Scenario as resolved", _yaml(run.scenario), "yaml"),
            ("manifest", "Manifest", _json(run.manifest), "json"),
        ],
        notes=health_notes(run),
    )


# ------------------------------------------------------------------------------ comparisons


def _compare_table(result: Any, names: list[str], table_id: str) -> Table:
    t = result.table.set_index("kpi")
    a = result.a if isinstance(result.a, RunResult) else None
    rows, keys = [], []
    for name in names:
        if name not in t.index:
            continue
        r = t.loc[name]
        u = str(r["unit"])

        def pm(mean: float, hw: float, u: str = u) -> str:
            text = format_value(float(mean), u)
            return text + (f" ± {format_value(float(hw), u)}" if math.isfinite(hw) else "")

        narrowing = float(r["narrowing"]) if "narrowing" in r.index else math.nan
        rows.append(
            [
                kpi_label(name, a),
                shown_unit(u),
                pm(r["a_mean"], float(r["a_half_width"])),
                pm(r["b_mean"], float(r["b_half_width"])),
                format_value(float(r["diff_mean"]), u, signed=True, change=True),
                f"{format_value(float(r['diff_low']), u, signed=True, change=True)} – "
                f"{format_value(float(r['diff_high']), u, signed=True, change=True)}",
                "yes" if bool(r["significant"]) else "no",
                f"{narrowing:.0%}" if math.isfinite(narrowing) else "–",
            ]
        )
        keys.append(name)
    return Table(
        table_id,
        [
            "KPI",
            "unit",
            "A: mean ± 95 % CI",
            "B: mean ± 95 % CI",
            "B − A",
            "95 % CI of B − A",
            "significant",
            "CI narrowed by pairing",
        ],
        rows,
        [False, False, True, True, True, True, False, True],
        keys,
    )


def _arm_line(run: RunResult) -> str:
    return f"{run.name} — {run.info.description}".rstrip(" —")


def _compare_document(result: Any, figures: Figures) -> Document:
    a, b = result.a, result.b
    p = Provenance.of(result.manifest)
    names = [str(k) for k in result.table["kpi"]]
    n = int(result.table["n"].iloc[0]) if len(result.table) else 0
    facts = [
        ("A", _arm_line(a)),
        ("B", _arm_line(b)),
        ("Period", _period(a.info)),
        ("Replications", f"{n}, paired: replication r of A and of B share their seeds"),
        ("Seed", str(p.seed)),
        ("Overrides", _overrides(p)),
        *_provenance(p),
        ("Folder", str(result.path) if result.path else "–"),
    ]
    return Document(
        kind="compare",
        title=f"Huaihua International Land Port — comparison: {b.name} against {a.name}",
        facts=facts,
        intro=(
            "B − A is the mean of the paired differences over replications, with its Student-t "
            "95 % interval; significant when the interval excludes 0. The last column says how "
            "much narrower that interval is than with independent seeds."
        ),
        headline=_compare_table(result, headline(names, a.info), "kpi-table"),
        full=_compare_table(result, names, "kpi-table-all"),
        figures=figures,
        appendices=[
            ("scenario-a", f"Scenario A as resolved: {a.name}", _yaml(a.scenario), "yaml"),
            ("scenario-b", f"Scenario B as resolved: {b.name}", _yaml(b.scenario), "yaml"),
            ("manifest", "Manifest", _json(result.manifest), "json"),
        ],
        notes=health_notes(a, "A: ") + health_notes(b, "B: "),
    )


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


def _pm(mean: float, half_width: float, unit: str) -> str:
    return format_value(mean, unit) + (
        f" ± {format_value(half_width, unit)}" if math.isfinite(half_width) else ""
    )


def _sweep_tables(sweep: Any) -> tuple[Table, Table]:
    summary: pd.DataFrame = sweep.summary
    levers = _levers(sweep)
    info = sweep_info(sweep)
    names = sweep_kpis(sweep)
    units = dict(zip(summary["kpi"], summary["unit"], strict=False))
    rows = []
    for point in sweep.points.to_dict("records"):
        k = int(point["point"])
        cells = [str(k), *[format_lever(point[lv]) for lv in levers]]
        here = rows_by(summary[summary["point"] == k])
        for name in names:
            if name in here:
                r = here[name]
                cells.append(_pm(float(r["mean"]), float(r["half_width"]), str(units[name])))
            else:
                cells.append("–")
        rows.append(cells)
    head = Table(
        "kpi-table",
        [
            "point",
            *[lever_label(lv) for lv in levers],
            *[f"{kpi_label(n, info)} ({shown_unit(str(units[n]))})" for n in names],
        ],
        rows,
        [True] * (1 + len(levers) + len(names)),
        [],
    )
    full_rows = [
        [
            str(int(r["point"])),
            *[format_lever(r[lv]) for lv in levers],
            kpi_label(str(r["kpi"]), info),
            shown_unit(str(r["unit"])),
            format_value(float(r["mean"]), str(r["unit"])),
            format_value(float(r["half_width"]), str(r["unit"])),
            str(int(r["n"])),
        ]
        for _, r in summary.iterrows()
    ]
    full = Table(
        "kpi-table-all",
        ["point", *[lever_label(lv) for lv in levers], "KPI", "unit", "mean", "± 95 % CI", "n"],
        full_rows,
        [True] * (1 + len(levers)) + [False, False, True, True, True],
        [str(k) for k in summary["kpi"]],
    )
    return head, full


def _sweep_document(sweep: Any, figures: Figures) -> Document:
    p = Provenance.of(sweep.manifest)
    head, full = _sweep_tables(sweep)
    levers = _levers(sweep)
    facts = [
        ("Scenario", p.scenario or "–"),
        ("Scenario file", p.scenario_file or "–"),
        ("Levers", ", ".join(levers)),
        ("Points", str(len(sweep.points))),
        ("Replications", str(p.replications)),
        ("Seed", str(p.seed)),
        ("Overrides", _overrides(p)),
        *_provenance(p),
        ("Folder", str(sweep.path) if sweep.path else "–"),
    ]
    return Document(
        kind="sweep",
        title=f"Huaihua International Land Port — sweep: {p.scenario or ''}",
        facts=facts,
        intro=(
            "Mean ± Student-t 95 % half-width over replications at every point; all points "
            "share their seeds (common random numbers), so differences between points are "
            "sharper than the intervals suggest."
        ),
        headline=head,
        full=full,
        figures=figures,
        appendices=[("manifest", "Manifest", _json(sweep.manifest), "json")],
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


def document(result: Any, figures: Figures) -> Document:
    """The report of a run, comparison or sweep, with its figures."""
    kind = result_kind(result)
    if kind == "run":
        return _run_document(result, figures)
    if kind == "compare":
        return _compare_document(result, figures)
    return _sweep_document(result, figures)
