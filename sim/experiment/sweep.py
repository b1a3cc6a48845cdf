"""Sweeps: one scenario run at every point of a grid of levers, resumable, in one folder.

A *lever* is a dotted scenario path with a list of values (``customs.import.officers`` →
4, 6, 8). The points of a sweep are the grid (Cartesian product) of its levers, or an explicit
list of points. Levers come from the command line (``--set customs.import.officers=4,6,8``)
or from a ``sweep:`` block in a YAML file that is otherwise an ordinary scenario file — it may
``extends:`` another and set any field, ``replications`` and ``seed`` included::

    # scenarios/sweeps/officers-discount.yaml
    extends: ../baseline.yaml
    replications: 5
    sweep:                                   # grid: 3 × 2 = 6 points
      customs.import.officers: [4, 6, 8]
      tariffs.discount.nanning: [0.30, 0.45]

or ``sweep:`` as a list of points, each a mapping of lever path → value. Every point is
validated like a scenario before anything runs; an error names the file (or ``--set``), the
field and the point. All points use the same seed (common random numbers across points,
unless the seed itself is a lever) and all their replications go to the workers as one batch.

While it runs, a sweep lives in a hidden folder ``.<name>.partial`` beside its destination:
``sweep.json`` (the plan, written first) and ``points/<k>/``, one ordinary run folder per
point, each written whole (atomically) as soon as its replications are in. When every point
is there the tidy tables are written and the folder is renamed to its destination, so a sweep
folder too appears whole or not at all. After an interruption, ``resume=True`` (``--resume``)
finds the unfinished folder of the same plan, keeps every finished point, discards half-
written ones and runs only what is missing.

A finished sweep folder holds ``points.parquet``/``.csv`` (point + one column per lever),
``kpis.parquet`` (point, replication, kpi, value + levers), ``summary.parquet``/``.csv``
(point, levers, kpi, unit, mean, half_width, low, high, n), ``manifest.json``, ``sweep.json``
and ``points/``.
"""

from __future__ import annotations

import copy
import hashlib
import itertools
import json
import os
import shutil
import time
from collections.abc import Callable, Generator, Mapping, Sequence
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from sim.experiment.api import DEFAULT_ROOT, ScenarioLike, assemble, estimate_bytes
from sim.experiment.backends import Progress, describe_backend, execute_iter
from sim.experiment.manifest import load_run_folder, manifest
from sim.experiment.runner import ReplicationResult, run_one
from sim.results import catalog, store
from sim.results.atomic import write_json
from sim.results.run import SUMMARY_COLUMNS, RunResult, Tables
from sim.scenario import Issue, Scenario, ScenarioError, canonical, scenario_hash
from sim.scenario.load import OVERRIDE, apply_overrides, resolve, validate
from sim.scenario.reader import load_yaml

PLAN_FILE = "sweep.json"
PARTIAL = ".partial"
LOCK_FILE = ".sweep.lock"
"""In the work folder: locked by the process running the sweep, so two cannot resume it."""
Levers = Mapping[str, Sequence[Any]] | Sequence[Mapping[str, Any]]
"""A grid (lever path → values) or an explicit list of points (each lever path → value)."""


class SweepInterrupted(KeyboardInterrupt):
    """A sweep was interrupted; its finished points are kept for ``resume``."""

    def __init__(self, folder: Path | None, done: int, total: int) -> None:
        super().__init__(f"sweep interrupted with {done} of {total} points done")
        self.folder, self.done, self.total = folder, done, total


# ----------------------------------------------------------------------------- the plan


@dataclass(frozen=True)
class Lever:
    """One lever: a dotted path, where it was given (a file or ``--set``)."""

    path: str
    source: str
    in_file: bool


