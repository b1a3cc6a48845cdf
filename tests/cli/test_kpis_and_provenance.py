"""``--kpi`` chooses rows in the table and in ``--json`` alike, and an unknown name is bad input
before anything runs; every run remembers the file and the ``--set`` overrides it came from."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from sim.results import catalog
from tests.conftest import MMC, landport

WEEK = ["--set", "end=2023-01-07", "--set", "warmup_days=1", "--workers", "1", "-n", "2"]
"""The M/M/c customs desk for a week: a run in a fraction of a second."""
OFFICERS = "customs.import.officers"


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A results folder of the test's own, catalogue on."""
    monkeypatch.delenv(catalog.ENV, raising=False)
    monkeypatch.setenv("LANDPORT_RESULTS", str(tmp_path / "results"))
    return tmp_path / "results"


def rows(output: str) -> list[str]:
    """The KPI names in the first column of a printed table."""
    return [line.split("│")[1].strip() for line in output.splitlines() if line.count("│") > 3]


@pytest.mark.parametrize(
    "command",
    [
        ["run", MMC],
        ["compare", MMC, MMC],
        ["sweep", MMC, "--set", f"{OFFICERS}=3,4"],
    ],
    ids=["run", "compare", "sweep"],
)
def test_an_unknown_kpi_is_exit_2_with_the_nearest_names_before_anything_runs(root, command):
    result = landport(*command, *WEEK, "--kpi", "clearance_h.import.meen")
    assert result.exit_code == 2
    (line,) = result.output.splitlines()
    assert line.startswith("error: --kpi clearance_h.import.meen: no such KPI in this run; ")
    assert "did you mean clearance_h.import.mean" in line
    assert not root.exists()  # nothing ran, nothing was written


def test_a_name_with_no_near_kpi_is_told_what_names_look_like(root):
    result = landport("run", MMC, *WEEK, "--kpi", "xyz")
    assert result.exit_code == 2
    assert "names look like trains.total" in result.output


def test_run_kpi_chooses_the_rows_of_the_table_and_of_json(root):
    chosen = ["clearance_h.import.mean", "utilisation.huaihua.customs.import.officers"]
    picks = [arg for name in chosen for arg in ("--kpi", name)]
    table = landport("run", MMC, *WEEK, *picks)
    assert table.exit_code == 0, table.output
    assert rows(table.output) == chosen
    as_json = landport("run", MMC, *WEEK, *picks, "--json")
    assert as_json.exit_code == 0, as_json.output
    assert list(json.loads(as_json.output)) == chosen


def test_compare_and_sweep_json_keep_only_the_chosen_kpis(root):
    pick = ["--kpi", "clearance_h.import.mean", "--json"]
    compared = json.loads(landport("compare", MMC, MMC, *WEEK, *pick).output)
    assert [r["kpi"] for r in compared["table"]] == ["clearance_h.import.mean"]
    swept = json.loads(landport("sweep", MMC, "--set", f"{OFFICERS}=3,4", *WEEK, *pick).output)
    assert {r["kpi"] for r in swept["summary"]} == {"clearance_h.import.mean"}
    assert len(swept["summary"]) == 2  # one row a point


def test_a_run_with_set_records_its_file_and_overrides_everywhere(root):
    result = landport("run", MMC, *WEEK, "--set", f"{OFFICERS}=4")
    assert result.exit_code == 0, result.output
    (folder,) = [p for p in root.iterdir() if p.is_dir()]
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["scenario_file"] == str(MMC)
    assert manifest["overrides"] == {"end": "2023-01-07", "warmup_days": 1, OFFICERS: 4}
    (row,) = catalog.list_runs(root).to_dict("records")
    assert row["scenario_file"] == str(MMC)
    assert json.loads(row["overrides"]) == manifest["overrides"]
    listed = landport("runs")
    assert listed.exit_code == 0, listed.output
    shown = " ".join(listed.output.split())  # the source wraps in its column
    assert f"--set {OFFICERS}=4" in shown
    assert "--set end=2023-01-07" in shown


def test_a_catalogue_from_before_the_overrides_column_still_lists_and_gains_it(root):
    """A catalogue written by an earlier landport: listed with empty overrides, and given the
    column by the next registration."""
    import duckdb

    root.mkdir()
    path = root / catalog.CATALOG_FILE
    con = duckdb.connect(str(path))
    con.execute(catalog._DDL[0].replace("overrides VARCHAR,", ""))
    for ddl in catalog._DDL[1:4]:
        con.execute(ddl)
    con.execute("INSERT INTO meta VALUES ('layout', ?)", [catalog.LAYOUT])
    con.execute("INSERT INTO runs (id, kind, scenario, folder) VALUES ('old', 'run', 'x', '/x')")
    con.close()
    (old,) = catalog.list_runs(root).to_dict("records")
    assert old["id"] == "old"
    assert pd.isna(old["overrides"])
    assert landport("run", MMC, *WEEK).exit_code == 0
    listed = catalog.list_runs(root).set_index("id")
    assert len(listed) == 2
    new = listed.drop(index="old")
    assert json.loads(new["overrides"].iloc[0]) == {"end": "2023-01-07", "warmup_days": 1}
