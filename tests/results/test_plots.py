"""Every plot draws from a short run, has data on its axes and says what the KPIs say."""

from __future__ import annotations

import io
import itertools
import subprocess
import sys

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from matplotlib.text import Text

import sim
from sim.results import plots
from sim.results.plots.style import NOTEBOOK_WIDTH
from sim.results.plots.timeaxis import binned
from tests.conftest import BASELINE, MMC, MMC_WEEK, ROOT

SHORT = {"end": "2023-02-15", "warmup_days": 7}


@pytest.fixture(scope="module")
def run() -> sim.RunResult:
    return sim.run(BASELINE, replications=2, save=False, overrides=SHORT, workers=1)


def has_data(ax) -> bool:
    return bool(ax.lines or ax.patches or ax.collections or ax.images)


def data_axes(fig: Figure) -> list:
    return [ax for ax in fig.axes if ax.get_visible()]


def draws(fig: Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=40)
    return buf.getvalue()


@pytest.mark.parametrize("name", list(plots.RUN_PLOTS))
def test_every_run_plot_draws_a_titled_figure_with_data_on_every_axes(run, name):
    fn, caption = plots.RUN_PLOTS[name]
    fig = fn(run)
    assert isinstance(fig, Figure)
    assert caption
    assert fig.get_suptitle(), "a planner-readable title"
    axes = data_axes(fig)
    assert axes
    for ax in axes:
        assert has_data(ax), f"{name}: empty axes {ax.get_title()!r}"
        assert ax.get_xlabel() or ax.get_ylabel() or ax.get_title() or ax.get_title("left")
    assert draws(fig).startswith(b"\x89PNG")


def test_clearance_plot_marks_mean_p90_and_the_published_2023_means(run):
    fig = plots.clearance_times(run)
    imp, exp = fig.axes[:2]
    summary = run.summary.set_index("kpi")["mean"]

    def vline(ax, words: str) -> float:
        (line,) = [ln for ln in ax.lines if words in str(ln.get_label())]
        return float(line.get_xdata()[0])

    assert vline(imp, "published 2023") == pytest.approx(29.69)
    assert vline(exp, "published 2023") == pytest.approx(0.09 * 60)  # minutes
    assert vline(imp, "simulated mean") == pytest.approx(summary["clearance_h.import.mean"])
    assert vline(imp, "90th percentile") == pytest.approx(summary["clearance_h.import.p90"])
    assert vline(exp, "simulated mean") == pytest.approx(summary["clearance_h.export.mean"] * 60)
    assert "(h)" in imp.get_xlabel()
    assert "(min)" in exp.get_xlabel()


def test_throughput_bars_add_up_to_the_teu_and_train_kpis(run):
    fig = plots.throughput(run, period="month")
    summary = run.summary.set_index("kpi")["mean"]
    corridors = list(run.scenario["corridors"])
    grid = np.array(fig.axes[:4]).reshape(2, 2)
    for col, direction in enumerate(("export", "import")):
        teu = sum(p.get_height() for p in grid[0, col].patches)
        trains = sum(p.get_height() for p in grid[1, col].patches)
        assert teu == pytest.approx(sum(summary[f"teu.{c}.{direction}"] for c in corridors))
        assert trains == pytest.approx(sum(summary[f"trains.{c}.{direction}"] for c in corridors))


def test_weekly_throughput_marks_the_weeks_cut_by_the_run(run):
    fig = plots.throughput(run, period="week")
    labels = [t.get_text() for t in fig.axes[2].get_xticklabels()]
    assert labels[0].endswith("*")  # 2023-01-01 is a Sunday: its week is cut
    with pytest.raises(ValueError, match="period"):
        plots.throughput(run, period="year")


def test_resource_plot_shades_exactly_the_warm_up(run):
    fig = plots.resource_levels(run)
    start = mdates.date2num(pd.Timestamp("2023-01-01").to_pydatetime())
    shaded = [p for p in fig.axes[0].patches if "warm-up" in str(p.get_label())]
    assert shaded, "warm-up band"
    band = shaded[0].get_extents().transformed(fig.axes[0].transData.inverted())
    assert band.x0 == pytest.approx(start - SHORT["warmup_days"], abs=0.05)
    assert band.x1 == pytest.approx(start, abs=0.05)
    titles = " ".join(ax.get_title("left") for ax in fig.axes)
    for resource in ("Import customs officers", "LCL consolidation", "yard", "sidings"):
        assert resource.lower() in titles.lower()


