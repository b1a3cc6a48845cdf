"""landport: discrete-event simulation of rail–sea intermodal freight through the Huaihua
International Land Port.

The public API, shared by the command line and notebooks::

    import sim
    result = sim.run("scenarios/baseline.yaml", replications=5)
    result.summary          # KPI, mean, 95 % CI, n
    result.containers       # one row per container and replication, every milestone

See the README for the tour.
"""

from sim.experiment.api import load, run
from sim.results.run import RunResult
from sim.scenario import Scenario, ScenarioError, load_scenario

__version__ = "0.1.0"

__all__ = ["RunResult", "Scenario", "ScenarioError", "load", "load_scenario", "run"]
