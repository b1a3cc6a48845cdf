"""`sweep`: the plan (grid, sweep files, validation), the tidy tables, and resuming after an
interruption without rerunning finished points or reading half-written ones."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

import sim
from sim.experiment.design import parse_lever, plan_sweep, split_sets
from sim.experiment.sweep import SweepResult
from sim.experiment.workspace import open_workspace, plan_record
from sim.results import store
from sim.results.store import RunFolderError
from sim.scenario import ScenarioError
from tests.conftest import MMC, MMC_WEEK, flat, landport

OFFICERS = "customs.import.officers"
REVIEW = "customs.import.review_h.mean"


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


# ----------------------------------------------------------------------------- the plan


def test_a_grid_of_two_levers_gives_every_combination_in_order():
    plan = plan_sweep(MMC, {OFFICERS: [3, 4, 5], REVIEW: [1.0, 1.2]}, overrides=MMC_WEEK)
    assert plan.levers == [OFFICERS, REVIEW]
    assert plan.points == [{OFFICERS: o, REVIEW: m} for o in (3, 4, 5) for m in (1.0, 1.2)]
    got = [(s.customs.import_.officers, s.customs.import_.review_h.mean) for s in plan.scenarios]
    assert got == [(o, m) for o in (3, 4, 5) for m in (1.0, 1.2)]
    assert {str(s.end) for s in plan.scenarios} == {"2023-01-07"}  # the override, everywhere


def test_command_line_sets_split_into_overrides_and_levers():
    overrides, levers = split_sets(
        [f"{OFFICERS}=4,6,8", "end=2023-02-28", "tariffs.discount.nanning=0.30,0.45"]
    )
    assert set(overrides) == {"end"}
    assert str(overrides["end"]) == "2023-02-28"
    assert levers == {OFFICERS: [4, 6, 8], "tariffs.discount.nanning": [0.30, 0.45]}
    assert parse_lever("policy=[timetable, when_full]") == ("policy", ["timetable", "when_full"])


def test_a_sweep_file_extends_a_scenario_and_its_block_is_the_grid(tmp_path):
    spec = write(
        tmp_path / "officers.yaml",
        f"extends: {MMC}\nreplications: 2\nend: 2023-01-07\n"
        f"sweep:\n  {OFFICERS}: [3, 4]\n  customs:\n    import:\n      review_h.mean: [1.0, 1.1]\n",
    )
    plan = plan_sweep(spec)
    assert plan.name == "officers"
    assert plan.levers == [OFFICERS, REVIEW]  # nested mappings are flattened to dotted paths
    assert len(plan.points) == 4
    assert plan.replications_of(0) == 2
    # The command line replaces a lever of the file; its levers come after the file's, and
    # the last lever varies fastest.
    plan = plan_sweep(spec, {OFFICERS: [5, 6, 7]})
    assert plan.levers == [REVIEW, OFFICERS]
    assert [(p[REVIEW], p[OFFICERS]) for p in plan.points] == [
        (m, o) for m in (1.0, 1.1) for o in (5, 6, 7)
    ]


def test_a_sweep_file_may_list_its_points_explicitly(tmp_path):
    spec = write(
        tmp_path / "pairs.yaml",
        f"extends: {MMC}\nsweep:\n  - {{{OFFICERS}: 3, {REVIEW}: 0.9}}\n"
        f"  - {{{OFFICERS}: 5, {REVIEW}: 1.5}}\n",
    )
    plan = plan_sweep(spec, overrides=MMC_WEEK)
    assert plan.points == [{OFFICERS: 3, REVIEW: 0.9}, {OFFICERS: 5, REVIEW: 1.5}]


@pytest.mark.parametrize(
    ("block", "field", "message"),
    [
        ("  customs.import.oficers: [3, 4]", "sweep.customs.import.oficers", "unknown field"),
        (f"  {OFFICERS}: [3, -1]", f"sweep.{OFFICERS}", "sweep point 1"),
        (f"  {OFFICERS}: 4", f"sweep.{OFFICERS}", "expected a non-empty list of values"),
        (f"  {OFFICERS}: []", f"sweep.{OFFICERS}", "expected a non-empty list of values"),
        (f"  {OFFICERS}: [3, 3]", f"sweep.{OFFICERS}", "listed twice"),
    ],
)
def test_a_bad_sweep_block_names_the_file_the_field_and_the_point(tmp_path, block, field, message):
    spec = write(tmp_path / "bad.yaml", f"extends: {MMC}\nsweep:\n{block}\n")
    with pytest.raises(ScenarioError) as caught:
        plan_sweep(spec)
    issues = caught.value.issues
    assert any(
        i.file.endswith("bad.yaml") and i.field == field and message in i.message for i in issues
    ), [str(i) for i in issues]


def test_every_point_is_validated_before_anything_runs(tmp_path):
    with pytest.raises(ScenarioError) as caught:
        sim.sweep(MMC, {OFFICERS: [3, 0, 4]}, overrides=MMC_WEEK, out=tmp_path / "never")
    assert "sweep point 1" in str(caught.value)
    assert not any(tmp_path.iterdir())  # no folder, not even a hidden one


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["customs.import.oficers=3,4"], "--set: customs.import.oficers: unknown field"),
        ([f"{OFFICERS}=3,zero"], f"--set: {OFFICERS}:"),
        (["end=2023-01-07"], "nothing to sweep"),
        ([f"{OFFICERS}"], "expected PATH=V1,V2"),
    ],
)
def test_bad_sweep_options_exit_2_with_a_clear_message_and_no_traceback(args, expected):
    result = landport("sweep", MMC, *(a for s in args for a in ("--set", s)), "--workers", "1")
    assert result.exit_code == 2, result.output
    assert expected in flat(result.output)
    assert "Traceback" not in result.output


def test_a_bad_sweep_file_exits_2_naming_the_file_and_field(tmp_path):
    write(tmp_path / "bad.yaml", f"extends: {MMC}\nsweep:\n  {OFFICERS}: four\n")
    result = landport("sweep", tmp_path / "bad.yaml")
    assert result.exit_code == 2
    assert f"bad.yaml: sweep.{OFFICERS}: expected a non-empty list of values" in flat(result.output)
    assert "Traceback" not in result.output


# ----------------------------------------------------------------------------- results


@pytest.fixture(scope="module")
def small_sweep(tmp_path_factory) -> SweepResult:
    out = tmp_path_factory.mktemp("sweeps") / "officers-x-review"
    return sim.sweep(
        MMC,
        {OFFICERS: [3, 4], REVIEW: [1.0, 1.2]},
        overrides=MMC_WEEK,
        replications=2,
        workers=1,
        out=out,
        register=False,
    )


def test_sweep_tables_follow_the_contract(small_sweep):
    s = small_sweep
    assert list(s.points.columns) == ["point", OFFICERS, REVIEW]
    assert list(s.kpis.columns) == ["point", "replication", "kpi", "value", OFFICERS, REVIEW]
    assert list(s.summary.columns) == [
        "point",
        OFFICERS,
        REVIEW,
        "kpi",
        "unit",
        "mean",
        "half_width",
        "low",
        "high",
        "n",
    ]
    n_kpis = s.kpis["kpi"].nunique()
    assert len(s.kpis) == 4 * 2 * n_kpis
    assert len(s.summary) == 4 * n_kpis
    w = s.mean("clearance_h.import.mean").set_index([OFFICERS, REVIEW])["mean"]
    assert w[(3, 1.2)] > w[(4, 1.2)] > w[(4, 1.0)]  # fewer officers, slower review: longer waits


def test_a_sweep_folder_holds_every_point_and_loads_back(small_sweep):
    folder = small_sweep.path
    for name in (
        "points.parquet",
        "points.csv",
        "kpis.parquet",
        "summary.parquet",
        "summary.csv",
        "manifest.json",
        "sweep.json",
    ):
        assert (folder / name).is_file(), name
    assert sorted(p.name for p in (folder / "points").iterdir()) == ["000", "001", "002", "003"]
    assert not [p for p in folder.parent.iterdir() if p.name.startswith(".")]
    again = sim.load(folder)
    assert isinstance(again, SweepResult)
    pd.testing.assert_frame_equal(again.kpis, small_sweep.kpis)
    pd.testing.assert_frame_equal(again.summary, small_sweep.summary)
    containers = again.containers
    assert sorted(containers["point"].unique()) == [0, 1, 2, 3]
    point = again.run(2)
    assert point.scenario["customs"]["import"]["officers"] == 4
    assert point.manifest["levers"] == {OFFICERS: 4, REVIEW: 1.0}


def test_points_share_their_arrivals_common_random_numbers_across_the_sweep(small_sweep):
    created = small_sweep.kpis[small_sweep.kpis["kpi"] == "containers.created"]
    per_rep = created.pivot(index="replication", columns="point", values="value")
    assert (per_rep.nunique(axis=1) == 1).all()  # every point saw the same arrivals


# ----------------------------------------------------------------------------- resume
# (a sweep killed or interrupted by a signal, then resumed: tests/faults/test_sweep_resume.py)

LEVERS = {OFFICERS: [3, 4, 5, 6, 7, 8]}


def test_a_name_another_sweep_takes_meanwhile_makes_this_one_take_the_next(tmp_path, monkeypatch):
    """Two sweeps started in the same second choose the same name; the one that creates its
    work folder second takes the next free name instead of failing."""
    plan = plan_sweep(MMC, LEVERS, overrides=MMC_WEEK)
    chosen = [tmp_path / "mmc-sweep-1", tmp_path / "mmc-sweep-2"]
    (tmp_path / ".mmc-sweep-1.partial").mkdir()  # the other sweep, after this one chose
    monkeypatch.setattr(store, "unique_folder", lambda *args, **kwargs: chosen.pop(0))
    ws = open_workspace(plan, plan_record(plan), None, tmp_path, resume=False)
    try:
        assert ws.dest == tmp_path / "mmc-sweep-2"
        assert (ws.partial / "sweep.json").is_file()
    finally:
        ws.release()


def test_resume_refuses_an_unfinished_sweep_of_another_plan(tmp_path):
    partial = tmp_path / ".mine.partial"
    (partial / "points").mkdir(parents=True)
    (partial / "sweep.json").write_text(json.dumps({"spec_hash": "0" * 16, "levers": ["x"]}))
    with pytest.raises(RunFolderError) as caught:
        sim.sweep(MMC, LEVERS, overrides=MMC_WEEK, out=tmp_path / "mine", resume=True)
    assert "another plan" in str(caught.value)


def test_resume_without_out_finds_the_unfinished_sweep_of_the_same_plan(tmp_path):
    levers = {OFFICERS: [3, 4]}
    first = sim.sweep(MMC, levers, overrides=MMC_WEEK, replications=2, workers=1, root=tmp_path)
    # Make it unfinished again: hide it and drop one point and the closing files.
    partial = tmp_path / f".{first.path.name}.partial"
    first.path.rename(partial)
    for name in ("manifest.json", "kpis.parquet", "summary.parquet"):
        (partial / name).unlink()
    kept = (partial / "points" / "000" / "kpis.parquet").stat().st_mtime_ns
    shutil.rmtree(partial / "points" / "001")
    again = sim.sweep(
        MMC, levers, overrides=MMC_WEEK, replications=2, workers=1, root=tmp_path, resume=True
    )
    assert again.path == first.path
    assert again.manifest["points_reused"] == 1
    assert again.manifest["points_run"] == 1
    assert (again.path / "points" / "000" / "kpis.parquet").stat().st_mtime_ns == kept
    pd.testing.assert_frame_equal(again.kpis, first.kpis)
    # Resuming a finished sweep runs nothing and returns it.
    same = sim.sweep(
        MMC, levers, overrides=MMC_WEEK, replications=2, workers=1, out=again.path, resume=True
    )
    pd.testing.assert_frame_equal(same.kpis, first.kpis)
