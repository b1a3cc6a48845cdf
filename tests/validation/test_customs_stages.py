"""A customs step added in a scenario alone (``--set`` or a what-if file) has the effect
theory says it has.

An extra stage after the standard ones, with a unit for every declaration (no queue), a
constant time T and selection probability p, holds each selected container T hours longer
and nobody else: with common random numbers (the stage draws from streams of its own), every
container's clearance is either what it was or T more, and mean clearance rises by p·T (by
p·T times the agricultural share, for a stage that applies to agricultural goods only). On
the M/M/c scenario the mean clearance is then the Erlang-C sojourn time plus p·T.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm

from sim.experiment.api import run
from sim.experiment.runner import run_one
from sim.results.run import RunResult
from sim.results.tables import frame
from sim.scenario import Scenario, load_scenario, parse_override
from sim.scenario.load import EXTENDS_PATH_ENV
from tests.conftest import BASELINE, MMC, SHORT
from tests.validation import theory
from tests.validation.conftest import CONFIDENCE, MMC_RUN, interval, queue_parameters, show

XRAY_SET = (
    "customs.resources.xray={units: 10000}",
    "customs.import.extra_stages=[{name: xray, resource: xray, time_h: 2.0, probability: 0.25}]",
)
"""An X-ray scan of a quarter of the import declarations, 2 h each, as `landport run --set`
takes it."""
PAIRED_REPLICATIONS = 12


def added_hours(a: pd.DataFrame, b: pd.DataFrame, horizon_h: float) -> pd.DataFrame:
    """Clearance in run ``b`` minus in run ``a``, per import container cleared in both within
    the horizon (declared after the warm-up), with its replication and commodity class."""
    keys = ["replication", "container_id"]
    cols = [*keys, "direction", "agricultural", "t_customs_start", "t_customs_end"]
    both = a[cols].merge(b[cols], on=keys, suffixes=("_a", "_b"))
    both = both[both["direction_a"].astype(str) == "import"]
    # the same declarations at the same times (or none yet, in both runs)
    assert np.array_equal(both["t_customs_start_a"], both["t_customs_start_b"], equal_nan=True)
    done = (
        (both["t_customs_start_a"] >= 0)
        & (both["t_customs_end_a"] <= horizon_h)
        & (both["t_customs_end_b"] <= horizon_h)
    )
    both = both[done]
    return pd.DataFrame(
        {
            "replication": both["replication"],
            "agricultural": both["agricultural_a"].astype(bool),
            "added_h": both["t_customs_end_b"] - both["t_customs_end_a"],
        }
    )


Z = float(norm.ppf(0.5 + CONFIDENCE / 2))


def binomial_covers(hits: int, n: int, p: float) -> bool:
    """Does the suite's normal interval of a binomial share ``hits / n`` cover ``p``?"""
    return abs(hits / n - p) <= Z * math.sqrt(p * (1 - p) / n)


@pytest.fixture(scope="module")
def mmc_with_xray(mmc: tuple[Scenario, RunResult]) -> tuple[Scenario, RunResult]:
    s = load_scenario(
        MMC,
        {
            **MMC_RUN,
            "replications": PAIRED_REPLICATIONS,
            **dict(parse_override(text) for text in XRAY_SET),
        },
    )
    return s, run(s, save=False)


def test_a_stage_set_on_the_command_line_adds_its_time_to_the_share_it_selects(mmc, mmc_with_xray):
    (s0, plain), (s, scanned) = mmc, mmc_with_xray
    assert s.seed == s0.seed
    stage = s.customs.import_.extra_stages[0]
    t_h, p = stage.time_h.to_engine().mean, stage.probability
    base = plain.containers[plain.containers["replication"] < PAIRED_REPLICATIONS]
    d = added_hours(base, scanned.containers, s.horizon_h)
    assert len(d) > 10_000

    # Each container: its clearance as before, or T more (common random numbers).
    selected = np.isclose(d["added_h"], t_h, atol=1e-9)
    assert (selected | np.isclose(d["added_h"], 0.0, atol=1e-9)).all()
    # The scan picks each declaration with probability p ...
    assert binomial_covers(int(selected.sum()), len(d), p)
    # ... so mean clearance rises by p·T.
    rise = interval(d.groupby("replication")["added_h"].mean().to_numpy())
    show(f"mean clearance added by the X-ray stage (p·T = {p} × {t_h} h)", p * t_h, rise)
    assert rise.covers(p * t_h)
    assert rise.half_width < 0.1 * p * t_h


def test_with_the_stage_mmc_clearance_is_erlang_c_plus_the_stage_s_mean(mmc_with_xray):
    s, result = mmc_with_xray
    lam, review, c = queue_parameters(s)
    stage = s.customs.import_.extra_stages[0]
    expected = (
        theory.mmc_sojourn_h(lam, review.mean, c)
        + stage.probability * stage.time_h.to_engine().mean
    )
    ci = interval(result.wide()["clearance_h.import.mean"].to_numpy())
    show(f"M/M/{c} + X-ray import clearance", expected, ci)
    assert ci.covers(expected)
    assert "huaihua.customs.xray" in set(result.queues["where"].astype(str))


def test_an_agricultural_check_in_a_what_if_file_delays_only_agricultural_imports(
    tmp_path, monkeypatch
):
    """A phytosanitary document check of half the agricultural import declarations, 3 h,
    written in a what-if file that extends the baseline."""
    monkeypatch.setenv(EXTENDS_PATH_ENV, str(BASELINE.parent))
    whatif = tmp_path / "phyto.yaml"
    whatif.write_text(
        f"extends: {BASELINE}\n"
        "name: phyto-check\n"
        "customs:\n"
        "  resources:\n"
        "    phyto_desk: {units: 10000}\n"
        "  import:\n"
        "    extra_stages:\n"
        "      - {name: phyto_documents, resource: phyto_desk, time_h: 3.0,\n"
        "         probability: 0.5, applies_to: agricultural}\n",
        encoding="utf-8",
    )
    base, checked = load_scenario(BASELINE, SHORT), load_scenario(whatif, SHORT)
    stage = checked.customs.import_.extra_stages[0]
    t_h, p = stage.time_h.to_engine().mean, stage.probability

    def containers(s: Scenario) -> pd.DataFrame:
        parts = []
        for rep in range(s.replications):
            c = frame(run_one(s, rep).tables["containers"])
            parts.append(c.assign(replication=rep))
        return pd.concat(parts, ignore_index=True)

    d = added_hours(containers(base), containers(checked), base.horizon_h)
    farm, other = d[d["agricultural"]], d[~d["agricultural"]]
    assert len(farm) > 500
    assert len(other) > 500
    assert np.isclose(other["added_h"], 0.0, atol=1e-9).all()  # never in scope
    selected = np.isclose(farm["added_h"], t_h, atol=1e-9)
    assert (selected | np.isclose(farm["added_h"], 0.0, atol=1e-9)).all()
    assert binomial_covers(int(selected.sum()), len(farm), p)
    # Mean import clearance rises by p·T times the agricultural share.
    expected = p * t_h * len(farm) / len(d)
    observed = d["added_h"].mean()
    sd = t_h * math.sqrt(p * (1 - p) * len(farm)) / len(d)  # binomial spread of the rise
    print(f"agricultural check: rise {observed:.4f} h, p·T·share {expected:.4f} ± {Z * sd:.4f}")
    assert abs(observed - expected) <= Z * sd
