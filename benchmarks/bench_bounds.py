"""What would computing the hub's queues without events save? An upper bound, measured.

    .venv/bin/python benchmarks/bench_bounds.py [--repeats 12]

Runs the baseline as it is, then with parts of the model replaced by what they would cost at
the very least, and reports the simulation's µs per container beside plain SimPy's M/M/4
customer (``mm4_simpy.py``), measured in the same process:

* ``as is``: the model;
* ``services free``: every service at a hub resource (gate, customs officers, bays, lab,
  crews) is one scheduled call after its duration — no queue, no units held, no levels
  recorded: what any way of computing those queues (a recursion on arrival, say) could cost
  at best, and less, since it would still have to queue;
* ``customs one call``: a declaration is one scheduled call after the sum of its stages'
  times, with no resource at all;
* ``both``: the two together.

The replaced runs are not the model (their queues never form): only their speed means
anything. Medians and minima over the repeats; the machine is shared and noisy, so compare
the rows of one run.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from mm4_simpy import mm4_customers_per_second

from sim.engine.resources import Resource
from sim.experiment.runner import simulate
from sim.model.customs import CustomsDesk
from sim.model.milestones import CUSTOMS_START
from sim.scenario import load_scenario

ROOT = Path(__file__).resolve().parent.parent


def free_serve(
    self: Resource, duration: float, done: Callable[[Any], object], arg: Any = None
) -> None:
    """A service that only takes its time."""
    self.env.call_in(duration, done, arg)


def one_call_declare(self: CustomsDesk, cid: int, released: Callable[[int], None]) -> None:
    """A declaration that takes its stages' times, one after another, with no resource."""
    self._c[CUSTOMS_START][cid] = self.env.now
    agricultural = self._agricultural and self._agricultural_of[cid]
    hours = 0.0
    for _, time_h, select, agricultural_only, _ in self._plan:
        if agricultural_only and not agricultural:
            continue
        if select is not None and not select():
            continue
        hours += time_h()
    self.env.call_in(hours, self._end_, (cid, released, None))


@contextmanager
def replaced(cls: type, name: str, fn: Callable[..., None] | None) -> Iterator[None]:
    """``cls.name`` is ``fn`` inside the block (unchanged when ``fn`` is None)."""
    if fn is None:
        yield
        return
    original = getattr(cls, name)
    setattr(cls, name, fn)
    try:
        yield
    finally:
        setattr(cls, name, original)


VARIANTS: dict[str, tuple[Callable[..., None] | None, Callable[..., None] | None]] = {
    "as is": (None, None),
    "services free": (free_serve, None),
    "customs one call": (None, one_call_declare),
    "both": (free_serve, one_call_declare),
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=12)
    args = parser.parse_args()
    scenario = load_scenario(ROOT / "scenarios" / "baseline.yaml")
    simulate(scenario, 0)  # warm
    mm4_us = 1e6 / statistics.median(mm4_customers_per_second() for _ in range(3))
    print(f"plain SimPy M/M/4: {mm4_us:.1f} µs per customer")
    base = None
    for label, (serve, declare) in VARIANTS.items():
        with replaced(Resource, "serve", serve), replaced(CustomsDesk, "declare", declare):
            us, entries = [], []
            for rep in range(args.repeats):
                started = time.perf_counter()
                recorder, events = simulate(scenario, rep % 4)
                n = recorder.tables["containers"].n
                us.append((time.perf_counter() - started) / n * 1e6)
                entries.append(events / n)
        median = statistics.median(us)
        base = base or median
        print(
            f"{label:17} {median:5.1f} µs per container (min {min(us):.1f}), "
            f"{statistics.median(entries):.2f} heap entries each, {median / base:.2f} of as is, "
            f"{mm4_us / median:.2f} journeys per M/M/4 customer"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
