"""Results as one Excel workbook, ready for a briefing: ``results.xlsx`` beside the Parquet.

``write_workbook(result, path)`` writes a run, a comparison or a sweep:

* a run: **About** (scenario, period, replications, seed, the run's health in plain words),
  **Summary** (one row per KPI, themed, with its unit, mean, 95 % interval and n) and
  **Replications** (one row per replication, one column per KPI, its unit in the header);
* a comparison: **About**, **Comparison** (A, B, B − A with its paired interval, whether it
  is significant), then each arm's **Summary** and **Replications**;
* a sweep: **About**, **Sweep** (one row per point: its levers, then each key KPI's mean and
  half-width, units in the headers), **Sweep summary** (every KPI at every point) and
  **Replications** (every KPI of every replication of every point).

Cells hold the values as computed — a share as 0.599, money in CNY — so the workbook reads
back into pandas with the same numbers; each cell's *number format* shows it the way
landport writes it (``59.9%``, ``6.67`` under a ``M CNY`` header, ``13,342`` TEU), derived from
the unit's :class:`~sim.results.formatting.Unit`. Header rows are bold and frozen, columns
sized to their text, and every table has a filter. The file is written whole or not at all
(:mod:`sim.results.atomic`). The engine is openpyxl, pandas' writer for ``.xlsx``.

Words written into the workbook (sheet names, headings, the About sheet's keys, KPI labels
and themes) are texts of :mod:`sim.results.i18n`, in English or, with ``lang="zh"``,
Simplified Chinese; :data:`WORDS` names the text of each. Dotted KPI names and lever paths
stay as they are, so the workbook's ``name`` column still finds a KPI.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from sim.results.atomic import replace_file
from sim.results.formatting import Unit, shown_unit, unit_style
from sim.results.health import diagnose
from sim.results.i18n import current, label, language, unit_text
from sim.results.kpis import KPIS
from sim.results.run import RunResult
from sim.results.runinfo import Provenance, RunInfo

WORKBOOK = "results.xlsx"
"""The workbook's name in a run, comparison or sweep folder."""

WORDS: dict[str, str] = {
    "about": "excel.about",
    "summary": "excel.summary",
    "replications": "excel.replications",
    "replication_count": "fact.replications",
    "comparison": "excel.comparison",
    "sweep": "excel.sweep",
    "sweep_summary": "excel.sweep_summary",
    "a": "excel.a",
    "b": "excel.b",
    "item": "excel.item",
    "value": "excel.value",
    "kpi": "column.kpi",
    "name": "column.name",
    "theme": "excel.theme",
    "unit": "column.unit",
    "mean": "column.mean",
    "half_width": "column.half_width",
    "low": "excel.low",
    "high": "excel.high",
    "n": "column.n",
    "replication": "excel.replication",
    "point": "column.point",
    "a_mean": "excel.a_mean",
    "a_half_width": "excel.a_half_width",
    "b_mean": "excel.b_mean",
    "b_half_width": "excel.b_half_width",
    "diff_mean": "column.diff",
    "diff_low": "excel.diff_low",
    "diff_high": "excel.diff_high",
    "significant": "column.significant",
    "narrowing": "column.narrowing",
    "yes": "word.yes",
    "no": "word.no",
    "scenario": "fact.scenario",
    "period": "fact.period",
    "seed": "fact.seed",
    "folder": "fact.folder",
    "note": "excel.note",
    "levers": "fact.levers",
    "points": "fact.points",
    "explain": "excel.explain",
}
"""Every word the workbook writes, as its key in :mod:`sim.results.i18n` (see the module
docstring)."""


def word(name: str) -> str:
    """The workbook's word ``name`` (a key of :data:`WORDS`) in the language in force."""
    return label(WORDS[name])

SHEET_NAME_MAX = 31
"""Excel's limit on a sheet name's length."""


