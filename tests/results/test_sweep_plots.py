"""Sweep figures for a notebook column: paired differences, the two-lever heatmap, one legend,
one tick per value of a lever with few values."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PathCollection
from matplotlib.patches import Rectangle

from sim.results import plots
from sim.results.comparison import COLUMNS
from sim.results.plots.style import NOTEBOOK_WIDTH
from tests.results.test_plots import draws, sweep_summary

NANNING = "tariffs.discount.nanning"
GUANGZHOU = "tariffs.discount.guangzhou"


def differences() -> pd.DataFrame:
    """A differences table as ``SweepResult.differences(reference=0)`` has it (hand-built)."""
    rows = []
    for point, (nanning, guangzhou) in enumerate(
        (n, g) for n in (0.2, 0.3, 0.45) for g in (0.42, 0.52)
    ):
        d = 0.0 if point == 0 else 1000 * nanning + 300 * guangzhou
        hw = 0.0 if point == 0 else (150.0 if guangzhou == 0.42 else 900.0)
        rows.append(
            {
                "point": point,
                NANNING: nanning,
                GUANGZHOU: guangzhou,
                "kpi": "teu.total",
                "unit": "TEU",
                "a_mean": 13000.0,
                "a_half_width": 400.0,
                "b_mean": 13000.0 + d,
                "b_half_width": 400.0,
                "diff_mean": d,
                "diff_half_width": hw,
                "diff_low": d - hw,
                "diff_high": d + hw,
                "significant": d - hw > 0,
                "independent_half_width": 560.0,
                "narrowing": 1 - hw / 560.0,
                "n": 5,
            }
        )
    table = pd.DataFrame(rows)[["point", NANNING, GUANGZHOU, *COLUMNS]]
    table.attrs["reference"] = 0
    return table


def legends(fig) -> int:
    return len(fig.legends) + sum(ax.get_legend() is not None for ax in fig.axes)


def test_paired_differences_are_error_bars_round_zero_filled_where_significant():
    fig = plots.sweep_differences(differences(), "teu.total", lever=NANNING)
    ax = fig.axes[0]
    assert any(list(ln.get_ydata()) == [0, 0] for ln in ax.lines)  # the zero line
    dots = [c for c in ax.collections if isinstance(c, PathCollection)]  # one per Guangzhou
    filled = [[tuple(c) != (1.0, 1.0, 1.0, 1.0) for c in d.get_facecolors()] for d in dots]
    # 42 %: narrow intervals, every point but the reference significant; 52 %: none is
    assert filled == [[False, True, True], [False, False, False]]
    assert "Nanning" in fig.get_suptitle()
    assert "30%" not in fig.get_suptitle()  # the reference point is 20 % / 42 %
    assert "42%" in fig.get_suptitle()
    assert legends(fig) == 1
    assert draws(fig)


def test_a_lever_of_few_values_gets_one_tick_per_value_labelled_as_the_value():
    fig = plots.sweep_response(sweep_summary(), ["teu.total", "cost.subsidy_cny"], lever=NANNING)
    for ax in fig.axes[:2]:
        np.testing.assert_allclose(ax.get_xticks(), [0.2, 0.3, 0.45])
        assert [t.get_text() for t in ax.get_xticklabels()] == ["20%", "30%", "45%"]


def test_faceted_figures_fit_a_notebook_column_with_one_legend():
    rows = sweep_summary()
    fig = plots.sweep_response(
        rows, ["teu.total", "cost.subsidy_cny"], lever=NANNING, facet=GUANGZHOU
    )
    assert fig.get_figwidth() <= NOTEBOOK_WIDTH
    assert legends(fig) <= 1
    wide = pd.concat([rows.assign(**{"demand.scale": s}) for s in (1.0, 1.5, 2.0)])
    wide["point"] = np.arange(len(wide)) // 2
    fig = plots.sweep_response(wide, "teu.total", lever=NANNING, facet="demand.scale")
    assert fig.get_figwidth() <= NOTEBOOK_WIDTH
    assert legends(fig) == 1  # one line per Guangzhou discount, told apart once
    (legend,) = [ax.get_legend() for ax in fig.axes if ax.get_legend() is not None]
    assert "Guangzhou" in legend.get_title().get_text()
    assert [t.get_text() for t in legend.get_texts()] == ["42%", "52%"]


def test_a_heatmap_writes_every_point_of_a_two_lever_grid():
    fig = plots.sweep_heatmap(sweep_summary(), "teu.total")
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["20%", "30%", "45%"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["42%", "52%"]
    cells = [t.get_text() for t in ax.texts]
    assert len(cells) == 6
    mean = 13000.0 * (1 + 0.45 + 0.52 / 2)
    assert f"{mean:,.0f}\n± {mean * 0.02:,.0f}" in cells
    image = ax.images[0].get_array()
    assert image[1, 2] == pytest.approx(mean)  # rows are Guangzhou, columns Nanning
    assert fig.get_figwidth() <= NOTEBOOK_WIDTH
    assert draws(fig)


def test_a_heatmap_of_differences_frames_the_reference_and_greys_what_is_not_significant():
    fig = plots.sweep_heatmap(differences(), "teu.total", x=NANNING, y=GUANGZHOU)
    ax = fig.axes[0]
    frames = [p for p in ax.patches if isinstance(p, Rectangle) and not p.get_fill()]
    assert [(f.get_x(), f.get_y()) for f in frames] == [(-0.5, -0.5)]  # point 0: 20 %, 42 %
    lo, hi = ax.images[0].get_clim()
    assert lo == -hi  # a diverging scale centred on 0
    grey = [t.get_text() for t in ax.texts if t.get_color() == "#777777"]
    assert len(grey) == 4  # the reference and the three 52 % points
    assert "+426\n± 150" in [t.get_text() for t in ax.texts]  # 30 %, 42 %: 300 + 126


def test_a_heatmap_needs_two_levers_and_no_third_that_varies():
    three = pd.concat([sweep_summary().assign(**{"demand.scale": s}) for s in (1.0, 2.0)])
    with pytest.raises(ValueError, match=r"levers \['demand.scale'\] vary too"):
        plots.sweep_heatmap(three, "teu.total", x=NANNING, y=GUANGZHOU)
    one = sweep_summary().loc[lambda d: d[GUANGZHOU] == 0.42].drop(columns=GUANGZHOU)
    with pytest.raises(ValueError, match="needs two levers"):
        plots.sweep_heatmap(one, "teu.total")
    with pytest.raises(KeyError, match="not in the sweep"):
        plots.sweep_heatmap(sweep_summary(), "teu.nope")
