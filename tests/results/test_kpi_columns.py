"""The KPIs of a replication from its recorded columns: the same numbers, to the bit, as from
its DataFrames and as the plain computations they replace (``math.fsum``, scipy's
Kaplan–Meier estimate, pandas' grouped mean)."""

import math
import struct

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from scipy.stats import CensoredData, ecdf

from sim.experiment.runner import simulate
from sim.results.kpis import compute_kpis
from sim.results.kpis.measures import _mean_at_least, flow_kpis
from sim.results.states import STATES, WAITING, state_codes, state_levels
from sim.results.stats import (
    exact_sum,
    exact_sums,
    growth,
    step_integral,
    step_integrals,
    survival,
)
from sim.results.tables import LevelColumns, TableColumns, frame, queue_frame
from sim.scenario import load_scenario
from tests.conftest import BASELINE


def bits(values: list[float]) -> bytes:
    return struct.pack(f"{len(values)}d", *values)


def fsum(x: np.ndarray) -> float:
    return math.fsum(x[x != 0].tolist())


# ---------------------------------------------------------------------------- exact sums

finite = st.floats(allow_nan=False, allow_infinity=False)


@settings(max_examples=300, deadline=None)
@given(
    hnp.arrays(np.float64, st.integers(0, 3000), elements=finite),
    st.integers(0, 2**32 - 1),
)
def test_exact_sums_are_fsum_to_the_bit(x, seed):
    groups = np.random.default_rng(seed).integers(0, 3, len(x))
    try:
        expected = [fsum(x[groups == g]) for g in range(3)]
    except OverflowError:  # on the way to a sum near the largest float: fsum gives none
        assume(False)
    assert bits(exact_sums(x, groups, 3)) == bits(expected)


@pytest.mark.parametrize("n", [1023, 1024, 5000])
def test_long_sums_of_hard_cases_are_fsum_to_the_bit(n):
    rng = np.random.default_rng(n)
    cases = [
        rng.standard_normal(n) * 10.0 ** rng.integers(-300, 300, n),  # every magnitude
        rng.integers(-5, 5, n) * 2.0 ** rng.integers(-1074, -1040, n),  # subnormal
        np.concatenate([(a := rng.standard_normal(n) * 1e16), -a, [1e-20, 3e-21]]),  # cancel
        np.array([1.0, 2.0**-53, 2.0**-106] * n) * rng.choice([-1, 1], 3 * n),  # ties
        np.diff(np.sort(rng.random(n) * 5000)) * rng.integers(0, 30, n - 1),  # step widths
        np.zeros(n),
    ]
    for x in cases:
        assert bits([exact_sum(x)]) == bits([fsum(x)])


@pytest.mark.parametrize("dtype", [np.int8, np.uint8, np.int16, np.intp])
def test_groups_given_as_narrow_codes_sum_as_wide_ones(dtype):
    rng = np.random.default_rng(7)
    x = rng.standard_normal(3000)
    groups = rng.integers(0, 100, len(x))
    expected = [fsum(x[groups == g]) for g in range(100)]
    assert bits(exact_sums(x, groups.astype(dtype), 100)) == bits(expected)


def test_sums_that_are_not_finite_are_what_fsum_makes_of_them():
    x = np.ones(2000)
    x[7] = np.nan
    assert math.isnan(exact_sum(x))
    x[7] = np.inf
    assert exact_sum(x) == math.inf
    x[8] = -np.inf
    with pytest.raises(ValueError, match="inf"):
        exact_sum(x)


def test_step_integrals_together_are_each_alone():
    rng = np.random.default_rng(5)
    t = np.sort(rng.random(4000) * 100)
    values = [rng.integers(0, 9, 4000), rng.random(4000), np.zeros(4000)]
    for a, b in ((0.0, 100.0), (50.0, 90.0), (-5.0, 3.0), (120.0, 130.0)):
        together = step_integrals(t, values, a, b)
        assert bits(together) == bits([step_integral(t, v, a, b) for v in values])
        assert together[0] == pytest.approx(
            sum(w * v for w, v in zip(np.diff(np.clip([*t, b], a, b)), values[0], strict=False))
            + max(min(t[0], b) - a, 0) * values[0][0],
            rel=1e-9,
        )


