"""The command line's input boundary: errors and warnings reach the user once, in one line."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.conftest import BASELINE, MMC, ROOT


def test_a_warning_inside_a_command_is_shown_once_and_the_command_ends():
    # Shown while warnings were being recorded, a warning used to be recorded again, for
    # ever (the command hung and ate memory); a subprocess with a timeout keeps a
    # regression from hanging the suite.
    code = textwrap.dedent(
        """
        import warnings
        from sim.cli.common import handled
        with handled():
            warnings.warn("overflow in exp", RuntimeWarning, stacklevel=1)
        print("done")
        """
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "done"
    assert proc.stderr.count("RuntimeWarning: overflow in exp") == 1, proc.stderr


def landport(*args: object, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    """The real command, its output piped (as in CI, logs and scripts)."""
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LANDPORT_EXTENDS_PATH")}
    return subprocess.run(
        [sys.executable, "-m", "sim", *map(str, args)],
        cwd=cwd,
        env={**env, "LANDPORT_CATALOG": "off"},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_errors_are_one_line_each_when_piped_however_long():
    long = "x" * 150  # the line is longer than a terminal (and than the 80 columns of a pipe)
    proc = landport("validate", BASELINE, "--set", f"customs.import.{long}=1", "--set", "seed=-5")
    assert proc.returncode == 2
    lines = proc.stderr.splitlines()
    assert len(lines) == 2, proc.stderr
    assert all(line.startswith("error: --set: ") for line in lines)
    assert f"customs.import.{long}: unknown field" in proc.stderr


def test_markup_and_control_characters_in_user_text_are_shown_not_interpreted(tmp_path):
    proc = landport("validate", BASELINE, "--set", "[/red]=1", "--set", "a[bold]b=1")
    assert proc.returncode == 2
    assert "error: --set: [/red]: unknown field" in proc.stderr
    assert "error: --set: a[bold]b: unknown field" in proc.stderr
    odd = tmp_path / "[red]what-if.yaml"
    odd.write_text(BASELINE.read_text(encoding="utf-8"), encoding="utf-8")
    proc = landport("validate", odd.name, "--set", "description=a\x1b[31mb", cwd=tmp_path)
    assert proc.returncode == 2, proc.stdout
    assert "unacceptable character #x001b" in proc.stderr
    proc = landport("validate", odd.name, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    (line,) = proc.stdout.splitlines()
    assert line.startswith("ok [red]what-if.yaml: scenario 'baseline', 2023-01-01 – 2023-08-31")


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        (["--seed", "-5"], "Invalid value for '--seed'"),
        (["--seed", str(2**64)], "Invalid value for '--seed'"),
        (["-n", "0"], "Invalid value for '--replications' / '-n'"),
        (["-n", "1001"], "Invalid value for '--replications' / '-n'"),
        (["--workers", "0"], "Invalid value for '--workers'"),
        (["--sed", "4"], "No such option: --sed"),
    ],
)
def test_a_bad_option_is_one_error_line_and_nothing_is_written(tmp_path, options, expected):
    out = tmp_path / "run"
    proc = landport("run", BASELINE, *options, "--out", out)
    assert proc.returncode == 2
    (line,) = proc.stderr.splitlines()
    assert line.startswith("error: ")
    assert f"run: {expected}" in line
    assert line.endswith(" run --help)")
    assert not out.exists()


def test_a_bad_scenario_writes_no_run_folder(tmp_path):
    out = tmp_path / "run"
    proc = landport("run", BASELINE, "--set", "warmup_days=.inf", "--out", out)
    assert proc.returncode == 2
    assert proc.stderr == "error: --set: warmup_days: Input should be a finite number, found inf\n"
    assert not out.exists()


def test_a_run_the_model_stops_as_stuck_is_one_error_line_and_exit_1(tmp_path):
    out = tmp_path / "run"
    proc = landport(
        "run", MMC, "-n", "1", "--workers", "1", "--set", "customs.import.review_h=50000",
        "--out", out,
    )  # fmt: skip
    assert proc.returncode == 1
    (line,) = [x for x in proc.stderr.splitlines() if x]  # the progress bar leaves a blank
    assert line.startswith("error: the run stopped: the model is stuck at hour ")
    assert "huaihua.customs.import.officers" in line
    assert not out.exists()