def test_resource_plot_utilisation_averages_to_the_kpi(run):
    # The bins' busy and available time, summed over the statistics window, give the KPI.
    q = run.queues
    where = "huaihua.customs.import.officers"
    horizon = (pd.Timestamp(SHORT["end"]) - pd.Timestamp("2023-01-01")).days * 24 + 24
    edges = np.arange(0, horizon + 1, 24.0)
    values = []
    for _, g in q[q["where"].astype(str) == where].groupby("replication"):
        t = g["t"].to_numpy(float)
        busy = g["busy"].to_numpy(float)
        cap = np.maximum(g["capacity"].to_numpy(float), busy)
        values.append(binned(t, busy, edges).sum() / binned(t, cap, edges).sum())
    kpi = run.kpis[run.kpis["kpi"] == f"utilisation.{where}"]["value"].to_numpy()
    np.testing.assert_allclose(values, kpi, rtol=1e-9)


def test_dwell_stages_add_up_to_each_containers_dwell_and_near_the_kpi(run):
    seg = plots.dwell_segments(run)
    for direction, stages in (
        ("export", plots.EXPORT_SEGMENTS),
        ("import", plots.IMPORT_SEGMENTS),
    ):
        mine = seg[seg["direction"] == direction]
        assert len(mine) > 100
        np.testing.assert_allclose(mine[list(stages)].sum(axis=1), mine["total"], atol=1e-6)
        assert (mine[list(stages)] > -1e-6).all().all(), "no stage is negative"
        per_rep = mine.groupby("replication")["total"].mean()
        kpi = run.kpis[run.kpis["kpi"] == f"dwell_h.huaihua.{direction}.mean"]
        # the KPI also counts the stays still under way at the horizon (Kaplan–Meier): the
        # longest stays are the likeliest to be cut off, so it is longer, but not by much
        got, want = per_rep.to_numpy(), kpi["value"].to_numpy()
        assert (got <= want + 1e-9).all()
        np.testing.assert_allclose(got, want, rtol=0.10)
    # customs is the KPI clearance time for the same containers
    assert seg.loc[seg["direction"] == "import", "customs clearance"].mean() > 1.0


def test_the_dwell_breakdown_shows_lcl_and_fcl_boxes_apart(run):
    seg = plots.dwell_segments(run)
    exports = seg[seg["direction"] == "export"]
    consolidation = next(iter(plots.EXPORT_SEGMENTS))
    assert (exports.loc[~exports["lcl"], consolidation] == 0).all()  # FCL: never consolidated
    lcl, fcl = (exports.loc[exports["lcl"] == k, "total"].mean() for k in (True, False))
    assert lcl > fcl  # an LCL box waits to be filled first
    fig = plots.dwell_breakdown(run)
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert labels[0].startswith("All corridors, all boxes")
    lcl_row = next(t for t in labels if t.startswith("All corridors, LCL"))
    fcl_row = next(t for t in labels if t.startswith("All corridors, FCL"))
    assert f"{lcl:,.1f} h" in lcl_row
    assert f"{fcl:,.1f} h" in fcl_row
    assert f"{(exports['lcl']).sum():,} boxes" in lcl_row
    assert fig.get_figwidth() <= NOTEBOOK_WIDTH


def siding_bars(fig: Figure) -> dict[int, list[tuple[float, float, bool]]]:
    """The Gantt bars of a sidings figure by siding row: (start, end, hatched = import)."""
    rows: dict[int, list[tuple[float, float, bool]]] = {}
    for bar in fig.axes[0].collections:
        box = bar.get_paths()[0].get_extents()
        rows.setdefault(int(box.y0), []).append((box.x0, box.x1, bool(bar.get_hatch())))
    return rows


