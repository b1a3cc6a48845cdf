"""Shared pieces of the suite: test tiers by folder, the baseline scenario, short versions of
it and one run.

**Tiers.** Every test carries the marker of its tier, given by the folder it is in (never by
hand): ``unit`` for the folders that mirror the package (``tests/engine``, ``model``,
``scenario``, ``experiment``, ``results``, ``cli``) — one component at a time, in this
process, the inner loop (``make test-fast``); ``validation`` for ``tests/validation`` and
``tests/regression`` — the model against theory, an independent simulator, its invariants,
the published figures and its golden values; ``system`` for ``tests/system``, ``tests/faults``
and ``tests/fuzz`` — the product end to end as its users meet it: the real command with its
output piped, whole reports rendered in a browser, processes killed, interrupted or racing,
full disks, worker pools and Dask clusters, hostile inputs in worker processes under limits;
``notebook`` for ``tests/notebooks``. ``slow`` (excluded by default) is the only marker set by hand.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import Result
from typer.testing import CliRunner

from sim.cli import app
from sim.experiment.runner import ReplicationResult, run_one
from sim.scenario import Scenario, load_scenario

ROOT = Path(__file__).resolve().parent.parent
TESTS = ROOT / "tests"
TIERS = {
    "validation": "validation",
    "regression": "validation",
    "faults": "system",
    "fuzz": "system",
    "system": "system",
    "notebooks": "notebook",
}
"""Folder under ``tests/`` → the marker of its tier; every other folder is ``unit``."""
BASELINE = ROOT / "scenarios" / "baseline.yaml"
MMC = ROOT / "tests" / "scenarios" / "mmc_import.yaml"
SHORT = {"end": "2023-02-28", "warmup_days": 14, "replications": 2}
"""Overrides that cut the baseline to two months: every flow, corridor and resource, fast."""
SHORT_MONTH = {"end": "2023-01-31", "warmup_days": 7}
"""The whole baseline model for one month: every flow, corridor and resource, fast."""
MMC_WEEK = {"end": "2023-01-07", "warmup_days": 1, "customs.import.officers": 4}
"""The M/M/c customs desk (``MMC``) for one week (ρ = 0.6): about 0.03 s a replication."""


def landport(*args: object) -> Result:
    """``landport ARGS`` run in this process; its exit code and output are on the result."""
    return CliRunner().invoke(app, [str(a) for a in args])


def flat(text: str) -> str:
    """Output with its line wrapping undone (messages wrap at the console's width)."""
    return " ".join(text.split())


def tier(path: Path) -> str:
    """The tier of a test file, by the folder under ``tests/`` that holds it."""
    folder = path.resolve().relative_to(TESTS).parts[0]
    return TIERS.get(folder, "unit")


@pytest.hookimpl(tryfirst=True)  # before ``-m`` selects by marker
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        item.add_marker(tier(item.path))


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
