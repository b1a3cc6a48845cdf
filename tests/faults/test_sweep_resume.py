"""A sweep killed (SIGKILL) or interrupted (Ctrl-C) while it runs, then resumed: finished
points are kept, half-written ones discarded, and the numbers are those of a sweep that was
never stopped."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd

import sim
from tests.conftest import MMC, MMC_WEEK, ROOT, flat, landport

OFFICERS = "customs.import.officers"


LEVERS = {OFFICERS: [3, 4, 5, 6, 7, 8]}
SCRIPT = """
import sys
import sim
sim.sweep(
    sys.argv[1], {levers!r}, overrides={overrides!r}, replications=2, workers=1,
    out=sys.argv[2], register=False,
)
"""


def _wait_for_points(partial: Path, proc: subprocess.Popen, at_least: int) -> list[Path]:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        points = partial / "points"
        done = (
            sorted(p for p in points.iterdir() if not p.name.startswith("."))
            if points.is_dir()
            else []
        )
        if len(done) >= at_least:
            return done
        assert proc.poll() is None, "the sweep ended before it could be interrupted"
        time.sleep(0.01)
    raise AssertionError("no point finished within 60 s")


def test_a_killed_sweep_resumes_without_rerunning_finished_points(tmp_path):
    out = tmp_path / "killed"
    partial = tmp_path / ".killed.partial"
    script = SCRIPT.format(levers=LEVERS, overrides=MMC_WEEK)
    proc = subprocess.Popen(
        [sys.executable, "-c", script, str(MMC), str(out)], cwd=ROOT, env={**os.environ}
    )
    try:
        _wait_for_points(partial, proc, at_least=2)
    finally:
        proc.kill()  # SIGKILL: no cleanup of any kind
        proc.wait()
    assert not out.exists()  # an unfinished sweep is never visible under its own name
    finished = sorted(p.name for p in (partial / "points").iterdir() if not p.name.startswith("."))
    assert 2 <= len(finished) < 6
    stamps = {n: (partial / "points" / n / "kpis.parquet").stat().st_mtime_ns for n in finished}
    # A point killed while being written is a hidden temporary folder; make sure there is one,
    # with rubbish in it, to prove it is discarded and never read.
    junk = partial / "points" / f".{len(finished):03d}.tmp-deadbeef"
    junk.mkdir(exist_ok=True)
    (junk / "kpis.parquet").write_bytes(b"half a parquet file")

    result = sim.sweep(
        MMC,
        LEVERS,
        overrides=MMC_WEEK,
        replications=2,
        workers=1,
        out=out,
        resume=True,
        register=False,
    )
    assert result.path == out
    assert not partial.exists()
    assert result.manifest["resumed"] is True
    assert result.manifest["points_reused"] == len(finished)
    assert result.manifest["points_run"] == 6 - len(finished)
    for name, stamp in stamps.items():  # finished points were kept, not rewritten
        assert (out / "points" / name / "kpis.parquet").stat().st_mtime_ns == stamp
    assert not [p for p in (out / "points").iterdir() if p.name.startswith(".")]
    # The numbers are those of a sweep that was never interrupted: no corrupt or missing rows.
    whole = sim.sweep(MMC, LEVERS, overrides=MMC_WEEK, replications=2, workers=2, save=False)
    pd.testing.assert_frame_equal(result.kpis, whole.kpis)
    pd.testing.assert_frame_equal(result.summary, whole.summary)


def test_ctrl_c_stops_a_sweep_and_the_same_command_with_resume_finishes_it(tmp_path):
    out = tmp_path / "stopped"
    args = [
        "sweep",
        str(MMC),
        "--set",
        f"{OFFICERS}=3,4,5,6,7,8",
        *(a for k, v in MMC_WEEK.items() if k != OFFICERS for a in ("--set", f"{k}={v}")),
        "-n",
        "2",
        "--workers",
        "1",
        "--out",
        str(out),
        "--root",
        str(tmp_path),
    ]
    proc = subprocess.Popen(
        [sys.executable, "-m", "sim", *args],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    _wait_for_points(tmp_path / ".stopped.partial", proc, at_least=1)
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=60)
    text = flat(stderr.decode())
    assert proc.returncode == 130, text
    assert "interrupted:" in text
    assert "--resume" in text
    assert "Traceback" not in text

    again = landport(*args)
    assert again.exit_code == 2  # without --resume the unfinished sweep is left alone
    assert "continue it with --resume" in flat(again.output)

    done = landport(*args, "--resume")
    assert done.exit_code == 0, done.output
    assert "points kept from the interrupted run" in flat(done.output)
    assert json.loads((out / "manifest.json").read_text())["points_reused"] >= 1
