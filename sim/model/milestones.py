"""Milestones: the moments a container, a train or a shipment passes, by the name of the column
that records each.

Model code writes ``containers[GATE_IN][cid] = env.now``, never a string: a misspelt name is
an ``ImportError`` when the module that uses it is imported (and ruff and mypy flag it before
that), not a ``KeyError`` in the middle of a run. The names are columns of the output tables
(:mod:`sim.results.records`, which the model does not own); this module checks at import that
each one is a column of its table, so the two cannot drift apart.
"""

from __future__ import annotations

from typing import Final

from sim.results.records import (
    CONTAINER_MILESTONES,
    SHIPMENT_COLUMNS,
    TRAIN_COLUMNS,
    VESSEL_COLUMNS,
)

# -- a container (the containers table), in the order of CONTAINER_MILESTONES ---------------
CREATED: Final = "t_created"
GATE_IN: Final = "t_gate_in"
CONSOLIDATED: Final = "t_consolidated"
"""Stuffed in the consolidation centre (LCL exports) or unstuffed after release (LCL imports)."""
YARD_IN: Final = "t_yard_in"
CUSTOMS_START: Final = "t_customs_start"
CUSTOMS_END: Final = "t_customs_end"
LOADED: Final = "t_loaded"
TRAIN_DEPARTED: Final = "t_train_departed"
BORDER: Final = "t_border"
TRAIN_ARRIVED: Final = "t_train_arrived"
PORT: Final = "t_port"
"""Through the rail–sea port's dwell: at the quay (exports) or ready for the train (imports)."""
VESSEL: Final = "t_vessel"
DELIVERED: Final = "t_delivered"
TURNED_AWAY: Final = "t_turned_away"

CONTAINER: Final = (
    CREATED,
    GATE_IN,
    CONSOLIDATED,
    YARD_IN,
    CUSTOMS_START,
    CUSTOMS_END,
    LOADED,
    TRAIN_DEPARTED,
    BORDER,
    TRAIN_ARRIVED,
    PORT,
    VESSEL,
    DELIVERED,
    TURNED_AWAY,
)

# -- a train (the trains table) ----------------------------------------------------------------
SCHEDULED: Final = "t_scheduled"
OPENED: Final = "t_open"
"""Placed for loading (at the hub: on a siding)."""
DEPARTED: Final = "t_departed"
ARRIVED: Final = "t_arrived"
"""A train at the end of its route; a vessel at its destination; a shipment's cargo where its
containers are created (see :mod:`sim.results.records`)."""
RECEIVED: Final = "t_received"
"""An import train received on an arrival/departure track at the hub."""
ON_SIDING: Final = "t_siding"
UNLOADED: Final = "t_unloaded"

TRAIN: Final = (SCHEDULED, OPENED, DEPARTED, ARRIVED, RECEIVED, ON_SIDING, UNLOADED)


def _check() -> None:
    """Every name here is a column of its table, and every container milestone is here."""
    if CONTAINER != CONTAINER_MILESTONES:
        raise ImportError(
            f"container milestones {CONTAINER} differ from the containers table's "
            f"{CONTAINER_MILESTONES}"
        )
    for names, columns, table in (
        (TRAIN, TRAIN_COLUMNS, "trains"),
        ((CREATED, ARRIVED), SHIPMENT_COLUMNS, "shipments"),
        ((ARRIVED,), VESSEL_COLUMNS, "vessels"),
    ):
        missing = [n for n in names if n not in columns]
        if missing:
            raise ImportError(f"milestones {missing} are not columns of the {table} table")


_check()
