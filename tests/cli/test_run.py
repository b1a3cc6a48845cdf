"""`landport run` end to end on a short baseline: files, KPIs, reproducibility, no overwrite."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import BASELINE, landport

SHORT = ["--set", "end=2023-02-28", "--set", "warmup_days=14", "-n", "2", "--workers", "1"]
CORRIDORS = ("qinzhou_rail_sea", "china_laos", "china_vietnam")


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("runs") / "short"
    result = landport("run", BASELINE, *SHORT, "--out", out)
    assert result.exit_code == 0, result.output
    assert "Results:" in result.output
    assert "clearance_h.import.mean" in result.output
    return out


def test_run_writes_every_table_the_kpis_and_the_manifest(run_dir):
    for name in ("containers", "trains", "shipments", "vessels", "queues", "kpis", "summary"):
        df = pd.read_parquet(run_dir / f"{name}.parquet")
        assert len(df) > 0, name
    containers = pd.read_parquet(run_dir / "containers.parquet")
    for column in (
        "container_id",
        "corridor",
        "direction",
        "commodity",
        "teu",
        "lcl",
        "t_created",
        "t_gate_in",
        "t_consolidated",
        "t_customs_start",
        "t_customs_end",
        "t_yard_in",
        "t_loaded",
        "t_train_departed",
        "t_border",
        "t_port",
        "t_vessel",
        "t_delivered",
        "created_at",
        "replication",
    ):
        assert column in containers.columns, column
    assert set(containers["replication"]) == {0, 1}


def test_kpis_json_has_the_promised_names(run_dir):
    kpis = json.loads((run_dir / "kpis.json").read_text())
    required = [
        "trains.total",
        "teu.total",
        "cost.shipper_cny",
        "cost.subsidy_cny",
        "dwell_h.huaihua.import.mean",
        "dwell_h.huaihua.export.mean",
    ]
    required += [f"trains.{c}" for c in CORRIDORS]
    required += [f"train_load_factor.{c}" for c in CORRIDORS]
    required += [f"teu.{c}.{d}" for c in CORRIDORS for d in ("export", "import")]
    required += [
        f"clearance_h.{d}.{s}" for d in ("import", "export") for s in ("mean", "p50", "p90", "p95")
    ]
    required += [
        f"utilisation.huaihua.{r}"
        for r in (
            "customs.import.officers",
            "customs.export.officers",
            "customs.inspection_bays",
            "customs.quarantine_lab",
            "yard.export",
            "yard.import",
            "tracks",
            "sidings",
            "handling",
            "gate",
            "consolidation.crews",
            "deconsolidation.crews",
        )
    ]
    missing = [k for k in required if k not in kpis]
    assert not missing
    assert all(isinstance(kpis[k], float | int) for k in required)
    assert kpis["trains.total"] > 0


def test_manifest_records_what_produced_the_run(run_dir):
    m = json.loads((run_dir / "manifest.json").read_text())
    for key in (
        "scenario_resolved",
        "scenario_hash",
        "seed",
        "versions",
        "git_commit",
        "wall_s",
        "events",
        "replications",
    ):
        assert key in m, key
    assert m["scenario_resolved"]["end"] == "2023-02-28"
    assert m["events"] > 10_000
    assert m["versions"]["simpy"]


def test_same_seed_gives_identical_kpis_and_an_existing_folder_is_never_overwritten(
    run_dir, tmp_path
):
    again = tmp_path / "again"
    assert landport("run", BASELINE, *SHORT, "--out", again).exit_code == 0
    assert (again / "kpis.json").read_bytes() == (run_dir / "kpis.json").read_bytes()

    before = (run_dir / "kpis.json").read_bytes()
    result = landport("run", BASELINE, *SHORT, "--out", run_dir)
    assert result.exit_code == 2
    assert "never overwritten" in result.output
    assert (run_dir / "kpis.json").read_bytes() == before
    assert not list(run_dir.parent.glob(".short.tmp-*"))


def test_json_flag_prints_the_kpis_and_another_seed_differs(run_dir, tmp_path):
    result = landport("run", BASELINE, *SHORT, "--seed", "99", "--json", "--out", tmp_path / "s99")
    assert result.exit_code == 0
    kpis = json.loads(result.stdout)
    ours = json.loads((run_dir / "kpis.json").read_text())
    assert set(kpis) == set(ours)
    assert kpis["clearance_h.import.mean"] != ours["clearance_h.import.mean"]


def test_xlsx_flag_writes_the_workbook_beside_the_tables(tmp_path):
    out = tmp_path / "with-workbook"
    week = ["--set", "end=2023-01-14", "--set", "warmup_days=3", "-n", "1", "--workers", "1"]
    done = landport("run", BASELINE, *week, "--out", out, "--xlsx")
    assert done.exit_code == 0, done.output
    assert "results.xlsx" in done.output.replace("\n", "")
    summary = pd.read_excel(out / "results.xlsx", sheet_name="Summary")
    saved = pd.read_parquet(out / "summary.parquet")
    assert list(summary["name"]) == list(saved["kpi"])
    assert summary["mean"].to_numpy() == pytest.approx(saved["mean"].to_numpy(), rel=1e-14)


def test_xlsx_flag_writes_the_workbook_in_the_language_asked_for(tmp_path):
    out = tmp_path / "workbook-zh"
    week = ["--set", "end=2023-01-14", "--set", "warmup_days=3", "-n", "1", "--workers", "1"]
    done = landport("run", BASELINE, *week, "--out", out, "--xlsx", "--lang", "zh")
    assert done.exit_code == 0, done.output
    summary = pd.read_excel(out / "results.xlsx", sheet_name="汇总")
    saved = pd.read_parquet(out / "summary.parquet")
    assert list(summary["名称"]) == list(saved["kpi"])
    assert summary["均值"].to_numpy() == pytest.approx(saved["mean"].to_numpy(), rel=1e-14)
