"""`landport check`: the regression check fails on a real regression, says which check failed,
and rejects a missing or corrupt baseline file with exit 2.

Golden values live in ``tests/regression/baseline_kpis.json`` (regression, not truth);
regenerate them with ``landport check --update`` from the repository root.
"""

from __future__ import annotations

import json
import math
from dataclasses import replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sim.cli import app
from sim.experiment import check as chk
from tests.conftest import BASELINE, ROOT

HERE = Path(__file__).resolve().parent
COMMITTED = HERE / "baseline_kpis.json"
ONE_OFFICER_FEWER = HERE / "one_officer_fewer.yaml"
runner = CliRunner()


def landport(*args: object):
    return runner.invoke(app, [str(a) for a in args])


def flat(output: str) -> str:
    """The output with line wrapping undone (error messages wrap at the console width)."""
    return " ".join(output.split())


def row_of(output: str, kpi: str) -> str:
    lines = [line for line in output.splitlines() if f" {kpi} " in line]
    assert lines, f"no row for {kpi} in:\n{output}"
    return lines[0]


# ---------------------------------------------------------------------------- the CLI


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


def test_missing_baseline_file_is_bad_input(tmp_path):
    result = landport("check", "--baseline", tmp_path / "nowhere.json", "--quiet")
    assert result.exit_code == 2
    assert "no such baseline file" in flat(result.output)
    assert "landport check --update" in flat(result.output)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"format": 1, "kpis": ', "not valid JSON"),
        ("[1, 2, 3]", "expected a JSON object"),
        ('{"format": 99}', "format 99"),
        ('{"format": 1, "seed": 1}', "missing field(s)"),
    ],
)
def test_corrupt_baseline_file_is_bad_input(tmp_path, text, message):
    bad = tmp_path / "baseline.json"
    bad.write_text(text, encoding="utf-8")
    result = landport("check", "--baseline", bad, "--quiet")
    assert result.exit_code == 2
    assert message in flat(result.output)


def test_baseline_with_a_non_numeric_value_is_bad_input(tmp_path):
    data = json.loads(COMMITTED.read_text(encoding="utf-8"))
    data["kpis"]["clearance_h.import.mean"]["mean"] = "fast"
    bad = tmp_path / "baseline.json"
    bad.write_text(json.dumps(data), encoding="utf-8")
    result = landport("check", "--baseline", bad, "--quiet")
    assert result.exit_code == 2
    assert "kpis.clearance_h.import.mean.mean: expected a number" in flat(result.output)


def test_update_refuses_overrides(tmp_path):
    result = landport(
        "check", "--update", "--baseline", tmp_path / "b.json", "--set", "seed=1", "--quiet"
    )
    assert result.exit_code == 2
    assert not (tmp_path / "b.json").exists()


# ---------------------------------------------------------------------------- the rules


def record(name: str, values: list[float]) -> chk.KpiRecord:
    return chk.KpiRecord.of(name, values)


def baseline_of(*records: chk.KpiRecord, fingerprint: str = "code") -> chk.Baseline:
    return chk.Baseline(
        scenario_file="scenarios/baseline.yaml",
        scenario_name="baseline",
        scenario_hash="abc",
        seed=1,
        replications=len(records[0].values),
        kpis={r.name: r for r in records},
        code_fingerprint=fingerprint,
        landport_version="0",
        git_commit=None,
    )


def test_band_is_the_99_percent_welch_interval_of_a_difference_of_means():
    a = record("clearance_h.import.mean", [29.0, 30.0, 31.0, 29.5, 30.5])
    b = record("clearance_h.import.mean", [28.0, 30.0, 32.0, 29.0, 31.0])
    se2 = a.se**2 + b.se**2
    dof = se2**2 / (a.se**4 / 4 + b.se**4 / 4)
    from scipy import stats

    assert chk.allowed_band(a, b) == pytest.approx(stats.t.ppf(0.995, dof) * math.sqrt(se2))


