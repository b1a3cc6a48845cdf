"""The JSON Schema of scenario *files*, for editors: what ``landport schema`` prints.

:class:`~sim.scenario.schema.Scenario`'s own schema describes a scenario as resolved — every
``extends`` merged, every field present — which is what a run folder's ``scenario.yaml``
holds (``landport schema --resolved``). A file that a planner writes is not that: a what-if
``extends:`` another and sets only what changes, and a sweep file adds a ``sweep:`` block. An
editor given the resolved schema flags every such file. The file schema accepts them:

- a file without ``extends`` is a whole scenario: every field the resolved schema requires;
- a file with ``extends`` may leave out any field, at any depth (a mapping is merged into the
  inherited one), except inside a list, which replaces the inherited list whole, so each item
  is complete; unknown keys, types and bounds are checked as ever;
- a distribution may be written as a plain number, a constant (as the loader reads it);
- either may hold a ``sweep:`` block: a grid (lever path → list of values) or a list of
  points (each a mapping of lever path → value); or a ``sensitivity:`` or ``optimise:``
  block, whose contents ``landport validate`` checks.

Whether a what-if is valid once merged — a value out of range because of one in the file it
extends, a name that refers to nothing — only ``landport validate`` can tell.
"""

from __future__ import annotations

import copy
from typing import Any

from sim.scenario.load import MAX_PATH_CHARS
from sim.scenario.schema import Scenario

DIALECT = "http://json-schema.org/draft-07/schema#"
"""Draft 7: what editors' YAML support (the YAML language server of VS Code and others)
checks; the model's own schema uses nothing later but the name ``$defs``."""
DEFS, REF = "definitions", "#/definitions/"
CONSTANT = "ConstantDist"
"""The schema definition of a constant distribution: the one a plain number stands for."""
PARTIAL = "Partial"
"""Suffix of the definitions whose fields are all optional (a file that extends another)."""

EXTENDS = {
    "title": "Extends",
    "description": "The scenario file this one extends, relative to this file (a .yaml or .yml "
    "file); this file then sets only what changes",
    "type": "string",
    "minLength": 1,
    "maxLength": MAX_PATH_CHARS,
    "pattern": r"\.ya?ml$",
}
SWEEP = {
    "title": "Sweep",
    "description": "The points of a sweep (landport sweep FILE): a grid, lever path → list of "
    "values, every combination a point (the last lever varies fastest); or a list of points, "
    "each a mapping of lever path → value. A lever path is a dotted field path, e.g. "
    "customs.import.officers",
    "anyOf": [
        {
            "type": "object",
            "minProperties": 1,
            "additionalProperties": {
                "anyOf": [{"type": "array", "minItems": 1}, {"type": "object"}],
            },
        },
        {
            "type": "array",
            "minItems": 1,
            "items": {"type": "object", "minProperties": 1},
        },
    ],
}


SENSITIVITY = {
    "title": "Sensitivity",
    "description": "A sensitivity analysis of the file's estimates (landport sensitivity FILE): "
    "method (oat, morris, sobol), factors (field path → [low, high]), kpis, and the design's "
    "sizes; landport validate checks its contents",
    "type": "object",
}
OPTIMISE = {
    "title": "Optimise",
    "description": "The least set-up that meets targets (landport optimise FILE): minimise "
    "(lever path → weight), over (lever path → [low, high]), subject_to (targets such as "
    "clearance_h.import.p90<=24), replications; landport validate checks its contents",
    "type": "object",
}


def file_schema() -> dict[str, Any]:
    """The JSON Schema (draft 7) of a scenario or sweep file (see the module docstring)."""
    resolved = Scenario.model_json_schema(by_alias=True)
    defs: dict[str, Any] = resolved.pop("$defs", {})
    constant = {
        **defs[CONSTANT]["properties"]["value"],
        "title": "Constant",
        "description": "a plain number: a constant",
    }
    defs = _draft7(_numbers_are_constants(defs, constant))
    resolved = _draft7(_numbers_are_constants(resolved, constant))
    whole = {k: v for k, v in resolved.items() if k not in ("title", "description")}
    whole["properties"] = {
        "extends": EXTENDS,
        **whole["properties"],
        "sweep": SWEEP,
        "sensitivity": SENSITIVITY,
        "optimise": OPTIMISE,
    }
    extending = _partial(whole)
    extending["required"] = ["extends"]
    return {
        "$schema": DIALECT,
        "title": "landport scenario file",
        "description": "A landport scenario or sweep file. Without extends: a whole scenario. "
        "With extends: only what changes. Check a file with `landport validate FILE`.",
        "type": "object",
        "if": {"required": ["extends"]},
        "then": {"$ref": f"{REF}Scenario{PARTIAL}"},
        "else": {"$ref": f"{REF}Scenario"},
        DEFS: {
            **defs,
            **{f"{name}{PARTIAL}": _partial(d) for name, d in defs.items()},
            "Scenario": whole,
            f"Scenario{PARTIAL}": extending,
        },
    }


def _numbers_are_constants(node: Any, constant: dict[str, Any]) -> Any:
    """``node`` with a plain number allowed wherever a distribution is (a ``oneOf`` that
    offers the constant distribution)."""
    if isinstance(node, list):
        return [_numbers_are_constants(n, constant) for n in node]
    if not isinstance(node, dict):
        return node
    out = {k: _numbers_are_constants(v, constant) for k, v in node.items()}
    variants = out.get("oneOf")
    if isinstance(variants, list) and {"$ref": f"#/$defs/{CONSTANT}"} in variants:
        out.pop("discriminator", None)  # a number has no ``dist`` to tell its kind by
        out["oneOf"] = [constant, *variants]
    return out


def _draft7(node: Any) -> Any:
    """``node`` with its references to ``#/$defs/…`` made to ``#/definitions/…``."""
    if isinstance(node, list):
        return [_draft7(n) for n in node]
    if not isinstance(node, dict):
        return node
    return {
        k: (REF + v.removeprefix("#/$defs/") if k == "$ref" and isinstance(v, str) else _draft7(v))
        for k, v in node.items()
    }


def _partial(node: Any) -> Any:
    """``node`` with no field required, at any depth but inside list items, which stay whole."""
    if isinstance(node, list):
        return [_partial(n) for n in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "required":
            continue
        if key in ("items", "prefixItems"):  # a list replaces the inherited one: items whole
            out[key] = copy.deepcopy(value)
        elif key == "$ref" and isinstance(value, str) and value.startswith(REF):
            out[key] = value + PARTIAL
        elif key == "oneOf":  # variants without required fields overlap: any one fits
            out["anyOf"] = _partial(value)
        elif key == "discriminator":
            continue  # an OpenAPI note on oneOf; the variants say their kind themselves
        else:
            out[key] = _partial(value)
    return out
