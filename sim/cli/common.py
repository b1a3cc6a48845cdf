"""Shared pieces of the command line: the Typer app, consoles, error handling, progress,
KPI tables.

Exit codes: 0 ok, 1 a check failed, 2 bad input (scenario file, option or folder).
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

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

from sim.experiment.backends import BackendError, default_workers
from sim.results import catalog
from sim.results.published import PUBLISHED_2023
from sim.results.store import RunFolderError
from sim.scenario import ScenarioError, parse_override

app = typer.Typer(
    name="landport",
    help="Simulate rail–sea intermodal freight through the Huaihua International Land Port.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
# Piped output (logs, CI, scripts) is not squeezed into 80 columns.
out = Console() if sys.stdout.isatty() else Console(width=120)
err = Console(stderr=True)

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2


@contextmanager
def handled() -> Iterator[None]:
    """Expected errors → a clear message and exit 2, never a traceback; catalogue warnings
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
                    err.print(f"[red]error:[/red] {issue}", highlight=False, markup=True)
                raise typer.Exit(EXIT_BAD_INPUT) from None
            except (RunFolderError, FileExistsError, BackendError, catalog.CatalogError) as exc:
                err.print(f"[red]error:[/red] {exc}", highlight=False)
                raise typer.Exit(EXIT_BAD_INPUT) from None
    finally:
        for w in caught:
            if issubclass(w.category, catalog.CatalogWarning):
                err.print(f"[yellow]warning:[/yellow] {w.message}", highlight=False)
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


def kpi_table(
    summary: Any, names: tuple[str, ...] | None, title: str, published: bool = False
) -> Table:
    """KPI, unit, mean, CI half-width and n; with ``published``, the port's 2023 figure too."""
    rows = summary.set_index("kpi")
    shown = [n for n in (names if names is not None else list(rows.index)) if n in rows.index]
    table = Table(title=title, title_justify="left", header_style="bold")
    table.add_column("KPI", no_wrap=True, min_width=max((len(n) for n in shown), default=3))
    table.add_column("unit")
    table.add_column("mean", justify="right")
    table.add_column("± 95 % CI", justify="right")
    table.add_column("n", justify="right")
    if published:
        table.add_column("2023 published", justify="right", style="cyan")
    for name in shown:
        r = rows.loc[name]
        cells = [
            name,
            "M CNY" if r["unit"] == "CNY" else str(r["unit"]),
            fmt(r["mean"], r["unit"]),
            fmt(r["half_width"], r["unit"]) if r["n"] > 1 else "–",
            str(int(r["n"])),
        ]
        if published:
            pub = PUBLISHED_2023.get(name)
            cells.append("" if pub is None else fmt(pub, r["unit"]))
        table.add_row(*cells)
    return table
