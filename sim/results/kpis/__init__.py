"""Key performance indicators: the registry of KPI families and their computations.

:data:`KPIS` is the registry (:mod:`sim.results.kpis.registry`): each family of KPIs defined
once in :mod:`sim.results.kpis.families`, computed by :mod:`sim.results.kpis.measures`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import pandas as pd

from sim.results.kpis.families import KPIS
from sim.results.kpis.measures import DIRECTIONS, KpiInputs, counted_trains, train_kpis
from sim.results.kpis.registry import Derived, Family, Registry
from sim.results.runinfo import RunInfo
from sim.results.tables import Columns

__all__ = [
    "DIRECTIONS",
    "KPIS",
    "Derived",
    "Family",
    "KpiInputs",
    "Registry",
    "compute_kpis",
    "counted_trains",
    "headline",
    "kpi_label",
    "train_kpis",
    "unit",
]


def compute_kpis(
    containers: pd.DataFrame | Columns,
    trains: pd.DataFrame | Columns,
    queues: pd.DataFrame | Mapping[str, Columns],
    *,
    horizon_h: float,
    corridors: Iterable[str],
    hub: str,
) -> dict[str, float]:
    """Every KPI of one replication, as a flat name → value map, from its tables: recorded
    columns (a table's :meth:`~sim.engine.Table.arrays`, the level series' ``arrays()`` by
    resource) or the DataFrames :func:`~sim.results.tables.frame` and
    :func:`~sim.results.tables.queue_frame` make of them."""
    return KPIS.compute(KpiInputs(containers, trains, queues, horizon_h, tuple(corridors), hub))


def unit(name: str) -> str:
    """The unit of a KPI (``""`` for a name no family has)."""
    return KPIS.unit(name)


def kpi_label(name: str, info: RunInfo | None = None, lang: str = "en") -> str:
    """A planner's wording of a dotted KPI name, e.g. ``clearance_h.import.mean`` → "Import
    customs clearance time, mean". Unknown names come back unchanged."""
    return KPIS.label(name, info, lang)


def headline(present: Sequence[str], info: RunInfo | None = None) -> list[str]:
    """The headline KPIs among ``present``, in the order a planner reads them."""
    return KPIS.select(present, "headline", info)
