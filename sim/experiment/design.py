"""The points of an experiment: which scenarios a sweep runs, validated before anything runs.

A *lever* is a dotted scenario path with a list of values (``customs.import.officers`` →
4, 6, 8). A :class:`Design` is a list of points, each a mapping of lever path → value: the
grid (Cartesian product) of its levers, or an explicit list of points. Levers come from the
command line (``--set customs.import.officers=4,6,8``) or from a ``sweep:`` block in a YAML
file that is otherwise an ordinary scenario file — it may ``extends:`` another and set any
field, ``replications`` and ``seed`` included::

    # scenarios/sweeps/officers-discount.yaml
    extends: ../baseline.yaml
    replications: 5
    sweep:                                   # grid: 3 × 2 = 6 points
      customs.import.officers: [4, 6, 8]
      tariffs.discount.nanning: [0.30, 0.45]

or ``sweep:`` as a list of points, each a mapping of lever path → value. The levers given
to :func:`plan_sweep` add to the file's (and replace same-named levers of its grid): the
points are every point of the file's design with every point of the given one.

:func:`plan_sweep` turns the base scenario and the designs into a :class:`SweepPlan`: every
point validated as a scenario, or one error naming the file (or ``--set``), the field and
the point. All points use the same seed (common random numbers across points, unless the
seed itself is a lever).

The designs of decision analysis are lists of points too, run by the same machinery:
:func:`oat_points` (one factor at a time, from the scenario's values to each end of its
range), :func:`morris_points` (Morris elementary-effect trajectories) and
:func:`sobol_points` (Saltelli's sampling for Sobol indices), the last two drawn by SALib
over the factors' ranges. A file may carry a ``sensitivity:`` or ``optimise:`` block instead
of ``sweep:``; :func:`plan_sweep` sets those aside (:data:`EXPERIMENT_BLOCKS`) for the
modules that read them.
"""

from __future__ import annotations

import copy
import itertools
import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.experiment.runs import ScenarioLike, as_scenario
from sim.scenario import Issue, Scenario, ScenarioError, canonical
from sim.scenario.load import OVERRIDE, apply_overrides, resolve, validate
from sim.scenario.reader import load_yaml

Levers = Mapping[str, Sequence[Any]] | Sequence[Mapping[str, Any]]
"""A grid (lever path → values) or an explicit list of points (each lever path → value)."""
Point = dict[str, Any]
"""One point of a design: lever path → value."""
EXPERIMENT_BLOCKS = ("sweep", "sensitivity", "optimise")
"""Top-level blocks of a file that describe an experiment rather than the scenario."""


@dataclass(frozen=True)
class Lever:
    """One lever: a dotted path, where it was given (a file or ``--set``)."""

    path: str
    source: str
    in_file: bool


@dataclass(frozen=True)
class Design:
    """The points of an experiment and the levers they set, in order."""

    levers: tuple[Lever, ...]
    points: tuple[Point, ...]

    @classmethod
    def read(
        cls,
        block: Any,
        source: str,
        prefix: str,
        in_file: bool,
        replaced: frozenset[str] = frozenset(),
    ) -> Design:
        """The design of a ``sweep:`` block (``prefix`` ``"sweep."``) or of the ``levers``
        argument: a grid from a mapping, the points themselves from a list. Lever paths in
        ``replaced`` (given again on the command line) are dropped from a grid."""
        if isinstance(block, Mapping):
            flat = _grid(block, source, prefix, in_file)
            flat = {p: v for p, v in flat.items() if p not in replaced}
            return cls(tuple(Lever(p, source, in_file) for p in flat), _product(flat))
        if isinstance(block, list | tuple):
            paths, points = _explicit(block, source, prefix)
            clash = [p for p in paths if p in replaced]
            if clash:
                raise ScenarioError.one(
                    source,
                    f"{prefix}{clash[0]}",
                    "also given on the command line; a lever of a list of points cannot be "
                    "replaced",
                )
            return cls(tuple(Lever(p, source, in_file) for p in paths), points)
        raise ScenarioError.one(
            source,
            prefix.rstrip(".") or "levers",
            "expected a mapping of lever path → list of values, or a list of points; "
            f"found {block!r}",
        )

    @property
    def paths(self) -> list[str]:
        return [lv.path for lv in self.levers]

    def crossed(self, other: Design) -> Design:
        """Every point of this design with every point of ``other`` (its values win)."""
        points = tuple({**a, **b} for a, b in itertools.product(self.points, other.points))
        return Design((*self.levers, *other.levers), points)


