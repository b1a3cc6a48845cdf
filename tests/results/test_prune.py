"""Pruning the results folder: the right folders go, whole, with their catalogue rows; what is
newer, elsewhere, unfinished or committed stays; and the command asks before it removes."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest

import sim
from sim.results import catalog
from sim.results.prune import parse_age, plan_prune, prune
from tests.conftest import MMC, MMC_WEEK, flat, landport

NOW = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)
AGES_DAYS = {"fresh": 0, "week": 8, "month": 30, "old": 90}
"""Four runs, by how many days before NOW they were made."""


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A results folder with four catalogued runs made 0, 8, 30 and 90 days before NOW (one
    real run, copied with its manifest's date and id changed), and a comparison of today."""
    monkeypatch.delenv(catalog.ENV, raising=False)
    root = tmp_path / "results"
    made = sim.run(MMC, overrides=MMC_WEEK, replications=1, workers=1, root=root)
    for name, days in AGES_DAYS.items():
        folder = root / name
        shutil.copytree(made.path, folder)
        manifest = json.loads((folder / "manifest.json").read_text())
        manifest["created_at"] = (NOW - dt.timedelta(days=days)).isoformat()
        manifest["run_id"] = f"{name}-{uuid.uuid4().hex[:4]}"
        (folder / "manifest.json").write_text(json.dumps(manifest))
    shutil.rmtree(made.path)
    sim.compare(MMC, MMC, overrides=MMC_WEEK, replications=1, workers=1, root=root)
    catalog.rebuild(root)
    return root


def names(experiments) -> set[str]:
    return {e.folder.name for e in experiments}


def test_ages_read_as_planners_write_them():
    assert parse_age("7d") == dt.timedelta(days=7)
    assert parse_age("12h") == dt.timedelta(hours=12)
    assert parse_age("2w") == dt.timedelta(weeks=2)
    assert parse_age("30m") == dt.timedelta(minutes=30)
    with pytest.raises(ValueError, match=r"e\.g\. 7d"):
        parse_age("7 days")


def test_keep_keeps_the_newest_and_older_than_takes_the_old(root):
    kept = plan_prune(root, keep=3, kind="run", now=NOW)
    assert names(kept.remove) == {"old"}
    assert names(kept.keep) == {"fresh", "week", "month"}
    old = plan_prune(root, older_than="14d", now=NOW)
    assert names(old.remove) == {"month", "old"}
    both = plan_prune(root, keep=1, older_than="7d", kind="run", now=NOW)
    assert names(both.remove) == {"week", "month", "old"}
    (comparison,) = plan_prune(root, keep=0, kind="compare", now=NOW).remove
    assert comparison.kind == "compare"
    with pytest.raises(ValueError, match="say what to prune"):
        plan_prune(root)


def test_prune_removes_folders_whole_and_their_catalogue_rows(root):
    before = set(sim.runs(root, limit=None)["id"])
    plan = plan_prune(root, older_than="14d", now=NOW)
    done = prune(plan)
    assert names(done.removed) == {"month", "old"}
    assert done.size_bytes == plan.size_bytes > 0
    assert not (root / "month").exists()
    assert not (root / "old").exists()
    assert not [p for p in root.iterdir() if ".pruning-" in p.name]  # nothing left aside
    after = set(sim.runs(root, limit=None)["id"])
    assert before - after == {e.run_id for e in done.removed}
    assert done.forgotten == 2
    ids = ", ".join(f"'{e.run_id}'" for e in done.removed)
    for table, key in (("points", "run_id"), ("kpis", "run_id")):
        left = catalog.query(f"SELECT count(*) AS n FROM {table} WHERE {key} IN ({ids})", root)
        assert int(left["n"].iloc[0]) == 0, table


def test_unfinished_hidden_and_stale_things_are_handled_with_care(root):
    partial = root / ".sweep-20260301-120000.partial"  # an unfinished sweep: --resume it
    (partial / "points").mkdir(parents=True)
    (partial / "manifest.json").write_text("{}")
    leftover = root / ".old.pruning-0123abcd"  # set aside by a prune that was killed
    leftover.mkdir()
    shutil.rmtree(root / "fresh")  # removed by hand: its catalogue row is stale
    plan = plan_prune(root, older_than="60d", now=NOW)
    assert names(plan.remove) == {"old"}
    assert len(plan.stale_ids) == 1
    assert plan.stale_ids[0].startswith("fresh-")
    done = prune(plan)
    assert done.forgotten == 2
    assert partial.is_dir()
    assert not leftover.exists()
    assert not any(i.startswith("fresh-") for i in sim.runs(root, limit=None)["id"])


def test_a_folder_under_version_control_is_never_removed(root):
    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=root.parent, check=True, capture_output=True)

    git("init", "-q")
    git("add", "results/old/manifest.json")
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "a committed run folder")
    plan = plan_prune(root, older_than="14d", now=NOW)
    assert names(plan.protected) == {"old"}
    assert names(plan.remove) == {"month"}
    prune(plan)
    assert (root / "old" / "manifest.json").is_file()


def test_the_command_lists_asks_and_removes(root, monkeypatch):
    monkeypatch.setenv("LANDPORT_RESULTS", str(root))
    dry = landport("prune", "--keep", "2", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "Would remove 3 folder(s)" in flat(dry.output)
    assert (root / "old").is_dir()
    piped = landport("prune", "--keep", "2")  # no terminal to ask on
    assert piped.exit_code == 2
    assert "add --yes" in flat(piped.output)
    assert (root / "old").is_dir()
    done = landport("prune", "--keep", "2", "--yes")
    assert done.exit_code == 0, done.output
    assert "Removed 3 folder(s)" in flat(done.output)
    assert "3 catalogue entries dropped" in flat(done.output)
    assert len(sim.runs(root, limit=None)) == 2
    assert landport("prune", "--keep", "2", "--yes").output.startswith("Nothing to remove")


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ([], "prune: say what to remove"),
        (["--older-than", "7x"], "--older-than: expected a number and a unit"),
        (["--keep", "1", "--kind", "runs"], "--kind runs: expected one of run, compare, sweep"),
        (["--keep", "-1"], "Invalid value for '--keep'"),
    ],
)
def test_bad_options_are_one_error_line_and_remove_nothing(root, monkeypatch, options, expected):
    monkeypatch.setenv("LANDPORT_RESULTS", str(root))
    result = landport("prune", *options, "--yes")
    assert result.exit_code == 2
    (line,) = result.output.splitlines()
    assert expected in line
    assert len(sim.runs(root, limit=None)) == 5
