"""Two tidy KPI tables compared replication by replication: paired differences and their
intervals.

Replication ``r`` of one arm and replication ``r`` of the other draw the same random numbers
wherever they share a source (common random numbers), so the difference of a KPI is measured
pair by pair: its Student-t interval over the paired differences is narrower than the one of
two independent means (Welch's, given beside it). :func:`comparison_table` is the table of
``sim.compare`` and of :meth:`SweepResult.differences
<sim.experiment.sweep.SweepResult.differences>` (every sweep point against a reference
point).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from sim.results.kpis import unit
from sim.results.stats import paired_interval, t_interval, welch_interval

COLUMNS = [
    "kpi",
    "unit",
    "a_mean",
    "a_half_width",
    "b_mean",
    "b_half_width",
    "diff_mean",
    "diff_half_width",
    "diff_low",
    "diff_high",
    "significant",
    "independent_half_width",
    "narrowing",
    "n",
]
"""Columns of :attr:`CompareResult.table`, in order (a contract: plots read them)."""


def comparison_table(a: pd.DataFrame, b: pd.DataFrame, confidence: float = 0.95) -> pd.DataFrame:
    """One row per KPI comparing two tidy KPI tables (replication, kpi, value) pair by pair.

    Replications are paired by number; KPIs are those of A in A's order, then any only B has.
    """
    wa = a.pivot(index="replication", columns="kpi", values="value")
    wb = b.pivot(index="replication", columns="kpi", values="value")
    reps = wa.index.intersection(wb.index)
    names = list(dict.fromkeys([*a["kpi"].astype(str), *b["kpi"].astype(str)]))
    rows = []
    for name in names:
        x = _values(wa, name, reps)
        y = _values(wb, name, reps)
        ca, cb = t_interval(x, confidence), t_interval(y, confidence)
        d = paired_interval(x, y, confidence)
        w = welch_interval(x, y, confidence)
        narrowing = (
            1.0 - d.half_width / w.half_width
            if math.isfinite(w.half_width) and w.half_width > 0
            else float("nan")
        )
        rows.append(
            {
                "kpi": name,
                "unit": unit(name),
                "a_mean": ca.mean,
                "a_half_width": ca.half_width,
                "b_mean": cb.mean,
                "b_half_width": cb.half_width,
                "diff_mean": d.mean,
                "diff_half_width": d.half_width,
                "diff_low": d.low,
                "diff_high": d.high,
                "significant": bool(d.low > 0 or d.high < 0),
                "independent_half_width": w.half_width,
                "narrowing": narrowing,
                "n": d.n,
            }
        )
    table = pd.DataFrame(rows, columns=COLUMNS)
    table["significant"] = table["significant"].astype(bool)
    table["n"] = table["n"].astype("int64")
    return table


def _values(wide: pd.DataFrame, name: str, reps: pd.Index) -> np.ndarray:
    if name not in wide.columns:
        return np.full(len(reps), np.nan)
    return np.asarray(wide.loc[reps, name], dtype=float)
