"""What a scenario may hold: finite, bounded, strictly typed values, YAML without bombs or
duplicate keys, and ``extends`` that stays inside the scenario's folder tree."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.scenario import ScenarioError, load_scenario, parse_override, scenario_from_dict
from sim.scenario.file_schema import file_schema
from sim.scenario.load import (
    EXTENDS_PATH_ENV,
    MAX_EXTENDS_DEPTH,
    apply_overrides,
    resolve,
    validate,
)
from sim.scenario.reader import MAX_NESTING, MAX_VALUES, load_yaml
from sim.scenario.schema import MAX_REPLICATIONS, MAX_TEU_PER_REPLICATION, Scenario
from tests.conftest import BASELINE, ROOT


@pytest.fixture(autouse=True)
def _only_the_scenario_folder_and_cwd(monkeypatch, tmp_path):
    """These tests define where ``extends`` may go: no extra folders, the working
    directory a folder of its own."""
    monkeypatch.delenv(EXTENDS_PATH_ENV, raising=False)
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)


def issues(path: Path | str, overrides: dict[str, Any] | None = None) -> list[str]:
    """The scenario's problems as the command line prints them ([] when it is valid)."""
    try:
        load_scenario(path, overrides)
    except ScenarioError as exc:
        return [str(i) for i in exc.issues]
    return []


def one(path: Path | str, overrides: dict[str, Any] | None = None) -> str:
    found = issues(path, overrides)
    assert found, "expected the scenario to be refused"
    return "\n".join(found)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    scn = tmp_path / "scn"
    scn.mkdir()
    (scn / "baseline.yaml").write_text(BASELINE.read_text(encoding="utf-8"), encoding="utf-8")
    return scn


def whatif(folder: Path, body: str, name: str = "w.yaml") -> Path:
    path = folder / name
    path.write_text(body, encoding="utf-8")
    return path


# ---------------------------------------------------------------------------- YAML


def test_an_alias_bomb_is_refused_before_it_expands():
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [{', '.join([f'*{p}'] * 9)}]\n"
        for p, c in zip("abcdefghij", "bcdefghijk", strict=True)
    )  # 9 ** 10 values once expanded, from 400 bytes
    with pytest.raises(ScenarioError, match=f"more than {MAX_VALUES:,} values"):
        load_yaml(bomb, "bomb.yaml")


def test_an_alias_inside_its_own_anchor_is_refused():
    for text in ("a: &a [1, *a]\n", "a: &a {b: *a}\n"):
        with pytest.raises(ScenarioError, match="inside its own anchor"):
            load_yaml(text, "loop.yaml")


def test_aliases_within_the_budget_expand_to_independent_copies():
    data = load_yaml("a: &a {x: 1}\nb: *a\n", "ok.yaml")
    data["a"]["x"] = 2
    assert data == {"a": {"x": 2}, "b": {"x": 1}}


def test_deep_nesting_is_refused_with_its_line():
    for text in ("x: " + "[" * 5000 + "]" * 5000, "".join(" " * i + f"k{i}:\n" for i in range(40))):
        with pytest.raises(ScenarioError, match=f"nested more than {MAX_NESTING} levels"):
            load_yaml(text, "deep.yaml")


@pytest.mark.parametrize(
    ("text", "said"),
    [
        (
            "name: @x",
            "line 1, column 7: YAML syntax error: while scanning for the next token, "
            "found character '@' that cannot start any token",
        ),
        (
            'name: "bad \\q"',
            "line 1, column 13: YAML syntax error: while scanning a "
            "double-quoted scalar, found unknown escape character 'q'",
        ),
        ("a: " + "[" * 2000 + "]" * 2000, "line 1, column 35: nested more than 32 levels deep"),
        ("name: a\udcffb", "YAML syntax error: unacceptable character #xdcff"),
    ],
)
def test_a_text_the_fast_reader_refuses_is_said_in_pyyaml_s_words(text, said):
    """libyaml scans, but its messages do not name the character; the text is read again by
    PyYAML's own reader to say what it found and where (a byte that is not UTF-8, from a
    shell's ``--set``, is one such text)."""
    with pytest.raises(ScenarioError) as info:
        load_yaml(text, "f.yaml")
    assert said in str(info.value)
    assert "\n" not in str(info.value)


