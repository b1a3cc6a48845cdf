"""Sweeps: one scenario run at every point of a design, resumable, in one folder.

:func:`sweep` plans the points (:mod:`sim.experiment.design`: a grid of levers or a list of
points, each validated before anything runs), opens its work folder
(:mod:`sim.experiment.workspace`: resumable after an interruption) and hands every
replication of every point to the workers as one batch. Each point is written as an
ordinary run folder as soon as its replications are in; when all are, the sweep's tidy
tables are written and the folder appears under its name.

A finished sweep folder holds ``points.parquet``/``.csv`` (point + one column per lever),
``kpis.parquet`` (point, replication, kpi, value + levers), ``summary.parquet``/``.csv``
(point, levers, kpi, unit, mean, half_width, low, high, n), ``manifest.json``, ``sweep.json``
and ``points/``. An analysis of the sweep (a sensitivity analysis, say) may add tables of its
own, computed from the finished sweep and written with it (``analysis``), and facts to its
manifest (``about``); the manifest lists such tables under ``extra_tables``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Generator, Mapping, Sequence
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.experiment.backends import Progress, describe_backend, execute_iter
from sim.experiment.design import Levers, SweepPlan, plan_sweep
from sim.experiment.manifest import load_run_folder, manifest
from sim.experiment.progress import notebook_progress
from sim.experiment.runner import ReplicationResult, run_one
from sim.experiment.runs import DEFAULT_ROOT, ScenarioLike, assemble
from sim.experiment.workspace import (
    Workspace,
    is_unfinished,
    need_bytes,
    open_workspace,
    plan_record,
)
from sim.results import catalog, store
from sim.results.comparison import COLUMNS, comparison_table
from sim.results.kpis import unit
from sim.results.run import SUMMARY_COLUMNS, RunResult, Tables
from sim.results.stats import ratio_interval

Analysis = Callable[["SweepResult"], Mapping[str, pd.DataFrame]]
"""Tables computed from a finished sweep, written into its folder with its own tables."""


class SweepInterrupted(KeyboardInterrupt):
    """A sweep was interrupted; its finished points are kept for ``resume``."""

    def __init__(self, folder: Path | None, done: int, total: int) -> None:
        super().__init__(f"sweep interrupted with {done} of {total} points done")
        self.folder, self.done, self.total = folder, done, total


@dataclass
class SweepResult(Tables):
    """A sweep's tidy tables; each point's full run is :meth:`run` (read on demand)."""

    points: pd.DataFrame
    kpis: pd.DataFrame
    summary: pd.DataFrame
    manifest: dict[str, Any]
    path: Path | None = None
    _runs: dict[int, RunResult] = field(default_factory=dict, repr=False)
    extras: dict[str, pd.DataFrame] = field(default_factory=dict)
    """Tables of an analysis of the sweep (``sensitivity`` …), by name."""

    def _repr_html_(self) -> str:
        """What a notebook shows for the result: its facts and headline KPIs, not its
        tables (see :func:`sim.results.notebook.result_html`)."""
        from sim.results.notebook import result_html

        return result_html(self)

    @property
    def levers(self) -> list[str]:
        return [str(c) for c in self.points.columns if c != "point"]

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

    def to_excel(self, path: str | Path | None = None, *, lang: str = "en") -> Path:
        """Write the sweep's workbook (:mod:`sim.results.excel`): the key KPIs at every point,
        every KPI's summary and every replication; by default ``results.xlsx`` in its folder;
        ``lang="zh"`` writes its words in Simplified Chinese."""
        from sim.results.excel import write_workbook

        return write_workbook(self, path, lang=lang)

    def point_of(self, reference: int | Mapping[str, Any]) -> int:
        """The point number of ``reference``: a point number, or the value of every lever
        (``{"tariffs.discount.nanning": 0.3, …}``; levers left out may take any value, but
        exactly one point must match)."""
        if not isinstance(reference, Mapping):
            k = int(reference)
            if k not in set(self.points["point"].astype(int)):
                raise KeyError(f"no point {k} in this sweep")
            return k
        unknown = [lv for lv in reference if lv not in self.levers]
        if unknown:
            raise KeyError(f"levers not in the sweep: {unknown}; levers: {self.levers}")
        hit = pd.Series(True, index=self.points.index)
        for lv, value in reference.items():
            column = self.points[lv]
            if pd.api.types.is_numeric_dtype(column):
                hit &= np.isclose(column.to_numpy(dtype=float), float(value))
            else:
                hit &= column.astype(str) == str(value)
        found = self.points.loc[hit, "point"].astype(int).tolist()
        if len(found) != 1:
            raise KeyError(f"{len(found)} points match {dict(reference)}; exactly one must")
        return found[0]

    def differences(
        self,
        reference: int | Mapping[str, Any] = 0,
        kpis: str | Sequence[str] | None = None,
        *,
        confidence: float = 0.95,
    ) -> pd.DataFrame:
        """Every point against ``reference``, KPI by KPI, replication by replication.

        The points of a sweep run the same replications with the same seed (common random
        numbers), so a point's difference from the reference is measured pair by pair, as
        ``sim.compare`` measures B − A: one row per point and KPI with ``point``, the lever
        columns, then the columns of :data:`~sim.results.comparison.COLUMNS` (``a_*`` the
        reference, ``b_*`` the point, ``diff_*`` the paired difference point − reference with
        its interval, ``independent_half_width`` the interval unpaired means would give).
        ``reference`` is a point number or the values of its levers (see :meth:`point_of`);
        ``kpis`` limits the rows to those KPIs. The reference's own rows differ by 0.
        """
        names = self._kpi_names(kpis)
        ref = self.point_of(reference)
        kpis_of = {int(g["point"].iloc[0]): g for _, g in self.kpis.groupby("point", sort=True)}
        parts = []
        for k in self.points["point"].astype(int):
            table = comparison_table(kpis_of[ref], kpis_of[k], confidence)
            parts.append(table.loc[table["kpi"].isin(names)].assign(point=k))
        out = pd.concat(parts, ignore_index=True).merge(self.points, on="point", how="left")
        out = out[["point", *self.levers, *COLUMNS]]
        out.attrs["reference"] = ref
        return out

    def marginal(
        self,
        numerator: str,
        denominator: str,
        reference: int | Mapping[str, Any] = 0,
        *,
        confidence: float = 0.95,
    ) -> pd.DataFrame:
        """What one more unit of ``denominator`` costs in ``numerator`` at every point,
        against ``reference``: the paired change of ``numerator`` over the paired change of
        ``denominator`` (public money per extra TEU: ``marginal("cost.public_cny",
        "teu.total", reference=…)``).

        Shaped like :attr:`summary` (``point``, levers, ``kpi, unit, mean, half_width, low,
        high, n``), so :func:`~sim.results.plots.sweep_response` draws it; ``kpi`` is
        ``"<numerator> per <denominator>"`` and ``unit`` is theirs (``CNY/TEU``). The interval
        is the ratio estimator's (:func:`~sim.results.stats.ratio_interval`): unbounded
        (±∞) where the change of ``denominator`` is not significant; the reference's own
        row is NaN.
        """
        names = self._kpi_names([numerator, denominator])
        ref = self.point_of(reference)
        wide = self.kpis.pivot_table(
            index="replication", columns=["point", "kpi"], values="value", dropna=False
        )
        base = wide[ref]
        rows = []
        for k in self.points["point"].astype(int):
            here = wide[k]
            ci = ratio_interval(
                here[names[0]] - base[names[0]], here[names[1]] - base[names[1]], confidence
            )
            rows.append((k, ci.mean, ci.half_width, ci.low, ci.high, ci.n))
        out = pd.DataFrame(rows, columns=["point", "mean", "half_width", "low", "high", "n"])
        out["kpi"] = f"{numerator} per {denominator}"
        out["unit"] = f"{unit(numerator)}/{unit(denominator)}"
        out = out.merge(self.points, on="point", how="left")
        out.attrs["reference"] = ref
        return out[["point", *self.levers, *SUMMARY_COLUMNS]]

    def _kpi_names(self, kpis: str | Sequence[str] | None) -> list[str]:
        present = list(dict.fromkeys(self.kpis["kpi"].astype(str)))
        if kpis is None:
            return present
        names = [kpis] if isinstance(kpis, str) else list(kpis)
        unknown = [k for k in names if k not in set(present)]
        if unknown:
            raise KeyError(f"KPIs not in the sweep: {unknown}")
        return names

    def point_means(self) -> list[tuple[int, str, dict[str, float]]]:
        """(point, its levers as ``path=value`` text, KPI name → mean) for every point."""
        out = []
        for k, rows in self.summary.groupby("point", sort=True):
            lev = self.points.loc[self.points["point"] == k].iloc[0]
            label = ", ".join(f"{lv}={lev[lv]}" for lv in self.levers)
            point = int(rows["point"].iloc[0])
            out.append((point, label, dict(zip(rows["kpi"], rows["mean"], strict=True))))
        return out


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
    root: str | Path | None = DEFAULT_ROOT,
    resume: bool = False,
    register: bool = True,
    progress: Progress | None = None,
    analysis: Analysis | None = None,
    about: Mapping[str, Any] | None = None,
    stem: str | None = None,
) -> SweepResult:
    """Run ``scenario`` at every point of the sweep and return its tidy tables.

    ``levers``: a grid ``{"customs.import.officers": [4, 6, 8]}`` or a list of points; they
    add to (and replace same-named levers of) the file's ``sweep:`` block. ``overrides`` apply
    to every point. ``seed``/``replications`` default to each point's scenario. With ``save``
    the sweep is written to ``out`` or a new folder under ``root``; with ``resume`` an
    unfinished sweep of the same plan is continued (see :mod:`sim.experiment.workspace`).
    ``analysis`` computes further tables from the finished sweep, written with it; ``about``
    adds facts to its manifest; ``stem`` names its folder (``<stem>-<time>``; default
    ``<scenario>-sweep``). ``progress`` is called as replications finish; in a notebook,
    without one, a progress bar is drawn in the cell (:mod:`sim.experiment.progress`).
    """
    plan = plan_sweep(scenario, levers, overrides=overrides, seed=seed, replications=replications)
    if progress is None:  # in a notebook, a bar in the cell
        progress = notebook_progress(f"{plan.name}: {len(plan.points)} points")
    if stem is not None:
        plan.name = stem
    record = plan_record(plan)
    ws: Workspace | None = None
    try:
        ws = open_workspace(plan, record, out, store.results_root(root), resume) if save else None
        if ws is not None and ws.finished:  # resume of a sweep that had already finished
            return load_sweep(ws.dest)
        return _run_sweep(
            plan,
            record,
            ws,
            workers,
            dask_scheduler,
            progress,
            root,
            register,
            analysis,
            dict(about or {}),
        )
    except SweepInterrupted:
        raise
    except KeyboardInterrupt:  # before the first point ran: what is there is kept
        if ws is None:
            raise SweepInterrupted(None, 0, len(plan.points)) from None
        raise SweepInterrupted(ws.partial, ws.points_in(), len(plan.points)) from None
    finally:
        if ws is not None:
            ws.release()


def _run_sweep(
    plan: SweepPlan,
    record: dict[str, Any],
    ws: Workspace | None,
    workers: int | None,
    dask_scheduler: str | None,
    progress: Progress | None,
    root: str | Path | None,
    register: bool,
    analysis: Analysis | None = None,
    about: dict[str, Any] | None = None,
) -> SweepResult:
    n = len(plan.points)
    points = plan.points_frame()
    done = ws.finished_points(record) if ws is not None else {}
    pending = [k for k in range(n) if k not in done]
    if ws is not None and ws.resumed:  # a new sweep's disk was checked when it was created
        store.check_space(ws.partial, need_bytes(plan, pending), f"the {len(pending)} points left")

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
                    runs[k] = _finish_point(plan, record, k, buckets.pop(k), ws, backend)
    except KeyboardInterrupt:
        raise SweepInterrupted(ws.partial if ws else None, len(runs), n) from None
    except store.RunFolderError as exc:
        raise (ws.kept(exc, len(runs), n) if ws else exc) from None
    wall_s = time.perf_counter() - started

    kpis = tidy_kpis({k: r.kpis for k, r in runs.items()}, points)
    summary = tidy_summary({k: r.summary for k, r in runs.items()}, points)
    man = manifest(
        kind="sweep",
        run_id=catalog.new_run_id(),
        scenario=plan.scenarios[0].name,
        scenario_file=plan.scenario_file,
        spec_hash=record["spec_hash"],
        seed=plan.seed if plan.seed is not None else plan.scenarios[0].seed,
        replications=plan.replications_of(0),
        levers=plan.levers,
        points=record["points"],
        points_run=len(pending),
        points_reused=len(done),
        resumed=ws is not None and ws.resumed,
        overrides=record["overrides"],
        wall_s=round(wall_s, 3),
        events=events,
        backend=backend,
        **(about or {}),
    )
    result = SweepResult(points, kpis, summary, man, None, {} if ws else runs)
    if analysis is not None:
        result.extras = dict(analysis(result))
        man["extra_tables"] = list(result.extras)
    if ws is not None:
        tables = {"points": points, "kpis": kpis, "summary": summary, **result.extras}
        try:
            final = ws.complete(tables, ("points", "summary", *result.extras), man)
        except KeyboardInterrupt:
            raise SweepInterrupted(ws.partial, n, n) from None
        except store.RunFolderError as exc:
            raise ws.kept(exc, n, n) from None
        result.path = final
        result.manifest["folder"] = str(final)
        if register:
            catalog.try_register(final, root)
    return result


def _results(
    fn: Callable[..., ReplicationResult], tasks: list[tuple[Any, ...]], **how: Any
) -> Generator[tuple[int, ReplicationResult], None, None]:
    """The backend's results as a generator, so it can always be closed (an empty batch —
    every point already done — comes back from the backend as a plain iterator)."""
    yield from execute_iter(fn, tasks, **how)


def _finish_point(
    plan: SweepPlan,
    record: dict[str, Any],
    k: int,
    results: list[ReplicationResult],
    ws: Workspace | None,
    backend: str,
) -> RunResult:
    entry = record["points"][k]
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
    if ws is None:
        return run
    run.save(ws.partial / entry["folder"])
    # Keep only the small tables in memory; a point's containers are read back on demand.
    return RunResult(run.scenario, run.manifest, run.kpis, run.summary, run.info, run.path)


def load_sweep(folder: str | Path) -> SweepResult:
    """Read a sweep folder; a damaged one is a :class:`~sim.results.store.RunFolderError`
    naming the file."""
    folder = Path(folder)
    if is_unfinished(folder):
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
    extra = man.get("extra_tables") or []
    if not isinstance(extra, list) or not all(
        isinstance(t, str) and store.safe_stem(t) == t for t in extra
    ):
        raise store.RunFolderError(
            f"{folder / 'manifest.json'}: extra_tables: expected a list of table names"
        )
    return SweepResult(
        points=store.read_table(folder, "points", ("point",)),
        kpis=store.read_table(folder, "kpis", ("point", "replication", "kpi", "value")),
        summary=store.read_table(folder, "summary", ("point", *SUMMARY_COLUMNS)),
        manifest=man,
        path=folder,
        extras={name: store.read_table(folder, name, ()) for name in extra},
    )