@dataclass
class SweepPlan:
    """Every point of a sweep, validated: what will run, before anything runs."""

    name: str
    scenario_file: str | None
    levers: list[str]
    points: list[dict[str, Any]]
    scenarios: list[Scenario]
    overrides: dict[str, Any]
    seed: int | None
    replications: int | None

    def seed_of(self, k: int) -> int:
        return self.scenarios[k].seed if self.seed is None else self.seed

    def replications_of(self, k: int) -> int:
        return self.scenarios[k].replications if self.replications is None else self.replications

    def describe(self) -> dict[str, Any]:
        """The plan as plain data (``sweep.json``); its hash identifies the sweep."""
        points = [
            {
                "point": k,
                "levers": {p: _jsonable(v) for p, v in point.items()},
                "scenario_hash": scenario_hash(self.scenarios[k]),
                "seed": self.seed_of(k),
                "replications": self.replications_of(k),
                "folder": point_folder(k, len(self.points)),
            }
            for k, point in enumerate(self.points)
        ]
        body = {"levers": self.levers, "points": points}
        text = json.dumps(body, sort_keys=True, default=str)
        return {
            "name": self.name,
            "scenario_file": self.scenario_file,
            "overrides": {p: _jsonable(v) for p, v in self.overrides.items()},
            "spec_hash": hashlib.sha256(text.encode()).hexdigest()[:16],
            **body,
        }


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))


def point_folder(k: int, n: int) -> str:
    return f"points/{k:0{max(3, len(str(n - 1)))}d}"


def parse_lever(text: str) -> tuple[str, list[Any]]:
    """``"customs.import.officers=4,6,8"`` → (``"customs.import.officers"``, [4, 6, 8]).

    Values are comma-separated YAML scalars (``0.30``, ``true``, ``2023-02-28``); a value
    holding a comma or a list belongs in a sweep file.
    """
    if "=" not in text:
        raise ScenarioError.one(
            OVERRIDE, text, "expected PATH=V1,V2,…, e.g. customs.import.officers=4,6,8"
        )
    path, raw = (part.strip() for part in text.split("=", 1))
    body = raw if raw.startswith("[") else f"[{raw}]"
    values = load_yaml(body, OVERRIDE, path)  # the limits and rules of scenario files
    if not isinstance(values, list) or not values or any(v is None for v in values):
        raise ScenarioError.one(OVERRIDE, path, f"expected comma-separated values, found {raw!r}")
    return path, values


def split_sets(texts: Sequence[str]) -> tuple[dict[str, Any], dict[str, list[Any]]]:
    """Command-line ``--set`` options: one value is an override, several are a lever."""
    overrides: dict[str, Any] = {}
    levers: dict[str, list[Any]] = {}
    for text in texts:
        path, values = parse_lever(text)
        if len(values) == 1:
            overrides[path] = values[0]
        else:
            levers[path] = values
    return overrides, levers


def _check_path(path: Any, source: str, where: str) -> str:
    if not isinstance(path, str) or not all(p.strip() for p in path.split(".")):
        raise ScenarioError.one(source, where, f"expected a dotted field path, found {path!r}")
    return path


def _grid(block: Mapping[str, Any], source: str, prefix: str, in_file: bool) -> dict[str, list]:
    """A mapping of lever path → list of values, flattened (a file may nest the paths)."""
    flat: dict[str, list[Any]] = {}

    def walk(node: Mapping[str, Any], trail: tuple[str, ...]) -> None:
        for key, value in node.items():
            here = (*trail, str(key))
            path = ".".join(here)
            where = f"{prefix}{path}"
            _check_path(path, source, where)
            if isinstance(value, Mapping) and in_file:
                walk(value, here)
                continue
            if not isinstance(value, list | tuple) or not value:
                raise ScenarioError.one(
                    source, where, f"expected a non-empty list of values, found {value!r}"
                )
            seen: list[Any] = []
            for v in value:
                if v in seen:
                    raise ScenarioError.one(source, where, f"value {v!r} is listed twice")
                seen.append(v)
            flat[path] = list(value)

    walk(block, ())
    return flat


def _product(flat: Mapping[str, list[Any]]) -> list[dict[str, Any]]:
    return [dict(zip(flat, combo, strict=True)) for combo in itertools.product(*flat.values())]


def _explicit(
    block: Sequence[Any], source: str, prefix: str
) -> tuple[list[str], list[dict[str, Any]]]:
    """Lever paths and points of an explicit list of points."""
    if not block:
        raise ScenarioError.one(source, prefix.rstrip("."), "expected at least one point")
    paths: dict[str, None] = {}
    points = []
    for i, point in enumerate(block):
        if not isinstance(point, Mapping) or not point:
            raise ScenarioError.one(
                source,
                f"{prefix}{i}",
                f"expected a mapping of lever path → value, found {point!r}",
            )
        for path in point:
            _check_path(path, source, f"{prefix}{i}.{path}")
            paths.setdefault(str(path), None)
        points.append({str(p): v for p, v in point.items()})
    return list(paths), points


