"""Reading scenarios: YAML → ``extends`` resolution → overrides → validated :class:`Scenario`.

A what-if file names the file it ``extends:`` (relative to itself) and sets only what changes;
mappings are merged deeply, any other value (lists included) replaces the inherited one.
Overrides given as dotted paths (``customs.import.officers=4``) are applied last; their values
are read as YAML scalars. A distribution (or train schedule) of another kind replaces the
inherited one instead of being merged into it. Every leaf remembers the file (or override)
that set it, so an error names the file where the bad value was written.

YAML is read by :mod:`sim.scenario.reader`: no Python object tags, no alias bombs, no
duplicate keys. ``extends`` stays inside the scenario's folder tree and the working directory
(and the folders listed in ``LANDPORT_EXTENDS_PATH``), names a ``.yaml`` or ``.yml`` file and
chains at most :data:`MAX_EXTENDS_DEPTH` files.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from sim.scenario.errors import Issue, ScenarioError, excerpt
from sim.scenario.reader import MAX_FILE_BYTES, MAX_NESTING, load_yaml
from sim.scenario.schema import RecoverySpec, Scenario, check_references

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

EXTENDS_PATH_ENV = "LANDPORT_EXTENDS_PATH"
"""Folders (separated by ``os.pathsep``) that ``extends`` may reach besides the scenario's
own folder tree and the working directory, e.g. a shared library of scenarios."""
MAX_EXTENDS_DEPTH = 16
"""Files in one ``extends`` chain: a what-if of a what-if is two; sixteen is a mistake."""
MAX_PATH_CHARS = 1024
MAX_NAME_BYTES = 255
"""Longest ``extends`` value, and longest folder or file name in it (the usual OS limit)."""
YAML_SUFFIXES = (".yaml", ".yml")


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError, RuntimeError):  # elsewhere, unreadable, or a symlink loop
        return str(path)


def _read_yaml(path: Path, referrer: str | None) -> dict[str, Any]:
    shown = _display(path)
    where, field = (referrer, "extends") if referrer is not None else (shown, "")
    try:
        exists = path.is_file()
        size = path.stat().st_size if exists else 0
    except (OSError, ValueError) as exc:
        raise ScenarioError.one(where, field, f"cannot read {shown}: {_os_reason(exc)}") from None
    if not exists:
        if referrer is not None:
            raise ScenarioError.one(
                referrer,
                "extends",
                f"no scenario file {path.name!r} to extend (looked for {shown})",
            )
        raise ScenarioError.one(shown, "", "no such scenario file")
    if size > MAX_FILE_BYTES:
        raise ScenarioError.one(
            shown, "", f"file of {size:,} bytes; a scenario file has at most {MAX_FILE_BYTES:,}"
        )
    try:
        text = path.read_bytes().decode("utf-8")
    except OSError as exc:
        raise ScenarioError.one(where, field, f"cannot read {shown}: {_os_reason(exc)}") from None
    except UnicodeDecodeError:
        raise ScenarioError.one(shown, "", "not a UTF-8 text file") from None
    data = load_yaml(text, shown)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ScenarioError.one(
            shown, "", f"expected a mapping of fields, found {type(data).__name__}"
        )
    return data


def _os_reason(exc: BaseException) -> str:
    """Why the operating system refused a path, without the path repeated."""
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror.lower()
    return str(exc)


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


def extends_roots(scenario: Path) -> tuple[Path, ...]:
    """The folder trees that ``extends`` may reach from the scenario file ``scenario``: its
    own folder, the working directory and the folders listed in ``LANDPORT_EXTENDS_PATH``."""
    listed = os.environ.get(EXTENDS_PATH_ENV, "")
    folders = [scenario.parent, Path.cwd(), *(Path(p) for p in listed.split(os.pathsep) if p)]
    roots = []
    for folder in folders:
        try:
            roots.append(folder.resolve())
        except (OSError, RuntimeError, ValueError):
            continue  # a folder that cannot be resolved admits nothing
    return tuple(roots)


def _extends_target(parent: Any, path: Path, shown: str, roots: tuple[Path, ...]) -> Path:
    """The file named by ``extends: parent`` in the scenario at ``path``, checked."""

    def refuse(message: str) -> ScenarioError:
        return ScenarioError.one(shown, "extends", message)

    if not isinstance(parent, str) or not parent.strip():
        raise refuse(f"expected a file name, found {excerpt(parent)}")
    if "\0" in parent:
        raise refuse("expected a file name, found one with a NUL character")
    longest = max(len(part.encode("utf-8")) for part in Path(parent).parts)
    if len(parent) > MAX_PATH_CHARS or longest > MAX_NAME_BYTES:
        raise refuse(
            f"file name too long ({len(parent):,} characters); expected at most "
            f"{MAX_PATH_CHARS:,}, and {MAX_NAME_BYTES} bytes a folder or file name"
        )
    if Path(parent).suffix.lower() not in YAML_SUFFIXES:
        raise refuse(f"expected a .yaml or .yml scenario file, found {excerpt(parent)}")
    target = path.parent / parent
    try:
        real = target.resolve()
    except (OSError, RuntimeError, ValueError) as exc:
        # RuntimeError: a symlink loop (Python 3.11; later versions raise OSError)
        raise refuse(f"cannot follow {excerpt(parent)}: {_os_reason(exc)}") from None
    if not any(real == root or root in real.parents for root in roots):
        raise refuse(
            f"{excerpt(parent)} is outside the scenario's folder and the working directory; "
            f"list its folder in {EXTENDS_PATH_ENV} to allow it"
        )
    return target


def resolve(path: str | Path) -> tuple[dict[str, Any], Provenance]:
    """The scenario at ``path`` with its ``extends`` chain merged; where each field came from."""
    path = Path(path)
    roots = extends_roots(path)
    chain: list[tuple[dict[str, Any], str]] = []
    seen: list[Path] = []
    current, referrer = path, None
    while True:
        shown = _display(current)
        try:
            real = current.resolve()
        except (OSError, RuntimeError, ValueError) as exc:
            raise ScenarioError.one(shown, "", f"cannot read it: {_os_reason(exc)}") from None
        if real in seen:
            cycle = " → ".join(_display(p) for p in (*seen, real))
            raise ScenarioError.one(referrer or shown, "extends", f"circular extends: {cycle}")
        if len(seen) == MAX_EXTENDS_DEPTH:
            raise ScenarioError.one(
                referrer or shown,
                "extends",
                f"a chain of more than {MAX_EXTENDS_DEPTH} files extending one another",
            )
        seen.append(real)
        data = _read_yaml(current, referrer)
        parent = data.pop("extends", None)
        chain.append((data, shown))
        if parent is None:
            break
        current, referrer = _extends_target(parent, current, shown, roots), shown
    base, shown = chain.pop()
    prov: Provenance = {}
    _stamp(base, shown, (), prov)
    while chain:
        data, shown = chain.pop()
        _merge(base, data, shown, prov)
    return base, prov


def parse_override(text: str) -> tuple[str, Any]:
    """``"a.b.c=4"`` → (``"a.b.c"``, 4); the value is read as a YAML scalar or flow collection,
    by the same rules as a scenario file."""
    if "=" not in text:
        raise ScenarioError.one(
            OVERRIDE, text, "expected PATH=VALUE, e.g. customs.import.officers=4"
        )
    key, raw = text.split("=", 1)
    key = key.strip()
    return key, load_yaml(raw, OVERRIDE, key or "PATH")


def apply_overrides(data: dict[str, Any], prov: Provenance, overrides: Mapping[str, Any]) -> None:
    """Set each dotted path in ``data`` (creating mappings on the way)."""
    for dotted, value in overrides.items():
        keys = dotted.split(".")
        if not all(k.strip() for k in keys) or len(keys) > MAX_NESTING:
            raise ScenarioError.one(
                OVERRIDE,
                dotted,
                f"expected a dotted field path of at most {MAX_NESTING} names, "
                "e.g. customs.import.officers",
            )
        node: Any = data
        for i, key in enumerate(keys[:-1]):
            if key not in node:
                prov[tuple(keys[: i + 1])] = OVERRIDE  # created here: --set wrote it
            elif not isinstance(node[key], dict):
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


LEGACY_SEA = "sea"
"""The one rail–sea port of scenarios written before ``sea_ports``: a whole ``sea: {port,
corridor, max_delay_h, services}`` reads as ``sea_ports: {<port>: {corridor, max_delay_h,
services}}``, so that older scenario files and the scenarios of older run folders still load.
A ``sea`` without its ``port`` (a what-if changing part of it) is an error saying so."""


def _legacy_sea(data: Mapping[str, Any], prov: Provenance) -> tuple[Mapping[str, Any], Provenance]:
    sea = data.get(LEGACY_SEA)
    if not isinstance(sea, dict) or "sea_ports" in data or not isinstance(sea.get("port"), str):
        return data, prov
    port = sea["port"]
    out = {key: value for key, value in data.items() if key != LEGACY_SEA}
    out["sea_ports"] = {port: {key: value for key, value in sea.items() if key != "port"}}
    moved: Provenance = {}
    for path, source in prov.items():
        if path[:1] != (LEGACY_SEA,):
            moved[path] = source
        elif len(path) == 1:
            moved[("sea_ports",)] = moved[("sea_ports", port)] = source
        elif path[1] != "port":
            moved[("sea_ports", port, *path[1:])] = source
    return out, moved


def _describe(err: Mapping[str, Any]) -> str:
    # pydantic quotes the input in some messages (a union's tag): one line whatever it holds
    msg = "".join(c if c.isprintable() else repr(c)[1:-1] for c in str(err["msg"]))
    if err["type"] == "extra_forbidden" and tuple(err["loc"]) == (LEGACY_SEA,):
        return (
            "unknown field: the rail–sea port is now given under sea_ports, as "
            "sea_ports: {<port>: {corridor, max_delay_h, services}}"
        )
    if err["type"] == "extra_forbidden":
        return "unknown field (check its spelling; unknown fields are not allowed)"
    if err["type"] == "missing":
        return "required field is missing"
    if "input" in err and err["type"] not in ("value_error", "assertion_error"):
        found = err["input"]
        if isinstance(found, dict):
            return f"{msg}, found a mapping"
        if isinstance(found, list):
            return f"{msg}, found a list"
        return f"{msg}, found {excerpt(found)}"
    return msg.removeprefix("Value error, ")


RELATED = {"end": "start"}
"""A field checked against another: ``end`` (after ``start``, at most ten years on). The value
at fault may be either, and the two may come from different files."""


def _blame(issue: Issue, prov: Provenance, shown: str) -> Issue:
    """An issue of a field checked against another set in a different file names both files,
    and is put on the one written last (an override, then the file given, then those it
    extends): a ``start`` set in a what-if makes the inherited ``end`` wrong, not its file."""
    other = RELATED.get(issue.field)
    if other is None:
        return issue
    there = _source(prov, (other,), shown)
    if there == issue.file:
        return issue

    def rank(source: str) -> int:
        return 2 if source == OVERRIDE else 1 if source == shown else 0

    if rank(there) > rank(issue.file):
        return Issue(there, other, f"{issue.message}; {issue.field} is set in {issue.file}")
    return Issue(issue.file, issue.field, f"{issue.message}; {other} is set in {there}")


def validate(data: Mapping[str, Any], prov: Provenance, shown: str) -> Scenario:
    """Validate a resolved mapping; every problem is reported with its file and field path."""
    data, prov = _legacy_sea(data, prov)
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        issues = []
        for err in exc.errors():
            loc = _field_path(err["loc"])
            field = ".".join(str(p) for p in loc)
            issue = Issue(_source(prov, loc, shown), field, _describe(err))
            issues.append(_blame(issue, prov, shown))
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


def load_scenario(
    path: str | Path,
    overrides: Mapping[str, Any] | None = None,
    *,
    resolved: tuple[dict[str, Any], Provenance] | None = None,
) -> Scenario:
    """Read, merge, override and validate the scenario file at ``path`` (``resolved``: what
    :func:`resolve` gave for it, not to read it again)."""
    data, prov = resolved if resolved is not None else resolve(path)
    if overrides:
        apply_overrides(data, prov, overrides)
    return validate(data, prov, _display(Path(path)))


def canonical(scenario: Scenario) -> dict[str, Any]:
    """The scenario as plain JSON-compatible data, with the YAML field names.

    Sections added later that a scenario leaves at their defaults (no ``disruptions``, the
    default ``recovery``) are left out, so the fingerprint of an older scenario stays as it
    was."""
    data = scenario.model_dump(mode="json", by_alias=True)
    if not data.get("disruptions"):
        data.pop("disruptions", None)
    if data.get("recovery") == _DEFAULT_RECOVERY:
        data.pop("recovery", None)
    return data


_DEFAULT_RECOVERY = RecoverySpec().model_dump(mode="json", by_alias=True)


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
