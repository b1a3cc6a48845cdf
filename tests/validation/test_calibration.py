"""The baseline reproduces the port's published 2023 figures within the calibration
tolerances of :mod:`sim.results.published`, and prints the comparison."""

from __future__ import annotations

from sim.results.published import PUBLISHED_2023, SOURCE, TOLERANCE, WINDOW


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
