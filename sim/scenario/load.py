"""Reading scenarios: YAML → ``extends`` resolution → overrides → validated :class:`Scenario`.

A what-if file names the file it ``extends:`` (relative to itself) and sets only what changes;
mappings are merged deeply, any other value (lists included) replaces the inherited one.
Overrides given as dotted paths (``customs.import.officers=4``) are applied last; their values
are read as YAML scalars. A distribution (or train schedule) of another kind replaces the
inherited one instead of being merged into it. Every leaf remembers the file (or override)
that set it, so an error names the file where the bad value was written.

YAML is read with ``yaml.safe_load``: no Python object tags.
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from sim.scenario.errors import Issue, ScenarioError
from sim.scenario.schema import Scenario, check_references

OVERRIDE = "--set"
UNION_TAGS = frozenset(
    (
        "constant",
        "exponential",
        "uniform",
        "triangular",
        "gamma",
        "lognormal",
        "weekly",
        "headway",
        "periods",
    )
)
"""Tags of union variants that pydantic puts in error locations; not field names."""
Provenance = dict[tuple[str, ...], str]


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _read_yaml(path: Path, referrer: str | None) -> dict[str, Any]:
    shown = _display(path)
    if not path.is_file():
        if referrer is not None:
            raise ScenarioError.one(
                referrer,
                "extends",
                f"no scenario file {path.name!r} to extend (looked for {shown})",
            )
        raise ScenarioError.one(shown, "", "no such scenario file")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ScenarioError.one(shown, where, f"YAML syntax error: {problem}") from None
    except UnicodeDecodeError:
        raise ScenarioError.one(shown, "", "not a UTF-8 text file") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ScenarioError.one(
            shown, "", f"expected a mapping of fields, found {type(data).__name__}"
        )
    return data


def _stamp(data: Any, source: str, prefix: tuple[str, ...], out: Provenance) -> None:
    out[prefix] = source
    if isinstance(data, dict):
        for key, value in data.items():
            _stamp(value, source, (*prefix, str(key)), out)


def _kind(mapping: Mapping[str, Any]) -> str | None:
    """The variant of a tagged mapping: a distribution's ``dist``, or a schedule's form."""
    if "dist" in mapping:
        return f"dist:{mapping['dist']}"
    if {"days", "times"} & set(mapping):
        return "weekly"
    if {"headway_h", "first_h"} & set(mapping):
        return "headway"
    return None


def _merge(
    base: dict[str, Any],
    over: Mapping[str, Any],
    source: str,
    prov: Provenance,
    prefix: tuple[str, ...] = (),
) -> None:
    for key, value in over.items():
        path = (*prefix, str(key))
        inherited = base.get(key)
        if (
            isinstance(value, dict)
            and isinstance(inherited, dict)
            and _kind(value) in (None, _kind(inherited))
        ):
            # Same kind (or untagged): merge field by field. A distribution or schedule of
            # another kind replaces the inherited one whole.
            prov[path] = source
            _merge(base[key], value, source, prov, path)
        else:
            base[key] = copy.deepcopy(value)
            for stale in [p for p in prov if p[: len(path)] == path]:
                del prov[stale]
            _stamp(value, source, path, prov)


def resolve(
    path: str | Path, _chain: tuple[Path, ...] = (), _referrer: str | None = None
) -> tuple[dict[str, Any], Provenance]:
    """The scenario at ``path`` with its ``extends`` chain merged; where each field came from."""
    path = Path(path)
    real = path.resolve()
    shown = _display(path)
    if real in _chain:
        cycle = " → ".join(_display(p) for p in (*_chain, real))
        raise ScenarioError.one(_referrer or shown, "extends", f"circular extends: {cycle}")
    data = _read_yaml(path, _referrer)
    parent = data.pop("extends", None)
    if parent is None:
        prov: Provenance = {}
        _stamp(data, shown, (), prov)
        return data, prov
    if not isinstance(parent, str):
        raise ScenarioError.one(shown, "extends", f"expected a file name, found {parent!r}")
    base, prov = resolve(path.parent / parent, (*_chain, real), shown)
    _merge(base, data, shown, prov)
    return base, prov


def parse_override(text: str) -> tuple[str, Any]:
    """``"a.b.c=4"`` → (``"a.b.c"``, 4); the value is read as a YAML scalar or flow collection."""
    if "=" not in text:
        raise ScenarioError.one(
            OVERRIDE, text, "expected PATH=VALUE, e.g. customs.import.officers=4"
        )
    key, raw = text.split("=", 1)
    try:
        value = yaml.safe_load(raw)
    except yaml.YAMLError:
        raise ScenarioError.one(OVERRIDE, key, f"cannot read value {raw!r}") from None
    return key.strip(), value


def apply_overrides(data: dict[str, Any], prov: Provenance, overrides: Mapping[str, Any]) -> None:
    """Set each dotted path in ``data`` (creating mappings on the way)."""
    for dotted, value in overrides.items():
        keys = dotted.split(".")
        if not all(keys):
            raise ScenarioError.one(OVERRIDE, dotted, "expected a dotted field path")
        node: Any = data
        for i, key in enumerate(keys[:-1]):
            if not isinstance(node.get(key, {}), dict):
                where = ".".join(keys[: i + 1])
                raise ScenarioError.one(OVERRIDE, dotted, f"{where} is not a mapping")
            node = node.setdefault(key, {})
        _merge(node, {keys[-1]: value}, OVERRIDE, prov, tuple(keys[:-1]))


def _source(prov: Provenance, loc: tuple[str | int, ...], default: str) -> str:
    keys = tuple(str(k) for k in loc)
    for n in range(len(keys), -1, -1):
        if keys[:n] in prov:
            return prov[keys[:n]]
    return default


def _describe(err: Mapping[str, Any]) -> str:
    msg = str(err["msg"])
    if err["type"] == "extra_forbidden":
        return "unknown field (check its spelling; unknown fields are not allowed)"
    if err["type"] == "missing":
        return "required field is missing"
    if "input" in err and err["type"] not in ("value_error", "assertion_error"):
        found = err["input"]
        if not isinstance(found, dict | list):
            return f"{msg}, found {found!r}"
    return msg.removeprefix("Value error, ")


def validate(data: Mapping[str, Any], prov: Provenance, shown: str) -> Scenario:
    """Validate a resolved mapping; every problem is reported with its file and field path."""
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        issues = []
        for err in exc.errors():
            loc = _field_path(err["loc"])
            field = ".".join(str(p) for p in loc)
            issues.append(Issue(_source(prov, loc, shown), field, _describe(err)))
        raise ScenarioError(_dedupe(issues)) from None
    problems = check_references(scenario)
    if problems:
        raise ScenarioError(
            [
                Issue(_source(prov, loc, shown), ".".join(str(p) for p in loc), msg)
                for loc, msg in problems
            ]
        )
    return scenario


def _field_path(loc: tuple[str | int, ...]) -> tuple[str | int, ...]:
    """Drop union tags from a pydantic location (a tag never follows another tag)."""
    out: list[str | int] = []
    previous_was_tag = False
    for part in loc:
        if part in UNION_TAGS and not previous_was_tag:
            previous_was_tag = True
            continue
        previous_was_tag = False
        out.append(part)
    return tuple(out)


def _dedupe(issues: list[Issue]) -> list[Issue]:
    seen: dict[tuple[str, str], Issue] = {}
    for issue in issues:
        seen.setdefault((issue.file, issue.field), issue)
    return list(seen.values())


def load_scenario(path: str | Path, overrides: Mapping[str, Any] | None = None) -> Scenario:
    """Read, merge, override and validate the scenario file at ``path``."""
    data, prov = resolve(path)
    if overrides:
        apply_overrides(data, prov, overrides)
    return validate(data, prov, _display(Path(path)))


def canonical(scenario: Scenario) -> dict[str, Any]:
    """The scenario as plain JSON-compatible data, with the YAML field names."""
    return scenario.model_dump(mode="json", by_alias=True)


def scenario_hash(scenario: Scenario) -> str:
    """A short, stable fingerprint of everything that determines the results."""
    text = json.dumps(canonical(scenario), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def scenario_from_dict(data: Mapping[str, Any], name: str = "<dict>") -> Scenario:
    """Validate a scenario given as a mapping (notebooks and tests)."""
    data = copy.deepcopy(dict(data))
    prov: Provenance = {}
    _stamp(data, name, (), prov)
    return validate(data, prov, name)