def _design(
    block: Any, source: str, prefix: str, in_file: bool, replaced: frozenset[str] = frozenset()
) -> tuple[list[Lever], list[dict[str, Any]]]:
    """Levers and points of a ``sweep:`` block or of the ``levers`` argument.

    Lever paths in ``replaced`` (given again on the command line) are dropped from a grid.
    """
    if isinstance(block, Mapping):
        flat = _grid(block, source, prefix, in_file)
        flat = {p: v for p, v in flat.items() if p not in replaced}
        return [Lever(p, source, in_file) for p in flat], _product(flat)
    if isinstance(block, list | tuple):
        paths, points = _explicit(block, source, prefix)
        clash = [p for p in paths if p in replaced]
        if clash:
            raise ScenarioError.one(
                source,
                f"{prefix}{clash[0]}",
                "also given on the command line; a lever of a list of points cannot be replaced",
            )
        return [Lever(p, source, in_file) for p in paths], points
    raise ScenarioError.one(
        source,
        prefix.rstrip(".") or "levers",
        f"expected a mapping of lever path → list of values, or a list of points; found {block!r}",
    )


def plan_sweep(
    scenario: ScenarioLike,
    levers: Levers | None = None,
    *,
    overrides: Mapping[str, Any] | None = None,
    seed: int | None = None,
    replications: int | None = None,
) -> SweepPlan:
    """Read the base scenario (and its ``sweep:`` block), combine with ``levers`` and
    validate every point. Raises :class:`ScenarioError` naming file, field and point."""
    if isinstance(scenario, Scenario):
        data: dict[str, Any] = canonical(scenario)
        shown = f"<scenario {scenario.name}>"
        prov: dict[tuple[str, ...], str] = {(): shown}
        block, block_source, scenario_file = None, shown, None
    else:
        data, prov = resolve(scenario)
        shown = _shown(Path(scenario))
        scenario_file = str(scenario)
        block_source = prov.get(("sweep",), shown)
        block = data.pop("sweep", None)
        for key in [k for k in prov if k[:1] == ("sweep",)]:
            del prov[key]
    design: list[tuple[list[Lever], list[dict[str, Any]]]] = []
    given = _design(levers, OVERRIDE, "", in_file=False) if levers else ([], [{}])
    if block is not None:
        replaced = frozenset(lv.path for lv in given[0])
        design.append(_design(block, block_source, "sweep.", True, replaced))
    design.append(given)
    all_levers = [lv for lvs, _ in design for lv in lvs]
    if not all_levers:
        raise ScenarioError.one(
            scenario_file or shown,
            "sweep",
            "nothing to sweep: give a lever with several values (--set PATH=V1,V2) "
            "or a sweep: block in the file",
        )
    points = [
        {k: v for part in combo for k, v in part.items()}
        for combo in itertools.product(*(pts for _, pts in design))
    ]
    fixed = dict(overrides or {})
    if fixed:
        apply_overrides(data, prov, fixed)
    scenarios = _validate_points(data, prov, shown, points, all_levers)
    name = Path(scenario_file).stem if block is not None and scenario_file else scenarios[0].name
    return SweepPlan(
        name=name,
        scenario_file=scenario_file,
        levers=[lv.path for lv in all_levers],
        points=points,
        scenarios=scenarios,
        overrides=fixed,
        seed=seed,
        replications=replications,
    )


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _validate_points(
    data: dict[str, Any],
    prov: dict[tuple[str, ...], str],
    shown: str,
    points: list[dict[str, Any]],
    levers: list[Lever],
) -> list[Scenario]:
    """Every point as a validated scenario, or one error listing every problem once."""
    scenarios: list[Scenario] = []
    problems: dict[tuple[str, str, str], list[int]] = {}
    for k, point in enumerate(points):
        d, p = copy.deepcopy(data), dict(prov)
        try:
            apply_overrides(d, p, point)
            scenarios.append(validate(d, p, shown))
        except ScenarioError as exc:
            for issue in exc.issues:
                problems.setdefault(_relocate(issue, levers), []).append(k)
    if problems:
        issues = []
        for (file, fld, message), ks in problems.items():
            if len(ks) < len(points):
                first = ", ".join(f"{lp}={v!r}" for lp, v in points[ks[0]].items())
                more = f" and {len(ks) - 1} more" if len(ks) > 1 else ""
                message = f"{message} (at sweep point {ks[0]}: {first}{more})"
            issues.append(Issue(file, fld, message))
        raise ScenarioError(issues)
    return scenarios