NO_LEVERS = Design((), ({},))
"""The design that sets nothing: one point, the scenario itself."""


@dataclass
class SweepPlan:
    """Every point of a sweep, validated: what will run, before anything runs."""

    name: str
    scenario_file: str | None
    levers: list[str]
    points: list[Point]
    scenarios: list[Scenario]
    overrides: dict[str, Any]
    seed: int | None
    replications: int | None

    def seed_of(self, k: int) -> int:
        return self.scenarios[k].seed if self.seed is None else self.seed

    def replications_of(self, k: int) -> int:
        return self.scenarios[k].replications if self.replications is None else self.replications

    def points_frame(self) -> pd.DataFrame:
        """``point`` and one column per lever: the sweep's ``points`` table."""
        rows = [
            {"point": k, **{lv: p.get(lv) for lv in self.levers}} for k, p in enumerate(self.points)
        ]
        df = pd.DataFrame(rows, columns=["point", *self.levers])
        for lv in self.levers:  # lists and mappings (a distribution as a lever): JSON text
            if any(isinstance(v, Mapping | list) for v in df[lv]):
                df[lv] = [json.dumps(v, sort_keys=True, default=str) for v in df[lv]]
        return df


def parse_lever(text: str) -> tuple[str, list[Any]]:
    """``"customs.import.officers=4,6,8"`` → (``"customs.import.officers"``, [4, 6, 8]).

    Values are comma-separated YAML scalars (``0.30``, ``true``, ``2023-02-28``); a value
    holding a comma or a list belongs in a sweep file.
    """
    if "=" not in text:
        raise ScenarioError.one(
            OVERRIDE, text, "expected PATH=V1,V2,…, e.g. customs.import.officers=4,6,8"
        )
    path, raw = (part.strip() for part in text.split("=", 1))
    body = raw if raw.startswith("[") else f"[{raw}]"
    values = load_yaml(body, OVERRIDE, path)  # the limits and rules of scenario files
    if not isinstance(values, list) or not values or any(v is None for v in values):
        raise ScenarioError.one(OVERRIDE, path, f"expected comma-separated values, found {raw!r}")
    return path, values


def split_sets(texts: Sequence[str]) -> tuple[dict[str, Any], dict[str, list[Any]]]:
    """Command-line ``--set`` options: one value is an override, several are a lever."""
    overrides: dict[str, Any] = {}
    levers: dict[str, list[Any]] = {}
    for text in texts:
        path, values = parse_lever(text)
        if len(values) == 1:
            overrides[path] = values[0]
        else:
            levers[path] = values
    return overrides, levers


def _check_path(path: Any, source: str, where: str) -> str:
    if not isinstance(path, str) or not all(p.strip() for p in path.split(".")):
        raise ScenarioError.one(source, where, f"expected a dotted field path, found {path!r}")
    return path


def _grid(
    block: Mapping[str, Any], source: str, prefix: str, in_file: bool
) -> dict[str, list[Any]]:
    """A mapping of lever path → list of values, flattened (a file may nest the paths)."""
    flat: dict[str, list[Any]] = {}

    def walk(node: Mapping[str, Any], trail: tuple[str, ...]) -> None:
        for key, value in node.items():
            here = (*trail, str(key))
            path = ".".join(here)
            where = f"{prefix}{path}"
            _check_path(path, source, where)
            if isinstance(value, Mapping) and in_file:
                walk(value, here)
                continue
            if not isinstance(value, list | tuple) or not value:
                raise ScenarioError.one(
                    source, where, f"expected a non-empty list of values, found {value!r}"
                )
            seen: list[Any] = []
            for v in value:
                if v in seen:
                    raise ScenarioError.one(source, where, f"value {v!r} is listed twice")
                seen.append(v)
            flat[path] = list(value)

    walk(block, ())
    return flat


def _product(flat: Mapping[str, list[Any]]) -> tuple[Point, ...]:
    return tuple(dict(zip(flat, combo, strict=True)) for combo in itertools.product(*flat.values()))


