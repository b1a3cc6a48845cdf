"""The rail network: places and legs as a ``networkx`` graph; corridors are paths in it.

A :class:`Route` is a corridor walked in one direction: the legs in order, each with its
run-time distribution, railway bureau and list tariff, and the border crossing (if any) a
train stops at on the way. Tariffs after discount and mean run times are computed here, so
the demand model and the trains agree on what a route is.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass

import networkx as nx

from sim.engine.dists import Distribution


@dataclass(frozen=True, slots=True)
class Crossing:
    """Dwell of a whole train (or a vessel's containers) at a border station or sea port.

    The technical stop and the neighbouring country's formalities always apply; "four customs
    as one" skips only the Chinese side's re-declaration (``customs_h``).
    """

    place: str
    technical_h: Distribution
    customs_h: Distribution
    foreign_h: Distribution

    def parts(self, four_customs_as_one: bool) -> tuple[Distribution, ...]:
        """The dwell's parts, in the order they are drawn."""
        if four_customs_as_one:
            return (self.technical_h, self.foreign_h)
        return (self.technical_h, self.customs_h, self.foreign_h)

    def mean_h(self, four_customs_as_one: bool) -> float:
        return sum(d.mean for d in self.parts(four_customs_as_one))


@dataclass(frozen=True, slots=True)
class LegRun:
    """One leg of a route, in the direction travelled."""

    origin: str
    destination: str
    distance_km: float
    run_time_h: Distribution
    bureau_km: tuple[tuple[str, float], ...]
    """Railway operator → km of the leg it runs (a leg may cross a group boundary)."""
    tariff_cny_per_teu: float
    border: Crossing | None
    """A border crossing at ``destination`` that the train stops at, if any."""

    def tariff_after(self, discount: Mapping[str, float]) -> float:
        """The leg's tariff per TEU after each operator's discount on its own section."""
        return sum(
            self.tariff_cny_per_teu * km / self.distance_km * (1 - discount.get(bureau, 0.0))
            for bureau, km in self.bureau_km
        )


@dataclass(frozen=True, slots=True)
class Route:
    corridor: str
    direction: str
    legs: tuple[LegRun, ...]
    four_customs_as_one: bool

    @property
    def origin(self) -> str:
        return self.legs[0].origin

    @property
    def destination(self) -> str:
        return self.legs[-1].destination

    def mean_run_h(self) -> float:
        """Mean time from departure to arrival: run times plus border dwell."""
        total = 0.0
        for leg in self.legs:
            total += leg.run_time_h.mean
            if leg.border is not None:
                total += leg.border.mean_h(self.four_customs_as_one)
        return total

    def tariff_cny_per_teu(self, discount: Mapping[str, float]) -> float:
        """Rail tariff per TEU after each bureau's discount on its own sections."""
        return sum(leg.tariff_after(discount) for leg in self.legs)

    def list_tariff_cny_per_teu(self) -> float:
        return sum(leg.tariff_cny_per_teu for leg in self.legs)


class RailNetwork:
    """Places (nodes, with ``kind`` and optional crossing) and legs (edges)."""

    def __init__(self) -> None:
        self.graph = nx.Graph()

    def add_place(self, name: str, kind: str, crossing: Crossing | None) -> None:
        self.graph.add_node(name, kind=kind, crossing=crossing)

    def add_leg(
        self,
        a: str,
        b: str,
        *,
        distance_km: float,
        run_time_h: Distribution,
        bureau_km: Mapping[str, float],
        tariff_cny_per_teu: float,
    ) -> None:
        self.graph.add_edge(
            a,
            b,
            distance_km=distance_km,
            run_time_h=run_time_h,
            bureau_km=tuple(bureau_km.items()),
            tariff_cny_per_teu=tariff_cny_per_teu,
        )

    def crossing(self, place: str) -> Crossing | None:
        return self.graph.nodes[place]["crossing"]

    def route(
        self, corridor: str, direction: str, path: list[str], four_customs_as_one: bool
    ) -> Route:
        """The corridor ``path`` (hub outwards) walked for ``direction`` (import reverses it)."""
        if not nx.is_path(self.graph, path):
            raise ValueError(f"corridor {corridor}: {path} is not a path of the network")
        places = path if direction == "export" else list(reversed(path))
        legs = []
        for a, b in itertools.pairwise(places):
            edge = self.graph.edges[a, b]
            node = self.graph.nodes[b]
            border = node["crossing"] if node["kind"] == "border" else None
            legs.append(
                LegRun(
                    a,
                    b,
                    edge["distance_km"],
                    edge["run_time_h"],
                    edge["bureau_km"],
                    edge["tariff_cny_per_teu"],
                    border,
                )
            )
        return Route(corridor, direction, tuple(legs), four_customs_as_one)
