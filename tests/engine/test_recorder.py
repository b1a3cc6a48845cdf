import numpy as np
import pytest

from sim.engine import Coded, LevelSeries, Recorder, Table


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
    assert isinstance(cols["name"], Coded)
    assert cols["name"].decode()[42] == "c42"
    assert cols["name"].categories[cols["name"].codes[42]] == "c42"


def test_add_many_appends_a_block():
    t = Table({"id": int, "v": float})
    t.add(id=0, v=1.0)
    rows = t.add_many(3, id=np.array([1, 2, 3]), v=2.0)
    assert list(rows) == [1, 2, 3]
    assert list(t.arrays()["v"]) == [1.0, 2.0, 2.0, 2.0]


def test_text_is_stored_as_codes_and_none_as_minus_one():
    t = Table({"name": object})
    for value in ("b", None, "a", "b"):
        t.add(name=value)
    col = t.arrays()["name"]
    assert list(col.codes) == [0, -1, 1, 0]
    assert col.categories == ("b", "a")
    assert list(col.decode()) == ["b", None, "a", "b"]


def test_slots_are_written_ahead_and_come_out_in_the_order_they_were_opened():
    t = Table({"id": int, "v": float}, capacity=4, slots=True)
    t["v"][:4] = [10.0, 11.0, 12.0, 13.0]
    for slot in (2, 0, 5):  # slot 5 grows the table
        t["id"][slot] = t.open(slot)
    cols = t.arrays()
    assert list(cols["id"]) == [0, 1, 2]
    assert list(cols["v"][:2]) == [12.0, 10.0]
    assert np.isnan(cols["v"][2])
    assert t.order == [2, 0, 5]


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


def test_a_sum_column_is_computed_when_read_and_never_stored():
    from sim.engine.recorder import Sum

    columns = {"id": int, "a": float, "b": float, "c": float, "total": float, "n": int}
    t = Table(columns, row_id="id", derived={"total": Sum(("a", "b"), ("c",))})
    t.add(a=0.1, b=0.2, c=0.3, n=1)
    t.add(a=1.0, b=np.nan, c=0.5, n=2)
    assert "total" not in t.stored
    with pytest.raises(KeyError):
        t["total"]
    cols = t.arrays()
    assert list(cols) == list(columns)  # in the table's column order
    assert cols["total"][0] == (0.1 + 0.2) - 0.3  # the same expression, to the bit
    assert np.isnan(cols["total"][1])
    assert t.nbytes == sum(t[name].nbytes for name in ("a", "b", "c", "n"))


def test_units_in_use_are_recorded_as_whole_numbers():
    series = LevelSeries("yard")
    series.record(0.0, 2, 3, 10.0)
    assert series.busy.typecode == "i"
    assert series.arrays()["busy"].tolist() == [3.0]


def test_a_per_key_column_is_one_number_per_key_times_a_column():
    from sim.engine.recorder import PerKey

    columns = {"flow": object, "teu": int, "charge": float, "share": float}
    derived = {"charge": PerKey("flow", "teu"), "share": PerKey("flow")}
    t = Table(columns, storage={"teu": np.int8}, derived=derived)
    t.add(flow="a", teu=2)
    t.add(flow="b", teu=1)
    t.add(flow=None, teu=1)
    t.set_per_key("charge", "a", 0.1)
    t.set_per_key("share", "a", 0.25)
    cols = t.arrays()
    assert cols["charge"][0] == 0.1 * 2
    assert np.isnan(cols["charge"][1:]).all()  # no number for "b", no flow at all
    assert cols["share"].tolist()[0] == 0.25
    assert list(t.values("charge", np.array([0]))) == [0.1 * 2]
    assert set(t.stored) == {"flow", "teu"}
