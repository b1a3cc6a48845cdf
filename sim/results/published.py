"""The port's published 2023 and 2024 figures (docs/reference/huaihua-facts.md), for
comparison only.

They are never inputs to the model: the baseline scenario's inputs are chosen so that the
simulated KPIs come out near them, and reports and the regression check show them side by side.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.results.kpis.measures import train_kpis

SOURCE = "Huaihua International Land Port feature article, 2023 (1 Jan – 31 Aug 2023)"

WINDOW = (dt.date(2023, 1, 1), dt.date(2023, 8, 31))
"""The period the published figures cover; they compare only with runs over it."""

PUBLISHED_2023: dict[str, float] = {
    "trains.total": 272,
    "trains.qinzhou_rail_sea": 233,
    "trains.china_laos": 29,
    "trains.china_vietnam": 10,
    "clearance_h.import.mean": 29.69,
    "clearance_h.export.mean": 0.09,
}

TOLERANCE: dict[str, float] = {
    "trains.total": 0.03,
    "trains.qinzhou_rail_sea": 0.03,
    "trains.china_laos": 0.03,
    "trains.china_vietnam": 0.03,
    "clearance_h.import.mean": 0.05,
    "clearance_h.export.mean": 0.10,
}
"""Relative tolerance of the calibration: the baseline's replication mean must be this close."""


SOURCE_2024 = (
    "China News Service (2 Jul 2024, 17 Oct 2024) and China Daily (Mar 2025), "
    "see docs/reference/huaihua-facts.md"
)


@dataclass(frozen=True)
class PeriodFigure:
    """A published count over part of a year, to set beside a run that covers it."""

    label: str
    first: dt.date
    last: dt.date
    kpi: str
    value: float
    tolerance: float


PUBLISHED_2024: tuple[PeriodFigure, ...] = (
    PeriodFigure(
        "trains, H1 2024", dt.date(2024, 1, 1), dt.date(2024, 6, 30), "trains.total", 459, 0.03
    ),
    PeriodFigure(
        "TEU, H1 2024", dt.date(2024, 1, 1), dt.date(2024, 6, 30), "teu.total", 22936, 0.05
    ),
    PeriodFigure(
        "trains, Q1–Q3 2024", dt.date(2024, 1, 1), dt.date(2024, 9, 30), "trains.total", 731, 0.03
    ),
    PeriodFigure(
        "China–Laos trains, Q1–Q3 2024",
        dt.date(2024, 1, 1),
        dt.date(2024, 9, 30),
        "trains.china_laos",
        261,
        0.03,
    ),
    PeriodFigure(
        "trains, 2024", dt.date(2024, 1, 1), dt.date(2024, 12, 31), "trains.total", 1009, 0.03
    ),
)
"""Published 2024 figures; trains count both directions, as in 2023."""


def period_values(
    trains: pd.DataFrame, start: dt.date, figures: Iterable[PeriodFigure]
) -> list[tuple[PeriodFigure, float]]:
    """Each figure's KPI over its period, from a run's trains table (mean over
    replications), for a run that starts on or before the period and covers it."""
    out = []
    for fig in figures:
        if fig.first != start:
            raise ValueError(f"{fig.label}: the run starts {start}, the period {fig.first}")
        end_h = ((fig.last - start).days + 1) * 24.0
        per_rep = [
            train_kpis(g, end_h, sorted(set(g["corridor"].astype(str))))[fig.kpi]
            for _, g in trains.groupby("replication")
        ]
        out.append((fig, float(np.mean(per_rep))))
    return out
