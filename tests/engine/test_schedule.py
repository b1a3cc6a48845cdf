"""Capacity that follows a schedule, and windows of closure: the engine's side of
disruptions."""

from __future__ import annotations

import pytest

from sim.engine import Environment, Resource
from sim.engine.schedule import Steps, Window, Windows, follow


def test_a_step_function_holds_each_value_from_its_breakpoint():
    steps = Steps(3.0, (10.0, 20.0), (0.0, 3.0))
    assert [steps.at(t) for t in (0, 9.9, 10, 19.9, 20, 99)] == [3, 3, 0, 0, 3, 3]


def test_shifts_times_a_half_capacity_window_round_down_to_whole_units():
    shifts = Steps.on_off(3, [(8.0, 12.0), (14.0, 18.0)])
    halved = shifts.times_scaled(Windows([Window(10.0, 16.0, 0.5)]))
    # 3 officers on duty, halved from 10 to 16 h: 1 (not 1.5) until the window ends
    assert [halved.at(t) for t in (7, 8, 10, 12, 14, 16, 18)] == [0, 3, 1, 0, 1, 3, 0]


def test_closing_windows_reopen_at_the_end_of_overlapping_ones():
    w = Windows([Window(10.0, 20.0, 0.0, "a"), Window(15.0, 30.0, 0.0, "b")])
    assert w.reopens(12.0) == 30.0
    assert w.reopens(30.0) == 30.0
    assert w.closed_by(16.0) == "b"
    assert w.factor(25.0) == 0.0
    assert Windows([Window(0.0, 5.0, 0.5), Window(2.0, 4.0, 0.5)]).factor(3.0) == 0.25


def test_a_window_must_have_a_length_and_a_sound_factor():
    with pytest.raises(ValueError, match="end after it starts"):
        Window(5.0, 5.0, 0.0)
    with pytest.raises(ValueError, match="factor"):
        Window(0.0, 1.0, -1.0)


def test_a_resource_follows_its_schedule_and_serves_nothing_while_closed():
    env = Environment()
    desk = Resource(env, "desk", 2)
    follow(env, desk, Steps(2.0, (4.0, 12.0), (0.0, 2.0)))
    log: list[float] = []
    env.timeout(5.0).callbacks.append(lambda _: desk.serve(1.0, lambda _: log.append(env.now)))
    env.run(until=20)
    # asked for at 5 h, while closed from 4 to 12 h: served from 12 h, done at 13 h
    assert log == [13.0]
    assert desk.waiting() == 0
