"""The regression check's rules (the band, exact identity, the statuses), its baseline file
(a pydantic model that round-trips every value) and its bad-input errors. The check run on
the real baseline is in ``tests/regression``."""

from __future__ import annotations

import json
import math

import pytest

from sim.experiment import regression
from sim.experiment.regression import Baseline, KpiRecord
from tests.conftest import ROOT, flat, landport

COMMITTED = ROOT / "tests" / "regression" / "baseline_kpis.json"
CLEARANCE = "clearance_h.import.mean"


# ---------------------------------------------------------------------------- bad input


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
        ('{"format": 1, "seed": 1}', "missing field(s) scenario_file, scenario_hash"),
    ],
)
def test_corrupt_baseline_file_is_bad_input(tmp_path, text, message):
    bad = tmp_path / "baseline.json"
    bad.write_text(text, encoding="utf-8")
    result = landport("check", "--baseline", bad, "--quiet")
    assert result.exit_code == 2
    assert message in flat(result.output)
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("mean", "fast", f"kpis.{CLEARANCE}.mean: expected a number, found 'fast'"),
        ("mean", True, f"kpis.{CLEARANCE}.mean: expected a number, found True"),
        ("n", -1, f"kpis.{CLEARANCE}.n: expected a count (at least 0), found -1"),
        ("values", [], f"kpis.{CLEARANCE}.values: expected a non-empty list, found []"),
        ("meen", 1.0, f"kpis.{CLEARANCE}.meen: unknown field"),
    ],
)
def test_a_bad_kpi_entry_names_its_field_and_what_was_expected(tmp_path, field, value, message):
    data = json.loads(COMMITTED.read_text(encoding="utf-8"))
    data["kpis"][CLEARANCE][field] = value
    bad = tmp_path / "baseline.json"
    bad.write_text(json.dumps(data), encoding="utf-8")
    result = landport("check", "--baseline", bad, "--quiet")
    assert result.exit_code == 2
    assert f"{bad}: {message}" in flat(result.output)


def test_a_kpi_entry_missing_fields_names_them_together(tmp_path):
    data = json.loads(COMMITTED.read_text(encoding="utf-8"))
    del data["kpis"][CLEARANCE]["std"], data["kpis"][CLEARANCE]["values"]
    bad = tmp_path / "baseline.json"
    bad.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(
        regression.BaselineError, match=rf"kpis\.{CLEARANCE}: missing field\(s\) std, values"
    ):
        regression.read_baseline(bad)


def test_update_refuses_overrides(tmp_path):
    result = landport(
        "check", "--update", "--baseline", tmp_path / "b.json", "--set", "seed=1", "--quiet"
    )
    assert result.exit_code == 2
    assert not (tmp_path / "b.json").exists()


# ---------------------------------------------------------------------------- the file


def test_the_committed_file_is_written_back_byte_for_byte():
    """The model holds every field of the file in its order, and every float exactly."""
    text = COMMITTED.read_text(encoding="utf-8")
    assert regression.to_json(regression.read_baseline(COMMITTED)) == text


def test_baseline_file_round_trips_every_value_exactly_nan_included(tmp_path):
    base = baseline_of({CLEARANCE: [29.123456789012345, 1 / 3, math.pi]})
    base = base.model_copy(
        update={
            "kpis": {**base.kpis, "trains.china_laos": KpiRecord.of("trains.china_laos", [29.0])}
        }
    )
    path = regression.write_baseline(tmp_path / "b.json", base)
    assert '"half_width": null' in path.read_text(encoding="utf-8")  # one replication: no CI
    back = regression.read_baseline(path)
    assert back.kpis[CLEARANCE].values == base.kpis[CLEARANCE].values
    assert math.isnan(back.kpis["trains.china_laos"].half_width)
    assert regression.compare(base, back).passed


# ---------------------------------------------------------------------------- the rules


def baseline_of(values: dict[str, list[float]], fingerprint: str = "code") -> Baseline:
    return Baseline(
        scenario_file="scenarios/baseline.yaml",
        scenario_name="baseline",
        scenario_hash="abc",
        seed=1,
        replications=len(next(iter(values.values()))),
        kpis={name: KpiRecord.of(name, v) for name, v in values.items()},
        code_fingerprint=fingerprint,
        landport_version="0",
        git_commit=None,
    )


