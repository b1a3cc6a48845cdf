"""Shared fixtures: the baseline scenario, a short version of it, and one run of each."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.experiment.runner import ReplicationResult, run_one
from sim.scenario import Scenario, load_scenario

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "scenarios" / "baseline.yaml"
MMC = ROOT / "tests" / "scenarios" / "mmc_import.yaml"
SHORT = {"end": "2023-02-28", "warmup_days": 14, "replications": 2}
"""Overrides that cut the baseline to two months: every flow, corridor and resource, fast."""


@pytest.fixture(scope="session")
def baseline() -> Scenario:
    return load_scenario(BASELINE)


@pytest.fixture(scope="session")
def short_baseline() -> Scenario:
    return load_scenario(BASELINE, SHORT)


@pytest.fixture(scope="session")
def short_run(short_baseline: Scenario) -> ReplicationResult:
    return run_one(short_baseline, 0)


@pytest.fixture(autouse=True, scope="session")
def _no_catalogue_in_the_repository():
    """Runs made by tests never register in the repository's results catalogue.

    Session-scoped, so it is in force before module fixtures run. Tests of the catalogue
    itself (tests/experiment) work in a folder of their own and turn registration back on.
    """
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LANDPORT_CATALOG", "off")
        yield
