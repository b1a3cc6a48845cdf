"""Import customs reduced to a single queue agrees with queueing theory.

``tests/scenarios/mmc_import.yaml``: containers arrive by truck as a Poisson process, pass an
instant gate into an unbounded yard and are reviewed by c officers, exponential review, no
inspection or quarantine, no working hours — an M/M/c queue, whose mean clearance time is the
Erlang-C sojourn time. ``scenarios/md1_import.yaml``: one officer, constant review — M/D/1,
Pollaczek–Khinchine. Little's law ties the resource monitor's time-average number at the desk
to the containers table's arrival rate and clearance times.

The parameters are read from the scenario files, never restated here.
"""

from __future__ import annotations

import numpy as np
import pytest

from sim.engine import dists
from sim.results.run import RunResult
from sim.results.stats import step_integral
from tests.validation import theory
from tests.validation.conftest import DESK, interval, queue_parameters, show


def clearance_per_replication(result: RunResult) -> np.ndarray:
    return result.wide()["clearance_h.import.mean"].to_numpy()


def test_import_clearance_of_the_mmc_scenario_is_the_erlang_c_sojourn_time(mmc):
    s, result = mmc
    lam, review, c = queue_parameters(s)
    assert isinstance(review, dists.Exponential)
    expected = theory.mmc_sojourn_h(lam, review.mean, c)
    ci = interval(clearance_per_replication(result))
    show(f"M/M/{c} import clearance (Erlang C)", expected, ci)
    assert ci.covers(expected)
    assert ci.half_width < 0.05 * expected  # tight enough to tell a 5 % error apart


def test_import_clearance_of_the_md1_scenario_is_pollaczek_khinchine(md1):
    s, result = md1
    lam, review, c = queue_parameters(s)
    assert isinstance(review, dists.Constant)
    assert c == 1
    expected = theory.mg1_sojourn_h(lam, review.mean, review.variance)
    ci = interval(clearance_per_replication(result))
    show("M/D/1 import clearance (Pollaczek–Khinchine)", expected, ci)
    assert ci.covers(expected)
    assert ci.half_width < 0.05 * expected


def test_littles_law_links_the_desk_monitor_and_the_containers_table(mmc):
    """L = λW: the time-average number at the desk, from the resource monitor, covers λ × the
    Erlang-C W, and so does λ̂Ŵ from the containers table; the area under the monitor's
    curve is, replication by replication, the containers' time at the desk in the window."""
    s, result = mmc
    h = s.horizon_h
    lam_theory, review, c = queue_parameters(s)
    q = result.queues[result.queues["where"].astype(str) == DESK]
    con = result.containers
    monitor, table = [], []
    for rep, g in q.groupby("replication"):
        n_at_desk = g["queue"].to_numpy() + g["busy"].to_numpy()
        integral = step_integral(g["t"].to_numpy(), n_at_desk, 0.0, h)
        mine = con[con["replication"] == rep]
        start = mine["t_customs_start"].to_numpy()
        end = mine["t_customs_end"].to_numpy()
        inside = np.clip(np.minimum(np.nan_to_num(end, nan=h), h) - np.maximum(start, 0), 0, None)
        assert integral == pytest.approx(inside.sum(), rel=1e-9)
        window = (start >= 0) & (start < h)
        done = window & (end < h)
        monitor.append(integral / h)
        table.append(window.sum() / h * (end[done] - start[done]).mean())
    expected = lam_theory * theory.mmc_sojourn_h(lam_theory, review.mean, c)
    l_monitor, l_table = interval(monitor), interval(table)
    show(f"M/M/{c} number at the desk L, resource monitor", expected, l_monitor, "containers")
    show(f"M/M/{c} λ̂Ŵ, containers table", expected, l_table, "containers")
    edge = interval(np.asarray(monitor) - np.asarray(table))
    print(f"L − λ̂Ŵ (window edges): {edge.mean:+.4f} ± {edge.half_width:.4f} containers")
    assert l_monitor.covers(expected)
    assert l_table.covers(expected)
