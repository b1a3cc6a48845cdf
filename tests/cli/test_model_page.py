"""The model page (docs/model.md) is what the code generates from the schema, the baseline
and the KPI registry; its network has sourced coordinates; ``landport kpis`` lists the
registry."""

from __future__ import annotations

import json

import pytest

from sim.cli import modelpage
from sim.results.kpis import KPIS
from sim.scenario import load_scenario
from tests.conftest import BASELINE, ROOT, landport


@pytest.fixture(scope="module")
def baseline():
    return load_scenario(BASELINE)


def test_the_model_page_is_up_to_date_with_the_schema_and_the_registry(baseline):
    text = modelpage.PAGE.read_text(encoding="utf-8")
    assert modelpage.render(text, modelpage.sections(baseline)) == text, (
        "docs/model.md is out of date: run `.venv/bin/python -m sim.cli.modelpage`"
    )


def test_a_page_without_a_generated_part_is_refused():
    text = modelpage.PAGE.read_text(encoding="utf-8")
    broken = text.replace("<!-- end: kpis -->", "")
    with pytest.raises(ValueError, match="generated parts"):
        modelpage.render(broken, {"network": "", "levers": "", "kpis": ""})


def test_every_place_has_sourced_coordinates_in_the_region(baseline):
    places = modelpage.read_places()
    for name in baseline.network.places:
        lat, lon, source = places[name]
        assert -5 <= lat <= 35, name  # Southeast Asia and South China
        assert 90 <= lon <= 120, name
        assert source.strip(), name
    graph = modelpage.network_graph(baseline, places)
    assert set(graph.nodes) == set(baseline.network.places)
    for leg in baseline.network.legs:
        assert graph.edges[leg.a, leg.b] == {"mode": "rail", "distance_km": leg.distance_km}
    sea = [e for e in graph.edges(data=True) if e[2]["mode"] == "sea"]
    assert len(sea) == sum(len(p.services) for p in baseline.sea_ports.values())


def test_a_place_without_coordinates_is_named(baseline):
    places = modelpage.read_places()
    del places["mohan"]
    with pytest.raises(KeyError, match="mohan"):
        modelpage.network_graph(baseline, places)


def test_the_network_drawing_is_on_disk_and_draws(baseline):
    assert modelpage.FIGURE.read_bytes().startswith(b"\x89PNG")
    assert f"]({modelpage.FIGURE.name})" in modelpage.PAGE.read_text(encoding="utf-8")
    png = modelpage.draw_network(baseline, modelpage.read_places())
    assert png.startswith(b"\x89PNG")


def test_levers_carry_their_unit_default_and_baseline_value(baseline):
    rows = {r[0]: r for r in modelpage.lever_rows(baseline.customs, "customs")}
    _, unit, default, value, _ = rows["customs.import.officers"]
    assert (unit, default, value) == ("count", "required", str(baseline.customs.import_.officers))
    tariffs = {r[0]: r for r in modelpage.lever_rows(baseline.tariffs, "tariffs")}
    assert tariffs["tariffs.discount.nanning"][1:4] == ("share (%)", "–", "30%")
    assert tariffs["tariffs.storage_free_days"][1:3] == ("days", "0")
    terminal = {r[0]: r for r in modelpage.lever_rows(baseline.terminal, "terminal")}
    assert terminal["terminal.handling.teu_per_h"][1] == "TEU/h"
    assert terminal["terminal.gate.service_h"][3].startswith("gamma (mean ")


def test_kpis_command_lists_every_family_of_the_registry():
    done = landport("kpis", "--json")
    assert done.exit_code == 0, done.output
    rows = json.loads(done.stdout)
    assert [r["pattern"] for r in rows] == [f.pattern for f in KPIS]
    first = rows[0]
    assert first == {
        "pattern": "trains.total",
        "label": "Trains run, all corridors",
        "unit": "trains",
        "theme": "throughput",
        "tiers": "headline, checked",
    }
    assert any(r["label"] == "Trains run, <corridor>" for r in rows)
    table = landport("kpis")
    assert table.exit_code == 0
    assert "clearance_h.import.<stat>" in table.output
    assert f"{len(KPIS)} KPI families" in table.output


def test_the_readme_links_the_model_page():
    assert "(docs/model.md)" in (ROOT / "README.md").read_text(encoding="utf-8")
