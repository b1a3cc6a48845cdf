import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.engine import (
    Bernoulli,
    Constant,
    Exponential,
    Gamma,
    Lognormal,
    Sampler,
    Triangular,
    Uniform,
)

RNG_SEED = 42
DISTS = [
    Constant(2.0),
    Exponential(1.5),
    Uniform(1.0, 3.0),
    Triangular(4.0, 8.0, 24.0),
    Gamma(2.0, 0.5),
    Lognormal(2.0, 0.8),
]


@pytest.mark.parametrize("dist", DISTS, ids=lambda d: type(d).__name__)
def test_sample_mean_and_variance_match_the_analytic_values(dist):
    x = dist.sample(np.random.default_rng(RNG_SEED), 200_000)
    assert x.mean() == pytest.approx(dist.mean, rel=0.01)
    assert x.var() == pytest.approx(dist.variance, rel=0.05, abs=1e-12)
    assert (x >= 0).all()


@pytest.mark.parametrize(
    ("make", "args"),
    [
        (Exponential, (0.0,)),
        (Uniform, (3.0, 1.0)),
        (Triangular, (1.0, 0.5, 2.0)),
        (Gamma, (1.0, 0.0)),
        (Lognormal, (-1.0, 0.5)),
        (Constant, (-1.0,)),
    ],
)
def test_invalid_parameters_are_rejected(make, args):
    with pytest.raises(ValueError, match=r"must|needs"):
        make(*args)


def test_sampler_hands_out_a_fixed_sequence():
    a = Sampler(Gamma(1.0, 0.5), np.random.default_rng(1), block=7)
    b = Sampler(Gamma(1.0, 0.5), np.random.default_rng(1), block=7)
    assert [a() for _ in range(30)] == [b() for _ in range(30)]


@given(p=st.floats(0, 1))
def test_bernoulli_extremes_and_frequency(p):
    draw = Bernoulli(p, np.random.default_rng(3))
    hits = sum(draw() for _ in range(2000))
    if p == 0:
        assert hits == 0
    elif p == 1:
        assert hits == 2000
    else:
        assert abs(hits / 2000 - p) < 5 * np.sqrt(p * (1 - p) / 2000) + 1e-3


@pytest.mark.parametrize("block", [1, 5, 256])
def test_bernoulli_draws_blocks_of_the_size_it_is_given(block):
    """Each refill takes ``block`` uniforms from the stream, so the stream's next number is
    the one after them, and the answers are those of the uniforms in order."""
    p = 0.3
    draw = Bernoulli(p, np.random.default_rng(9), block=block)
    answers = [draw() for _ in range(block + 1)]  # two refills
    reference = np.random.default_rng(9).random(2 * block + 1)
    assert answers == (reference[: block + 1] < p).tolist()
    assert draw.rng.random() == reference[2 * block]


def test_bernoulli_refuses_an_empty_block():
    with pytest.raises(ValueError, match="block"):
        Bernoulli(0.5, np.random.default_rng(0), block=0)
