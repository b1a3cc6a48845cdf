"""Statistics: tally vs time-weighted, Student-t confidence intervals, paired differences.

Tally statistics (a container's clearance time) average over observations. Time-weighted
statistics (queue length, utilisation) integrate a step function over time and divide by the
length of the window; averaging the change points instead would be wrong. Both are computed
after warm-up only, by the callers choosing the window.

Sums of floats are correctly rounded (:func:`exact_sum`), so a KPI does not depend on where
it is computed: ``np.dot`` hands a long vector to BLAS, which splits it over as many threads as
it is allowed (a Dask worker allows one, a plain process all cores) and adds the partial sums
in another order; numpy's own pairwise sum depends on how the array is laid out in memory.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike


def exact_sum(values: ArrayLike) -> float:
    """The sum of ``values``, correctly rounded (``math.fsum``): independent of order, memory
    layout, thread count and machine. Zeros are left out before summing: ``fsum`` starts from
    +0.0, so they change nothing, and most of a step function's widths are zero outside its
    window. Long arrays are summed by :func:`exact_sums`, which gives the same bits."""
    return exact_sums(np.asarray(values, dtype=float).ravel(), None, 1)[0]


_LONG = 1024
"""From this many values on, whole-number sums beat ``fsum`` (see :func:`exact_sums`)."""


def _fsums(x: np.ndarray, groups: np.ndarray | None, n: int) -> list[float]:
    """``math.fsum`` of each group of ``x``, zeros left out."""
    keep = x != 0
    if groups is None:
        return [math.fsum(x[keep].tolist())]
    groups = groups[keep]
    order = np.argsort(groups, kind="stable")
    values = x[keep][order].tolist()
    counts = np.bincount(groups, minlength=n).tolist()
    ends = itertools.accumulate(counts)
    return [math.fsum(values[e - c : e]) for e, c in zip(ends, counts, strict=True)]


def exact_sums(values: np.ndarray, groups: np.ndarray | None, n: int) -> list[float]:
    """The sums of ``values`` by group (``groups``: 0 … n − 1 for each value; None: all in
    one), each correctly rounded: bit for bit what :func:`math.fsum` gives each group — by
    ``fsum`` itself for a few values, otherwise in a few passes of numpy over the values
    rather than a Python float for each.

    Every finite float is a whole number of 53 bits times a power of two (``np.frexp``).
    Split in a high part of 27 bits and a low part of 26, the parts of each group and power
    are added in float without rounding (fewer than 2²⁶ values: every partial sum stays below
    2⁵³); the sums by power are then added exactly as Python integers and rounded once, as
    ``fsum`` rounds (to nearest, ties to even). Values that are not all finite go to ``fsum``
    (which raises or gives inf or NaN, as it does). Only where ``fsum`` overflows on the way
    to a sum near the largest float does this give the sum instead of its OverflowError.
    """
    x = np.asarray(values, dtype=float)
    if len(x) < _LONG:
        return _fsums(x, groups, n)
    keep = x != 0  # they add nothing, and a step function has many
    if not keep.all():
        x = x[keep]
        groups = None if groups is None else groups[keep]
        if not len(x):
            return [0.0] * n
    scaled, power = np.frexp(x)
    scaled *= 2.0**27  # |scaled| < 2**27, exact
    high = np.floor(scaled)
    with np.errstate(invalid="ignore"):  # inf − inf: such sums go to fsum below
        scaled -= high  # the fraction: a whole number of 2**-26
    scaled *= 2.0**26  # the low part: a whole number below 2**26
    base = int(power.min())
    span = int(power.max()) - base + 1
    bins = power.astype(np.intp)
    bins -= base
    if groups is not None:
        bins += np.asarray(groups, dtype=np.intp) * span  # narrow codes would wrap
    highs = np.bincount(bins, weights=high, minlength=n * span)
    lows = np.bincount(bins, weights=scaled, minlength=n * span)
    if len(x) >= 2**26 or not (np.isfinite(highs).all() and np.isfinite(lows).all()):
        return _fsums(x, groups, n)
    shift = base - 53
    out = []
    for g in range(n):
        total = 0
        row = slice(g * span, (g + 1) * span)
        for k, (h, lo) in enumerate(zip(highs[row].tolist(), lows[row].tolist(), strict=True)):
            if h or lo:
                total += ((int(h) << 26) + int(lo)) << k
        # int → float and int / int round to nearest, ties to even
        out.append(float(total << shift) if shift >= 0 else total / (1 << -shift))
    return out


def whole_numbers(values: np.ndarray) -> bool:
    """Whether ``values`` are whole numbers whose absolute sum is below 2⁵³: then every
    partial sum of them is exact, and they add up to the same in any order."""
    x = np.asarray(values, dtype=float)
    return bool((x == np.trunc(x)).all()) and float(np.abs(x).sum()) < 2.0**53


def exact_mean(values: ArrayLike) -> float:
    """The mean of ``values`` from :func:`exact_sum`; NaN when there are none."""
    n = np.size(values)
    return exact_sum(values) / n if n else float("nan")


def step_integral(t: np.ndarray, v: np.ndarray, a: float, b: float) -> float:
    """∫ₐᵇ of the right-continuous step function that takes value ``v[i]`` from ``t[i]``.

    Before ``t[0]`` the function is taken as ``v[0]``.
    """
    return step_integrals(t, [v], a, b)[0]


def step_integrals(
    t: np.ndarray, values: Sequence[np.ndarray], a: float, b: float
) -> list[float]:
    """:func:`step_integral` of several step functions that change at the same times ``t``
    (queue, units in use …): the steps and their widths found once."""
    if b <= a or len(t) == 0:
        return [0.0] * len(values)
    t = np.asarray(t, dtype=float)
    lo, hi = 0, len(t)
    if len(t) > 1 and bool((t[1:] >= t[:-1]).all()):
        # Change points in time order: only the steps from the last one at or before ``a`` to
        # the last one before ``b`` have a width; the others would add exact zeros.
        lo = max(int(np.searchsorted(t, a, "right")) - 1, 0)
        hi = max(int(np.searchsorted(t, b, "left")), lo + 1)
        t = t[lo:hi]
    edges = np.clip(np.concatenate((t, [b])), a, b)
    edges[0] = a if t[0] > a else edges[0]
    widths = np.diff(edges)
    # one sum at a time: the products of one function stay in the cache while they are summed
    return [exact_sum(widths * np.asarray(v, dtype=float)[lo:hi]) for v in values]


def _step_integrals(t: np.ndarray, v: np.ndarray, edges: np.ndarray) -> list[float]:
    """:func:`step_integral` over each window ``[edges[k], edges[k + 1]]`` (``edges``
    increasing, ``t`` ascending), all windows at once: the same steps, widths and sums."""
    a, b = edges[:-1], edges[1:]
    lo = np.maximum(np.searchsorted(t, a, "right") - 1, 0)
    hi = np.maximum(np.searchsorted(t, b, "left"), lo + 1)
    counts = hi - lo
    window = np.repeat(np.arange(len(a)), counts)
    ends = np.cumsum(counts)
    i = np.arange(ends[-1]) - np.repeat(ends - counts, counts) + lo[window]
    wa, wb = a[window], b[window]
    start = np.clip(t[i], wa, wb)
    start[ends - counts] = a  # before its first change point the step takes its first value
    end = np.clip(t[np.minimum(i + 1, len(t) - 1)], wa, wb)
    end[ends - 1] = b
    return exact_sums((end - start) * v[i], window, len(a))


def time_weighted_mean(t: np.ndarray, v: np.ndarray, a: float, b: float) -> float:
    """Mean over ``[a, b]`` of the step function (see :func:`step_integral`)."""
    return step_integral(t, v, a, b) / (b - a) if b > a else float("nan")


def t_quantile(p: float, dof: float) -> float:
    """Student-t quantile (inverse CDF) at probability ``p`` with ``dof`` degrees of freedom.

    ``scipy.special.stdtrit`` is the same function scipy.stats' ``t.ppf`` evaluates, and it
    imports in a fifth of a second rather than the second scipy.stats takes — time every
    ``landport`` command and every run's summary would otherwise wait for.
    """
    from scipy.special import stdtrit

    return float(stdtrit(dof, p))


@dataclass(frozen=True)
class Interval:
    """A mean with its Student-t confidence half-width."""

    mean: float
    half_width: float
    n: int
    std: float
    confidence: float

    @property
    def low(self) -> float:
        return self.mean - self.half_width

    @property
    def high(self) -> float:
        return self.mean + self.half_width

    def covers(self, value: float) -> bool:
        return self.low <= value <= self.high


def t_interval(values: Sequence[float] | np.ndarray, confidence: float = 0.95) -> Interval:
    """Mean and Student-t half-width of independent observations (NaNs are dropped)."""
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    n = len(x)
    if n == 0:
        return Interval(float("nan"), float("nan"), 0, float("nan"), confidence)
    mean = float(x.mean())
    if n == 1:
        return Interval(mean, float("nan"), 1, float("nan"), confidence)
    std = float(x.std(ddof=1))
    t = t_quantile(0.5 + confidence / 2, n - 1)
    return Interval(mean, t * std / math.sqrt(n), n, std, confidence)


def paired_interval(
    a: Sequence[float] | np.ndarray, b: Sequence[float] | np.ndarray, confidence: float = 0.95
) -> Interval:
    """Interval of the mean difference b − a over paired replications (common random numbers)."""
    x = np.asarray(b, dtype=float) - np.asarray(a, dtype=float)
    return t_interval(x, confidence)


def ratio_interval(
    numerator: Sequence[float] | np.ndarray,
    denominator: Sequence[float] | np.ndarray,
    confidence: float = 0.95,
) -> Interval:
    """Interval of the ratio of two means, mean(numerator) / mean(denominator), over the same
    replications (the classical ratio estimator: its Student-t half-width is that of the mean
    of ``numerator − ratio × denominator``, divided by ``|mean(denominator)|``).

    A ratio whose denominator's own interval includes 0 has no bounded interval: the
    half-width is then infinite (the low and high ends ±∞); one whose denominator's mean is
    0 is NaN. Replications where either value is NaN are dropped.
    """
    x = np.asarray(numerator, dtype=float)
    y = np.asarray(denominator, dtype=float)
    keep = ~(np.isnan(x) | np.isnan(y))
    x, y = x[keep], y[keep]
    den = t_interval(y, confidence)
    if den.n == 0 or den.mean == 0:
        return Interval(float("nan"), float("nan"), den.n, float("nan"), confidence)
    ratio = float(x.mean()) / den.mean
    if den.n > 1 and not abs(den.mean) > den.half_width:
        return Interval(ratio, float("inf"), den.n, float("nan"), confidence)
    z = t_interval(x - ratio * y, confidence)
    return Interval(ratio, z.half_width / abs(den.mean), den.n, z.std, confidence)


def welch_dof(v1: float, n1: int, v2: float, n2: int) -> float:
    """Welch–Satterthwaite degrees of freedom of a difference of two independent means whose
    squared standard errors are ``v1`` and ``v2``, from samples of ``n1`` and ``n2``.

    A sample whose mean has no spread adds nothing to the denominator (so a single value may
    be one of them); when neither has any, ``n1 + n2 − 2``.
    """
    if v1 + v2 == 0:
        return float(n1 + n2 - 2)
    return float(
        (v1 + v2) ** 2 / ((v1**2 / (n1 - 1) if v1 else 0.0) + (v2**2 / (n2 - 1) if v2 else 0.0))
    )


def welch_interval(
    a: Sequence[float] | np.ndarray, b: Sequence[float] | np.ndarray, confidence: float = 0.95
) -> Interval:
    """Interval of mean(b) − mean(a) treating the samples as independent (Welch)."""
    x = np.asarray(a, dtype=float)
    y = np.asarray(b, dtype=float)
    x, y = x[~np.isnan(x)], y[~np.isnan(y)]
    if len(x) < 2 or len(y) < 2:
        return Interval(
            float(y.mean() - x.mean()) if len(x) and len(y) else float("nan"),
            float("nan"),
            min(len(x), len(y)),
            float("nan"),
            confidence,
        )
    vx, vy = x.var(ddof=1) / len(x), y.var(ddof=1) / len(y)
    se = math.sqrt(vx + vy)
    t = t_quantile(0.5 + confidence / 2, welch_dof(vx, len(x), vy, len(y)))
    return Interval(float(y.mean() - x.mean()), t * se, min(len(x), len(y)), se, confidence)


# ---------------------------------------------------------------------------- censored tallies


@dataclass(frozen=True)
class Survival:
    """Durations some of which were still running at the end of the window (right-censored).

    ``mean`` is the Kaplan–Meier restricted mean up to the longest duration seen: the plain
    mean when nothing is censored, and a lower bound of the mean when the longest durations
    are censored. ``quantile(q)`` is the Kaplan–Meier quantile, or — when the survival curve
    never falls that far because too many durations are censored — the longest duration seen,
    again a lower bound.
    """

    times: np.ndarray
    """Distinct times at which the survival function steps down."""
    survival: np.ndarray
    """Survival just after each of ``times``."""
    longest_h: float
    n: int
    censored: int

    @property
    def mean(self) -> float:
        if self.n == 0:
            return float("nan")
        if len(self.times) == 0:  # every duration censored: each lasted at least its time so far
            return self.longest_h
        edges = np.concatenate(([0.0], self.times, [max(self.longest_h, self.times[-1])]))
        heights = np.concatenate(([1.0], self.survival))
        return exact_sum(np.diff(edges) * heights)

    def quantile(self, q: float) -> float:
        if self.n == 0:
            return float("nan")
        reached = np.nonzero(self.survival <= 1.0 - q + 1e-12)[0]
        return float(self.times[reached[0]]) if len(reached) else self.longest_h


def survival(durations: np.ndarray, ended: np.ndarray) -> Survival:
    """Kaplan–Meier estimate of durations (``ended`` False: still running, censored)."""
    d = np.asarray(durations, dtype=float)
    e = np.asarray(ended, dtype=bool)
    keep = ~np.isnan(d)
    d, e = np.maximum(d[keep], 0.0), e[keep]
    n, censored = len(d), int((~e).sum())
    longest = float(d.max()) if n else float("nan")
    if n == 0 or censored == n:
        return Survival(np.empty(0), np.empty(0), longest, n, censored)
    if censored == 0:
        times, counts = np.unique(d, return_counts=True)
        return Survival(times, 1.0 - np.cumsum(counts) / n, longest, n, 0)
    if not np.isfinite(longest):
        from scipy.stats import CensoredData, ecdf  # it says what is wrong with the durations

        sf = ecdf(CensoredData(uncensored=d[e], right=d[~e])).sf
        return Survival(
            np.asarray(sf.quantiles, dtype=float),
            np.asarray(sf.probabilities, dtype=float),
            longest,
            n,
            censored,
        )
    times, steps = _kaplan_meier(d, e)
    return Survival(times, steps, longest, n, censored)


def _kaplan_meier(durations: np.ndarray, ended: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct durations and the survival just after each: the Kaplan–Meier estimate
    with the very operations of ``scipy.stats.ecdf`` of right-censored data (so the same
    numbers to the bit), without its input checks and result objects — a fifth of the time
    on a few thousand durations. Deaths and the number at risk at each distinct time do not
    depend on the order of equal times, so any sort gives them."""
    order = np.argsort(durations)
    times = durations[order]
    died = ended[order].astype(np.int64)
    at_risk = np.arange(times.size, 0, -1)
    distinct = np.diff(times, prepend=-np.inf, append=np.inf) > 0
    first, last = distinct[:-1], distinct[1:]  # first and last instance of each time
    n = at_risk[first]
    deaths = np.diff(np.cumsum(died)[last], prepend=0)
    return times[first], np.cumprod((n - deaths) / n)