def _explicit(
    block: Sequence[Any], source: str, prefix: str
) -> tuple[list[str], tuple[Point, ...]]:
    """Lever paths and points of an explicit list of points."""
    if not block:
        raise ScenarioError.one(source, prefix.rstrip("."), "expected at least one point")
    paths: dict[str, None] = {}
    points = []
    for i, point in enumerate(block):
        if not isinstance(point, Mapping) or not point:
            raise ScenarioError.one(
                source,
                f"{prefix}{i}",
                f"expected a mapping of lever path → value, found {point!r}",
            )
        for path in point:
            _check_path(path, source, f"{prefix}{i}.{path}")
            paths.setdefault(str(path), None)
        points.append({str(p): v for p, v in point.items()})
    return list(paths), tuple(points)


def plan_sweep(
    scenario: ScenarioLike,
    levers: Levers | None = None,
    *,
    overrides: Mapping[str, Any] | None = None,
    seed: int | None = None,
    replications: int | None = None,
) -> SweepPlan:
    """Read the base scenario (and its ``sweep:`` block), combine with ``levers`` and
    validate every point. Raises :class:`ScenarioError` naming file, field and point."""
    if isinstance(scenario, Scenario):
        data: dict[str, Any] = canonical(scenario)
        shown = f"<scenario {scenario.name}>"
        prov: dict[tuple[str, ...], str] = {(): shown}
        block, block_source, scenario_file = None, shown, None
    else:
        data, prov = resolve(scenario)
        shown = _shown(Path(scenario))
        scenario_file = str(scenario)
        block_source = prov.get(("sweep",), shown)
        block = data.pop("sweep", None)
        _set_aside_blocks(data, prov)
    given = Design.read(levers, OVERRIDE, "", in_file=False) if levers else NO_LEVERS
    design = given
    if block is not None:
        in_file = Design.read(block, block_source, "sweep.", True, frozenset(given.paths))
        design = in_file.crossed(given)
    if not design.levers:
        raise ScenarioError.one(
            scenario_file or shown,
            "sweep",
            "nothing to sweep: give a lever with several values (--set PATH=V1,V2) "
            "or a sweep: block in the file",
        )
    fixed = dict(overrides or {})
    if fixed:
        apply_overrides(data, prov, fixed)
    points = list(design.points)
    scenarios = _validate_points(data, prov, shown, points, design.levers)
    name = Path(scenario_file).stem if block is not None and scenario_file else scenarios[0].name
    return SweepPlan(
        name=name,
        scenario_file=scenario_file,
        levers=design.paths,
        points=points,
        scenarios=scenarios,
        overrides=fixed,
        seed=seed,
        replications=replications,
    )


def parse_span(
    text: str, what: str, number: Callable[[str], float], example: str
) -> tuple[str, tuple[Any, Any]]:
    """``"PATH=LOW:HIGH"`` (a command-line lever or factor) → (path, (low, high)), each end
    read by ``number``; anything else is one error naming the text and an ``example``."""
    path, sep, raw = text.partition("=")
    low, colon, high = raw.partition(":")
    try:
        if not (sep and colon and path.strip()):
            raise ValueError
        return path.strip(), (number(low), number(high))
    except ValueError:
        raise ScenarioError.one(
            OVERRIDE, text, f"expected {what} as PATH=LOW:HIGH, e.g. {example}"
        ) from None


def base_scenario(scenario: ScenarioLike, overrides: Mapping[str, Any] | None = None) -> Scenario:
    """The scenario of an experiment file — its ``sweep:``, ``sensitivity:`` or ``optimise:``
    block set aside — with ``overrides`` applied, validated."""
    if isinstance(scenario, Scenario):
        return as_scenario(scenario, overrides)
    data, prov = resolve(scenario)
    _set_aside_blocks(data, prov)
    if overrides:
        apply_overrides(data, prov, dict(overrides))
    return validate(data, prov, _shown(Path(scenario)))


