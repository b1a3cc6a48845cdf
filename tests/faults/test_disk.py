"""The disk: ``--out`` and free space are checked before anything is simulated; a disk that
fills up while a folder is written gives one error line, exit 2, and leaves nothing behind
(a sweep keeps its finished points for ``--resume``); a read-only folder is refused up front."""

from __future__ import annotations

import errno
import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

import sim
import sim.experiment.runs as runs
import sim.experiment.sweep as sweep_module
from sim.cli import app
from sim.scenario import load_scenario
from tests.conftest import BASELINE, MMC, MMC_WEEK, SHORT_MONTH
from tests.faults.conftest import (
    RUN,
    SWEEP,
    Driven,
    one_line,
    temporaries,
    tmpfs,
    visible,
)

runner = CliRunner()


def landport(*args: str):
    return runner.invoke(app, list(args), env={"COLUMNS": "1000"})  # a message is one line


@pytest.fixture
def nothing_simulated(monkeypatch):
    """Fail the test if anything is handed to the workers."""

    def refuse(*args, **kwargs):
        raise AssertionError("simulated before the output was checked")

    monkeypatch.setattr(runs, "execute_iter", refuse)
    monkeypatch.setattr(sweep_module, "execute_iter", refuse)


def fill(folder: Path) -> Path:
    """Fill the file system of ``folder`` to the last byte; returns the ballast file."""
    ballast = folder / "ballast"
    with open(ballast, "wb", buffering=0) as f:
        for size in (1 << 16, 512, 1):  # to the last byte
            try:
                while True:
                    f.write(b"\0" * size)
            except OSError as exc:
                if exc.errno != errno.ENOSPC:
                    raise
    return ballast


@pytest.mark.parametrize(
    ("out", "expected"),
    [
        ("/proc/landport-run", "cannot create the folder"),
        ("results/" + "x" * 300, "the folder name is 300 bytes"),
        ("results/.hidden", "a hidden name"),
        ("results/..", "not a folder name"),
        ("file/run", "is not a folder"),
        ("results/tab\there", "control characters"),
    ],
)
def test_a_bad_out_fails_before_simulating_with_one_error_line(
    tmp_path, nothing_simulated, out, expected
):
    (tmp_path / "file").write_text("a file, not a folder")
    for command in (RUN, [*SWEEP, "--root", "results"]):
        done = landport(*command, "--out", out)
        assert done.exit_code == 2, done.output
        assert expected in one_line(done.output)
    assert visible(tmp_path / "results") == []
    assert temporaries(tmp_path / "results") == []


def test_a_disk_too_small_for_the_output_is_refused_before_simulating(tmp_path, nothing_simulated):
    with tmpfs(tmp_path / "small", "160k") as small:
        for command in (RUN, [*SWEEP, "--root", "results"]):
            done = landport(*command, "--out", str(small / "x"))
            assert done.exit_code == 2, done.output
            assert "free, but" in done.output
            assert "needs about" in done.output
        assert list(small.iterdir()) == []


@pytest.fixture
def read_only(tmp_path) -> Iterator[Path]:
    """A read-only folder: a read-only mount where possible, else a folder without write
    permission (which root would ignore)."""
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        with tmpfs(tmp_path / "ro", "1m", "ro") as folder:
            yield folder
        return
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    yield folder
    folder.chmod(0o755)


def test_a_read_only_folder_is_refused_before_simulating(read_only, nothing_simulated):
    for command in (RUN, [*SWEEP, "--root", "results"]):
        done = landport(*command, "--out", str(read_only / "x"))
        assert done.exit_code == 2, done.output
        assert str(read_only / "x") in done.output
        assert "Traceback" not in done.output
    assert list(read_only.iterdir()) == []


def test_a_disk_that_fills_while_a_run_is_written_leaves_nothing_and_says_so(tmp_path):
    with tmpfs(tmp_path / "small", "4m") as small:
        out = small / "run"
        go = tmp_path / "go"
        racer = Driven(tmp_path, [*RUN, "--out", str(out)], pause="reserve", go=go)
        racer.wait_paused()  # the space was checked; now the disk fills up
        ballast = fill(small)
        go.touch()
        assert racer.finish() == 2
        line = one_line(racer.stderr)
        assert str(out) in line
        assert "No space left on device" in line
        assert sorted(p.name for p in small.iterdir()) == ["ballast"]  # no folder, no debris

        ballast.unlink()
        done = landport(*RUN, "--out", str(out))
        assert done.exit_code == 0, done.output
        assert sorted(p.name for p in small.iterdir()) == ["run"]


def test_a_disk_that_fills_during_a_sweep_keeps_its_points_for_resume(tmp_path):
    with tmpfs(tmp_path / "small", "4m") as small:
        out = small / "sweep"
        args = [*SWEEP, "--root", "results", "--out", str(out)]
        go = tmp_path / "go"
        racer = Driven(tmp_path, args, pause="simulate", after=2, go=go)
        racer.wait_paused()  # point 0 is written; point 1 starts
        ballast = fill(small)
        go.touch()
        assert racer.finish() == 2
        line = one_line(racer.stderr)
        assert "No space left on device" in line
        assert "1 of 3 points are kept in" in line
        assert "--resume" in line
        partial = small / ".sweep.partial"
        assert sorted(p.name for p in (partial / "points").iterdir()) == ["000"]

        ballast.unlink()
        done = landport(*args, "--resume")
        assert done.exit_code == 0, done.output
        assert sorted(p.name for p in small.iterdir()) == ["sweep"]
        manifest = json.loads((out / "manifest.json").read_text())
        assert (manifest["points_reused"], manifest["points_run"]) == (1, 2)


@pytest.mark.parametrize("overrides", [MMC_WEEK, SHORT_MONTH])
def test_the_space_estimate_covers_a_run_folder_without_asking_for_far_more(tmp_path, overrides):
    scenario = MMC if overrides is MMC_WEEK else BASELINE
    run = sim.run(
        scenario, replications=2, workers=1, overrides=overrides, root=tmp_path, register=False
    )
    assert run.path is not None
    size = sum(f.stat().st_size for f in run.path.iterdir())
    estimate = runs.estimate_bytes(load_scenario(scenario, overrides), 2)
    assert size <= estimate <= 4 * size
