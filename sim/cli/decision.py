"""``landport sensitivity`` and ``optimise``: decision analysis on top of sweeps."""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from sim.cli.common import (
    EXIT_FAILED,
    DaskScheduler,
    Lang,
    LangOption,
    OutDir,
    Root,
    Workers,
    app,
    handled,
    out,
    parse_sets,
    progress_bar,
)
from sim.cli.report import report_into
from sim.cli.run import interruptible, warn_if_elsewhere
from sim.experiment.optimise import OptimiseResult, parse_range, parse_weight
from sim.experiment.optimise import optimise as run_optimise
from sim.experiment.optimise import read_spec as optimise_spec
from sim.experiment.sensitivity import METHODS, Method, SensitivityResult, parse_factor, read_spec
from sim.experiment.sensitivity import sensitivity as run_sensitivity
from sim.results.i18n import label
from sim.scenario import ScenarioError
from sim.scenario.load import OVERRIDE
from sim.scenario.schema import MAX_REPLICATIONS, MAX_SEED

Replications = Annotated[
    int | None,
    typer.Option("--replications", "-n", min=1, max=MAX_REPLICATIONS, help="Replications a point."),
]
Seed = Annotated[int | None, typer.Option(min=0, max=MAX_SEED, help="Seed of every point.")]
Sets = Annotated[
    list[str] | None,
    typer.Option("--set", help="Override a field of every point, e.g. --set end=2023-03-31."),
]
Resume = Annotated[
    bool, typer.Option(help="Continue an interrupted one of the same plan; finished work stays.")
]
Report = Annotated[bool, typer.Option("--report", help="Write the HTML report into the folder.")]
AsJson = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]


def _num(value: Any) -> str:
    v = float(value)
    if not math.isfinite(v):
        return "–"
    return "0" if abs(v) < 1e-9 else f"{v:,.4g}"


def ranking_table(result: SensitivityResult, title: str, lang: str = "en") -> Table:
    """Per KPI, the factors in rank order with their importance and its 95 % interval; its
    headings in ``lang``."""
    t = Table(title=title, title_justify="left", header_style="bold")
    for key, right in (("kpi", False), ("rank", True), ("factor", False), ("range", True)):
        t.add_column(
            label(f"column.{key}", lang),
            justify="right" if right else "left",
            no_wrap=key != "factor",
        )
    t.add_column(label("column.importance", lang), justify="right")
    t.add_column(label("column.plus_minus_95", lang), justify="right")
    for kpi, rows in result.ranking.groupby("kpi", sort=False):
        for i, (_, r) in enumerate(rows.sort_values("rank").iterrows()):
            t.add_row(
                escape(str(kpi)) if i == 0 else "",
                str(int(r["rank"])),
                escape(str(r["factor"])),
                f"{r['low']:g} – {r['high']:g}",
                _num(r["importance"]),
                _num(r["importance_conf"]),
            )
        t.add_section()
    return t


