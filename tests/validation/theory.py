"""Closed forms the model is checked against (test-only helpers, hours throughout).

* M/M/c (Erlang C): probability of waiting and mean sojourn time W = C(c, a)/(cμ − λ) + 1/μ,
  with offered load a = λ/μ (Kleinrock, *Queueing Systems* I, §3.5).
* M/G/1 (Pollaczek–Khinchine): mean wait in queue Wq = λ E[S²] / (2 (1 − ρ)); M/D/1 has
  E[S²] = D².
* Batch service by a timetable: trains leave every H hours and take up to K containers,
  first come first served; containers arrive as a Poisson process of rate λ. With X the
  backlog left behind by a departure and A ~ Poisson(λH) the arrivals in one headway,
  X' = max(X + A − K, 0). The number waiting a time s after a departure is X + N(s), whose
  time average over a headway is E[X] + λH/2; by Little's law the mean wait for a train is
  W = H/2 + E[X]/λ. Under-loaded (K never binds), E[X] = 0 and W = H/2.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats


def erlang_c(c: int, offered: float) -> float:
    """Probability that an arrival waits in an M/M/c queue with offered load λ/μ."""
    if offered >= c:
        raise ValueError(f"unstable: offered load {offered} >= {c} servers")
    head = sum(offered**k / math.factorial(k) for k in range(c))
    tail = offered**c / math.factorial(c) * c / (c - offered)
    return tail / (head + tail)


def mmc_sojourn_h(arrival_per_h: float, mean_service_h: float, servers: int) -> float:
    """Mean time in an M/M/c system (wait + service)."""
    mu = 1.0 / mean_service_h
    wait = erlang_c(servers, arrival_per_h * mean_service_h) / (servers * mu - arrival_per_h)
    return wait + mean_service_h


def mg1_sojourn_h(arrival_per_h: float, mean_service_h: float, service_var: float) -> float:
    """Mean time in an M/G/1 system by Pollaczek–Khinchine."""
    rho = arrival_per_h * mean_service_h
    if rho >= 1:
        raise ValueError(f"unstable: utilisation {rho} >= 1")
    second_moment = service_var + mean_service_h**2
    return arrival_per_h * second_moment / (2 * (1 - rho)) + mean_service_h


def leftover_distribution(
    arrivals_per_headway: float, capacity: int, tol: float = 1e-13, max_iter: int = 200_000
) -> np.ndarray:
    """Stationary distribution of the backlog X' = max(X + A − K, 0), A ~ Poisson(m).

    Computed by iterating the chain from an empty system until the distribution moves by
    less than ``tol`` in total variation; the state space is cut where the Poisson tail and
    the geometric decay of the backlog leave less than ``tol`` of mass.
    """
    m, k = arrivals_per_headway, capacity
    if m >= k:
        raise ValueError(f"unstable: {m} arrivals per headway >= capacity {k}")
    top = int(stats.poisson.isf(tol, m)) + 1
    pa = stats.poisson.pmf(np.arange(top + 1), m)
    size = 64
    pi = np.zeros(size)
    pi[0] = 1.0
    for _ in range(max_iter):
        total = np.convolve(pi, pa)  # distribution of X + A
        nxt = np.zeros(max(len(total) - k, 1))
        nxt[0] = total[: k + 1].sum()
        nxt[1:] = total[k + 1 :][: len(nxt) - 1]
        # Cut the negligible tail so the support stays finite.
        keep = np.nonzero(np.cumsum(nxt[::-1]) > tol)[0]
        nxt = nxt[: len(nxt) - (keep[0] if len(keep) else 0)]
        nxt /= nxt.sum()
        n = max(len(nxt), len(pi))
        moved = np.abs(np.pad(nxt, (0, n - len(nxt))) - np.pad(pi, (0, n - len(pi)))).sum()
        pi = nxt
        if moved < tol:
            return pi
    raise RuntimeError("backlog distribution did not converge")


def batch_wait_h(arrival_per_h: float, headway_h: float, capacity: int) -> float:
    """Mean wait for a train of a timetable service (see the module docstring)."""
    pi = leftover_distribution(arrival_per_h * headway_h, capacity)
    backlog = float(np.dot(np.arange(len(pi)), pi))
    return headway_h / 2 + backlog / arrival_per_h
