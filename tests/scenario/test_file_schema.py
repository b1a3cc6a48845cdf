"""The JSON Schema of scenario files, as an editor checks them (draft 7, the YAML language
server's): every shipped scenario and sweep file passes, a misspelt key or a bad value fails,
a what-if that extends another may leave fields out, a whole scenario may not."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from sim.scenario.schema import Scenario
from tests.conftest import BASELINE, ROOT, landport

SHIPPED = sorted(
    [
        *(ROOT / "scenarios").glob("*.yaml"),
        *(ROOT / "sweeps").glob("*.yaml"),
        *(ROOT / "tests" / "scenarios").glob("*.yaml"),
    ]
)


def as_an_editor_reads(path: Path) -> Any:
    """The YAML as plain JSON values: an editor sees a date as the string it is written as."""

    def plain(node: Any) -> Any:
        if isinstance(node, dict):
            return {str(k): plain(v) for k, v in node.items()}
        if isinstance(node, list):
            return [plain(v) for v in node]
        return node.isoformat() if isinstance(node, dt.date) else node

    return plain(yaml.safe_load(path.read_text(encoding="utf-8")))


@pytest.fixture(scope="module")
def check() -> jsonschema.Draft7Validator:
    schema = json.loads(landport("schema").output)  # as the command prints it
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema)


def problems(check: jsonschema.Draft7Validator, data: Any) -> list[str]:
    return [f"{'.'.join(map(str, e.absolute_path))}: {e.message}" for e in check.iter_errors(data)]


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_shipped_scenario_and_sweep_file_passes(check, path):
    assert problems(check, as_an_editor_reads(path)) == []


def test_a_what_if_may_leave_out_any_field_but_not_misspell_one(check):
    officers = {"extends": "baseline.yaml", "customs": {"import": {"officers": 4}}}
    assert problems(check, officers) == []
    found = problems(check, {"extends": "baseline.yaml", "customs": {"import": {"oficers": 4}}})
    assert len(found) == 1
    assert "'oficers' was unexpected" in found[0]
    found = problems(check, {"extends": "baseline.yaml", "customs": {"import": {"officers": 0}}})
    assert len(found) == 1
    assert found[0].startswith("customs.import.officers:")
    assert problems(check, {"extends": "baseline.json"})  # extends names a YAML file


def test_a_whole_scenario_must_give_every_field(check):
    baseline = as_an_editor_reads(BASELINE)
    del baseline["customs"]["import"]
    found = problems(check, baseline)
    assert any("'import' is a required property" in p for p in found), found
    del baseline["demand"]
    assert any("'demand' is a required property" in p for p in problems(check, baseline))


def test_a_list_in_a_what_if_replaces_the_inherited_one_so_its_items_are_whole(check):
    stage = {"name": "xray", "resource": "xray", "time_h": 0.25}
    good = {"extends": "baseline.yaml", "customs": {"import": {"extra_stages": [stage]}}}
    assert problems(check, good) == []
    partial = {"name": "xray"}  # no resource, no time: nothing to merge it with
    bad = {"extends": "baseline.yaml", "customs": {"import": {"extra_stages": [partial]}}}
    assert problems(check, bad)


def test_a_distribution_may_be_a_plain_number_or_any_kind(check):
    for value in (0.5, {"dist": "gamma", "mean": 2, "cv": 0.5}, {"dist": "exponential", "mean": 1}):
        data = {"extends": "baseline.yaml", "terminal": {"tracks": {"reception_h": value}}}
        assert problems(check, data) == [], value
    data = {"extends": "baseline.yaml", "terminal": {"tracks": {"reception_h": -1}}}
    assert problems(check, data)


def test_a_sweep_block_is_a_grid_or_a_list_of_points(check):
    base = {"extends": "../scenarios/baseline.yaml"}
    assert problems(check, {**base, "sweep": {"customs.import.officers": [2, 3]}}) == []
    assert problems(check, {**base, "sweep": [{"customs.import.officers": 2}]}) == []
    assert problems(check, {**base, "sweep": {"customs.import.officers": []}})
    assert problems(check, {**base, "sweep": []})


def test_resolved_is_the_model_s_own_schema():
    result = landport("schema", "--resolved")
    assert result.exit_code == 0
    assert json.loads(result.output) == Scenario.model_json_schema(by_alias=True)
