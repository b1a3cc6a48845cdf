"""One value formatter: a KPI value reads the same in the command line, reports, plots and
the regression check — shares in %, money in millions, counts whole, differences signed."""

from __future__ import annotations

import math

import pytest

from sim.results.formatting import (
    axis_unit,
    format_lever,
    format_value,
    is_count,
    lever_is_share,
    shown_unit,
)


@pytest.mark.parametrize(
    ("value", "unit", "how", "text"),
    [
        (0.599, "share", {}, "59.9%"),
        (6.67e6, "CNY", {}, "6.67 M"),
        (13342.4, "TEU", {}, "13,342"),
        (29.0, "trains", {}, "29"),
        (29.5, "trains", {"decimals": 1}, "29.5"),
        (29.94, "h", {}, "29.94"),
        (0.0912, "h", {}, "0.091"),
        (1234.5, "h", {}, "1,234"),
        (49.54, "TEU/train", {}, "49.54"),
        (math.nan, "h", {}, "–"),
        (math.inf, "TEU", {}, "–"),
        (None, "TEU", {}, "–"),
        (600.0, "TEU", {"signed": True, "change": True, "with_unit": True}, "+600 TEU"),
        (-6.0, "h", {"signed": True, "change": True, "with_unit": True}, "-6.00 h"),
        (0.005, "share", {"signed": True, "change": True, "with_unit": True}, "+0.5 pp"),
        (2e5, "CNY", {"signed": True, "change": True, "with_unit": True}, "+0.20 M CNY"),
        (0.0, "trains", {"signed": True, "change": True}, "0"),
        (12.5, "CNY/km", {}, "12.50"),  # a unit landport does not know: a plain number
    ],
)
def test_values_are_written_one_way(value, unit, how, text):
    assert format_value(value, unit, **how) == text


def test_units_in_tables_and_on_axes():
    assert shown_unit("CNY") == "M CNY"
    assert shown_unit("share") == "share"
    assert axis_unit("CNY") == "million CNY"
    assert axis_unit("share") == "%"
    assert axis_unit("share", change=True) == "pp"
    assert axis_unit("CNY/TEU") == "CNY/TEU"
    assert is_count("TEU")
    assert not is_count("h")


@pytest.mark.parametrize(
    ("value", "share", "text"),
    [
        (0.45, True, "45%"),
        (4, False, "4"),
        (0.3, False, "0.3"),
        (3.0, False, "3"),
        ("x", False, "x"),
    ],
)
def test_lever_values_are_written_one_way(value, share, text):
    assert format_lever(value, share=share) == text


def test_scenario_fields_holding_shares_are_known_by_their_names():
    for path in ("tariffs.discount.nanning", "terminal.yard.import_share", "tariffs.toll_cut",
                 "customs.import.inspection_probability", "terminal.consolidation.fill_threshold"):
        assert lever_is_share(path), path
    for path in ("customs.import.officers", "tariffs.subsidy_per_teu_cny", "demand.scale"):
        assert not lever_is_share(path), path
