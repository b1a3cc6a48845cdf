"""A run's replications come back with their tables stacked as they arrived: the same tables
as stacking them all at the end, and results that keep their KPIs but no longer hold columns."""

from __future__ import annotations

import pandas as pd

from sim.experiment.runner import run_one
from sim.experiment.runs import combine, replicate
from sim.scenario import load_scenario
from tests.conftest import BASELINE, SHORT_MONTH


def test_replications_are_stacked_as_they_come_and_let_go_of_their_columns():
    scenario = load_scenario(BASELINE, SHORT_MONTH)
    results, tables = replicate(scenario, 3, scenario.seed, workers=1)
    assert [r.replication for r in results] == [0, 1, 2]
    assert all(r.tables == {} and r.series == {} for r in results)
    whole = [run_one(scenario, r, scenario.seed) for r in range(3)]
    for mine, theirs in zip(results, whole, strict=True):
        pd.testing.assert_series_equal(pd.Series(mine.kpis), pd.Series(theirs.kpis))
    got, expected = tables.frames(), combine(list(reversed(whole)), scenario)
    assert list(got) == list(expected)
    for name in expected:
        pd.testing.assert_frame_equal(got[name], expected[name], check_exact=True)
