"""Probability distributions as small validated value objects.

Each has an analytic ``mean`` and ``sample(rng, size)``. Gamma and lognormal are given by
their mean and coefficient of variation (cv), which is how planners think of a service time:
"about 2 h, give or take 50 %". A :class:`Sampler` hands out draws one at a time from
vectorised blocks, which is much faster than one numpy call per draw and keeps the sequence of
values of a stream fixed.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import chain, repeat

import numpy as np


@dataclass(frozen=True, slots=True)
class Constant:
    value: float

    def __post_init__(self) -> None:
        if not math.isfinite(self.value) or self.value < 0:
            raise ValueError(f"constant value must be finite and >= 0, got {self.value}")

    @property
    def mean(self) -> float:
        return self.value

    @property
    def variance(self) -> float:
        return 0.0

    def sample(self, rng: np.random.Generator, size: int | None = None) -> np.ndarray | float:
        return self.value if size is None else np.full(size, self.value, dtype=float)


@dataclass(frozen=True, slots=True)
class Exponential:
    mean: float

    def __post_init__(self) -> None:
        if not self.mean > 0:
            raise ValueError(f"exponential mean must be > 0, got {self.mean}")

    @property
    def variance(self) -> float:
        return self.mean**2

    def sample(self, rng: np.random.Generator, size: int | None = None) -> np.ndarray | float:
        return rng.exponential(self.mean, size)


@dataclass(frozen=True, slots=True)
class Uniform:
    low: float
    high: float

    def __post_init__(self) -> None:
        if not 0 <= self.low <= self.high:
            raise ValueError(f"uniform needs 0 <= low <= high, got {self.low}, {self.high}")

    @property
    def mean(self) -> float:
        return (self.low + self.high) / 2

    @property
    def variance(self) -> float:
        return (self.high - self.low) ** 2 / 12

    def sample(self, rng: np.random.Generator, size: int | None = None) -> np.ndarray | float:
        return rng.uniform(self.low, self.high, size)


@dataclass(frozen=True, slots=True)
class Triangular:
    low: float
    mode: float
    high: float

    def __post_init__(self) -> None:
        if not (0 <= self.low <= self.mode <= self.high and self.low < self.high):
            raise ValueError(
                f"triangular needs 0 <= low <= mode <= high and low < high, "
                f"got {self.low}, {self.mode}, {self.high}"
            )

    @property
    def mean(self) -> float:
        return (self.low + self.mode + self.high) / 3

    @property
    def variance(self) -> float:
        a, c, b = self.low, self.mode, self.high
        return (a * a + b * b + c * c - a * b - a * c - b * c) / 18

    def sample(self, rng: np.random.Generator, size: int | None = None) -> np.ndarray | float:
        return rng.triangular(self.low, self.mode, self.high, size)


@dataclass(frozen=True, slots=True)
class Gamma:
    mean: float
    cv: float

    def __post_init__(self) -> None:
        if not (self.mean > 0 and self.cv > 0):
            raise ValueError(f"gamma needs mean > 0 and cv > 0, got {self.mean}, {self.cv}")

    @property
    def variance(self) -> float:
        return (self.mean * self.cv) ** 2

    def sample(self, rng: np.random.Generator, size: int | None = None) -> np.ndarray | float:
        shape = 1.0 / (self.cv * self.cv)
        return rng.gamma(shape, self.mean / shape, size)


@dataclass(frozen=True, slots=True)
class Lognormal:
    mean: float
    cv: float

    def __post_init__(self) -> None:
        if not (self.mean > 0 and self.cv > 0):
            raise ValueError(f"lognormal needs mean > 0 and cv > 0, got {self.mean}, {self.cv}")

    @property
    def variance(self) -> float:
        return (self.mean * self.cv) ** 2

    def sample(self, rng: np.random.Generator, size: int | None = None) -> np.ndarray | float:
        sigma2 = math.log1p(self.cv * self.cv)
        mu = math.log(self.mean) - sigma2 / 2
        return rng.lognormal(mu, math.sqrt(sigma2), size)


Distribution = Constant | Exponential | Uniform | Triangular | Gamma | Lognormal


class Sampler:
    """Draws from ``dist`` with ``rng`` one value at a time, in blocks of ``block``.

    ``draw()`` is the next value: a C-level iterator over the blocks, which asks for the next
    block only when the last is used up — the same draws, at the same moments, as filling a
    buffer by hand, without a Python call per value.
    """

    __slots__ = ("block", "dist", "draw", "rng")

    def __init__(self, dist: Distribution, rng: np.random.Generator, block: int = 256) -> None:
        self.dist = dist
        self.rng = rng
        self.block = block
        self.draw: Callable[[], float] = chain.from_iterable(self._blocks()).__next__

    def _blocks(self) -> Iterator[Iterable[float]]:
        if isinstance(self.dist, Constant):
            yield repeat(self.dist.value)
        while True:
            yield np.asarray(self.dist.sample(self.rng, self.block), dtype=float).tolist()

    def __call__(self) -> float:
        return self.draw()


class Bernoulli:
    """Yes/no draws with probability ``p``, one at a time from vectorised blocks of ``block``
    (``draw()``, as :class:`Sampler`)."""

    __slots__ = ("block", "draw", "p", "rng")

    def __init__(self, p: float, rng: np.random.Generator, block: int = 256) -> None:
        if not 0 <= p <= 1:
            raise ValueError(f"probability must be in [0, 1], got {p}")
        if block < 1:
            raise ValueError(f"block must be at least 1, got {block}")
        self.p = p
        self.rng = rng
        self.block = block
        self.draw: Callable[[], bool] = chain.from_iterable(self._blocks()).__next__

    def _blocks(self) -> Iterator[Iterable[bool]]:
        if self.p <= 0 or self.p >= 1:
            yield repeat(self.p >= 1)
        while True:
            yield (self.rng.random(self.block) < self.p).tolist()

    def __call__(self) -> bool:
        return self.draw()


class Draws:
    """One stream serving draws from varying distributions (for rare events, e.g. trains)."""

    __slots__ = ("rng",)

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng

    def draw(self, dist: Distribution) -> float:
        return float(dist.sample(self.rng))
