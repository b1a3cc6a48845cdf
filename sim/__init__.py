"""landport: discrete-event simulation of rail–sea intermodal freight through the Huaihua
International Land Port.

The public API, shared by the command line and notebooks::

    import sim
    result = sim.run("scenarios/baseline.yaml", replications=5)
    result.summary          # KPI, mean, 95 % CI, n
    result.containers       # one row per container and replication, every milestone
    cmp = sim.compare("scenarios/baseline.yaml", "scenarios/nanning-discount-45.yaml")
    cmp.table               # A, B, B − A with its paired 95 % CI, significant?, narrowing
    sw = sim.sweep("scenarios/baseline.yaml", {"customs.import.officers": [4, 6, 8]})
    sw.summary              # point, lever columns, KPI, mean, 95 % CI, n
    sim.load("3f9a2c1b7e")  # a run, comparison or sweep, by folder or catalogue id
    sens = sim.sensitivity("sweeps/baseline-estimates.yaml")   # which estimates matter
    sens.ranking            # KPI, factor, rank, importance ± 95 % (tornado, Morris, Sobol)
    opt = sim.optimise("scenarios/demand-2x.yaml", over={"customs.import.officers": (2, 12)},
                       subject_to=["clearance_h.import.mean<=24"])
    opt.answer              # the least set-up proven to meet the target, or None

See the README for the tour.
"""

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the names below are imported on first use: ``import sim`` stays light
    from sim.experiment.api import (
        CompareResult,
        OptimiseResult,
        RunResult,
        SensitivityResult,
        SweepResult,
        compare,
        load,
        optimise,
        run,
        sensitivity,
        sweep,
    )
    from sim.results.catalog import list_runs as runs
    from sim.scenario import Scenario, ScenarioError, load_scenario

_FROM_SCENARIO = ("Scenario", "ScenarioError", "load_scenario")
"""Names of :data:`__all__` from :mod:`sim.scenario`; ``runs`` is the catalogue's
``list_runs``; every other name is :mod:`sim.experiment.api`'s."""

_PACKAGES = ("cli", "engine", "experiment", "model", "results", "scenario")


def __getattr__(name: str) -> Any:
    """The public API, imported when first named (PEP 562)."""
    import importlib

    if name in _PACKAGES:  # sim.results.i18n after a bare ``import sim``, as before
        return importlib.import_module(f"sim.{name}")
    if name == "runs":
        from sim.results.catalog import list_runs

        return list_runs
    if name in _FROM_SCENARIO:
        return getattr(importlib.import_module("sim.scenario"), name)
    if name in __all__:
        return getattr(importlib.import_module("sim.experiment.api"), name)
    raise AttributeError(f"module 'sim' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*__all__, *_PACKAGES, "__version__"])


__version__ = "0.1.0"

__all__ = [
    "CompareResult",
    "OptimiseResult",
    "RunResult",
    "Scenario",
    "ScenarioError",
    "SensitivityResult",
    "SweepResult",
    "compare",
    "load",
    "load_scenario",
    "optimise",
    "run",
    "runs",
    "sensitivity",
    "sweep",
]
