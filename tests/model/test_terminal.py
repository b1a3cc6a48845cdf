"""Consolidation and customs at the hub, each alone."""

from __future__ import annotations

import numpy as np
import pytest

from sim.engine import Bernoulli, Constant, Environment, Gamma, Resource, Sampler
from sim.model.customs import CustomsDesk, CustomsStage, duty_intervals, start_shifts
from sim.model.flows import Flow
from sim.model.terminal import ConsolidationCentre
from tests.model.tables import new_containers

FLOW = Flow(
    name="f",
    corridor="c",
    direction="export",
    arrives_by="train",
    places=("p",),
    commodities=("goods",),
    agricultural=(False,),
    regions=("r",),
    shipper_cost_cny_per_teu=np.array([[100.0]]),
    rail_discount_cny_per_teu=0.0,
    subsidy_cny_per_teu=0.0,
    demand_multiplier=1.0,
)


def test_consolidation_closes_at_the_fill_threshold_or_after_the_maximum_wait():
    env = Environment()
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
    env = Environment()
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


def make_desk(env, containers, officers=1, review=1.0, inspect_p=0.0, sample_p=0.0, extra=()):
    """The standard import stages as the builder makes them, and ``extra`` stages after."""
    rng = np.random.default_rng(0)
    stages = [
        CustomsStage("review", Resource(env, "officers", officers), Sampler(Constant(review), rng)),
        CustomsStage(
            "inspection",
            Resource(env, "bays", 1),
            Sampler(Constant(5.0), rng),
            select=Bernoulli(inspect_p, rng),
            flag="inspected",
        ),
        CustomsStage(
            "quarantine",
            Resource(env, "lab", 1),
            Sampler(Constant(20.0), rng),
            select=Bernoulli(sample_p, rng),
            agricultural_only=True,
            flag="quarantined",
        ),
        *extra,
    ]
    return CustomsDesk(env, stages, containers)


def test_customs_clearance_is_review_then_inspection_then_quarantine():
    env = Environment()
    c = new_containers()
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
    env = Environment()
    c = new_containers()
    desk = make_desk(env, c, officers=2, review=1.0)
    start_shifts(env, desk.stage("review").resource, 2, [(8.0, 10.0)])
    released = []
    for _ in range(5):
        cid = c.add(teu=1)
        desk.declare(cid, lambda i: released.append(env.now))
    env.run()
    # two officers on duty from 8 to 10 clear four; the fifth waits for the next shift,
    # and there is none
    assert released == [9.0, 9.0, 10.0, 10.0]


def test_an_extra_stage_follows_the_standard_ones_for_the_declarations_it_selects():
    """An X-ray scan of every agricultural declaration, 2 h on one scanner, after review,
    inspection and quarantine; other declarations never queue for it."""
    env = Environment()
    c = new_containers()
    scanner = Resource(env, "scanner", 1)
    xray = CustomsStage(
        "xray",
        scanner,
        Sampler(Constant(2.0), np.random.default_rng(1)),
        select=Bernoulli(1.0, np.random.default_rng(2)),
        agricultural_only=True,
    )
    desk = make_desk(env, c, officers=2, extra=[xray])
    plain = c.add(container_id=0, teu=1, agricultural=False)
    farm = [c.add(container_id=i, teu=1, agricultural=True) for i in (1, 2)]
    released = []
    for cid in (plain, *farm):
        desk.declare(cid, lambda cid: released.append((cid, env.now)))
    env.run()
    # plain: review 0–1 by officer 1. farm boxes: review 0–1 (officer 2) and 1–2 (officer 1),
    # then scans 1–3 and 3–5 on the one scanner.
    assert sorted(released) == [(plain, 1.0), (farm[0], 3.0), (farm[1], 5.0)]
    assert scanner.moves == 4  # two grants, two releases: only the agricultural boxes
    assert not c["inspected"][: c.n].any()  # the standard stages' flags are theirs alone


def test_a_stage_selected_with_a_probability_draws_from_its_own_stream():
    """Adding a stage leaves the draws of the others as they were (common random numbers)."""

    def clearances(extra):
        env = Environment()
        c = new_containers()
        review = CustomsStage(
            "review", Resource(env, "officers", 100), Sampler(Gamma(1.0, 0.5), rng(1))
        )
        stages = [review, *extra(env)]
        desk = CustomsDesk(env, stages, c)
        for i in range(200):
            desk.declare(c.add(container_id=i, teu=1), lambda cid: None)
        env.run()
        return c["t_customs_end"][: c.n] - c["t_customs_start"][: c.n]

    def rng(seed):
        return np.random.default_rng(seed)

    base = clearances(lambda env: [])
    scanned = clearances(
        lambda env: [
            CustomsStage(
                "scan",
                Resource(env, "scanner", 100),
                Sampler(Constant(3.0), rng(2)),
                select=Bernoulli(0.25, rng(3)),
            )
        ]
    )
    added = scanned - base
    selected = np.isclose(added, 3.0)
    assert (selected | np.isclose(added, 0.0)).all()  # each box: its review, plus 3 h or not
    assert selected.sum() == (rng(3).random(256)[:200] < 0.25).sum()


def test_a_stage_s_flag_must_be_a_bool_column_of_the_containers_table():
    env = Environment()
    stage = CustomsStage(
        "inspection",
        Resource(env, "bays", 1),
        Sampler(Constant(1.0), np.random.default_rng(0)),
        flag="inspectd",
    )
    with pytest.raises(ValueError, match="'inspectd' is not a bool column"):
        CustomsDesk(env, [stage], new_containers())
