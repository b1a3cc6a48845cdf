"""Damaged result folders: ``landport report`` gives one error line naming what is wrong
(exit 2), and ``landport catalog rebuild`` skips each such folder with a one-line warning
and catalogues the rest."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

import sim
from sim.cli import app
from sim.results import catalog
from tests.conftest import MMC, MMC_WEEK
from tests.faults.conftest import one_line

runner = CliRunner()


def landport(*args: str):
    return runner.invoke(app, list(args), env={"COLUMNS": "1000"})  # a message is one line


def _json(path: Path, value: object) -> None:
    path.write_text(json.dumps(value), encoding="utf-8")


def _manifest(folder: Path, **changes: object) -> None:
    path = folder / "manifest.json"
    man = json.loads(path.read_text())
    man.update(changes)
    for key in [k for k, v in changes.items() if v is None]:
        del man[key]
    _json(path, man)


def _truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _foreign_kpis(folder: Path) -> None:
    import pandas as pd

    pd.DataFrame({"a": [1.0]}).to_parquet(folder / "kpis.parquet")


def _empty(folder: Path) -> None:
    for item in folder.iterdir():
        shutil.rmtree(item) if item.is_dir() else item.unlink()


RUN_DAMAGE: dict[str, tuple[Callable[[Path], object], str]] = {
    "kpis.parquet missing": (lambda f: (f / "kpis.parquet").unlink(), "kpis.parquet: missing"),
    "containers.parquet missing": (
        lambda f: (f / "containers.parquet").unlink(),
        "containers.parquet: missing",
    ),
    "kpis.parquet truncated": (
        lambda f: _truncate(f / "kpis.parquet"),
        "kpis.parquet: not a readable Parquet file",
    ),
    "containers.parquet truncated": (
        lambda f: _truncate(f / "containers.parquet"),
        "containers.parquet: not a readable Parquet file",
    ),
    "kpis.parquet of another shape": (_foreign_kpis, "kpis.parquet: no column 'replication'"),
    "manifest not JSON": (
        lambda f: (f / "manifest.json").write_text('{"kind": "run", '),
        "manifest.json: not valid JSON",
    ),
    "manifest a JSON list": (
        lambda f: _json(f / "manifest.json", [1, 2]),
        "manifest.json: expected a JSON object",
    ),
    "manifest without its seed": (
        lambda f: _manifest(f, seed=None),
        "manifest.json: seed: missing",
    ),
    "manifest of an unknown kind": (
        lambda f: _manifest(f, kind="experiment"),
        "manifest.json: kind: expected one of run, compare, sweep",
    ),
    "manifest missing": (lambda f: (f / "manifest.json").unlink(), "manifest.json: missing"),
    "scenario.yaml not YAML": (
        lambda f: (f / "scenario.yaml").write_text("name: [unclosed"),
        "scenario.yaml: not valid YAML",
    ),
    "empty folder": (_empty, "manifest.json: missing"),
}
SWEEP_DAMAGE: dict[str, tuple[Callable[[Path], object], str]] = {
    "sweep point folder outside the sweep": (
        lambda f: _manifest(
            f,
            points=[
                {**p, "folder": "../../elsewhere"}
                for p in json.loads((f / "manifest.json").read_text())["points"]
            ],
        ),
        "manifest.json: points: expected a list of points",
    ),
    "sweep kpis.parquet truncated": (
        lambda f: _truncate(f / "kpis.parquet"),
        "kpis.parquet: not a readable Parquet file",
    ),
}


@pytest.fixture(scope="module")
def good(tmp_path_factory) -> dict[str, Path]:
    """A whole run folder and a whole sweep folder, to damage copies of."""
    root = tmp_path_factory.mktemp("good")
    run = sim.run(
        MMC, replications=1, workers=1, overrides=MMC_WEEK, out=root / "run", register=False
    )
    sweep = sim.sweep(
        MMC,
        {"customs.import.officers": [4, 5]},
        overrides=MMC_WEEK,
        replications=1,
        workers=1,
        out=root / "sweep",
        register=False,
    )
    assert run.path is not None
    assert sweep.path is not None
    return {"run": run.path, "sweep": sweep.path}


def damaged(good: dict[str, Path], root: Path, kind: str) -> tuple[Path, str]:
    source = good["sweep"] if kind in SWEEP_DAMAGE else good["run"]
    harm, message = {**RUN_DAMAGE, **SWEEP_DAMAGE}[kind]
    folder = root / kind.replace(" ", "-").replace(".", "_")
    shutil.copytree(source, folder)
    _manifest(folder, run_id=catalog.new_run_id())  # a copy is another run for the catalogue
    harm(folder)
    return folder, message


@pytest.mark.parametrize("kind", [*RUN_DAMAGE, *SWEEP_DAMAGE])
def test_a_report_of_a_damaged_folder_is_one_error_line_naming_the_damage(tmp_path, good, kind):
    folder, message = damaged(good, tmp_path, kind)
    done = landport("report", str(folder))
    assert done.exit_code == 2, done.output
    errors = [line for line in done.output.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, done.output
    assert message in errors[0]
    assert "Traceback" not in done.output
    assert not (folder / "report.html").exists()


def test_catalog_rebuild_skips_each_damaged_folder_with_one_warning(tmp_path, good):
    root = tmp_path / "results"
    kinds = [*RUN_DAMAGE, *SWEEP_DAMAGE]
    folders = {kind: damaged(good, root, kind)[0] for kind in kinds if kind != "manifest missing"}
    shutil.copytree(good["run"], root / "whole-run")
    shutil.copytree(good["sweep"], root / "whole-sweep")
    done = runner.invoke(app, ["catalog", "rebuild", "--root", str(root)], env={"COLUMNS": "1000"})
    assert done.exit_code == 0, done.output
    skipped = [line for line in done.output.splitlines() if line.startswith("skipped")]
    # The catalogue reads manifests and KPIs only: damage to the other tables or to the
    # scenario copy shows when they are read (a report), and an empty folder is no result.
    unread = {
        "containers.parquet missing",
        "containers.parquet truncated",
        "scenario.yaml not YAML",
    }
    expected = {k: f for k, f in folders.items() if k not in unread and k != "empty folder"}
    assert len(skipped) == len(expected), done.output
    for folder in expected.values():
        assert sum(str(folder.resolve()) in line for line in skipped) == 1
    listed = {Path(f).name for f in catalog.list_runs(root, limit=None)["folder"]}
    assert listed == {"whole-run", "whole-sweep"} | {folders[k].name for k in unread}


def test_a_seed_beyond_64_bits_is_reported_but_kept_out_of_the_catalogue(tmp_path, good):
    folder = tmp_path / "results" / "big-seed"
    shutil.copytree(good["run"], folder)
    _manifest(folder, seed=2**70)
    assert landport("report", str(folder)).exit_code == 0  # a valid run in every other way
    done = landport("catalog", "rebuild", "--root", str(tmp_path / "results"))
    assert done.exit_code == 0, done.output
    assert "seed: 1180591620717411303424 does not fit the catalogue's 64-bit integers" in (
        done.output
    )


def test_a_directory_where_the_catalogue_belongs_is_an_error_for_rebuild_and_a_warning_for_a_run(
    tmp_path, good
):
    root = tmp_path / "results"
    (root / "catalog.duckdb").mkdir(parents=True)
    (root / "catalog.duckdb" / "keep.txt").write_text("someone's files")
    done = landport("catalog", "rebuild", "--root", str(root))
    assert done.exit_code == 2
    assert "catalog.duckdb: a directory, not a catalogue file" in one_line(done.output)
    assert (root / "catalog.duckdb" / "keep.txt").read_text() == "someone's files"

    ran = landport(
        "run",
        str(MMC),
        *[f"--set={k}={v}" for k, v in MMC_WEEK.items()],
        "-n",
        "1",
        "--workers",
        "1",
    )
    assert ran.exit_code == 0, ran.output
    assert "not registered in the catalogue" in ran.output
    assert "a directory, not a catalogue file" in ran.output


def test_a_manifest_without_its_run_id_reads_but_is_kept_out_of_the_catalogue(tmp_path, good):
    root = tmp_path / "results"
    folder = root / "no-run-id"
    shutil.copytree(good["run"], folder)
    _manifest(folder, run_id=None)
    assert sim.load(folder).manifest["seed"] == sim.load(good["run"]).manifest["seed"]
    done = runner.invoke(app, ["catalog", "rebuild", "--root", str(root)], env={"COLUMNS": "1000"})
    assert done.exit_code == 0, done.output
    skipped = [line for line in done.output.splitlines() if line.startswith("skipped")]
    assert len(skipped) == 1, done.output
    assert "manifest.json: run_id: missing" in skipped[0]
    assert catalog.list_runs(root, limit=None).empty
