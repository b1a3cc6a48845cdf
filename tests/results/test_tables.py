"""The tables analysts get: IDs as nullable integers, timestamps of one resolution, and
otherwise the very values recorded."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import sim
from sim.results.tables import TIME_UNIT, frame, nullable_ids
from tests.conftest import BASELINE, SHORT_MONTH

START = pd.Timestamp("2023-01-01").date()


def recorded() -> dict[str, np.ndarray]:
    return {
        "container_id": np.array([0, 1, 2, 3]),
        "train_id": np.array([5, -1, 7, -1]),
        "teu": np.array([1, 2, 1, -1]),  # not an ID: −1 stays a number
        "corridor": np.array(["a", "b", "a", "a"], dtype=object),
        "t_loaded": np.array([1.0, np.nan, 3.0, 4.0]),  # whole hours: pandas alone picks us
        "t_gate_in": np.array([0.1234567, 2.0, np.nan, 1.0]),  # pandas alone picks ns
    }


def test_ids_are_nullable_and_otherwise_the_values_recorded():
    plain = frame(recorded(), START)
    table = frame(recorded(), START, nullable=True)
    assert str(table["train_id"].dtype) == "Int64"
    assert str(table["container_id"].dtype) == "Int64"
    assert table["train_id"].isna().tolist() == [False, True, False, True]
    assert table["teu"].tolist() == [1, 2, 1, -1]
    # the −1 back in place of <NA>: the very column recorded, and nothing else changed
    back = table["train_id"].fillna(-1).astype("int64")
    pd.testing.assert_series_equal(back, plain["train_id"])
    others = [c for c in plain.columns if not c.endswith("_id")]
    pd.testing.assert_frame_equal(table[others], plain[others])
    assert nullable_ids(table) is table  # converted once


def test_every_timestamp_column_has_one_resolution():
    table = frame(recorded(), START)
    assert {str(table[c].dtype) for c in ("loaded_at", "gate_in_at")} == {
        f"datetime64[{TIME_UNIT}]"
    }
    assert table["gate_in_at"].iloc[0] == pd.Timestamp("2023-01-01") + pd.Timedelta(hours=0.1234567)


@pytest.fixture(scope="module")
def month(tmp_path_factory) -> sim.RunResult:
    out = tmp_path_factory.mktemp("runs") / "month"
    return sim.run(BASELINE, replications=1, overrides=SHORT_MONTH, workers=1, out=out)


def test_a_runs_tables_have_nullable_ids_and_one_time_resolution_saved_and_loaded(month):
    for result in (month, sim.load(month.path)):
        c = result.containers
        assert str(c["train_id"].dtype) == "Int64"
        on_no_train = c["t_train_departed"].isna() & c["t_train_arrived"].isna()
        assert on_no_train.any()
        assert c.loc[on_no_train, "train_id"].isna().all()
        assert c.loc[~on_no_train, "train_id"].notna().all()
        for name in ("containers", "trains", "shipments", "vessels", "queues"):
            t = result.table(name)
            stamps = [col for col in t.columns if col.endswith("at") and col != "flat"]
            times = {str(t[col].dtype) for col in stamps if t[col].dtype.kind == "M"}
            assert times <= {f"datetime64[{TIME_UNIT}]"}, name


def test_a_folder_written_with_minus_one_for_none_reads_back_nullable(month, tmp_path):
    c = month.containers.copy()
    c["train_id"] = c["train_id"].fillna(-1).astype("int64")  # as folders were written
    c.to_parquet(month.path / "containers.parquet", index=False)
    again = sim.load(month.path).containers
    assert str(again["train_id"].dtype) == "Int64"
    pd.testing.assert_series_equal(again["train_id"], month.containers["train_id"])
