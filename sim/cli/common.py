"""Shared pieces of the command line: the Typer app, consoles, error handling, progress,
KPI tables.

Exit codes: 0 ok, 1 a check failed, 2 bad input (scenario file, option or folder).
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape
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
from typer.core import TyperGroup

from sim.engine import Stalled
from sim.experiment.backends import BackendError, default_workers
from sim.results import catalog
from sim.results.formatting import format_value, shown_unit
from sim.results.published import PUBLISHED_2023
from sim.results.runinfo import RunInfo
from sim.results.store import RunFolderError
from sim.results.tables import rows_by
from sim.scenario import ScenarioError, parse_override

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2
MAX_WORKERS = 1024
"""--workers: more local processes than this is a typo, not a machine."""

# Typer carries its own copy of click; its exception classes are reached from a public one.
_ClickException: type[Exception] = next(
    c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException"
)


class _Commands(TyperGroup):
    """The landport command group, whose usage errors (an unknown option, an option value of
    the wrong type or out of range) are one line on stderr and exit 2, like every error."""

    def main(  # type: ignore[override]
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, False, **extra)
        try:
            code = super().main(args, prog_name, complete_var, False, **extra)
        except _ClickException as exc:
            if type(exc).__name__ != "NoArgsIsHelpError":  # the help was shown instead
                ctx = getattr(exc, "ctx", None)
                command = f"{ctx.command_path}: " if ctx is not None else ""
                hint = f" (see {ctx.command_path} --help)" if ctx is not None else ""
                error_line(f"{command}{exc.format_message()}{hint}")  # type: ignore[attr-defined]
            sys.exit(exc.exit_code)  # type: ignore[attr-defined]
        except typer.Abort:
            error_line("aborted")
            sys.exit(EXIT_FAILED)
        sys.exit(code if isinstance(code, int) else EXIT_OK)


app = typer.Typer(
    cls=_Commands,
    name="landport",
    help="Simulate rail–sea intermodal freight through the Huaihua International Land Port.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
# Piped output (logs, CI, scripts) is not squeezed into 80 columns.
out = Console() if sys.stdout.isatty() else Console(width=120)
err = Console(stderr=True)


def one_line(text: object) -> str:
    """``text`` as one line of plain text: line breaks and other control characters are
    shown as escapes (``\\n``), and rich markup is escaped, never interpreted."""
    flat = "".join(c if c.isprintable() else repr(c)[1:-1] for c in str(text))
    return escape(flat)


def error_line(message: object, label: str = "error", style: str = "red") -> None:
    """One problem, one line on stderr: never wrapped, whatever the width of the terminal."""
    err.print(f"[{style}]{label}:[/{style}] {one_line(message)}", highlight=False, soft_wrap=True)


@contextmanager
def handled() -> Iterator[None]:
    """Expected errors → one line each and exit 2 (exit 1 for a run the model stopped as
    stuck), never a traceback; catalogue warnings
    (a locked or damaged results catalogue never loses a run) → one line each.

    Other warnings are shown as Python shows them, but only once the recording has stopped:
    shown while it records, a warning would be recorded again, for ever.
    """
    caught: list[warnings.WarningMessage] = []
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", catalog.CatalogWarning)
            try:
                yield
            except ScenarioError as exc:
                for issue in exc.issues:
                    error_line(issue)
                raise typer.Exit(EXIT_BAD_INPUT) from None
            except (RunFolderError, FileExistsError, BackendError, catalog.CatalogError) as exc:
                error_line(exc)
                raise typer.Exit(EXIT_BAD_INPUT) from None
            except Stalled as exc:  # the model stopped the run: work waited and nothing moved
                error_line(f"the run stopped: {exc}")
                raise typer.Exit(EXIT_FAILED) from None
    finally:
        for w in caught:
            if issubclass(w.category, catalog.CatalogWarning):
                error_line(w.message, "warning", "yellow")
            else:
                warnings.showwarning(w.message, w.category, w.filename, w.lineno, w.file, w.line)


@contextmanager
def progress_bar(
    label: str,
    quiet: bool = False,
    workers: int | None = None,
    dask_scheduler: str | None = None,
) -> Iterator[Callable[[int, int], None]]:
    """A progress bar on stderr: tasks done of all, running, queued, elapsed and ETA."""
    if quiet:
        yield lambda done, total: None
        return
    slots = None if dask_scheduler else (workers or default_workers())
    columns = (
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("[dim]{task.fields[state]}"),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=err, transient=True) as bar:
        task = bar.add_task(label, total=None, state="starting")

        def update(done: int, total: int) -> None:
            left = total - done
            if slots is None:
                state = f"{left} remaining on Dask"
            else:
                running = min(slots, left)
                state = f"{running} running, {left - running} queued"
            bar.update(task, completed=done, total=total, state=state)

        yield update


def print_health(means: Mapping[str, float], info: RunInfo, label: str = "") -> None:
    """Say whether a run reached a steady state, its bottleneck and cargo turned away."""
    from sim.results.health import diagnose

    health = diagnose(means, info)
    for line in health.lines():
        style = "bold red" if line.startswith("UNSTABLE") else "yellow"
        out.print(f"[{style}]{escape(label)}{escape(line)}[/{style}]", highlight=False)


def parse_sets(values: list[str] | None) -> dict[str, Any]:
    return dict(parse_override(v) for v in values or [])


def kpi_table(
    summary: Any, names: Sequence[str] | None, title: str, published: bool = False
) -> Table:
    """KPI, unit, mean, CI half-width and n; with ``published``, the port's 2023 figure too."""
    rows = rows_by(summary)
    shown = [n for n in (names if names is not None else list(rows)) if n in rows]
    table = Table(title=title, title_justify="left", header_style="bold")
    table.add_column("KPI", no_wrap=True, min_width=max((len(n) for n in shown), default=3))
    table.add_column("unit")
    table.add_column("mean", justify="right")
    table.add_column("± 95 % CI", justify="right")
    table.add_column("n", justify="right")
    if published:
        table.add_column("2023 published", justify="right", style="cyan")
    for name in shown:
        r = rows[name]
        u = str(r["unit"])
        cells = [
            escape(name),
            shown_unit(u),
            format_value(float(r["mean"]), u),
            format_value(float(r["half_width"]), u) if r["n"] > 1 else "–",
            str(int(r["n"])),
        ]
        if published:
            cells.append(format_value(PUBLISHED_2023[name], u) if name in PUBLISHED_2023 else "")
        table.add_row(*cells)
    return table
