"""Shared pieces of the command line: the Typer app, consoles, error handling, progress,
KPI tables.

Exit codes: 0 ok, 1 a check failed, 2 bad input (scenario file, option or folder).
"""

from __future__ import annotations

import difflib
import gc
import importlib
import inspect
import sys
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, ClassVar

import typer
from rich.console import Console
from rich.markup import escape
from typer.core import TyperArgument, TyperCommand, TyperGroup

from sim.scenario.limits import MAX_REPLICATIONS, MAX_SEED

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2
MAX_WORKERS = 1024
"""--workers: more local processes than this is a typo, not a machine."""

# Typer carries its own copy of click; its exception classes are reached from a public one.
_ClickException: type[Exception] = next(
    c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException"
)
_UsageError: type[Exception] = next(
    c for c in typer.BadParameter.__mro__ if c.__name__ == "UsageError"
)


def _prose(text: str | None) -> str | None:
    """A docstring as help text: each paragraph one line, so the terminal wraps it where it
    fits instead of where the source broke it (a paragraph starting with ``\\b`` is kept)."""
    if not text:
        return text
    paragraphs = inspect.cleandoc(text).split("\n\n")
    return "\n\n".join(p if p.startswith("\b") else " ".join(p.split()) for p in paragraphs)


def _label(param: Any) -> None:
    """Name a parameter's value in help the way man pages do: an argument by its name in
    capitals (``SCENARIO``), a flag by nothing at all (not ``<bool>``), any other option by
    its name unless its definition gives a metavar (``--set PATH=VALUE``)."""
    if param.metavar is not None:
        return
    if isinstance(param, TyperArgument):
        param.metavar = str(param.name).upper()
    elif getattr(param, "is_flag", False):
        param.metavar = ""
    else:
        param.metavar = str(param.name).upper()


def _labelled(params: list[Any]) -> list[Any]:
    for param in params:
        _label(param)
    return params


class _Command(TyperCommand):
    """A landport command: its usage line ``landport run [OPTIONS] SCENARIO``."""

    def get_params(self, ctx: Any) -> list[Any]:
        return _labelled(super().get_params(ctx))

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            if isinstance(param, TyperArgument):
                name = str(param.metavar or param.name).upper()
                name = name if param.required else f"[{name}]"
                pieces.append(name + ("..." if param.nargs != 1 else ""))
        return pieces


class _Commands(TyperGroup):
    """The landport command group, whose usage errors (an unknown option, an option value of
    the wrong type or out of range) are one line on stderr and exit 2, like every error."""

    def get_params(self, ctx: Any) -> list[Any]:
        return _labelled(super().get_params(ctx))

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


class _App(typer.Typer):
    """The landport Typer app: its commands are :class:`_Command`, its groups
    :class:`_Commands`, and their help texts are prose (:func:`_prose`)."""

    def __init__(self, *, help: str, cls: type[TyperGroup] = _Commands, **kwargs: Any) -> None:
        super().__init__(cls=cls, help=_prose(help), **kwargs)

    def command(self, *args: Any, **kwargs: Any) -> Any:
        def register(f: Callable[..., Any]) -> Any:
            kwargs.setdefault("cls", _Command)
            kwargs.setdefault("help", _prose(f.__doc__))
            return super(_App, self).command(*args, **kwargs)(f)

        return register


def sub_app(help: str) -> typer.Typer:
    """A group of commands under ``landport`` (``landport catalog …``)."""
    return _App(help=help, no_args_is_help=True)


@dataclass(frozen=True)
class Lazy:
    """A command of ``landport`` as its help lists it, before its module is imported."""

    module: str
    """The module that defines the command (``sim.cli.run``); importing it registers the
    command on :data:`app`."""
    help: str
    """The first paragraph of the command's help, as ``landport --help`` shows it (a test holds
    it equal to the command's own)."""