def excel_format(unit: str) -> str:
    """The Excel number format that shows values of ``unit`` as landport writes them: a share
    as a percentage, money in millions (scaled by the format, not in the cell), counts as
    whole numbers, anything else with two decimals."""
    style: Unit = unit_style(unit)
    if style.times == 100:
        return "0.0%"
    if style.per == 1e6:
        return '#,##0.00,,"M"'
    if style.count:
        return "#,##0"
    return "#,##0.00"


def header(text: str, unit: str) -> str:
    """A column header with its unit (in the language in force): ``teu.total (TEU)``,
    ``cost.subsidy_cny (M CNY)``."""
    shown = unit_text(shown_unit(unit))
    return f"{text} ({shown})" if shown else text


# ---------------------------------------------------------------------------- sheets


def summary_sheet(summary: pd.DataFrame, info: RunInfo | None) -> tuple[pd.DataFrame, list[str]]:
    """The KPI summary as a sheet (label, name, theme, unit, mean, interval, n) and each row's
    unit, for its number format."""
    units = [str(u) for u in summary["unit"]]
    names = [str(k) for k in summary["kpi"]]
    sheet = pd.DataFrame(
        {
            word("kpi"): [KPIS.label(n, info, current()) for n in names],
            word("name"): names,
            word("theme"): [_theme(n) for n in names],
            word("unit"): [unit_text(shown_unit(u)) for u in units],
            word("mean"): summary["mean"].astype(float).to_numpy(),
            word("half_width"): summary["half_width"].astype(float).to_numpy(),
            word("low"): summary["low"].astype(float).to_numpy(),
            word("high"): summary["high"].astype(float).to_numpy(),
            word("n"): summary["n"].astype("int64").to_numpy(),
        }
    )
    return sheet, units


def replications_sheet(
    kpis: pd.DataFrame, index: Sequence[str] = ("replication",)
) -> tuple[pd.DataFrame, list[str]]:
    """Tidy KPIs (``index`` columns, kpi, value) as one row per replication and one column per
    KPI, in the order the KPIs first appear, headed by name and unit; and each KPI column's
    unit."""
    order = list(dict.fromkeys(str(k) for k in kpis["kpi"]))
    wide = kpis.pivot_table(
        index=list(index), columns="kpi", values="value", aggfunc="first", dropna=False
    )
    wide = wide.reindex(columns=order).reset_index()
    units = [KPIS.unit(n) for n in order]
    wide.columns = [
        *[word(c) for c in index],
        *[header(n, u) for n, u in zip(order, units, strict=True)],
    ]
    return wide, units


def _theme(name: str) -> str:
    family = KPIS.family(name)
    return label(f"theme.{family.theme}") if family is not None else ""


def _about(facts: Iterable[tuple[str, str]], notes: Iterable[str]) -> pd.DataFrame:
    rows = [*facts, *((word("note"), n) for n in notes), ("", word("explain"))]
    return pd.DataFrame(rows, columns=[word("item"), word("value")])


def _run_facts(run: RunResult) -> list[tuple[str, str]]:
    p = Provenance.of(run.manifest)
    return [
        (word("scenario"), run.name),
        (word("period"), f"{run.info.start} – {run.info.end}"),
        (word("replication_count"), str(p.replications)),
        (word("seed"), str(p.seed)),
        (word("folder"), str(run.path) if run.path is not None else "–"),
    ]


def _notes(run: RunResult, side: str = "") -> list[str]:
    return [side + line for line in diagnose(run.kpi_means(), run.info).lines()]


# ---------------------------------------------------------------------------- workbooks


Sheet = tuple[str, pd.DataFrame, "Formats"]
Formats = Mapping[str, str | list[str]]
"""Per column header: one number format, or one per row."""


