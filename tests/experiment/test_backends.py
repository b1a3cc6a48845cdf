"""Backends: the same numbers serially, on local worker processes and on a Dask cluster."""

from __future__ import annotations

import os
import time

import pandas as pd
import pytest

import sim
from sim.experiment.backends import BackendError, describe_backend, execute, execute_iter
from tests.conftest import BASELINE
from tests.experiment.conftest import SHORT_MONTH


def pause_then_echo(value: int, pause_s: float) -> int:
    """A task that finishes after ``pause_s`` (top level, so workers can import it)."""
    time.sleep(pause_s)
    return value


def fail_on(value: int, bad: int) -> int:
    if value == bad:
        raise RuntimeError(f"task {value} failed")
    return value


def test_serial_local_and_dask_runs_give_identical_per_replication_kpis():
    runs = {
        backend: sim.run(BASELINE, replications=3, overrides=SHORT_MONTH, save=False, **options)
        for backend, options in {
            "serial": {"workers": 1},
            "local": {"workers": 2},
            "dask": {"dask_scheduler": "local", "workers": 2},
        }.items()
    }
    serial = runs["serial"].kpis
    assert serial["replication"].nunique() == 3
    assert serial["kpi"].nunique() > 50
    for backend in ("local", "dask"):
        pd.testing.assert_frame_equal(runs[backend].kpis, serial, check_exact=True)
        pd.testing.assert_frame_equal(
            runs[backend].containers, runs["serial"].containers, check_exact=True
        )
    assert runs["dask"].manifest["backend"] == "dask:local"
    assert runs["local"].manifest["backend"] == "local:2"


def pause_then_pid(index: int, pause_s: float) -> tuple[int, int]:
    time.sleep(pause_s)
    return index, os.getpid()


def test_two_workers_are_two_pool_processes_and_results_come_back_in_task_order():
    """The first task takes longest and finishes last, yet ``execute`` keeps task order;
    ``execute_iter`` yields each result as it finishes."""
    tasks = [(0, 3.0)] + [(i, 0.05) for i in range(1, 6)]
    seen = list(execute_iter(pause_then_pid, tasks, workers=2))
    assert sorted(i for i, _ in seen) == list(range(6))
    assert seen[-1][0] == 0
    pids = {pid for _, (_, pid) in seen}
    assert len(pids) == 2
    assert os.getpid() not in pids
    assert [v for v, _ in execute(pause_then_pid, [(i, 0.0) for i in range(5)], workers=2)] == [
        0,
        1,
        2,
        3,
        4,
    ]


def test_progress_reports_zero_then_every_finished_task():
    calls: list[tuple[int, int]] = []
    execute(
        pause_then_echo,
        [(i, 0.0) for i in range(3)],
        workers=1,
        progress=lambda *a: calls.append(a),
    )
    assert calls == [(0, 3), (1, 3), (2, 3), (3, 3)]


def test_a_failing_task_raises_in_the_caller_and_stops_the_pool():
    started = time.perf_counter()
    with pytest.raises(RuntimeError, match="task 1 failed"):
        execute(fail_on, [(i, 1) for i in range(4)] + [(9, 1)], workers=2)
    assert time.perf_counter() - started < 30


def test_zero_workers_is_bad_input():
    with pytest.raises(BackendError, match="at least 1"):
        execute(pause_then_echo, [(1, 0.0)], workers=0)


def test_backend_labels():
    assert describe_backend(1, None) == "serial"
    assert describe_backend(4, None) == "local:4"
    assert describe_backend(None, "tcp://10.0.0.1:8786") == "dask:tcp://10.0.0.1:8786"
