"""Shared pieces of the experiment tests: fast scenarios and a results root of their own.

Every test runs in its own temporary working directory, so nothing lands in the repository's
``results/`` folder or its catalogue, whatever a test forgets to pass.
"""

from __future__ import annotations

import pytest

from sim.scenario.load import EXTENDS_PATH_ENV
from tests.conftest import ROOT

MMC_WEEK = {"end": "2023-01-07", "warmup_days": 1, "customs.import.officers": 4}
"""The M/M/c customs desk for one week (ρ = 0.6): about 0.03 s a replication."""
SHORT_MONTH = {"end": "2023-01-31", "warmup_days": 7}
"""The whole baseline model for one month: every flow, corridor and resource, fast."""


@pytest.fixture(autouse=True)
def _own_results_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("LANDPORT_CATALOG", raising=False)


@pytest.fixture(autouse=True, scope="package")
def _catalogue_on():
    """The catalogue registers again here (the suite turns it off elsewhere), module fixtures
    included; every test works in a folder of its own, see above. Scenario files written
    there extend the repository's test scenarios, outside that folder: allowed explicitly."""
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("LANDPORT_CATALOG", raising=False)
        patch.setenv(EXTENDS_PATH_ENV, str(ROOT))
        yield
