"""Runs racing for one results folder: started in the same second they choose the same
name, and both must land whole, in distinct folders, both catalogued."""

from __future__ import annotations

import json

import pytest

from tests.conftest import MMC
from tests.faults.conftest import RUN, SWEEP, WEEK, Driven, assert_whole_and_catalogued, visible

STAMP = "20230831-120000"


COMMANDS = {
    "run": (RUN, "mmc_import"),
    "compare": (
        ["compare", str(MMC), str(MMC), *WEEK, "-n", "1", "--workers", "1"],
        "compare-mmc_import-vs-mmc_import",
    ),
    "sweep": ([*SWEEP, "--root", "results"], "mmc_import-sweep"),
}


@pytest.mark.parametrize(
    "command", ["run", "sweep", pytest.param("compare", marks=pytest.mark.slow)]
)
def test_two_started_in_the_same_second_both_land_in_distinct_folders(tmp_path, command):
    """The time stamp of the automatic name is frozen, so the clash is certain; both are
    released together once both have reserved their folder, so both compute."""
    args, stem = COMMANDS[command]
    go = tmp_path / "go"
    racers = [Driven(tmp_path, args, pause="reserve", go=go, stamp=STAMP) for _ in range(2)]
    for racer in racers:
        racer.wait_paused()
    go.touch()
    assert [r.finish() for r in racers] == [0, 0], [r.stderr for r in racers]

    folders = assert_whole_and_catalogued(tmp_path / "results")
    assert [f.name for f in folders] == [f"{stem}-{STAMP}", f"{stem}-{STAMP}-2"]
    ids = {json.loads((f / "manifest.json").read_text())["run_id"] for f in folders}
    assert len(ids) == 2
    manifests = [json.loads((f / "manifest.json").read_text()) for f in folders]
    assert [m["folder"] for m in manifests] == [f"results/{f.name}" for f in folders]
    shown = sorted(line for r in racers for line in r.stdout.splitlines() if "Results:" in line)
    assert [line.split()[1] for line in shown] == [f"results/{f.name}" for f in folders]


def test_the_same_out_for_two_runs_keeps_both_and_says_where_the_second_went(tmp_path):
    out = tmp_path / "results" / "mine"
    go = tmp_path / "go"
    racers = [Driven(tmp_path, [*RUN, "--out", str(out)], pause="reserve", go=go) for _ in "ab"]
    for racer in racers:
        racer.wait_paused()  # both checked --out while it did not exist
    go.touch()
    assert [r.finish() for r in racers] == [0, 0], [r.stderr for r in racers]

    second = out.with_name("mine-2")
    assert visible(out.parent) == [out, second]
    warned = [r for r in racers if "appeared while this run was computed" in r.stderr]
    assert len(warned) == 1
    assert f"the run is saved in {second} instead" in warned[0].stderr
    assert json.loads((second / "manifest.json").read_text())["folder"] == str(second)
    assert_whole_and_catalogued(out.parent)
