"""The local worker pool, with real processes: results come back in task order (or as they
finish), a failing task stops the pool, big results come back whole and leave no temporary
files, a worker has the caller's environment, and the replication code imports without
scipy.stats."""

from __future__ import annotations

import glob
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pytest

from sim.experiment.backends import execute, execute_iter
from tests.conftest import MMC, MMC_WEEK, ROOT


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


def fail_late_or_soon(index: int, folder: str) -> int:
    """Tasks 0 and 1 fail: task 0 only once task 1 has failed (task 1 leaves a file first)."""
    mark = Path(folder) / "task-1-failing"
    if index == 1:
        mark.touch()
        raise RuntimeError("task 1 failed")
    if index == 0:
        deadline = time.monotonic() + 60
        while not mark.exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(0.3)  # task 1's error reaches the caller first
        raise RuntimeError("task 0 failed")
    return index


def test_when_several_tasks_fail_the_error_is_the_first_tasks_as_in_a_serial_run(tmp_path):
    """Which error stops a run does not depend on which worker failed first in time."""
    with pytest.raises(RuntimeError, match="task 0 failed"):
        execute(fail_late_or_soon, [(i, str(tmp_path)) for i in range(4)], workers=2)
    with pytest.raises(RuntimeError, match="task 0 failed"):
        execute(fail_late_or_soon, [(i, str(tmp_path)) for i in range(4)], workers=1)


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


def test_a_failing_task_raises_in_the_caller_and_stops_the_pool():
    started = time.perf_counter()
    with pytest.raises(RuntimeError, match="task 1 failed"):
        execute(fail_on, [(i, 1) for i in range(4)] + [(9, 1)], workers=2)
    assert time.perf_counter() - started < 30


def big_result(n: int) -> np.ndarray:
    return np.full(n, 7.0)


def test_big_worker_results_come_back_whole_and_leave_no_temporary_files():
    before = set(glob.glob(os.path.join(tempfile.gettempdir(), "landport-results-*")))
    out = execute(big_result, [(1_000_000,)] * 4, workers=2)
    assert all(len(a) == 1_000_000 and a[0] == 7.0 for a in out)
    after = set(glob.glob(os.path.join(tempfile.gettempdir(), "landport-results-*")))
    assert after == before


def test_workers_have_the_callers_environment_not_the_fork_servers(monkeypatch):
    """The fork server is started with the caller's sys.path in PYTHONPATH (and
    PYTHONSAFEPATH); each worker has the caller's values of both back."""
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(["/caller/only", "/and/this"]))
    monkeypatch.delenv("PYTHONSAFEPATH", raising=False)
    seen = execute(os.getenv, [("PYTHONPATH",), ("PYTHONSAFEPATH",)] * 2, workers=2)
    assert seen == [os.pathsep.join(["/caller/only", "/and/this"]), None] * 2


def test_the_replication_code_imports_without_scipy_stats():
    """Importing what a replication runs does not import scipy.stats (a second, on a command
    line that may never need it); the fork server imports it once for all its workers."""
    code = "import sys, sim.experiment.runner; print('scipy.stats' in sys.modules)"
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "False"


UNGUARDED = """
import sim
result = sim.run({scenario!r}, overrides={overrides!r}, replications=4, workers=2, root={root!r})
print("ran", result.path.name)
"""


@pytest.mark.parametrize("backend", ["local", "dask"])
def test_a_script_without_a_main_guard_runs_once(tmp_path, backend):
    """Worker processes start without importing the caller's script again, so a script
    written without ``if __name__ == "__main__":`` makes one run, not one per worker (nor a
    crash in each worker that tries to start a pool of its own)."""
    root = tmp_path / "results"
    script = tmp_path / "unguarded.py"
    text = UNGUARDED.format(scenario=str(MMC), overrides=MMC_WEEK, root=str(root))
    if backend == "dask":
        text = text.replace("workers=2,", "workers=2, dask_scheduler='local',")
    script.write_text(text, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(script)],
        cwd=tmp_path,
        env={**os.environ, "LANDPORT_CATALOG": "off"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Traceback" not in done.stderr
    assert done.stdout.count("ran ") == 1
    assert len([p for p in root.iterdir() if p.is_dir()]) == 1


def test_on_dask_too_the_error_is_the_first_failing_tasks(tmp_path):
    with pytest.raises(RuntimeError, match="task 0 failed"):
        execute(
            fail_late_or_soon,
            [(i, str(tmp_path)) for i in range(4)],
            workers=2,
            dask_scheduler="local",
        )
