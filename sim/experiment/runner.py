"""One replication: ``run_one(scenario, replication)`` is a pure function.

It builds the model in a fresh environment whose clock starts at −warm-up hours, with random
streams derived from the scenario seed and the replication number, runs it to the horizon and
returns the recorded columns and the replication's KPIs. Nothing global is touched, so
replications can run in any order, on any worker, and give the same numbers.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from sim.engine import Environment, Recorder, Streams, collector_paused
from sim.engine.recorder import Column
from sim.model import build
from sim.results.kpis import compute_kpis
from sim.scenario import Scenario

Columns = dict[str, Column]


@dataclass
class ReplicationResult:
    """What one replication produced: raw columns (picklable, compact) and its KPIs."""

    replication: int
    seed: int
    tables: dict[str, Columns]
    series: dict[str, dict[str, np.ndarray]]
    kpis: dict[str, float]
    events: int
    wall_s: float


def simulate(
    scenario: Scenario, replication: int = 0, seed: int | None = None
) -> tuple[Recorder, int]:
    """Build and run one replication; return its recorder and the number of events (heap
    entries processed: SimPy events and scheduled calls).

    The cyclic garbage collector is paused meanwhile: the run makes millions of short-lived
    objects that reference counting frees, and the collector would otherwise walk the whole
    heap again and again, the more often the longer the run.
    """
    with collector_paused():
        streams = Streams(scenario.seed if seed is None else seed, replication)
        env = Environment(initial_time=-scenario.warmup_h)
        recorder = Recorder()
        model = build(scenario, env, streams, recorder)
        events = env.run_until(model.horizon_h)
        model.settle()
    return recorder, events


def measure(
    scenario: Scenario, recorder: Recorder
) -> tuple[dict[str, Columns], dict[str, dict[str, np.ndarray]], dict[str, float]]:
    """A simulated replication's recorded columns, level series and KPIs (computed from the
    columns themselves: no DataFrame is built)."""
    tables = {name: t.arrays() for name, t in recorder.tables.items()}
    series = {where: s.arrays() for where, s in recorder.series.items()}
    kpis = compute_kpis(
        tables["containers"],
        tables["trains"],
        series,
        horizon_h=scenario.horizon_h,
        corridors=list(scenario.corridors),
        hub=scenario.hub,
    )
    return tables, series, kpis


def run_one(scenario: Scenario, replication: int = 0, seed: int | None = None) -> ReplicationResult:
    """Simulate replication ``replication`` of ``scenario`` and compute its KPIs (the cyclic
    collector paused throughout, as in :func:`simulate`)."""
    started = time.perf_counter()
    seed = scenario.seed if seed is None else seed
    with collector_paused():
        recorder, events = simulate(scenario, replication, seed)
        tables, series, kpis = measure(scenario, recorder)
    return ReplicationResult(
        replication, seed, tables, series, kpis, events, time.perf_counter() - started
    )


def describe(result: ReplicationResult) -> dict[str, Any]:
    """A short record of a replication for manifests."""
    return {
        "replication": result.replication,
        "seed": result.seed,
        "events": result.events,
        "wall_s": round(result.wall_s, 3),
    }
