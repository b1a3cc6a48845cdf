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
import simpy

from sim.engine import Recorder, Streams
from sim.model import build
from sim.results.kpis import compute_kpis
from sim.results.tables import frame, queue_frame
from sim.scenario import Scenario

Columns = dict[str, np.ndarray]


@dataclass
class ReplicationResult:
    """What one replication produced: raw columns (picklable, compact) and its KPIs."""

    replication: int
    seed: int
    tables: dict[str, Columns]
    series: dict[str, Columns]
    kpis: dict[str, float]
    events: int
    wall_s: float


def run_until(env: simpy.Environment, until: float) -> int:
    """Process events scheduled before ``until``; return how many were processed."""
    step, peek = env.step, env.peek
    n = 0
    while peek() < until:
        step()
        n += 1
    return n


def simulate(
    scenario: Scenario, replication: int = 0, seed: int | None = None
) -> tuple[Recorder, int]:
    """Build and run one replication; return its recorder and the number of events."""
    streams = Streams(scenario.seed if seed is None else seed, replication)
    env = simpy.Environment(initial_time=-scenario.warmup_h)
    recorder = Recorder()
    model = build(scenario, env, streams, recorder)
    events = run_until(env, model.horizon_h)
    model.settle()
    return recorder, events


def run_one(scenario: Scenario, replication: int = 0, seed: int | None = None) -> ReplicationResult:
    """Simulate replication ``replication`` of ``scenario`` and compute its KPIs."""
    started = time.perf_counter()
    seed = scenario.seed if seed is None else seed
    recorder, events = simulate(scenario, replication, seed)
    tables = {name: t.arrays() for name, t in recorder.tables.items()}
    series: dict[str, Columns] = {where: s.arrays() for where, s in recorder.series.items()}
    kpis = compute_kpis(
        frame(tables["containers"]),
        frame(tables["trains"]),
        queue_frame(series),
        horizon_h=scenario.horizon_h,
        corridors=list(scenario.corridors),
        hub=scenario.hub,
    )
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
