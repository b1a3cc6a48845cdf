"""The review's two findings, repeated on the real clock (slow: ``pytest -m slow -s``):
pairs of runs started in the same second, and sweeps stopped right after their last point.
Each prints its tally."""

from __future__ import annotations

import signal
import time

import pytest
from typer.testing import CliRunner

from sim.cli import app
from tests.faults.conftest import RUN, SWEEP, Driven, assert_whole_and_catalogued, visible

runner = CliRunner()
TRIES = 5


@pytest.mark.slow
def test_pairs_of_runs_started_in_the_same_second_lose_no_run(tmp_path):
    """No frozen clock: both of a pair are started at the same moment."""
    lost = 0
    for _ in range(TRIES):
        time.sleep(1.5 - time.time() % 1)  # they reserve about 0.7 s later, mid-second
        pair = [Driven(tmp_path, RUN) for _ in range(2)]
        lost += sum(p.finish() != 0 for p in pair)
    folders = assert_whole_and_catalogued(tmp_path / "results")
    clashed = sum(f.name.endswith("-2") for f in folders)  # both chose the same name
    print(f"\nsame-second pairs: {TRIES} tried ({clashed} chose one name), {lost} runs lost")
    assert lost == 0
    assert len(folders) == 2 * TRIES


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT], ids=["kill", "ctrl-c"])
def test_sweeps_stopped_right_after_their_last_point_always_resume(tmp_path, sig):
    resumed = 0
    for k in range(TRIES):
        root = tmp_path / f"try{k}" / "results"
        args = [*SWEEP, "--root", str(root)]
        stopped = Driven(tmp_path, args, pause="complete")
        stopped.wait_paused()
        stopped.signal(sig)
        assert visible(root) == []
        done = runner.invoke(app, [*args, "--resume"])
        resumed += done.exit_code == 0 and "3 points kept" in " ".join(done.output.split())
    print(f"\nstopped after the last point ({sig.name}): {TRIES} tried, {resumed} resumed")
    assert resumed == TRIES
