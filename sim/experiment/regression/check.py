"""Running the check: the committed baseline scenario, with its committed seed and
replications, compared with the baseline file — or recorded into it."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sim.experiment.backends import Progress
from sim.experiment.regression.baseline import (
    DEFAULT_BASELINE,
    Baseline,
    BaselineError,
    read_baseline,
    record,
    write_baseline,
)
from sim.experiment.regression.report import CheckReport, compare
from sim.experiment.runs import run
from sim.results.run import RunResult
from sim.scenario import Scenario, load_scenario

DEFAULT_SCENARIO = Path("scenarios/baseline.yaml")


def run_check(
    scenario_file: str | Path = DEFAULT_SCENARIO,
    baseline_file: str | Path = DEFAULT_BASELINE,
    *,
    exact: bool = False,
    overrides: Mapping[str, Any] | None = None,
    workers: int | None = None,
    progress: Progress | None = None,
) -> CheckReport:
    """Run the scenario with its seed and replications and compare it with the baseline file.

    The baseline file is read first, so a missing or corrupt file fails before anything runs.
    """
    baseline = read_baseline(baseline_file)
    scenario = load_scenario(scenario_file, overrides)
    result = run(scenario, workers=workers, save=False, progress=progress)
    current = record(result, scenario, scenario_file)
    report = compare(baseline, current, exact=exact, baseline_path=baseline_file)
    return _about_the_run(report, result, scenario)


def update_baseline(
    scenario_file: str | Path = DEFAULT_SCENARIO,
    baseline_file: str | Path = DEFAULT_BASELINE,
    *,
    workers: int | None = None,
    progress: Progress | None = None,
) -> tuple[Baseline, CheckReport | None]:
    """Run the scenario and rewrite the baseline file from it.

    Returns the new record and, when an old baseline file could be read, the comparison of the
    new run with it (so the change can be reviewed before committing the file).
    """
    try:
        old: Baseline | None = read_baseline(baseline_file)
    except BaselineError:
        old = None
    scenario = load_scenario(scenario_file)
    result = run(scenario, workers=workers, save=False, progress=progress)
    new = record(result, scenario, scenario_file)
    report = None
    if old is not None:
        report = compare(old, new, baseline_path=baseline_file)
        report = _about_the_run(report, result, scenario)
    write_baseline(baseline_file, new)
    return new, report


def _about_the_run(report: CheckReport, result: RunResult, scenario: Scenario) -> CheckReport:
    """``report`` with what the run behind it took and covered (its time, KPIs, window and
    run metadata)."""
    report.wall_s = float(result.manifest["wall_s"])
    report.summary = result.summary
    report.window = (scenario.start, scenario.end)
    report.info = result.info
    return report