# ---------------------------------------------------------------------------- survival


@settings(max_examples=200, deadline=None)
@given(
    hnp.arrays(np.float64, st.integers(2, 300), elements=st.floats(0, 1e4).map(round)),
    st.integers(0, 2**32 - 1),
)
def test_kaplan_meier_is_scipys_to_the_bit(durations, seed):
    ended = np.random.default_rng(seed).random(len(durations)) < 0.7
    if ended.all() or not ended.any():
        ended[0], ended[-1] = True, False
    sf = ecdf(CensoredData(uncensored=durations[ended], right=durations[~ended])).sf
    km = survival(durations, ended)
    assert km.times.tobytes() == np.asarray(sf.quantiles, dtype=float).tobytes()
    assert km.survival.tobytes() == np.asarray(sf.probabilities, dtype=float).tobytes()


# ---------------------------------------------------------------------------- full trains


@pytest.mark.parametrize("n", [1, 7, 200])
def test_a_mean_at_a_threshold_is_decided_as_pandas_decides_it(n):
    rng = np.random.default_rng(n)
    for values in (
        np.full(n, 0.9),
        np.full(n, 45 / 50),
        rng.choice([0.8, 1.0], n),
        np.full(n, np.nextafter(0.9, 0.0)),
        np.append(rng.random(n), np.nan),
    ):
        pandas = pd.Series(values).groupby(np.zeros(len(values))).mean().iloc[0] >= 0.9
        assert _mean_at_least(values, 0.9) == bool(pandas)


# ---------------------------------------------------------------------------- whole replications


@pytest.fixture(scope="module")
def replication():
    scenario = load_scenario(BASELINE, overrides={"end": "2023-03-31", "warmup_days": 7})
    recorder, _ = simulate(scenario, 3)
    tables = {name: t.arrays() for name, t in recorder.tables.items()}
    series = {where: s.arrays() for where, s in recorder.series.items()}
    return scenario, tables, series


def test_kpis_from_columns_are_those_from_dataframes_to_the_bit(replication):
    scenario, tables, series = replication
    how = {
        "horizon_h": scenario.horizon_h,
        "corridors": list(scenario.corridors),
        "hub": scenario.hub,
    }
    from_columns = compute_kpis(tables["containers"], tables["trains"], series, **how)
    from_frames = compute_kpis(
        frame(tables["containers"]), frame(tables["trains"]), queue_frame(series), **how
    )
    assert list(from_columns) == list(from_frames)
    assert bits(list(from_columns.values())) == bits(list(from_frames.values()))
    assert from_columns["teu.total"] > 0


def test_kpis_of_a_table_with_many_corridor_names_are_those_with_few(replication):
    """Categorical codes are 8-bit up to 127 names: keys made from them must not wrap."""
    scenario, tables, _ = replication
    containers = frame(tables["containers"])
    names = list(containers["corridor"].cat.categories)
    many = containers.assign(
        corridor=containers["corridor"].cat.set_categories([f"x{i:02d}" for i in range(70)] + names)
    )
    assert many["corridor"].cat.codes.dtype == np.int8
    assert many["corridor"].cat.codes.max() >= 64
    few, wide = (flow_kpis(c, scenario.horizon_h) for c in (containers, many))
    assert wide == few


def test_states_from_columns_are_the_milestone_by_milestone_states(replication):
    scenario, tables, _ = replication
    c = frame(tables["containers"])
    t = scenario.horizon_h / 2
    codes = state_codes(TableColumns(tables["containers"]), t)
    assert np.array_equal(codes, state_codes(c, t))
    # the definition: the state after the last milestone reached, in its direction's order
    from sim.results.records import EXPORT_ORDER
    from sim.results.states import EXPORT_STATES

    export = np.flatnonzero(c["direction"].astype(str).to_numpy() == "export")
    expected = np.full(len(export), -1)
    for milestone in EXPORT_ORDER:
        expected[c[milestone].to_numpy()[export] <= t] = STATES.index(EXPORT_STATES[milestone])
    turned = c["t_turned_away"].to_numpy()[export] <= t
    expected[turned] = STATES.index("turned_away")
    assert np.array_equal(codes[export], expected)


