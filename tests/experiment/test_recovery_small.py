"""Recovery from a disruption on the smallest scenario: a customs desk whose containers come
from no shipment and leave on no train (nullable ids throughout)."""

from __future__ import annotations

from tests.conftest import MMC, landport

OUTAGE = MMC.with_name("mmc_import_outage.yaml")
SHORT = ["--set", "end=2023-01-10", "--set", "warmup_days=1", "-n", "2", "--workers", "1"]


def test_a_desk_closed_for_12_hours_recovers_and_is_compared_without_a_traceback(tmp_path):
    done = landport("compare", MMC, OUTAGE, *SHORT, "--out", tmp_path / "cmp")
    assert done.exit_code == 0, done.output
    assert "Recovery of B from its disruptions" in done.output
    assert "Traceback" not in done.output
    assert (tmp_path / "cmp" / "recovery.csv").is_file()
