"""``landport validate`` and ``schema``: they read scenario files and run nothing, so they
import no more than the scenario layer (and start in a fraction of a second)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from sim.cli.common import app, handled, one_line, out, parse_sets, sets_option

SENSITIVITY, OPTIMISE = "sensitivity", "optimise"
"""The blocks of an experiment file (``sim.experiment.sensitivity.BLOCK``, ``…optimise.BLOCK``;
a test holds them equal)."""


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
    from sim.scenario.load import load_scenario, resolve, scenario_hash

    with handled():
        overrides = parse_sets(set_)
        data, provenance = resolve(scenario)
        if "sweep" in data:
            from sim.experiment.design import plan_sweep

            plan = plan_sweep(scenario, overrides=overrides)
            first = plan.scenarios[0]
            summary = (
                f"sweep {plan.name!r}, {len(plan.points)} points over "
                f"{', '.join(plan.levers)}, each a valid scenario; {first.start} – {first.end}, "
                f"{plan.replications_of(0)} replication(s) a point"
            )
        elif SENSITIVITY in data:
            from sim.experiment.sensitivity import read_spec as sensitivity_spec

            spec = sensitivity_spec(scenario, overrides=overrides)
            summary = (
                f"sensitivity ({spec.method}) of {', '.join(spec.kpis)} to "
                f"{len(spec.factors)} factors, {len(spec.points())} points; the scenario is valid"
            )
        elif OPTIMISE in data:
            from sim.experiment.design import base_scenario
            from sim.experiment.optimise import read_spec as optimise_spec

            search = optimise_spec(scenario)
            base = base_scenario(scenario, overrides)
            summary = (
                f"optimise {', '.join(lv.path for lv in search.levers)} subject to "
                f"{' and '.join(str(c) for c in search.constraints) or 'no target'}; "
                f"scenario {base.name!r} is valid"
            )
        else:
            scn = load_scenario(scenario, overrides, resolved=(data, provenance))
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
    from sim.scenario.schema import Scenario

    doc = Scenario.model_json_schema(by_alias=True) if resolved else file_schema()
    sys.stdout.write(json.dumps(doc, indent=2) + "\n")
