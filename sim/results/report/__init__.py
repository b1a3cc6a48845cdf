"""Reports: the KPI table with confidence intervals, every plot, the scenario as resolved and
the manifest, in one file a planner can open or mail.

``write_report(result, "html")`` writes ``report.html`` into the result's folder: one file,
images embedded as base64 PNG, no scripts, fonts or links to fetch, so it opens offline in
any browser. ``lang="zh"`` writes it in Simplified Chinese, figures included (their words
from :mod:`sim.results.i18n`, drawn with a font that has Chinese glyphs when one is
installed). ``write_report(result, "md")`` writes ``report.md`` with its figures as PNG
files in ``report-figures/`` beside it. Files are written whole or not at all
(:mod:`sim.results.atomic`), so a reader never sees half a report; writing again replaces the
previous one.

A result is a run (KPI table, every run plot), a comparison from ``sim.compare`` (the paired
differences B − A with their intervals and the forest plot) or a sweep from ``sim.sweep``
(the key KPIs at every point and the response curves), a sensitivity analysis (the factors
ranked for each KPI, with a tornado, Morris or Sobol chart each) or an optimisation (the
answer and every set-up's evidence). The report is a
:class:`~sim.results.report.document.Document` (what it says) rendered from Jinja2 templates
(:mod:`sim.results.report.render`, how it looks). The folder's tables are never touched; a
report is the one thing added to a folder after it was written.
"""

from __future__ import annotations

import io
import warnings
from pathlib import Path
from typing import Any

from matplotlib.figure import Figure

from sim.results.atomic import replace_folder, write_text
from sim.results.i18n import check_lang, label, language
from sim.results.kpis import headline
from sim.results.plots import (
    RUN_PLOTS,
    compare_forest,
    lever_label,
    optimise_evidence,
    sensitivity_chart,
    sweep_response,
)
from sim.results.plots.disruptions import disruption_timeline, recovery_bars
from sim.results.plots.style import cjk_font
from sim.results.report.decision import optimise_document, sensitivity_document
from sim.results.report.document import (
    Document,
    Figures,
    KpiRow,
    Table,
    health_notes,
    kpi_rows,
    published_for,
    result_kind,
    run_document,
)
from sim.results.report.experiments import (
    compare_document,
    sweep_document,
    sweep_kpis,
    varying_levers,
)
from sim.results.report.render import render_html, render_markdown
from sim.results.store import RunFolderError

__all__ = [
    "FORMATS",
    "Document",
    "KpiRow",
    "Table",
    "document",
    "draw_figures",
    "headline",
    "health_notes",
    "kpi_rows",
    "published_for",
    "render_html",
    "render_markdown",
    "result_kind",
    "write_report",
]

FORMATS = ("html", "md")
REPORT_FILES = {"html": "report.html", "md": "report.md"}
FIGURES_DIR = "report-figures"
DPI = 100
ARM_FIGURES = ("throughput", "clearance")
"""Run figures a comparison's report draws for A and for B, side by side in order."""


def _png(fig: Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI)
    return buf.getvalue()


def draw_figures(result: Any) -> Figures:
    """Every figure of the report as (name, caption, PNG bytes), in report order."""
    kind = result_kind(result)
    if kind == "run":
        return [
            (name, label(f"caption.{name}"), _png(fn(result)))
            for name, (fn, _) in RUN_PLOTS.items()
        ]
    if kind == "sensitivity":
        return [
            (
                f"sensitivity-{k}",
                label("caption.sensitivity", kpi=k),
                _png(sensitivity_chart(result.ranking, k)),
            )
            for k in dict.fromkeys(str(k) for k in result.ranking["kpi"])
        ]
    if kind == "optimise":
        return [
            (
                f"evidence-{lv.path}",
                label("caption.optimise", lever=lever_label(lv.path)),
                _png(optimise_evidence(result.evaluations, lv.path)),
            )
            for lv in result.spec.levers
        ]
    if kind == "compare":
        figures = [("forest", label("caption.forest"), _png(compare_forest(result)))]
        for arm in ARM_FIGURES:
            fn, _ = RUN_PLOTS[arm]
            caption = label(f"caption.{arm}")
            figures += [
                (f"{arm}-{side}", f"{side.upper()} ({run.name}): {caption}", _png(fn(run)))
                for side, run in (("a", result.a), ("b", result.b))
            ]
        summary = getattr(result, "recovery_summary", None)
        if summary is not None:
            figures += [
                (
                    "disruption-timeline",
                    label("caption.disruption-timeline"),
                    _png(disruption_timeline(result)),
                ),
                (
                    "recovery-time",
                    label("caption.recovery-time"),
                    _png(recovery_bars({result.b.name: summary})),
                ),
            ]
        return figures
    names = sweep_kpis(result)
    return [
        (
            f"response-{lever}",
            label("caption.response", lever=lever_label(lever)),
            _png(sweep_response(result, names, lever=lever)),
        )
        for lever in varying_levers(result)
    ]


def document(result: Any, figures: Figures) -> Document:
    """The report of a run, comparison or sweep, with its figures."""
    kind = result_kind(result)
    if kind == "run":
        return run_document(result, figures)
    if kind == "sensitivity":
        return sensitivity_document(result, figures)
    if kind == "optimise":
        return optimise_document(result, figures)
    if kind == "compare":
        return compare_document(result, figures)
    return sweep_document(result, figures)


def write_report(
    result: Any, fmt: str = "html", *, folder: str | Path | None = None, lang: str = "en"
) -> Path:
    """Write the report of a run, comparison or sweep into its folder (or ``folder``), in
    ``lang``: ``en`` (English) or ``zh`` (Simplified Chinese: its text, tables and figures).

    Returns the report's path: ``report.html`` or ``report.md`` in that folder.
    """
    check_lang(lang)
    if fmt not in FORMATS:
        raise ValueError(f"unknown report format {fmt!r}; expected one of {', '.join(FORMATS)}")
    result_kind(result)
    where = Path(folder) if folder is not None else getattr(result, "path", None)
    if where is None:
        raise RunFolderError("this result was not saved: give a folder to write the report into")
    where = Path(where)
    if not where.is_dir():
        raise RunFolderError(f"{where}: no such folder to write the report into")
    with language(lang), warnings.catch_warnings():
        no_font = lang != "en" and cjk_font() is None
        if no_font:  # said once in the report, not once per missing glyph
            warnings.filterwarnings("ignore", message="Glyph .* missing from font")
        figures = draw_figures(result)
        doc: Document = document(result, figures)
        if no_font:
            doc.notes.append(label("report.font_missing"))
    dest = where / REPORT_FILES[fmt]
    if fmt == "html":
        return write_text(dest, render_html(doc))
    files = [(name, caption, f"{FIGURES_DIR}/{name}.png") for name, caption, _ in figures]
    text = render_markdown(doc, files)

    def fill(tmp: Path) -> None:
        for name, _, png in figures:
            (tmp / f"{name}.png").write_bytes(png)

    replace_folder(where / FIGURES_DIR, fill)
    return write_text(dest, text)
