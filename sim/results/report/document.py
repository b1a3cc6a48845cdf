"""What a report says, whatever its format: the document model, and the document of a run.

A :class:`Document` holds the title, facts (scenario, period, seed, provenance), notes on the
run's health, the headline and full KPI tables as formatted text, the figures and the
appendices (the scenario as resolved, the manifest). :mod:`sim.results.report.render` writes
it as HTML or Markdown from templates. Values are written by the project's one formatter
(:func:`sim.results.formatting.format_value`), KPI names and their order come from the KPI
registry (:mod:`sim.results.kpis`).

A comparison and a sweep are recognised by their attributes (``a``/``b``/``table``,
``points``/``summary``), so this package needs nothing from the experiment layer; their
documents are in :mod:`sim.results.report.experiments`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from sim.results.formatting import format_lever_value, format_value, shown_unit
from sim.results.health import diagnose
from sim.results.i18n import current, label, unit_text
from sim.results.kpis import headline
from sim.results.plots.labels import kpi_label
from sim.results.published import PUBLISHED_2023, SOURCE, TOLERANCE, WINDOW
from sim.results.report.findings import run_findings, themed
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
    sections: list[tuple[str, str, str, Table]] = field(default_factory=list)
    """(id, heading, intro, table): further tables after the KPIs (recovery from
    disruptions)."""
    findings: list[str] = field(default_factory=list)
    """The executive summary: the findings that matter, in plain sentences
    (:mod:`sim.results.report.findings`)."""
    groups: list[tuple[str, str, Table]] = field(default_factory=list)
    """(theme, heading, table): the headline KPIs by theme, shown instead of the one
    headline table when there are any."""
    changes: tuple[str, Table] | None = None
    """(intro, table): what a comparison's B sets differently from A."""
    lang: str = field(default_factory=current)
    """The language it is written in (``en``, ``zh``): the one in force when it was made."""


def result_kind(result: Any) -> str:
    """``run``, ``compare``, ``sweep``, ``sensitivity`` or ``optimise``: what ``sim.run``,
    ``sim.compare``, ``sim.sweep``, ``sim.sensitivity`` and ``sim.optimise`` give."""
    if isinstance(result, RunResult):
        return "run"
    if all(hasattr(result, a) for a in ("spec", "ranking", "sweep")):
        return "sensitivity"
    if all(hasattr(result, a) for a in ("spec", "answer", "evaluations")):
        return "optimise"
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
                unit=unit_text(shown_unit(u)),
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


def kpi_table(rows: list[KpiRow], table_id: str) -> Table:
    return Table(
        table_id,
        [
            label(f"column.{c}")
            for c in (
                "kpi",
                "unit",
                "mean",
                "half_width",
                "interval",
                "n",
                "published",
                "vs_published",
            )
        ],
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


def period_text(info: RunInfo) -> str:
    return label("fact.period_text", start=info.start, end=info.end, warmup=f"{info.warmup_days:g}")


def provenance_facts(
    p: Provenance, folder: Path | None, folder_label: str | None = None
) -> list[tuple[str, str]]:
    """The facts every report ends with: overrides, commit, time made, wall time, folder."""
    wall = "–"
    if p.wall_s is not None:
        wall = f"{p.wall_s:.1f} s" + (
            ", " + label("fact.events", n=f"{p.events:,}") if p.events else ""
        )
    overrides = ", ".join(f"{k}={format_lever_value(k, v)}" for k, v in p.overrides.items())
    return [
        (label("fact.overrides"), overrides or label("fact.none")),
        (label("fact.git_commit"), p.git_commit or "–"),
        (label("fact.created"), p.created_at or "–"),
        (label("fact.wall_time"), wall),
        (folder_label or label("fact.folder"), str(folder) if folder else "–"),
    ]


def _scenario_line(run: RunResult) -> str:
    return f"{run.name}" + (f" — {run.info.description}" if run.info.description else "")


def _run_facts(run: RunResult) -> list[tuple[str, str]]:
    p = Provenance.of(run.manifest)
    return [
        (label("fact.scenario"), _scenario_line(run)),
        (label("fact.period"), period_text(run.info)),
        (label("fact.replications"), str(p.replications)),
        (label("fact.seed"), str(p.seed)),
        (label("fact.scenario_hash"), p.scenario_hash or ""),
        (label("fact.scenario_file"), p.scenario_file or "–"),
        *provenance_facts(p, run.path, label("fact.run_folder")),
    ]


def plus_minus(mean: float, half_width: float, unit: str) -> str:
    """``mean ± half-width`` in the unit's format (the mean alone without a half-width)."""
    return format_value(mean, unit) + (
        f" ± {format_value(half_width, unit)}" if math.isfinite(half_width) else ""
    )


def health_notes(run: RunResult, label: str = "") -> list[str]:
    """The run's stability, bottleneck and turned-away cargo, in plain sentences."""
    return [label + line for line in diagnose(run.kpi_means(), run.info).lines()]


def as_yaml(data: Any) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def as_json(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False, default=str)


def run_document(run: RunResult, figures: Figures) -> Document:
    names = [str(k) for k in run.summary["kpi"]]
    heads = headline(names, run.info)
    return Document(
        kind="run",
        title=label("report.run_title", hub=run.info.hub.label(current()), name=run.name),
        facts=_run_facts(run),
        intro=label("report.run_intro", source=SOURCE),
        headline=kpi_table(kpi_rows(run, heads), "kpi-table"),
        full=kpi_table(kpi_rows(run), "kpi-table-all"),
        figures=figures,
        appendices=[
            ("scenario", label("report.scenario"), as_yaml(run.scenario), "yaml"),
            ("manifest", label("report.manifest"), as_json(run.manifest), "json"),
        ],
        findings=run_findings(run),
        groups=[
            (theme, heading, kpi_table(kpi_rows(run, group), f"kpi-table-{theme}"))
            for theme, heading, group in themed(heads)
        ],
    )
