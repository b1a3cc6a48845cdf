"""Run ``landport`` with a pause at one phase, so a fault test can kill or interrupt it there.

    python tests/faults/driver.py --pause PHASE [--after K] --marker FILE [--go FILE]
        [--stamp YYYYmmdd-HHMMSS] -- <landport arguments>

At the phase the driver creates ``--marker`` and waits — until ``--go`` exists, or for ever
(the test then sends a signal). Phases, in the order a run meets them:

``reserve``   the output folder is checked and reserved; the tasks are about to start
``simulate``  before the (K+1)-th replication is simulated (``--workers 1``: in this process)
``write``     the (K+1)-th folder's tables are written, its manifest is not
``complete``  a sweep's every point is written; its tables and rename are not

``--stamp`` fixes the time stamp of automatic folder names, as for runs started in the same
second. Only the test suite uses this file; nothing in ``sim`` knows of it.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

import sim.experiment.compare as compare
import sim.experiment.runs as runs
import sim.experiment.sweep as sweep
from sim.cli import main as landport
from sim.experiment.workspace import Workspace
from sim.results import store

PHASES = ("reserve", "simulate", "write", "complete")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pause", choices=PHASES)
    parser.add_argument("--after", type=int, default=0)
    parser.add_argument("--marker", type=Path)
    parser.add_argument("--go", type=Path)
    parser.add_argument("--stamp")
    parser.add_argument("args", nargs=argparse.REMAINDER)
    opts = parser.parse_args()
    calls = {"n": 0}

    def pause() -> None:
        opts.marker.touch()
        while opts.go is None or not opts.go.exists():
            time.sleep(0.01)

    def at_call(real: Any) -> Any:
        """Pause before the (K+1)-th call of ``real``."""

        def wrapper(*args: Any, **kwargs: Any) -> Any:
            calls["n"] += 1
            if calls["n"] == opts.after + 1:
                pause()
            return real(*args, **kwargs)

        return wrapper

    if opts.stamp:
        store._stamp = lambda: opts.stamp
    if opts.pause == "reserve":  # the folder reserved, the tasks about to be handed out
        runs.execute_iter = at_call(runs.execute_iter)
        compare.execute = at_call(compare.execute)
        sweep.execute_iter = at_call(sweep.execute_iter)
    elif opts.pause == "simulate":
        runs.run_one = at_call(runs.run_one)
        compare.run_one = at_call(compare.run_one)
        sweep.run_one = at_call(sweep.run_one)
    elif opts.pause == "write":
        write_tables = store.write_tables

        def written(*args: Any, **kwargs: Any) -> None:
            write_tables(*args, **kwargs)
            calls["n"] += 1
            if calls["n"] == opts.after + 1:
                pause()

        store.write_tables = written
    elif opts.pause == "complete":
        Workspace.complete = at_call(Workspace.complete)
    args = opts.args[1:] if opts.args[:1] == ["--"] else opts.args
    sys.argv = ["landport", *args]
    landport()


if __name__ == "__main__":
    main()
