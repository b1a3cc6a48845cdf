"""Consolidation and customs at the hub, each alone."""

from __future__ import annotations

import numpy as np
import simpy

from sim.engine import Bernoulli, Constant, Resource, Sampler, Table
from sim.model.customs import CustomsDesk, duty_intervals, start_shifts
from sim.model.flows import FlowSpec
from sim.model.terminal import ConsolidationCentre
from sim.results.records import CONTAINER_COLUMNS

FLOW = FlowSpec(
    "f",
    "c",
    "export",
    "train",
    ("p",),
    ("goods",),
    (False,),
    ("r",),
    np.array([[100.0]]),
    0.0,
    0.0,
    1.0,
)


def test_consolidation_closes_at_the_fill_threshold_or_after_the_maximum_wait():
    env = simpy.Environment()
    closed = []
    centre = ConsolidationCentre(
        env,
        container_cbm=33,
        fill_cbm=28,
        max_wait_h=96,
        closed=lambda b: closed.append((env.now, b.cbm, b.shipments)),
    )

    def arrive(t, sid, cbm, place=0):
        env.timeout(t).callbacks.append(lambda _: centre.add(FLOW, sid, place, 0, cbm))

    arrive(1, 0, 10)
    arrive(2, 1, 10)
    arrive(3, 2, 9)  # 29 cbm >= 28: closes at 3
    arrive(4, 3, 5)  # opens a new box at 4, closed by the timer at 100
    arrive(5, 4, 30, place=1)  # another destination: its own box, full at once
    env.run()
    assert closed == [(3.0, 29.0, [0, 1, 2]), (5.0, 30.0, [4]), (100.0, 5.0, [3])]


def test_cargo_that_would_overflow_the_box_starts_a_new_one():
    env = simpy.Environment()
    closed = []
    centre = ConsolidationCentre(
        env,
        container_cbm=33,
        fill_cbm=30,
        max_wait_h=10,
        closed=lambda b: closed.append(b.shipments),
    )
    centre.add(FLOW, 0, 0, 0, 20)
    centre.add(FLOW, 1, 0, 0, 20)
    env.run()
    assert closed == [[0], [1]]


def make_desk(env, containers, officers=1, review=1.0, inspect_p=0.0, sample_p=0.0):
    bays = Resource(env, "bays", 1)
    lab = Resource(env, "lab", 1)
    rng = np.random.default_rng(0)
    return CustomsDesk(
        env,
        officers=Resource(env, "officers", officers),
        review=Sampler(Constant(review), rng),
        inspect=Bernoulli(inspect_p, rng),
        inspection_time=Sampler(Constant(5.0), rng),
        bays=bays,
        sample=Bernoulli(sample_p, rng),
        test_time=Sampler(Constant(20.0), rng),
        lab=lab,
        containers=containers,
    )


def test_customs_clearance_is_review_then_inspection_then_quarantine():
    env = simpy.Environment()
    c = Table(CONTAINER_COLUMNS)
    desk = make_desk(env, c, inspect_p=1.0, sample_p=1.0)
    plain = c.add(container_id=0, teu=1, agricultural=False)
    farm = c.add(container_id=1, teu=1, agricultural=True)
    released = []
    desk.declare(plain, lambda cid: released.append((cid, env.now)))
    desk.declare(farm, lambda cid: released.append((cid, env.now)))
    env.run()
    # plain: review 0–1, bay 1–6. farm: review 1–2, bay 6–11, lab 11–31.
    assert released == [(plain, 6.0), (farm, 31.0)]
    assert c["inspected"][farm]
    assert c["quarantined"][farm]
    assert not c["quarantined"][plain]
    assert c["t_customs_start"][farm] == 0.0


def test_duty_intervals_follow_the_weekly_windows():
    windows = [(frozenset({0, 1, 2, 3, 4}), 8.5, 12.0), (frozenset({0, 1, 2, 3, 4}), 14.0, 18.0)]
    # hour 0 is a Sunday (weekday 6): first duty is Monday 08:30 = hour 32.5
    got = duty_intervals(windows, start_weekday=6, t0_h=0, t1_h=48)
    assert got == [(32.5, 36.0), (38.0, 42.0)]
    merged = duty_intervals(
        [(frozenset(range(7)), 0.0, 23.0), (frozenset(range(7)), 20.0, 24.0)],
        start_weekday=0,
        t0_h=0,
        t1_h=48,
    )
    assert merged == [(0.0, 48.0)]


def test_officers_work_only_on_duty():
    env = simpy.Environment()
    c = Table(CONTAINER_COLUMNS)
    desk = make_desk(env, c, officers=2, review=1.0)
    start_shifts(env, desk.officers, 2, [(8.0, 10.0)])
    released = []
    for _ in range(5):
        cid = c.add(teu=1)
        desk.declare(cid, lambda i: released.append(env.now))
    env.run()
    # two officers on duty from 8 to 10 clear four; the fifth waits for the next shift,
    # and there is none
    assert released == [9.0, 9.0, 10.0, 10.0]