class LandportGroup(_Commands):
    """``landport`` itself: a command's module is imported only when that command runs (or
    its help is asked for), so that ``landport --help`` and ``landport validate`` start in a
    fraction of a second instead of importing pandas, the model and the catalogue first.
    Listings (the help, shell completion of command names) show each command from
    :attr:`lazy` without importing it."""

    lazy: ClassVar[dict[str, Lazy]] = {}
    """Every command, in the order the help lists them (filled by :mod:`sim.cli`)."""
    _listing = False

    def list_commands(self, ctx: Any) -> list[str]:
        return [*self.lazy, *(name for name in self.commands if name not in self.lazy)]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name in self.commands:
            return self.commands[cmd_name]
        entry = self.lazy.get(cmd_name)
        if entry is None:
            return None
        if self._listing:
            return TyperCommand(cmd_name, help=entry.help)
        return self.load(cmd_name)

    def load(self, cmd_name: str) -> Any:
        """Import the module of ``cmd_name`` and add the commands it registered."""
        module = self.lazy[cmd_name].module
        if module not in sys.modules:
            importlib.import_module(module)
            gc.freeze()  # what a command imports lives as long as it: out of the collector's way
        built = typer.main.get_command(app)
        assert isinstance(built, TyperGroup)
        for name, command in built.commands.items():
            self.commands.setdefault(name, command)
        return self.commands.get(cmd_name)

    @contextmanager
    def listing(self) -> Iterator[None]:
        """Inside the block, commands not yet imported are shown from :attr:`lazy`."""
        self._listing = True
        try:
            yield
        finally:
            self._listing = False

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        """As Typer's, whose suggestions for a mistyped command (``Did you mean 'run'?``)
        come from the commands imported so far: here from every command."""
        try:
            return super().resolve_command(ctx, args)
        except _UsageError as exc:
            message = exc.message  # type: ignore[attr-defined]
            near = difflib.get_close_matches(args[0], self.list_commands(ctx)) if args else []
            if near and "Did you mean" not in message:
                said = ", ".join(repr(name) for name in near)
                exc.message = f"{message.rstrip('.')}. Did you mean {said}?"  # type: ignore[attr-defined]
            raise

    def format_help(self, ctx: Any, formatter: Any) -> None:
        with self.listing():
            super().format_help(ctx, formatter)

    def shell_complete(self, ctx: Any, incomplete: str) -> Any:
        with self.listing():
            return super().shell_complete(ctx, incomplete)


app = _App(
    cls=LandportGroup,
    name="landport",
    help="Simulate rail–sea intermodal freight through the Huaihua International Land Port.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if not value:
        return
    import importlib.metadata
    import platform

    from sim.experiment.manifest import git_commit

    try:
        version = importlib.metadata.version("landport")
    except importlib.metadata.PackageNotFoundError:  # run from a checkout, not installed
        version = "(not installed)"
    commit = git_commit()  # None when installed from a package
    dirty = "+dirty" if commit and commit.endswith("+dirty") else ""
    source = f", commit {commit[:8]}{dirty}" if commit else ""
    sys.stdout.write(f"landport {version}{source}, Python {platform.python_version()}\n")
    raise typer.Exit()


@app.callback()
def _landport(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=_version,
            is_eager=True,
            help="Print landport's version (and the commit of a checkout) and exit.",
        ),
    ] = False,
) -> None:
    """Simulate rail–sea intermodal freight through the Huaihua International Land Port."""


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
    from sim.results.catalog_errors import CatalogError, CatalogWarning

    caught: list[warnings.WarningMessage] = []
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", CatalogWarning)
            try:
                yield
            except Exception as exc:
                _expected(exc, CatalogError)
                raise
    finally:
        for w in caught:
            if issubclass(w.category, CatalogWarning):
                error_line(w.message, "warning", "yellow")
            else:
                warnings.showwarning(w.message, w.category, w.filename, w.lineno, w.file, w.line)


_BAD_INPUT = (
    ("sim.results.store", "RunFolderError"),
    ("sim.experiment.backends", "BackendError"),
)