def _relocate(issue: Issue, levers: list[Lever]) -> tuple[str, str, str]:
    """An issue of a sweep-file lever names the file and its ``sweep.`` entry, not ``--set``."""
    if issue.file == OVERRIDE:
        for lv in levers:
            if lv.in_file and (
                issue.field == lv.path
                or issue.field.startswith(lv.path + ".")
                or lv.path.startswith(issue.field + ".")
            ):
                return lv.source, f"sweep.{lv.path}", issue.message
    return issue.file, issue.field, issue.message


# ----------------------------------------------------------------------------- results


@dataclass
class SweepResult(Tables):
    """A sweep's tidy tables; each point's full run is :meth:`run` (read on demand)."""

    points: pd.DataFrame
    kpis: pd.DataFrame
    summary: pd.DataFrame
    manifest: dict[str, Any]
    path: Path | None = None
    _runs: dict[int, RunResult] = field(default_factory=dict, repr=False)

    @property
    def levers(self) -> list[str]:
        return [c for c in self.points.columns if c != "point"]

    def run(self, point: int) -> RunResult:
        """The full :class:`RunResult` of one point (its containers, trains, …)."""
        if point not in self._runs:
            planned = self.manifest.get("points") or []
            if self.path is None or not 0 <= point < len(planned):
                raise KeyError(f"no point {point} in this sweep")
            self._runs[point] = load_run_folder(self.path / planned[point]["folder"])
        return self._runs[point]

    def table(self, name: str) -> pd.DataFrame:
        """A table of every point (``containers``, ``trains``, …), with a ``point`` column."""
        parts = []
        for k in self.points["point"]:
            df = self.run(int(k)).table(name)
            parts.append(df.assign(point=int(k)))
        return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()

    def mean(self, kpi: str) -> pd.DataFrame:
        """One KPI's summary rows, one per point, with the lever columns."""
        return self.summary.loc[self.summary["kpi"] == kpi].reset_index(drop=True)

    def point_means(self) -> list[tuple[int, str, dict[str, float]]]:
        """(point, its levers as ``path=value`` text, KPI name → mean) for every point."""
        out = []
        for k, rows in self.summary.groupby("point", sort=True):
            lev = self.points.loc[self.points["point"] == k].iloc[0]
            label = ", ".join(f"{lv}={lev[lv]}" for lv in self.levers)
            out.append((int(k), label, dict(zip(rows["kpi"], rows["mean"], strict=True))))
        return out


def _lever_frame(points: list[dict[str, Any]], levers: list[str]) -> pd.DataFrame:
    rows = [{"point": k, **{lv: p.get(lv) for lv in levers}} for k, p in enumerate(points)]
    df = pd.DataFrame(rows, columns=["point", *levers])
    for lv in levers:  # lists and mappings (a distribution as a lever) are kept as JSON text
        if any(isinstance(v, Mapping | list) for v in df[lv]):
            df[lv] = [json.dumps(v, sort_keys=True, default=str) for v in df[lv]]
    return df


def _stack(per_point: Mapping[int, pd.DataFrame], points: pd.DataFrame) -> pd.DataFrame:
    """Point tables stacked in point order, the point number and lever columns joined on."""
    parts = [df.assign(point=k) for k, df in sorted(per_point.items())]
    return pd.concat(parts, ignore_index=True).merge(points, on="point", how="left")


def tidy_kpis(per_point: Mapping[int, pd.DataFrame], points: pd.DataFrame) -> pd.DataFrame:
    """``point, replication, kpi, value`` + one column per lever."""
    levers = [c for c in points.columns if c != "point"]
    return _stack(per_point, points)[["point", "replication", "kpi", "value", *levers]]


