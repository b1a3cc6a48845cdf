"""Where work can wait in the model: the watchdog's probes (see :mod:`sim.engine.watchdog`).

Every resource is a probe, and so is the cargo waiting for each train service and each liner
service, whose patience covers the longest gap of its timetable.

A resource whose units are held by work that itself waits for other resources makes progress
when those move: a train on an arrival track waits for yard space and a siding, a container
in the yard for customs (and, for an export, a train), a train on a siding for a handling
unit. So a slow chain is not taken for a stuck one: such a resource's progress counts the
moves of those it waits on.

Disruptions close things by plan: a resource closed by one has no waiting work (as in the
engine), nor has a resource whose work waits, directly or further down the chain, on one
closed by a disruption or on a train service whose trains a disruption cancels; cargo waiting
for a cancelled train, for a train the closed sidings or handling of the hub cannot load, or
for a sailing from a closed port waits by plan too. Once the
disruption is over, the clock of each probe starts again, so a model that is really stuck
during or after a disruption is still stopped.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence

import numpy as np

from sim.engine import Probe, Resource
from sim.model.timetable import longest_gap_h
from sim.model.train import TrainService
from sim.model.vessels import VesselService

Waited = Resource | TrainService


def resource_probes(
    resources: Iterable[Resource],
    waits_on: Mapping[Resource, Sequence[Waited]],
    stall_h: float,
    closed: Callable[[Waited], bool] | None = None,
) -> list[Probe]:
    """A probe for each resource; its progress also counts the moves of the resources (and
    the departures of the train services) that work holding it waits on. With ``closed``
    (whether a disruption has closed a resource or cancels a service's trains now), a resource
    has no waiting work while anything it waits on, down the chain, is so closed."""
    probes = []
    for r in resources:
        deps = tuple(_progress(d) for d in waits_on.get(r, ()))
        chain = _downstream(r, waits_on)
        waiting = r.waiting if closed is None or not chain else _unless(r, chain, closed)
        probes.append(Probe(r.where, waiting, _chain(r, deps), stall_h, "requests waiting"))
    return probes


def _downstream(r: Resource, waits_on: Mapping[Resource, Sequence[Waited]]) -> tuple[Waited, ...]:
    """What work at ``r`` waits on, directly or through the resources it waits on."""
    seen: list[Waited] = []
    todo = list(waits_on.get(r, ()))
    while todo:
        d = todo.pop()
        if d in seen or d is r:
            continue
        seen.append(d)
        if isinstance(d, Resource):
            todo.extend(waits_on.get(d, ()))
    return tuple(seen)


def _unless(
    r: Resource, chain: tuple[Waited, ...], closed: Callable[[Waited], bool]
) -> Callable[[], float]:
    return lambda: 0 if any(closed(d) for d in chain) else r.waiting()


def _progress(d: Resource | TrainService) -> Callable[[], int]:
    if isinstance(d, Resource):
        return lambda: d.moves
    return lambda: d.departed


def _chain(r: Resource, deps: tuple[Callable[[], int], ...]) -> Callable[[], int]:
    return lambda: r.moves + sum(f() for f in deps)


def patience_h(stall_h: float, t0_h: float, ahead: np.ndarray) -> float:
    """How long cargo may wait for a service with departures ``ahead`` (from ``t0_h`` on, past
    the horizon) before it counts as stuck: the longest wait for a departure, twice, and at
    least ``stall_h``."""
    gap = longest_gap_h(np.concatenate(([t0_h], ahead))) if len(ahead) else math.inf
    return max(stall_h, 2 * gap)


def train_probe(
    where: str,
    service: TrainService,
    patience: float,
    closed: Callable[[TrainService], bool] | None = None,
) -> Probe:
    """Cargo waiting for ``service``'s trains; with ``closed``, none waits while the service
    is closed by a disruption (its trains cancelled, or the hub's sidings or handling that
    load them closed)."""
    shut = closed if closed is not None else TrainService.cancelled_now
    return Probe(
        where,
        lambda: 0 if shut(service) else len(service.waiting),
        lambda: service.departed,
        patience,
        "containers waiting for a train",
    )


def liner_probe(where: str, service: VesselService, patience: float) -> Probe:
    return Probe(
        where,
        lambda: 0 if service.closed_now() else service.waiting(),
        lambda: service.sailed,
        patience,
        "containers waiting for a sailing",
    )