def _run_sheets(run: RunResult, prefix: str = "") -> list[Sheet]:
    summary, units = summary_sheet(run.summary, run.info)
    reps, rep_units = replications_sheet(run.kpis)
    row_formats = [excel_format(u) for u in units]
    return [
        (
            f"{prefix}{word('summary')}",
            summary,
            {word(c): row_formats for c in ("mean", "half_width", "low", "high")},
        ),
        (
            f"{prefix}{word('replications')}",
            reps,
            {c: excel_format(u) for c, u in zip(reps.columns[1:], rep_units, strict=True)},
        ),
    ]


def run_sheets(run: RunResult) -> list[Sheet]:
    """The sheets of a run's workbook."""
    return [(word("about"), _about(_run_facts(run), _notes(run)), {}), *_run_sheets(run)]


def compare_sheets(result: Any) -> list[Sheet]:
    """The sheets of a comparison's workbook (``sim.compare``'s result)."""
    a, b = result.a, result.b
    t: pd.DataFrame = result.table
    names = [str(k) for k in t["kpi"]]
    units = [str(u) for u in t["unit"]]
    table = pd.DataFrame(
        {
            word("kpi"): [KPIS.label(n, a.info, current()) for n in names],
            word("name"): names,
            word("theme"): [_theme(n) for n in names],
            word("unit"): [unit_text(shown_unit(u)) for u in units],
            **{
                word(c): t[c].astype(float).to_numpy()
                for c in (
                    "a_mean",
                    "a_half_width",
                    "b_mean",
                    "b_half_width",
                    "diff_mean",
                    "diff_low",
                    "diff_high",
                )
            },
            word("significant"): [word("yes") if s else word("no") for s in t["significant"]],
            word("narrowing"): t["narrowing"].astype(float).to_numpy(),
            word("n"): t["n"].astype("int64").to_numpy(),
        }
    )
    row_formats = [excel_format(u) for u in units]
    formats: dict[str, str | list[str]] = {
        word(c): row_formats
        for c in ("a_mean", "a_half_width", "b_mean", "b_half_width", "diff_mean", "diff_low",
                  "diff_high")
    }
    formats[word("narrowing")] = "0%"
    p = Provenance.of(result.manifest)
    facts = [
        (word("a"), a.name),
        (word("b"), b.name),
        (word("period"), f"{a.info.start} – {a.info.end}"),
        (word("replication_count"), str(p.replications)),
        (word("seed"), str(p.seed)),
        (word("folder"), str(result.path) if result.path is not None else "–"),
    ]
    about = _about(facts, _notes(a, "A: ") + _notes(b, "B: "))
    return [
        (word("about"), about, {}),
        (word("comparison"), table, formats),
        *_run_sheets(a, f"{word('a')} "),
        *_run_sheets(b, f"{word('b')} "),
    ]


