"""Scenarios: YAML files → validated, frozen :class:`Scenario` objects.

The names below are imported when first used, so that ``sim.scenario.errors`` and
``sim.scenario.limits`` can be imported without pydantic and the scenario schema (the command
line's help starts without them).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sim.scenario.errors import Issue, ScenarioError
    from sim.scenario.load import (
        canonical,
        load_scenario,
        parse_override,
        scenario_from_dict,
        scenario_hash,
    )
    from sim.scenario.schema import Scenario

_WHERE = {
    "Issue": "sim.scenario.errors",
    "ScenarioError": "sim.scenario.errors",
    "canonical": "sim.scenario.load",
    "load_scenario": "sim.scenario.load",
    "parse_override": "sim.scenario.load",
    "scenario_from_dict": "sim.scenario.load",
    "scenario_hash": "sim.scenario.load",
    "Scenario": "sim.scenario.schema",
}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'sim.scenario' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


def __dir__() -> list[str]:
    return sorted([*__all__, "errors", "file_schema", "limits", "load", "reader", "schema"])


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
