"""KPI tables and a run's health as the command line prints them (imported by the commands
that print them, when they run)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import typer
from rich.markup import escape
from rich.measure import Measurement
from rich.table import Table

from sim.cli.common import EXIT_BAD_INPUT, error_line, out
from sim.results.formatting import format_value, shown_unit
from sim.results.health import diagnose
from sim.results.i18n import label, unit_text
from sim.results.kpis import kpi_label
from sim.results.published import PUBLISHED_2023
from sim.results.runinfo import RunInfo
from sim.results.tables import rows_by


def print_health(
    means: Mapping[str, float], info: RunInfo, label: str = "", lang: str = "en"
) -> None:
    """Say whether a run reached a steady state, its bottleneck and cargo turned away, in
    ``lang``."""
    from sim.results.i18n import language

    health = diagnose(means, info)
    with language(lang):
        lines, unstable = health.lines(), health.unstable_line()
    for line in lines:
        style = "bold red" if line == unstable else "yellow"
        out.print(f"[{style}]{escape(label)}{escape(line)}[/{style}]", highlight=False)


def known_kpis(requested: Sequence[str] | None, scenarios: Sequence[Any]) -> list[str] | None:
    """The KPI names given with ``--kpi``, each checked against the KPIs a run of
    ``scenarios`` has — before anything runs. An unknown name is one error line naming the
    nearest known ones (or the name patterns), and exit 2."""
    if not requested:
        return None
    import difflib

    from sim.experiment.manifest import run_info
    from sim.results.kpis import KPIS

    known: dict[str, None] = {}
    for scn in scenarios:
        known.update(dict.fromkeys(KPIS.names(run_info(scn))))
    unknown = [name for name in requested if name not in known]
    for name in unknown:
        close = difflib.get_close_matches(name, list(known), n=3, cutoff=0.6)
        stem = name.split(".")[0]
        family = [k for k in known if k.startswith(name)] or [
            k for k in known if k.startswith(stem + ".")
        ]
        if close:
            hint = f"did you mean {' or '.join(close)}?"
        elif family:
            more = ", …" if len(family) > 6 else ""
            hint = f"did you mean one of {', '.join(family[:6])}{more}?"
        else:
            hint = (
                "names look like trains.total, teu.<corridor>.<direction>, "
                "clearance_h.import.mean; --all lists every KPI of a run"
            )
        error_line(f"--kpi {name}: no such KPI in this run; {hint}")
    if unknown:
        raise typer.Exit(EXIT_BAD_INPUT)
    return list(dict.fromkeys(requested))


def kpi_columns(table: Table, shown: Sequence[str], units: Sequence[str], lang: str) -> None:
    """The first columns of a KPI table: the KPI (in Chinese, its label and then its name,
    which ``--kpi`` takes) and its unit, kept whole (never cut to ``TE…``)."""
    if lang != "en":
        table.add_column(label("column.kpi", lang), overflow="fold")
        table.add_column(label("column.name", lang), no_wrap=True)
    else:
        table.add_column("KPI", no_wrap=True, min_width=max((len(n) for n in shown), default=3))
    table.add_column(
        label("column.unit", lang),
        no_wrap=True,
        min_width=max((len(unit_text(shown_unit(u), lang)) for u in units), default=4),
    )


def kpi_cells(name: str, u: str, info: RunInfo | None, lang: str) -> list[str]:
    """The cells of :func:`kpi_columns` for the KPI ``name`` of unit ``u``."""
    head = [escape(name)]
    if lang != "en":
        head = [escape(kpi_label(name, info, lang)), escape(name)]
    return [*head, unit_text(shown_unit(u), lang)]


def print_table(table: Table) -> None:
    """Print a table on stdout; piped, as wide as it needs (cells are never cut short)."""
    if out.is_terminal:
        out.print(table)
        return
    needed = Measurement.get(out, out.options.update(max_width=10_000), table).maximum
    width = out.width
    out.width = max(width, needed)
    try:
        out.print(table)
    finally:
        out.width = width


def kpi_table(
    summary: Any,
    names: Sequence[str] | None,
    title: str,
    published: bool = False,
    *,
    lang: str = "en",
    info: RunInfo | None = None,
) -> Table:
    """KPI, unit, mean, CI half-width and n; with ``published``, the port's 2023 figure too.
    In ``lang`` (``en``, ``zh``); ``info`` names the run's corridors and resources."""
    rows = rows_by(summary)
    shown = [n for n in (names if names is not None else list(rows)) if n in rows]
    table = Table(title=title, title_justify="left", header_style="bold")
    kpi_columns(table, shown, [str(rows[n]["unit"]) for n in shown], lang)
    table.add_column(label("column.mean", lang), justify="right")
    table.add_column(label("column.half_width", lang), justify="right")
    table.add_column(label("column.n", lang), justify="right")
    if published:
        table.add_column(label("column.published_short", lang), justify="right", style="cyan")
    for name in shown:
        r = rows[name]
        u = str(r["unit"])
        cells = [
            *kpi_cells(name, u, info, lang),
            format_value(float(r["mean"]), u),
            format_value(float(r["half_width"]), u) if r["n"] > 1 else "–",
            str(int(r["n"])),
        ]
        if published:
            cells.append(format_value(PUBLISHED_2023[name], u) if name in PUBLISHED_2023 else "")
        table.add_row(*cells)
    return table
