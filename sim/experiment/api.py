"""The Python API that the command line and notebooks share: ``run`` and ``load``.

>>> import sim
>>> result = sim.run("scenarios/baseline.yaml", replications=2, save=False)  # doctest: +SKIP
>>> result.summary.head()                                                      # doctest: +SKIP
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from sim.experiment.backends import Progress, execute
from sim.experiment.manifest import manifest
from sim.experiment.runner import ReplicationResult, describe, run_one
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
) -> RunResult:
    """Run a scenario over its replications and return (and by default save) the results.

    ``seed`` and ``replications`` default to the scenario's. Replication ``r`` draws from
    streams derived from (seed, r), so the results do not depend on ``workers`` or on
    ``dask_scheduler``. With ``save``, the run is written to ``out`` (which must not exist) or
    to a new folder under ``root``.
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
    tables = combine(results, scn)
    kpis = tidy_kpis({r.replication: r.kpis for r in results})
    man = manifest(
        kind="run",
        scenario=scn.name,
        scenario_file=str(scenario) if not isinstance(scenario, Scenario) else None,
        scenario_hash=scenario_hash(scn),
        scenario_resolved=canonical(scn),
        seed=seed,
        replications=reps,
        overrides=dict(overrides or {}),
        wall_s=round(time.perf_counter() - started, 3),
        events=int(sum(r.events for r in results)),
        backend=("dask:" + dask_scheduler) if dask_scheduler else f"local:{workers or 'auto'}",
        replication_runs=[describe(r) for r in results],
    )
    result = RunResult(canonical(scn), man, kpis, summarise(kpis), None, tables)
    if dest is not None:
        result.save(dest)
    return result


def load(path: str | Path) -> RunResult:
    """Load a run folder."""
    return load_run(path)