def tidy_summary(per_point: Mapping[int, pd.DataFrame], points: pd.DataFrame) -> pd.DataFrame:
    """``point``, one column per lever, ``kpi, unit, mean, half_width, low, high, n``."""
    levers = [c for c in points.columns if c != "point"]
    return _stack(per_point, points)[["point", *levers, *SUMMARY_COLUMNS]]


# ----------------------------------------------------------------------------- running


def sweep(
    scenario: ScenarioLike,
    levers: Levers | None = None,
    *,
    overrides: Mapping[str, Any] | None = None,
    seed: int | None = None,
    replications: int | None = None,
    workers: int | None = None,
    dask_scheduler: str | None = None,
    save: bool = True,
    out: str | Path | None = None,
    root: str | Path = DEFAULT_ROOT,
    resume: bool = False,
    register: bool = True,
    progress: Progress | None = None,
) -> SweepResult:
    """Run ``scenario`` at every point of the sweep and return its tidy tables.

    ``levers``: a grid ``{"customs.import.officers": [4, 6, 8]}`` or a list of points; they
    add to (and replace same-named levers of) the file's ``sweep:`` block. ``overrides`` apply
    to every point. ``seed``/``replications`` default to each point's scenario. With ``save``
    the sweep is written to ``out`` or a new folder under ``root``; with ``resume`` an
    unfinished sweep of the same plan is continued (see the module docstring).
    """
    plan = plan_sweep(scenario, levers, overrides=overrides, seed=seed, replications=replications)
    spec = plan.describe()
    ws: _Workspace | None = None
    try:
        ws = _workspace(plan, spec, out, Path(root), resume) if save else None
        if ws is not None and ws.finished:  # resume of a sweep that had already finished
            return load_sweep(ws.dest)
        return _run_sweep(plan, spec, ws, workers, dask_scheduler, progress, root, register)
    except SweepInterrupted:
        raise
    except KeyboardInterrupt:  # before the first point ran: what is there is kept
        partial = ws.partial if ws is not None else None
        raise SweepInterrupted(partial, _points_in(partial), len(plan.points)) from None
    finally:
        if ws is not None:
            ws.release()


def _points_in(partial: Path | None) -> int:
    folder = partial / "points" if partial is not None else None
    if folder is None or not folder.is_dir():
        return 0
    return sum(1 for p in folder.iterdir() if not p.name.startswith("."))


@dataclass
class _Workspace:
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


def _run_sweep(
    plan: SweepPlan,
    spec: dict[str, Any],
    ws: _Workspace | None,
    workers: int | None,
    dask_scheduler: str | None,
    progress: Progress | None,
    root: str | Path,
    register: bool,
) -> SweepResult:
    n = len(plan.points)
    lever_frame = _lever_frame(plan.points, plan.levers)
    partial = ws.partial if ws is not None else None
    done = _finished_points(partial, spec) if partial is not None else {}
    pending = [k for k in range(n) if k not in done]
    if ws is not None and ws.resumed:  # a new sweep's disk was checked when it was created
        store.check_space(ws.partial, _need(plan, pending), f"the {len(pending)} points left")

    started = time.perf_counter()
    tasks = [
        (plan.scenarios[k], r, plan.seed_of(k))
        for k in pending
        for r in range(plan.replications_of(k))
    ]
    owner = [k for k in pending for _ in range(plan.replications_of(k))]
    buckets: dict[int, list[ReplicationResult]] = {k: [] for k in pending}
    runs: dict[int, RunResult] = dict(done)
    backend = describe_backend(workers, dask_scheduler)
    events = 0
    stream = _results(
        run_one, tasks, workers=workers, dask_scheduler=dask_scheduler, progress=progress
    )
    try:
        with closing(stream):
            for i, value in stream:
                k = owner[i]
                buckets[k].append(value)
                events += value.events
                if len(buckets[k]) == plan.replications_of(k):
                    runs[k] = _finish_point(plan, spec, k, buckets.pop(k), partial, backend)
    except KeyboardInterrupt:
        raise SweepInterrupted(partial, len(runs), n) from None
    except store.RunFolderError as exc:
        raise _kept(exc, partial, len(runs), n) from None
    wall_s = time.perf_counter() - started

    kpis = tidy_kpis({k: r.kpis for k, r in runs.items()}, lever_frame)
    summary = tidy_summary({k: r.summary for k, r in runs.items()}, lever_frame)
    man = manifest(
        kind="sweep",
        run_id=catalog.new_run_id(),
        scenario=plan.scenarios[0].name,
        scenario_file=plan.scenario_file,
        spec_hash=spec["spec_hash"],
        seed=plan.seed if plan.seed is not None else plan.scenarios[0].seed,
        replications=plan.replications_of(0),
        levers=plan.levers,
        points=spec["points"],
        points_run=len(pending),
        points_reused=len(done),
        resumed=ws is not None and ws.resumed,
        overrides=spec["overrides"],
        wall_s=round(wall_s, 3),
        events=events,
        backend=backend,
    )
    result = SweepResult(lever_frame, kpis, summary, man, None, {} if ws else runs)
    if ws is not None:
        try:
            ws.dest = _complete(result, ws.partial, ws.dest)
        except KeyboardInterrupt:
            raise SweepInterrupted(ws.partial, n, n) from None
        except store.RunFolderError as exc:
            raise _kept(exc, ws.partial, n, n) from None
        if register:
            catalog.try_register(ws.dest, root)
    return result


