"""Running a scenario's replications into one result, and saving a result whole.

What a run, a comparison and a sweep share: turning a file or a :class:`Scenario` into a
validated scenario (:func:`as_scenario`), stacking replications into a :class:`RunResult`
with its manifest (:func:`assemble`), and writing a result into a folder that is checked and
reserved before anything is computed (:func:`saved`). :func:`run` is the plain run.

>>> import sim
>>> result = sim.run("scenarios/baseline.yaml", replications=2, save=False)  # doctest: +SKIP
>>> result.summary.head()                                                      # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses
import importlib
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, Protocol, TypeVar

import pandas as pd

from sim.experiment.backends import Progress, describe_backend, execute_iter, prepare
from sim.experiment.fingerprint import this_code
from sim.experiment.manifest import manifest, run_info
from sim.experiment.runner import ReplicationResult, describe, run_one
from sim.results import catalog
from sim.results.kpis import unit
from sim.results.run import RunResult, summarise, tidy_kpis
from sim.results.stacking import StackedTables, stacked
from sim.results.store import PendingFolder
from sim.scenario import Scenario, canonical, load_scenario, scenario_hash
from sim.scenario.load import apply_overrides, validate

DEFAULT_ROOT: Path | None = None
"""The results root when none is given: found from the working directory (``results/`` of
the landport project it is in, or ``LANDPORT_RESULTS``: :func:`sim.results.store.results_root`)."""
ScenarioLike = str | Path | Scenario
BYTES_PER_TEU = 300
"""Run-folder bytes per TEU simulated (every table): about 200 on the baseline, with margin."""
FOLDER_BYTES = 250_000
"""Run-folder bytes that do not grow with traffic: manifest, scenario, summaries, headers."""


def estimate_bytes(scn: Scenario, replications: int) -> int:
    """A generous estimate of the size of ``scn``'s run folder, to check the disk before
    simulating: TEU simulated (at the busiest month's rate, warm-up included) × bytes per TEU."""
    demand = scn.demand
    peak = max(demand.seasonality.values(), default=1.0)
    teu_per_day = demand.scale * peak * sum(f.teu_per_week for f in demand.flows.values()) / 7
    days = scn.horizon_h / 24 + scn.warmup_days
    return int(FOLDER_BYTES + replications * days * teu_per_day * BYTES_PER_TEU)


def as_scenario(scenario: ScenarioLike, overrides: Mapping[str, Any] | None = None) -> Scenario:
    """A validated scenario from a file path or an existing :class:`Scenario`."""
    if isinstance(scenario, Scenario):
        if overrides:
            data = canonical(scenario)
            prov: dict[tuple[str, ...], str] = {}
            apply_overrides(data, prov, overrides)
            return validate(data, prov, scenario.name)
        return scenario
    return load_scenario(scenario, overrides)


def file_of(scenario: ScenarioLike) -> str | None:
    """The file a scenario was given as, for manifests (None for a :class:`Scenario`)."""
    return None if isinstance(scenario, Scenario) else str(scenario)


def combine(results: Sequence[ReplicationResult], scenario: Scenario) -> dict[str, pd.DataFrame]:
    """Every replication's tables, stacked in replication order, with a leading
    ``replication`` column."""
    ordered = sorted(results, key=lambda r: r.replication)
    return stacked(scenario.start, [(r.replication, r.tables, r.series) for r in ordered])


def stacking(
    results: Iterable[tuple[int, ReplicationResult]], tables: StackedTables
) -> Iterator[ReplicationResult]:
    """Each result as it comes, its tables stacked into ``tables`` meanwhile; yielded
    without them (what a manifest and the KPIs need), so that the memory of its columns is
    free again for the next ones.

    The first one's KPI names are looked up in the KPI registry then (it keeps what it
    found), so that the summary and the printed table do not do it after the last one."""
    for i, (_, result) in enumerate(results):
        tables.add(result.replication, result.tables, result.series)
        if i == 0:
            for name in result.kpis:
                unit(name)
        yield dataclasses.replace(result, tables={}, series={})


def run(
    scenario: ScenarioLike,
    *,
    seed: int | None = None,
    replications: int | None = None,
    workers: int | None = None,
    dask_scheduler: str | None = None,
    out: str | Path | None = None,
    save: bool = True,
    root: str | Path | None = DEFAULT_ROOT,
    overrides: Mapping[str, Any] | None = None,
    progress: Progress | None = None,
    register: bool = True,
) -> RunResult:
    """Run a scenario over its replications and return (and by default save) the results.

    ``seed`` and ``replications`` default to the scenario's. Replication ``r`` draws from
    streams derived from (seed, r), so the results do not depend on ``workers`` or on
    ``dask_scheduler``. With ``save``, the run is written to ``out`` (which must not exist) or
    to a new folder under ``root`` (by default ``results/`` of the project the working
    directory is in, found from any folder inside it, or ``LANDPORT_RESULTS``) and, with
    ``register``, entered in the catalogue (``<root>/catalog.duckdb``; a catalogue that cannot
    be written only gives a warning).

    The folder is checked before anything is simulated (a sane, writable name with room for
    an estimate of the output: :func:`estimate_bytes`) and written whole at the end; if its
    name was taken meanwhile (another run that started in the same second, or a folder made
    at ``out``), the next free name (``<name>-2``, …) is taken: ``result.path`` tells which.
    """
    if replications is not None:
        prepare(workers, dask_scheduler, replications)  # its workers start as the file is read
    scn = as_scenario(scenario, overrides)
    reps = scn.replications if replications is None else replications
    if reps < 1:
        raise ValueError(f"replications must be >= 1, got {reps}")
    seed = scn.seed if seed is None else seed

    def compute() -> RunResult:
        started = time.perf_counter()
        results, tables = replicate(
            scn, reps, seed, workers=workers, dask_scheduler=dask_scheduler, progress=progress
        )
        return assemble(
            scn,
            results,
            seed=seed,
            scenario_file=file_of(scenario),
            overrides=overrides,
            wall_s=time.perf_counter() - started,
            backend=describe_backend(workers, dask_scheduler),
            tables=tables.frames(),
        )

    if not save:
        return compute()
    return saved(compute, out, root, scn.name, estimate_bytes(scn, reps), register)


def replicate(
    scn: Scenario,
    reps: int,
    seed: int,
    *,
    workers: int | None = None,
    dask_scheduler: str | None = None,
    progress: Progress | None = None,
) -> tuple[list[ReplicationResult], StackedTables]:
    """Replications ``0 … reps − 1`` of ``scn``: their results (without their tables) and
    their tables, stacked as the results came in (:func:`stacking`). On workers, the modules
    needed afterwards are imported meanwhile (:data:`AFTER_TASKS`)."""
    parallel = describe_backend(workers, dask_scheduler) != "serial"
    tables = StackedTables(scn.start, range(reps))
    with imported_meanwhile(AFTER_TASKS if parallel else ()):
        done = execute_iter(
            run_one,
            [(scn, r, seed) for r in range(reps)],
            workers=workers,
            dask_scheduler=dask_scheduler,
            progress=progress,
        )
        results = list(stacking(done, tables))
    return results, tables


AFTER_TASKS = ("scipy.special", "duckdb", "pyarrow.parquet", "pyarrow.dataset")
"""Modules a run first needs once its replications are in (the summary's Student-t quantiles,
the catalogue, Parquet files written and read), and that nothing imports before."""


@contextmanager
def imported_meanwhile(modules: Sequence[str]) -> Iterator[None]:
    """Import ``modules`` in a thread while the block runs — while this process only waits
    for its workers — and wait for them after it, whatever ended it. A module that fails to
    import is left for the code that needs it to report.

    Waited for after an error or Ctrl-C too (a fraction of a second): a thread left importing
    while the interpreter shuts down can hold the import lock its shutdown needs, and the
    process would then never exit."""

    def load() -> None:
        for name in modules:
            with suppress(ImportError):
                importlib.import_module(name)

    thread = threading.Thread(target=load, name="landport-imports", daemon=True)
    if modules:
        thread.start()
    try:
        yield
    finally:
        if modules:
            thread.join()


class Saveable(Protocol):
    """A result that writes itself into a reserved folder (a run, a comparison)."""

    path: Path | None

    def save(self, dest: PendingFolder) -> Path: ...


R = TypeVar("R", bound=Saveable)


def saved(
    compute: Callable[[], R],
    out: str | Path | None,
    root: str | Path | None,
    stem: str,
    need_bytes: int,
    register: bool,
) -> R:
    """``compute()``'s result written whole into ``out`` or a new ``<root>/<stem>-<time>``,
    and with ``register`` catalogued. The folder is reserved and the disk checked *before*
    computing; the name is claimed at the end (the next free one if it was taken)."""
    with PendingFolder.reserve(out, root=root, stem=stem, need_bytes=need_bytes) as pending:
        result = compute()
        result.save(pending)
    if result.path is not None and register:
        catalog.try_register(result.path, root)
    return result


def assemble(
    scn: Scenario,
    results: Sequence[ReplicationResult],
    *,
    seed: int,
    scenario_file: str | None,
    overrides: Mapping[str, Any] | None,
    wall_s: float,
    backend: str,
    tables: dict[str, pd.DataFrame] | None = None,
    **extra: Any,
) -> RunResult:
    """The :class:`RunResult` of one scenario's replications (tables, KPIs, manifest).

    ``tables``: the replications' tables stacked already (:class:`StackedTables`, as they
    came in); by default they are stacked from ``results``.

    The manifest's ``code_fingerprint`` is this process's: every replication ran here or on a
    worker that verified it has the same code (:func:`sim.experiment.backends.verify`).
    """
    results = sorted(results, key=lambda r: r.replication)
    if tables is None:
        tables = combine(results, scn)
    kpis = tidy_kpis({r.replication: r.kpis for r in results})
    info = run_info(scn)
    man = manifest(
        kind="run",
        run_id=catalog.new_run_id(),
        scenario=scn.name,
        scenario_file=scenario_file,
        scenario_hash=scenario_hash(scn),
        scenario_resolved=canonical(scn),
        seed=seed,
        replications=len(results),
        overrides=dict(overrides or {}),
        wall_s=round(wall_s, 3),
        events=int(sum(r.events for r in results)),
        backend=backend,
        code_fingerprint=this_code().fingerprint,
        replication_runs=[describe(r) for r in results],
        **extra,
        run_info=info.to_json(),
    )
    return RunResult(canonical(scn), man, kpis, summarise(kpis), info, None, tables)