def test_siding_bars_never_overlap_on_one_siding_and_a_week_can_be_chosen(run):
    busiest = plots.sidings_timeline(run, replication=0)
    chosen = plots.sidings_timeline(run, week_start="2023-01-09", replication=1)
    assert "09 Jan 2023" in chosen.get_suptitle()
    for fig in (busiest, chosen):
        rows = siding_bars(fig)
        assert 0 < len(rows) <= run.scenario["terminal"]["sidings"]["count"]
        held = [bar for bars in rows.values() for bar in bars]
        assert {hatched for *_, hatched in held} == {True, False}  # import and export trains
        assert all(x1 >= x0 for x0, x1, _ in held)
        for bars in rows.values():  # one train at a time on a siding
            bars.sort()
            assert all(b[0] >= a[1] - 1e-9 for a, b in itertools.pairwise(bars))
    with pytest.raises(ValueError, match="replication 7"):
        plots.sidings_timeline(run, replication=7)


def test_every_kpi_has_a_planner_label(run):
    for name in run.summary["kpi"]:
        label = plots.kpi_label(name, run)
        assert label, name
        assert label != name, name
        assert not any("\u4e00" <= ch <= "\u9fff" for ch in label), "fonts lack CJK glyphs"


# ------------------------------------------------------------------------------ experiments


def compare_table() -> pd.DataFrame:
    """A comparison table as ``sim.compare(...).table`` has it (hand-built)."""
    rows = [
        ("teu.total", "TEU", 13000.0, 600.0, 150.0),
        ("clearance_h.import.mean", "h", 29.7, -6.0, 0.8),
        ("utilisation.huaihua.yard", "share", 0.04, 0.0005, 0.001),
        ("cost.subsidy_cny", "CNY", 6.6e6, 2.0e5, 1.0e4),
        ("trains.total", "trains", 0.0, 0.0, 0.0),
    ]
    df = pd.DataFrame(rows, columns=["kpi", "unit", "a_mean", "diff_mean", "diff_half_width"])
    df["a_half_width"] = df["a_mean"] * 0.01
    df["b_mean"] = df["a_mean"] + df["diff_mean"]
    df["b_half_width"] = df["a_half_width"]
    df["diff_low"] = df["diff_mean"] - df["diff_half_width"]
    df["diff_high"] = df["diff_mean"] + df["diff_half_width"]
    df["significant"] = (df["diff_low"] > 0) | (df["diff_high"] < 0)
    df["independent_half_width"] = df["diff_half_width"] * 3
    df["narrowing"] = 3.0
    df["n"] = 5
    return df


def test_forest_plot_shows_each_difference_with_its_interval():
    table = compare_table()
    fig = plots.compare_forest(table, kpis=list(table["kpi"]))
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()][1] == (
        "Import customs clearance time, mean"
    )
    # one CI segment per KPI with a non-zero baseline, drawn as % of A's mean
    segments = [ln for ln in ax.lines if len(ln.get_xdata()) == 2 and ln.get_xdata()[0] != 0]
    assert len(segments) == 4
    low, high = segments[1].get_xdata()
    assert low == pytest.approx((-6.0 - 0.8) / 29.7 * 100)
    assert high == pytest.approx((-6.0 + 0.8) / 29.7 * 100)
    texts = " ".join(t.get_text() for t in ax.texts)
    for expected in ("-6.00 h", "+600 TEU", "+0.1 pp", "+0.20 M CNY", "A is 0"):
        assert expected in texts
    assert has_data(ax)
    assert draws(fig)


def test_forest_plot_puts_a_share_at_its_difference_in_percentage_points():
    table = compare_table()
    fig = plots.compare_forest(table, kpis=list(table["kpi"]))
    ax = fig.axes[0]
    segments = [ln for ln in ax.lines if len(ln.get_xdata()) == 2 and ln.get_xdata()[0] != 0]
    # the yard's utilisation: 4.0 % → 4.05 %, ± 0.1 pp: at +0.05 pp, not at +1.25 % of A
    low, high = segments[2].get_xdata()
    assert low == pytest.approx((0.0005 - 0.001) * 100)
    assert high == pytest.approx((0.0005 + 0.001) * 100)
    assert "percentage points" in ax.get_xlabel()
    assert "+0.1 pp" in " ".join(t.get_text() for t in ax.texts)


def test_forest_plot_refuses_mixed_units_in_absolute_mode_and_unknown_kpis():
    with pytest.raises(ValueError, match="one unit"):
        plots.compare_forest(
            compare_table(), kpis=["teu.total", "cost.subsidy_cny"], relative=False
        )
    fig = plots.compare_forest(compare_table(), kpis=["teu.total"], relative=False)
    assert "TEU" in fig.axes[0].get_xlabel()
    with pytest.raises(KeyError, match="nope"):
        plots.compare_forest(compare_table(), kpis=["nope"])


