"""Tables stacked as replications arrive are the tables stacked all at once: same rows in
replication order, same dtypes, same categories, whatever order the replications come in."""

from __future__ import annotations

import random

import numpy as np
import pandas as pd
import pytest

from sim.engine import Coded
from sim.experiment.runner import run_one
from sim.results.stacking import MARGIN, StackedTables, stacked
from sim.results.tables import frame, stack, stacked_queue_frame
from sim.scenario import load_scenario
from tests.conftest import BASELINE, SHORT_MONTH

START = pd.Timestamp("2023-01-01").date()


def all_at_once(parts, start=START):
    """What a run's tables were before they were stacked as they came: the plain way."""
    names = list(parts[0][1]) if parts else []
    out = {
        name: frame(stack([(rep, tables[name]) for rep, tables, _ in parts]), start, nullable=True)
        for name in names
    }
    out["queues"] = stacked_queue_frame([(rep, series) for rep, _, series in parts], start)
    return out


def assert_same(got, expected):
    assert list(got) == list(expected)
    for name in expected:
        pd.testing.assert_frame_equal(got[name], expected[name], check_exact=True)


def replication(rep: int, n: int, *, seen=("b", "a", "c")) -> tuple:
    """Synthetic recorded columns of ``n`` rows: coded text (categories differing by
    replication, some unused, some missing), IDs with −1, hours with NaN, a level series."""
    rng = np.random.default_rng(rep)
    codes = rng.integers(-1, len(seen), n).astype(np.int32)
    train = rng.integers(-1, 5, n)
    hours = rng.uniform(-100, 5000, n)
    hours[rng.random(n) < 0.2] = np.nan
    tables = {
        "boxes": {
            "box_id": np.arange(n, dtype=np.int64),
            "kind": Coded(codes, tuple(seen)),
            "train_id": train,
            "teu": rng.integers(1, 3, n),
            "lcl": rng.random(n) < 0.5,
            "t_gate_in": hours,
            "cost_cny": rng.random(n),
        },
        "empty": {"t_x": np.empty(0), "name": Coded(np.empty(0, dtype=np.int32), ())},
    }
    m = 3 + rep
    series = {
        f"port.{w}": {
            "t": np.sort(rng.uniform(0, 100, m)),
            "queue": rng.integers(0, 9, m),
            "busy": rng.random(m),
            "capacity": np.full(m, 2.0),
        }
        for w in (("yard", "gate") if rep % 2 else ("gate", "crane"))
    }
    return rep, tables, series


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_stacked_as_they_come_in_any_order_is_stacked_all_at_once(seed):
    # later replications far larger than the first: the reserved room is outgrown
    parts = [replication(r, 5 + 40 * r, seen=("b", "a", "c")[: 1 + r % 3]) for r in range(6)]
    arrivals = list(parts)
    random.Random(seed).shuffle(arrivals)
    tables = StackedTables(START, range(6))
    for rep, t, s in arrivals:
        tables.add(rep, t, s)
    assert_same(tables.frames(), all_at_once(parts))


def test_replications_are_stacked_in_the_order_given():
    parts = [replication(r, 7) for r in (4, 1, 9)]
    tables = StackedTables(START, [1, 4, 9])
    for rep, t, s in parts:
        tables.add(rep, t, s)
    ordered = sorted(parts, key=lambda p: p[0])
    assert_same(tables.frames(), all_at_once(ordered))
    assert tables.frames()["boxes"]["replication"].unique().tolist() == [1, 4, 9]


def test_without_a_start_date_no_timestamps_are_made():
    parts = [replication(r, 9) for r in range(3)]
    got = stacked(None, parts)
    assert_same(got, all_at_once(parts, start=None))
    assert "gate_in_at" not in got["boxes"]


def test_a_column_that_changes_kind_or_holds_raw_text_is_stacked_the_plain_way():
    parts = [replication(r, 11) for r in range(4)]
    # replication 2: text decoded (an object array), and the TEU as floats
    decoded = dict(parts[2][1]["boxes"])
    decoded["kind"] = decoded["kind"].decode()
    decoded["teu"] = decoded["teu"].astype(float)
    parts[2] = (2, {**parts[2][1], "boxes": decoded}, parts[2][2])
    # a table of raw text from the first replication on
    for _, tables, _ in parts:
        tables["words"] = {"w": np.array(["x", "y"], dtype=object), "n": np.arange(2)}
    got = stacked(START, parts)
    assert_same(got, all_at_once(parts))
    assert got["boxes"]["teu"].dtype == np.float64
    assert list(got["words"]["w"].cat.categories) == ["x", "y"]


def test_no_level_series_and_no_replications_give_the_empty_tables_of_old():
    parts = [(r, replication(r, 4)[1], {}) for r in range(2)]
    assert_same(stacked(START, parts), all_at_once(parts))
    assert_same(stacked(START, []), all_at_once([]))


def test_a_replication_not_expected_or_missing_is_refused():
    tables = StackedTables(START, [0, 1])
    rep, t, s = replication(0, 3)
    tables.add(rep, t, s)
    with pytest.raises(ValueError, match="replication 0"):
        tables.add(rep, t, s)
    with pytest.raises(ValueError, match="replication 5"):
        tables.add(5, t, s)
    with pytest.raises(ValueError, match=r"\[1\]"):
        tables.frames()


def test_the_room_reserved_is_the_first_replications_rows_times_all_with_a_margin():
    tables = StackedTables(START, range(10))
    rep, t, s = replication(0, 100)
    tables.add(rep, t, s)
    room = len(tables.tables["boxes"].columns["teu"]._data)
    assert room >= 100 * 10 * MARGIN
    assert room < 100 * 10 * MARGIN + 1000


@pytest.fixture(scope="module")
def month():
    scenario = load_scenario(BASELINE, SHORT_MONTH)
    return scenario, [run_one(scenario, r) for r in range(3)]


def test_a_runs_recorded_tables_stack_as_they_did(month):
    scenario, results = month
    parts = [(r.replication, r.tables, r.series) for r in results]
    tables = StackedTables(scenario.start, range(3))
    for rep, t, s in reversed(parts):
        tables.add(rep, t, s)
    got = tables.frames()
    assert_same(got, all_at_once(parts, scenario.start))
    assert str(got["containers"]["train_id"].dtype) == "Int64"
    assert got["containers"]["replication"].is_monotonic_increasing
