"""``landport compare``, ``sweep``, ``runs`` and ``catalog``: experiments beyond one run."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer
from rich import box
from rich.markup import escape
from rich.table import Table

from sim.cli.common import (
    EXIT_BAD_INPUT,
    AllKpis,
    AsJson,
    DaskScheduler,
    Kpis,
    Lang,
    LangOption,
    OutDir,
    Root,
    Workers,
    Xlsx,
    app,
    error_line,
    handled,
    out,
    parse_sets,
    progress_bar,
    replications_option,
    seed_option,
    sets_option,
    sub_app,
)
from sim.cli.report import excel_into
from sim.cli.run import interruptible, warn_if_elsewhere
from sim.cli.show import known_kpis, kpi_cells, kpi_columns, print_health, print_table
from sim.experiment.api import as_scenario
from sim.experiment.compare import compare as run_compare
from sim.experiment.design import plan_sweep, split_sets
from sim.experiment.sweep import sweep as run_sweep
from sim.results import catalog, store
from sim.results.formatting import format_lever_value, format_value, shown_unit
from sim.results.i18n import label, lever_text, unit_text
from sim.results.kpis import KPIS, headline, kpi_label
from sim.results.kpis.recovery import recovery_rows
from sim.results.runinfo import RunInfo
from sim.results.tables import rows_by

catalog_app = sub_app("The results catalogue (results/catalog.duckdb): rebuild it, query it.")
app.add_typer(catalog_app, name="catalog")


def _pct(value: float) -> str:
    return "–" if value != value else f"{value:.0%}"


def compare_table(
    table: pd.DataFrame,
    names: list[str] | None,
    title: str,
    *,
    lang: str = "en",
    info: RunInfo | None = None,
) -> Table:
    """KPI, unit, A, B, B − A ± its 95 % CI, significant?, narrowing by common random numbers.
    Differences of shares are in percentage points (pp), as everywhere."""
    rows = rows_by(table)
    shown = [n for n in (names if names is not None else list(rows)) if n in rows]
    t = Table(title=title, title_justify="left", header_style="bold")
    kpi_columns(t, shown, [str(rows[n]["unit"]) for n in shown], lang)
    for name in ("A", "B", label("column.diff", lang), label("column.half_width", lang)):
        t.add_column(name, justify="right", no_wrap=True)
    t.add_column(label("column.signif", lang), justify="center", no_wrap=True)
    t.add_column(label("column.narrowing_short", lang), justify="right", no_wrap=True)
    yes, no = label("word.yes", lang), label("word.no", lang)
    for name in shown:
        r = rows[name]
        u = str(r["unit"])
        hw = float(r["diff_half_width"])
        t.add_row(
            *kpi_cells(name, u, info, lang),
            format_value(float(r["a_mean"]), u),
            format_value(float(r["b_mean"]), u),
            format_value(float(r["diff_mean"]), u, signed=True, change=True),
            format_value(hw, u, change=True) if r["n"] > 1 else "–",
            f"[bold green]{yes}[/bold green]" if r["significant"] else no,
            _pct(float(r["narrowing"])),
        )
    return t


def recovery_table(summary: pd.DataFrame, title: str, lang: str = "en") -> Table:
    """Per disruption and corridor: TEU delayed, extra hours per delayed TEU, peak backlog,
    time to recover (and the share of replications that did), trains held and cancelled,
    sailings cancelled, TEU turned away and the cost, means over paired replications; its
    headings in ``lang``."""
    t = Table(title=title, title_justify="left", header_style="bold")
    for key in ("disruption", "corridor"):
        t.add_column(label(f"recovery.{key}", lang), no_wrap=True)
    heads = (
        "teu_delayed",
        "h_per_delayed",
        "peak_backlog",
        "recovery_h",
        "recovered",
        "trains",
        "sailings",
        "turned_away",
        "cost",
    )
    for key in heads:
        t.add_column(label(f"recovery.{key}", lang), justify="right")
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
    replications: Annotated[int | None, replications_option("Replications (default: A's).")] = None,
    seed: Annotated[int | None, seed_option("Seed of both (default: A's).")] = None,
    workers: Workers = None,
    dask_scheduler: DaskScheduler = None,
    out_dir: OutDir = None,
    root: Root = None,
    set_: Annotated[
        list[str] | None,
        sets_option("Override a field of both (repeatable), e.g. --set end=2023-02-28."),
    ] = None,
    kpi: Kpis = None,
    all_kpis: AllKpis = False,
    as_json: AsJson = False,
    xlsx: Xlsx = False,
    lang: LangOption = Lang.en,
) -> None:
    """Run A and B with common random numbers; per KPI: A, B, B − A with its 95 % CI,
    whether it is significant, and how much pairing narrowed the CI."""
    with handled():
        overrides = parse_sets(set_)
        sa, sb = as_scenario(a, overrides), as_scenario(b, overrides)  # validate both first
        names = known_kpis(kpi, [sa, sb])
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
        workbook = excel_into(result, lang=lang.value) if xlsx else None
    man = result.manifest
    if as_json:
        table = result.table if names is None else result.table[result.table["kpi"].isin(names)]
        payload = {
            "folder": str(result.path),
            "run_id": man["run_id"],
            "seed": man["seed"],
            "replications": man["replications"],
            "table": json.loads(table.to_json(orient="records")),
        }
        recovery = result.recovery_summary
        if recovery is not None:
            payload["recovery"] = json.loads(recovery.to_json(orient="records"))
        sys.stdout.write(json.dumps(payload, indent=2) + "\n")
        return
    present = [str(k) for k in result.table["kpi"]]
    if names is None and not all_kpis:
        names = headline(present, result.a.info)
    title = (
        f"A = {sa.name}, B = {sb.name}: {man['replications']} paired replications, seed "
        f"{man['seed']} (common random numbers) — {man['wall_s']:.1f} s"
    )
    print_table(compare_table(result.table, names, title, lang=lang.value, info=result.a.info))
    out.print(
        "[dim]B − A ± 95 % CI: paired over replications (Student t). signif.: that CI excludes "
        "0. CI narrowing: how much narrower it is than with independent seeds (Welch).[/dim]"
    )
    recovery = result.recovery_summary
    if recovery is not None:
        out.print(recovery_table(recovery, label("recovery.cli_title", lang.value), lang.value))
        out.print(f"[dim]{escape(label('recovery.cli_note', lang.value))}[/dim]")
    print_health(result.a.kpi_means(), result.a.info, "A: ", lang.value)
    print_health(result.b.kpi_means(), result.b.info, "B: ", lang.value)
    out.print(
        f"Results: [bold]{escape(str(result.path))}[/bold]  (run id {man['run_id']}; "
        "comparison.csv)"
    )
    if workbook is not None:
        out.print(f"Workbook: [bold]{escape(str(workbook))}[/bold]")


def sweep_table(
    summary: pd.DataFrame,
    levers: list[str],
    names: list[str],
    title: str,
    *,
    lang: str = "en",
    info: RunInfo | None = None,
) -> Table:
    """One row per point: its levers (a discount as a percentage), then mean ± 95 %
    half-width of each KPI. Headers are the planner's words, wrapped between words; the
    caption gives the dotted names (which ``--set`` and ``--kpi`` take)."""
    caption = label("cli.sweep_caption", lang, levers=escape(", ".join(levers))) + escape(
        f"; KPIs: {', '.join(names)}"
    )
    t = Table(
        title=title,
        title_justify="left",
        header_style="bold",
        caption=caption,
        caption_justify="left",
        min_width=min(max(len(title), len(caption)), 120),
    )
    t.add_column(label("column.point", lang), justify="right")
    units = {str(k): str(u) for k, u in zip(summary["kpi"], summary["unit"], strict=False)}
    for lever in levers:
        t.add_column(escape(lever_text(lever, lang)), justify="right", max_width=24)
    for name in names:
        unit_shown = unit_text(shown_unit(units.get(name, "")), lang)
        head = kpi_label(name, info, lang) + (f" ({unit_shown})" if unit_shown else "")
        t.add_column(escape(head), justify="right", max_width=28)
    for k, rows in summary.groupby("point", sort=True):
        by_kpi = rows_by(rows)
        cells = [
            str(k),
            *(escape(format_lever_value(lever, rows[lever].iloc[0])) for lever in levers),
        ]
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
        sets_option(
            "A lever (repeatable): PATH=V1,V2,…, e.g. customs.import.officers=4,6,8; "
            "one value is a plain override.",
            metavar="PATH=V1,V2,…",
        ),
    ] = None,
    replications: Annotated[
        int | None, replications_option("Replications a point (default: the scenario's).")
    ] = None,
    seed: Annotated[
        int | None, seed_option("Seed of every point (default: the scenario's).")
    ] = None,
    workers: Workers = None,
    dask_scheduler: DaskScheduler = None,
    out_dir: OutDir = None,
    root: Root = None,
    resume: Annotated[
        bool,
        typer.Option(
            "--resume",
            help="Continue an interrupted sweep of the same plan; finished points stay.",
        ),
    ] = False,
    kpi: Kpis = None,
    as_json: AsJson = False,
    xlsx: Xlsx = False,
    lang: LangOption = Lang.en,
) -> None:
    """Run a scenario at every point of a grid of levers; one folder with tidy KPI tables."""
    with handled():
        overrides, levers = split_sets(set_ or [])
        plan = plan_sweep(
            scenario, levers, overrides=overrides, seed=seed, replications=replications
        )
        chosen = known_kpis(kpi, plan.scenarios)
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
        workbook = excel_into(result, lang=lang.value) if xlsx else None
    man = result.manifest
    if as_json:
        summary = result.summary
        if chosen is not None:
            summary = summary[summary["kpi"].isin(chosen)]
        payload = {
            "folder": str(result.path),
            "run_id": man["run_id"],
            "levers": result.levers,
            "summary": json.loads(summary.to_json(orient="records")),
        }
        sys.stdout.write(json.dumps(payload, indent=2, default=str) + "\n")
        return
    present = list(dict.fromkeys(str(k) for k in result.summary["kpi"]))
    infos = {point: result.run(point).info for point, _, _ in result.point_means()}
    first = infos[min(infos)] if infos else None
    names = chosen if chosen is not None else KPIS.select(present, "key", first)
    reused = man.get("points_reused", 0)
    title = (
        f"{escape(plan.name)}: {n} points × {man['replications']} replications, seed {man['seed']}"
        + (f" ({reused} points kept from the interrupted run)" if reused else "")
        + f" — {man['wall_s']:.1f} s"
    )
    print_table(
        sweep_table(result.summary, result.levers, names, title, lang=lang.value, info=first)
    )
    for point, label, means in result.point_means():
        print_health(means, infos[point], f"point {point} ({label}): ", lang.value)
    out.print(
        f"Results: [bold]{escape(str(result.path))}[/bold]  (run id {man['run_id']}; summary.csv, "
        "kpis.parquet, points/<k>/)"
    )
    if workbook is not None:
        out.print(f"Workbook: [bold]{escape(str(workbook))}[/bold]")


@app.command()
def runs(
    limit: Annotated[
        int, typer.Option(metavar="N", min=1, max=1_000_000, help="How many to list.")
    ] = 20,
    kind: Annotated[
        str | None, typer.Option(metavar="KIND", help="Only this kind: run, compare or sweep.")
    ] = None,
    root: Root = None,
    as_json: AsJson = False,
) -> None:
    """List recent runs, comparisons and sweeps from the catalogue, newest first, each with
    the scenario file and the --set overrides it was run with (--json: every column, the git
    commit too)."""
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
        out.print(f"No runs catalogued in {escape(str(where))}.", highlight=False)
        return
    t = Table(
        title=f"Recent runs ({escape(str(where))})",
        title_justify="left",
        header_style="bold",
        box=box.SIMPLE_HEAD,  # no vertical rules: room for where each run came from
    )
    for name in ("id", "kind", "created (UTC)"):
        t.add_column(name, no_wrap=True)
    t.add_column("scenario (from)", overflow="fold")
    t.add_column("seed")
    t.add_column("pts×reps", justify="right")
    t.add_column("folder", no_wrap=True)
    base = store.results_root(root).resolve()
    for r in df.to_dict("records"):
        created = r["created_at"]
        source = run_source(r["scenario_file"], r["overrides"])
        t.add_row(
            str(r["id"]),
            str(r["kind"]),
            created.strftime("%Y-%m-%d %H:%M") if created == created and created else "",
            escape(str(r["scenario"])) + (f"\n[dim]{escape(source)}[/dim]" if source else ""),
            _int(r["seed"]),
            f"{_int(r['points'])} × {_int(r['replications'])}",
            escape(_shown(r["folder"], base))
            if r["exists"]
            else f"[red]{escape(str(r['folder']))} (missing)[/red]",
        )
    out.print(t)


def run_source(scenario_file: Any, overrides: Any) -> str:
    """Where a catalogued run came from, as a command line would say it:
    ``scenarios/baseline.yaml --set end=2023-02-28``."""
    parts = [str(scenario_file)] if isinstance(scenario_file, str) and scenario_file else []
    try:
        sets = json.loads(overrides) if isinstance(overrides, str) else {}
    except ValueError:
        sets = {}
    if isinstance(sets, dict):
        parts += [
            f"--set {k}={json.dumps(v) if not isinstance(v, str) else v}" for k, v in sets.items()
        ]
    return " ".join(parts)


def _shown(folder: str, root: Path) -> str:
    """A folder by its name when it is in the results folder (named in the title), relative to
    the working directory when it is below it, else as it is."""
    path = Path(folder)
    if path.parent == root:
        return path.name
    try:
        return str(path.relative_to(Path.cwd().resolve()))
    except ValueError:
        return folder


def _int(value: Any) -> str:
    return "" if value is None or value != value else str(int(value))


@catalog_app.command("rebuild")
def catalog_rebuild(root: Root = None) -> None:
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
    root: Root = None,
    as_json: AsJson = False,
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