def test_a_key_given_twice_is_an_error_naming_both_lines():
    with pytest.raises(ScenarioError) as info:
        load_yaml("seed: 1\nname: a\nseed: 2\n", "dup.yaml")
    (issue,) = info.value.issues
    assert issue.field == "line 3, column 1"
    assert "key 'seed' is given twice in one mapping (first on line 1)" in issue.message


def test_merge_keys_may_override_what_they_merge():
    data = load_yaml("base: &b {x: 1, y: 2}\nother:\n  <<: *b\n  x: 3\n", "merge.yaml")
    assert data["other"] == {"x": 3, "y": 2}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("start: 2023-02-30\n", "cannot read '2023-02-30' as a date: day is out of range"),
        ("seed: " + "9" * 5000 + "\n", "as an integer: too many digits"),
        ("x: !!float abc\n", "cannot read 'abc' as a number"),
        ("x: !!bool maybe\n", "cannot read 'maybe' as true or false"),
        ("x: !!python/object/apply:os.system ['true']\n", "could not determine a constructor"),
        ("name: a\0b\n", "unacceptable character #x0000"),
    ],
)
def test_a_value_yaml_cannot_read_is_an_error_with_its_line(text, expected):
    with pytest.raises(ScenarioError) as info:
        load_yaml(text, "bad.yaml")
    assert expected in str(info.value)


def test_exponent_notation_is_a_number_as_in_yaml_1_2():
    assert load_yaml("a: 1e9\nb: 3e-4\nc: 1.5E3\n", "f.yaml") == {"a": 1e9, "b": 3e-4, "c": 1500.0}


def test_a_set_value_follows_the_same_rules():
    assert parse_override("customs.import.officers=4") == ("customs.import.officers", 4)
    with pytest.raises(ScenarioError, match="given twice"):
        parse_override("tariffs.discount={nanning: 0.4, nanning: 0.5}")
    with pytest.raises(ScenarioError, match="values once its aliases are expanded"):
        parse_override(
            "description=[&a [x, x, x, x, x, x, x, x, x, x], "
            + ", ".join(
                f"&{c} [{', '.join([f'*{p}'] * 10)}]" for p, c in zip("abcde", "bcdef", strict=True)
            )
            + "]"
        )


# ---------------------------------------------------------------------------- values


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("warmup_days", math.inf, "finite number"),
        ("customs.import.review_h", math.inf, "finite number"),
        ("tariffs.value_of_time_cny_per_teu_h", math.nan, "finite number"),
        ("replications", MAX_REPLICATIONS + 1, f"less than or equal to {MAX_REPLICATIONS}"),
        ("replications", 1e9, "valid integer"),
        ("customs.import.officers", True, "valid integer"),
        ("customs.import.officers", 2.5, "valid integer"),
        ("customs.import.officers", "3", "valid integer"),
        ("corridors.china_laos.four_customs_as_one", 1, "valid boolean"),
        ("customs.import.review_h", {"dist": "gamma", "mean": 0.5, "cv": 1e-300}, "0.001"),
        ("customs.import.review_h", {"dist": "lognormal", "mean": 0.5, "cv": 1e200}, "10"),
        (
            "sea_ports.qinzhou.services.haiphong.freight_cny_per_teu",
            2.0**31,
            "less than or equal to",
        ),
        ("tariffs.subsidy_per_teu_cny", 1e300, "less than or equal to"),
        ("end", "9999-12-31", "expected a date from 1900-01-01 to 2199-12-31"),
        ("end", "2040-01-01", "at most 3,653 days from start to end"),
        ("end", "2022-12-31", "is before start"),
        ("start", "2023-01-01T10:00", "expected a date as YYYY-MM-DD"),
        ("demand.scale", 0, "no flow has any volume"),
        ("name", "..", "String should match pattern"),
        ("name", ".hidden", "String should match pattern"),
        ("seed", -5, "greater than or equal to 0"),
        ("corridors.qinzhou_rail_sea.trains.export.schedule.headway_h", 1e-9, "greater than"),
        ("watchdog.stall_h", 1e-300, "greater than or equal to 24"),
        ("terminal.handling.teu_per_h", 1e-300, "greater than or equal to 1"),
        ("terminal.yard.import_share", 1.0, "less than 1"),
    ],
)
def test_values_that_would_crash_or_explode_a_run_are_refused(field, value, expected):
    message = one(BASELINE, {field: value})
    assert field in message, message
    assert expected in message, message


