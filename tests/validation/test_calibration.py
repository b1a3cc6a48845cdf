"""The baseline reproduces the port's published 2023 figures, and the 2024 scenario the
published 2024 ones, within the calibration tolerances of :mod:`sim.results.published`;
both print the comparison (``pytest -s tests/validation/test_calibration.py``)."""

from __future__ import annotations

from sim.experiment.api import run
from sim.results.published import (
    PUBLISHED_2023,
    PUBLISHED_2024,
    SOURCE,
    SOURCE_2024,
    TOLERANCE,
    WINDOW,
    period_values,
)
from sim.scenario import load_scenario
from tests.conftest import ROOT


def test_baseline_reproduces_the_published_2023_figures(baseline, baseline_run):
    assert (baseline.start, baseline.end) == WINDOW
    summary = baseline_run.summary.set_index("kpi")
    lines = [f"Published 2023 ({SOURCE}) vs the baseline, {baseline_run.replications} reps:"]
    header = ("figure", "published", "simulated", "± 95 %", "dev", "tol")
    lines.append("{:<26}{:>10}{:>12}{:>9}{:>8}{:>6}".format(*header))
    off = []
    for name, published in PUBLISHED_2023.items():
        mean = float(summary.loc[name, "mean"])
        hw = float(summary.loc[name, "half_width"])
        deviation = (mean - published) / published
        ok = abs(deviation) <= TOLERANCE[name]
        lines.append(
            f"{name:<26}{published:>10g}{mean:>12.3f}{hw:>9.3f}{deviation:>+8.1%}"
            f"{TOLERANCE[name]:>6.0%}{'' if ok else '  OUTSIDE'}"
        )
        if not ok:
            off.append(name)
    print("\n".join(lines))
    assert not off, f"outside the calibration tolerance: {off}\n" + "\n".join(lines)


def test_the_2024_scenario_reproduces_the_published_2024_figures():
    s = load_scenario(ROOT / "scenarios" / "2024.yaml", {"replications": 3})
    result = run(s, save=False)
    lines = [f"Published 2024 ({SOURCE_2024}) vs scenarios/2024.yaml, 3 reps:"]
    off = []
    for fig, value in period_values(result.trains, s.start, PUBLISHED_2024):
        deviation = (value - fig.value) / fig.value
        ok = abs(deviation) <= fig.tolerance
        lines.append(
            f"{fig.label:<32}{fig.value:>10g}{value:>12.1f}{deviation:>+8.1%}"
            f"{fig.tolerance:>6.0%}{'' if ok else '  OUTSIDE'}"
        )
        if not ok:
            off.append(fig.label)
    print("\n".join(lines))
    assert not off, "\n".join(lines)
