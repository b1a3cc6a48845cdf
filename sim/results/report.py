"""A run's report: the KPI table with confidence intervals, every plot, the scenario as
resolved and the manifest, in one file a planner can open or mail.

``write_report(run, "html")`` writes ``report.html`` into the run folder: one file, images
embedded as base64 PNG, no scripts, fonts or links to fetch, so it opens offline in any
browser. ``write_report(run, "md")`` writes ``report.md`` with its figures as PNG files in
``report-figures/`` beside it. Files are written under a temporary name and renamed into
place, so a reader never sees half a report; writing again replaces the previous report.

The run folder's tables are not touched; a report is the one thing added to a run folder
after it was written.
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
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import yaml
from matplotlib.figure import Figure

from sim.results.plots import RUN_PLOTS, kpi_label
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
    sign = "+" if signed else ""
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


def _facts(run: RunResult) -> list[tuple[str, str]]:
    s, m = run.scenario, run.manifest
    facts = [
        ("Scenario", f"{run.name}" + (f" — {s['description']}" if s.get("description") else "")),
        (
            "Period",
            f"{s.get('start')} to {s.get('end')} "
            f"(warm-up of {float(s.get('warmup_days') or 0):g} days before, "
            "not in the statistics)",
        ),
        ("Replications", str(m.get("replications", run.replications))),
        ("Seed", str(m.get("seed", s.get("seed", "")))),
        ("Scenario hash", str(m.get("scenario_hash", ""))),
        ("Scenario file", str(m.get("scenario_file") or "–")),
        (
            "Overrides",
            ", ".join(f"{k}={v}" for k, v in (m.get("overrides") or {}).items()) or "none",
        ),
        ("Git commit", str(m.get("git_commit", "–"))),
        ("Run created", str(m.get("created_at", "–"))),
        (
            "Wall time",
            f"{m['wall_s']:.1f} s, {m.get('events', 0):,} events" if "wall_s" in m else "–",
        ),
        ("Run folder", str(run.path) if run.path else "–"),
    ]
    return facts


def _png(fig: Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI)
    return buf.getvalue()


def draw_figures(run: RunResult) -> list[tuple[str, str, bytes]]:
    """Every run plot as (name, caption, PNG bytes), in report order."""
    out = []
    for name, (fn, caption) in RUN_PLOTS.items():
        out.append((name, caption, _png(fn(run))))
    return out


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
.pub { color: #1f5fa6; }
figure { margin: 1.5em 0; }
figure img { max-width: 100%; height: auto; border: 1px solid #eee; }
figcaption { color: #555; font-size: 0.9em; }
pre { background: #f7f7f7; padding: 1em; overflow-x: auto; font-size: 0.8em; max-height: 40em; }
details summary { cursor: pointer; font-weight: 600; margin: 0.8em 0; }
nav a { margin-right: 1em; }
"""


def _html_kpi_table(rows: list[KpiRow], table_id: str) -> str:
    e = html.escape
    head = (
        "<tr><th>KPI</th><th>unit</th><th>mean</th><th>± 95 % CI</th><th>95 % CI</th>"
        "<th>n</th><th>published 2023</th><th>simulated vs published</th></tr>"
    )
    body = "".join(
        f'<tr data-kpi="{e(r.kpi)}"><td>{e(r.label)}<br><code>{e(r.kpi)}</code></td>'
        f"<td>{e(r.unit)}</td><td class='num'>{e(r.mean)}</td>"
        f"<td class='num'>{e(r.half_width)}</td><td class='num'>{e(r.interval)}</td>"
        f"<td class='num'>{r.n}</td><td class='num pub'>{e(r.published)}</td>"
        f"<td class='num pub'>{e(r.versus_published)}</td></tr>"
        for r in rows
    )
    return f'<table id="{table_id}" class="kpis"><thead>{head}</thead><tbody>{body}</tbody></table>'


def render_html(run: RunResult, figures: list[tuple[str, str, bytes]]) -> str:
    """The report as one self-contained HTML page."""
    e = html.escape
    names = list(run.summary["kpi"])
    facts = "".join(f"<tr><th>{e(k)}</th><td>{e(v)}</td></tr>" for k, v in _facts(run))
    figs = "".join(
        f'<figure id="fig-{e(name)}"><img alt="{e(caption)}" '
        f'src="data:image/png;base64,{base64.b64encode(png).decode("ascii")}">'
        f"<figcaption>{e(caption)}</figcaption></figure>"
        for name, caption, png in figures
    )
    scenario = yaml.safe_dump(run.scenario, sort_keys=False, allow_unicode=True)
    manifest = json.dumps(run.manifest, indent=2, ensure_ascii=False, default=str)
    generated = dt.datetime.now().isoformat(timespec="seconds")
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>landport report — {e(run.name)}</title>
<style>{_CSS}</style>
</head>
<body>
<h1>Huaihua International Land Port — run report: {e(run.name)}</h1>
<p class="sub">Generated by landport on {e(generated)}. Means over replications with Student-t
95 % confidence intervals; statistics exclude the warm-up.</p>
<nav><a href="#kpis">KPIs</a><a href="#figures">Figures</a><a href="#scenario">Scenario</a>
<a href="#manifest">Manifest</a></nav>
<table class="facts">{facts}</table>

