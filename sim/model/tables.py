"""The output tables the model writes, handed to its parts as one parameter.

Rows are containers, shipments, trains and sailings (:mod:`sim.results.records` gives their
columns); :func:`sim.model.build.build` makes them in the recorder.
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.engine import Table


@dataclass(frozen=True)
class Tables:
    """One row per container, shipment, train and sailing."""

    containers: Table
    shipments: Table
    trains: Table
    vessels: Table
