"""The results catalogue: registration of runs, comparisons and sweeps, listing, loading by id,
rebuilding from the Parquet folders, and a locked or corrupt catalogue never losing a run."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

import sim
from sim.results import catalog
from tests.conftest import MMC, MMC_WEEK, flat, landport

OFFICERS = "customs.import.officers"


@pytest.fixture(scope="module")
def experiments(tmp_path_factory) -> tuple[Path, dict]:
    """One run, one comparison and one sweep under a results root, each registered."""
    root = tmp_path_factory.mktemp("results")
    common = {"overrides": MMC_WEEK, "replications": 2, "workers": 1, "root": root}
    made = {
        "run": sim.run(MMC, **common),
        "compare": sim.compare(MMC, MMC, **common),
        "sweep": sim.sweep(MMC, {OFFICERS: [3, 5]}, **common),
    }
    return root, made


def test_every_run_comparison_and_sweep_registers_itself(experiments):
    root, made = experiments
    listed = sim.runs(root, limit=None)
    assert sorted(listed["kind"]) == ["compare", "run", "sweep"]
    for kind, result in made.items():
        row = listed.set_index("id").loc[result.manifest["run_id"]]
        assert row["kind"] == kind
        assert Path(row["folder"]) == Path(result.path).resolve()
        assert bool(row["exists"])
        assert row["seed"] == 7
        assert row["replications"] == 2
        assert row["created_at"] is not pd.NaT
    assert listed.set_index("kind").loc["compare", "points"] == 2


def test_catalogued_kpis_are_the_runs_kpis(experiments):
    root, made = experiments
    run = made["run"]
    rows = catalog.query(
        f"SELECT replication, kpi, value FROM kpis WHERE run_id = '{run.manifest['run_id']}' "
        "ORDER BY replication, kpi",
        root,
    )
    expected = run.kpis.sort_values(["replication", "kpi"]).reset_index(drop=True)
    assert len(rows) == len(expected)
    pd.testing.assert_series_equal(rows["value"], expected["value"], check_names=False)
    # A sweep's points carry their levers; SQL across experiments needs no folders.
    sweep_id = made["sweep"].manifest["run_id"]
    points = catalog.query(
        f"SELECT point, levers FROM points WHERE run_id = '{sweep_id}' ORDER BY point", root
    )
    assert [json.loads(v)[OFFICERS] for v in points["levers"]] == [3, 5]
    means = catalog.query(
        "SELECT p.levers, avg(k.value) AS w FROM kpis k JOIN points p USING (run_id, point) "
        f"WHERE k.run_id = '{sweep_id}' AND k.kpi = 'clearance_h.import.mean' "
        "GROUP BY p.levers ORDER BY w",
        root,
    )
    assert json.loads(means["levers"].iloc[0])[OFFICERS] == 5  # more officers, shorter waits


def test_load_accepts_a_catalogue_id_or_a_unique_prefix(experiments):
    root, made = experiments
    for kind, result in made.items():
        run_id = result.manifest["run_id"]
        for ref in (run_id, run_id[:6]):
            loaded = sim.load(ref, root=root)
            assert type(loaded) is type(result), kind
            assert loaded.manifest["run_id"] == run_id
    with pytest.raises(ValueError, match="no run with that id"):
        sim.load("ffffffffff", root=root)


def test_rebuild_recreates_the_catalogue_from_the_folders(experiments, tmp_path):
    root, _ = experiments
    before = catalog.query("SELECT * FROM kpis ORDER BY run_id, point, replication, kpi", root)
    # A run written elsewhere (--out) is kept by a rebuild, as long as its folder exists.
    elsewhere = sim.run(
        MMC, overrides=MMC_WEEK, replications=2, workers=1, root=root, out=tmp_path / "elsewhere"
    )
    (root / "catalog.duckdb").unlink()
    assert sim.runs(root).empty
    counts = catalog.rebuild(root)
    assert {k: n for k, n in counts["runs"].items() if n} == {"run": 1, "compare": 1, "sweep": 1}
    assert not counts["skipped"]
    after = catalog.query("SELECT * FROM kpis ORDER BY run_id, point, replication, kpi", root)
    pd.testing.assert_frame_equal(after, before)
    # Register the elsewhere run, rebuild again: it stays.
    catalog.register(elsewhere.path, root / "catalog.duckdb")
    counts = catalog.rebuild(root)
    assert counts["runs"]["run"] == 2


def test_a_corrupt_catalogue_warns_and_never_loses_the_run(tmp_path):
    root = tmp_path / "results"
    root.mkdir()
    (root / "catalog.duckdb").write_bytes(b"this is not a database" * 100)
    with pytest.warns(catalog.CatalogWarning, match="not registered"):
        result = sim.run(MMC, overrides=MMC_WEEK, replications=2, workers=1, root=root)
    assert (result.path / "kpis.parquet").is_file()
    listed = landport("runs", "--root", root)
    assert listed.exit_code == 2
    assert "catalog rebuild" in flat(listed.output)
    rebuilt = landport("catalog", "rebuild", "--root", root)
    assert rebuilt.exit_code == 0, rebuilt.output
    assert "1 run" in rebuilt.output
    assert list(root.glob("catalog.duckdb.corrupt-*"))  # set aside, not deleted
    assert len(sim.runs(root)) == 1


HOLD = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1])
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
"""


def test_a_locked_catalogue_warns_after_retrying_and_keeps_the_run(tmp_path, monkeypatch):
    root = tmp_path / "results"
    root.mkdir()
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(root / "catalog.duckdb"), "30"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        monkeypatch.setattr(catalog, "LOCK_TIMEOUT_S", 0.3)
        started = time.perf_counter()
        with pytest.warns(catalog.CatalogWarning, match="in use by another process"):
            result = sim.run(MMC, overrides=MMC_WEEK, replications=2, workers=1, root=root)
        assert time.perf_counter() - started < 20
        assert (result.path / "manifest.json").is_file()
    finally:
        holder.kill()
        holder.wait()
    # Once the lock is gone, a rebuild picks the run up from its folder.
    catalog.rebuild(root)
    assert list(sim.runs(root)["id"]) == [result.manifest["run_id"]]


def test_the_catalogue_can_be_turned_off(tmp_path, monkeypatch):
    monkeypatch.setenv("LANDPORT_CATALOG", "off")
    root = tmp_path / "results"
    sim.run(MMC, overrides=MMC_WEEK, replications=2, workers=1, root=root)
    assert not (root / "catalog.duckdb").exists()


def test_landport_runs_lists_recent_runs_and_json(experiments):
    root, made = experiments
    table = landport("runs", "--root", root)
    assert table.exit_code == 0, table.output
    for result in made.values():
        assert result.manifest["run_id"] in table.output
    only = landport("runs", "--root", root, "--kind", "sweep", "--json")
    rows = json.loads(only.output)
    assert [r["kind"] for r in rows] == ["sweep"]
    bad = landport("runs", "--root", root, "--kind", "sweeps")
    assert bad.exit_code == 2
    empty = landport("runs", "--root", root / "nowhere")
    assert empty.exit_code == 0
    assert "No runs catalogued" in empty.output
