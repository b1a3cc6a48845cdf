"""``landport run``, ``validate`` and ``schema``."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from sim.cli.common import (
    MAX_WORKERS,
    app,
    err,
    handled,
    kpi_table,
    one_line,
    out,
    parse_sets,
    print_health,
    progress_bar,
)
from sim.experiment import api
from sim.experiment.sweep import SweepInterrupted
from sim.results.kpis import headline
from sim.results.published import WINDOW as PUBLISHED_WINDOW
from sim.scenario import load_scenario, scenario_hash
from sim.scenario.schema import MAX_REPLICATIONS, MAX_SEED, Scenario

EXIT_INTERRUPTED = 130
"""Exit status after Ctrl-C (128 + SIGINT), as shells report it."""


@contextmanager
def interruptible(what: str) -> Iterator[None]:
    """Ctrl-C → one line saying what was saved, and exit 130 (no traceback)."""
    try:
        yield
    except SweepInterrupted as stop:
        said = (
            f"{stop.done} of {stop.total} points are saved in {stop.folder}; "
            "run the same command with --resume to finish"
        )
    except KeyboardInterrupt:
        said = f"nothing was saved (a {what} folder is written only when it is whole)"
    else:
        return
    err.print(f"[yellow]interrupted:[/yellow] {said}", highlight=False, soft_wrap=True)
    raise typer.Exit(EXIT_INTERRUPTED)


def warn_if_elsewhere(asked: Path | None, saved: Path | None, what: str) -> None:
    """Say so when ``--out`` was taken while the work ran and the next free name was used."""
    if asked is not None and saved is not None and saved != asked:
        err.print(
            f"[yellow]warning:[/yellow] {asked} appeared while this {what} was computed; "
            f"the {what} is saved in {saved} instead",
            highlight=False,
            soft_wrap=True,
        )


@app.command()
def run(
    scenario: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
    seed: Annotated[
        int | None, typer.Option(min=0, max=MAX_SEED, help="Seed (default: the scenario's).")
    ] = None,
    replications: Annotated[
        int | None,
        typer.Option(
            "--replications",
            "-n",
            min=1,
            max=MAX_REPLICATIONS,
            help="Replications (default: the scenario's).",
        ),
    ] = None,
    out_dir: Annotated[
        Path | None,
        typer.Option("--out", help="Run folder to create (default: a new folder under results/)."),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            min=1, max=MAX_WORKERS, help="Local worker processes (default: the machine's cores)."
        ),
    ] = None,
    dask_scheduler: Annotated[
        str | None,
        typer.Option(help="Run on a Dask cluster at this address, or 'local' for a LocalCluster."),
    ] = None,
    set_: Annotated[
        list[str] | None,
        typer.Option("--set", help="Override a field, e.g. --set customs.import.officers=4."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print kpis.json to stdout.")] = False,
    all_kpis: Annotated[bool, typer.Option("--all", help="Show every KPI.")] = False,
    report: Annotated[
        bool, typer.Option("--report", help="Also write report.html into the run folder.")
    ] = False,
) -> None:
    """Run a scenario and print its KPI table; results go to a new run folder."""
    with handled():
        overrides = parse_sets(set_)
        scn = load_scenario(scenario, overrides)
        reps = replications or scn.replications
        with (
            interruptible("run"),
            progress_bar(
                f"{scn.name}: {reps} replication(s)",
                workers=workers,
                dask_scheduler=dask_scheduler,
            ) as update,
        ):
            result = api.run(
                scn,
                seed=seed,
                replications=reps,
                workers=workers,
                dask_scheduler=dask_scheduler,
                out=out_dir,
                progress=update,
                overrides=None,
            )
        result.manifest["scenario_file"] = str(scenario)
        warn_if_elsewhere(out_dir, result.path, "run")
        if report:
            from sim.cli.report import report_into

            err.print(f"Report: [bold]{escape(str(report_into(result)))}[/bold]")
    if as_json:
        sys.stdout.write(json.dumps(result.kpi_means(), indent=2, default=str) + "\n")
        return
    man = result.manifest
    title = (
        f"{scn.name}: {scn.start} – {scn.end}, {reps} replication(s), seed {man['seed']}"
        f" — {man['events']:,} events in {man['wall_s']:.1f} s"
    )
    published = (scn.start, scn.end) == PUBLISHED_WINDOW
    names = None if all_kpis else headline(list(result.summary["kpi"]), result.info)
    out.print(kpi_table(result.summary, names, title, published))
    print_health(result.kpi_means(), result.info)
    out.print(
        f"Results: [bold]{escape(str(result.path))}[/bold]  "
        "(every KPI: summary.csv; tables: *.parquet)"
    )
    if result.manifest.get("run_id"):
        out.print(f"Run id:  {result.manifest['run_id']}  (sim.load(id); landport runs)")


@app.command()
def validate(
    scenario: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
    set_: Annotated[list[str] | None, typer.Option("--set", help="Override a field.")] = None,
) -> None:
    """Check a scenario file; print what is wrong, or a one-line summary."""
    with handled():
        scn: Scenario = load_scenario(scenario, parse_sets(set_))
    out.print(
        f"[green]ok[/green] {one_line(scenario)}: scenario {scn.name!r}, {scn.start} – {scn.end}, "
        f"{len(scn.corridors)} corridors, {len(scn.demand.flows)} flows, "
        f"hash {scenario_hash(scn)}",
        highlight=False,
        soft_wrap=True,  # one line, whatever the width: scripts read it
    )


@app.command()
def schema() -> None:
    """Print the scenario JSON Schema (for editors)."""
    sys.stdout.write(json.dumps(Scenario.model_json_schema(by_alias=True), indent=2) + "\n")