def test_a_scenario_without_flows_is_refused():
    data, prov = resolve(BASELINE)
    data["demand"]["flows"] = {}
    with pytest.raises(ScenarioError, match=r"demand\.flows: Dictionary should have at least 1"):
        validate(data, prov, "baseline.yaml")


def test_a_month_of_demand_is_needed_in_the_simulated_window():
    zero = dict.fromkeys(("dec", "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug"), 0)
    message = one(BASELINE, {"demand.seasonality": zero})
    assert "demand.seasonality: 0 in every month from 2022-12 to 2023-08" in message
    assert issues(BASELINE, {"demand.seasonality": {**zero, "jan": 0.5}}) == []


def test_a_replication_too_big_to_run_is_refused_naming_the_bound():
    message = one(BASELINE, {"demand.scale": 100, "end": "2032-12-31"})
    assert "demand: up to" in message
    assert f"{MAX_TEU_PER_REPLICATION:,.0f}" in message
    assert issues(BASELINE, {"demand.scale": 25}) == []  # 25× for eight months is fine


def test_levers_far_from_the_reference_cannot_explode_the_demand():
    logit = {
        "demand.response.cost_sensitivity_per_cny": 0.01,  # e^(0.01 × ¥500) = 148-fold
        "demand.response.reference.subsidy_per_teu_cny": 0,
    }
    elasticity = {
        "demand.response.model": "elasticity",
        "demand.response.elasticity": -10,
        "demand.response.reference.discount": {"nanning": 0.0, "guangzhou": 0.0},
        "tariffs.discount": {"nanning": 1.0, "guangzhou": 1.0},
    }
    for levers in (logit, elasticity):
        message = one(BASELINE, levers)
        assert "demand.flows.rail_sea_export: the rate levers could multiply" in message
    assert issues(BASELINE, {"tariffs.discount.nanning": 1.0}) == []
    assert issues(BASELINE, {**elasticity, "demand.response.elasticity": -1.2}) == []


def test_a_subsidy_above_the_price_is_refused():
    message = one(BASELINE, {"tariffs.subsidy_per_teu_cny": 20_000})
    assert message.startswith("--set: tariffs.subsidy_per_teu_cny: 20,000 exceeds the lowest")
    assert "shippers would be paid to ship" in message


@pytest.mark.parametrize(
    "schema",
    [Scenario.model_json_schema(by_alias=True), file_schema()],
    ids=["resolved", "file"],
)
def test_every_number_in_the_schema_has_an_upper_bound(schema):
    """So a field added later with the annotated types (Hours, Share, Count, …) is bounded
    too; a bare ``float`` would show here. The file schema's plain-number distributions are
    bounded as the constants they stand for."""
    unbounded = []

    def walk(node: Any, where: str) -> None:
        if isinstance(node, dict):
            if node.get("type") in ("number", "integer") and not (
                {"maximum", "exclusiveMaximum", "enum", "const"} & set(node)
            ):
                unbounded.append(where)
            for key, value in node.items():
                walk(value, f"{where}/{key}")
        elif isinstance(node, list):
            for i, value in enumerate(node):
                walk(value, f"{where}/{i}")

    walk(schema, "")
    assert unbounded == []


def test_dates_may_be_iso_strings_from_json_or_set(baseline):
    data = json.loads(json.dumps(baseline.model_dump(mode="json", by_alias=True)))
    assert scenario_from_dict(data) == baseline


numbers = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.booleans(),
    st.text(max_size=20),
    st.none(),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_any_value_at_any_field_validates_or_is_one_clear_error_per_problem(data, baseline_tree):
    tree, leaves = baseline_tree
    path = data.draw(st.sampled_from(leaves))
    value = data.draw(numbers)
    d, prov = json.loads(tree), {}
    apply_overrides(d, prov, {path: value})
    try:
        validate(d, prov, "baseline.yaml")
    except ScenarioError as exc:  # anything else fails the test
        for issue in exc.issues:
            assert issue.message
            assert "\n" not in str(issue)
            assert issue.file in ("baseline.yaml", "--set"), issue


@pytest.fixture(scope="module")
def baseline_tree() -> tuple[str, list[str]]:
    data, _ = resolve(BASELINE)
    leaves: list[str] = []

    def walk(node: Any, prefix: str) -> None:
        for key, value in node.items():
            if isinstance(value, dict):
                walk(value, f"{prefix}{key}.")
            else:
                leaves.append(f"{prefix}{key}")

    walk(data, "")
    return json.dumps(data, default=str), leaves


