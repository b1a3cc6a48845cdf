"""The statistical band: how far a KPI's mean may move before the check calls it a regression.

The baseline and the new run are two independent samples of replication means, so for each
KPI the difference of means ``d = now − baseline`` is judged against
``band = t(1 − α/2, ν) · sqrt(se_b² + se_n²)`` with ``se = std / sqrt(n)`` over
replications, α = 1 % (:data:`CONFIDENCE` 99 %) and ν the Welch–Satterthwaite degrees of
freedom. A KPI fails when ``|d| > band``. With 99 % bands a model that did not change raises
a false alarm on one KPI in a hundred at most; a change of a few standard errors is caught.

Some KPIs do not vary between replications (the train count of a fixed timetable): their
standard error is zero and the t band would be zero, so counts (trains, TEU) get a floor of
half a unit (:data:`COUNT_FLOOR`) — a change in one replication passes, a change of the count
in most replications fails. A continuous KPI with zero variance has no floor.
"""

from __future__ import annotations

import math

from sim.experiment.regression.baseline import KpiRecord
from sim.results.formatting import is_count
from sim.results.stats import t_quantile, welch_dof

CONFIDENCE = 0.99
"""Confidence of the allowed band of a difference of means."""
COUNT_FLOOR = 0.5
"""Smallest band of a count KPI (trains, TEU), in its unit."""


def allowed_band(base: KpiRecord, now: KpiRecord, confidence: float = CONFIDENCE) -> float:
    """Largest |now.mean − base.mean| that passes (see the module docstring for the rule)."""
    floor = COUNT_FLOOR if is_count(base.unit) else 0.0
    vb, vn = base.se**2, now.se**2
    if vb + vn == 0:
        return floor
    t = t_quantile(0.5 + confidence / 2, welch_dof(vb, base.n, vn, now.n))
    return max(t * math.sqrt(vb + vn), floor)
