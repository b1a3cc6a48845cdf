"""Common random numbers do what they are for: the paired interval of a what-if's effect is
far narrower than the interval the same replications give with independent seeds, so an
effect that independent runs cannot tell from noise is significant when paired."""

from __future__ import annotations

import pytest

import sim
from sim.experiment.compare import CompareResult
from sim.results.stats import welch_interval
from tests.conftest import BASELINE, ROOT, SHORT_MONTH

DISCOUNT_45 = ROOT / "scenarios" / "nanning-discount-45.yaml"


@pytest.fixture(scope="module")
def discount_what_if() -> tuple[CompareResult, sim.RunResult]:
    """Baseline vs the 45 % Nanning discount over one month, with common random numbers, and
    the what-if again with independent seeds (another seed: no shared stream)."""
    paired = sim.compare(
        BASELINE,
        DISCOUNT_45,
        replications=5,
        overrides=SHORT_MONTH,
        workers=2,
        save=False,
    )
    independent = sim.run(
        DISCOUNT_45, replications=5, seed=12345, overrides=SHORT_MONTH, workers=2, save=False
    )
    return paired, independent


@pytest.mark.parametrize("kpi", ["teu.total", "teu.qinzhou_rail_sea.export", "cost.shipper_cny"])
def test_common_random_numbers_give_a_narrower_ci_than_independent_seeds(discount_what_if, kpi):
    paired, independent = discount_what_if
    row = paired.row(kpi)
    really_independent = welch_interval(
        paired.a.wide()[kpi].to_numpy(), independent.wide()[kpi].to_numpy()
    )
    print(
        f"{kpi}: B − A = {row['diff_mean']:.1f} ± {row['diff_half_width']:.1f} with CRN, "
        f"± {really_independent.half_width:.1f} with independent seeds, "
        f"narrowing {row['narrowing']:.0%}"
    )
    assert row["diff_half_width"] < 0.5 * really_independent.half_width
    # The table's own estimate of the independent half-width agrees in size with the real one.
    ratio = row["independent_half_width"] / really_independent.half_width
    assert 0.3 < ratio < 3
    assert row["narrowing"] > 0.5


def test_the_discount_raises_rail_sea_volume_significantly_only_with_paired_replications(
    discount_what_if,
):
    paired, independent = discount_what_if
    row = paired.row("teu.total")
    assert row["diff_mean"] > 0
    assert row["significant"]
    unpaired = welch_interval(paired.a.wide()["teu.total"], independent.wide()["teu.total"])
    assert unpaired.low < 0 < unpaired.high  # the same 5 replications, unpaired: inconclusive
