import numpy as np
import pytest

from sim.engine import LevelSeries, Recorder, Table


def test_table_grows_and_keeps_defaults():
    t = Table({"id": int, "t": float, "flag": bool, "name": object}, capacity=16)
    for i in range(100):
        t.add(id=i, name=f"c{i}")
    t["t"][5] = 1.5
    cols = t.arrays()
    assert len(cols["id"]) == 100
    assert cols["id"][99] == 99
    assert cols["t"][5] == 1.5
    assert np.isnan(cols["t"][6])
    assert not cols["flag"].any()
    assert cols["name"][42] == "c42"


def test_add_many_appends_a_block():
    t = Table({"id": int, "v": float})
    t.add(id=0, v=1.0)
    rows = t.add_many(3, id=np.array([1, 2, 3]), v=2.0)
    assert list(rows) == [1, 2, 3]
    assert list(t.arrays()["v"]) == [1.0, 2.0, 2.0, 2.0]


def test_level_series_keeps_one_point_per_instant():
    s = LevelSeries("x")
    s.record(0.0, 0, 0, 1)
    s.record(1.0, 1, 1, 1)
    s.record(1.0, 0, 1, 1)
    cols = s.arrays()
    assert list(cols["t"]) == [0.0, 1.0]
    assert list(cols["queue"]) == [0, 0]
    assert list(cols["busy"]) == [0.0, 1.0]


def test_recorder_names_are_unique():
    r = Recorder()
    r.table("a", {"x": int})
    r.level("where")
    with pytest.raises(ValueError, match="already exists"):
        r.table("a", {"x": int})
    with pytest.raises(ValueError, match="already exists"):
        r.level("where")
