"""The experiment tests work in a results root of their own, with the catalogue on.

Every test runs in its own temporary working directory, so nothing lands in the repository's
``results/`` folder or its catalogue, whatever a test forgets to pass.
"""

from __future__ import annotations

import pytest

from sim.scenario.load import EXTENDS_PATH_ENV
from tests.conftest import ROOT


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
