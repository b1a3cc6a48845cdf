"""Every hub resource can bind: the shipped what-ifs each make one of them the bottleneck,
and the run says which (the line ``landport run``, ``compare``, ``sweep``, ``check`` and the
report print). On the same traffic with all of them ample, nothing is named."""

from __future__ import annotations

import pytest

from sim.experiment.api import run
from sim.results.health import diagnose
from sim.results.report import health_notes
from tests.conftest import ROOT

SCENARIOS = ROOT / "scenarios"
QUARTER = {"end": "2024-03-31", "replications": 1}


@pytest.mark.parametrize(
    ("scenario", "resource"),
    [
        ("bottleneck-tracks", "huaihua.tracks"),
        ("bottleneck-sidings", "huaihua.sidings"),
        ("bottleneck-handling", "huaihua.handling"),
        ("bottleneck-yard", "huaihua.yard.import"),
        ("growth-2x", "huaihua.customs.quarantine_lab"),
        ("hub-ample-customs", None),
    ],
)
def test_each_what_if_names_its_bottleneck(scenario, resource):
    result = run(SCENARIOS / f"{scenario}.yaml", overrides=QUARTER, save=False, workers=1)
    found = diagnose(result.kpi_means(), result.info).bottleneck
    assert (found[0] if found else None) == resource
    notes = health_notes(result)
    if resource is None:
        assert not any(n.startswith("Bottleneck") for n in notes)
    else:
        assert f"Bottleneck: {resource}" in " ".join(notes)
        assert found[1] >= 0.8