def _results(
    fn: Callable[..., ReplicationResult], tasks: list[tuple[Any, ...]], **how: Any
) -> Generator[tuple[int, ReplicationResult], None, None]:
    """The backend's results as a generator, so it can always be closed (an empty batch —
    every point already done — comes back from the backend as a plain iterator)."""
    yield from execute_iter(fn, tasks, **how)


def _kept(exc: store.RunFolderError, partial: Path | None, done: int, total: int) -> Exception:
    """A write error of a sweep, saying what was kept and how to go on."""
    if partial is None:
        return exc
    return store.RunFolderError(
        f"{exc}; {done} of {total} points are kept in {partial.name}: "
        "run the same command with --resume to finish"
    )


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


def _workspace(
    plan: SweepPlan, spec: dict[str, Any], out: str | Path | None, root: Path, resume: bool
) -> _Workspace:
    """Find (``resume``) or create the hidden work folder, checked before anything runs."""
    if out is not None:
        dest = Path(out)
        store.check_name(dest, extra=len(PARTIAL) + 1)
        partial = _partial_of(dest)
        if os.path.lexists(dest):
            if (
                resume
                and _is_own_folder(dest)
                and _plan_of(dest).get("spec_hash") == spec["spec_hash"]
            ):
                return _Workspace(dest, partial, True, finished=True)
            raise FileExistsError(f"{dest}: already exists; a results folder is never overwritten")
        if os.path.lexists(partial):
            if not resume:
                raise FileExistsError(
                    f"{dest}: an unfinished sweep is in {partial}; "
                    "continue it with --resume, or remove that folder"
                )
            _check_partial(partial, spec)
            return _Workspace(dest, partial, True, lock=_lock(partial))
        return _create(dest, partial, spec, _need(plan, range(len(plan.points))))
    if resume:
        found = _find_partial(root, spec["spec_hash"])
        named = _destination(found) if found is not None else None
        if found is not None and named is not None:  # _find_partial keeps only sane names
            return _Workspace(named, found, True, lock=_lock(found))
    for _ in range(5):  # another sweep may take the same name in the same second
        dest = store.unique_folder(
            root,
            f"{plan.name}-sweep",
            taken=lambda d: os.path.lexists(d) or os.path.lexists(_partial_of(d)),
        )
        try:
            return _create(dest, _partial_of(dest), spec, _need(plan, range(len(plan.points))))
        except FileExistsError:
            continue
    raise store.RunFolderError(f"{root}: cannot find a free name for the sweep folder")


def _need(plan: SweepPlan, points: Sequence[int]) -> int:
    """Bytes the folders of ``points`` will take, generously estimated."""
    return sum(estimate_bytes(plan.scenarios[k], plan.replications_of(k)) for k in points)


def _create(dest: Path, partial: Path, spec: dict[str, Any], need: int) -> _Workspace:
    """A new work folder, on a disk with room for ``need`` bytes: its plan written first,
    locked by this process."""
    store.make_parent(dest)
    with store.writing(dest, "cannot create the folder"):
        partial.mkdir()  # FileExistsError if another sweep took the name meanwhile
    ws = _Workspace(dest, partial, False)
    try:
        with store.writing(dest, "cannot create the folder"):
            ws.lock = _lock(partial)
            store.check_space(partial.parent, need, "the sweep")
            (partial / "points").mkdir()
            write_json(partial / PLAN_FILE, {**spec, "destination": dest.name})
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


