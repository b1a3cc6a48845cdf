"""`landport compare`, `sweep` and `catalog query` from the command line: tables, JSON, errors."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from sim.experiment.compare import COLUMNS
from tests.conftest import MMC, flat, landport

WEEK = ["--set", "end=2023-01-07", "--set", "warmup_days=1"]


def row_of(output: str, kpi: str) -> str:
    lines = [line for line in output.splitlines() if f" {kpi} " in line]
    assert lines, f"no row for {kpi} in:\n{output}"
    return lines[0]


@pytest.fixture
def five_officers(tmp_path) -> Path:
    path = tmp_path / "five.yaml"
    path.write_text(f"extends: {MMC}\nname: five\ncustoms:\n  import: {{officers: 5}}\n")
    return path


def test_compare_prints_a_b_the_difference_its_ci_significance_and_narrowing(five_officers):
    result = landport(
        "compare", MMC, five_officers, *WEEK, "-n", "4", "--workers", "1",
        "--kpi", "clearance_h.import.mean", "--kpi", "containers.created",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    text = result.output
    for header in ("A", "B", "B − A", "± 95 % CI", "signif.", "CI narrowing"):
        assert header in text, header
    clearance = row_of(text, "clearance_h.import.mean")
    assert "yes" in clearance  # two more officers: clearly shorter waits
    assert "−" in clearance or "-" in clearance
    arrivals = row_of(text, "containers.created")
    assert "no" in arrivals  # the same arrivals in A and B: common random numbers
    assert "Results:" in text
    assert "A = mmc_import, B = five" in text


def test_compare_json_has_the_table_contract(five_officers):
    result = landport("compare", MMC, five_officers, *WEEK, "-n", "3", "--workers", "1", "--json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["replications"] == 3
    assert list(payload["table"][0]) == COLUMNS
    assert Path(payload["folder"], "comparison.csv").is_file()


def test_compare_with_a_bad_scenario_exits_2_before_running_anything(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(f"extends: {MMC}\ncustoms:\n  import: {{oficers: 5}}\n")
    result = landport("compare", MMC, bad, "--out", tmp_path / "never")
    assert result.exit_code == 2
    assert "bad.yaml: customs.import.oficers: unknown field" in flat(result.output)
    assert "Traceback" not in result.output
    assert not (tmp_path / "never").exists()


def test_sweep_from_a_sweep_file_prints_one_row_per_point(tmp_path):
    spec = tmp_path / "officers.yaml"
    spec.write_text(
        f"extends: {MMC}\nend: 2023-01-07\nwarmup_days: 1\nreplications: 2\n"
        "sweep:\n  customs.import.officers: [3, 4, 6]\n"
    )
    result = landport(
        "sweep", spec, "--workers", "1", "--root", tmp_path, "--kpi", "clearance_h.import.mean"
    )
    assert result.exit_code == 0, result.output
    assert "officers: 3 points × 2 replications" in result.output
    assert "customs.import.officers" in result.output
    for officers in ("3", "4", "6"):
        assert any(line.split("│")[2].strip() == officers for line in result.output.splitlines()
                   if line.count("│") > 3)  # fmt: skip
    folders = [p for p in tmp_path.iterdir() if p.name.startswith("officers-sweep-")]
    assert len(folders) == 1
    assert (folders[0] / "summary.csv").is_file()


def test_sweep_json_gives_the_summary(tmp_path):
    result = landport(
        "sweep", MMC, *WEEK, "--set", "customs.import.officers=4,5", "-n", "2",
        "--workers", "1", "--root", tmp_path, "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["levers"] == ["customs.import.officers"]
    row = payload["summary"][0]
    assert list(row) == [
        "point", "customs.import.officers", "kpi", "unit", "mean", "half_width", "low", "high",
        "n",
    ]  # fmt: skip


def test_catalog_query_runs_sql_and_rejects_bad_sql(tmp_path):
    made = landport(
        "sweep", MMC, *WEEK, "--set", "customs.import.officers=4,5", "-n", "2",
        "--workers", "1", "--root", tmp_path, "--json",
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    result = landport(
        "catalog", "query", "SELECT kind, points FROM runs", "--root", tmp_path, "--json"
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == [{"kind": "sweep", "points": 2}]
    bad = landport("catalog", "query", "SELECT nope FROM runs", "--root", tmp_path)
    assert bad.exit_code == 2
    assert "Traceback" not in bad.output


def test_compare_and_sweep_with_xlsx_write_their_workbooks(five_officers, tmp_path):
    done = landport(
        "compare", MMC, five_officers, *WEEK, "-n", "2", "--workers", "1", "--root", tmp_path,
        "--xlsx",
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    book = next(tmp_path.glob("*/results.xlsx"))
    table = pd.read_csv(book.parent / "comparison.csv")
    back = pd.read_excel(book, sheet_name="Comparison")
    assert list(back["name"]) == list(table["kpi"])
    assert "Workbook:" in done.output

    done = landport(
        "sweep", MMC, *WEEK, "--set", "customs.import.officers=4,5", "-n", "1",
        "--workers", "1", "--root", tmp_path / "sweeps", "--xlsx",
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    book = next((tmp_path / "sweeps").glob("*/results.xlsx"))
    assert list(pd.read_excel(book, sheet_name="Sweep")["customs.import.officers"]) == [4, 5]