def test_band_is_the_99_percent_welch_interval_of_a_difference_of_means():
    a = KpiRecord.of(CLEARANCE, [29.0, 30.0, 31.0, 29.5, 30.5])
    b = KpiRecord.of(CLEARANCE, [28.0, 30.0, 32.0, 29.0, 31.0])
    se2 = a.se**2 + b.se**2
    dof = se2**2 / (a.se**4 / 4 + b.se**4 / 4)
    from scipy import stats

    assert regression.allowed_band(a, b) == pytest.approx(stats.t.ppf(0.995, dof) * math.sqrt(se2))


def test_a_count_that_never_varies_gets_a_half_unit_band():
    base = KpiRecord.of("trains.china_laos", [29.0] * 10)
    assert regression.allowed_band(base, base) == 0.5
    one_rep_off = KpiRecord.of("trains.china_laos", [29.0] * 9 + [28.0])
    assert abs(one_rep_off.mean - base.mean) <= regression.allowed_band(base, one_rep_off)
    every_rep_off = KpiRecord.of("trains.china_laos", [28.0] * 10)
    assert abs(every_rep_off.mean - base.mean) > regression.allowed_band(base, every_rep_off)


def test_a_continuous_kpi_that_never_varies_has_no_band():
    base = KpiRecord.of("clearance_h.export.mean", [0.09] * 5)
    assert regression.allowed_band(base, base) == 0.0


def test_identical_numbers_pass_both_checks():
    base = baseline_of({CLEARANCE: [29.0, 30.0, 31.0]})
    report = regression.compare(base, base)
    assert report.passed
    assert report.exact_required  # same scenario, seed, replications and code
    assert [r.status for r in report.rows] == ["ok"]


def test_changed_code_within_band_passes_but_says_the_numbers_moved():
    base = baseline_of({CLEARANCE: [29.0, 30.0, 31.0]})
    now = baseline_of({CLEARANCE: [29.0, 30.0, 31.000001]}, fingerprint="other")
    report = regression.compare(base, now)
    assert report.passed
    assert report.exit_code == 0
    assert not report.exact_required
    assert [r.status for r in report.rows] == ["changed"]
    assert len(report.not_identical) == 1


def test_exact_mode_fails_a_change_within_the_band():
    base = baseline_of({CLEARANCE: [29.0, 30.0, 31.0]})
    now = baseline_of({CLEARANCE: [29.0, 30.0, 31.000001]}, fingerprint="other")
    report = regression.compare(base, now, exact=True)
    assert report.exit_code == 1
    assert [r.status for r in report.rows] == ["NOT EXACT"]
    assert not report.band_failures
    assert report.exact_failures


def test_same_code_and_scenario_with_other_numbers_is_a_reproducibility_failure():
    base = baseline_of({CLEARANCE: [29.0, 30.0, 31.0]})
    now = baseline_of({CLEARANCE: [29.0, 30.0, 31.000001]})
    report = regression.compare(base, now)
    assert report.exact_required
    assert report.exit_code == 1


def test_a_shift_beyond_the_band_is_a_regression():
    base = baseline_of({CLEARANCE: [29.0, 30.0, 31.0]})
    now = baseline_of({CLEARANCE: [36.0, 37.0, 38.0]}, fingerprint="x")
    report = regression.compare(base, now)
    assert [r.status for r in report.rows] == ["REGRESSION"]
    assert report.exit_code == 1


def test_a_kpi_missing_from_the_run_fails_and_one_only_in_the_run_is_new():
    base = baseline_of({CLEARANCE: [29.0, 30.0], "trains.total": [272.0, 272.0]})
    now = base.model_copy(
        update={"kpis": {CLEARANCE: base.kpis[CLEARANCE], "teu.total": base.kpis["trains.total"]}}
    )
    report = regression.compare(base, now)
    status = {r.name: r.status for r in report.rows}
    assert status == {CLEARANCE: "ok", "trains.total": "missing", "teu.total": "new"}
    assert report.exit_code == 1
