"""The speed-ups found with benchmarks/bench_parallel.py change no number and no file:
categoricals built straight from the recorded text, run folders written with parallel
threads (worker results and workers that start without scipy:
``tests/system/test_worker_pool.py``)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.experiment.runner import run_one
from sim.results.tables import frame
from sim.scenario import load_scenario
from tests.conftest import BASELINE, SHORT_MONTH


def slow_frame(columns, start=None) -> pd.DataFrame:
    """What frame() did before: pandas' own conversion of text columns."""
    df = pd.DataFrame(dict(columns))
    for name in df.columns:
        if df[name].dtype == object or pd.api.types.is_string_dtype(df[name]):
            df[name] = df[name].astype("category")
    if start is not None:
        origin = pd.Timestamp(start)
        for name in [c for c in df.columns if c.startswith("t_")]:
            # one resolution everywhere (pandas itself picks us or ns by the values)
            df[name[2:] + "_at"] = (origin + pd.to_timedelta(df[name], unit="h")).dt.as_unit("ns")
    return df


@pytest.mark.parametrize(
    "columns",
    [
        {"a": np.array(["b", None, "a", "b"], dtype=object), "t_x": np.array([1.0, np.nan, 3, 4])},
        {"a": np.empty(0, dtype=object), "t_x": np.empty(0)},
        {"a": np.array([None, None], dtype=object), "n": np.array([1, 2])},
        {"a": np.array(["z", "y"]), "f": np.array([True, False])},
        {"a": np.array([1, "x"], dtype=object)},
    ],
)
def test_frame_gives_what_pandas_own_conversion_gave(columns):
    for start in (None, pd.Timestamp("2023-01-01").date()):
        pd.testing.assert_frame_equal(frame(columns, start), slow_frame(columns, start))


@pytest.fixture(scope="module")
def month():
    scenario = load_scenario(BASELINE, SHORT_MONTH)
    return scenario, [run_one(scenario, r) for r in range(2)]


def test_frame_of_a_whole_replication_is_unchanged(month):
    scenario, results = month
    for cols in results[0].tables.values():
        pd.testing.assert_frame_equal(frame(cols, scenario.start), slow_frame(cols, scenario.start))
