"""Sensitivity of the estimates: which uncertain inputs move a KPI, and how much.

Many of a scenario's inputs are estimates (``EST`` in the scenario files): the demand's cost
sensitivity, the value of time, dwell and service distributions, emission intensities. A
sensitivity analysis varies them over their plausible ranges — the *factors* — and ranks
them by their effect on chosen KPIs:

* ``oat`` — one at a time: every factor at the scenario's value (the base point), then each
  factor alone at the low and at the high end of its range. The swing of a KPI between the
  two ends ranks the factors (a tornado chart); its 95 % interval comes from the paired
  replications of the two ends (common random numbers).
* ``morris`` — Morris screening: ``trajectories`` random one-step-at-a-time paths through a
  grid of ``levels`` levels; μ* (the mean absolute elementary effect, with its bootstrap
  95 % interval) ranks the factors, σ flags non-linear effects and interactions.
* ``sobol`` — variance-based: Saltelli's sampling of ``samples × (k + 2)`` points; S1 (the
  share of the KPI's variance a factor explains alone) and ST (with all its interactions),
  each with its bootstrap 95 % interval; ST ranks the factors.

Morris and Sobol designs and analyses are SALib's. Every point of a design is a scenario run
through the sweep machinery (:func:`sim.experiment.sweep.sweep`): validated before anything
runs, all points with the same seed (common random numbers, so differences between points are
the factors' effects, not noise), parallel on local workers or Dask, resumable after an
interruption. The analysis reads the mean of each KPI over a point's replications and is
written with the sweep as its ``sensitivity`` table: one row per KPI and factor, ranked.

A factor is a dotted scenario path with a range: ``tariffs.value_of_time_cny_per_teu_h``
over ``[2.5, 10]``, ``customs.quarantine.test_h.mean`` over ``[36, 52]``. Given in a
``sensitivity:`` block of a scenario file (which may ``extends:`` another)::

    sensitivity:
      method: morris
      kpis: [cost.per_teu.qinzhou_rail_sea, co2e.avoided_t, clearance_h.import.mean]
      trajectories: 10
      factors:
        demand.response.cost_sensitivity_per_cny: [0.0002, 0.0004]
        tariffs.value_of_time_cny_per_teu_h: [2.5, 10]

or on the command line (``--factor PATH=LOW:HIGH``, ``--method``, ``--kpi``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sim.experiment.backends import Progress
from sim.experiment.design import (
    Factor,
    Point,
    factor_problem,
    morris_matrix,
    oat_points,
    parse_span,
    sobol_matrix,
)
from sim.experiment.runs import DEFAULT_ROOT
from sim.experiment.sweep import SweepResult, sweep
from sim.results.stats import t_interval
from sim.scenario import Issue, ScenarioError, canonical
from sim.scenario.load import apply_overrides, resolve, validate

Method = Literal["oat", "morris", "sobol"]
METHODS: tuple[Method, ...] = ("oat", "morris", "sobol")
BLOCK = "sensitivity"
CONFIDENCE = 0.95
MAX_FACTORS = 50
MAX_POINTS = 20_000
"""Points of one design: a Sobol design of 50 factors at 256 samples has 13,312."""
RANKING_COLUMNS = (
    "kpi",
    "factor",
    "method",
    "rank",
    "importance",
    "importance_conf",
    "low",
    "high",
)
"""The first columns of the ranked table; each method adds its own measures."""


class _Block(BaseModel):
    """The ``sensitivity:`` block of a scenario file (everything optional on the command
    line, which may give or replace each part)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    method: Method = "morris"
    kpis: list[str] = Field(default_factory=list, max_length=200)
    factors: dict[str, tuple[float, float]] = Field(default_factory=dict, max_length=MAX_FACTORS)
    trajectories: int = Field(10, strict=True, ge=2, le=1000)
    levels: int = Field(4, strict=True, ge=2, le=100)
    samples: int = Field(64, strict=True, ge=2, le=65_536)
    seed: int = Field(0, strict=True, ge=0, le=2**32 - 1)


