"""`landport check` on the real baseline: it fails on a real regression and says which check
failed; the committed baseline file covers every checked KPI of the committed scenario.

Golden values live in ``tests/regression/baseline_kpis.json`` (regression, not truth);
regenerate them with ``landport check --update`` from the repository root. The check's rules
and its file format are tested in ``tests/experiment/test_regression.py``.
"""

from __future__ import annotations

from pathlib import Path

from sim.experiment import regression
from tests.conftest import BASELINE, ROOT, landport

HERE = Path(__file__).resolve().parent
COMMITTED = HERE / "baseline_kpis.json"
ONE_OFFICER_FEWER = HERE / "one_officer_fewer.yaml"


def row_of(output: str, kpi: str) -> str:
    lines = [line for line in output.splitlines() if f" {kpi} " in line]
    assert lines, f"no row for {kpi} in:\n{output}"
    return lines[0]


def test_check_fails_with_one_import_officer_fewer():
    result = landport("check", "--scenario", ONE_OFFICER_FEWER, "--baseline", COMMITTED, "--quiet")
    assert result.exit_code == 1, result.output
    assert "REGRESSION" in row_of(result.output, "clearance_h.import.mean")
    assert "Statistical check FAILED" in result.output
    assert "clearance_h.import.mean (+" in result.output  # clearance went up, and by how much
    # Export customs and the trains did not change: those rows still pass.
    assert "REGRESSION" not in row_of(result.output, "clearance_h.export.mean")
    assert "REGRESSION" not in row_of(result.output, "trains.total")
    assert "scenario differs from the one that produced the baseline" in result.output


def test_committed_baseline_is_readable_and_covers_every_checked_kpi(baseline):
    committed = regression.read_baseline(COMMITTED)
    assert set(regression.checked_kpis(baseline)) <= set(committed.kpis)
    assert committed.seed == baseline.seed
    assert committed.replications == baseline.replications
    assert (ROOT / committed.scenario_file).resolve() == BASELINE.resolve()
