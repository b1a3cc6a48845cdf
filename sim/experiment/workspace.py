"""Where a sweep is written: a hidden work folder that survives interruptions.

While it runs, a sweep lives in a hidden folder ``.<name>.partial`` beside its destination:
``sweep.json`` (the plan, written first: :func:`plan_record`) and ``points/<k>/``, one
ordinary run folder per point, each written whole (atomically) as soon as its replications
are in. When every point is there the sweep's tables are written and the folder is renamed
to its destination (:meth:`Workspace.complete`), so a sweep folder too appears whole or not
at all. After an interruption, ``resume`` finds the unfinished folder of the same plan
(:func:`open_workspace`), keeps every finished point, discards half-written ones and runs
only what is missing (:meth:`Workspace.finished_points`).

The work folder is locked by the process running the sweep, so two cannot resume it; its
destination is read from its own name, never from what a file in it says.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from sim.experiment.design import SweepPlan
from sim.experiment.manifest import load_run_folder
from sim.experiment.runs import estimate_bytes
from sim.results import store
from sim.results.atomic import write_json
from sim.results.run import RunResult
from sim.scenario import scenario_hash

PLAN_FILE = "sweep.json"
PARTIAL = ".partial"
LOCK_FILE = ".sweep.lock"
"""In the work folder: locked by the process running the sweep, so two cannot resume it."""


def point_folder(k: int, n: int) -> str:
    """The folder of point ``k`` of ``n``, relative to the sweep folder: ``points/<k>``."""
    return f"points/{k:0{max(3, len(str(n - 1)))}d}"


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))


def plan_record(plan: SweepPlan) -> dict[str, Any]:
    """The plan as plain data (``sweep.json``); its ``spec_hash`` identifies the sweep."""
    points = [
        {
            "point": k,
            "levers": {p: _jsonable(v) for p, v in point.items()},
            "scenario_hash": scenario_hash(plan.scenarios[k]),
            "seed": plan.seed_of(k),
            "replications": plan.replications_of(k),
            "folder": point_folder(k, len(plan.points)),
        }
        for k, point in enumerate(plan.points)
    ]
    body = {"levers": plan.levers, "points": points}
    text = json.dumps(body, sort_keys=True, default=str)
    return {
        "name": plan.name,
        "scenario_file": plan.scenario_file,
        "overrides": {p: _jsonable(v) for p, v in plan.overrides.items()},
        "spec_hash": hashlib.sha256(text.encode()).hexdigest()[:16],
        **body,
    }


def need_bytes(plan: SweepPlan, points: Sequence[int]) -> int:
    """Bytes the folders of ``points`` will take, generously estimated."""
    return sum(estimate_bytes(plan.scenarios[k], plan.replications_of(k)) for k in points)


@dataclass
class Workspace:
    """Where a sweep is written: its hidden work folder, locked while this process runs it,
    and the destination it is renamed to when every point is in."""

    dest: Path
    partial: Path
    resumed: bool
    finished: bool = False
    lock: int | None = None

    def release(self) -> None:
        where = self.partial if self.partial.is_dir() else self.dest
        store.release_lock(self.lock, where / LOCK_FILE)
        self.lock = None

    def points_in(self) -> int:
        """How many point folders the work folder holds (written whole or not)."""
        folder = self.partial / "points"
        if not folder.is_dir():
            return 0
        return sum(1 for p in folder.iterdir() if not p.name.startswith("."))

    def finished_points(self, record: Mapping[str, Any]) -> dict[int, RunResult]:
        """Points of the plan ``record`` already written in the work folder (whole, by the
        atomic rename); half-written leftovers (hidden temporary folders) are removed, never
        read, and so is a point folder that no longer reads back whole: it runs again."""
        points_dir = self.partial / "points"
        if points_dir.is_symlink():
            raise store.RunFolderError(
                f"{points_dir}: a symbolic link; a sweep resumes only from folders it wrote"
            )
        points_dir.mkdir(exist_ok=True)
        for leftover in points_dir.iterdir():
            if leftover.name.startswith("."):
                shutil.rmtree(leftover, ignore_errors=True)
        done = {}
        for entry in record["points"]:
            folder = self.partial / entry["folder"]
            if folder.is_symlink():
                raise store.RunFolderError(
                    f"{folder}: a symbolic link; a sweep resumes only from folders it wrote"
                )
            if not folder.is_dir():
                continue
            try:
                run = load_run_folder(folder)
            except store.RunFolderError:
                shutil.rmtree(folder, ignore_errors=True)
                continue
            man = run.manifest
            if (
                man.get("scenario_hash") != entry["scenario_hash"]
                or man.get("seed") != entry["seed"]
                or man.get("replications") != entry["replications"]
            ):
                raise store.RunFolderError(
                    f"{folder}: does not match point {entry['point']} of this sweep "
                    "(another scenario, seed or number of replications)"
                )
            done[int(entry["point"])] = run
        return done

    def kept(self, exc: store.RunFolderError, done: int, total: int) -> store.RunFolderError:
        """A write error of the sweep, saying what was kept and how to go on."""
        return store.RunFolderError(
            f"{exc}; {done} of {total} points are kept in {self.partial.name}: "
            "run the same command with --resume to finish"
        )

    def complete(
        self,
        tables: Mapping[str, pd.DataFrame],
        csv: Collection[str],
        manifest: Mapping[str, Any],
    ) -> Path:
        """Write the sweep's ``tables`` (Parquet, and CSV too for those named in ``csv``) and
        its ``manifest`` into the work folder, then rename it into place: to :attr:`dest`, or
        to the next free name if that was taken meanwhile. Returns (and keeps) the folder."""
        with store.writing(self.partial):
            for name, df in tables.items():
                df.to_parquet(self.partial / f"{name}.parquet", index=False)
                if name in csv:
                    df.to_csv(self.partial / f"{name}.csv", index=False)

        def finish(folder: Path, final: Path) -> None:
            write_json(folder / "manifest.json", {**manifest, "folder": str(final)})

        self.dest = store.publish(self.partial, self.dest, finish)
        return self.dest


def open_workspace(
    plan: SweepPlan, record: dict[str, Any], out: str | Path | None, root: Path, resume: bool
) -> Workspace:
    """Find (``resume``) or create the hidden work folder of the plan ``record``, checked
    before anything runs."""
    if out is not None:
        dest = Path(out)
        store.check_name(dest, extra=len(PARTIAL) + 1)
        partial = _partial_of(dest)
        if os.path.lexists(dest):
            if (
                resume
                and _is_own_folder(dest)
                and _plan_of(dest).get("spec_hash") == record["spec_hash"]
            ):
                return Workspace(dest, partial, True, finished=True)
            raise FileExistsError(f"{dest}: already exists; a results folder is never overwritten")
        if os.path.lexists(partial):
            if not resume:
                raise FileExistsError(
                    f"{dest}: an unfinished sweep is in {partial}; "
                    "continue it with --resume, or remove that folder"
                )
            _check_partial(partial, record)
            return Workspace(dest, partial, True, lock=_lock(partial))
        return _create(dest, partial, record, need_bytes(plan, range(len(plan.points))))
    if resume:
        found = _find_partial(root, record["spec_hash"])
        named = _destination(found) if found is not None else None
        if found is not None and named is not None:  # _find_partial keeps only sane names
            return Workspace(named, found, True, lock=_lock(found))
    for _ in range(5):  # another sweep may take the same name in the same second
        dest = store.unique_folder(
            root,
            f"{plan.name}-sweep",
            taken=lambda d: os.path.lexists(d) or os.path.lexists(_partial_of(d)),
        )
        try:
            return _create(
                dest, _partial_of(dest), record, need_bytes(plan, range(len(plan.points)))
            )
        except FileExistsError:
            continue
    raise store.RunFolderError(f"{root}: cannot find a free name for the sweep folder")


def is_unfinished(folder: Path) -> bool:
    """Whether ``folder`` holds a sweep's plan but no manifest: an unfinished sweep."""
    return not (folder / "manifest.json").exists() and (folder / PLAN_FILE).is_file()