def _check_partial(partial: Path, spec: dict[str, Any]) -> None:
    if not _is_own_folder(partial):
        raise store.RunFolderError(
            f"{partial}: not a folder of its own (a file or a symbolic link); "
            "a sweep resumes only from the work folder it wrote"
        )
    found = _plan_of(partial)
    if found.get("spec_hash") != spec["spec_hash"]:
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


def _finished_points(partial: Path, spec: dict[str, Any]) -> dict[int, RunResult]:
    """Points already written in the work folder (whole, by the atomic rename); half-written
    leftovers (hidden temporary folders) are removed, never read, and so is a point folder
    that no longer reads back whole: it runs again."""
    points_dir = partial / "points"
    if points_dir.is_symlink():
        raise store.RunFolderError(
            f"{points_dir}: a symbolic link; a sweep resumes only from folders it wrote"
        )
    points_dir.mkdir(exist_ok=True)
    for leftover in points_dir.iterdir():
        if leftover.name.startswith("."):
            shutil.rmtree(leftover, ignore_errors=True)
    done = {}
    for entry in spec["points"]:
        folder = partial / entry["folder"]
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


def _finish_point(
    plan: SweepPlan,
    spec: dict[str, Any],
    k: int,
    results: list[ReplicationResult],
    partial: Path | None,
    backend: str,
) -> RunResult:
    entry = spec["points"][k]
    run = assemble(
        plan.scenarios[k],
        results,
        seed=plan.seed_of(k),
        scenario_file=plan.scenario_file,
        overrides={**plan.overrides, **plan.points[k]},
        wall_s=sum(r.wall_s for r in results),
        backend=backend,
        point=k,
        levers=entry["levers"],
    )
    if partial is None:
        return run
    run.save(partial / entry["folder"])
    # Keep only the small tables in memory; a point's containers are read back on demand.
    return RunResult(run.scenario, run.manifest, run.kpis, run.summary, run.info, run.path)


def _complete(result: SweepResult, partial: Path, dest: Path) -> Path:
    """Write the sweep's tables into the work folder, then rename it into place: to
    ``dest``, or to the next free name if that was taken meanwhile. Returns the folder."""
    with store.writing(partial):
        result.points.to_parquet(partial / "points.parquet", index=False)
        result.points.to_csv(partial / "points.csv", index=False)
        result.kpis.to_parquet(partial / "kpis.parquet", index=False)
        result.summary.to_parquet(partial / "summary.parquet", index=False)
        result.summary.to_csv(partial / "summary.csv", index=False)

    def finish(folder: Path, final: Path) -> None:
        write_json(folder / "manifest.json", {**result.manifest, "folder": str(final)})

    final = store.publish(partial, dest, finish)
    result.path = final
    result.manifest["folder"] = str(final)
    return final


def load_sweep(folder: str | Path) -> SweepResult:
    """Read a sweep folder; a damaged one is a :class:`~sim.results.store.RunFolderError`
    naming the file."""
    folder = Path(folder)
    if not (folder / "manifest.json").is_file() and (folder / PLAN_FILE).is_file():
        raise store.RunFolderError(
            f"{folder}: an unfinished sweep; finish it with `landport sweep … --resume`"
        )
    man = store.read_manifest(folder)
    if man.get("kind") != "sweep":
        raise store.RunFolderError(f"{folder}: not a sweep folder (kind {man.get('kind')!r})")
    planned = man.get("points")
    if not isinstance(planned, list) or not all(
        isinstance(p, dict) and store.POINT_FOLDER.match(str(p.get("folder", ""))) for p in planned
    ):
        raise store.RunFolderError(
            f"{folder / 'manifest.json'}: points: expected a list of points, each with its "
            "folder points/<k>"
        )
    return SweepResult(
        points=store.read_table(folder, "points", ("point",)),
        kpis=store.read_table(folder, "kpis", ("point", "replication", "kpi", "value")),
        summary=store.read_table(folder, "summary", ("point", *SUMMARY_COLUMNS)),
        manifest=man,
        path=folder,
    )
