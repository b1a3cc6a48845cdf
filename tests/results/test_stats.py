"""Statistics of the results layer against textbook values."""

import numpy as np
import pytest
from scipy import stats as sps

from sim.results.stats import (
    paired_interval,
    ratio_interval,
    step_integral,
    t_interval,
    t_quantile,
    time_weighted_mean,
    welch_dof,
    welch_interval,
)


@pytest.mark.parametrize(
    ("p", "dof", "expected"), [(0.975, 9, 2.262157), (0.995, 4, 4.604095), (0.975, 1000, 1.962339)]
)
def test_t_quantile_matches_tables(p, dof, expected):
    assert t_quantile(p, dof) == pytest.approx(expected, abs=1e-6)


def test_t_interval_is_the_student_t_interval():
    x = np.array([29.1, 30.4, 28.7, 31.0, 29.9])
    ci = t_interval(x)
    se = x.std(ddof=1) / np.sqrt(5)
    assert ci.mean == pytest.approx(x.mean())
    assert ci.half_width == pytest.approx(sps.t.ppf(0.975, 4) * se)
    assert ci.covers(x.mean())
    assert t_interval([1.0]).n == 1
    assert np.isnan(t_interval([1.0]).half_width)


def test_pairing_removes_the_shared_noise():
    rng = np.random.default_rng(0)
    shared = rng.normal(100, 10, 20)
    a, b = shared + rng.normal(0, 1, 20), shared + 2 + rng.normal(0, 1, 20)
    paired, independent = paired_interval(a, b), welch_interval(a, b)
    assert paired.covers(2.0)
    assert paired.half_width < independent.half_width / 3
    assert independent.mean == pytest.approx(paired.mean)


def test_step_integral_is_time_weighted():
    t = np.array([0.0, 2.0, 5.0])
    v = np.array([1.0, 3.0, 0.0])
    assert step_integral(t, v, 0, 10) == pytest.approx(2 * 1 + 3 * 3)
    assert step_integral(t, v, 1, 4) == pytest.approx(1 * 1 + 2 * 3)
    assert step_integral(np.array([3.0]), np.array([2.0]), 0, 4) == pytest.approx(8)
    assert time_weighted_mean(t, v, 0, 10) == pytest.approx(1.1)


def test_welch_degrees_of_freedom_are_scipys_and_a_sample_without_spread_adds_nothing():
    a, b = np.array([1.0, 2.0, 3.0, 4.0]), np.array([2.0, 5.0, 9.0])
    va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
    expected = sps.ttest_ind(a, b, equal_var=False).df
    assert welch_dof(va, len(a), vb, len(b)) == pytest.approx(expected, rel=1e-12)
    assert welch_dof(0.0, 1, vb, len(b)) == pytest.approx(len(b) - 1)  # one value, no spread
    assert welch_dof(0.0, 5, 0.0, 7) == 10


def test_ratio_interval_is_the_ratio_estimator_with_a_student_t_half_width():
    num = np.array([210.0, 190.0, 205.0, 215.0])
    den = np.array([10.0, 9.0, 10.5, 10.0])
    ci = ratio_interval(num, den)
    r = num.mean() / den.mean()
    z = num - r * den
    hw = sps.t.ppf(0.975, 3) * z.std(ddof=1) / 2 / den.mean()
    assert (ci.mean, ci.half_width, ci.n) == pytest.approx((r, hw, 4))
    assert ci.low < r < ci.high


def test_ratio_interval_is_unbounded_when_the_denominator_may_be_zero():
    ci = ratio_interval([5.0, 6.0, 4.0], [1.0, -2.0, 2.0])  # mean 1/3, its CI includes 0
    assert ci.mean == pytest.approx(15.0 / 1.0)
    assert ci.half_width == float("inf")
    assert ci.low == -float("inf")
    assert np.isnan(ratio_interval([1.0, 2.0], [1.0, -1.0]).mean)  # no change at all: NaN
