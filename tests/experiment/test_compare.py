"""`compare`: common random numbers, the paired comparison table, the comparison folder."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

import sim
from sim.experiment.compare import COLUMNS, CompareResult, comparison_table
from sim.results.stats import welch_interval
from tests.conftest import BASELINE, MMC, MMC_WEEK, ROOT

DISCOUNT_45 = ROOT / "scenarios" / "nanning-discount-45.yaml"
TWO_WEEKS = {"end": "2023-01-14", "warmup_days": 2}


def tidy(values: dict[str, list[float]]) -> pd.DataFrame:
    rows = [(r, k, v) for k, vs in values.items() for r, v in enumerate(vs)]
    return pd.DataFrame(rows, columns=["replication", "kpi", "value"])


def test_comparison_table_has_the_contract_columns_and_paired_student_t_numbers():
    a = {"clearance_h.import.mean": [10.0, 12.0, 11.0, 13.0], "teu.total": [100, 110, 105, 95]}
    b = {"clearance_h.import.mean": [9.0, 11.5, 10.0, 12.2], "teu.total": [100, 110, 105, 95]}
    table = comparison_table(tidy(a), tidy(b))
    assert list(table.columns) == COLUMNS
    row = table.set_index("kpi").loc["clearance_h.import.mean"]
    d = np.array(b["clearance_h.import.mean"]) - np.array(a["clearance_h.import.mean"])
    hw = sps.t.ppf(0.975, 3) * d.std(ddof=1) / 2
    assert row["unit"] == "h"
    assert row["diff_mean"] == pytest.approx(d.mean())
    assert row["diff_half_width"] == pytest.approx(hw)
    assert (row["diff_low"], row["diff_high"]) == pytest.approx((d.mean() - hw, d.mean() + hw))
    assert row["a_mean"] == pytest.approx(11.5)
    assert row["b_mean"] == pytest.approx(10.675)
    welch = welch_interval(a["clearance_h.import.mean"], b["clearance_h.import.mean"])
    assert row["independent_half_width"] == pytest.approx(welch.half_width)
    assert row["narrowing"] == pytest.approx(1 - hw / welch.half_width)
    assert row["significant"]  # every paired difference is negative: the CI excludes 0
    assert row["n"] == 4
    same = table.set_index("kpi").loc["teu.total"]  # identical in every replication
    assert same["diff_mean"] == 0
    assert same["diff_half_width"] == 0
    assert not same["significant"]


def test_a_scenario_compared_with_itself_differs_by_exactly_zero_in_every_kpi():
    """Common random numbers: both arms draw the very same numbers, replication by replication."""
    result = sim.compare(MMC, MMC, replications=3, overrides=MMC_WEEK, workers=1, save=False)
    diffs = result.table.dropna(subset=["diff_mean"])
    assert len(diffs) > 20
    assert (diffs["diff_mean"] == 0).all()
    assert (diffs["diff_half_width"] == 0).all()
    assert not diffs["significant"].any()
    pd.testing.assert_frame_equal(result.a.kpis, result.b.kpis)


@pytest.fixture(scope="module")
def discount_compared(tmp_path_factory) -> CompareResult:
    """Baseline vs the 45 % Nanning discount over two weeks, saved (the statistics of the
    comparison are in ``tests/validation/test_common_random_numbers.py``)."""
    out = tmp_path_factory.mktemp("cmp") / "discount"
    return sim.compare(
        BASELINE,
        DISCOUNT_45,
        replications=2,
        overrides=TWO_WEEKS,
        workers=1,
        out=out,
        register=False,
    )


def test_comparison_folder_holds_both_runs_and_the_table_and_loads_back(discount_compared):
    paired = discount_compared
    folder = paired.path
    for name in ("a", "b", "comparison.parquet", "comparison.csv", "manifest.json"):
        assert (folder / name).exists(), name
    assert (folder / "a" / "containers.parquet").is_file()
    man = json.loads((folder / "manifest.json").read_text())
    assert man["kind"] == "compare"
    assert man["common_random_numbers"] is True
    assert man["a"]["scenario"] == "baseline"
    assert man["b"]["scenario"] == "nanning-discount-45"
    # Both arms ran with A's seed, and each arm's folder knows where it lives.
    arm_b = json.loads((folder / "b" / "manifest.json").read_text())
    assert arm_b["seed"] == man["seed"]
    assert arm_b["folder"] == str(folder / "b")
    again = sim.load(folder)
    assert isinstance(again, CompareResult)
    pd.testing.assert_frame_equal(again.table, paired.table)
    assert math.isclose(again.a.mean("teu.total"), paired.a.mean("teu.total"))
    assert len(again.b.containers) == len(paired.b.containers)


def test_an_existing_folder_is_never_overwritten(tmp_path):
    (tmp_path / "taken").mkdir()
    with pytest.raises(FileExistsError):
        sim.compare(MMC, MMC, replications=2, overrides=MMC_WEEK, out=tmp_path / "taken")
