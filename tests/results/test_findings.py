"""Findings of a notebook: every number a sentence states is the value it was written from."""

from __future__ import annotations

import pandas as pd
import pytest

from sim.results.notebook import Findings, FindingsError, Stated, formatted


def test_sentences_of_stated_numbers_pass_the_check():
    f = Findings()
    f.say(
        f"Nanning at {f.share(0.45)} brings {f.number(904.5, 'TEU', signed=True, with_unit=True)}"
        f" for {f.number(8_110_607.5, 'CNY', with_unit=True)} of public money, "
        f"{f.number(8966.95, 'CNY/TEU', with_unit=True)} (95 % CI) in 2023 terms."
    )
    f.check()
    assert str(f) == (
        "Nanning at 45% brings +904 TEU for 8.11 M CNY of public money, "
        "8,967 CNY/TEU (95 % CI) in 2023 terms."
    )


def test_a_number_typed_by_hand_fails_the_check():
    f = Findings()
    f.say(f"Clearance takes {f.number(29.69, 'h', with_unit=True)}, against 31 h published.")
    with pytest.raises(FindingsError, match=r"\['31'\]"):
        f.check()


def test_a_number_edited_after_it_was_written_fails_the_check():
    f = Findings()
    text = f.number(510.666667, "TEU")
    f.say(f"It gains {text.replace('511', '512')} TEU.")
    with pytest.raises(FindingsError, match="is in no sentence"):
        f.check()
    wrong = Stated(9035.222585, "CNY/TEU", "9,135")
    assert not wrong.reads_back()
    assert Stated(9035.222585, "CNY/TEU", "9,035").reads_back()
    assert Stated(8_110_607.5, "CNY", "8.11 M").reads_back()
    assert not Stated(8_110_607.5, "CNY", "8.12 M").reads_back()
    assert Stated(0.599, "share", "59.9%").reads_back()


def test_tables_are_written_in_each_rows_unit():
    table = pd.DataFrame(
        {
            "kpi": ["teu.total", "cost.public_cny", "clearance_h.import.mean"],
            "unit": ["TEU", "CNY", "h"],
            "a_mean": [13342.0, 9.035e6, 29.694],
            "diff_mean": [904.5, 8.1e6, -0.25],
        }
    )
    out = formatted(table, ["a_mean"], change=["diff_mean"])
    assert out["a_mean"].tolist() == ["13,342", "9.04 M", "29.69"]
    assert out["diff_mean"].tolist() == ["+904", "+8.10 M", "-0.250"]
    assert out["unit"].tolist() == ["TEU", "M CNY", "h"]
