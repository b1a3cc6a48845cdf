"""The engine: a SimPy clock in hours that also runs plain calls, named random streams,
distributions, monitored resources and a columnar recorder.

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
from sim.engine.env import Environment, collector_paused, freeze_long_lived
from sim.engine.recorder import Coded, LevelSeries, Recorder, Table
from sim.engine.resources import Resource, monitored
from sim.engine.streams import Streams
from sim.engine.watchdog import Probe, Stalled, watch

__all__ = [
    "Bernoulli",
    "Coded",
    "Constant",
    "Distribution",
    "Draws",
    "Environment",
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
    "collector_paused",
    "freeze_long_lived",
    "monitored",
    "watch",
]
