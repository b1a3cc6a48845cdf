"""Reports: the KPI table with confidence intervals, every plot, the scenario as resolved and
the manifest, in one file a planner can open or mail.

``write_report(result, "html")`` writes ``report.html`` into the result's folder: one file,
images embedded as base64 PNG, no scripts, fonts or links to fetch, so it opens offline in
any browser. ``write_report(result, "md")`` writes ``report.md`` with its figures as PNG
files in ``report-figures/`` beside it. Files are written under a temporary name and renamed
into place, so a reader never sees half a report; writing again replaces the previous one.

A result is a run (KPI table, every run plot), a comparison from ``sim.compare`` (the paired
differences B − A with their intervals and the forest plot) or a sweep from ``sim.sweep``
(the KPIs at every point and the response curves). Comparisons and sweeps are recognised by
their attributes (``a``/``b``/``table``, ``points``/``summary``), so this module needs
nothing from the experiment layer. The folder's tables are never touched; a report is the one
thing added to a folder after it was written.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import io
import json
import math
import os
import re
import shutil
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from matplotlib.figure import Figure

from sim.results.health import diagnose
from sim.results.plots import (
    FOREST_KPIS,
    RUN_PLOTS,
    compare_forest,
    kpi_label,
    lever_label,
    sweep_response,
)
from sim.results.published import PUBLISHED_2023, SOURCE, TOLERANCE, WINDOW
from sim.results.run import RunResult
from sim.results.store import RunFolderError

FORMATS = ("html", "md")
REPORT_FILES = {"html": "report.html", "md": "report.md"}
FIGURES_DIR = "report-figures"
DPI = 100

HEADLINE_PATTERNS = (
    r"trains\.total",
    r"trains\.[a-z_]+",
    r"teu\.total",
    r"teu\.[a-z_]+\.(export|import)",
    r"teu_per_train\.mean",
    r"train_load_factor\.[a-z_]+",
    r"clearance_h\.(import|export)\.(mean|p90)",
    r"dwell_h\.[a-z_]+\.(import|export)\.mean",
    r"door_to_door_h\.(import|export)\.mean",
    r"utilisation\.[a-z_]+\.(customs\..+|yard|sidings|consolidation\.crews)",
    r"cost\.[a-z_]+",
)
"""KPIs of the headline table, in this order; every KPI is in the full table."""


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


def headline(names: Iterable[str]) -> list[str]:
    """The headline KPIs among ``names``, in :data:`HEADLINE_PATTERNS` order."""
    names = list(names)
    out: list[str] = []
    for pattern in HEADLINE_PATTERNS:
        rx = re.compile(pattern + r"$")
        out.extend(n for n in names if rx.match(n) and n not in out)
    return out


def _display_unit(kpi_unit: str) -> str:
    return {"CNY": "million CNY", "share": "%"}.get(kpi_unit, kpi_unit)


def format_value(value: float, kpi_unit: str, *, signed: bool = False) -> str:
    """A KPI value as a planner reads it: shares in %, money in million CNY."""
    if value is None or not math.isfinite(value):
        return "–"
    sign = "+" if signed and value != 0 else ""
    if kpi_unit == "share":
        return f"{value * 100:{sign},.1f}"
    if kpi_unit == "CNY":
        return f"{value / 1e6:{sign},.2f}"
    if kpi_unit in ("trains", "TEU", "containers") or abs(value) >= 1000:
        return f"{value:{sign},.0f}" if abs(value) >= 100 else f"{value:{sign},.1f}"
    if abs(value) < 1:
        return f"{value:{sign}.3f}"
    return f"{value:{sign},.2f}"


def published_for(run: RunResult) -> dict[str, float]:
    """The published 2023 figures that compare with this run.

    Counts (trains run) cover 1 January – 31 August 2023, so they compare only with a run
    over exactly that window; mean clearance times are rates and compare with any run.
    """
    s = run.scenario
    if (str(s.get("start")), str(s.get("end"))) == tuple(str(d) for d in WINDOW):
        return dict(PUBLISHED_2023)
    return {k: v for k, v in PUBLISHED_2023.items() if k.startswith("clearance_h.")}


def kpi_rows(run: RunResult, names: Iterable[str] | None = None) -> list[KpiRow]:
    """Formatted rows of the KPI summary (all KPIs, or ``names`` in that order)."""
    summary = run.summary.set_index("kpi")
    published = published_for(run)
    order = list(summary.index) if names is None else [n for n in names if n in summary.index]
    rows = []
    for name in order:
        r = summary.loc[name]
        u = str(r["unit"])
        n = int(r["n"])
        mean = float(r["mean"])
        hw = float(r["half_width"])
        pub = published.get(name)
        versus = ""
        if pub is not None and pub != 0 and math.isfinite(mean):
            rel = (mean - pub) / pub
            tol = TOLERANCE.get(name)
            mark = "" if tol is None else (" ✓" if abs(rel) <= tol else " ✗")
            versus = f"{rel:+.1%}{mark}"
        rows.append(
            KpiRow(
                kpi=name,
                label=kpi_label(name, run),
                unit=_display_unit(u),
                mean=format_value(mean, u),
                half_width=format_value(hw, u) if n > 1 and math.isfinite(hw) else "–",
                interval=(
                    f"{format_value(float(r['low']), u)} – {format_value(float(r['high']), u)}"
                    if n > 1 and math.isfinite(hw)
                    else "–"
                ),
                n=n,
                published="" if pub is None else format_value(pub, u),
                versus_published=versus,
            )
        )
    return rows


def _run_facts(run: RunResult) -> list[tuple[str, str]]:
    s, m = run.scenario, run.manifest
    return [
        ("Scenario", f"{run.name}" + (f" — {s['description']}" if s.get("description") else "")),
        ("Period", _period(s)),
        ("Replications", str(m.get("replications", run.replications))),
        ("Seed", str(m.get("seed", s.get("seed", "")))),
        ("Scenario hash", str(m.get("scenario_hash", ""))),
        ("Scenario file", str(m.get("scenario_file") or "–")),
        ("Overrides", _overrides(m)),
        *_provenance(m),
        ("Run folder", str(run.path) if run.path else "–"),
    ]


def _period(s: dict[str, Any]) -> str:
    return (
        f"{s.get('start')} to {s.get('end')} "
        f"(warm-up of {float(s.get('warmup_days') or 0):g} days before, not in the statistics)"
    )


def _overrides(m: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in (m.get("overrides") or {}).items()) or "none"


def _provenance(m: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        ("Git commit", str(m.get("git_commit") or "–")),
        ("Created", str(m.get("created_at", "–"))),
        (
            "Wall time",
            f"{m['wall_s']:.1f} s" + (f", {m['events']:,} events" if m.get("events") else "")
            if m.get("wall_s") is not None
            else "–",
        ),
    ]


def _png(fig: Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI)
    return buf.getvalue()


# ------------------------------------------------------------------------------ the document


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
    figures: list[tuple[str, str, bytes]]
    appendices: list[tuple[str, str, str, str]]
    """(id, heading, text, language) — the scenario as resolved, the manifest."""
    notes: list[str] = field(default_factory=list)
    """Whether the run reached a steady state, its bottleneck, cargo turned away."""


def health_notes(run: RunResult, label: str = "") -> list[str]:
    """The run's stability, bottleneck and turned-away cargo, in plain sentences."""
    means = run.kpi_means()
    return [label + line for line in diagnose(means, str(run.scenario.get("hub", ""))).lines()]


