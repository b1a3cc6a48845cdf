"""The watchdog: a run where work waits and nothing moves is stopped with an error.

Each :class:`Probe` names a place where work can wait (a resource's queue, cargo waiting for
a service) with two functions: how much work waits now, and a counter that grows whenever
work there moves (units granted or given back, trains departed). A slow resource still
moves; a stuck one does not. The watchdog looks every quarter of the
shortest patience; a probe whose work has waited with its counter unchanged for longer than
its patience is *stalled*, and the run raises :class:`Stalled` naming every stalled probe. A
resource closed by its schedule (no units) reports no waiting work, so planned closures are
not mistaken for a stuck model.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import simpy


class Stalled(RuntimeError):
    """Work has waited without moving for longer than the patience of its probe."""

    def __init__(self, t_h: float, stuck: Sequence[str]) -> None:
        self.t_h = t_h
        self.stuck = tuple(stuck)
        super().__init__(t_h, self.stuck)

    def __str__(self) -> str:
        return f"the model is stuck at hour {self.t_h:,.0f}: " + "; ".join(self.stuck)


@dataclass(frozen=True)
class Probe:
    """Where work can wait: ``waiting()`` now, a ``progress()`` counter, and a patience."""

    where: str
    waiting: Callable[[], float]
    progress: Callable[[], int]
    patience_h: float
    unit: str = "waiting"


def watch(env: simpy.Environment, probes: Sequence[Probe]) -> None:
    """Start the watchdog over ``probes`` in ``env``."""
    if probes:
        env.process(_watch(env, tuple(probes)))


def _watch(env: simpy.Environment, probes: tuple[Probe, ...]) -> simpy.events.ProcessGenerator:
    check_h = min(p.patience_h for p in probes) / 4
    last = [p.progress() for p in probes]
    since = [env.now] * len(probes)
    while True:
        yield env.timeout(check_h)
        tripped = False
        for i, probe in enumerate(probes):
            moved = probe.progress()
            if moved != last[i] or probe.waiting() <= 0:
                last[i], since[i] = moved, env.now
            elif env.now - since[i] >= probe.patience_h:
                tripped = True
        if tripped:
            # Name every place where work has waited without moving for at least half its
            # patience: the one whose patience ran out, and those it waits on or that wait on it.
            stuck = [
                f"{p.where}: {p.waiting():,.0f} {p.unit}, nothing moved for "
                f"{env.now - since[i]:,.0f} h"
                for i, p in enumerate(probes)
                if env.now - since[i] >= p.patience_h / 2 and p.waiting() > 0
            ]
            raise Stalled(env.now, stuck)
