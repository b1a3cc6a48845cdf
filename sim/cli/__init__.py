"""``landport``: the planner's command line. Thin: it parses, calls the API, prints.

Each command group lives in its own module and registers itself on the shared Typer app;
they are imported in the order ``landport --help`` lists them.
Exit codes: 0 ok, 1 a check failed, 2 bad input (scenario file, option or folder).
"""

import importlib

from sim.cli.common import app
from sim.engine import freeze_long_lived

for _module in ("run", "experiments", "decision", "prune", "report", "kpis", "check"):
    # run, validate, schema; compare, sweep, runs, catalog; sensitivity, optimise; prune;
    # report; kpis; check
    importlib.import_module(f"sim.cli.{_module}")


def main() -> None:
    freeze_long_lived()  # everything imported lives as long as the command
    app()


__all__ = ["app", "main"]
