"""Flows of freight and the containers they create.

A :class:`Flow` holds what the running model needs to know about one flow, as plain typed
values: its corridor and direction, the names behind its category codes, and the shipper's
cost per TEU for each (overseas place, hinterland region) pair. A container is a row of the
containers table; :meth:`Flow.new_container` appends it with its :class:`Cargo` and costs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from sim.engine import Table

ROAD = "road"
"""Corridor label of imports that reach the hub by truck."""
MIXED = "mixed"
"""Commodity and region label of a consolidated (LCL) export container."""


class Cargo(NamedTuple):
    """What a container carries, as codes into its flow's names (−1: none, or mixed)."""

    shipment_id: int
    """−1 for a consolidated (LCL export) container, which holds several shipments."""
    place: int
    commodity: int
    region: int


@dataclass(frozen=True)
class Flow:
    """One flow of freight (corridor and direction) as the running model sees it."""

    name: str
    corridor: str
    direction: str
    arrives_by: str
    places: tuple[str, ...]
    commodities: tuple[str, ...]
    agricultural: tuple[bool, ...]
    regions: tuple[str, ...]
    shipper_cost_cny_per_teu: np.ndarray
    """Indexed [place, region]: tariff after discount + sea freight + drayage − subsidy."""
    rail_discount_cny_per_teu: float
    subsidy_cny_per_teu: float
    demand_multiplier: float
    """Volume at the scenario's levers relative to the reference levers."""

    def new_container(self, table: Table, cargo: Cargo, *, teu: int, lcl: bool, t: float) -> int:
        """Append a container of this flow created at time ``t``; return its id."""
        row = table.n
        shipment_id, place, commodity, region = cargo
        cost = self.shipper_cost_cny_per_teu[max(place, 0), region] * teu
        table.add(
            container_id=row,
            shipment_id=shipment_id,
            flow=self.name,
            corridor=self.corridor,
            direction=self.direction,
            commodity=self.commodities[commodity] if commodity >= 0 else MIXED,
            place=self.places[place] if place >= 0 else None,
            region=self.regions[region] if region >= 0 else MIXED,
            teu=teu,
            lcl=lcl,
            agricultural=commodity >= 0 and self.agricultural[commodity],
            t_created=t,
            shipper_cost_cny=cost,
            subsidy_cny=self.subsidy_cny_per_teu * teu,
            rail_discount_cny=self.rail_discount_cny_per_teu * teu,
        )
        return row
