"""Flows of freight and the containers they create.

A :class:`Flow` holds what the running model needs to know about one flow, as plain typed
values: its corridor and direction, the names behind its category codes, and the shipper's
cost per TEU for each (overseas place, hinterland region) pair. A container is a row of the
containers table, written from its flow by :class:`~sim.model.tables.Containers`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

ROAD = "road"
"""Corridor label of imports that reach the hub by truck."""
MIXED = "mixed"
"""Commodity and region label of a consolidated (LCL) export container."""


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