def raised(exc: BaseException, module: str, name: str) -> bool:
    """Whether ``exc`` is a ``module.name``. The module is not imported to find out: the
    command line imports what a command needs when it runs it, and an exception whose class
    was never imported cannot have been raised."""
    found = sys.modules.get(module)
    return found is not None and isinstance(exc, getattr(found, name))


def _expected(exc: Exception, catalog_error: type[Exception]) -> None:
    """An expected error as :func:`handled` reports it: exit 2 for bad input, 1 for a run the
    model stopped; any other exception is left to rise."""
    if raised(exc, "sim.scenario.errors", "ScenarioError"):
        for issue in exc.issues:  # type: ignore[attr-defined]
            error_line(issue)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    bad = isinstance(exc, FileExistsError | catalog_error)
    if bad or any(raised(exc, module, name) for module, name in _BAD_INPUT):
        error_line(exc)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    if raised(exc, "sim.engine.watchdog", "Stalled"):  # work waited and nothing moved
        error_line(f"the run stopped: {exc}")
        raise typer.Exit(EXIT_FAILED) from None


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
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from sim.experiment.backends import default_workers

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
    from sim.scenario.load import parse_override

    return dict(parse_override(v) for v in values or [])


# ----------------------------------------------------------------------------- shared options


def _a_seed(value: int | None) -> int | None:
    if value is not None and not 0 <= value <= MAX_SEED:
        raise typer.BadParameter(f"{value} is not a seed; expected 0 to 2⁶³ − 1")
    return value


def seed_option(help: str) -> Any:
    """``--seed N``: 0 to 2⁶³ − 1 (checked here, so the help does not print the range)."""
    return typer.Option(metavar="N", callback=_a_seed, help=help)


def replications_option(help: str) -> Any:
    return typer.Option("--replications", "-n", metavar="N", min=1, max=MAX_REPLICATIONS, help=help)


def sets_option(help: str, metavar: str = "PATH=VALUE") -> Any:
    return typer.Option("--set", metavar=metavar, help=help)


Workers = Annotated[
    int | None,
    typer.Option(
        metavar="N",
        min=1,
        max=MAX_WORKERS,
        help="Local worker processes (default: the machine's cores; 1: run in this process).",
    ),
]
DaskScheduler = Annotated[
    str | None,
    typer.Option(
        metavar="ADDRESS",
        help="Run on the Dask scheduler at this address (tcp://host:8786), or 'local' for a "
        "LocalCluster on this machine.",
    ),
]
OutDir = Annotated[
    Path | None,
    typer.Option(
        "--out", metavar="DIR", help="Folder to create (default: a new folder under results/)."
    ),
]
Root = Annotated[
    Path | None,
    typer.Option(
        "--root",
        metavar="DIR",
        help="Results folder and its catalog.duckdb (default: results/ of the project the "
        "working directory is in, or $LANDPORT_RESULTS).",
    ),
]
Kpis = Annotated[
    list[str] | None,
    typer.Option(
        "--kpi",
        metavar="NAME",
        help="Only this KPI, in the table and in --json (repeatable), e.g. --kpi teu.total.",
    ),
]


class Lang(StrEnum):
    """The languages of ``--lang`` (:data:`sim.results.i18n.LANGS`)."""

    en = "en"
    zh = "zh"


LangOption = Annotated[
    Lang,
    typer.Option(
        "--lang",
        metavar="en|zh",
        help="Language of the tables, the report and its figures: en (English) or zh "
        "(Simplified Chinese).",
    ),
]
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON to stdout instead of a table.")]
AllKpis = Annotated[bool, typer.Option("--all", help="Show every KPI, not only the headline ones.")]
Xlsx = Annotated[
    bool,
    typer.Option(
        "--xlsx",
        help="Also write results.xlsx into the folder: the summary and every replication's "
        "KPIs (and the comparison or sweep table), units in the headers, for a briefing.",
    ),
]