@dataclass(frozen=True)
class SensitivitySpec:
    """What to vary, how, and what to watch (see the module docstring)."""

    method: Method
    factors: tuple[Factor, ...]
    kpis: tuple[str, ...]
    trajectories: int = 10
    levels: int = 4
    samples: int = 64
    seed: int = 0
    """Seed of the design's sampler (Morris and Sobol), not of the simulation."""

    def matrix(self) -> np.ndarray:
        """The design in factor units, one row per point (before integer rounding)."""
        if self.method == "morris":
            return morris_matrix(self.factors, self.trajectories, self.levels, self.seed)
        if self.method == "sobol":
            return sobol_matrix(self.factors, self.samples, self.seed)
        return np.array([[p[f.path] for f in self.factors] for p in oat_points(self.factors)])

    def points(self) -> list[Point]:
        if self.method == "oat":
            return oat_points(self.factors)
        return [
            {f.path: f.value(v) for f, v in zip(self.factors, row, strict=True)}
            for row in self.matrix()
        ]

    def record(self) -> dict[str, Any]:
        """The spec as plain data, for the manifest."""
        return {
            "method": self.method,
            "kpis": list(self.kpis),
            "factors": [
                {"path": f.path, "low": f.low, "high": f.high, "base": f.base, "integer": f.integer}
                for f in self.factors
            ],
            "trajectories": self.trajectories,
            "levels": self.levels,
            "samples": self.samples,
            "seed": self.seed,
        }

    @classmethod
    def from_record(cls, data: Mapping[str, Any]) -> SensitivitySpec:
        return cls(
            method=data["method"],
            factors=tuple(Factor(**f) for f in data["factors"]),
            kpis=tuple(data["kpis"]),
            trajectories=int(data["trajectories"]),
            levels=int(data["levels"]),
            samples=int(data["samples"]),
            seed=int(data["seed"]),
        )


def parse_factor(text: str) -> tuple[str, tuple[float, float]]:
    """``"tariffs.value_of_time_cny_per_teu_h=2.5:10"`` → (path, (2.5, 10.0))."""
    return parse_span(text, "a factor", float, "tariffs.value_of_time_cny_per_teu_h=2.5:10")


def read_spec(
    scenario: str | Path,
    *,
    overrides: Mapping[str, Any] | None = None,
    method: Method | None = None,
    factors: Mapping[str, tuple[float, float]] | None = None,
    kpis: Sequence[str] | None = None,
    **design: int | None,
) -> SensitivitySpec:
    """The spec of a scenario file's ``sensitivity:`` block, with the command line's choices
    on top (``factors`` add to or replace the file's). Every problem is one error naming the
    file (or ``--set``) and the field."""
    data, prov = resolve(scenario)
    shown = str(scenario)
    raw = data.pop(BLOCK, None)
    source = prov.get((BLOCK,), shown)
    if raw is None:
        raw = {}
    if not isinstance(raw, Mapping):
        raise ScenarioError.one(source, BLOCK, f"expected a mapping, found {raw!r}")
    merged = dict(raw)
    if factors:
        merged["factors"] = {**dict(raw.get("factors") or {}), **dict(factors)}
    if method is not None:
        merged["method"] = method
    if kpis:
        merged["kpis"] = list(kpis)
    merged.update({k: v for k, v in design.items() if v is not None})
    try:
        block = _Block.model_validate(merged)
    except ValidationError as exc:
        issues = [
            Issue(
                source,
                ".".join([BLOCK, *(str(p) for p in err["loc"])]),
                str(err["msg"]).removeprefix("Value error, "),
            )
            for err in exc.errors()
        ]
        raise ScenarioError(issues) from None
    if not block.factors:
        raise ScenarioError.one(
            source,
            f"{BLOCK}.factors",
            "no factors: give them in the file or as --factor PATH=LOW:HIGH",
        )
    if not block.kpis:
        raise ScenarioError.one(
            source, f"{BLOCK}.kpis", "no KPIs: give them in the file or as --kpi NAME"
        )
    for name in ("sweep", "optimise"):
        if name in data:
            raise ScenarioError.one(
                prov.get((name,), shown), name, f"a sensitivity file has no {name}: block"
            )
    if overrides:
        apply_overrides(data, prov, overrides)
    values = canonical(validate(data, prov, shown))
    out = []
    for path, (low, high) in block.factors.items():
        where = f"{BLOCK}.factors.{path}"
        base = _value_at(values, path)
        if not isinstance(base, int | float) or isinstance(base, bool):
            raise ScenarioError.one(
                source, where, f"expected the path of a number in the scenario, found {base!r}"
            )
        if not (math.isfinite(low) and math.isfinite(high) and low < high):
            raise ScenarioError.one(source, where, f"expected LOW < HIGH, found [{low}, {high}]")
        integer = isinstance(base, int) and float(low).is_integer() and float(high).is_integer()
        out.append(Factor(path, float(low), float(high), float(base), integer))
    spec = SensitivitySpec(
        method=block.method,
        factors=tuple(out),
        kpis=tuple(block.kpis),
        trajectories=block.trajectories,
        levels=block.levels,
        samples=block.samples,
        seed=block.seed,
    )
    try:
        n = len(spec.matrix())
    except ValueError as exc:
        raise ScenarioError.one(source, f"{BLOCK}.samples", str(exc)) from None
    if n > MAX_POINTS:
        raise ScenarioError.one(
            source,
            BLOCK,
            f"{n:,} points; expected at most {MAX_POINTS:,}: fewer factors or samples",
        )
    return spec