def result_kind(result: Any) -> str:
    """``run``, ``compare`` or ``sweep``: what ``sim.run``, ``sim.compare``, ``sim.sweep`` give."""
    if isinstance(result, RunResult):
        return "run"
    if all(hasattr(result, a) for a in ("a", "b", "table")):
        return "compare"
    if all(hasattr(result, a) for a in ("points", "summary", "kpis")):
        return "sweep"
    raise TypeError(f"cannot report on a {type(result).__name__}: expected a run, compare or sweep")


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


def _yaml(data: Any) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def _json(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False, default=str)


def draw_figures(result: Any) -> list[tuple[str, str, bytes]]:
    """Every figure of the report as (name, caption, PNG bytes), in report order."""
    kind = result_kind(result)
    if kind == "run":
        return [(name, caption, _png(fn(result))) for name, (fn, caption) in RUN_PLOTS.items()]
    if kind == "compare":
        return [
            (
                "forest",
                "Each KPI's difference B − A with its 95 % confidence interval (paired "
                "replications, common random numbers), as a percentage of A.",
                _png(compare_forest(result)),
            )
        ]
    names = [k for k in SWEEP_KPIS if k in set(result.summary["kpi"])]
    out = []
    for lever in _varying_levers(result):
        out.append(
            (
                f"response-{lever}",
                f"Headline KPIs against {lever_label(lever)}, mean and 95 % CI at every point.",
                _png(sweep_response(result, names, lever=lever)),
            )
        )
    return out