# ---------------------------------------------------------------------------- extends


def test_extends_may_name_a_file_below_the_scenario(folder):
    lib = folder / "lib"
    lib.mkdir()
    (folder / "baseline.yaml").rename(lib / "baseline.yaml")
    assert issues(whatif(folder, "extends: lib/baseline.yaml\nname: w\n")) == []


@pytest.mark.parametrize("target", ["/etc/passwd.yaml", "../outside.yaml", "OUTSIDE"])
def test_extends_outside_the_folder_tree_is_refused(folder, target):
    outside = folder.parent / "outside.yaml"
    outside.write_text(BASELINE.read_text(encoding="utf-8"), encoding="utf-8")
    target = str(outside) if target == "OUTSIDE" else target
    message = one(whatif(folder, f"extends: {target}\nname: w\n"))
    assert "w.yaml: extends:" in message
    assert "is outside the scenario's folder and the working directory" in message


def test_a_folder_listed_in_the_environment_may_be_extended(folder, monkeypatch):
    outside = folder.parent / "shared"
    outside.mkdir()
    (folder / "baseline.yaml").rename(outside / "baseline.yaml")
    path = whatif(folder, f"extends: {outside / 'baseline.yaml'}\nname: w\n")
    assert issues(path)
    monkeypatch.setenv(EXTENDS_PATH_ENV, str(outside))
    assert issues(path) == []


def test_extends_may_reach_the_working_directory(folder, monkeypatch):
    monkeypatch.chdir(folder.parent)
    sub = folder / "what-ifs"
    sub.mkdir()
    assert issues(whatif(sub, "extends: ../baseline.yaml\nname: w\n")) == []


def test_the_shipped_scenarios_and_sweeps_need_no_permission(monkeypatch):
    monkeypatch.chdir(ROOT)
    for path in sorted((ROOT / "scenarios").glob("*.yaml")):
        assert issues(path) == [], path
    for path in sorted((ROOT / "sweeps").glob("*.yaml")):
        resolve(path)  # reads its extends chain (the sweep: block is a sweep's, not a field)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ('extends: "base\\0line.yaml"\n', "NUL character"),
        (f"extends: {'a' * 5000}.yaml\n", "file name too long"),
        ("extends: notes.txt\n", "expected a .yaml or .yml scenario file"),
        ("extends: [baseline.yaml]\n", "expected a file name"),
        ("extends: ''\n", "expected a file name"),
        ("extends: w.yaml\n", "circular extends"),
    ],
)
def test_a_broken_extends_is_one_clear_error(folder, body, expected):
    assert expected in one(whatif(folder, body + "name: w\n"))


def test_a_symlink_loop_is_a_clear_error(folder):
    (folder / "a.yaml").symlink_to("b.yaml")
    (folder / "b.yaml").symlink_to("a.yaml")
    assert "cannot follow 'a.yaml'" in one(whatif(folder, "extends: a.yaml\nname: w\n"))


def test_a_long_extends_chain_is_refused(folder):
    for i in range(MAX_EXTENDS_DEPTH + 5):
        whatif(folder, f"extends: c{i + 1}.yaml\n", f"c{i}.yaml")
    whatif(folder, "extends: baseline.yaml\n", f"c{MAX_EXTENDS_DEPTH + 5}.yaml")
    message = one(folder / "c0.yaml")
    assert f"a chain of more than {MAX_EXTENDS_DEPTH} files" in message
    assert issues(folder / "c10.yaml") == []  # a dozen is allowed


def test_an_override_that_creates_a_field_is_blamed_on_the_set_option():
    assert (
        one(BASELINE, {"a.b.c": 1})
        == "--set: a: unknown field (check its spelling; unknown fields are not allowed)"
    )


def test_a_distribution_kind_with_a_line_break_is_one_line():
    d, prov = resolve(BASELINE)
    apply_overrides(d, prov, {"sea_ports.qinzhou.services.yangon.transit_h.dist": "\n"})
    with pytest.raises(ScenarioError) as exc:
        validate(d, prov, "baseline.yaml")
    assert "\n" not in str(exc.value)
    assert "\\n" in str(exc.value)