def _value_at(data: Any, path: str) -> Any:
    node = data
    for key in path.split("."):
        if not isinstance(node, Mapping) or key not in node:
            return None
        node = node[key]
    return node


# ------------------------------------------------------------------------------ analysis


def point_means(kpis: pd.DataFrame, names: Sequence[str], n_points: int) -> pd.DataFrame:
    """Each KPI's mean over a point's replications: one row per point (in order), one
    column per KPI."""
    mine = kpis[kpis["kpi"].isin(list(names))]
    wide = mine.pivot_table(index="point", columns="kpi", values="value", aggfunc="mean")
    return wide.reindex(index=range(n_points), columns=list(names))


def analyse(spec: SensitivitySpec, kpis: pd.DataFrame) -> pd.DataFrame:
    """The ranked table of a finished design: one row per KPI and factor (see
    :data:`RANKING_COLUMNS`), from the tidy ``kpis`` table (point, replication, kpi, value)
    of the sweep that ran it."""
    x = spec.matrix()
    means = point_means(kpis, spec.kpis, len(x))
    rows: list[dict[str, Any]] = []
    for name in spec.kpis:
        y = means[name].to_numpy(dtype=float)
        if not np.isfinite(y).all():
            continue  # a KPI some point has no value of (NaN): nothing sound to rank
        if spec.method == "oat":
            found = _oat(spec, kpis, name)
        elif spec.method == "morris":
            found = _morris(spec, x, y)
        else:
            found = _sobol(spec, y)
        order = np.argsort(-np.nan_to_num(np.array([r["importance"] for r in found]), nan=-1.0))
        for rank, i in enumerate(order, start=1):
            f = spec.factors[i]
            rows.append(
                {
                    "kpi": name,
                    "factor": f.path,
                    "method": spec.method,
                    "rank": rank,
                    "low": f.low,
                    "high": f.high,
                    **found[i],
                }
            )
    df = pd.DataFrame(rows)
    if df.empty:
        return pd.DataFrame(columns=list(RANKING_COLUMNS))
    rest = [c for c in df.columns if c not in RANKING_COLUMNS]
    return df[[*RANKING_COLUMNS, *rest]]


def _oat(spec: SensitivitySpec, kpis: pd.DataFrame, name: str) -> list[dict[str, float]]:
    mine = kpis[kpis["kpi"] == name]
    by = mine.pivot_table(index="replication", columns="point", values="value")
    base = float(by[0].mean())
    out = []
    for i in range(len(spec.factors)):
        lo, hi = by[1 + 2 * i], by[2 + 2 * i]
        diff = t_interval((hi - lo).to_numpy(dtype=float), CONFIDENCE)
        out.append(
            {
                "importance": abs(float(hi.mean()) - float(lo.mean())),
                "importance_conf": diff.half_width,
                "kpi_at_low": float(lo.mean()),
                "kpi_at_base": base,
                "kpi_at_high": float(hi.mean()),
            }
        )
    return out


def _morris(spec: SensitivitySpec, x: np.ndarray, y: np.ndarray) -> list[dict[str, float]]:
    from SALib.analyze import morris

    res = morris.analyze(
        factor_problem(spec.factors),
        x,
        y,
        num_levels=spec.levels,
        conf_level=CONFIDENCE,
        seed=spec.seed,
    )
    return [
        {
            "importance": float(res["mu_star"][i]),
            "importance_conf": float(res["mu_star_conf"][i]),
            "mu_star": float(res["mu_star"][i]),
            "mu_star_conf": float(res["mu_star_conf"][i]),
            "mu": float(res["mu"][i]),
            "sigma": float(res["sigma"][i]),
        }
        for i in range(len(spec.factors))
    ]


