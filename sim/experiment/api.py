"""The Python API that the command line and notebooks share: ``run`` and ``load``.

>>> import sim
>>> result = sim.run("scenarios/baseline.yaml", replications=2, save=False)  # doctest: +SKIP
>>> result.summary.head()                                                      # doctest: +SKIP
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from sim.experiment.backends import Progress, describe_backend, execute
from sim.experiment.fingerprint import this_code
from sim.experiment.manifest import manifest
from sim.experiment.runner import ReplicationResult, describe, run_one
from sim.results import catalog
from sim.results.run import RunResult, load_run, summarise, tidy_kpis
from sim.results.store import unique_folder
from sim.results.tables import frame, stack, stacked_queue_frame
from sim.scenario import Scenario, canonical, load_scenario, scenario_hash

DEFAULT_ROOT = Path("results")
ScenarioLike = str | Path | Scenario


def as_scenario(scenario: ScenarioLike, overrides: Mapping[str, Any] | None = None) -> Scenario:
    """A validated scenario from a file path or an existing :class:`Scenario`."""
    if isinstance(scenario, Scenario):
        if overrides:
            from sim.scenario.load import apply_overrides, validate

            data = canonical(scenario)
            prov: dict[tuple[str, ...], str] = {}
            apply_overrides(data, prov, overrides)
            return validate(data, prov, scenario.name)
        return scenario
    return load_scenario(scenario, overrides)


def combine(results: Sequence[ReplicationResult], scenario: Scenario) -> dict[str, pd.DataFrame]:
    """Every replication's tables, stacked, with a leading ``replication`` column."""
    parts = [(r.replication, r) for r in results]
    names = list(results[0].tables) if results else []
    out = {
        name: frame(stack([(rep, r.tables[name]) for rep, r in parts]), scenario.start)
        for name in names
    }
    out["queues"] = stacked_queue_frame([(rep, r.series) for rep, r in parts], scenario.start)
    return out


def run(
    scenario: ScenarioLike,
    *,
    seed: int | None = None,
    replications: int | None = None,
    workers: int | None = None,
    dask_scheduler: str | None = None,
    out: str | Path | None = None,
    save: bool = True,
    root: str | Path = DEFAULT_ROOT,
    overrides: Mapping[str, Any] | None = None,
    progress: Progress | None = None,
    register: bool = True,
) -> RunResult:
    """Run a scenario over its replications and return (and by default save) the results.

    ``seed`` and ``replications`` default to the scenario's. Replication ``r`` draws from
    streams derived from (seed, r), so the results do not depend on ``workers`` or on
    ``dask_scheduler``. With ``save``, the run is written to ``out`` (which must not exist) or
    to a new folder under ``root`` and, with ``register``, entered in the catalogue
    (``<root>/catalog.duckdb``; a catalogue that cannot be written only gives a warning).
    """
    scn = as_scenario(scenario, overrides)
    reps = scn.replications if replications is None else replications
    if reps < 1:
        raise ValueError(f"replications must be >= 1, got {reps}")
    seed = scn.seed if seed is None else seed
    dest = None
    if save:
        dest = Path(out) if out is not None else unique_folder(Path(root), scn.name)
        if dest.exists():
            raise FileExistsError(f"{dest}: already exists; a run folder is never overwritten")
    started = time.perf_counter()
    results = execute(
        run_one,
        [(scn, r, seed) for r in range(reps)],
        workers=workers,
        dask_scheduler=dask_scheduler,
        progress=progress,
    )
    result = assemble(
        scn,
        results,
        seed=seed,
        scenario_file=str(scenario) if not isinstance(scenario, Scenario) else None,
        overrides=overrides,
        wall_s=time.perf_counter() - started,
        backend=describe_backend(workers, dask_scheduler),
    )
    if dest is not None:
        result.save(dest)
        if register:
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
    **extra: Any,
) -> RunResult:
    """The :class:`RunResult` of one scenario's replications (tables, KPIs, manifest).

    The manifest's ``code_fingerprint`` is this process's: every replication ran here or on a
    worker that verified it has the same code (:func:`sim.experiment.backends.verify`).
    """
    results = sorted(results, key=lambda r: r.replication)
    tables = combine(results, scn)
    kpis = tidy_kpis({r.replication: r.kpis for r in results})
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
    )
    return RunResult(canonical(scn), man, kpis, summarise(kpis), None, tables)


def load(path_or_id: str | Path, *, root: str | Path = DEFAULT_ROOT) -> Any:
    """Load a run, comparison or sweep folder, given its path or its catalogue id.

    Returns a :class:`RunResult`, a ``CompareResult`` or a ``SweepResult`` by the folder's kind.
    """
    folder = catalog.resolve(path_or_id, root)
    kind = load_kind(folder)
    if kind == "compare":
        from sim.experiment.compare import load_compare  # compare imports this module

        return load_compare(folder)
    if kind == "sweep":
        from sim.experiment.sweep import load_sweep

        return load_sweep(folder)
    return load_run(folder)


def load_kind(folder: Path) -> str:
    """``run``, ``compare`` or ``sweep``, from the folder's manifest."""
    path = Path(folder) / "manifest.json"
    if not path.is_file():
        return "run"  # load_run names the missing file
    return str(json.loads(path.read_text(encoding="utf-8")).get("kind", "run"))
