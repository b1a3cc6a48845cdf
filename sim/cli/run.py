"""``landport run``."""

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
    AllKpis,
    DaskScheduler,
    Kpis,
    Lang,
    LangOption,
    OutDir,
    Workers,
    Xlsx,
    app,
    err,
    handled,
    out,
    parse_sets,
    progress_bar,
    raised,
    replications_option,
    seed_option,
    sets_option,
)

EXIT_INTERRUPTED = 130
"""Exit status after Ctrl-C (128 + SIGINT), as shells report it."""


@contextmanager
def interruptible(what: str) -> Iterator[None]:
    """Ctrl-C → one line saying what was saved, and exit 130 (no traceback)."""
    try:
        yield
    except KeyboardInterrupt as stop:
        if raised(stop, "sim.experiment.sweep", "SweepInterrupted"):
            said = (
                f"{stop.done} of {stop.total} points are saved in {stop.folder}; "  # type: ignore[attr-defined]
                "run the same command with --resume to finish"
            )
        else:
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
    seed: Annotated[int | None, seed_option("Seed (default: the scenario's).")] = None,
    replications: Annotated[
        int | None, replications_option("Replications (default: the scenario's).")
    ] = None,
    out_dir: OutDir = None,
    workers: Workers = None,
    dask_scheduler: DaskScheduler = None,
    set_: Annotated[
        list[str] | None,
        sets_option("Override a field (repeatable), e.g. --set customs.import.officers=4."),
    ] = None,
    kpi: Kpis = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the KPI means (kpis.json) to stdout.")
    ] = False,
    all_kpis: AllKpis = False,
    report: Annotated[
        bool, typer.Option("--report", help="Also write report.html into the run folder.")
    ] = False,
    xlsx: Xlsx = False,
    lang: LangOption = Lang.en,
) -> None:
    """Run a scenario and print its KPI table; results go to a new run folder."""
    with handled():
        from sim.experiment.backends import prepare

        # The workers' fork server imports the model while this process imports the rest.
        prepare(workers, dask_scheduler, replications or 2)
        from sim.cli.show import known_kpis, kpi_table, print_health, print_table
        from sim.experiment import api
        from sim.results.i18n import label
        from sim.results.kpis import headline
        from sim.results.published import WINDOW as PUBLISHED_WINDOW
        from sim.scenario.load import load_scenario

        overrides = parse_sets(set_)
        scn = load_scenario(scenario, overrides)
        names = known_kpis(kpi, [scn])
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
                scenario,  # the file and the overrides, so the manifest records where it came from
                seed=seed,
                replications=reps,
                workers=workers,
                dask_scheduler=dask_scheduler,
                out=out_dir,
                progress=update,
                overrides=overrides,
            )
        warn_if_elsewhere(out_dir, result.path, "run")
        if report:
            from sim.cli.report import report_into

            path = report_into(result, lang=lang.value)
            err.print(f"Report: [bold]{escape(str(path))}[/bold]")
        if xlsx:
            from sim.cli.report import excel_into

            workbook = excel_into(result, lang=lang.value)
            err.print(f"Workbook: [bold]{escape(str(workbook))}[/bold]")
    if as_json:
        means = result.kpi_means()
        shown = means if names is None else {k: means[k] for k in names if k in means}
        sys.stdout.write(json.dumps(shown, indent=2, default=str) + "\n")
        return
    man = result.manifest
    title = label(
        "cli.run_title",
        lang.value,
        name=scn.name,
        start=scn.start,
        end=scn.end,
        reps=reps,
        seed=man["seed"],
        events=f"{man['events']:,}",
        wall=f"{man['wall_s']:.1f}",
    )
    published = (scn.start, scn.end) == PUBLISHED_WINDOW
    if names is None and not all_kpis:
        names = headline(list(result.summary["kpi"]), result.info)
    print_table(
        kpi_table(result.summary, names, title, published, lang=lang.value, info=result.info)
    )
    print_health(result.kpi_means(), result.info, lang=lang.value)
    out.print(
        f"Results: [bold]{escape(str(result.path))}[/bold]  "
        "(every KPI: summary.csv; tables: *.parquet)"
    )
    if result.manifest.get("run_id"):
        out.print(f"Run id:  {result.manifest['run_id']}  (sim.load(id); landport runs)")
