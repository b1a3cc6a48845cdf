"""``landport``: the planner's command line. Thin: it parses, calls the API, prints.

Exit codes: 0 ok, 1 a check failed, 2 bad input (scenario file, option or folder).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from sim.experiment import api
from sim.results.published import PUBLISHED_2023
from sim.results.store import RunFolderError
from sim.scenario import ScenarioError, load_scenario, parse_override, scenario_hash
from sim.scenario.schema import Scenario

app = typer.Typer(
    name="landport",
    help="Simulate rail–sea intermodal freight through the Huaihua International Land Port.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out = Console()
err = Console(stderr=True)

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2

HEADLINE = (
    "trains.total", "trains.qinzhou_rail_sea", "trains.china_laos", "trains.china_vietnam",
    "teu.total", "teu.qinzhou_rail_sea.export", "teu.qinzhou_rail_sea.import",
    "teu.china_laos.export", "teu.china_laos.import", "teu.china_vietnam.export",
    "teu.china_vietnam.import", "teu_per_train.mean", "train_load_factor.qinzhou_rail_sea",
    "train_load_factor.china_laos", "train_load_factor.china_vietnam",
    "clearance_h.import.mean", "clearance_h.import.p90", "clearance_h.export.mean",
    "clearance_h.export.p90", "dwell_h.huaihua.import.mean", "dwell_h.huaihua.export.mean",
    "door_to_door_h.import.mean", "door_to_door_h.export.mean",
    "utilisation.huaihua.customs.import.officers", "utilisation.huaihua.customs.export.officers",
    "utilisation.huaihua.customs.inspection_bays", "utilisation.huaihua.customs.quarantine_lab",
    "utilisation.huaihua.yard", "utilisation.huaihua.sidings", "cost.shipper_cny",
    "cost.subsidy_cny",
)


@contextmanager
def handled() -> Iterator[None]:
    """Turn expected errors into a clear message and exit code 2, never a traceback."""
    try:
        yield
    except ScenarioError as exc:
        for issue in exc.issues:
            err.print(f"[red]error:[/red] {issue}", highlight=False, markup=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    except (RunFolderError, FileExistsError) as exc:
        err.print(f"[red]error:[/red] {exc}", highlight=False)
        raise typer.Exit(EXIT_BAD_INPUT) from None


@contextmanager
def progress_bar(label: str, quiet: bool = False) -> Iterator[Callable[[int, int], None]]:
    """A rich progress bar on stderr: tasks done, running, remaining and an ETA."""
    if quiet:
        yield lambda done, total: None
        return
    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
               MofNCompleteColumn(), TextColumn("[dim]{task.fields[running]}"),
               TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn())
    with Progress(*columns, console=err, transient=True) as bar:
        task = bar.add_task(label, total=None, running="")

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total,
                       running=f"{total - done} to go")

        yield update


def parse_sets(values: list[str] | None) -> dict[str, Any]:
    return dict(parse_override(v) for v in values or [])


def fmt(value: float, unit: str) -> str:
    if value != value:  # NaN
        return "–"
    if unit == "share":
        return f"{value:.1%}"
    if unit == "CNY":
        return f"{value / 1e6:,.2f} M"
    if abs(value) >= 1000 or unit in ("trains", "TEU", "containers"):
        return f"{value:,.0f}"
    if abs(value) < 1:
        return f"{value:.3f}"
    return f"{value:.2f}"


def kpi_table(summary: Any, names: tuple[str, ...] | None, title: str) -> Table:
    table = Table(title=title, title_justify="left", header_style="bold")
    table.add_column("KPI")
    table.add_column("unit")
    table.add_column("mean", justify="right")
    table.add_column("± 95 % CI", justify="right")
    table.add_column("n", justify="right")
    table.add_column("published 2023", justify="right", style="cyan")
    rows = summary.set_index("kpi")
    for name in names if names is not None else list(rows.index):
        if name not in rows.index:
            continue
        r = rows.loc[name]
        unit = "M CNY" if r["unit"] == "CNY" else str(r["unit"])
        pub = PUBLISHED_2023.get(name)
        table.add_row(name, unit, fmt(r["mean"], r["unit"]),
                      fmt(r["half_width"], r["unit"]) if r["n"] > 1 else "–",
                      str(int(r["n"])), "" if pub is None else fmt(pub, r["unit"]))
    return table


@app.command()
def run(
    scenario: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
    seed: Annotated[int | None, typer.Option(help="Seed (default: the scenario's).")] = None,
    replications: Annotated[int | None, typer.Option(
        "--replications", "-n", min=1, help="Replications (default: the scenario's).")] = None,
    out_dir: Annotated[Path | None, typer.Option(
        "--out", help="Run folder to create (default: a new folder under results/).")] = None,
    workers: Annotated[int | None, typer.Option(
        min=1, help="Local worker processes (default: the machine's cores).")] = None,
    dask_scheduler: Annotated[str | None, typer.Option(
        help="Run on a Dask cluster at this address, or 'local' for a LocalCluster.")] = None,
    set_: Annotated[list[str] | None, typer.Option(
        "--set", help="Override a field, e.g. --set customs.import.officers=4.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print kpis.json to stdout.")] = False,
    all_kpis: Annotated[bool, typer.Option("--all", help="Show every KPI.")] = False,
) -> None:
    """Run a scenario and print its KPI table; results go to a new run folder."""
    with handled():
        overrides = parse_sets(set_)
        scn = load_scenario(scenario, overrides)
        reps = replications or scn.replications
        with progress_bar(f"{scn.name}: {reps} replication(s)", quiet=False) as update:
            result = api.run(scn, seed=seed, replications=reps, workers=workers,
                             dask_scheduler=dask_scheduler, out=out_dir, progress=update,
                             overrides=None)
        result.manifest["scenario_file"] = str(scenario)
    if as_json:
        sys.stdout.write(json.dumps(result.kpi_means(), indent=2, default=str) + "\n")
        return
    man = result.manifest
    title = (f"{scn.name}: {scn.start} – {scn.end}, {reps} replication(s), seed {man['seed']}"
             f" — {man['events']:,} events in {man['wall_s']:.1f} s")
    out.print(kpi_table(result.summary, None if all_kpis else HEADLINE, title))
    out.print(f"Results: [bold]{result.path}[/bold]  (every KPI: summary.csv; tables: *.parquet)")


@app.command()
def validate(
    scenario: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
    set_: Annotated[list[str] | None, typer.Option("--set", help="Override a field.")] = None,
) -> None:
    """Check a scenario file; print what is wrong, or a one-line summary."""
    with handled():
        scn: Scenario = load_scenario(scenario, parse_sets(set_))
    out.print(
        f"[green]ok[/green] {scenario}: scenario {scn.name!r}, {scn.start} – {scn.end}, "
        f"{len(scn.corridors)} corridors, {len(scn.demand.flows)} flows, "
        f"hash {scenario_hash(scn)}", highlight=False)


@app.command()
def schema() -> None:
    """Print the scenario JSON Schema (for editors)."""
    sys.stdout.write(json.dumps(Scenario.model_json_schema(by_alias=True), indent=2) + "\n")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