SWEEP_KPIS = (
    "teu.total",
    "trains.total",
    "clearance_h.import.mean",
    "clearance_h.export.mean",
    "dwell_h.huaihua.import.mean",
    "dwell_h.huaihua.export.mean",
    "utilisation.huaihua.customs.import.officers",
    "utilisation.huaihua.customs.quarantine_lab",
    "cost.shipper_cny",
    "cost.subsidy_cny",
)
"""KPIs of a sweep report's table and response curves, when the sweep has them."""


def _varying_levers(sweep: Any) -> list[str]:
    points = sweep.points
    return [c for c in points.columns if c != "point" and points[c].nunique() > 1]


def _run_document(run: RunResult, figures: list[tuple[str, str, bytes]]) -> Document:
    names = list(run.summary["kpi"])
    return Document(
        kind="run",
        title=f"Huaihua International Land Port — run report: {run.name}",
        facts=_run_facts(run),
        intro=(
            f"Published 2023 figures: {SOURCE}; train counts are shown only for a run over "
            "that period. ✓ / ✗: within / outside the calibration tolerance."
        ),
        headline=_kpi_table(kpi_rows(run, headline(names)), "kpi-table"),
        full=_kpi_table(kpi_rows(run), "kpi-table-all"),
        figures=figures,
        appendices=[
            ("scenario", "Scenario as resolved", _yaml(run.scenario), "yaml"),
            ("manifest", "Manifest", _json(run.manifest), "json"),
        ],
        notes=health_notes(run),
    )


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

        narrowing = float(r.get("narrowing", float("nan")))
        rows.append(
            [
                kpi_label(name, a),
                _display_unit(u),
                pm(r["a_mean"], float(r["a_half_width"])),
                pm(r["b_mean"], float(r["b_half_width"])),
                format_value(float(r["diff_mean"]), u, signed=True),
                f"{format_value(float(r['diff_low']), u, signed=True)} – "
                f"{format_value(float(r['diff_high']), u, signed=True)}",
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


def _compare_document(result: Any, figures: list[tuple[str, str, bytes]]) -> Document:
    a, b, m = result.a, result.b, result.manifest
    names = [str(k) for k in result.table["kpi"]]
    n = int(result.table["n"].iloc[0]) if len(result.table) else 0
    facts = [
        ("A", f"{a.name} — {a.scenario.get('description') or ''}".rstrip(" —")),
        ("B", f"{b.name} — {b.scenario.get('description') or ''}".rstrip(" —")),
        ("Period", _period(a.scenario)),
        ("Replications", f"{n}, paired: replication r of A and of B share their seeds"),
        ("Seed", str(m.get("seed", a.manifest.get("seed", "")))),
        ("Overrides", _overrides(m)),
        *_provenance(m),
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
        headline=_compare_table(result, [k for k in FOREST_KPIS if k in names], "kpi-table"),
        full=_compare_table(result, names, "kpi-table-all"),
        figures=figures,
        appendices=[
            ("scenario-a", f"Scenario A as resolved: {a.name}", _yaml(a.scenario), "yaml"),
            ("scenario-b", f"Scenario B as resolved: {b.name}", _yaml(b.scenario), "yaml"),
            ("manifest", "Manifest", _json(m), "json"),
        ],
        notes=health_notes(a, "A: ") + health_notes(b, "B: "),
    )


def _sweep_tables(sweep: Any) -> tuple[Table, Table]:
    summary = sweep.summary
    levers = [c for c in sweep.points.columns if c != "point"]
    names = [k for k in SWEEP_KPIS if k in set(summary["kpi"])]
    units = dict(zip(summary["kpi"], summary["unit"], strict=False))
    by = summary.set_index(["point", "kpi"])
    rows = []
    for _, point in sweep.points.iterrows():
        k = int(point["point"])
        cells = [str(k), *[_lever_value(point[lv]) for lv in levers]]
        for name in names:
            if (k, name) in by.index:
                r = by.loc[(k, name)]
                u = str(units[name])
                hw = float(r["half_width"])
                cells.append(
                    format_value(float(r["mean"]), u)
                    + (f" ± {format_value(hw, u)}" if math.isfinite(hw) else "")
                )
            else:
                cells.append("–")
        rows.append(cells)
    head = Table(
        "kpi-table",
        [
            "point",
            *[lever_label(lv) for lv in levers],
            *[f"{kpi_label(n)} ({_display_unit(str(units[n]))})" for n in names],
        ],
        rows,
        [True] * (1 + len(levers) + len(names)),
        [],
    )
    full_rows = [
        [
            str(int(r["point"])),
            *[_lever_value(r[lv]) for lv in levers],
            kpi_label(str(r["kpi"])),
            _display_unit(str(r["unit"])),
            format_value(float(r["mean"]), str(r["unit"])),
            format_value(float(r["half_width"]), str(r["unit"]))
            if math.isfinite(float(r["half_width"]))
            else "–",
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


def _lever_value(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _sweep_document(sweep: Any, figures: list[tuple[str, str, bytes]]) -> Document:
    m = sweep.manifest
    head, full = _sweep_tables(sweep)
    levers = [c for c in sweep.points.columns if c != "point"]
    facts = [
        ("Scenario", str(m.get("scenario") or m.get("name") or "–")),
        ("Scenario file", str(m.get("scenario_file") or "–")),
        ("Levers", ", ".join(levers)),
        ("Points", str(len(sweep.points))),
        ("Replications", str(m.get("replications", int(sweep.summary["n"].max())))),
        ("Seed", str(m.get("seed", "–"))),
        ("Overrides", _overrides(m)),
        *_provenance(m),
        ("Folder", str(sweep.path) if sweep.path else "–"),
    ]
    return Document(
        kind="sweep",
        title="Huaihua International Land Port — sweep: "
        + str(m.get("name") or m.get("scenario") or ""),
        facts=facts,
        intro=(
            "Mean ± Student-t 95 % half-width over replications at every point; all points "
            "share their seeds (common random numbers), so differences between points are "
            "sharper than the intervals suggest."
        ),
        headline=head,
        full=full,
        figures=figures,
        appendices=[("manifest", "Manifest", _json(m), "json")],
        notes=[
            f"point {k} ({label}): {line}"
            for k, label, means in sweep.point_means()
            for line in diagnose(means, _sweep_hub(sweep, k)).lines()
        ],
    )


def _sweep_hub(sweep: Any, point: int) -> str:
    try:
        return str(sweep.run(point).scenario.get("hub", ""))
    except (KeyError, RunFolderError, OSError):
        return ""


def document(result: Any, figures: list[tuple[str, str, bytes]] | None = None) -> Document:
    """The report of a run, comparison or sweep, with its figures drawn unless given."""
    figures = draw_figures(result) if figures is None else figures
    kind = result_kind(result)
    if kind == "run":
        return _run_document(result, figures)
    if kind == "compare":
        return _compare_document(result, figures)
    return _sweep_document(result, figures)


# ------------------------------------------------------------------------------ HTML

_CSS = """
body { font-family: -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
       margin: 2em auto; max-width: 1340px; padding: 0 1.5em; color: #222; line-height: 1.45; }
h1 { font-size: 1.7em; margin-bottom: 0.2em; }
h2 { font-size: 1.3em; border-bottom: 2px solid #1f5fa6; padding-bottom: 0.2em; margin-top: 2em; }
.sub { color: #555; margin-top: 0; }
table { border-collapse: collapse; font-size: 0.9em; margin: 0.8em 0; }
th, td { padding: 0.3em 0.7em; border-bottom: 1px solid #e3e3e3; text-align: left; }
th { background: #f2f5f9; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td code { color: #666; font-size: 0.85em; }
table.facts th { width: 11em; background: none; }
figure { margin: 1.5em 0; }
figure img { max-width: 100%; height: auto; border: 1px solid #eee; }
figcaption { color: #555; font-size: 0.9em; }
pre { background: #f7f7f7; padding: 1em; overflow-x: auto; font-size: 0.8em; max-height: 40em; }
details summary { cursor: pointer; font-weight: 600; margin: 0.8em 0; }
nav a { margin-right: 1em; }
ul.notes { background: #fff6e5; border-left: 4px solid #e69f00; padding: 0.6em 1.2em 0.6em 2em; }
"""


def _html_table(t: Table) -> str:
    e = html.escape
    head = "".join(f"<th>{e(c)}</th>" for c in t.columns)
    rows = []
    for i, row in enumerate(t.rows):
        key = t.keys[i] if i < len(t.keys) else ""
        cells = []
        for j, cell in enumerate(row):
            text = e(cell)
            if j == 0 and key:
                text += f"<br><code>{e(key)}</code>"
            cls = " class='num'" if t.numeric[j] else ""
            cells.append(f"<td{cls}>{text}</td>")
        attr = f' data-kpi="{e(key)}"' if key else ""
        rows.append(f"<tr{attr}>{''.join(cells)}</tr>")
    return (
        f'<table id="{t.id}" class="kpis"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def render_html(doc: Document) -> str:
    """The report as one self-contained HTML page."""
    e = html.escape
    facts = "".join(f"<tr><th>{e(k)}</th><td>{e(v)}</td></tr>" for k, v in doc.facts)
    figs = "".join(
        f'<figure id="fig-{e(name)}"><img alt="{e(caption)}" '
        f'src="data:image/png;base64,{base64.b64encode(png).decode("ascii")}">'
        f"<figcaption>{e(caption)}</figcaption></figure>"
        for name, caption, png in doc.figures
    )
    full = (
        f"<details><summary>All {len(doc.full.rows)} rows</summary>{_html_table(doc.full)}"
        "</details>"
        if doc.full is not None
        else ""
    )
    appendices = "".join(
        f'<h2 id="{e(aid)}">{e(heading)}</h2><pre id="{e(aid)}-{lang}">{e(text)}</pre>'
        for aid, heading, text, lang in doc.appendices
    )
    nav = "".join(
        f'<a href="#{e(aid)}">{e(h.split(":")[0])}</a>' for aid, h, _, _ in doc.appendices
    )
    generated = dt.datetime.now().isoformat(timespec="seconds")
    notes = (
        '<ul class="notes">' + "".join(f"<li>{e(n)}</li>" for n in doc.notes) + "</ul>"
        if doc.notes
        else ""
    )
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>landport {e(doc.kind)} report — {e(doc.title)}</title>
<style>{_CSS}</style>
</head>
<body>
<h1>{e(doc.title)}</h1>
<p class="sub">Generated by landport on {e(generated)}. Means over replications with Student-t
95 % confidence intervals; statistics exclude the warm-up.</p>
<nav><a href="#kpis">KPIs</a><a href="#figures">Figures</a>{nav}</nav>
<table class="facts">{facts}</table>
{notes}

<h2 id="kpis">Key performance indicators</h2>
<p>{e(doc.intro)}</p>
{_html_table(doc.headline)}
{full}

<h2 id="figures">Figures</h2>
{figs}

{appendices}
</body>
</html>
"""


# ------------------------------------------------------------------------------ Markdown


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _md_table(t: Table) -> str:
    columns = list(t.columns)
    if t.keys:
        columns.insert(1, "name")
    lines = [
        "| " + " | ".join(_md_cell(c) for c in columns) + " |",
        "|" + "|".join("--:" if n else "---" for n in _md_numeric(t)) + "|",
    ]
    for i, row in enumerate(t.rows):
        cells = [_md_cell(c) for c in row]
        if t.keys:
            cells.insert(1, f"`{t.keys[i]}`")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _md_numeric(t: Table) -> list[bool]:
    return [t.numeric[0], False, *t.numeric[1:]] if t.keys else list(t.numeric)


def render_markdown(doc: Document, figure_files: list[tuple[str, str, str]]) -> str:
    """The report as Markdown; ``figure_files`` are (name, caption, relative path)."""
    facts = "\n".join(f"| {k} | {_md_cell(v)} |" for k, v in doc.facts)
    figs = "\n\n".join(
        f"### {caption}\n\n![{caption}]({path})" for _, caption, path in figure_files
    )
    full = (
        f"<details><summary>All {len(doc.full.rows)} rows</summary>\n\n"
        f"{_md_table(doc.full)}\n\n</details>"
        if doc.full is not None
        else ""
    )
    appendices = "\n\n".join(
        f"## {heading}\n\n```{lang}\n{text.rstrip()}\n```"
        for _, heading, text, lang in doc.appendices
    )
    notes = "\n".join(f"- **{_md_cell(n)}**" for n in doc.notes)
    return f"""# {doc.title}

Generated by landport on {dt.datetime.now().isoformat(timespec="seconds")}. Means over
replications with Student-t 95 % confidence intervals; statistics exclude the warm-up.

| | |
|---|---|
{facts}

{notes}

## Key performance indicators

{doc.intro}

{_md_table(doc.headline)}

{full}

## Figures

{figs}

{appendices}
"""


# ------------------------------------------------------------------------------ writing


def _atomic_text(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp-{uuid.uuid4().hex[:8]}")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _atomic_dir(path: Path, fill: Callable[[Path], None]) -> None:
    """Fill a fresh hidden folder, then swap it in for ``path``."""
    tmp = path.with_name(f".{path.name}.tmp-{uuid.uuid4().hex[:8]}")
    tmp.mkdir()
    old = None
    try:
        fill(tmp)
        if path.exists():
            old = path.with_name(f".{path.name}.old-{uuid.uuid4().hex[:8]}")
            os.rename(path, old)
        os.rename(tmp, path)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        if old is not None and not path.exists():
            os.rename(old, path)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def write_report(result: Any, fmt: str = "html", *, folder: str | Path | None = None) -> Path:
    """Write the report of a run, comparison or sweep into its folder (or ``folder``).

    Returns the report's path: ``report.html`` or ``report.md`` in that folder.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown report format {fmt!r}; expected one of {', '.join(FORMATS)}")
    result_kind(result)
    where = Path(folder) if folder is not None else getattr(result, "path", None)
    if where is None:
        raise RunFolderError("this result was not saved: give a folder to write the report into")
    where = Path(where)
    if not where.is_dir():
        raise RunFolderError(f"{where}: no such folder to write the report into")
    figures = draw_figures(result)
    doc = document(result, figures)
    dest = where / REPORT_FILES[fmt]
    if fmt == "html":
        _atomic_text(dest, render_html(doc))
        return dest
    files = [(name, caption, f"{FIGURES_DIR}/{name}.png") for name, caption, _ in figures]
    text = render_markdown(doc, files)

    def fill(tmp: Path) -> None:
        for name, _, png in figures:
            (tmp / f"{name}.png").write_bytes(png)

    _atomic_dir(where / FIGURES_DIR, fill)
    _atomic_text(dest, text)
    return dest