def _set_aside_blocks(data: dict[str, Any], prov: dict[tuple[str, ...], str]) -> None:
    for name in EXPERIMENT_BLOCKS:
        data.pop(name, None)
        for key in [k for k in prov if k[:1] == (name,)]:
            del prov[key]


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _validate_points(
    data: dict[str, Any],
    prov: dict[tuple[str, ...], str],
    shown: str,
    points: list[Point],
    levers: Sequence[Lever],
) -> list[Scenario]:
    """Every point as a validated scenario, or one error listing every problem once."""
    scenarios: list[Scenario] = []
    problems: dict[tuple[str, str, str], list[int]] = {}
    for k, point in enumerate(points):
        d, p = copy.deepcopy(data), dict(prov)
        try:
            apply_overrides(d, p, point)
            scenarios.append(validate(d, p, shown))
        except ScenarioError as exc:
            for issue in exc.issues:
                problems.setdefault(_relocate(issue, levers), []).append(k)
    if problems:
        issues = []
        for (file, fld, message), ks in problems.items():
            if len(ks) < len(points):
                first = ", ".join(f"{lp}={v!r}" for lp, v in points[ks[0]].items())
                more = f" and {len(ks) - 1} more" if len(ks) > 1 else ""
                message = f"{message} (at sweep point {ks[0]}: {first}{more})"
            issues.append(Issue(file, fld, message))
        raise ScenarioError(issues)
    return scenarios


def _relocate(issue: Issue, levers: Sequence[Lever]) -> tuple[str, str, str]:
    """An issue of a sweep-file lever names the file and its ``sweep.`` entry, not ``--set``."""
    if issue.file == OVERRIDE:
        for lv in levers:
            if lv.in_file and (
                issue.field == lv.path
                or issue.field.startswith(lv.path + ".")
                or lv.path.startswith(issue.field + ".")
            ):
                return lv.source, f"sweep.{lv.path}", issue.message
    return issue.file, issue.field, issue.message


# ------------------------------------------------------------------------------ factors


@dataclass(frozen=True)
class Factor:
    """An uncertain input: a dotted scenario path and the range of its plausible values.

    ``base`` is the scenario's own value (the centre of a one-at-a-time design). An integer
    factor (both ends integers, like officers) takes whole values only: designs round it.
    """

    path: str
    low: float
    high: float
    base: float
    integer: bool = False

    def value(self, x: float) -> Any:
        """The scenario value for design coordinate ``x`` in [low, high]."""
        return round(x) if self.integer else float(x)


def factor_problem(factors: Sequence[Factor]) -> dict[str, Any]:
    """The factors as a SALib problem: names and bounds."""
    return {
        "num_vars": len(factors),
        "names": [f.path for f in factors],
        "bounds": [[f.low, f.high] for f in factors],
    }


def _points(factors: Sequence[Factor], x: np.ndarray) -> list[Point]:
    return [{f.path: f.value(v) for f, v in zip(factors, row, strict=True)} for row in x]


def oat_points(factors: Sequence[Factor]) -> list[Point]:
    """One factor at a time: the base point (every factor at the scenario's value), then each
    factor at its low and at its high end, the others at their base values."""
    base = {f.path: f.value(f.base) for f in factors}
    points = [dict(base)]
    for f in factors:
        for end in (f.low, f.high):
            points.append({**base, f.path: f.value(end)})
    return points


def morris_matrix(
    factors: Sequence[Factor], trajectories: int, levels: int, seed: int
) -> np.ndarray:
    """Morris elementary-effect trajectories (SALib): ``trajectories × (k + 1)`` rows."""
    from SALib.sample import morris

    x: np.ndarray = morris.sample(
        factor_problem(factors), N=trajectories, num_levels=levels, seed=seed
    )
    return x


def morris_points(
    factors: Sequence[Factor], trajectories: int, levels: int, seed: int
) -> list[Point]:
    """The points of :func:`morris_matrix`."""
    return _points(factors, morris_matrix(factors, trajectories, levels, seed))


def sobol_matrix(factors: Sequence[Factor], samples: int, seed: int) -> np.ndarray:
    """Saltelli's sampling for first-order and total Sobol indices (SALib, scrambled Sobol'
    sequence): ``samples × (k + 2)`` rows; ``samples`` is a power of two."""
    from SALib.sample import sobol

    if samples < 2 or 2 ** round(math.log2(samples)) != samples:
        raise ValueError(f"samples: expected a power of two, at least 2; found {samples}")
    x: np.ndarray = sobol.sample(
        factor_problem(factors), samples, calc_second_order=False, scramble=True, seed=seed
    )
    return x


def sobol_points(factors: Sequence[Factor], samples: int, seed: int) -> list[Point]:
    """The points of :func:`sobol_matrix`."""
    return _points(factors, sobol_matrix(factors, samples, seed))
