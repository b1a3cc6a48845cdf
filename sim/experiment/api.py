"""The Python API that the command line and notebooks share (re-exported by ``sim``).

>>> import sim
>>> result = sim.run("scenarios/baseline.yaml", replications=2, save=False)  # doctest: +SKIP
>>> result.summary.head()                                                      # doctest: +SKIP

Each name lives in the module of its concept: :mod:`~sim.experiment.runs` (a run),
:mod:`~sim.experiment.compare`, :mod:`~sim.experiment.sweep` and
:mod:`~sim.experiment.loading` (any folder read back), :mod:`~sim.experiment.sensitivity` and
:mod:`~sim.experiment.optimise` (decision analysis); this module only gathers them.
"""

from sim.experiment.compare import CompareResult, compare
from sim.experiment.loading import load
from sim.experiment.optimise import OptimiseResult, optimise
from sim.experiment.runs import DEFAULT_ROOT, ScenarioLike, as_scenario, run
from sim.experiment.sensitivity import SensitivityResult, sensitivity
from sim.experiment.sweep import SweepInterrupted, SweepResult, sweep
from sim.results.run import RunResult

__all__ = [
    "DEFAULT_ROOT",
    "CompareResult",
    "OptimiseResult",
    "RunResult",
    "ScenarioLike",
    "SensitivityResult",
    "SweepInterrupted",
    "SweepResult",
    "as_scenario",
    "compare",
    "load",
    "optimise",
    "run",
    "sensitivity",
    "sweep",
]
