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
    known_kpis,
    kpi_table,
    one_line,
    out,
    parse_sets,
    print_health,
    print_table,
    progress_bar,
    replications_option,
    seed_option,
    sets_option,
)
from sim.experiment import api
from sim.experiment.api import SweepInterrupted
from sim.results.i18n import label
from sim.results.kpis import headline
from sim.results.published import WINDOW as PUBLISHED_WINDOW
from sim.scenario import load_scenario, scenario_hash
from sim.scenario.schema import Scenario

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


@app.command()
def validate(
    scenario: Annotated[
        Path,
        typer.Argument(
            help="Scenario YAML file, or an experiment file with a sweep:, sensitivity: or "
            "optimise: block."
        ),
    ],
    set_: Annotated[
        list[str] | None, sets_option("Override a field (repeatable), e.g. --set end=2023-02-28.")
    ] = None,
) -> None:
    """Check a scenario or sweep file without running it: every problem on a line of its own
    (file, field, what was expected) and exit 2, or a one-line summary. A sweep file's every
    point is checked as the scenario it makes."""
    from sim.experiment.design import base_scenario, plan_sweep
    from sim.experiment.optimise import BLOCK as OPTIMISE
    from sim.experiment.optimise import read_spec as optimise_spec
    from sim.experiment.sensitivity import BLOCK as SENSITIVITY
    from sim.experiment.sensitivity import read_spec as sensitivity_spec
    from sim.scenario.load import resolve

    with handled():
        overrides = parse_sets(set_)
        data, _ = resolve(scenario)
        if "sweep" in data:
            plan = plan_sweep(scenario, overrides=overrides)
            first = plan.scenarios[0]
            summary = (
                f"sweep {plan.name!r}, {len(plan.points)} points over "
                f"{', '.join(plan.levers)}, each a valid scenario; {first.start} – {first.end}, "
                f"{plan.replications_of(0)} replication(s) a point"
            )
        elif SENSITIVITY in data:
            spec = sensitivity_spec(scenario, overrides=overrides)
            summary = (
                f"sensitivity ({spec.method}) of {', '.join(spec.kpis)} to "
                f"{len(spec.factors)} factors, {len(spec.points())} points; the scenario is valid"
            )
        elif OPTIMISE in data:
            search = optimise_spec(scenario)
            base = base_scenario(scenario, overrides)
            summary = (
                f"optimise {', '.join(lv.path for lv in search.levers)} subject to "
                f"{' and '.join(str(c) for c in search.constraints) or 'no target'}; "
                f"scenario {base.name!r} is valid"
            )
        else:
            scn: Scenario = load_scenario(scenario, overrides)
            summary = (
                f"scenario {scn.name!r}, {scn.start} – {scn.end}, {len(scn.corridors)} "
                f"corridors, {len(scn.demand.flows)} flows, hash {scenario_hash(scn)}"
            )
    out.print(
        f"[green]ok[/green] {one_line(scenario)}: {one_line(summary)}",
        highlight=False,
        soft_wrap=True,  # one line, whatever the width: scripts read it
    )


@app.command()
def schema(
    resolved: Annotated[
        bool,
        typer.Option(
            "--resolved",
            help="The schema of a scenario as resolved (extends merged, every field given): "
            "what a run folder's scenario.yaml holds.",
        ),
    ] = False,
) -> None:
    """Print the JSON Schema of scenario files, for editors to complete and check them: a file
    that extends another sets only what changes, and may hold a sweep: block."""
    from sim.scenario.file_schema import file_schema

    doc = Scenario.model_json_schema(by_alias=True) if resolved else file_schema()
    sys.stdout.write(json.dumps(doc, indent=2) + "\n")
