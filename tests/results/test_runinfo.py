"""Typed run metadata: written into the manifest when a run is saved, read back as a typed
object, rebuilt from ``scenario.yaml`` for an older folder, refused with one clear line when
it is malformed — and never replaced by defaults scattered through the results layer."""

from __future__ import annotations

import ast
import datetime as dt
import json
from pathlib import Path

import pytest

import sim
from sim.experiment.manifest import run_info
from sim.results.resource_kinds import RESOURCE_KINDS
from sim.results.run import load_run
from sim.results.runinfo import RunInfo, bilingual
from sim.results.store import RunFolderError
from sim.scenario import load_scenario
from tests.conftest import BASELINE, MMC, ROOT

SHORT = {"end": "2023-01-20", "warmup_days": 3}


@pytest.fixture(scope="module")
def saved(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("info") / "run"
    sim.run(BASELINE, replications=1, out=out, overrides=SHORT, workers=1, register=False)
    return out


@pytest.mark.parametrize(
    ("text", "en", "zh"),
    [
        (
            "Huaihua International Land Port (怀化国际陆港)",
            "Huaihua International Land Port",
            "怀化国际陆港",
        ),
        ("Qinzhou port, Beibu Gulf (钦州港)", "Qinzhou port, Beibu Gulf", "钦州港"),
        ("China–Laos train （中老班列）", "China–Laos train", "中老班列"),
        ("Vientiane", "Vientiane", "Vientiane"),
        ("怀化", "怀化", "怀化"),
    ],
)
def test_a_scenario_label_gives_english_and_chinese(text, en, zh):
    label = bilingual(text)
    assert (label.en, label.zh) == (en, zh)
    assert label("zh") == zh
    with pytest.raises(ValueError, match="language"):
        label("fr")


def test_the_baseline_is_described_as_the_port_writes_it():
    info = run_info(load_scenario(BASELINE))
    assert (info.start, info.end) == (dt.date(2023, 1, 1), dt.date(2023, 8, 31))
    assert info.horizon_h == 243 * 24
    assert info.warmup_h == 21 * 24
    assert info.hub.label.zh == "怀化国际陆港"
    assert info.sea_port is not None
    assert info.sea_port.label.zh == "钦州港"
    assert [c.name for c in info.corridors] == ["qinzhou_rail_sea", "china_laos", "china_vietnam"]
    borders = {c.name: c.border.label.zh for c in info.corridors if c.border is not None}
    assert borders == {"china_laos": "磨憨", "china_vietnam": "凭祥"}
    assert len({c.colour for c in info.corridors}) == 3
    assert info.road is None  # the baseline has no truck imports
    assert "nanning" in {b.name for b in info.bureaus}
    assert info.handling_teu_per_h == 12
    # every resource the model builds is a kind the results know, with its units
    assert all(r.role != "other" for r in info.resources)
    assert {r.name for r in info.resources} == {k.name for k in RESOURCE_KINDS}
    units = {r.name: r.units for r in info.resources}
    assert units["sidings"] == 11
    assert units["customs.import.officers"] == 3
    assert units["yard.import"] + units["yard.export"] == 3000
    tracks = info.resource("huaihua.tracks")
    assert tracks is not None
    assert tracks.role == "holder"
    assert tracks.waits_for == "yard.import"


def test_truck_imports_are_the_road_corridor():
    info = run_info(load_scenario(MMC))
    assert info.corridors == ()
    assert info.road is not None
    assert info.road.directions == ("import",)
    assert info.corridor("road") == info.road


def test_the_manifest_carries_the_metadata_and_reads_back_typed(saved):
    manifest = json.loads((saved / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["run_info"]["hub"]["label"]["zh"] == "怀化国际陆港"  # UTF-8 as written
    run = load_run(saved)
    assert isinstance(run.info, RunInfo)
    assert run.info == run_info(load_scenario(BASELINE, SHORT))
    assert run.name == "baseline"


def older(saved: Path, tmp_path: Path, change) -> Path:
    """A copy of the saved run whose manifest ``change`` edits."""
    folder = tmp_path / "older"
    folder.mkdir()
    for name in ("manifest.json", "scenario.yaml", "kpis.parquet", "summary.parquet"):
        (folder / name).write_bytes((saved / name).read_bytes())
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    change(manifest)
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return folder


def test_an_older_manifest_is_refused_by_name_or_rebuilt_from_its_scenario(saved, tmp_path):
    folder = older(saved, tmp_path, lambda m: m.pop("run_info"))
    with pytest.raises(RunFolderError, match=r"manifest\.json: run_info: missing"):
        load_run(folder)
    assert sim.load(folder).info == load_run(saved).info


def test_malformed_metadata_is_one_line_naming_the_field(saved, tmp_path):
    folder = older(saved, tmp_path, lambda m: m["run_info"]["hub"].pop("label"))
    expected = r"manifest\.json: run_info\.hub\.label: Field required"
    with pytest.raises(RunFolderError, match=expected):
        sim.load(folder)


def test_results_take_no_defaults_from_dictionaries():
    """No ``x.get(key, default)`` in the results layer (the run folder's own reading, the
    catalogue and pruning aside: they read any folder, damaged ones too): what a run is comes
    from its typed metadata."""
    found = []
    for path in sorted((ROOT / "sim" / "results").rglob("*.py")):
        if path.name in ("store.py", "catalog.py", "prune.py"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "get"
                and len(node.args) + len(node.keywords) >= 2
            ):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert found == []
