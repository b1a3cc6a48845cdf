"""Output tables outside any recorder, for process tests of one component."""

from __future__ import annotations

from sim.engine import Table
from sim.model.tables import Containers, Tables
from sim.results.records import CONTAINER_COLUMNS, SHIPMENT_COLUMNS, TRAIN_COLUMNS, VESSEL_COLUMNS


def new_containers() -> Containers:
    """An empty containers table; ``add(**values)`` writes and opens a container."""
    return Containers(Table(CONTAINER_COLUMNS, slots=True, row_id="container_id"))


def new_tables() -> Tables:
    return Tables(
        containers=new_containers(),
        shipments=Table(SHIPMENT_COLUMNS, row_id="shipment_id"),
        trains=Table(TRAIN_COLUMNS, row_id="train_id"),
        vessels=Table(VESSEL_COLUMNS, row_id="vessel_id"),
    )
