"""`SweepResult.differences` and `.marginal`: every point against a reference point, pair by
pair over the replications the points share (common random numbers)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import sim
from sim.experiment.sweep import SweepResult
from sim.results.comparison import COLUMNS
from sim.results.run import SUMMARY_COLUMNS
from sim.results.stats import t_interval
from tests.conftest import MMC, MMC_WEEK

OFFICERS = "customs.import.officers"
REVIEW = "customs.import.review_h.mean"
CLEARANCE = "clearance_h.import.mean"
QUEUE = "queue.huaihua.customs.import.officers.mean"


@pytest.fixture(scope="module")
def officers_sweep() -> SweepResult:
    return sim.sweep(
        MMC,
        {OFFICERS: [3, 4, 5]},
        overrides=MMC_WEEK,
        replications=5,
        workers=1,
        save=False,
    )


def test_differences_have_the_levers_and_the_comparison_columns(officers_sweep):
    d = officers_sweep.differences(reference={OFFICERS: 4})
    assert list(d.columns) == ["point", OFFICERS, *COLUMNS]
    assert d.attrs["reference"] == 1
    n_kpis = officers_sweep.kpis["kpi"].nunique()
    assert len(d) == 3 * n_kpis
    own = d.loc[d["point"] == 1].dropna(subset=["diff_mean"])
    assert len(own) > 20
    assert (own["diff_mean"] == 0).all()
    assert not own["significant"].any()
    rows = d.loc[d["kpi"] == CLEARANCE].set_index(OFFICERS)
    assert rows.loc[3, "diff_mean"] > 0 > rows.loc[5, "diff_mean"]  # fewer officers: longer


def test_a_point_against_the_reference_is_exactly_the_comparison_of_the_two(officers_sweep):
    """The same numbers `sim.compare` gives for the two scenarios, seed and replications."""
    compared = sim.compare(
        sim.load_scenario(MMC, {**MMC_WEEK, OFFICERS: 4}),
        sim.load_scenario(MMC, {**MMC_WEEK, OFFICERS: 3}),
        replications=5,
        workers=1,
        save=False,
    )
    d = officers_sweep.differences(reference=1)
    mine = d.loc[d["point"] == 0, COLUMNS].reset_index(drop=True)
    pd.testing.assert_frame_equal(mine, compared.table)


def test_paired_intervals_are_narrower_than_unpaired_ones_on_common_random_numbers(
    officers_sweep,
):
    d = officers_sweep.differences(reference={OFFICERS: 4}, kpis=[CLEARANCE, QUEUE])
    moved = d.loc[d["point"] != 1]
    assert len(moved) == 4
    assert (moved["diff_half_width"] < moved["independent_half_width"]).all()
    assert (moved["narrowing"] > 0.1).all()  # fixed seed: 15–64 % narrower here
    # the unpaired interval is what the per-point summary bands give: Welch's, by hand
    summary = officers_sweep.mean(CLEARANCE).set_index(OFFICERS)
    three = moved.loc[(moved["kpi"] == CLEARANCE) & (moved[OFFICERS] == 3)].iloc[0]
    assert three["a_mean"] == pytest.approx(summary.loc[4, "mean"])
    assert three["b_mean"] == pytest.approx(summary.loc[3, "mean"])


def test_a_reference_is_a_point_or_the_values_of_its_levers(officers_sweep):
    assert officers_sweep.point_of(2) == 2
    assert officers_sweep.point_of({OFFICERS: 5}) == 2
    with pytest.raises(KeyError, match="0 points match"):
        officers_sweep.point_of({OFFICERS: 7})
    with pytest.raises(KeyError, match="levers not in the sweep"):
        officers_sweep.point_of({"customs.export.officers": 2})
    with pytest.raises(KeyError, match="no point 9"):
        officers_sweep.differences(reference=9)
    with pytest.raises(KeyError, match="KPIs not in the sweep"):
        officers_sweep.differences(kpis="no.such.kpi")


def test_marginal_is_the_ratio_of_the_paired_changes_with_the_ratio_estimator_interval(
    officers_sweep,
):
    m = officers_sweep.marginal(QUEUE, "clearance_h.import.mean", {OFFICERS: 4})
    assert list(m.columns) == ["point", OFFICERS, *SUMMARY_COLUMNS]
    wide = officers_sweep.kpis.pivot_table(
        index="replication", columns=["point", "kpi"], values="value"
    )
    dq = (wide[(0, QUEUE)] - wide[(1, QUEUE)]).to_numpy()
    dc = (wide[(0, CLEARANCE)] - wide[(1, CLEARANCE)]).to_numpy()
    row = m.set_index("point").loc[0]
    ratio = dq.mean() / dc.mean()
    assert row["mean"] == pytest.approx(ratio)
    hw = t_interval(dq - ratio * dc).half_width / abs(dc.mean())
    assert row["half_width"] == pytest.approx(hw)
    assert row["n"] == 5
    assert np.isnan(m.set_index("point").loc[1, "mean"])  # the reference: no change at all
