"""A run or a sweep killed (SIGKILL: no clean-up of any kind) or interrupted (Ctrl-C) before
simulating, while simulating and while writing: no half-written folder ever appears, a run's
temporary folder is removed at once (Ctrl-C) or by the next run (kill), a sweep resumes to
exactly the results of one never interrupted, and the catalogue lists what is there."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from tests.conftest import landport
from tests.faults.conftest import (
    RUN,
    SIGNALS,
    SWEEP,
    Driven,
    assert_whole_and_catalogued,
    one_line,
    temporaries,
    visible,
)

RUN_PHASES = [("reserve", 0), ("simulate", 1), ("write", 0)]
"""Reserved, nothing simulated; one replication of two done; tables written, no manifest."""
SWEEP_PHASES = [("simulate", 3), ("write", 1), ("complete", 0)]
"""Point 0 written and point 1 half simulated; point 1's tables written, not its manifest;
every point written, the sweep's own tables and rename not (right after its last point)."""
SWEEP_FILES = ("kpis.parquet", "summary.parquet", "summary.csv", "points.csv")


def matrix(phases: list[tuple[str, int]], slow: set[tuple[str, str]]) -> list:
    """Every phase × (kill, Ctrl-C); the pairs in ``slow`` run with ``-m slow`` only, so the
    default suite still meets each phase and each signal."""
    return [
        pytest.param(how, phase, after, marks=[pytest.mark.slow] * ((how, phase) in slow))
        for phase, after in phases
        for how in ("kill", "ctrl-c")
    ]


@pytest.mark.parametrize(
    ("how", "phase", "after"), matrix(RUN_PHASES, {("kill", "reserve"), ("ctrl-c", "simulate")})
)
def test_a_run_stopped_anywhere_leaves_no_folder_and_the_next_run_lands_whole(
    tmp_path, phase, after, how
):
    results = tmp_path / "results"
    stopped = Driven(tmp_path, RUN, pause=phase, after=after)
    stopped.wait_paused()
    assert temporaries(results), "the folder is reserved before anything is simulated"
    code = stopped.signal(SIGNALS[how])

    assert visible(results) == []  # nothing half-written under a visible name
    if how == "ctrl-c":
        assert code == 130
        assert "interrupted: nothing was saved" in one_line(stopped.stderr)
        assert temporaries(results) == []  # removed on the way out
    else:
        assert code == -signal.SIGKILL
        assert len(temporaries(results)) == 1  # the dead writer's; the next run removes it

    done = landport(*RUN)
    assert done.exit_code == 0, done.output
    assert temporaries(results) == []
    assert len(assert_whole_and_catalogued(results)) == 1


@pytest.fixture(scope="module")
def never_stopped(tmp_path_factory) -> Path:
    """The same sweep, run to the end without interruption."""
    root = tmp_path_factory.mktemp("whole")
    done = landport(*SWEEP, "--root", str(root / "results"))
    assert done.exit_code == 0, done.output
    (folder,) = visible(root / "results")
    return folder


@pytest.mark.parametrize(
    ("how", "phase", "after"), matrix(SWEEP_PHASES, {("ctrl-c", "simulate"), ("kill", "write")})
)
def test_a_sweep_stopped_anywhere_resumes_to_the_same_bytes(
    tmp_path, never_stopped, phase, after, how
):
    results = tmp_path / "results"
    args = [*SWEEP, "--root", str(results)]
    stopped = Driven(tmp_path, args, pause=phase, after=after)
    stopped.wait_paused()
    code = stopped.signal(SIGNALS[how])
    assert visible(results) == []  # an unfinished sweep is never visible under its name
    if how == "ctrl-c":
        assert code == 130
        assert "--resume" in one_line(stopped.stderr)
    else:
        assert code == -signal.SIGKILL

    done = landport(*args, "--resume")
    assert done.exit_code == 0, done.output
    (folder,) = assert_whole_and_catalogued(results)
    hidden = [p.name for p in results.iterdir() if p.name.startswith(".")]
    assert hidden == [".catalog.duckdb.lock"]  # no work or temporary folder is left
    for name in SWEEP_FILES:
        assert (folder / name).read_bytes() == (never_stopped / name).read_bytes(), name
    for point in sorted((never_stopped / "points").iterdir()):
        for name in ("kpis.parquet", "summary.csv", "containers.parquet"):
            got = (folder / "points" / point.name / name).read_bytes()
            assert got == (point / name).read_bytes(), f"{point.name}/{name}"
