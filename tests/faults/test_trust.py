"""Nothing outside its files: a resumed sweep trusts only the work folder it can verify,
catalogue SQL reads the catalogue and nothing else, and any scenario name makes a safe,
visible folder name under the results folder."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

import sim
from sim.cli import app
from sim.results import store
from sim.scenario import load_scenario
from tests.conftest import MMC, MMC_WEEK
from tests.faults.conftest import one_line, visible

runner = CliRunner()
LEVERS = {"customs.import.officers": [4, 5]}


def landport(*args: str):
    return runner.invoke(app, list(args), env={"COLUMNS": "1000"})


def unfinished(root: Path) -> Path:
    """A sweep of LEVERS under ``root``, turned back into its unfinished work folder."""
    done = sim.sweep(MMC, LEVERS, overrides=MMC_WEEK, replications=1, workers=1, root=root)
    assert done.path is not None
    partial = root / f".{done.path.name}.partial"
    done.path.rename(partial)
    (partial / "manifest.json").unlink()
    return partial


def test_resume_ignores_a_destination_written_into_the_work_folder(tmp_path):
    root = tmp_path / "deep" / "results"
    partial = unfinished(root)
    plan = json.loads((partial / "sweep.json").read_text())
    plan["destination"] = "../../escaped"
    (partial / "sweep.json").write_text(json.dumps(plan))

    again = sim.sweep(
        MMC, LEVERS, overrides=MMC_WEEK, replications=1, workers=1, root=root, resume=True
    )
    assert again.path == root / partial.name[1 : -len(".partial")]
    assert not (tmp_path / "escaped").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["deep"]


def test_resume_refuses_a_work_folder_or_point_that_is_a_link_elsewhere(tmp_path):
    root = tmp_path / "results"
    partial = unfinished(root)
    elsewhere = tmp_path / "elsewhere"
    partial.rename(elsewhere)
    partial.symlink_to(elsewhere, target_is_directory=True)
    # Found by itself (no --out): a linked work folder is not taken for this sweep's.
    fresh = sim.sweep(
        MMC, LEVERS, overrides=MMC_WEEK, replications=1, workers=1, root=root, resume=True
    )
    assert fresh.manifest["points_reused"] == 0
    assert elsewhere.is_dir()

    out = tmp_path / "named"
    (tmp_path / ".named.partial").symlink_to(elsewhere, target_is_directory=True)
    with pytest.raises(store.RunFolderError, match="symbolic link"):
        sim.sweep(MMC, LEVERS, overrides=MMC_WEEK, replications=1, out=out, resume=True)


@pytest.fixture
def catalogued(tmp_path) -> Path:
    root = tmp_path / "results"
    sim.run(MMC, replications=1, workers=1, overrides=MMC_WEEK, root=root)
    return root


@pytest.mark.parametrize(
    "sql",
    [
        "COPY runs TO '{tmp}/leak.csv'",
        "SELECT * FROM read_text('{tmp}/secret.txt')",
        "SELECT * FROM read_csv('{tmp}/secret.txt')",
        "ATTACH '{tmp}/other.duckdb' AS other",
        "SET enable_external_access = true",
        "RESET lock_configuration",
        "INSERT INTO runs (id) VALUES ('forged')",
        "DELETE FROM kpis",
        "SELECT 1; COPY kpis TO '{tmp}/leak.csv'",
        "EXPORT DATABASE '{tmp}/dump'",
        "INSTALL httpfs",
    ],
)
def test_catalog_query_reads_the_catalogue_and_nothing_else(tmp_path, catalogued, sql):
    (tmp_path / "secret.txt").write_text("not for the catalogue")
    before = sorted(os.listdir(tmp_path))
    size = (catalogued / "catalog.duckdb").stat().st_size
    done = landport("catalog", "query", sql.format(tmp=tmp_path), "--root", str(catalogued))
    assert done.exit_code == 2, done.output
    assert one_line(done.output).startswith("error:")
    assert "not for the catalogue" not in done.output
    assert sorted(os.listdir(tmp_path)) == before
    assert (catalogued / "catalog.duckdb").stat().st_size == size
    ok = landport(
        "catalog", "query", "SELECT count(*) AS n FROM runs", "--json", "--root", str(catalogued)
    )
    assert json.loads(ok.output) == [{"n": 1}]


@pytest.mark.parametrize(
    ("name", "stem"),
    [
        ("..", "run"),
        (".hidden", "hidden"),
        ("../../escape", "escape"),
        ("a/b", "a-b"),
        ("x" * 300, "x" * store.STEM_BYTES),
    ],
)
def test_any_scenario_name_gives_a_visible_folder_inside_the_results_folder(tmp_path, name, stem):
    # Names are validated when a scenario is read; the writer is safe even without that.
    scn = load_scenario(MMC, MMC_WEEK).model_copy(update={"name": name})
    root = tmp_path / "results"
    run = sim.run(scn, replications=1, workers=1, root=root, register=False)
    assert run.path.parent == root
    assert run.path.name.startswith(f"{stem}-")
    assert visible(root) == [run.path]
    assert [p.name for p in tmp_path.iterdir()] == ["results"]


def test_a_finished_point_that_no_longer_reads_back_whole_runs_again(tmp_path):
    root = tmp_path / "results"
    whole = sim.sweep(MMC, LEVERS, overrides=MMC_WEEK, replications=1, workers=1, save=False)
    partial = unfinished(root)
    kpis = partial / "points" / "000" / "kpis.parquet"
    kpis.write_bytes(kpis.read_bytes()[:100])

    again = sim.sweep(
        MMC, LEVERS, overrides=MMC_WEEK, replications=1, workers=1, root=root, resume=True
    )
    assert (again.manifest["points_reused"], again.manifest["points_run"]) == (1, 1)
    pd.testing.assert_frame_equal(again.kpis, whole.kpis)
