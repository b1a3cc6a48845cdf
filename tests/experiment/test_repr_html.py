"""Results typed alone in a notebook cell show a short summary, not their tables."""

from __future__ import annotations

import sim
from sim.results.formatting import format_value
from sim.results.kpis import kpi_label
from tests.conftest import MMC, MMC_WEEK

OFFICERS = "customs.import.officers"
CLEARANCE = "clearance_h.import.mean"


def test_a_run_shows_its_facts_and_headline_kpis():
    run = sim.run(MMC, replications=2, overrides=MMC_WEEK, workers=1, save=False)
    html = run._repr_html_()
    assert html.startswith('<div class="landport-run">')
    assert run.name in html
    assert "Replications" in html
    mean = run.summary.set_index("kpi").loc[CLEARANCE]
    assert kpi_label(CLEARANCE, run.info) in html
    row = html.split(kpi_label(CLEARANCE, run.info))[1].split("</tr>")[0]
    assert f">{format_value(mean['mean'], 'h')}<" in row
    assert f">{format_value(mean['half_width'], 'h')}<" in row
    assert ".containers" in html
    assert len(html) < 10_000  # the tables are not in it
    assert "replication" not in html.split("Tables:")[0].lower().replace("replications", "")


def test_a_comparison_and_a_sweep_show_their_headline_tables():
    compared = sim.compare(MMC, MMC, replications=2, overrides=MMC_WEEK, workers=1, save=False)
    html = compared._repr_html_()
    assert html.startswith('<div class="landport-compare">')
    assert kpi_label(CLEARANCE, compared.a.info) in html
    assert len(html) < 10_000
    sweep = sim.sweep(
        MMC, {OFFICERS: [3, 4, 5]}, overrides=MMC_WEEK, replications=2, workers=1, save=False
    )
    html = sweep._repr_html_()
    assert html.startswith('<div class="landport-sweep">')
    assert html.count("<tr>") >= 3 + 1  # a row per point under the header
    assert ".differences(reference)" in html
    assert len(html) < 20_000
