"""Comparing two scenarios fairly: common random numbers and paired confidence intervals.

``compare(a, b)`` runs both scenarios over the same replications with the same seed, so
replication ``r`` of A and replication ``r`` of B draw the same random numbers wherever they
share a source (the same arrivals, review times, run times …): a difference between them is
the effect of the change, not of luck. For every KPI the table gives A and B with their 95 %
Student-t intervals, the paired difference B − A over replications with its interval, whether
that interval excludes zero (``significant``), the half-width the difference would have had
with independent seeds (Welch's interval of the same samples, ``independent_half_width``), and
how much pairing narrowed the interval (``narrowing = 1 − diff_half_width /
independent_half_width``; 0.6 means the paired interval is 60 % narrower).

B runs with A's seed (or the ``seed`` given), whatever seed B's own file names.

When B has disruptions, the comparison also measures recovery from each of them, per
corridor and pair of replications, against A as the undisrupted run (the ``recovery.*`` KPI
families, :mod:`sim.results.kpis.recovery`): TEU delayed, extra hours per delayed TEU, peak
backlog, time to recover, trains held and cancelled, sailings cancelled, TEU turned away and
what it cost. ``recovery`` holds them per replication, ``recovery_summary`` their means with
95 % intervals.

A comparison folder holds ``a/`` and ``b/`` (two ordinary run folders), ``comparison.parquet``
and ``comparison.csv`` (the table), with disruptions ``recovery.parquet`` (per replication)
and ``recovery.csv`` (summary), and ``manifest.json``; like a run folder it is written whole
or not at all.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from sim.engine import Streams
from sim.experiment.backends import Progress, describe_backend, execute
from sim.experiment.manifest import load_run_folder, manifest
from sim.experiment.runner import ReplicationResult, run_one
from sim.experiment.runs import (
    DEFAULT_ROOT,
    ScenarioLike,
    as_scenario,
    assemble,
    estimate_bytes,
    file_of,
    saved,
)
from sim.model.disruptions import occurrences
from sim.results import catalog, store
from sim.results.atomic import write_json
from sim.results.comparison import COLUMNS as COLUMNS
from sim.results.comparison import comparison_table
from sim.results.kpis import KPIS
from sim.results.kpis.recovery import Arm, RecoveryInputs, Settings, spans
from sim.results.run import RunResult, summarise, tidy_kpis
from sim.results.tables import frame
from sim.scenario import Scenario, scenario_hash


@dataclass
class CompareResult:
    """Two runs of the same replications and seed, and their KPI comparison."""

    a: RunResult
    b: RunResult
    table: pd.DataFrame
    manifest: dict[str, Any]
    path: Path | None = None
    recovery: pd.DataFrame | None = None
    """Recovery KPIs per replication (replication, kpi, value) when B has disruptions."""
    windows: pd.DataFrame | None = None
    """B's disruption windows per replication (replication, disruption, kind, start_h, end_h,
    factor) when B has disruptions."""

    def _repr_html_(self) -> str:
        """What a notebook shows for the result: its facts and headline KPIs, not its
        tables (see :func:`sim.results.notebook.result_html`)."""
        from sim.results.notebook import result_html

        return result_html(self)

    @property
    def recovery_summary(self) -> pd.DataFrame | None:
        """Recovery KPIs: mean, 95 % interval and n over replications (None: no
        disruptions in B)."""
        return None if self.recovery is None else summarise(self.recovery)

    def row(self, kpi: str) -> pd.Series:
        """The comparison row of one KPI."""
        rows = self.table.loc[self.table["kpi"] == kpi]
        if rows.empty:
            raise KeyError(f"no KPI {kpi!r}; see .table['kpi'] for the names")
        return rows.iloc[0]

    def differences(self) -> pd.DataFrame:
        """Per replication and KPI: a, b and diff = b − a (tidy)."""
        merged = self.a.kpis.merge(
            self.b.kpis, on=["replication", "kpi"], how="outer", suffixes=("_a", "_b")
        ).rename(columns={"value_a": "a", "value_b": "b"})
        merged["diff"] = merged["b"] - merged["a"]
        return merged

    def to_excel(self, path: str | Path | None = None, *, lang: str = "en") -> Path:
        """Write the comparison's workbook (:mod:`sim.results.excel`): the comparison table
        and each arm's summary and replications; by default ``results.xlsx`` in its folder;
        ``lang="zh"`` writes its words in Simplified Chinese."""
        from sim.results.excel import write_workbook

        return write_workbook(self, path, lang=lang)

    def save(self, dest: str | Path | store.PendingFolder) -> Path:
        """Write the comparison folder at ``dest`` (which must not exist), or into a folder
        reserved with :meth:`~sim.results.store.PendingFolder.reserve`."""

        def fill(tmp: Path) -> None:
            for arm, run in (("a", self.a), ("b", self.b)):
                run.save(tmp / arm)
            self.table.to_parquet(tmp / "comparison.parquet", index=False)
            self.table.to_csv(tmp / "comparison.csv", index=False)
            summary = self.recovery_summary
            if self.recovery is not None and summary is not None:
                self.recovery.to_parquet(tmp / "recovery.parquet", index=False)
                summary.to_csv(tmp / "recovery.csv", index=False)
            if self.windows is not None:
                self.windows.to_parquet(tmp / "disruption_windows.parquet", index=False)

        def finish(tmp: Path, final: Path) -> None:
            for arm, run in (("a", self.a), ("b", self.b)):
                run.manifest["folder"] = str(final / arm)
                write_json(tmp / arm / "manifest.json", run.manifest)
            write_json(tmp / "manifest.json", {**self.manifest, "folder": str(final)})

        self.path = store.write_folder(dest, fill, finish)
        self.a.path, self.b.path = self.path / "a", self.path / "b"
        self.manifest["folder"] = str(self.path)
        return self.path


def compare(
    a: ScenarioLike,
    b: ScenarioLike,
    *,
    replications: int | None = None,
    seed: int | None = None,
    workers: int | None = None,
    dask_scheduler: str | None = None,
    save: bool = True,
    out: str | Path | None = None,
    root: str | Path | None = DEFAULT_ROOT,
    overrides: Mapping[str, Any] | None = None,
    progress: Progress | None = None,
    register: bool = True,
) -> CompareResult:
    """Run scenarios A and B with common random numbers and compare every KPI.

    ``replications`` and ``seed`` default to A's; both scenarios run with that seed.
    ``overrides`` (dotted paths) apply to both. Both scenarios are validated before anything
    runs; their replications go to the workers as one batch of tasks.
    """
    sa, sb = as_scenario(a, overrides), as_scenario(b, overrides)
    reps = sa.replications if replications is None else replications
    if reps < 1:
        raise ValueError(f"replications must be >= 1, got {reps}")
    seed = sa.seed if seed is None else seed

    def compute() -> CompareResult:
        return _compare(a, b, sa, sb, reps, seed, workers, dask_scheduler, overrides, progress)

    if not save:
        return compute()
    need = estimate_bytes(sa, reps) + estimate_bytes(sb, reps)
    return saved(compute, out, root, f"compare-{sa.name}-vs-{sb.name}", need, register)


def _compare(
    a: ScenarioLike,
    b: ScenarioLike,
    sa: Scenario,
    sb: Scenario,
    reps: int,
    seed: int,
    workers: int | None,
    dask_scheduler: str | None,
    overrides: Mapping[str, Any] | None,
    progress: Progress | None,
) -> CompareResult:
    started = time.perf_counter()
    tasks = [(s, r, seed) for r in range(reps) for s in (sa, sb)]  # A and B of a pair together
    results = execute(
        run_one, tasks, workers=workers, dask_scheduler=dask_scheduler, progress=progress
    )
    wall_s = time.perf_counter() - started
    backend = describe_backend(workers, dask_scheduler)
    runs = []
    for arm, scn, source in (("a", sa, a), ("b", sb, b)):
        mine = results[0::2] if arm == "a" else results[1::2]
        runs.append(
            assemble(
                scn,
                mine,
                seed=seed,
                scenario_file=file_of(source),
                overrides=overrides,
                wall_s=wall_s,
                backend=backend,
                arm=arm,
            )
        )
    ra, rb = runs
    man = manifest(
        kind="compare",
        run_id=catalog.new_run_id(),
        scenario=f"{sa.name} vs {sb.name}",
        scenario_file=f"{file_of(a)} vs {file_of(b)}",
        a={"scenario": sa.name, "scenario_file": file_of(a), "scenario_hash": scenario_hash(sa)},
        b={"scenario": sb.name, "scenario_file": file_of(b), "scenario_hash": scenario_hash(sb)},
        seed=seed,
        replications=reps,
        common_random_numbers=True,
        overrides=dict(overrides or {}),
        wall_s=round(wall_s, 3),
        events=int(sum(r.events for r in results)),
        backend=backend,
    )
    recovery = windows = None
    if sb.disruptions:
        recovery, windows = recovery_table(sb, results[0::2], results[1::2], seed)
    return CompareResult(
        ra, rb, comparison_table(ra.kpis, rb.kpis), man, recovery=recovery, windows=windows
    )


WINDOW_COLUMNS = ("replication", "disruption", "kind", "start_h", "end_h", "factor")


def recovery_table(
    sb: Scenario, a: list[ReplicationResult], b: list[ReplicationResult], seed: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Recovery KPIs of B's disruptions, pair by pair, against A's replications (tidy), and
    the windows of B's disruptions in each replication."""
    r = sb.recovery
    settings = Settings(
        band_teu=r.band_teu,
        band_share=r.band_share,
        hold_h=r.hold_h,
        delay_tolerance_h=r.delay_tolerance_h,
        storage_cny_per_teu_day=r.storage_cny_per_teu_day,
        demurrage_cny_per_teu_day=r.demurrage_cny_per_teu_day,
        lost_margin_cny_per_teu=r.lost_margin_cny_per_teu,
    )
    sailing = {
        overseas: port.corridor for port in sb.sea_ports.values() for overseas in port.services
    }
    names = [d.key for d in sb.disruptions]
    per_rep: dict[int, dict[str, float]] = {}
    rows = []
    for ra, rb in zip(a, b, strict=True):
        windows = occurrences(sb, Streams(seed, rb.replication))
        rows += [(rb.replication, o.name, o.kind, o.start_h, o.end_h, o.factor) for o in windows]
        per_rep[rb.replication] = KPIS.compute_paired(
            RecoveryInputs(
                a=_arm(ra),
                b=_arm(rb),
                spans=spans(((o.name, o.start_h, o.end_h) for o in windows), names),
                corridors=[c for c, spec in sb.corridors.items() if spec.enabled],
                horizon_h=sb.horizon_h,
                settings=settings,
                corridor_of_sailing=sailing,
            )
        )
    return tidy_kpis(per_rep), pd.DataFrame(rows, columns=list(WINDOW_COLUMNS))


def _arm(result: ReplicationResult) -> Arm:
    t = result.tables
    return Arm(
        frame(t["containers"]), frame(t["shipments"]), frame(t["trains"]), frame(t["vessels"])
    )


def load_compare(folder: str | Path) -> CompareResult:
    """Read a comparison folder written by :meth:`CompareResult.save`."""
    folder = Path(folder)
    man = store.read_json(folder / "manifest.json")
    if man.get("kind") != "compare":
        raise store.RunFolderError(f"{folder}: not a comparison folder (kind {man.get('kind')!r})")
    table = store.read_table(folder, "comparison")
    a, b = load_run_folder(folder / "a"), load_run_folder(folder / "b")
    recovery = windows = None
    if (folder / "recovery.parquet").is_file():
        recovery = store.read_table(folder, "recovery", store.KPI_COLUMNS)
        windows = store.read_table(folder, "disruption_windows", WINDOW_COLUMNS)
    return CompareResult(a, b, table, man, folder, recovery=recovery, windows=windows)
