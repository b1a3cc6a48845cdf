"""Sensitivity analysis: the designs and analyses against functions of known sensitivity
(Ishigami's, whose Sobol indices are known in closed form; linear ones), run through the same
design → points → tidy KPI table → analysis path as a simulated design; then a real one
through the sweep machinery, saved and read back."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import sim
from sim.experiment.design import Factor
from sim.experiment.sensitivity import (
    SensitivityResult,
    SensitivitySpec,
    parse_factor,
    read_spec,
    run_design,
    sensitivity,
)
from sim.experiment.sweep import SweepResult
from sim.scenario import ScenarioError
from tests.conftest import MMC, MMC_WEEK

PI = math.pi


def ishigami(x1: float, x2: float, x3: float, a: float = 7.0, b: float = 0.1) -> float:
    return math.sin(x1) + a * math.sin(x2) ** 2 + b * x3**4 * math.sin(x1)


def ishigami_indices(a: float = 7.0, b: float = 0.1) -> tuple[list[float], list[float]]:
    """First-order and total Sobol indices of the Ishigami function (Saltelli et al. 2008,
    *Global Sensitivity Analysis: The Primer*, §4.6)."""
    v1 = 0.5 * (1 + b * PI**4 / 5) ** 2
    v2 = a**2 / 8
    v13 = b**2 * PI**8 * (1 / 18 - 1 / 50)
    v = v1 + v2 + v13
    return [v1 / v, v2 / v, 0.0], [(v1 + v13) / v, v2 / v, v13 / v]


def evaluating(fn: Callable[..., float], names: list[str], replications: int = 1):
    """A design runner that evaluates ``fn`` at each point in place of a simulation, giving
    the sweep's tidy KPI table (point, replication, kpi, value); replication r adds noise
    common to every point (common random numbers) that the point means keep."""

    def run(points: list[dict[str, Any]], analysis: Callable, about: Mapping[str, Any]):
        rows = [
            {"point": k, "replication": r, "kpi": "y", "value": fn(*(p[n] for n in names)) + r}
            for k, p in enumerate(points)
            for r in range(replications)
        ]
        result = SweepResult(
            points=pd.DataFrame({"point": range(len(points))}),
            kpis=pd.DataFrame(rows),
            summary=pd.DataFrame(),
            manifest=dict(about),
        )
        result.extras = dict(analysis(result))
        return result

    return run


def _factors(bounds: dict[str, tuple[float, float]], base: float = 0.0) -> tuple[Factor, ...]:
    return tuple(Factor(n, lo, hi, base) for n, (lo, hi) in bounds.items())


def test_sobol_indices_of_the_ishigami_function_come_out_within_their_intervals():
    names = ["x1", "x2", "x3"]
    spec = SensitivitySpec(
        "sobol", _factors(dict.fromkeys(names, (-PI, PI))), ("y",), samples=4096, seed=7
    )
    result = run_design(spec, evaluating(ishigami, names))
    table = result.ranking.set_index("factor")
    first, total = ishigami_indices()
    for name, s1, st in zip(names, first, total, strict=True):
        r = table.loc[name]
        assert abs(r["S1"] - s1) <= r["S1_conf"], (name, r["S1"], s1, r["S1_conf"])
        assert abs(r["ST"] - st) <= r["ST_conf"], (name, r["ST"], st, r["ST_conf"])
        assert r["S1_conf"] < 0.05  # narrow enough to mean something
    assert list(result.ranking.sort_values("rank")["factor"]) == ["x1", "x2", "x3"]  # by ST


def test_morris_screening_of_a_linear_function_finds_its_slopes():
    names = ["a", "b", "c"]
    spec = SensitivitySpec(
        "morris", _factors(dict.fromkeys(names, (0.0, 1.0))), ("y",), trajectories=20, seed=3
    )
    result = run_design(spec, evaluating(lambda a, b, c: 3 * a - b, names, replications=2))
    table = result.ranking.set_index("factor")
    assert table.loc["a", "mu_star"] == pytest.approx(3.0)
    assert table.loc["b", "mu_star"] == pytest.approx(1.0)
    assert table.loc["b", "mu"] == pytest.approx(-1.0)
    assert table.loc["c", "mu_star"] == pytest.approx(0.0, abs=1e-12)
    assert table.loc["a", "sigma"] == pytest.approx(0.0, abs=1e-9)  # linear: no interaction
    assert list(table.sort_values("rank").index) == ["a", "b", "c"]


def test_one_at_a_time_swings_are_slope_times_range():
    names = ["a", "b"]
    factors = (Factor("a", 1.0, 3.0, 2.0), Factor("b", -1.0, 4.0, 0.0))
    spec = SensitivitySpec("oat", factors, ("y",))
    assert len(spec.points()) == 1 + 2 * 2
    result = run_design(spec, evaluating(lambda a, b: 2 * a - b, names, replications=3))
    table = result.ranking.set_index("factor")
    assert table.loc["a", "importance"] == pytest.approx(4.0)  # 2 × (3 − 1)
    assert table.loc["b", "importance"] == pytest.approx(5.0)  # 1 × (4 − (−1))
    assert table.loc["b", "rank"] == 1
    assert table.loc["a", "kpi_at_base"] == pytest.approx(2 * 2.0 - 0.0 + 1.0)  # mean noise 1
    assert table.loc["a", "importance_conf"] == pytest.approx(0.0)  # common noise cancels


def test_an_integer_factor_takes_whole_values():
    spec = SensitivitySpec("morris", (Factor("officers", 2, 6, 3, integer=True),), ("y",))
    assert all(isinstance(p["officers"], int) for p in spec.points())


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_a_sensitivity_block_is_read_and_checked(tmp_path):
    f = write(
        tmp_path / "s.yaml",
        f"extends: {MMC}\nsensitivity:\n  method: oat\n  kpis: [clearance_h.import.mean]\n"
        "  factors:\n    customs.import.review_h.mean: [1.0, 1.4]\n",
    )
    spec = read_spec(f, factors={"customs.import.officers": (3, 5)})
    assert spec.method == "oat"
    assert [(x.path, x.base, x.integer) for x in spec.factors] == [
        ("customs.import.review_h.mean", 1.2, False),
        ("customs.import.officers", 3.0, True),
    ]
    with pytest.raises(ScenarioError, match=r"s\.yaml: sensitivity\.factors\.customs\.import: "):
        read_spec(f, factors={"customs.import": (1, 2)})
    with pytest.raises(ScenarioError, match="expected LOW < HIGH"):
        read_spec(f, factors={"customs.import.officers": (5, 3)})
    with pytest.raises(ScenarioError, match=r"sensitivity\.method"):
        read_spec(f, method="fast")  # type: ignore[arg-type]
    with pytest.raises(ScenarioError, match="power of two"):
        read_spec(f, method="sobol", samples=100)
    with pytest.raises(ScenarioError, match="PATH=LOW:HIGH"):
        parse_factor("customs.import.officers=3")


def test_a_sensitivity_runs_through_the_sweep_machinery_and_reads_back(tmp_path):
    f = write(
        tmp_path / "s.yaml",
        f"extends: {MMC}\nsensitivity:\n  method: oat\n  kpis: [clearance_h.import.mean]\n"
        "  factors:\n    customs.import.review_h.mean: [1.0, 1.3]\n"
        "    customs.import.officers: [3, 5]\n",
    )
    result = sensitivity(
        f, overrides=MMC_WEEK, replications=2, workers=1, root=tmp_path / "results"
    )
    assert result.path is not None
    assert result.path.name.startswith("s-sensitivity-")
    assert len(result.sweep.points) == 5
    table = result.ranking.set_index("factor")
    # Fewer officers and longer reviews both lengthen clearance; the base is the scenario's.
    assert (
        table.loc["customs.import.officers", "kpi_at_low"]
        > table.loc["customs.import.officers", "kpi_at_high"]
    )
    assert (
        table.loc["customs.import.review_h.mean", "kpi_at_high"]
        > table.loc["customs.import.review_h.mean", "kpi_at_low"]
    )
    again = sim.load(result.path)
    assert isinstance(again, SensitivityResult)
    pd.testing.assert_frame_equal(again.ranking, result.ranking)
    assert again.spec == result.spec
    assert np.isfinite(result.ranking["importance"]).all()