def sweep_sheets(sweep: Any) -> list[Sheet]:
    """The sheets of a sweep's workbook (``sim.sweep``'s result)."""
    from sim.results.report.experiments import sweep_info, sweep_kpis

    summary: pd.DataFrame = sweep.summary
    levers = [str(c) for c in sweep.points.columns if c != "point"]
    info = sweep_info(sweep)
    key = sweep_kpis(sweep)
    wide = sweep.points.rename(columns={"point": word("point")}).copy()
    formats: dict[str, str | list[str]] = {}
    for name in key:
        rows = summary[summary["kpi"] == name].set_index("point")
        u = KPIS.unit(name)
        name_text = KPIS.label(name, info, current())
        for col in ("mean", "half_width"):
            head = header(f"{name_text}: {word(col)}", u)
            wide[head] = sweep.points["point"].map(rows[col]).astype(float).to_numpy()
            formats[head] = excel_format(u)
    tidy = summary.rename(columns={"point": word("point")})
    tidy = pd.DataFrame(
        {
            word("point"): tidy[word("point")].astype("int64").to_numpy(),
            **{lv: tidy[lv].to_numpy() for lv in levers},
            word("kpi"): [KPIS.label(str(n), info, current()) for n in summary["kpi"]],
            word("name"): summary["kpi"].astype(str).to_numpy(),
            word("unit"): [unit_text(shown_unit(str(u))) for u in summary["unit"]],
            **{word(c): summary[c].astype(float).to_numpy() for c in ("mean", "half_width")},
            word("low"): summary["low"].astype(float).to_numpy(),
            word("high"): summary["high"].astype(float).to_numpy(),
            word("n"): summary["n"].astype("int64").to_numpy(),
        }
    )
    row_formats = [excel_format(str(u)) for u in summary["unit"]]
    reps, rep_units = replications_sheet(sweep.kpis, ("point", "replication"))
    p = Provenance.of(sweep.manifest)
    facts = [
        (word("scenario"), p.scenario or "–"),
        (word("levers"), ", ".join(levers)),
        (word("points"), str(len(sweep.points))),
        (word("replication_count"), str(p.replications)),
        (word("seed"), str(p.seed)),
        (word("folder"), str(sweep.path) if sweep.path is not None else "–"),
    ]
    notes = [
        f"{word('point')} {k} ({levers_text}): {line}"
        for k, levers_text, means in sweep.point_means()
        for line in diagnose(means, sweep.run(k).info).lines()
    ] if sweep.path is not None else []
    return [
        (word("about"), _about(facts, notes), {}),
        (word("sweep"), wide, formats),
        (
            word("sweep_summary"),
            tidy,
            {word(c): row_formats for c in ("mean", "half_width", "low", "high")},
        ),
        (
            word("replications"),
            reps,
            {c: excel_format(u) for c, u in zip(reps.columns[2:], rep_units, strict=True)},
        ),
    ]


def workbook_sheets(result: Any) -> list[Sheet]:
    """The sheets of the workbook of a run, comparison or sweep, in order."""
    from sim.results.report.document import result_kind

    kind = result_kind(result)
    if kind == "run":
        return run_sheets(result)
    if kind == "compare":
        return compare_sheets(result)
    if kind == "sweep":
        return sweep_sheets(result)
    raise TypeError(f"no workbook for a {kind} result: expected a run, compare or sweep")


def write_workbook(result: Any, path: str | Path | None = None, *, lang: str = "en") -> Path:
    """Write the workbook of a run, comparison or sweep to ``path`` (default:
    ``results.xlsx`` in the result's folder) in ``lang`` (``en`` or ``zh``), whole or not at
    all. Returns the path."""
    from sim.results.store import RunFolderError

    if path is None:
        folder = getattr(result, "path", None)
        if folder is None:
            raise RunFolderError("this result was not saved: give a path for the workbook")
        path = Path(folder) / WORKBOOK
    with language(lang):
        sheets = workbook_sheets(result)

    def write(tmp: Path) -> None:
        with pd.ExcelWriter(tmp, engine="openpyxl") as writer:
            for name, frame, formats in sheets:
                sheet = name[:SHEET_NAME_MAX]
                frame.to_excel(writer, sheet_name=sheet, index=False)
                _dress(writer.sheets[sheet], frame, formats)

    return replace_file(path, write)


def _dress(ws: Any, frame: pd.DataFrame, formats: Formats) -> None:
    """Bold, frozen headers, a filter, columns sized to their text and number formats."""
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    bold = Font(bold=True)
    for cell in ws[1]:
        cell.font = bold
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "B2" if len(frame.columns) > 2 else "A2"
    if len(frame):
        ws.auto_filter.ref = ws.dimensions
    for j, column in enumerate(frame.columns, start=1):
        letter = get_column_letter(j)
        texts = [str(column), *(str(v) for v in frame[column].head(200))]
        ws.column_dimensions[letter].width = min(max(len(t) for t in texts) + 2, 60)
        fmt = formats.get(str(column))
        if fmt is None:
            continue
        for i in range(len(frame)):
            ws.cell(row=i + 2, column=j).number_format = fmt if isinstance(fmt, str) else fmt[i]
