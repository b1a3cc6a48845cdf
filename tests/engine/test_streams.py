import numpy as np

from sim.engine import Streams


def test_same_seed_replication_and_name_give_the_same_numbers():
    a = Streams(seed=11, replication=3)["customs.import.review"].random(5)
    b = Streams(seed=11, replication=3)["customs.import.review"].random(5)
    assert np.array_equal(a, b)


def test_streams_do_not_depend_on_creation_order():
    s1 = Streams(seed=11)
    s1["x"].random(100)  # draws from another source first
    later = s1["y"].random(3)
    assert np.array_equal(later, Streams(seed=11)["y"].random(3))


def test_names_replications_and_seeds_give_different_streams():
    base = Streams(seed=11, replication=0)["a"].random(4)
    assert not np.array_equal(base, Streams(seed=11, replication=0)["b"].random(4))
    assert not np.array_equal(base, Streams(seed=11, replication=1)["a"].random(4))
    assert not np.array_equal(base, Streams(seed=12, replication=0)["a"].random(4))


def test_streams_leave_global_numpy_state_alone():
    np.random.seed(5)
    expected = np.random.random()
    np.random.seed(5)
    Streams(seed=1)["a"].random(10)
    assert np.random.random() == expected
