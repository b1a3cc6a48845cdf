"""The executive summary of reports: findings computed from the results, with intervals;
KPIs grouped by theme; what a comparison's B changes."""

from __future__ import annotations

import pytest

import sim
from sim.results.formatting import format_value
from sim.results.health import Health
from sim.results.i18n import label, language
from sim.results.kpis import KPIS, headline
from sim.results.kpis.registry import THEMES
from sim.results.report.experiments import scenario_changes
from sim.results.report.findings import (
    capacity_finding,
    compare_findings,
    run_findings,
    sweep_findings,
    themed,
)
from sim.results.tables import rows_by
from tests.conftest import MMC, MMC_WEEK

WEEK = {"end": "2023-01-07", "warmup_days": 1}
TWO_OFFICERS = {"end": "2023-01-14", "warmup_days": 1, "customs.import.officers": 2}
"""The M/M/c desk with ρ = 1.2: its queue grows without bound."""


@pytest.fixture(scope="module")
def steady() -> sim.RunResult:
    return sim.run(MMC, replications=3, save=False, overrides=MMC_WEEK, workers=1)


@pytest.fixture(scope="module")
def overloaded() -> sim.RunResult:
    return sim.run(MMC, replications=3, save=False, overrides=TWO_OFFICERS, workers=1)


def test_run_findings_give_clearance_with_its_interval_and_the_busiest_resource(steady):
    found = run_findings(steady)
    assert 3 <= len(found) <= 5
    rows = rows_by(steady.summary)
    clearance = rows["clearance_h.import.mean"]
    said = next(f for f in found if f.startswith("Import customs clearance"))
    assert format_value(float(clearance["mean"]), "h") in said
    assert f"± {format_value(float(clearance['half_width']), 'h')}" in said
    capacity = next(f for f in found if f.startswith("Capacity"))
    util = format_value(float(rows["utilisation.huaihua.customs.import.officers"]["mean"]), "share")
    assert "no hub resource is near saturation" in capacity
    assert f"import customs officers at {util}" in capacity
    assert any(f.startswith("Stability: no queue") for f in found)
    assert not any(f.startswith("Money") for f in found)  # nothing spent: nothing said


def test_findings_and_theme_headings_are_written_in_the_language_in_force(steady):
    english = run_findings(steady)
    names = headline(list(steady.summary["kpi"]), steady.info)
    with language("zh"):
        chinese = run_findings(steady)
        headings = [heading for _, heading, _ in themed(names)]
    assert len(chinese) == len(english)
    mean = float(rows_by(steady.summary)["clearance_h.import.mean"]["mean"])
    clearance = format_value(mean, "h")
    said = next(f for f in chinese if f.startswith("进口通关平均耗时"))
    assert clearance in said
    assert any(f.startswith("稳定性：") for f in chinese)
    assert "吞吐量" in headings
    assert "Throughput" not in headings
    assert run_findings(steady) == english  # the language goes back with the block


def test_an_overloaded_desk_is_named_the_bottleneck_and_the_run_unstable(overloaded):
    found = run_findings(overloaded)
    assert any(f.startswith("Capacity: the bottleneck is import customs officers") for f in found)
    assert any(f.startswith("UNSTABLE") for f in found)
    assert not any(f.startswith("Stability: no queue") for f in found)


def test_capacity_names_the_bottleneck_the_health_rule_found(steady):
    health = Health((), ("huaihua.customs.import.officers", 0.9), 0.0)
    said = capacity_finding(health, rows_by(steady.summary), steady.info)
    assert said.startswith("Capacity: the bottleneck is import customs officers")


def test_every_headline_kpi_is_in_exactly_one_theme_in_theme_order(steady):
    names = headline(list(steady.summary["kpi"]), steady.info)
    groups = themed(names)
    grouped = [n for _, _, group in groups for n in group]
    assert sorted(grouped) == sorted(names)
    order = [t for t, _, _ in groups]
    assert order == sorted(order, key=THEMES.index)
    assert {"throughput", "time", "capacity"} <= set(order)
    for theme, heading, group in groups:
        assert heading == label(f"theme.{theme}", "en")
        assert all(KPIS.family(n).theme == theme for n in group)


def test_a_comparison_names_the_significant_change_of_a_key_kpi(tmp_path):
    same = sim.compare(MMC, MMC, replications=3, overrides=WEEK, workers=1, save=False)
    assert compare_findings(same)[0].startswith("No headline KPI changed significantly")

    five = tmp_path / "five.yaml"
    five.write_text(f"extends: {MMC}\nname: five\ncustoms:\n  import: {{officers: 5}}\n")
    cmp = sim.compare(MMC, five, replications=3, overrides=WEEK, workers=1, save=False)
    found = compare_findings(cmp)
    assert "headline KPIs changed significantly" in found[0]
    row = cmp.row("utilisation.huaihua.customs.import.officers")
    assert bool(row["significant"])  # five officers instead of three: each much less busy
    said = next(f for f in found if f.startswith("Utilisation of import customs officers:"))
    assert format_value(float(row["diff_mean"]), "share", signed=True, change=True) in said
    assert " pp" in said
    assert "95 % CI" in said


def test_scenario_changes_are_only_the_fields_that_differ():
    a = {"name": "a", "customs": {"import": {"officers": 3, "review_h": 1.2}},
         "flows": [{"rate": 1}, {"rate": 2}], "only_a": 1}
    b = {"name": "b", "customs": {"import": {"officers": 5, "review_h": 1.2}},
         "flows": [{"rate": 1}, {"rate": 4}], "only_b": [1, 2]}
    assert scenario_changes(a, b) == [
        ("customs.import.officers", 3, 5),
        ("flows[1].rate", 2, 4),
        ("only_a", 1, None),
        ("only_b", None, [1, 2]),
    ]
    assert scenario_changes(a, a) == []


def test_sweep_findings_give_the_points_where_a_key_kpi_is_lowest_and_highest(tmp_path):
    levers = {"customs.import.officers": [3, 5]}
    sweep = sim.sweep(MMC, levers, replications=2, overrides=WEEK, workers=1, root=tmp_path)
    found = sweep_findings(sweep, ["clearance_h.import.mean"], None)
    means = sweep.mean("clearance_h.import.mean").set_index("point")["mean"]
    assert means[0] > means[1]  # more officers, shorter clearance
    assert found[0] == (
        f"Import customs clearance time, mean: from {format_value(means[1], 'h', with_unit=True)}"
        f" at point 1 (customs.import.officers=5) to "
        f"{format_value(means[0], 'h', with_unit=True)} at point 0 (customs.import.officers=3)"
    )
    assert found[-1].startswith("Every point reaches a steady state")