def _partial_of(dest: Path) -> Path:
    return dest.parent / f".{dest.name}{PARTIAL}"


def _destination(partial: Path) -> Path | None:
    """The destination of a work folder, from its own name (``.<name>.partial``) — never
    from what a file in it says — or None if that is no sane folder name."""
    name = partial.name
    if not (name.startswith(".") and name.endswith(PARTIAL)):
        return None
    dest = partial.parent / name[1 : -len(PARTIAL)]
    try:
        store.check_name(dest)
    except store.RunFolderError:
        return None
    return dest


def _create(dest: Path, partial: Path, record: dict[str, Any], need: int) -> Workspace:
    """A new work folder, on a disk with room for ``need`` bytes: its plan written first,
    locked by this process. :class:`FileExistsError` if another sweep took its name since
    the name was chosen (any other system error is a :class:`~sim.results.store.RunFolderError`)."""
    store.make_parent(dest)
    with store.writing(dest, "cannot create the folder"):
        try:
            partial.mkdir()
            taken = False
        except FileExistsError:
            taken = True
    if taken:
        raise FileExistsError(f"{dest}: another sweep took this name meanwhile")
    ws = Workspace(dest, partial, False)
    try:
        with store.writing(dest, "cannot create the folder"):
            ws.lock = _lock(partial)
            store.check_space(partial.parent, need, "the sweep")
            (partial / "points").mkdir()
            write_json(partial / PLAN_FILE, {**record, "destination": dest.name})
    except BaseException:
        ws.release()
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return ws


