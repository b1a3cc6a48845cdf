"""``landport``: the planner's command line. Thin: it parses, calls the API, prints.

Each command group lives in its own module and registers itself on the shared Typer app.
Exit codes: 0 ok, 1 a check failed, 2 bad input (scenario file, option or folder).
"""

from sim.cli import check as _check  # noqa: F401  (registers check)
from sim.cli import experiments as _experiments  # noqa: F401  (compare, sweep, runs, catalog)
from sim.cli import report as _report  # noqa: F401  (registers report)
from sim.cli import run as _run  # noqa: F401  (registers run, validate, schema)
from sim.cli.common import app


def main() -> None:
    app()


__all__ = ["app", "main"]
