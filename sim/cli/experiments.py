"""``landport compare``, ``sweep``, ``runs`` and ``catalog``: experiments beyond one run."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer
from rich.markup import escape
from rich.table import Table

from sim.cli.common import (
    EXIT_BAD_INPUT,
    MAX_WORKERS,
    app,
    error_line,
    handled,
    out,
    parse_sets,
    print_health,
    progress_bar,
)
from sim.cli.run import interruptible, warn_if_elsewhere
from sim.experiment.api import DEFAULT_ROOT, as_scenario
from sim.experiment.compare import compare as run_compare
from sim.experiment.design import plan_sweep, split_sets
from sim.experiment.sweep import sweep as run_sweep
from sim.results import catalog
from sim.results.formatting import format_lever, format_value, shown_unit
from sim.results.kpis import KPIS, headline
from sim.results.kpis.recovery import recovery_rows
from sim.results.tables import rows_by
from sim.scenario.schema import MAX_REPLICATIONS, MAX_SEED

catalog_app = typer.Typer(
    help="The results catalogue (results/catalog.duckdb): rebuild it, query it.",
    no_args_is_help=True,
)
app.add_typer(catalog_app, name="catalog")

Workers = Annotated[
    int | None,
    typer.Option(
        min=1,
        max=MAX_WORKERS,
        help="Processes at work, this one included (default: the cores; 1: serial).",
    ),
]
DaskScheduler = Annotated[
    str | None,
    typer.Option(help="Run on the Dask scheduler at this address, or 'local' for a LocalCluster."),
]
OutDir = Annotated[
    Path | None, typer.Option("--out", help="Folder to create (default: under results/).")
]
Root = Annotated[Path, typer.Option("--root", help="Results folder (and its catalog.duckdb).")]


def _pct(value: float) -> str:
    return "–" if value != value else f"{value:.0%}"


def compare_table(table: pd.DataFrame, names: list[str] | None, title: str) -> Table:
    """KPI, unit, A, B, B − A ± its 95 % CI, significant?, narrowing by common random numbers."""
    rows = rows_by(table)
    shown = [n for n in (names if names is not None else list(rows)) if n in rows]
    t = Table(title=title, title_justify="left", header_style="bold")
    t.add_column("KPI", no_wrap=True, min_width=max((len(n) for n in shown), default=3))
    t.add_column("unit")
    for name in ("A", "B", "B − A", "± 95 % CI"):
        t.add_column(name, justify="right", no_wrap=True)
    t.add_column("signif.", justify="center", no_wrap=True)
    t.add_column("CI narrowing", justify="right", no_wrap=True)
    for name in shown:
        r = rows[name]
        u = str(r["unit"])
        hw = float(r["diff_half_width"])
        t.add_row(
            escape(name),
            shown_unit(u),
            format_value(float(r["a_mean"]), u),
            format_value(float(r["b_mean"]), u),
            format_value(float(r["diff_mean"]), u, signed=True, change=True),
            format_value(hw, u, change=True) if r["n"] > 1 else "–",
            "[bold green]yes[/bold green]" if r["significant"] else "no",
            _pct(float(r["narrowing"])),
        )
    return t


def recovery_table(summary: pd.DataFrame, title: str) -> Table:
    """Per disruption and corridor: TEU delayed, extra hours per delayed TEU, peak backlog,
    time to recover (and the share of replications that did), trains held and cancelled,
    sailings cancelled, TEU turned away and the cost, means over paired replications."""
    t = Table(title=title, title_justify="left", header_style="bold")
    for name in ("disruption", "corridor"):
        t.add_column(name, no_wrap=True)
    heads = (
        "TEU delayed",
        "h per delayed TEU",
        "peak backlog TEU",
        "recovery h ± CI",
        "recovered",
        "trains held / cancelled",
        "sailings cancelled",
        "turned away TEU",
        "cost M CNY",
    )
    for name in heads:
        t.add_column(name, justify="right")
    for _, r in recovery_rows(summary).iterrows():
        hw = float(r["recovery_h_hw"])
        t.add_row(
            escape(str(r["disruption"])),
            escape(str(r["corridor"])),
            format_value(float(r["teu_delayed"]), "TEU"),
            format_value(float(r["extra_h_per_delayed_teu"]), "h"),
            format_value(float(r["peak_backlog_teu"]), "TEU"),
            f"{format_value(float(r['recovery_h']), 'h')} ± {format_value(hw, 'h')}",
            _pct(float(r["recovered"])),
            f"{format_value(float(r['trains_held']), 'trains')} / "
            f"{format_value(float(r['trains_cancelled']), 'trains')}",
            format_value(float(r["sailings_cancelled"]), "sailings"),
            format_value(float(r["turned_away_teu"]), "TEU", signed=True, change=True),
            format_value(float(r["cost_cny"]), "CNY"),
        )
    return t


@app.command()
def compare(
    a: Annotated[Path, typer.Argument(help="Scenario A (the reference).")],
    b: Annotated[Path, typer.Argument(help="Scenario B (the what-if).")],
    replications: Annotated[
        int | None,
        typer.Option(
            "--replications", "-n", min=1, max=MAX_REPLICATIONS, help="Replications (default: A's)."
        ),
    ] = None,
    seed: Annotated[
        int | None, typer.Option(min=0, max=MAX_SEED, help="Seed of both (default: A's).")
    ] = None,
    workers: Workers = None,
    dask_scheduler: DaskScheduler = None,
    out_dir: OutDir = None,
    root: Root = DEFAULT_ROOT,
    set_: Annotated[
        list[str] | None,
        typer.Option("--set", help="Override a field of both, e.g. --set end=2023-02-28."),
    ] = None,
    kpi: Annotated[list[str] | None, typer.Option(help="Show only these KPIs.")] = None,
    all_kpis: Annotated[bool, typer.Option("--all", help="Show every KPI.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the table as JSON.")] = False,
) -> None:
    """Run A and B with common random numbers; per KPI: A, B, B − A with its 95 % CI,
    whether it is significant, and how much pairing narrowed the CI."""
    with handled():
        overrides = parse_sets(set_)
        sa, sb = as_scenario(a, overrides), as_scenario(b, overrides)  # validate both first
        reps = replications or sa.replications
        with (
            interruptible("comparison"),
            progress_bar(
                f"{sa.name} vs {sb.name}: 2 × {reps} replications",
                workers=workers,
                dask_scheduler=dask_scheduler,
            ) as update,
        ):
            result = run_compare(
                a,
                b,
                replications=reps,
                seed=seed,
                workers=workers,
                dask_scheduler=dask_scheduler,
                out=out_dir,
                root=root,
                overrides=overrides,
                progress=update,
            )
        warn_if_elsewhere(out_dir, result.path, "comparison")
    man = result.manifest
    if as_json:
        payload = {
            "folder": str(result.path),
            "run_id": man["run_id"],
            "seed": man["seed"],
            "replications": man["replications"],
            "table": json.loads(result.table.to_json(orient="records")),
        }
        recovery = result.recovery_summary
        if recovery is not None:
            payload["recovery"] = json.loads(recovery.to_json(orient="records"))
        sys.stdout.write(json.dumps(payload, indent=2) + "\n")
        return
    present = [str(k) for k in result.table["kpi"]]
    names = list(kpi) if kpi else (None if all_kpis else headline(present, result.a.info))
    title = (
        f"A = {sa.name}, B = {sb.name}: {man['replications']} paired replications, seed "
        f"{man['seed']} (common random numbers) — {man['wall_s']:.1f} s"
    )
    out.print(compare_table(result.table, names, title))
    out.print(
        "[dim]B − A ± 95 % CI: paired over replications (Student t). signif.: that CI excludes "
        "0. CI narrowing: how much narrower it is than with independent seeds (Welch).[/dim]"
    )
    recovery = result.recovery_summary
    if recovery is not None:
        out.print(
            recovery_table(
                recovery, "Recovery of B from its disruptions, against A as undisrupted"
            )
        )
        out.print(
            "[dim]Means over paired replications. recovery h: from the disruption's end until "
            "the backlog is back within the band of A's and stays there; recovered: share of "
            "replications that did by the end (if not, the hours run to the end). cost: extra "
            "storage, demurrage and the margin of cargo turned away.[/dim]"
        )
    print_health(result.a.kpi_means(), result.a.info, "A: ")
    print_health(result.b.kpi_means(), result.b.info, "B: ")
    out.print(
        f"Results: [bold]{escape(str(result.path))}[/bold]  (run id {man['run_id']}; "
        "comparison.csv)"
    )


def sweep_table(summary: pd.DataFrame, levers: list[str], names: list[str], title: str) -> Table:
    """One row per point: its levers, then mean ± 95 % half-width of each KPI."""
    caption = "levers: " + escape(", ".join(levers)) + "; KPI cells: mean ± 95 % CI half-width"
    t = Table(
        title=title,
        title_justify="left",
        header_style="bold",
        caption=caption,
        caption_justify="left",
        min_width=min(max(len(title), len(caption)), 120),
    )
    t.add_column("point", justify="right")
    # Dotted names break at their dots, so headers stay whole in narrow terminals.
    for lever in levers:
        t.add_column(escape(lever).replace(".", ".\n"), justify="right", no_wrap=True)
    for name in names:
        t.add_column(name.replace(".", ".\n"), justify="right", no_wrap=True)
    for k, rows in summary.groupby("point", sort=True):
        by_kpi = rows_by(rows)
        cells = [str(k), *(escape(format_lever(rows[lever].iloc[0])) for lever in levers)]
        for name in names:
            if name not in by_kpi:
                cells.append("–")
                continue
            r = by_kpi[name]
            u = str(r["unit"])
            hw = format_value(float(r["half_width"]), u) if r["n"] > 1 else "–"
            cells.append(f"{format_value(float(r['mean']), u)} ± {hw}")
        t.add_row(*cells)
    return t


@app.command()
def sweep(
    scenario: Annotated[
        Path, typer.Argument(help="Scenario YAML file, or a sweep file with a sweep: block.")
    ],
    set_: Annotated[
        list[str] | None,
        typer.Option(
            "--set",
            help="A lever: PATH=V1,V2,… (e.g. customs.import.officers=4,6,8); "
            "one value is a plain override.",
        ),
    ] = None,
    replications: Annotated[
        int | None,
        typer.Option(
            "--replications", "-n", min=1, max=MAX_REPLICATIONS, help="Replications a point."
        ),
    ] = None,
    seed: Annotated[
        int | None, typer.Option(min=0, max=MAX_SEED, help="Seed of every point.")
    ] = None,
    workers: Workers = None,
    dask_scheduler: DaskScheduler = None,
    out_dir: OutDir = None,
    root: Root = DEFAULT_ROOT,
    resume: Annotated[
        bool,
        typer.Option(help="Continue an interrupted sweep of the same plan; finished points stay."),
    ] = False,
    kpi: Annotated[list[str] | None, typer.Option(help="KPIs to show.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Run a scenario at every point of a grid of levers; one folder with tidy KPI tables."""
    with handled():
        overrides, levers = split_sets(set_ or [])
        plan = plan_sweep(
            scenario, levers, overrides=overrides, seed=seed, replications=replications
        )
        n = len(plan.points)
        label = f"{escape(plan.name)}: {n} points × {plan.replications_of(0)} replications"
        with (
            interruptible("sweep"),
            progress_bar(label, workers=workers, dask_scheduler=dask_scheduler) as update,
        ):
            result = run_sweep(
                scenario,
                levers,
                overrides=overrides,
                seed=seed,
                replications=replications,
                workers=workers,
                dask_scheduler=dask_scheduler,
                out=out_dir,
                root=root,
                resume=resume,
                progress=update,
            )
        warn_if_elsewhere(out_dir, result.path, "sweep")
    man = result.manifest
    if as_json:
        payload = {
            "folder": str(result.path),
            "run_id": man["run_id"],
            "levers": result.levers,
            "summary": json.loads(result.summary.to_json(orient="records")),
        }
        sys.stdout.write(json.dumps(payload, indent=2, default=str) + "\n")
        return
    present = list(dict.fromkeys(str(k) for k in result.summary["kpi"]))
    infos = {point: result.run(point).info for point, _, _ in result.point_means()}
    first = infos[min(infos)] if infos else None
    names = [k for k in kpi if k in present] if kpi else KPIS.select(present, "key", first)
    reused = man.get("points_reused", 0)
    title = (
        f"{escape(plan.name)}: {n} points × {man['replications']} replications, seed {man['seed']}"
        + (f" ({reused} points kept from the interrupted run)" if reused else "")
        + f" — {man['wall_s']:.1f} s"
    )
    out.print(sweep_table(result.summary, result.levers, names, title))
    for point, label, means in result.point_means():
        print_health(means, infos[point], f"point {point} ({label}): ")
    out.print(
        f"Results: [bold]{escape(str(result.path))}[/bold]  (run id {man['run_id']}; summary.csv, "
        "kpis.parquet, points/<k>/)"
    )