def sweep_summary() -> pd.DataFrame:
    """A sweep summary as ``sim.sweep(...).summary`` has it (hand-built, two levers)."""
    rows = []
    point = 0
    for nanning in (0.2, 0.3, 0.45):
        for guangzhou in (0.42, 0.52):
            for kpi, u, base in (("teu.total", "TEU", 13000.0), ("cost.subsidy_cny", "CNY", 6e6)):
                mean = base * (1 + nanning + guangzhou / 2)
                rows.append(
                    {
                        "point": point,
                        "tariffs.discount.nanning": nanning,
                        "tariffs.discount.guangzhou": guangzhou,
                        "kpi": kpi,
                        "unit": u,
                        "mean": mean,
                        "half_width": mean * 0.02,
                        "low": mean * 0.98,
                        "high": mean * 1.02,
                        "n": 3,
                    }
                )
            point += 1
    return pd.DataFrame(rows)


def test_sweep_response_draws_one_curve_per_other_lever_value_with_a_band():
    fig = plots.sweep_response(sweep_summary(), ["teu.total", "cost.subsidy_cny"])
    ax = fig.axes[0]
    assert "Nanning" in ax.get_xlabel()
    curves = [ln for ln in ax.lines if len(ln.get_xdata()) == 3]
    assert len(curves) == 2  # Guangzhou at 42 % and at 52 %
    assert len(ax.collections) == 2  # a CI band each
    np.testing.assert_allclose(curves[0].get_xdata(), [0.2, 0.3, 0.45])
    money = next(ln for ln in fig.axes[1].lines if len(ln.get_xdata()) == 3)
    assert money.get_ydata()[0] == pytest.approx(6e6 * (1 + 0.2 + 0.21) / 1e6)
    fig = plots.sweep_response(sweep_summary(), "teu.total", lever="tariffs.discount.guangzhou")
    assert len([ln for ln in fig.axes[0].lines if len(ln.get_xdata()) == 2]) == 3
    with pytest.raises(KeyError, match="not in the sweep"):
        plots.sweep_response(sweep_summary(), "teu.nope")


