"""Backends in this process: progress, bad input and labels (worker pools with real
processes: ``tests/system/test_worker_pool.py``; the same numbers on every backend and on a
real Dask cluster: ``tests/faults/test_workers.py``)."""

from __future__ import annotations

import sys
import time

import pytest

from sim.experiment.backends import BackendError, describe_backend, execute, prepare
from sim.experiment.runs import imported_meanwhile


def pause_then_echo(value: int, pause_s: float) -> int:
    """A task that finishes after ``pause_s`` (top level, so workers can import it)."""
    time.sleep(pause_s)
    return value


def test_progress_reports_zero_then_every_finished_task():
    calls: list[tuple[int, int]] = []
    execute(
        pause_then_echo,
        [(i, 0.0) for i in range(3)],
        workers=1,
        progress=lambda *a: calls.append(a),
    )
    assert calls == [(0, 3), (1, 3), (2, 3), (3, 3)]


def test_zero_workers_is_bad_input():
    with pytest.raises(BackendError, match="at least 1"):
        execute(pause_then_echo, [(1, 0.0)], workers=0)


def test_backend_labels():
    assert describe_backend(1, None) == "serial"
    assert describe_backend(4, None) == "local:4"
    assert describe_backend(None, "tcp://10.0.0.1:8786") == "dask:tcp://10.0.0.1:8786"


def test_modules_needed_after_the_tasks_are_imported_meanwhile_and_a_missing_one_is_no_error():
    sys.modules.pop("tabnanny", None)
    with imported_meanwhile(["tabnanny", "no_module_of_this_name"]):
        pass
    assert "tabnanny" in sys.modules


def test_an_error_in_the_tasks_is_not_held_up_by_the_imports():
    with pytest.raises(KeyboardInterrupt), imported_meanwhile(["tabnanny"]):
        raise KeyboardInterrupt


def test_preparing_for_bad_or_serial_settings_does_nothing_and_execute_still_refuses():
    for workers in (0, 1, -3):
        prepare(workers, None, 30)
    prepare(2, None, 1)
    with pytest.raises(BackendError):
        execute(pause_then_echo, [(1, 0.0)], workers=0)