def test_a_count_that_never_varies_gets_a_half_unit_band():
    base = record("trains.china_laos", [29.0] * 10)
    assert chk.allowed_band(base, base) == 0.5
    one_rep_off = record("trains.china_laos", [29.0] * 9 + [28.0])
    assert abs(one_rep_off.mean - base.mean) <= chk.allowed_band(base, one_rep_off)
    every_rep_off = record("trains.china_laos", [28.0] * 10)
    assert abs(every_rep_off.mean - base.mean) > chk.allowed_band(base, every_rep_off)


def test_a_continuous_kpi_that_never_varies_has_no_band():
    base = record("clearance_h.export.mean", [0.09] * 5)
    assert chk.allowed_band(base, base) == 0.0


def test_identical_numbers_pass_both_checks():
    base = baseline_of(record("clearance_h.import.mean", [29.0, 30.0, 31.0]))
    report = chk.compare(base, base)
    assert report.passed
    assert report.exact_required  # same scenario, seed, replications and code
    assert [r.status for r in report.rows] == ["ok"]


def test_changed_code_within_band_passes_but_says_the_numbers_moved():
    base = baseline_of(record("clearance_h.import.mean", [29.0, 30.0, 31.0]))
    now = baseline_of(
        record("clearance_h.import.mean", [29.0, 30.0, 31.000001]), fingerprint="other"
    )
    report = chk.compare(base, now)
    assert report.passed
    assert report.exit_code == 0
    assert not report.exact_required
    assert [r.status for r in report.rows] == ["changed"]
    assert len(report.not_identical) == 1


def test_exact_mode_fails_a_change_within_the_band():
    base = baseline_of(record("clearance_h.import.mean", [29.0, 30.0, 31.0]))
    now = baseline_of(
        record("clearance_h.import.mean", [29.0, 30.0, 31.000001]), fingerprint="other"
    )
    report = chk.compare(base, now, exact=True)
    assert report.exit_code == 1
    assert [r.status for r in report.rows] == ["NOT EXACT"]
    assert not report.band_failures
    assert report.exact_failures


def test_same_code_and_scenario_with_other_numbers_is_a_reproducibility_failure():
    base = baseline_of(record("clearance_h.import.mean", [29.0, 30.0, 31.0]))
    now = baseline_of(record("clearance_h.import.mean", [29.0, 30.0, 31.000001]))
    report = chk.compare(base, now)
    assert report.exact_required
    assert report.exit_code == 1


def test_a_shift_beyond_the_band_is_a_regression():
    base = baseline_of(record("clearance_h.import.mean", [29.0, 30.0, 31.0]))
    now = baseline_of(record("clearance_h.import.mean", [36.0, 37.0, 38.0]), fingerprint="x")
    report = chk.compare(base, now)
    assert [r.status for r in report.rows] == ["REGRESSION"]
    assert report.exit_code == 1


def test_a_kpi_missing_from_the_run_fails():
    base = baseline_of(
        record("clearance_h.import.mean", [29.0, 30.0]), record("trains.total", [272.0, 272.0])
    )
    now = replace(base, kpis={"clearance_h.import.mean": base.kpis["clearance_h.import.mean"]})
    report = chk.compare(base, now)
    assert {r.name: r.status for r in report.rows}["trains.total"] == "missing"
    assert report.exit_code == 1


def test_baseline_file_round_trips_every_value_exactly(tmp_path):
    base = baseline_of(record("clearance_h.import.mean", [29.123456789012345, 1 / 3, math.pi]))
    path = chk.write_baseline(tmp_path / "b.json", base)
    back = chk.read_baseline(path)
    name = "clearance_h.import.mean"
    assert back.kpis[name].values == base.kpis[name].values
    assert chk.compare(base, back).passed


def test_committed_baseline_is_readable_and_covers_every_checked_kpi(baseline):
    committed = chk.read_baseline(COMMITTED)
    assert set(chk.checked_kpis(baseline)) <= set(committed.kpis)
    assert committed.seed == baseline.seed
    assert committed.replications == baseline.replications
    assert (ROOT / committed.scenario_file).resolve() == BASELINE.resolve()
