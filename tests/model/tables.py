"""Output tables outside any recorder, for process tests of one component."""

from __future__ import annotations

from sim.engine import Table
from sim.model.tables import Containers, Tables
from sim.results.records import CONTAINER_COLUMNS, SHIPMENT_COLUMNS, TRAIN_COLUMNS, VESSEL_COLUMNS


def new_containers() -> Containers:
    """An empty containers table; ``add(**values)`` writes and opens a container."""
    return Containers(Table(CONTAINER_COLUMNS, slots=True))


def new_tables() -> Tables:
    return Tables(
        containers=new_containers(),
        shipments=Table(SHIPMENT_COLUMNS),
        trains=Table(TRAIN_COLUMNS),
        vessels=Table(VESSEL_COLUMNS),
    )