# ---------------------------------------------------------------------------- stability


@dataclass(frozen=True)
class Growth:
    """Linear trend of a level (a queue, a backlog) over a window, from batch means."""

    per_day: float
    """Fitted growth per day."""
    p_value: float
    """One-sided p-value of "the level does not grow"."""
    mean: float
    """Time-weighted mean level over the window."""
    span_days: float

    @property
    def growth(self) -> float:
        """Fitted rise over the whole window."""
        return self.per_day * self.span_days

    def unstable(self, alpha: float = 0.01, relative: float = 0.25, floor: float = 2.0) -> bool:
        """Does the level grow for sure, and by much? Significant at ``alpha``, and a fitted
        rise over the window of at least ``relative`` × its mean level and at least ``floor``
        (a queue that creeps by one item is not a queue that runs away). A queue growing
        linearly since the run's start rises over the second half by half to two thirds of
        its mean there; seasonal swings of a stable queue are a few per cent."""
        return self.p_value < alpha and self.growth >= relative * self.mean and self.growth >= floor


def growth(t: np.ndarray, level: np.ndarray, a: float, b: float, batches: int = 10) -> Growth:
    """Trend of the step function (``t``, ``level``) over ``[a, b]`` (hours).

    The window is cut into ``batches`` equal batches; the time-weighted mean of each is
    regressed on its midpoint. Batch means are nearly independent for batches much longer
    than the level's own correlation time, so a plain t-test on the slope serves.
    """
    edges = np.linspace(a, b, batches + 1)
    t = np.asarray(t, dtype=float)
    level = np.asarray(level, dtype=float)
    if len(t) > 1 and b > a and bool((t[1:] >= t[:-1]).all()):
        means = np.array(_step_integrals(t, level, edges)) / (edges[1:] - edges[:-1])
    else:
        means = np.array(
            [time_weighted_mean(t, level, lo, hi) for lo, hi in itertools.pairwise(edges)]
        )
    x = (edges[:-1] + edges[1:]) / 2 / 24.0
    xm, ym = x.mean(), means.mean()
    sxx = float(((x - xm) ** 2).sum())
    slope = float(((x - xm) * (means - ym)).sum() / sxx) if sxx > 0 else 0.0
    resid = means - (ym + slope * (x - xm))
    dof = batches - 2
    s2 = float((resid**2).sum() / dof) if dof > 0 else 0.0
    if s2 <= 0:
        p = 0.0 if slope > 0 else 1.0
    else:
        from scipy.special import stdtr

        p = float(1.0 - stdtr(dof, slope / math.sqrt(s2 / sxx)))
    return Growth(slope, p, float(ym), (b - a) / 24.0)
