"""``landport report``: write the report of a run, comparison or sweep into its folder."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from sim.cli.common import Lang, LangOption, app, err, error_line, handled, out
from sim.experiment import api
from sim.results.i18n import label
from sim.results.store import RunFolderError, writing


class ReportFormat(StrEnum):
    html = "html"
    md = "md"


@app.command()
def report(
    run: Annotated[
        str,
        typer.Argument(
            help="A run, compare or sweep folder (results/<name>/), or its catalogue id."
        ),
    ],
    fmt: Annotated[
        ReportFormat,
        typer.Option(
            "--format",
            "-f",
            metavar="html|md",
            help="html: one self-contained file (images embedded, opens offline); "
            "md: report.md with PNG figures in report-figures/.",
        ),
    ] = ReportFormat.html,
    lang: LangOption = Lang.en,
) -> None:
    """Write a report into a run, compare or sweep folder: KPIs with confidence intervals,
    every plot, the scenario as resolved and the manifest."""
    with handled():
        result = load_run_arg(run)
        err.print(f"Drawing the figures of {escape(str(result.path))} …", highlight=False)
        path = report_into(result, fmt.value, lang=lang.value)
    out.print(f"Report: [bold]{escape(str(path))}[/bold]")


def report_into(result: Any, fmt: str = "html", *, lang: str = "en") -> Path:
    """Write ``result``'s report into its folder, in ``lang``; a disk that fails or a house
    style sheet that cannot be used is a RunFolderError (one line, exit 2 under
    :func:`handled`). Without a font for Chinese, a report in Chinese says so on stderr."""
    from sim.results.plots import StyleError  # matplotlib only when asked: quick start
    from sim.results.plots.style import cjk_font
    from sim.results.report import write_report

    folder = result.path or Path(".")
    with writing(folder, "cannot write the report"):
        try:
            path = write_report(result, fmt, lang=lang)
        except StyleError as exc:
            raise RunFolderError(f"{folder}: cannot draw the report's figures ({exc})") from None
    if lang == "zh" and cjk_font() is None:
        error_line(label("report.font_missing", lang), "note", "yellow")
    return path


def excel_into(result: Any, *, lang: str = "en") -> Path:
    """Write ``result``'s workbook (``results.xlsx``) into its folder, in ``lang``; a disk
    that fails is a RunFolderError (one line, exit 2 under :func:`handled`)."""
    from sim.results.excel import write_workbook

    folder = result.path or Path(".")
    with writing(folder, "cannot write the workbook"):
        return write_workbook(result, lang=lang)


def load_run_arg(run: str) -> Any:
    """A run, comparison or sweep from a folder path or a catalogue id (``sim.load``)."""
    folder = Path(run)
    if folder.exists() and not folder.is_dir():
        raise RunFolderError(f"{run}: not a folder; give a folder such as results/<run>/")
    try:
        return api.load(run)
    except (FileNotFoundError, KeyError) as exc:
        raise RunFolderError(f"{run}: no such run folder or run id ({exc})") from None
