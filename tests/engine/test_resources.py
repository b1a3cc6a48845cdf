"""Process tests of the callback-driven Resource on a tiny environment with a log."""

import pytest

from sim.engine import Environment, LevelSeries, Resource


@pytest.fixture
def env():
    return Environment()


@pytest.fixture
def log():
    return []


def test_serves_in_fifo_order_with_c_servers(env, log):
    desk = Resource(env, "desk", 2)
    for name, duration in [("a", 3.0), ("b", 1.0), ("c", 1.0), ("d", 1.0)]:
        desk.serve(duration, lambda n: log.append((n, env.now)), name)
    env.run()
    assert log == [("b", 1.0), ("c", 2.0), ("a", 3.0), ("d", 3.0)]


def test_capacity_is_never_exceeded_and_levels_are_recorded(env):
    series = LevelSeries("yard")
    yard = Resource(env, "yard", 5, series)
    granted = []
    for amount in (2, 2, 2, 1):
        yard.request(amount, lambda a: granted.append((a, env.now)), amount)
    assert granted == [(2, 0.0), (2, 0.0)]  # the third waits; FIFO keeps the 1 behind it
    env.timeout(4).callbacks.append(lambda _: yard.release(2))
    env.run()
    assert granted[2:] == [(2, 4.0), (1, 4.0)]
    assert max(series.arrays()["busy"]) <= 5
    assert series.arrays()["queue"][-1] == 0


def test_a_request_that_can_never_fit_is_an_error(env):
    with pytest.raises(ValueError, match="never fit"):
        Resource(env, "siding", 1).request(2, lambda _: None)


def test_shift_end_lets_the_current_job_finish_and_holds_the_queue(env, log):
    officers = Resource(env, "officers", 1)
    officers.serve(2.0, lambda who: log.append((who, env.now)), "first")
    officers.serve(1.0, lambda who: log.append((who, env.now)), "second")
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


def test_a_service_ends_as_a_plain_call_ordered_among_events(env, log):
    """A service ending at the same time as a timeout created before it comes after it, one
    created after it before: calls and SimPy events share the heap and its order."""
    desk = Resource(env, "desk", 1)
    env.timeout(2.0).callbacks.append(lambda _: log.append(("timeout before", env.now)))
    desk.serve(2.0, lambda _: log.append(("served", env.now)))
    env.timeout(2.0).callbacks.append(lambda _: log.append(("timeout after", env.now)))
    env.run()
    assert log == [("timeout before", 2.0), ("served", 2.0), ("timeout after", 2.0)]


def test_levels_are_recorded_as_columns_with_capacity_at_its_own_change_points(env):
    series = LevelSeries("officers")
    officers = Resource(env, "officers", 2, series)
    officers.serve(1.0, lambda _: None)
    env.timeout(0.5).callbacks.append(lambda _: officers.set_capacity(0))
    env.run()
    cols = series.arrays()
    assert list(cols["t"]) == [0.0, 0.5, 1.0]
    assert list(cols["busy"]) == [1.0, 1.0, 0.0]
    assert list(cols["capacity"]) == [2.0, 0.0, 0.0]
    assert series.max_capacity == 2.0
    assert series.nbytes >= 3 * 20


def test_requests_are_for_whole_units_however_they_are_written(env):
    series = LevelSeries("sidings")
    sidings = Resource(env, "sidings", 3.0, series)
    sidings.request(sidings.capacity, lambda _: None)  # 3.0 is three units
    sidings.release(1.0)
    assert sidings.in_use == 2
    assert series.arrays()["busy"].tolist() == [2.0]  # the levels at t = 0, the last kept
    with pytest.raises(ValueError, match=r"whole units, got 0\.5"):
        sidings.request(0.5, lambda _: None)
