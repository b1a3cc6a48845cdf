"""The engine: a SimPy clock in hours, named random streams, distributions, monitored
resources and a columnar recorder.

It knows nothing of freight. Everything richer lives in :mod:`sim.model`.
"""

from sim.engine.dists import (
    Bernoulli,
    Constant,
    Distribution,
    Draws,
    Exponential,
    Gamma,
    Lognormal,
    Sampler,
    Triangular,
    Uniform,
)
from sim.engine.recorder import LevelSeries, Recorder, Table
from sim.engine.resources import Resource, monitored
from sim.engine.streams import Streams
from sim.engine.watchdog import Probe, Stalled, watch

__all__ = [
    "Bernoulli",
    "Constant",
    "Distribution",
    "Draws",
    "Exponential",
    "Gamma",
    "LevelSeries",
    "Lognormal",
    "Probe",
    "Recorder",
    "Resource",
    "Sampler",
    "Stalled",
    "Streams",
    "Table",
    "Triangular",
    "Uniform",
    "monitored",
    "watch",
]