def test_plot_functions_leave_pyplot_alone():
    code = (
        "import sys; from sim.results import plots;"
        "from tests.results.test_plots import sweep_summary;"
        "fig = plots.sweep_response(sweep_summary(), 'teu.total');"
        "assert 'matplotlib.pyplot' not in sys.modules, 'pyplot imported'"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr


def test_sweep_response_facets_by_a_lever_and_marks_a_target():
    rows = []
    for k, (scale, officers, bays) in enumerate(
        (s, o, b) for s in (1.0, 2.0) for o in (3, 4, 6) for b in (2, 3)
    ):
        mean = 20 * scale + 12 / officers + 4 / bays
        rows.append(
            {
                "point": k,
                "demand.scale": scale,
                "customs.import.officers": officers,
                "customs.inspection.bays": bays,
                "kpi": "clearance_h.import.mean",
                "unit": "h",
                "mean": mean,
                "half_width": 1.0,
                "low": mean - 1,
                "high": mean + 1,
                "n": 2,
            }
        )
    fig = plots.sweep_response(
        pd.DataFrame(rows),
        "clearance_h.import.mean",
        lever="customs.import.officers",
        facet="demand.scale",
        targets={"clearance_h.import.mean": 24},
    )
    left, right = fig.axes[:2]
    assert "demand" in left.get_title("left")
    assert "2" in right.get_title("left")
    for ax in (left, right):
        curves = [ln for ln in ax.lines if len(ln.get_xdata()) == 3]
        assert len(curves) == 2  # one per number of bays
        target = [ln for ln in ax.lines if "target" in str(ln.get_label())]
        assert target[0].get_ydata()[0] == 24
    assert "officers" in left.get_xlabel()


# ------------------------------------------------------------------------------ the real thing


@pytest.fixture(scope="module")
def real_compare() -> sim.CompareResult:
    return sim.compare(
        BASELINE,
        ROOT / "scenarios" / "nanning-discount-45.yaml",
        replications=2,
        save=False,
        overrides=SHORT,
        workers=1,
    )


def test_forest_plot_draws_a_real_comparison(real_compare):
    fig = plots.compare_forest(real_compare)
    ax = fig.axes[0]
    assert "nanning-discount-45" in fig.get_suptitle()
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert "Rail freight-rate discount given" in labels
    assert has_data(ax)
    # the discount deepens, so the discount given rises: a significant, positive difference
    row = real_compare.table.set_index("kpi").loc["cost.rail_discount_cny"]
    assert row["significant"]
    assert row["diff_mean"] > 0
    assert draws(fig)


def test_sweep_curves_draw_a_real_sweep():
    sweep = sim.sweep(
        BASELINE,
        {"customs.import.officers": [2, 4]},
        replications=2,
        overrides=SHORT,
        workers=1,
        save=False,
    )
    fig = plots.sweep_response(
        sweep,
        ["clearance_h.import.mean", "utilisation.huaihua.customs.import.officers"],
        targets={"clearance_h.import.mean": 24},
    )
    ax = fig.axes[0]
    assert "officers" in ax.get_xlabel()
    curve = next(ln for ln in ax.lines if len(ln.get_xdata()) == 2)
    first, second = curve.get_ydata()
    assert second < first  # more officers, shorter clearance
    assert draws(fig)


def test_every_run_plot_draws_for_a_scenario_without_trains():
    # The reduced M/M/c customs scenario has imports by truck only: no trains, no exports.
    run = sim.run(MMC, replications=1, save=False, overrides=MMC_WEEK, workers=1)
    assert run.trains.empty
    for name, (fn, _) in plots.RUN_PLOTS.items():
        fig = fn(run)
        assert draws(fig), name


# ------------------------------------------------------------------------------ house style


def suptitle(fig: Figure) -> Text:
    """The figure's title as drawn (one of its texts)."""
    (title,) = [t for t in fig.texts if t.get_text() == fig.get_suptitle()]
    return title


def test_figures_wear_the_house_style_and_leave_matplotlib_as_it_was(run):
    import matplotlib

    before = dict(matplotlib.rcParams)
    fig = plots.load_factors(run)
    ax = fig.axes[0]
    assert not ax.spines["top"].get_visible()
    assert fig.get_suptitle()
    assert suptitle(fig).get_fontweight() == "bold"
    assert dict(matplotlib.rcParams) == before


def test_a_port_authority_swaps_in_its_own_style_sheet(run, tmp_path, monkeypatch):
    from matplotlib.colors import to_hex

    house = tmp_path / "house.mplstyle"
    house.write_text("axes.facecolor: f0e6d2\nfont.family: serif\n", encoding="utf-8")
    monkeypatch.setenv(plots.STYLE_ENV, str(house))
    fig = plots.load_factors(run)
    assert to_hex(fig.axes[0].get_facecolor()) == "#f0e6d2"
    assert suptitle(fig).get_fontfamily() == ["serif"]
    monkeypatch.setenv(plots.STYLE_ENV, str(tmp_path / "missing.mplstyle"))
    with pytest.raises(plots.StyleError, match=r"missing\.mplstyle: no such style file"):
        plots.load_factors(run)


def test_report_command_names_a_missing_style_sheet_with_exit_code_2(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from sim.cli import app

    out = tmp_path / "run"
    sim.run(BASELINE, replications=1, out=out, overrides=SHORT, workers=1, register=False)
    monkeypatch.setenv(plots.STYLE_ENV, "/nowhere/house.mplstyle")
    done = CliRunner().invoke(app, ["report", str(out)])
    assert done.exit_code == 2, done.output
    assert "no such style file" in " ".join(done.output.split())
    assert not (out / "report.html").exists()


def test_cost_bars_add_up_to_the_per_teu_kpis(run):
    parts = plots.per_teu_parts(
        run, [*plots.economics.COST_PARTS, "subsidy_cny", "door_cny", "road_cny", "co2e_kg"]
    ).set_index("corridor")
    means = run.kpi_means()
    for corridor, r in parts.iterrows():
        bar = sum(r[col] for col in plots.economics.COST_PARTS) - r["subsidy_cny"]
        assert bar == pytest.approx(means[f"cost.per_teu.{corridor}"])
        assert r["road_cny"] == pytest.approx(means[f"cost.road_per_teu.{corridor}"])
        assert r["co2e_kg"] == pytest.approx(means[f"co2e.kg_per_teu.{corridor}"])
