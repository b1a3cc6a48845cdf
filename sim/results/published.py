"""The port's published 2023 figures (reference/huaihua-facts.md), for comparison only.

They are never inputs to the model: the baseline scenario's inputs are chosen so that the
simulated KPIs come out near them, and reports and the regression check show them side by side.
"""

from __future__ import annotations

import datetime as dt

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