@app.command()
def runs(
    limit: Annotated[int, typer.Option(min=1, max=1_000_000, help="How many to list.")] = 20,
    kind: Annotated[str | None, typer.Option(help="Only this kind: run, compare or sweep.")] = None,
    root: Root = DEFAULT_ROOT,
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """List recent runs, comparisons and sweeps from the catalogue."""
    with handled():
        if kind is not None and kind not in catalog.KINDS:
            error_line(f"--kind: expected one of {', '.join(catalog.KINDS)}")
            raise typer.Exit(EXIT_BAD_INPUT)
        df = catalog.list_runs(root, limit=limit, kind=kind)
    if as_json:
        sys.stdout.write(df.to_json(orient="records", date_format="iso", indent=2) + "\n")
        return
    where = catalog.catalog_path(root)
    if df.empty:
        out.print(f"No runs catalogued in {where}.", highlight=False)
        return
    t = Table(title=f"Recent runs ({where})", title_justify="left", header_style="bold")
    for name in ("id", "kind", "created (UTC)", "scenario", "seed", "reps", "points", "commit"):
        t.add_column(name, no_wrap=name in ("id", "created (UTC)"))
    t.add_column("folder", overflow="fold")
    for r in df.to_dict("records"):
        created = r["created_at"]
        t.add_row(
            str(r["id"]),
            str(r["kind"]),
            created.strftime("%Y-%m-%d %H:%M") if created == created and created else "",
            str(r["scenario"]),
            _int(r["seed"]),
            _int(r["replications"]),
            _int(r["points"]),
            str(r["git_commit"] or "")[:8],
            _shown(r["folder"]) if r["exists"] else f"[red]{r['folder']} (missing)[/red]",
        )
    out.print(t)


def _shown(folder: str) -> str:
    """A folder relative to the working directory when it is below it."""
    try:
        return str(Path(folder).relative_to(Path.cwd().resolve()))
    except ValueError:
        return folder


def _int(value: Any) -> str:
    return "" if value is None or value != value else str(int(value))


@catalog_app.command("rebuild")
def catalog_rebuild(root: Root = DEFAULT_ROOT) -> None:
    """Re-create the catalogue from the run, comparison and sweep folders under the root."""
    with handled():
        counts = catalog.rebuild(root)
    by_kind = ", ".join(f"{n} {k}{'s' if n != 1 else ''}" for k, n in counts["runs"].items())
    out.print(
        f"Catalogue rebuilt: {by_kind}; {counts['kpis']:,} KPI rows → {counts['path']}",
        highlight=False,
    )
    for folder, reason in counts["skipped"]:  # the reason names the damaged file
        shown = reason if reason.startswith(folder) else f"{folder}: {reason}"
        error_line(shown, "skipped", "yellow")


@catalog_app.command("query")
def catalog_query(
    sql: Annotated[str, typer.Argument(help="Read-only SQL on tables runs, points, kpis.")],
    root: Root = DEFAULT_ROOT,
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """Run SQL on the catalogue, e.g. "SELECT kind, count(*) FROM runs GROUP BY kind"."""
    import duckdb

    with handled():
        try:
            df = catalog.query(sql, root)
        except duckdb.Error as exc:
            error_line(str(exc).splitlines()[0])
            raise typer.Exit(EXIT_BAD_INPUT) from None
    if as_json:
        sys.stdout.write(df.to_json(orient="records", date_format="iso", indent=2) + "\n")
        return
    t = Table(header_style="bold")
    for c in df.columns:
        t.add_column(str(c))
    for row in df.itertuples(index=False):
        t.add_row(*(str(v) for v in row))
    out.print(t)
