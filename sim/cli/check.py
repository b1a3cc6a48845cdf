"""``landport check``: the baseline regression check that CI runs (see
:mod:`sim.experiment.regression` for what is compared and the band rule)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from sim.cli.common import (
    EXIT_BAD_INPUT,
    Workers,
    app,
    error_line,
    handled,
    out,
    parse_sets,
    progress_bar,
    sets_option,
)
from sim.cli.show import print_health
from sim.experiment import regression
from sim.results.formatting import format_value, is_count, shown_unit
from sim.results.kpis import unit as kpi_unit
from sim.results.published import SOURCE, TOLERANCE, WINDOW

_STYLE = {
    "ok": "green",
    "changed": "yellow",
    "new": "yellow",
    "NOT EXACT": "bold red",
    "REGRESSION": "bold red",
    "missing": "bold red",
}


def _num(value: float, unit: str) -> str:
    """A value as everywhere, but a mean of counts over replications keeps one decimal."""
    return format_value(value, unit, decimals=1 if is_count(unit) else None)


def _signed(value: float, unit: str) -> str:
    if value != value:  # NaN
        return "–"
    text = format_value(abs(value), unit, change=True, decimals=1 if is_count(unit) else None)
    return ("+" if value > 0 else "−" if value < 0 else "±") + text


def _table(report: regression.CheckReport, title: str) -> Table:
    published = report.comparable_to_published
    table = Table(title=title, title_justify="left", header_style="bold")
    names = [r.name for r in report.rows]
    table.add_column("KPI", no_wrap=True, min_width=max((len(n) for n in names), default=3))
    for name, justify in (
        ("unit", "left"),
        ("baseline", "right"),
        ("now", "right"),
        ("difference", "right"),
        ("allowed band", "right"),
        ("status", "left"),
        *([("published 2023", "right")] if published else []),
    ):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for row in report.rows:
        u = row.unit
        status = row.status
        cells = [
            row.name,
            shown_unit(u),
            _num(row.base.mean, u) if row.base else "–",
            _num(row.now.mean, u) if row.now else "–",
            _signed(row.difference, u),
            "±" + format_value(row.band, u, change=True, decimals=1 if is_count(u) else None)
            if row.band == row.band
            else "–",
            f"[{_STYLE[status]}]{status}[/]",
        ]
        if published:
            pub = row.published
            cells.append("" if pub is None else f"[cyan]{format_value(pub, u)}[/]")
        table.add_row(*cells)
    return table


def _calibration_table(summary: pd.DataFrame) -> Table:
    table = Table(
        title=f"Published 2023 figures beside the model ({SOURCE})",
        title_justify="left",
        header_style="bold",
    )
    table.add_column("figure", no_wrap=True)
    for name in ("published 2023", "model now", "± 95 % CI", "deviation", "tolerance"):
        table.add_column(name, justify="right")
    for name, published, mean, hw, dev, ok in regression.calibration(summary):
        u = kpi_unit(name)
        table.add_row(
            name,
            format_value(published, u),
            _num(mean, u),
            _num(hw, u),
            f"[{'green' if ok else 'red'}]{dev:+.1%}[/]",
            f"±{TOLERANCE[name]:.0%}",
        )
    return table


def _verdict(report: regression.CheckReport, con: Console) -> None:
    band = report.band_failures
    if band:
        listed = ", ".join(
            f"{r.name} ({_signed(r.difference, r.unit)} {r.unit}, "
            f"band ±{format_value(r.band, r.unit, change=True)})"
            if r.status == "REGRESSION"
            else f"{r.name} (missing from this run)"
            for r in band
        )
        con.print(
            f"[bold red]Statistical check FAILED[/]: {len(band)} KPI(s) outside the "
            f"{regression.CONFIDENCE:.0%} band: {listed}",
            highlight=False,
        )
    else:
        con.print(
            "[green]Statistical check passed[/]: every KPI within its "
            f"{regression.CONFIDENCE:.0%} band.",
            highlight=False,
        )
    differ = report.not_identical
    if not differ:
        con.print(
            "[green]Exact check passed[/]: every replication's value is identical to the "
            f"baseline's, bit for bit ({report.exact_reason}).",
            highlight=False,
        )
    elif report.exact_required:
        hint = (
            "same seed and same code gave different numbers: reproducibility is broken"
            if "same scenario" in report.exact_reason
            else "the numbers moved"
        )
        con.print(
            f"[bold red]Exact check FAILED[/] ({report.exact_reason}): {len(differ)} KPI(s) "
            f"differ from the baseline; {hint}.",
            highlight=False,
        )
    else:
        within = not band
        con.print(
            f"[yellow]Exact check: numbers differ[/] on {len(differ)} KPI(s) "
            f"({report.exact_reason})"
            + (
                "; all within the statistical band. If the change was intended, review it "
                f"and record it with `{regression.REGENERATE}`."
                if within
                else "."
            ),
            highlight=False,
        )


def _header(report: regression.CheckReport) -> str:
    b, c = report.baseline, report.current
    return (
        f"Baseline {report.baseline_path}: scenario {b.scenario_name} ({b.scenario_hash}), "
        f"seed {b.seed}, {b.replications} replications, landport {b.landport_version}, "
        f"commit {b.git_commit or 'unknown'}, recorded {b.created_at or 'unknown'}\n"
        f"Now: {c.scenario_file} ({c.scenario_hash}), seed {c.seed}, {c.replications} "
        f"replications, commit {c.git_commit or 'unknown'}, {report.wall_s:.1f} s"
    )


@app.command()
def check(
    baseline: Annotated[
        Path,
        typer.Option(
            metavar="FILE", help="Baseline KPI file to compare with (or to write with --update)."
        ),
    ] = regression.DEFAULT_BASELINE,
    update: Annotated[
        bool,
        typer.Option("--update", help="Run the scenario and rewrite the baseline file from it."),
    ] = False,
    scenario: Annotated[
        Path,
        typer.Option(metavar="FILE", help="Scenario to run (default: the committed baseline)."),
    ] = regression.DEFAULT_SCENARIO,
    exact: Annotated[
        bool,
        typer.Option(
            "--exact",
            help="Also fail when the numbers are not identical to the baseline's, bit for bit.",
        ),
    ] = False,
    workers: Workers = None,
    set_: Annotated[
        list[str] | None,
        sets_option("Override a field (repeatable), e.g. --set customs.import.officers=2."),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Re-run the baseline and compare its KPIs with the committed baseline file.

    Exit 0 when every KPI is within its band (and, when required, identical); 1 on a
    regression; 2 on bad input (missing or corrupt baseline file, bad scenario or option).
    """
    con = out
    with handled():
        try:
            if update:
                if set_:
                    error_line(
                        "--update records the scenario file as committed; "
                        "do not combine it with --set (edit the scenario file instead)"
                    )
                    raise typer.Exit(EXIT_BAD_INPUT)
                with progress_bar(f"{scenario}: baseline run", quiet) as progress:
                    new, report = regression.update_baseline(
                        scenario, baseline, workers=workers, progress=progress
                    )
                if report is not None:
                    con.print(_table(report, "Change from the previous baseline"))
                con.print(
                    f"Wrote {baseline}: scenario {new.scenario_name} ({new.scenario_hash}), "
                    f"seed {new.seed}, {new.replications} replications, "
                    f"{len(new.kpis)} KPIs. Review `git diff {baseline}` and commit it.",
                    highlight=False,
                )
                return
            overrides = parse_sets(set_)
            with progress_bar(f"{scenario}: regression check", quiet) as progress:
                report = regression.run_check(
                    scenario,
                    baseline,
                    exact=exact,
                    overrides=overrides,
                    workers=workers,
                    progress=progress,
                )
        except regression.BaselineError as exc:
            error_line(exc)
            raise typer.Exit(EXIT_BAD_INPUT) from None
    con.print(escape(_header(report)), highlight=False)
    for note in report.notes:
        con.print(f"[yellow]note:[/] {note}", highlight=False)
    con.print(_table(report, "Regression check against the baseline"))
    if report.summary is not None:
        means = dict(zip(report.summary["kpi"], report.summary["mean"], strict=True))
        if report.info is not None:
            print_health(means, report.info)
    if report.comparable_to_published and report.summary is not None:
        con.print(_calibration_table(report.summary))
    else:
        con.print(
            f"[yellow]note:[/] the published 2023 figures cover {WINDOW[0]} – {WINDOW[1]}; "
            "this run covers another period, so they are not shown.",
            highlight=False,
        )
    _verdict(report, con)
    raise typer.Exit(report.exit_code)
