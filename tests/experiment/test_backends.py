"""Backends: tasks in order, progress, failures and labels, serially and on local worker
processes (the same numbers on every backend and on a real Dask cluster:
``tests/faults/test_workers.py``)."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from sim.experiment.backends import BackendError, describe_backend, execute, execute_iter


def pause_then_echo(value: int, pause_s: float) -> int:
    """A task that finishes after ``pause_s`` (top level, so workers can import it)."""
    time.sleep(pause_s)
    return value


def fail_on(value: int, bad: int) -> int:
    if value == bad:
        raise RuntimeError(f"task {value} failed")
    return value


def last_then_pid(index: int, folder: str, others: int) -> tuple[int, int]:
    """Task 0 finishes after the ``others`` tasks: each of them leaves a file in ``folder``,
    and task 0 waits for them all (then a moment more, for their results to be sent)."""
    here = Path(folder)
    if index != 0:
        (here / str(index)).touch()
        return index, os.getpid()
    deadline = time.monotonic() + 60
    while len(list(here.iterdir())) < others:
        if time.monotonic() > deadline:
            raise TimeoutError("the other tasks never ran")
        time.sleep(0.01)
    time.sleep(0.5)
    return index, os.getpid()


def test_two_workers_are_two_pool_processes_and_results_come_back_in_task_order(tmp_path):
    """The first task finishes last, yet ``execute`` keeps task order; ``execute_iter`` yields
    each result as it finishes."""
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    seen = list(execute_iter(last_then_pid, [(i, str(first), 5) for i in range(6)], workers=2))
    assert sorted(i for i, _ in seen) == list(range(6))
    assert seen[-1][0] == 0
    pids = {pid for _, (_, pid) in seen}
    assert len(pids) == 2
    assert os.getpid() not in pids
    in_order = execute(last_then_pid, [(i, str(second), 4) for i in range(5)], workers=2)
    assert [i for i, _ in in_order] == [0, 1, 2, 3, 4]


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
