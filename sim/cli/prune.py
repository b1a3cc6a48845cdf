"""``landport prune``: remove old run, comparison and sweep folders, and their catalogue rows."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from sim.cli.common import EXIT_BAD_INPUT, Root, app, error_line, handled, out


def _mb(n: int) -> str:
    return f"{n / 1e6:,.1f} MB"


@app.command()
def prune(
    keep: Annotated[
        int | None,
        typer.Option(metavar="N", min=0, help="Keep the N newest; remove the others."),
    ] = None,
    older_than: Annotated[
        str | None,
        typer.Option(
            "--older-than",
            metavar="AGE",
            help="Remove those made longer ago than AGE: 30m, 12h, 7d, 2w.",
        ),
    ] = None,
    kind: Annotated[
        str | None,
        typer.Option(metavar="KIND", help="Only folders of this kind: run, compare or sweep."),
    ] = None,
    root: Root = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="List what would be removed; remove nothing.")
    ] = False,
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="Remove without asking (needed when piped).")
    ] = False,
) -> None:
    """Remove old run, comparison and sweep folders under the results folder and drop them
    from the catalogue. With both --keep and --older-than, only what is beyond the N newest
    and older than AGE goes. Never removed: folders elsewhere (--out), runs still being
    written, unfinished sweeps, and anything under version control (the regression
    baseline)."""
    from sim.results.catalog import KINDS
    from sim.results.prune import parse_age, plan_prune
    from sim.results.prune import prune as remove

    with handled():
        if keep is None and older_than is None:
            error_line("prune: say what to remove: --keep N (the N newest stay), --older-than AGE")
            raise typer.Exit(EXIT_BAD_INPUT)
        if kind is not None and kind not in KINDS:
            error_line(f"--kind {kind}: expected one of {', '.join(KINDS)}")
            raise typer.Exit(EXIT_BAD_INPUT)
        try:
            age = parse_age(older_than) if older_than is not None else None
        except ValueError as exc:
            error_line(f"--older-than: {exc}")
            raise typer.Exit(EXIT_BAD_INPUT) from None
        plan = plan_prune(root, keep=keep, older_than=age, kind=kind)
        where = escape(str(plan.root))
        for e in plan.protected:
            error_line(f"{e.folder}: kept, it holds files under version control", "note", "cyan")
        if not plan.remove:
            out.print(
                f"Nothing to remove in {where} ({len(plan.keep)} kept).",
                highlight=False,
            )
            if not plan.stale_ids or dry_run:
                return
        else:
            t = Table(
                title=f"{'Would remove' if dry_run else 'To remove'} from {where}",
                title_justify="left",
                header_style="bold",
            )
            for name in ("id", "kind", "created (UTC)", "scenario", "size"):
                t.add_column(name, no_wrap=True, justify="right" if name == "size" else "left")
            t.add_column("folder", overflow="fold")
            for e in plan.remove:
                t.add_row(
                    e.run_id or "",
                    e.kind,
                    e.created.strftime("%Y-%m-%d %H:%M"),
                    escape(e.scenario),
                    _mb(e.size_bytes),
                    escape(e.folder.name),
                )
            out.print(t)
            summary = f"{len(plan.remove)} folder(s), {_mb(plan.size_bytes)}; {len(plan.keep)} kept"
            if plan.stale_ids:
                summary += f"; {len(plan.stale_ids)} catalogue entries whose folder is gone"
            if dry_run:
                out.print(f"Would remove {summary}.", highlight=False)
                return
            if not yes:
                if not sys.stdin.isatty():
                    error_line("prune: add --yes to remove without asking (--dry-run to look)")
                    raise typer.Exit(EXIT_BAD_INPUT)
                if not typer.confirm(f"Remove {summary}?", default=False):
                    out.print("Nothing removed.", highlight=False)
                    return
        done = remove(plan)
    for folder, reason in done.failed:
        error_line(f"{folder}: not removed ({reason})", "warning", "yellow")
    out.print(
        f"Removed {len(done.removed)} folder(s), {_mb(done.size_bytes)}, from {where}; "
        f"{done.forgotten} catalogue entries dropped.",
        highlight=False,
    )