def _lock(partial: Path) -> int | None:
    """Lock the work folder for this process; a sweep being run elsewhere is an error."""
    try:
        return store.hold_lock(partial / LOCK_FILE)
    except BlockingIOError:
        try:
            pid = (partial / LOCK_FILE).read_text().strip()
        except OSError:
            pid = "?"
        raise store.RunFolderError(
            f"{partial}: this sweep is being run by another landport process (pid {pid}); "
            "wait for it to finish or stop it first"
        ) from None


def _is_own_folder(folder: Path) -> bool:
    """A real folder (not a symbolic link to somewhere else)."""
    return folder.is_dir() and not folder.is_symlink()


def _check_partial(partial: Path, record: dict[str, Any]) -> None:
    if not _is_own_folder(partial):
        raise store.RunFolderError(
            f"{partial}: not a folder of its own (a file or a symbolic link); "
            "a sweep resumes only from the work folder it wrote"
        )
    found = _plan_of(partial)
    if found.get("spec_hash") != record["spec_hash"]:
        points = found.get("points")
        raise store.RunFolderError(
            f"{partial}: an unfinished sweep of another plan (levers "
            f"{found.get('levers')}, {len(points) if isinstance(points, list) else 0} points); "
            "it cannot be resumed with these levers"
        )


def _plan_of(folder: Path) -> dict[str, Any]:
    try:
        plan = json.loads((folder / PLAN_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return plan if isinstance(plan, dict) else {}


def _find_partial(root: Path, spec_hash: str) -> Path | None:
    """The newest unfinished sweep of this plan under ``root``: a real folder (no symbolic
    link) named ``.<name>.partial`` after a sane destination name."""
    if not root.is_dir():
        return None
    found = [
        p
        for p in root.iterdir()
        if _destination(p) is not None
        and _is_own_folder(p)
        and _plan_of(p).get("spec_hash") == spec_hash
    ]
    return max(found, key=lambda p: p.stat().st_mtime) if found else None
