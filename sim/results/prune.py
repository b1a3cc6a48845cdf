"""Pruning the results root: old run, comparison and sweep folders go, the catalogue follows.

Results pile up — a baseline run of ten replications is about 29 MB, an afternoon of what-ifs
several hundred — and nothing else ever deletes them. :func:`plan_prune` chooses, among the
experiment folders under the results root (those the catalogue would find: a folder with a
``manifest.json``, not inside another, not hidden), the ones to remove:

- ``keep=N`` keeps the N newest (of ``kind``, when given) and selects the rest;
- ``older_than`` selects those created longer ago than that (``"7d"``, ``"12h"``, ``"2w"``);
- both together select only what is beyond the N newest *and* older than that.

Never selected: a folder outside the root (a run saved with ``--out`` elsewhere), a hidden
one (a run or sweep still being written, an unfinished sweep waiting for ``--resume``), and a
folder holding a file under version control (the committed regression baseline and any other
committed fixture: the root is asked ``git ls-files``).

:func:`prune` then removes each chosen folder so that it disappears whole — it is first
renamed to a hidden ``.<name>.pruning-<hex>`` sibling, which no reader lists, then deleted —
and drops its rows from the catalogue, together with the rows of catalogued folders under the
root that are already gone. A catalogue that cannot be written gives a
:class:`~sim.results.catalog.CatalogWarning` (``landport catalog rebuild`` mends it); the
folders are the source of truth.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import uuid
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from sim.results import catalog, store

PRUNING_MARK = ".pruning-"
"""In the hidden name a folder takes while it is being removed."""
_PRUNING_RE = re.compile(r"^\..*\.pruning-[0-9a-f]{8}$")
_AGE_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(m|min|h|d|w)\s*$")
_AGE_UNITS = {"m": "minutes", "min": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_age(text: str | dt.timedelta) -> dt.timedelta:
    """``"7d"`` → 7 days; also ``30m``, ``12h``, ``2w`` (a timedelta is returned as it is)."""
    if isinstance(text, dt.timedelta):
        return text
    m = _AGE_RE.match(text)
    if m is None:
        raise ValueError(f"expected a number and a unit, e.g. 7d, 12h, 2w or 30m; found {text!r}")
    return dt.timedelta(**{_AGE_UNITS[m.group(2)]: float(m.group(1))})


@dataclass(frozen=True)
class Experiment:
    """One experiment folder under the root, as pruning sees it."""

    folder: Path
    run_id: str | None
    kind: str
    scenario: str
    created: dt.datetime
    """When it was made (UTC): its manifest's ``created_at``, else the folder's time."""
    size_bytes: int


@dataclass
class PrunePlan:
    """What :func:`prune` would remove under ``root``, and what it keeps."""

    root: Path
    remove: list[Experiment]
    keep: list[Experiment]
    protected: list[Experiment] = field(default_factory=list)
    """Selected, but holding files under version control: never removed."""
    stale_ids: list[str] = field(default_factory=list)
    """Catalogued experiments under the root whose folder is already gone."""

    @property
    def size_bytes(self) -> int:
        return sum(e.size_bytes for e in self.remove)


@dataclass(frozen=True)
class PruneResult:
    removed: list[Experiment]
    size_bytes: int
    forgotten: int
    """Catalogue entries dropped (the removed folders' and those already gone)."""
    failed: list[tuple[Path, str]]
    """Folders that could not be removed, with the reason."""


def plan_prune(
    root: str | Path | None = None,
    *,
    keep: int | None = None,
    older_than: str | dt.timedelta | None = None,
    kind: str | None = None,
    now: dt.datetime | None = None,
) -> PrunePlan:
    """Choose the experiment folders under ``root`` (default: the results root) to remove:
    beyond the ``keep`` newest, older than ``older_than``, of ``kind`` if given (see the
    module docstring). At least one of ``keep`` and ``older_than`` is required."""
    if keep is None and older_than is None:
        raise ValueError("say what to prune: keep the N newest, or remove those older than an age")
    if keep is not None and keep < 0:
        raise ValueError(f"keep must be 0 or more, got {keep}")
    if kind is not None and kind not in catalog.KINDS:
        raise ValueError(f"kind: expected one of {', '.join(catalog.KINDS)}, found {kind!r}")
    age = parse_age(older_than) if older_than is not None else None
    base = store.results_root(root)
    found = [_describe(f) for f in catalog.find_folders(base)] if base.is_dir() else []
    chosen = sorted(
        (e for e in found if kind is None or e.kind == kind),
        key=lambda e: (e.created, e.folder.name),
        reverse=True,
    )
    cutoff = (now or dt.datetime.now(dt.UTC)) - age if age is not None else None
    remove: list[Experiment] = []
    kept: list[Experiment] = []
    for rank, e in enumerate(chosen):
        beyond = keep is None or rank >= keep
        old = cutoff is None or e.created < cutoff
        (remove if beyond and old else kept).append(e)
    tracked = _tracked_folders(base, [e.folder for e in remove])
    protected = [e for e in remove if e.folder in tracked]
    remove = [e for e in remove if e.folder not in tracked]
    return PrunePlan(base, remove, kept, protected, _stale(base, kind))


def prune(plan: PrunePlan) -> PruneResult:
    """Remove the plan's folders, each whole, and drop them (and the catalogued folders
    under the root already gone) from the catalogue."""
    _remove_leftovers(plan.root)
    hidden: list[tuple[Experiment, Path]] = []
    failed: list[tuple[Path, str]] = []
    for e in plan.remove:
        aside = e.folder.with_name(f".{e.folder.name[:40]}{PRUNING_MARK}{uuid.uuid4().hex[:8]}")
        try:
            os.rename(e.folder, aside)  # gone from every listing at once
        except OSError as exc:
            failed.append((e.folder, exc.strerror or str(exc)))
            continue
        hidden.append((e, aside))
    ids = [e.run_id for e, _ in hidden if e.run_id] + plan.stale_ids
    forgotten = 0
    try:
        forgotten = catalog.forget(ids, plan.root)
    except catalog.CatalogError as exc:
        warnings.warn(
            f"pruned folders are still listed in the catalogue ({exc}); "
            "`landport catalog rebuild` re-creates it from the folders",
            catalog.CatalogWarning,
            stacklevel=2,
        )
    for _, aside in hidden:
        shutil.rmtree(aside, ignore_errors=True)
    removed = [e for e, _ in hidden]
    return PruneResult(removed, sum(e.size_bytes for e in removed), forgotten, failed)


def _describe(folder: Path) -> Experiment:
    """A folder's id, kind, scenario and creation time from its manifest (a damaged manifest
    leaves the folder's own time and kind ``damaged``), and its size on disk."""
    try:
        man = store.read_manifest(folder)
    except store.RunFolderError:
        man = {"kind": "damaged"}
    created = _utc(man.get("created_at"))
    if created is None:
        created = dt.datetime.fromtimestamp(folder.stat().st_mtime, dt.UTC)
    run_id = man.get("run_id")
    return Experiment(
        folder=folder,
        run_id=run_id if isinstance(run_id, str) and run_id else None,
        kind=str(man.get("kind", "run")),
        scenario=str(man.get("scenario") or ""),
        created=created,
        size_bytes=_size(folder),
    )


def _utc(text: object) -> dt.datetime | None:
    if not isinstance(text, str):
        return None
    try:
        when = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return when.replace(tzinfo=dt.UTC) if when.tzinfo is None else when.astimezone(dt.UTC)


def _size(folder: Path) -> int:
    total = 0
    for here, _, files in os.walk(folder):
        for name in files:
            try:
                total += os.lstat(os.path.join(here, name)).st_size
            except OSError:
                continue
    return total


def _tracked_folders(root: Path, folders: Sequence[Path]) -> set[Path]:
    """Those of ``folders`` holding a file that git tracks (none when git is not there)."""
    if not folders:
        return set()
    try:
        done = subprocess.run(
            ["git", "ls-files", "-z", "--full-name", "--", "."],
            cwd=root,
            capture_output=True,
            timeout=30,
            check=True,
        )
        top = subprocess.run(
            ["git", "rev-parse", "--show-toplevel"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return set()  # not a git checkout: nothing here is committed
    files = [Path(top, name).resolve() for name in os.fsdecode(done.stdout).split("\0") if name]
    resolved = {f.resolve(): f for f in folders}
    return {
        original
        for real, original in resolved.items()
        if any(real == f or real in f.parents for f in files)
    }


def _stale(root: Path, kind: str | None) -> list[str]:
    """Ids of catalogued experiments under ``root`` whose folder no longer exists."""
    try:
        df = catalog.list_runs(root, limit=None, kind=kind)
    except catalog.CatalogError:
        return []
    base = root.resolve()
    gone: pd.DataFrame = df[~df["exists"]]
    return [str(r["id"]) for r in gone.to_dict("records") if base in Path(str(r["folder"])).parents]


def _remove_leftovers(root: Path) -> None:
    """Folders a killed prune had set aside but not yet deleted."""
    if not root.is_dir():
        return
    for entry in os.scandir(root):
        if _PRUNING_RE.match(entry.name) and entry.is_dir(follow_symlinks=False):
            shutil.rmtree(entry.path, ignore_errors=True)