def _sobol(spec: SensitivitySpec, y: np.ndarray) -> list[dict[str, float]]:
    from SALib.analyze import sobol

    res = sobol.analyze(
        factor_problem(spec.factors),
        y,
        calc_second_order=False,
        conf_level=CONFIDENCE,
        seed=spec.seed,
    )
    return [
        {
            "importance": float(res["ST"][i]),
            "importance_conf": float(res["ST_conf"][i]),
            "S1": float(res["S1"][i]),
            "S1_conf": float(res["S1_conf"][i]),
            "ST": float(res["ST"][i]),
            "ST_conf": float(res["ST_conf"][i]),
        }
        for i in range(len(spec.factors))
    ]


# ------------------------------------------------------------------------------ running


@dataclass
class SensitivityResult:
    """A sensitivity analysis: its spec, the ranked table and the sweep that ran its points."""

    spec: SensitivitySpec
    ranking: pd.DataFrame
    sweep: SweepResult
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def path(self) -> Path | None:
        return self.sweep.path

    @property
    def manifest(self) -> dict[str, Any]:
        return self.sweep.manifest

    def top(self, kpi: str, n: int = 5) -> pd.DataFrame:
        """The ``n`` factors that move ``kpi`` most, in rank order."""
        return self.ranking[self.ranking["kpi"] == kpi].sort_values("rank").head(n)


def sensitivity(
    scenario: str | Path,
    *,
    method: Method | None = None,
    factors: Mapping[str, tuple[float, float]] | None = None,
    kpis: Sequence[str] | None = None,
    trajectories: int | None = None,
    levels: int | None = None,
    samples: int | None = None,
    design_seed: int | None = None,
    overrides: Mapping[str, Any] | None = None,
    seed: int | None = None,
    replications: int | None = None,
    workers: int | None = None,
    dask_scheduler: str | None = None,
    save: bool = True,
    out: str | Path | None = None,
    root: str | Path | None = DEFAULT_ROOT,
    resume: bool = False,
    progress: Progress | None = None,
) -> SensitivityResult:
    """Run the sensitivity analysis of ``scenario`` (see the module docstring) and return
    it; saved, its folder is a sweep folder with the ``sensitivity`` table (``--resume``
    continues an interrupted one)."""
    spec = read_spec(
        scenario,
        overrides=overrides,
        method=method,
        factors=factors,
        kpis=kpis,
        trajectories=trajectories,
        levels=levels,
        samples=samples,
        seed=design_seed,
    )
    result = run_design(
        spec,
        lambda points, analysis, about: sweep(
            scenario,
            points,
            overrides=overrides,
            seed=seed,
            replications=replications,
            workers=workers,
            dask_scheduler=dask_scheduler,
            save=save,
            out=out,
            root=root,
            resume=resume,
            progress=progress,
            analysis=analysis,
            about=about,
            stem=f"{Path(scenario).stem}-sensitivity",
        ),
    )
    return result


Runner = Callable[
    [list[Point], Callable[[SweepResult], Mapping[str, pd.DataFrame]], Mapping[str, Any]],
    SweepResult,
]
"""Runs the points of a design with an analysis (written with the results) and facts for the
manifest: the sweep machinery, or in tests a function of known sensitivity."""


def run_design(spec: SensitivitySpec, runner: Runner) -> SensitivityResult:
    """Run the points of ``spec`` with ``runner`` and rank the factors."""

    def analysis(result: SweepResult) -> dict[str, pd.DataFrame]:
        return {BLOCK: analyse(spec, result.kpis)}

    done = runner(spec.points(), analysis, {BLOCK: spec.record()})
    return SensitivityResult(spec, done.extras.get(BLOCK, analyse(spec, done.kpis)), done)


def load_sensitivity(result: SweepResult) -> SensitivityResult:
    """A loaded sweep folder of a sensitivity analysis, as one."""
    spec = SensitivitySpec.from_record(result.manifest[BLOCK])
    ranking = result.extras.get(BLOCK)
    if ranking is None:
        ranking = analyse(spec, result.kpis)
    return SensitivityResult(spec, ranking, result)
