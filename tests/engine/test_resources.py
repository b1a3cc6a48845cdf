"""Process tests of the callback-driven Resource on a tiny environment with a log."""

import pytest
import simpy

from sim.engine import LevelSeries, Resource


@pytest.fixture
def env():
    return simpy.Environment()


@pytest.fixture
def log():
    return []


def test_serves_in_fifo_order_with_c_servers(env, log):
    desk = Resource(env, "desk", 2)
    for name, duration in [("a", 3.0), ("b", 1.0), ("c", 1.0), ("d", 1.0)]:
        desk.serve(duration, lambda n=name: log.append((n, env.now)))
    env.run()
    assert log == [("b", 1.0), ("c", 2.0), ("a", 3.0), ("d", 3.0)]


def test_capacity_is_never_exceeded_and_levels_are_recorded(env):
    series = LevelSeries("yard")
    yard = Resource(env, "yard", 5, series)
    granted = []
    for amount in (2, 2, 2, 1):
        yard.request(amount, lambda a=amount: granted.append((a, env.now)))
    assert granted == [(2, 0.0), (2, 0.0)]  # the third waits; FIFO keeps the 1 behind it
    env.timeout(4).callbacks.append(lambda _: yard.release(2))
    env.run()
    assert granted[2:] == [(2, 4.0), (1, 4.0)]
    assert max(series.arrays()["busy"]) <= 5
    assert series.arrays()["queue"][-1] == 0


def test_a_request_that_can_never_fit_is_an_error(env):
    with pytest.raises(ValueError, match="never fit"):
        Resource(env, "siding", 1).request(2, lambda: None)


def test_shift_end_lets_the_current_job_finish_and_holds_the_queue(env, log):
    officers = Resource(env, "officers", 1)
    officers.serve(2.0, lambda: log.append(("first", env.now)))
    officers.serve(1.0, lambda: log.append(("second", env.now)))
    env.timeout(1).callbacks.append(lambda _: officers.set_capacity(0))
    env.timeout(5).callbacks.append(lambda _: officers.set_capacity(1))
    env.run()
    assert log == [("first", 2.0), ("second", 6.0)]


def test_acquire_event_for_generator_processes(env, log):
    sidings = Resource(env, "sidings", 1)

    def train(name, hold):
        yield sidings.acquire()
        log.append((name, "in", env.now))
        yield env.timeout(hold)
        sidings.release(1)

    env.process(train("t1", 3))
    env.process(train("t2", 1))
    env.run()
    assert log == [("t1", "in", 0.0), ("t2", "in", 3.0)]