def per_corridor_levels(c: pd.DataFrame, states: frozenset[str]) -> dict:
    """The waiting levels one corridor at a time, the plain way (changes of each corridor
    gathered by mask, sorted by time, added up)."""
    from sim.results.records import EXPORT_ORDER, IMPORT_ORDER
    from sim.results.states import EXPORT_STATES, IMPORT_STATES

    out = {}
    corridor = c["corridor"].astype(str).to_numpy()
    direction = c["direction"].astype(str).to_numpy()
    for d, order, names in (
        ("export", EXPORT_ORDER, EXPORT_STATES),
        ("import", IMPORT_ORDER, IMPORT_STATES),
    ):
        cols = [j for j, name in enumerate(order) if names[name] in states]
        mine = (direction == d) & c["t_turned_away"].isna().to_numpy()
        m = c.loc[mine, list(order)].to_numpy(dtype=float)
        after = np.fmin.accumulate(m[:, ::-1], axis=1)[:, ::-1]
        nxt = np.concatenate((after[:, 1:], np.full((len(m), 1), np.nan)), axis=1)
        start, end = m[:, cols], nxt[:, cols]
        w = np.repeat(c["teu"].to_numpy(dtype=float)[mine][:, None], len(cols), axis=1)
        keys = np.repeat(corridor[mine][:, None], len(cols), axis=1)
        for cor in sorted(set(corridor[mine])):
            sel = ~np.isnan(start) & (keys == cor)
            ended = sel & ~np.isnan(end)
            times = np.concatenate((start[sel], end[ended]))
            delta = np.concatenate((w[sel], -w[ended]))
            order_ = np.argsort(times, kind="stable")
            out[(cor, d)] = (times[order_], np.cumsum(delta[order_]))
    return out


def test_waiting_levels_are_the_corridor_by_corridor_levels(replication):
    _, tables, _ = replication
    levels = state_levels(TableColumns(tables["containers"]), WAITING)
    expected = per_corridor_levels(frame(tables["containers"]), WAITING)
    assert list(levels) == list(expected)
    for key, (times, level) in levels.items():
        assert times.tobytes() == expected[key][0].tobytes()
        # the level after the last change at each time (changes at one time in any order)
        last = np.append(times[1:] != times[:-1], True)
        assert level[last].tobytes() == expected[key][1][last].tobytes()
        assert (level >= 0).all()  # never more left than came


def test_waiting_levels_since_a_time_are_the_same_from_then_on(replication):
    scenario, tables, _ = replication
    c = TableColumns(tables["containers"])
    half = scenario.horizon_h / 2
    full = state_levels(c, WAITING)
    folded = state_levels(c, WAITING, since=half)
    assert list(folded) == list(full)
    at = np.linspace(half, scenario.horizon_h * 1.5, 997)
    for key, (times, level) in folded.items():
        assert len(times) < len(full[key][0])  # the early changes are one
        assert times[0] <= half < times[1]
        mine = np.searchsorted(times, at, "right") - 1
        theirs = np.searchsorted(full[key][0], at, "right") - 1
        assert np.array_equal(level[mine], full[key][1][theirs])
        a = growth(times, level, half, scenario.horizon_h)
        b = growth(*full[key], half, scenario.horizon_h)
        assert bits([a.per_day, a.p_value, a.mean]) == bits([b.per_day, b.p_value, b.mean])


def test_level_columns_read_the_series_as_queue_frame_does(replication):
    _, _, series = replication
    from_series = LevelColumns(series).resources()
    from_frame = LevelColumns(queue_frame(series)).resources()
    assert [name for name, _ in from_series] == [name for name, _ in from_frame]
    assert [name for name, _ in from_series] == sorted(n for n, s in series.items() if len(s["t"]))
    for (_, a), (_, b) in zip(from_series, from_frame, strict=True):
        for name in ("t", "queue", "busy", "capacity"):
            assert np.array_equal(a[name], b[name])
