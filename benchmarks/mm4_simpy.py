"""Plain SimPy reference: an M/M/4 queue written the usual way (a process per customer).

This is the yardstick quoted beside landport's speed: customers per second through one
``simpy.Resource`` with 4 servers at utilisation 0.8.
"""

from __future__ import annotations

import time

import numpy as np
import simpy


def mm4_customers_per_second(customers: int = 100_000, seed: int = 1) -> float:
    rng = np.random.default_rng(seed)
    gaps = rng.exponential(1.0, customers).tolist()
    services = rng.exponential(3.2, customers).tolist()  # rho = 3.2 / 4 = 0.8
    env = simpy.Environment()
    servers = simpy.Resource(env, capacity=4)

    def customer(service: float):
        with servers.request() as req:
            yield req
            yield env.timeout(service)

    def source():
        for gap, service in zip(gaps, services, strict=True):
            yield env.timeout(gap)
            env.process(customer(service))

    env.process(source())
    started = time.perf_counter()
    env.run()
    return customers / (time.perf_counter() - started)
