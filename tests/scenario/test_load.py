"""Scenario loading: extends, overrides, provenance and the errors planners see."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sim.cli import app
from sim.scenario import ScenarioError, load_scenario, parse_override, scenario_hash
from sim.scenario.schema import Scenario
from tests.conftest import BASELINE, ROOT

runner = CliRunner()


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def whatif_dir(tmp_path: Path) -> Path:
    (tmp_path / "baseline.yaml").write_text(BASELINE.read_text(encoding="utf-8"), encoding="utf-8")
    return tmp_path


def test_every_committed_scenario_is_valid():
    for path in sorted((ROOT / "scenarios").glob("*.yaml")):
        assert isinstance(load_scenario(path), Scenario), path


def test_baseline_matches_the_calibration_window(baseline):
    assert (baseline.start.isoformat(), baseline.end.isoformat()) == ("2023-01-01", "2023-08-31")
    assert baseline.horizon_h == 243 * 24
    assert set(baseline.corridors) == {"qinzhou_rail_sea", "china_laos", "china_vietnam"}


def test_extends_merges_deeply_and_keeps_the_rest(whatif_dir, baseline):
    path = write(
        whatif_dir,
        "w.yaml",
        "extends: baseline.yaml\nname: w\ntariffs:\n  discount: {nanning: 0.45}\n",
    )
    s = load_scenario(path)
    assert s.tariffs.discount == {"guangzhou": 0.52, "nanning": 0.45, "shanghai": 0.45}
    assert s.customs == baseline.customs
    assert scenario_hash(s) != scenario_hash(baseline)


def test_a_distribution_of_another_kind_replaces_the_inherited_one(whatif_dir):
    path = write(
        whatif_dir,
        "w.yaml",
        "extends: baseline.yaml\nname: w\ncustoms:\n  import:\n"
        "    review_h: {dist: triangular, low: 0.2, mode: 0.4, high: 1.0}\n",
    )
    review = load_scenario(path).customs.import_.review_h
    assert (review.dist, review.mode) == ("triangular", 0.4)


def test_overrides_apply_last_and_parse_yaml_scalars(baseline):
    key, value = parse_override("customs.import.officers=5")
    assert (key, value) == ("customs.import.officers", 5)
    s = load_scenario(BASELINE, {key: value, "tariffs.discount.nanning": 0.45})
    assert s.customs.import_.officers == 5
    assert s.tariffs.discount["nanning"] == 0.45


def test_hash_is_stable_and_sensitive(baseline):
    assert scenario_hash(load_scenario(BASELINE)) == scenario_hash(baseline)
    assert scenario_hash(load_scenario(BASELINE, {"seed": 1})) != scenario_hash(baseline)


BAD = {
    "wrong type": (
        "customs:\n  import:\n    officers: three\n",
        "customs.import.officers",
        "valid integer",
    ),
    "unknown key": (
        "customs:\n  import:\n    oficers: 3\n",
        "customs.import.oficers",
        "unknown field",
    ),
    "negative rate": (
        "demand:\n  flows:\n    rail_sea_export:\n      teu_per_week: -5\n",
        "demand.flows.rail_sea_export.teu_per_week",
        "greater than or equal to 0",
    ),
    "missing corridor": (
        "demand:\n  flows:\n    rail_sea_export:\n      corridor: china_myanmar\n",
        "demand.flows.rail_sea_export.corridor",
        "unknown corridor 'china_myanmar'",
    ),
    "bad distribution": (
        "customs:\n  import:\n    review_h: {dist: gamma, mean: -2, cv: 1}\n",
        "customs.import.review_h.mean",
        "greater than 0",
    ),
    "yard smaller than a train": (
        "terminal:\n  yard: {capacity_teu: 50}\n",
        "terminal.yard",
        "capacity of an import train",
    ),
    "bad schedule key": (
        "corridors:\n  china_laos:\n    trains:\n      export:\n        schedule: {headway: 3}\n",
        "corridors.china_laos.trains.export.schedule.headway",
        "unknown field",
    ),
    "sea port at the end of another corridor": (
        "sea_ports:\n  qinzhou:\n    corridor: china_laos\n",
        "sea_ports.qinzhou.corridor",
        "corridor 'china_laos' does not end at 'qinzhou'",
    ),
    "sea port that is no seaport": (
        "sea_ports:\n  nanning: {corridor: china_vietnam, max_delay_h: 24, services: {}}\n",
        "sea_ports.nanning",
        "expected a place of kind seaport, found 'nanning'",
    ),
    "one corridor for two sea ports": (
        "sea_ports:\n  haiphong: {corridor: qinzhou_rail_sea, max_delay_h: 24, services: {}}\n",
        "sea_ports.haiphong.corridor",
        "corridor 'qinzhou_rail_sea' already serves 'qinzhou'",
    ),
    "flow to a port its sea port does not serve": (
        "demand:\n  flows:\n    rail_sea_export:\n      places: {hanoi: 1}\n",
        "demand.flows.rail_sea_export.places.hanoi",
        "expected a port served from qinzhou",
    ),
    "customs stage on an unknown resource": (
        "customs:\n  import:\n    extra_stages: [{name: xray, resource: scanner, time_h: 1}]\n",
        "customs.import.extra_stages.0.resource",
        "unknown customs resource 'scanner'",
    ),
    "customs stage named as a standard one": (
        "customs:\n  export:\n    extra_stages: [{name: review, resource: officers, time_h: 1}]\n",
        "customs.export.extra_stages",
        "stage name 'review' is taken by a standard stage",
    ),
    "customs stage given twice": (
        "customs:\n  import:\n    extra_stages:\n"
        "      - {name: xray, resource: officers, time_h: 1}\n"
        "      - {name: xray, resource: officers, time_h: 2}\n",
        "customs.import.extra_stages",
        "stage name 'xray' is given twice",
    ),
    "customs resource named as a standard one": (
        "customs:\n  resources:\n    quarantine_lab: {units: 2}\n",
        "customs.resources",
        "resource name 'quarantine_lab' is taken by a standard resource",
    ),
    "customs stage name that is no name": (
        "customs:\n  import:\n    extra_stages: [{name: X-ray, resource: officers, time_h: 1}]\n",
        "customs.import.extra_stages.0.name",
        "should match pattern",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_fields_name_the_file_the_field_and_what_was_expected(whatif_dir, case):
    body, field, expected = BAD[case]
    path = write(whatif_dir, "bad.yaml", f"extends: baseline.yaml\nname: bad\n{body}")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    issue = next(i for i in info.value.issues if i.field == field)
    assert issue.file.endswith("bad.yaml")
    assert expected in issue.message
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert field in result.output.replace("\n", "")


def test_an_error_in_an_inherited_file_names_that_file(whatif_dir):
    base = whatif_dir / "baseline.yaml"
    base.write_text(base.read_text().replace("officers: 3 ", "officers: -3 "), encoding="utf-8")
    path = write(whatif_dir, "w.yaml", "extends: baseline.yaml\nname: w\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    (issue,) = info.value.issues
    assert issue.file.endswith("baseline.yaml")
    assert issue.field == "customs.import.officers"


def test_unknown_extends_target(whatif_dir):
    path = write(whatif_dir, "w.yaml", "extends: nothere.yaml\nname: w\n")
    with pytest.raises(ScenarioError, match=r"no scenario file 'nothere\.yaml' to extend"):
        load_scenario(path)
    result = runner.invoke(app, ["run", str(path)])
    assert result.exit_code == 2
    assert "extends" in result.output


def test_circular_extends(whatif_dir):
    write(whatif_dir, "a.yaml", "extends: b.yaml\nname: a\n")
    write(whatif_dir, "b.yaml", "extends: a.yaml\nname: b\n")
    with pytest.raises(ScenarioError, match="circular extends"):
        load_scenario(whatif_dir / "a.yaml")


def test_yaml_syntax_error_gives_line_and_column(whatif_dir):
    path = write(
        whatif_dir, "w.yaml", "extends: baseline.yaml\nname: w\ncustoms: {import: {officers: 3\n"
    )
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert "YAML syntax error" in str(info.value)
    assert "line " in str(info.value)
    result = runner.invoke(app, ["run", str(path)])
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_python_object_tags_are_refused(tmp_path):
    path = write(tmp_path, "evil.yaml", '!!python/object/apply:os.system ["echo hacked"]\n')
    with pytest.raises(ScenarioError, match="YAML syntax error"):
        load_scenario(path)


def test_missing_file_and_bad_override():
    result = runner.invoke(app, ["validate", "no/such/file.yaml"])
    assert result.exit_code == 2
    assert "no such scenario file" in result.output
    result = runner.invoke(app, ["validate", str(BASELINE), "--set", "customs.import.officers"])
    assert result.exit_code == 2
    assert "PATH=VALUE" in result.output


def test_schema_command_prints_json_schema():
    result = runner.invoke(app, ["schema", "--resolved"])
    assert result.exit_code == 0
    schema = json.loads(result.output)
    assert schema["title"] == "Scenario"
    assert "demand" in schema["properties"]
    assert schema["additionalProperties"] is False


def _with_one_sea(baseline: Scenario) -> dict:
    """The baseline written as scenarios were before ``sea_ports``: one ``sea`` section."""
    data = baseline.model_dump(mode="json", by_alias=True)
    ((port, spec),) = data.pop("sea_ports").items()
    data["sea"] = {"port": port, **spec}
    return data


def test_a_scenario_written_with_one_sea_section_reads_as_that_port(whatif_dir, baseline):
    """Older scenario files, and the resolved scenarios in older run folders, still load."""
    path = write(whatif_dir, "old.yaml", json.dumps(_with_one_sea(baseline)))
    old = load_scenario(path)
    assert old == baseline
    assert scenario_hash(old) == scenario_hash(baseline)


def test_an_error_in_an_old_sea_section_names_the_file_and_the_port(whatif_dir, baseline):
    data = _with_one_sea(baseline)
    data["sea"]["services"]["haiphong"]["slots_teu"] = 0
    path = write(whatif_dir, "old.yaml", json.dumps(data))
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    (issue,) = info.value.issues
    assert issue.file.endswith("old.yaml")
    assert issue.field == "sea_ports.qinzhou.services.haiphong.slots_teu"


def test_a_part_of_an_old_sea_section_says_where_it_went(whatif_dir):
    path = write(
        whatif_dir,
        "w.yaml",
        "extends: baseline.yaml\nname: w\nsea:\n  services:\n    haiphong: {slots_teu: 400}\n",
    )
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    (issue,) = info.value.issues
    assert issue.field == "sea"
    assert "sea_ports: {<port>: {corridor, max_delay_h, services}}" in issue.message