@app.command()
def sensitivity(
    scenario: Annotated[
        Path, typer.Argument(help="Scenario YAML file, or one with a sensitivity: block.")
    ],
    method: Annotated[
        str | None,
        typer.Option(help=f"{', '.join(METHODS)} (default: the file's, else morris)."),
    ] = None,
    factor: Annotated[
        list[str] | None,
        typer.Option(
            help="An uncertain input and its range, PATH=LOW:HIGH "
            "(e.g. tariffs.value_of_time_cny_per_teu_h=2.5:10); adds to the file's."
        ),
    ] = None,
    kpi: Annotated[
        list[str] | None, typer.Option(help="A KPI to explain (default: the file's).")
    ] = None,
    trajectories: Annotated[
        int | None, typer.Option(min=2, max=1000, help="Morris: trajectories.")
    ] = None,
    samples: Annotated[
        int | None, typer.Option(min=2, max=65536, help="Sobol: samples (a power of two).")
    ] = None,
    replications: Replications = None,
    seed: Seed = None,
    set_: Sets = None,
    workers: Workers = None,
    dask_scheduler: DaskScheduler = None,
    out_dir: OutDir = None,
    root: Root = None,
    resume: Resume = False,
    report: Report = False,
    as_json: AsJson = False,
    lang: LangOption = Lang.en,
) -> None:
    """Which estimated inputs move the KPIs: one at a time (tornado), Morris screening or
    Sobol indices; every point a scenario run with common random numbers, as a sweep."""
    with handled():
        if method is not None and method not in METHODS:
            raise ScenarioError.one(OVERRIDE, "--method", f"expected one of {', '.join(METHODS)}")
        chosen: Method | None = method
        overrides = parse_sets(set_)
        factors = dict(parse_factor(f) for f in factor or [])
        spec = read_spec(
            scenario,
            overrides=overrides,
            method=chosen,
            factors=factors,
            kpis=kpi,
            trajectories=trajectories,
            samples=samples,
        )
        task = f"{escape(scenario.stem)}: {spec.method}, {len(spec.points())} points"
        with (
            interruptible("sensitivity"),
            progress_bar(task, workers=workers, dask_scheduler=dask_scheduler) as update,
        ):
            result = run_sensitivity(
                scenario,
                method=chosen,
                factors=factors,
                kpis=kpi,
                trajectories=trajectories,
                samples=samples,
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
        warn_if_elsewhere(out_dir, result.path, "sensitivity analysis")
        written = report_into(result, lang=lang.value) if report else None
    if as_json:
        payload = {
            "folder": str(result.path),
            "spec": result.spec.record(),
            "ranking": json.loads(result.ranking.to_json(orient="records")),
        }
        sys.stdout.write(json.dumps(payload, indent=2) + "\n")
        return
    man = result.manifest
    title = label(
        "decision.cli_title",
        lang.value,
        name=escape(scenario.stem),
        method=spec.method,
        points=len(result.sweep.points),
        reps=man["replications"],
        seed=man["seed"],
        wall=f"{man['wall_s']:.1f}",
    )
    out.print(ranking_table(result, title, lang.value))
    out.print(f"[dim]{escape(label('decision.cli_note', lang.value))}[/dim]")
    if written is not None:
        out.print(f"Report: [bold]{escape(str(written))}[/bold]")
    out.print(f"Results: [bold]{escape(str(result.path))}[/bold]  (run id {man['run_id']})")


def evidence_table(result: OptimiseResult, lang: str = "en") -> Table:
    """Every set-up tried, cheapest first, at its last round; its words in ``lang``."""
    levers = [lv.path for lv in result.spec.levers]
    t = Table(
        title=label("decision.evidence_title", lang),
        title_justify="left",
        header_style="bold",
    )
    heads = [label(f"column.{key}", lang) for key in ("cost", "n", "target", "mean_95", "verdict")]
    for name in [*levers, *heads]:
        t.add_column(escape(name).replace(".", ".\n"), justify="right", no_wrap=True)
    style = {"meets": "green", "fails": "red", "undecided": "yellow"}
    for _, r in result.final().iterrows():
        hw = float(r["half_width"])
        v = str(r["verdict"])
        t.add_row(
            *[str(r[lv]) for lv in levers],
            f"{float(r['cost']):g}",
            str(int(r["replications"])),
            escape(str(r["target"])),
            _num(r["mean"]) + (f" ± {_num(hw)}" if math.isfinite(hw) else ""),
            f"[{style[v]}]{label(f'verdict.{v}', lang)}[/{style[v]}]",
        )
    return t


@app.command()
def optimise(
    scenario: Annotated[
        Path, typer.Argument(help="Scenario YAML file, or one with an optimise: block.")
    ],
    minimise: Annotated[
        list[str] | None,
        typer.Option(help="A lever to keep small, PATH or PATH=WEIGHT (cost per unit)."),
    ] = None,
    subject_to: Annotated[
        list[str] | None,
        typer.Option("--subject-to", help='A target, "KPI<=VALUE" or "KPI>=VALUE".'),
    ] = None,
    over: Annotated[
        list[str] | None,
        typer.Option(
            help="An integer lever's range, PATH=LOW:HIGH (e.g. customs.import.officers=2:12)."
        ),
    ] = None,
    replications: Annotated[
        int | None,
        typer.Option(
            "--replications", "-n", min=2, max=MAX_REPLICATIONS, help="Replications to start with."
        ),
    ] = None,
    max_replications: Annotated[
        int | None,
        typer.Option(min=2, max=MAX_REPLICATIONS, help="Most replications near the boundary."),
    ] = None,
    seed: Seed = None,
    set_: Sets = None,
    workers: Workers = None,
    dask_scheduler: DaskScheduler = None,
    out_dir: OutDir = None,
    root: Root = None,
    resume: Resume = False,
    report: Report = False,
    as_json: AsJson = False,
    lang: LangOption = Lang.en,
) -> None:
    """The least set-up over integer levers that meets every target at the upper 95 %
    bound, with more replications near the boundary; the answer and its evidence.

    Exit code 0 with an answer; 1 when no set-up in the range is proven to meet the targets
    (the evidence is still shown and written); 2 for bad input."""
    with handled():
        overrides = parse_sets(set_)
        weights = dict(parse_weight(w) for w in minimise or [])
        ranges = dict(parse_range(r) for r in over or [])
        kwargs: dict[str, Any] = {
            "minimise": weights,
            "over": ranges,
            "subject_to": subject_to or [],
            "initial_replications": replications,
            "max_replications": max_replications,
        }
        spec = optimise_spec(scenario, **kwargs)
        task = f"{escape(scenario.stem)}: {len(spec.candidates())} set-ups"
        with (
            interruptible("optimisation"),
            progress_bar(task, workers=workers, dask_scheduler=dask_scheduler) as update,
        ):
            result = run_optimise(
                scenario,
                **kwargs,
                overrides=overrides,
                seed=seed,
                workers=workers,
                dask_scheduler=dask_scheduler,
                out=out_dir,
                root=root,
                resume=resume,
                progress=update,
            )
        warn_if_elsewhere(out_dir, result.path, "optimisation")
        written = report_into(result, lang=lang.value) if report else None
    if as_json:
        payload = {
            "folder": str(result.path),
            "answer": result.answer,
            "search": result.spec.record(),
            "evidence": json.loads(result.final().to_json(orient="records")),
        }
        sys.stdout.write(json.dumps(payload, indent=2, default=str) + "\n")
        _exit_without_answer(result)
        return
    out.print(evidence_table(result, lang.value))
    colour = "green" if result.answer is not None else "red"
    out.print(f"[bold {colour}]{escape(result.summary())}[/bold {colour}]")
    if written is not None:
        out.print(f"Report: [bold]{escape(str(written))}[/bold]")
    out.print(
        f"Results: [bold]{escape(str(result.path))}[/bold]  (run id {result.manifest['run_id']}; "
        "evaluations.csv, rounds/<i>/)"
    )
    _exit_without_answer(result)


def _exit_without_answer(result: OptimiseResult) -> None:
    """No set-up proven to meet the targets is a check that failed: exit code 1."""
    if result.answer is None:
        raise typer.Exit(EXIT_FAILED)
