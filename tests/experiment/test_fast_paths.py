"""The speed-ups found with benchmarks/bench_parallel.py change no number and no file:
categoricals built straight from the recorded text (or its codes), timestamps computed in a
few vectorised steps, run folders written with parallel threads (worker results and workers
that start without scipy: ``tests/system/test_worker_pool.py``)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.engine import Coded
from sim.experiment.runner import run_one
from sim.results.tables import frame, timestamps
from sim.scenario import load_scenario
from tests.conftest import BASELINE, SHORT_MONTH


def slow_frame(columns, start=None) -> pd.DataFrame:
    """What frame() did before: pandas' own conversion of text (decoded) and timestamps."""
    df = pd.DataFrame({k: v.decode() if isinstance(v, Coded) else v for k, v in columns.items()})
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
        {
            "a": Coded(np.array([2, -1, 0, 2], dtype=np.int32), ("z", "unused", "b")),
            "t_y": np.ones(4),
        },
        {"a": Coded(np.array([-1, -1], dtype=np.int32), ("x",)), "t_y": np.array([np.nan, 0.5])},
        {"a": Coded(np.empty(0, dtype=np.int32), ())},
    ],
)
def test_frame_gives_what_pandas_own_conversion_gave(columns):
    for start in (None, pd.Timestamp("2023-01-01").date()):
        pd.testing.assert_frame_equal(frame(columns, start), slow_frame(columns, start))


@pytest.fixture(scope="module")
def month():
    scenario = load_scenario(BASELINE, SHORT_MONTH)
    return scenario, [run_one(scenario, r) for r in range(2)]


@pytest.mark.parametrize(
    "hours",
    [
        np.array([1.0, np.nan, 3.0, -4.0]),  # all whole: pandas picks microseconds
        np.array([np.nan, np.nan]),
        np.array([0.1, -1e-9, 1 / 3, 8759.999999999, np.nan]),
        np.random.default_rng(1).uniform(-504, 9000, 10_000),
    ],
)
def test_timestamps_are_what_pandas_makes_of_hours_in_nanoseconds(hours):
    for start in (pd.Timestamp("2023-01-01").date(), pd.Timestamp("1950-06-30").date()):
        moments = pd.Timestamp(start) + pd.to_timedelta(hours, unit="h")
        expected = pd.DatetimeIndex(moments).as_unit("ns").to_numpy()
        got = timestamps(hours, start)
        assert got.dtype == expected.dtype
        assert np.array_equal(got.view("i8"), expected.view("i8"))


def test_frame_of_a_whole_replication_is_unchanged(month):
    scenario, results = month
    for cols in results[0].tables.values():
        pd.testing.assert_frame_equal(frame(cols, scenario.start), slow_frame(cols, scenario.start))


def test_a_replication_runs_with_the_collector_paused_and_restores_it(monkeypatch):
    """The cyclic collector is off while a replication runs (no pass over the heap mid-run),
    on again after it, and the tasks of a worker run with its imports frozen."""
    import gc

    from sim.experiment import backends, runner

    seen: list[bool] = []
    real = runner.build

    def build(*args, **kwargs):
        seen.append(gc.isenabled())
        return real(*args, **kwargs)

    monkeypatch.setattr(runner, "build", build)
    scenario = load_scenario(BASELINE, SHORT_MONTH)
    assert gc.isenabled()
    backends.run_checked(backends.this_code(), run_one, (scenario, 0))
    assert seen == [False]
    assert gc.isenabled()
    assert gc.get_freeze_count() > 0
