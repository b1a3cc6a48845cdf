"""Scenarios: YAML files → validated, frozen :class:`Scenario` objects."""

from sim.scenario.errors import Issue, ScenarioError
from sim.scenario.load import (
    canonical,
    load_scenario,
    parse_override,
    scenario_from_dict,
    scenario_hash,
)
from sim.scenario.schema import Scenario

__all__ = [
    "Issue",
    "Scenario",
    "ScenarioError",
    "canonical",
    "load_scenario",
    "parse_override",
    "scenario_from_dict",
    "scenario_hash",
]
