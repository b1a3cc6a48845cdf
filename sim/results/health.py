"""Is a run's answer a steady state? Unstable queues, the bottleneck, cargo turned away.

Read from a run's KPI summary, so ``run``, ``compare``, ``sweep``, ``check`` and the report say
the same thing:

* **unstable**: where a queue or a corridor's backlog grows for sure over the second half of
  the run (``unstable.<where>``), with the share of replications that show it. Times measured
  in such a run grow with its length; they are not the scenario's steady-state values.
* **bottleneck**: the hub resource that limits throughput — the busiest of the resources that
  serve (gate, crews, sidings, handling, customs), taking the one furthest downstream when
  several are about as busy, since a resource waiting for the next one is held while it waits
  (a siding while its train waits for a crane); if none of them is near saturation, the
  busiest of the resources that only hold cargo while it waits for something else (tracks and
  yard blocks) — or, when that is the arrival tracks and arriving trains queue for yard
  space, the import yard block they wait for.
* **turned away**: the share of cargo that went by the competing route for want of room.

Which resources serve and which hold, and their order along a container's way, is the run's
metadata (:attr:`sim.results.runinfo.RunInfo.resources`, from
:data:`~sim.results.resource_kinds.RESOURCE_KINDS`), not a list here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sim.results.i18n import current, label
from sim.results.runinfo import Resource, RunInfo

SATURATED = 0.85
"""Utilisation from which a resource counts as a bottleneck."""
NEAR = 0.02
"""Resources within this of the busiest count as "about as busy"."""
QUEUED = 0.5
"""Mean requests waiting from which a resource counts as holding up those before it."""
TURNED_AWAY = 0.005
"""Share of cargo turned away from which a run says so."""


@dataclass(frozen=True)
class Health:
    unstable: tuple[tuple[str, float], ...]
    """(where, share of replications in which it grows without bound), worst first."""
    bottleneck: tuple[str, float] | None
    """(resource, mean utilisation), or None when no resource is near saturation."""
    turned_away_share: float

    @property
    def steady(self) -> bool:
        return not self.unstable

    def lines(self) -> list[str]:
        """Plain sentences for a planner (empty when there is nothing to say)."""
        out = [self.unstable_line(), self.bottleneck_line(), self.turned_away_line()]
        return [line for line in out if line]

    def unstable_line(self) -> str:
        """Where queues grow without bound, or ``""``."""
        if not self.unstable:
            return ""
        sep = "、" if current() == "zh" else ", "
        where = sep.join(
            label("health.unstable_at", where=w, share=f"{share:.0%}") for w, share in self.unstable
        )
        return label("health.unstable", where=where)

    def bottleneck_line(self) -> str:
        """The bottleneck and how busy it is, or ``""``."""
        if self.bottleneck is None:
            return ""
        where, util = self.bottleneck
        return label("health.bottleneck", where=where, busy=f"{util:.0%}")

    def turned_away_line(self) -> str:
        """The share of cargo turned away, or ``""`` when it is negligible."""
        if self.turned_away_share <= TURNED_AWAY:
            return ""
        return label("health.turned_away", share=f"{self.turned_away_share:.1%}")


def diagnose(means: Mapping[str, float], info: RunInfo) -> Health:
    """Health of a run from its KPI means (``kpis.json``) and what it simulated."""
    unstable = sorted(
        (
            (name.removeprefix("unstable."), float(v))
            for name, v in means.items()
            if name.startswith("unstable.") and name != "unstable.count" and v > 0
        ),
        key=lambda x: (-x[1], x[0]),
    )
    away = _mean(means, "turned_away_share.total")
    return Health(tuple(unstable), bottleneck(means, info), away if away is not None else 0.0)


def _mean(means: Mapping[str, float], name: str) -> float | None:
    """A KPI's mean, or None when the run has none (or it is NaN)."""
    if name not in means:
        return None
    v = float(means[name])
    return v if v == v else None


def bottleneck(means: Mapping[str, float], info: RunInfo) -> tuple[str, float] | None:
    """The hub resource that limits throughput (see the module docstring), or None."""

    def busy(role: str) -> list[tuple[int, Resource, float]]:
        found = []
        for r in info.resources:
            v = _mean(means, f"utilisation.{r.where}") if r.role == role else None
            if v is not None:
                found.append((r.flow_order, r, v))
        return found

    for role in ("server", "holder"):
        found = busy(role)
        if not found:
            continue
        top = max(v for _, _, v in found)
        if top < SATURATED:
            continue
        _, chosen, v = max((f for f in found if f[2] >= top - NEAR), key=lambda f: f[0])
        blocker = info.resource(chosen.waits_for) if chosen.waits_for is not None else None
        if blocker is not None:
            queued = _mean(means, f"queue.{blocker.where}.mean")
            if queued is not None and queued >= QUEUED:
                util = _mean(means, f"utilisation.{blocker.where}")
                return blocker.where, util if util is not None else v
        return chosen.where, v
    return None
