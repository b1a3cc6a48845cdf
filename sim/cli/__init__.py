"""``landport``: the planner's command line. Thin: it parses, calls the API, prints.

Each command group lives in its own module and registers itself on the shared Typer app
when imported; a command's module is imported only when that command runs, so the help and
``validate`` start fast. :data:`COMMANDS` lists them in the order ``landport --help`` does.
Exit codes: 0 ok, 1 a check failed, 2 bad input (scenario file, option or folder).
"""

from sim.cli.common import LandportGroup, Lazy, app

COMMANDS = {
    "run": Lazy(
        "sim.cli.run", "Run a scenario and print its KPI table; results go to a new run folder."
    ),
    "validate": Lazy(
        "sim.cli.validate",
        "Check a scenario or sweep file without running it: every problem on a line of its "
        "own (file, field, what was expected) and exit 2, or a one-line summary. A sweep "
        "file's every point is checked as the scenario it makes.",
    ),
    "schema": Lazy(
        "sim.cli.validate",
        "Print the JSON Schema of scenario files, for editors to complete and check them: a "
        "file that extends another sets only what changes, and may hold a sweep: block.",
    ),
    "compare": Lazy(
        "sim.cli.experiments",
        "Run A and B with common random numbers; per KPI: A, B, B − A with its 95 % CI, "
        "whether it is significant, and how much pairing narrowed the CI.",
    ),
    "sweep": Lazy(
        "sim.cli.experiments",
        "Run a scenario at every point of a grid of levers; one folder with tidy KPI tables.",
    ),
    "runs": Lazy(
        "sim.cli.experiments",
        "List recent runs, comparisons and sweeps from the catalogue, newest first, each with "
        "the scenario file and the --set overrides it was run with (--json: every column, the "
        "git commit too).",
    ),
    "sensitivity": Lazy(
        "sim.cli.decision",
        "Which estimated inputs move the KPIs: one at a time (tornado), Morris screening or "
        "Sobol indices; every point a scenario run with common random numbers, as a sweep.",
    ),
    "optimise": Lazy(
        "sim.cli.decision",
        "The least set-up over integer levers that meets every target at the upper 95 % "
        "bound, with more replications near the boundary; the answer and its evidence.",
    ),
    "report": Lazy(
        "sim.cli.report",
        "Write a report into a run, compare or sweep folder: KPIs with confidence intervals, "
        "every plot, the scenario as resolved and the manifest.",
    ),
    "kpis": Lazy(
        "sim.cli.kpis",
        "List every KPI family: its name pattern (<corridor>, <resource> … stand for the "
        "scenario's), what it measures, its unit and theme, and whether it is headline (read "
        "first), key (shown by sweeps) or checked (by the regression check).",
    ),
    "check": Lazy(
        "sim.cli.check",
        "Re-run the baseline and compare its KPIs with the committed baseline file.",
    ),
    "prune": Lazy(
        "sim.cli.prune",
        "Remove old run, comparison and sweep folders under the results folder and drop them "
        "from the catalogue. With both --keep and --older-than, only what is beyond the N "
        "newest and older than AGE goes. Never removed: folders elsewhere (--out), runs still "
        "being written, unfinished sweeps, and anything under version control (the regression "
        "baseline).",
    ),
    "catalog": Lazy(
        "sim.cli.experiments",
        "The results catalogue (results/catalog.duckdb): rebuild it, query it.",
    ),
}
"""Every command: the module that defines it and its help's first paragraph."""

LandportGroup.lazy = COMMANDS


def main() -> None:
    app()


__all__ = ["COMMANDS", "app", "main"]
