"""Fault injection for run folders, sweeps and the catalogue: processes killed or interrupted
at a chosen phase (``driver.py``), runs racing for one name, full and read-only disks.

Every test works in a folder of its own with the catalogue on. Small file systems are tmpfs
mounts, made where the machine allows (root with mount rights); elsewhere those tests skip
and say why.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from sim.experiment.api import load
from sim.results import catalog
from sim.results.store import TMP_MARK
from tests.conftest import MMC

DRIVER = Path(__file__).with_name("driver.py")
WEEK = ["--set", "end=2023-01-07", "--set", "warmup_days=1", "--set", "customs.import.officers=4"]
"""The M/M/c customs desk for one week: a replication takes a few hundredths of a second."""
RUN = ["run", str(MMC), *WEEK, "-n", "2", "--workers", "1"]
SWEEP = [
    "sweep",
    str(MMC),
    "--set",
    "customs.import.review_h.mean=1.0,1.1,1.2",
    *WEEK,
    "-n",
    "2",
    "--workers",
    "1",
]
"""Three points of two replications: the (K+1)-th replication is point K // 2."""
WAIT_S = 60


@pytest.fixture(autouse=True)
def _own_folder_catalogue_on(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("LANDPORT_CATALOG", raising=False)


def environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "LANDPORT_CATALOG"}
    env["COLUMNS"] = "1000"  # one message, one line
    return env


class Driven:
    """A ``landport`` process paused (or pausing) at one phase."""

    def __init__(
        self,
        cwd: Path,
        args: Sequence[str],
        pause: str | None = None,
        after: int = 0,
        go: Path | None = None,
        stamp: str | None = None,
    ) -> None:
        self.marker = cwd / f"paused-{uuid.uuid4().hex[:8]}"
        cmd = [sys.executable, str(DRIVER), "--marker", str(self.marker)]
        if pause:
            cmd += ["--pause", pause, "--after", str(after)]
        if go is not None:
            cmd += ["--go", str(go)]
        if stamp:
            cmd += ["--stamp", stamp]
        self.proc = subprocess.Popen(
            [*cmd, "--", *args],
            cwd=cwd,
            env=environment(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.stdout = self.stderr = ""

    def wait_paused(self) -> None:
        deadline = time.monotonic() + WAIT_S
        while not self.marker.exists():
            if self.proc.poll() is not None:
                self.finish()
                raise AssertionError(
                    f"ended before its pause ({self.proc.returncode}):\n{self.stderr}"
                )
            if time.monotonic() > deadline:
                self.proc.kill()
                raise AssertionError("never reached its pause")
            time.sleep(0.01)

    def signal(self, sig: int) -> int:
        self.proc.send_signal(sig)
        return self.finish()

    def finish(self) -> int:
        self.stdout, self.stderr = self.proc.communicate(timeout=WAIT_S)
        return self.proc.returncode

    @property
    def paused(self) -> bool:
        return self.marker.exists()


def one_line(text: str) -> str:
    """The only line of an error output (a blank line of a cleared progress bar aside)."""
    lines = [line for line in text.splitlines() if line.strip()]
    assert len(lines) == 1, text
    assert "Traceback" not in text
    return lines[0]


def visible(root: Path) -> list[Path]:
    """The folders under ``root`` a reader sees (hidden ones are temporary or unfinished)."""
    if not root.is_dir():
        return []
    return sorted(p for p in root.iterdir() if not p.name.startswith(".") and p.is_dir())


def temporaries(root: Path) -> list[Path]:
    return sorted(p for p in root.iterdir() if TMP_MARK in p.name) if root.is_dir() else []


def assert_whole_and_catalogued(root: Path) -> list[Path]:
    """Every visible folder under ``root`` reads back whole, and the catalogue lists exactly
    those folders. Returns them."""
    folders = visible(root)
    for folder in folders:
        load(folder)  # raises on anything missing or damaged
    listed = catalog.list_runs(root, limit=None)
    assert listed["exists"].all(), listed
    assert sorted(Path(f) for f in listed["folder"]) == [f.resolve() for f in folders]
    return folders


@contextlib.contextmanager
def tmpfs(where: Path, size: str, *options: str) -> Iterator[Path]:
    """A tmpfs of ``size`` mounted at ``where`` for the test, or a skip saying why not."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        pytest.skip("mounting a small file system needs root")
    where.mkdir(parents=True, exist_ok=True)
    opts = ",".join([f"size={size}", *options])
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", opts, "tmpfs", str(where)], capture_output=True, text=True
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip() or done.returncode}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


SIGNALS = {"kill": signal.SIGKILL, "ctrl-c": signal.SIGINT}