<h2 id="kpis">Key performance indicators</h2>
<p>Published 2023 figures: {e(SOURCE)}; train counts are shown only for a run over that
period. ✓ / ✗: within / outside the calibration tolerance.</p>
{_html_kpi_table(kpi_rows(run, headline(names)), "kpi-table")}
<details>
<summary>All {len(names)} KPIs</summary>
{_html_kpi_table(kpi_rows(run), "kpi-table-all")}
</details>

<h2 id="figures">Figures</h2>
{figs}

<h2 id="scenario">Scenario as resolved</h2>
<pre id="scenario-yaml">{e(scenario)}</pre>

<h2 id="manifest">Manifest</h2>
<pre id="manifest-json">{e(manifest)}</pre>
</body>
</html>
"""


# ------------------------------------------------------------------------------ Markdown


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _md_kpi_table(rows: list[KpiRow]) -> str:
    lines = [
        "| KPI | name | unit | mean | ± 95 % CI | n | published 2023 | vs published |",
        "|---|---|---|--:|--:|--:|--:|--:|",
    ]
    lines += [
        f"| {_md_cell(r.label)} | `{r.kpi}` | {r.unit} | {r.mean} | {r.half_width} | {r.n} "
        f"| {r.published} | {r.versus_published} |"
        for r in rows
    ]
    return "\n".join(lines)


def render_markdown(run: RunResult, figure_files: list[tuple[str, str, str]]) -> str:
    """The report as Markdown; ``figure_files`` are (name, caption, relative path)."""
    names = list(run.summary["kpi"])
    facts = "\n".join(f"| {k} | {_md_cell(v)} |" for k, v in _facts(run))
    figs = "\n\n".join(
        f"### {caption}\n\n![{caption}]({path})" for _, caption, path in figure_files
    )
    scenario = yaml.safe_dump(run.scenario, sort_keys=False, allow_unicode=True)
    manifest = json.dumps(run.manifest, indent=2, ensure_ascii=False, default=str)
    return f"""# Huaihua International Land Port — run report: {run.name}

Generated by landport on {dt.datetime.now().isoformat(timespec="seconds")}. Means over
replications with Student-t 95 % confidence intervals; statistics exclude the warm-up.

| | |
|---|---|
{facts}

## Key performance indicators

Published 2023 figures: {SOURCE}; train counts are shown only for a run over that period.
✓ / ✗: within / outside the calibration tolerance.

{_md_kpi_table(kpi_rows(run, headline(names)))}

<details><summary>All {len(names)} KPIs</summary>

{_md_kpi_table(kpi_rows(run))}

</details>

## Figures

{figs}

## Scenario as resolved

```yaml
{scenario}```

## Manifest

```json
{manifest}
```
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


def write_report(run: RunResult, fmt: str = "html", *, folder: str | Path | None = None) -> Path:
    """Write the report of ``run`` into its run folder (or ``folder``); return its path."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown report format {fmt!r}; expected one of {', '.join(FORMATS)}")
    where = Path(folder) if folder is not None else run.path
    if where is None:
        raise RunFolderError("this run was not saved: give a folder to write the report into")
    if not where.is_dir():
        raise RunFolderError(f"{where}: no such folder to write the report into")
    figures = draw_figures(run)
    dest = where / REPORT_FILES[fmt]
    if fmt == "html":
        _atomic_text(dest, render_html(run, figures))
        return dest

    files = [(name, caption, f"{FIGURES_DIR}/{name}.png") for name, caption, _ in figures]
    text = render_markdown(run, files)

    def fill(tmp: Path) -> None:
        for name, _, png in figures:
            (tmp / f"{name}.png").write_bytes(png)

    _atomic_dir(where / FIGURES_DIR, fill)
    _atomic_text(dest, text)
    return dest


def summary_frame(run: RunResult) -> pd.DataFrame:
    """The headline KPI table as a DataFrame of formatted strings (handy in notebooks)."""
    rows = kpi_rows(run, headline(run.summary["kpi"]))
    return pd.DataFrame([r.__dict__ for r in rows]).set_index("kpi")
