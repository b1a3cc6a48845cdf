"""The least set-up that meets a target: a search over integer levers with a sound rule.

A planner asks for the cheapest set-up — officers, bays, lab slots, each an integer lever
over a range, costed by a weight per unit — whose KPIs meet targets, e.g. "the fewest import
officers for which the 90th percentile of import clearance is at most 24 h at twice today's
volume"::

    landport optimise scenarios/demand-2x.yaml --minimise customs.import.officers \\
        --subject-to "clearance_h.import.p90<=24" --over customs.import.officers=2:12

**The rule.** A set-up *meets* a target ``KPI <= T`` when the upper end of the Student-t
95 % confidence interval of the KPI's mean over its replications is at most ``T`` (for
``KPI >= T``, the lower end at least ``T``): the target holds with 97.5 % confidence one-
sided, not just on average. It *fails* it when the interval lies wholly on the wrong side,
and is *undecided* otherwise. The answer is the cheapest set-up that meets every target.

**More replications near the boundary.** Every set-up of the grid is first run with
``initial`` replications (one batch, common random numbers: all set-ups share their seeds).
Then, as long as a set-up cheaper than the best one proven so far is undecided, those
undecided set-ups are run again with twice the replications (up to ``max``), which narrows
their intervals until each is proven one way or the other. A set-up still undecided at
``max`` replications is not taken (it is not proven to meet the target) and is reported as
such, with its evidence.

Each round is an ordinary sweep (:func:`sim.experiment.sweep.sweep`: validated first,
parallel, resumable) written into the optimisation's folder as ``rounds/<i>/``; the folder
also holds ``evaluations.parquet`` / ``.csv`` (every set-up in every round: levers, cost,
replications, each target's KPI mean, interval and verdict) and ``manifest.json`` with the
answer. Like a sweep, the folder lives hidden (``.<name>.partial``) until it is whole, and
``resume`` continues an interrupted one of the same search.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import re
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sim.experiment.backends import Progress
from sim.experiment.design import Point, base_scenario, parse_span
from sim.experiment.manifest import manifest
from sim.experiment.runs import DEFAULT_ROOT, ScenarioLike, file_of
from sim.experiment.sweep import SweepResult, load_sweep, sweep
from sim.results import catalog, store
from sim.results.atomic import write_json
from sim.results.stats import t_interval
from sim.scenario import Issue, Scenario, ScenarioError, canonical
from sim.scenario.load import OVERRIDE, resolve

BLOCK = "optimise"
CONFIDENCE = 0.95
MAX_CANDIDATES = 500
"""Set-ups of one search: each is a point of the first round's sweep."""
PLAN_FILE = "optimise.json"
_CONSTRAINT = re.compile(r"^\s*([A-Za-z0-9_.]+)\s*(<=|>=)\s*([-+0-9.eE]+)\s*$")

Verdict = Literal["meets", "fails", "undecided"]


@dataclass(frozen=True)
class Constraint:
    """A target on a KPI's mean: ``kpi <= target`` or ``kpi >= target``."""

    kpi: str
    op: Literal["<=", ">="]
    target: float

    def __str__(self) -> str:
        return f"{self.kpi} {self.op} {self.target:g}"

    def verdict(self, low: float, high: float) -> Verdict:
        """Whether the interval [low, high] of the KPI's mean meets the target, fails it, or
        does not decide (a NaN interval decides nothing)."""
        if self.op == "<=":
            if high <= self.target:
                return "meets"
            return "fails" if low > self.target else "undecided"
        if low >= self.target:
            return "meets"
        return "fails" if high < self.target else "undecided"


def parse_constraint(text: str, source: str = OVERRIDE) -> Constraint:
    """``"clearance_h.import.p90<=24"`` → Constraint."""
    m = _CONSTRAINT.match(text)
    if m is None:
        raise ScenarioError.one(
            source,
            text,
            "expected a target as KPI<=VALUE or KPI>=VALUE, e.g. clearance_h.import.p90<=24",
        )
    return Constraint(m.group(1), m.group(2), float(m.group(3)))  # type: ignore[arg-type]


@dataclass(frozen=True)
class IntegerLever:
    """An integer lever over ``[low, high]``; each unit costs ``weight``."""

    path: str
    low: int
    high: int
    weight: float


@dataclass(frozen=True)
class OptimiseSpec:
    """What to minimise, over what, subject to which targets, and how hard to look."""

    levers: tuple[IntegerLever, ...]
    constraints: tuple[Constraint, ...]
    initial_replications: int = 3
    max_replications: int = 48

    def candidates(self) -> list[Point]:
        """Every set-up of the grid, cheapest first (ties: the lever values in order)."""
        grid = [
            dict(zip([lv.path for lv in self.levers], combo, strict=True))
            for combo in itertools.product(*(range(lv.low, lv.high + 1) for lv in self.levers))
        ]
        return sorted(grid, key=lambda p: (self.cost(p), *p.values()))

    def cost(self, point: Mapping[str, Any]) -> float:
        return float(sum(lv.weight * point[lv.path] for lv in self.levers))

    def record(self) -> dict[str, Any]:
        return {
            "minimise": {lv.path: lv.weight for lv in self.levers},
            "over": {lv.path: [lv.low, lv.high] for lv in self.levers},
            "subject_to": [str(c) for c in self.constraints],
            "confidence": CONFIDENCE,
            "replications": {"initial": self.initial_replications, "max": self.max_replications},
        }


class _Block(BaseModel):
    """The ``optimise:`` block of a scenario file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    minimise: str | dict[str, float] | None = None
    over: dict[str, tuple[int, int]] = Field(default_factory=dict, max_length=10)
    subject_to: list[str] = Field(default_factory=list, max_length=20)
    replications: dict[Literal["initial", "max"], int] = Field(default_factory=dict)


def read_spec(
    scenario: ScenarioLike,
    *,
    minimise: Mapping[str, float] | None = None,
    over: Mapping[str, tuple[int, int]] | None = None,
    subject_to: Sequence[str] = (),
    initial_replications: int | None = None,
    max_replications: int | None = None,
) -> OptimiseSpec:
    """The search of a scenario file's ``optimise:`` block with the command line's choices on
    top; every problem is one error naming the file (or ``--set``) and the field."""
    block: Mapping[str, Any] = {}
    source = OVERRIDE
    if not isinstance(scenario, Scenario):
        data, prov = resolve(scenario)
        raw = data.get(BLOCK)
        source = prov.get((BLOCK,), str(scenario))
        if raw is not None and not isinstance(raw, Mapping):
            raise ScenarioError.one(source, BLOCK, f"expected a mapping, found {raw!r}")
        block = raw or {}
    return spec_of(
        block,
        source,
        minimise=minimise,
        over=over,
        subject_to=subject_to,
        initial_replications=initial_replications,
        max_replications=max_replications,
    )


def spec_of(
    block: Mapping[str, Any],
    source: str,
    *,
    minimise: Mapping[str, float] | None = None,
    over: Mapping[str, tuple[int, int]] | None = None,
    subject_to: Sequence[str] = (),
    initial_replications: int | None = None,
    max_replications: int | None = None,
) -> OptimiseSpec:
    """The search of an ``optimise:`` block (read from ``source``) with the given choices on
    top (see :func:`read_spec`)."""
    try:
        b = _Block.model_validate(block)
    except ValidationError as exc:
        raise ScenarioError(
            [
                Issue(source, ".".join([BLOCK, *(str(p) for p in e["loc"])]), str(e["msg"]))
                for e in exc.errors()
            ]
        ) from None
    ranges = {**b.over, **dict(over or {})}
    weights: dict[str, float] = (
        {b.minimise: 1.0} if isinstance(b.minimise, str) else dict(b.minimise or {})
    )
    weights.update(minimise or {})
    targets = [parse_constraint(t, source) for t in b.subject_to]
    targets += [parse_constraint(t) for t in subject_to]
    where = f"{BLOCK}"
    if not ranges:
        raise ScenarioError.one(source, f"{where}.over", "no levers: give --over PATH=LOW:HIGH")
    if not targets:
        raise ScenarioError.one(
            source, f"{where}.subject_to", "no target: give --subject-to KPI<=VALUE"
        )
    unknown = [p for p in weights if p not in ranges]
    if unknown:
        raise ScenarioError.one(
            source, f"{where}.minimise", f"{unknown[0]!r} is not one of the levers in over"
        )
    levers = []
    for path, (low, high) in ranges.items():
        if not (isinstance(low, int) and isinstance(high, int) and low <= high):
            raise ScenarioError.one(
                source,
                f"{where}.over.{path}",
                f"expected whole numbers LOW <= HIGH, found {low}, {high}",
            )
        weight = weights.get(path, 0.0 if weights else 1.0)
        if not weight >= 0:
            raise ScenarioError.one(source, f"{where}.minimise.{path}", "expected a weight >= 0")
        levers.append(IntegerLever(path, low, high, float(weight)))
    reps = dict(b.replications)
    initial = initial_replications or reps.get("initial", 3)
    most = max_replications or reps.get("max", 48)
    if not 2 <= initial <= most:
        raise ScenarioError.one(
            source,
            f"{where}.replications",
            f"expected 2 <= initial ({initial}) <= max ({most}): an interval needs two",
        )
    spec = OptimiseSpec(tuple(levers), tuple(targets), initial, most)
    n = len(spec.candidates())
    if n > MAX_CANDIDATES:
        raise ScenarioError.one(
            source, f"{where}.over", f"{n:,} set-ups; expected at most {MAX_CANDIDATES}"
        )
    return spec


def parse_range(text: str) -> tuple[str, tuple[int, int]]:
    """``"customs.import.officers=2:12"`` → (path, (2, 12))."""
    return parse_span(text, "a lever (whole numbers)", int, "customs.import.officers=2:12")


def parse_weight(text: str) -> tuple[str, float]:
    """``"customs.import.officers"`` → weight 1; ``"customs.inspection.bays=3"`` → 3."""
    path, sep, raw = text.partition("=")
    try:
        return path.strip(), float(raw) if sep else 1.0
    except ValueError:
        raise ScenarioError.one(OVERRIDE, text, "expected PATH or PATH=WEIGHT") from None


# ------------------------------------------------------------------------------ the search


@dataclass
class OptimiseResult:
    """The answer (the cheapest set-up proven to meet every target, or None) and its
    evidence: every set-up's verdict in every round."""

    spec: OptimiseSpec
    answer: dict[str, Any] | None
    evaluations: pd.DataFrame
    manifest: dict[str, Any]
    path: Path | None = None
    rounds: list[SweepResult] = field(default_factory=list, repr=False)

    def final(self) -> pd.DataFrame:
        """Each set-up's last evaluation (one row per set-up and target), cheapest first."""
        ev = self.evaluations
        last = ev.groupby("candidate")["round"].transform("max")
        return ev[ev["round"] == last].sort_values(["cost", "candidate"]).reset_index(drop=True)

    def summary(self) -> str:
        """The answer in one sentence."""
        targets = " and ".join(str(c) for c in self.spec.constraints)
        if self.answer is None:
            verdicts = self.final().groupby("candidate")["verdict"].agg(set)
            fails = sum("fails" in v for v in verdicts)
            return (
                f"No set-up in the range is proven to meet {targets} "
                f"(upper 95 % bound, up to {self.spec.max_replications} replications): "
                f"{fails} of {len(verdicts)} fail it, {len(verdicts) - fails} undecided."
            )
        setup = ", ".join(f"{p} = {v}" for p, v in self.answer["levers"].items())
        return f"Least set-up meeting {targets}: {setup} (cost {self.answer['cost']:g})."


def _spec_hash(spec: OptimiseSpec, base: Mapping[str, Any]) -> str:
    text = json.dumps({"spec": spec.record(), "base": base}, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def optimise(
    scenario: ScenarioLike,
    *,
    minimise: Mapping[str, float] | None = None,
    over: Mapping[str, tuple[int, int]] | None = None,
    subject_to: Sequence[str] = (),
    initial_replications: int | None = None,
    max_replications: int | None = None,
    overrides: Mapping[str, Any] | None = None,
    seed: int | None = None,
    workers: int | None = None,
    dask_scheduler: str | None = None,
    save: bool = True,
    out: str | Path | None = None,
    root: str | Path | None = DEFAULT_ROOT,
    resume: bool = False,
    progress: Progress | None = None,
) -> OptimiseResult:
    """Find the least set-up of ``scenario`` that meets the targets (see the module
    docstring)."""
    spec = read_spec(
        scenario,
        minimise=minimise,
        over=over,
        subject_to=subject_to,
        initial_replications=initial_replications,
        max_replications=max_replications,
    )
    started = time.perf_counter()
    base = {
        "scenario": canonical(scenario) if isinstance(scenario, Scenario) else str(scenario),
        "overrides": {k: str(v) for k, v in (overrides or {}).items()},
        "seed": seed,
    }
    digest = _spec_hash(spec, base)
    stem = store.safe_stem(
        (scenario.name if isinstance(scenario, Scenario) else Path(scenario).stem) + "-optimise"
    )
    work = _work_folder(store.results_root(root), out, stem, digest, resume) if save else None
    if work is not None:
        write_json(work / PLAN_FILE, {"spec_hash": digest, **spec.record(), **base})
    candidates = spec.candidates()
    reps = dict.fromkeys(range(len(candidates)), spec.initial_replications)
    pending = list(range(len(candidates)))
    rows: list[dict[str, Any]] = []
    rounds: list[SweepResult] = []
    verdicts: dict[int, Verdict] = {}
    i = 0
    while pending:
        i += 1
        by_reps: dict[int, list[int]] = {}
        for k in pending:
            by_reps.setdefault(reps[k], []).append(k)
        for n, ks in sorted(by_reps.items()):
            sub = f"rounds/{i}" if len(by_reps) == 1 else f"rounds/{i}-{n}"
            swept = sweep(
                scenario,
                [candidates[k] for k in ks],
                overrides=overrides,
                seed=seed,
                replications=n,
                workers=workers,
                dask_scheduler=dask_scheduler,
                save=work is not None,
                out=work / sub if work is not None else None,
                root=root,
                resume=resume,
                register=False,
                progress=progress,
            )
            rounds.append(swept)
            for j, k in enumerate(ks):
                verdicts[k] = _judge(spec, swept, j, i, k, candidates[k], n, sub, rows)
        best = next((k for k in range(len(candidates)) if verdicts.get(k) == "meets"), None)
        limit = len(candidates) if best is None else best
        pending = []
        for k in range(limit):
            if verdicts.get(k) == "undecided" and reps[k] < spec.max_replications:
                reps[k] = min(2 * reps[k], spec.max_replications)
                pending.append(k)
    best = next((k for k in range(len(candidates)) if verdicts.get(k) == "meets"), None)
    answer = None
    if best is not None:
        answer = {
            "candidate": best,
            "levers": candidates[best],
            "cost": spec.cost(candidates[best]),
            "replications": reps[best],
        }
    evaluations = pd.DataFrame(rows)
    man = manifest(
        kind="optimise",
        run_id=catalog.new_run_id(),
        scenario=scenario.name if isinstance(scenario, Scenario) else Path(scenario).stem,
        scenario_file=file_of(scenario),
        spec_hash=digest,
        seed=seed if seed is not None else base_scenario(scenario, overrides).seed,
        replications=max(reps.values()),
        optimise=spec.record(),
        answer=answer,
        undecided=[candidates[k] for k, v in verdicts.items() if v == "undecided"],
        rounds=i,
        overrides=base["overrides"],
        wall_s=round(time.perf_counter() - started, 3),
    )
    result = OptimiseResult(spec, answer, evaluations, man, None, rounds)
    if work is not None:
        result.path = _publish(work, evaluations, man)
        result.manifest["folder"] = str(result.path)
        for swept in rounds:  # each round's sweep moved with the folder it was written in
            if swept.path is not None:
                swept.path = result.path / swept.path.relative_to(work)
        catalog.try_register(result.path, root)
    return result


def _judge(
    spec: OptimiseSpec,
    swept: SweepResult,
    j: int,
    i: int,
    k: int,
    point: Point,
    n: int,
    where: str,
    rows: list[dict[str, Any]],
) -> Verdict:
    """The verdict of point ``j`` of a round's sweep on every target (rows of the evidence)."""
    kp = swept.kpis
    found: list[Verdict] = []
    for c in spec.constraints:
        values = kp.loc[(kp["point"] == j) & (kp["kpi"] == c.kpi), "value"].to_numpy(float)
        if len(values) == 0:
            raise ScenarioError.one(
                OVERRIDE,
                str(c),
                f"no KPI {c.kpi!r} in the runs; check its name (landport run --all)",
            )
        ci = t_interval(values, CONFIDENCE)
        low, high = ci.mean - ci.half_width, ci.mean + ci.half_width
        v = c.verdict(low, high)
        found.append(v)
        rows.append(
            {
                "round": i,
                "candidate": k,
                **point,
                "cost": spec.cost(point),
                "replications": n,
                "target": str(c),
                "kpi": c.kpi,
                "mean": ci.mean,
                "half_width": ci.half_width,
                "low": low,
                "high": high,
                "verdict": v,
                "sweep": where,
                "point": j,
            }
        )
    if "fails" in found:
        return "fails"
    return "meets" if all(v == "meets" for v in found) else "undecided"


def _work_folder(root: Path, out: str | Path | None, stem: str, digest: str, resume: bool) -> Path:
    """The hidden work folder of a search: created, or found again with ``resume``."""
    if out is not None:
        dest = Path(out)
        store.check_name(dest, extra=len(".partial") + 1)
        if os.path.lexists(dest):
            raise FileExistsError(f"{dest}: already exists; a results folder is never overwritten")
        partial = dest.parent / f".{dest.name}.partial"
        if os.path.lexists(partial):
            if not resume:
                raise FileExistsError(
                    f"{dest}: an unfinished optimisation is in {partial}; continue it with "
                    "--resume, or remove that folder"
                )
            _check_plan(partial, digest)
            return partial
        partial.mkdir(parents=True)
        return partial
    if resume and root.is_dir():
        found = [
            p
            for p in root.iterdir()
            if p.name.startswith(".")
            and p.name.endswith(".partial")
            and p.is_dir()
            and not p.is_symlink()
            and _plan_hash(p) == digest
        ]
        if found:
            return max(found, key=lambda p: p.stat().st_mtime)
    root.mkdir(parents=True, exist_ok=True)
    dest = store.unique_folder(root, stem)
    partial = dest.parent / f".{dest.name}.partial"
    partial.mkdir()
    return partial


def _plan_hash(folder: Path) -> str | None:
    try:
        plan = json.loads((folder / PLAN_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return plan.get("spec_hash") if isinstance(plan, dict) else None


def _check_plan(partial: Path, digest: str) -> None:
    if _plan_hash(partial) != digest:
        raise store.RunFolderError(
            f"{partial}: an unfinished optimisation of another search; it cannot be resumed "
            "with these levers and targets"
        )


def _publish(work: Path, evaluations: pd.DataFrame, man: dict[str, Any]) -> Path:
    with store.writing(work):
        evaluations.to_parquet(work / "evaluations.parquet", index=False)
        evaluations.to_csv(work / "evaluations.csv", index=False)
    dest = work.parent / work.name[1 : -len(".partial")]

    def finish(folder: Path, final: Path) -> None:
        write_json(folder / "manifest.json", {**man, "folder": str(final)})

    return store.publish(work, dest, finish)


def load_optimise(folder: str | Path) -> OptimiseResult:
    """Read an optimisation folder back (its rounds' sweeps are read on demand)."""
    folder = Path(folder)
    man = store.read_manifest(folder)
    if man.get("kind") != "optimise":
        raise store.RunFolderError(
            f"{folder}: not an optimisation folder (kind {man.get('kind')!r})"
        )
    plan = man.get("optimise") or {}
    try:
        spec = spec_of(
            {},
            str(folder / "manifest.json"),
            minimise=plan["minimise"],
            over={p: (int(a), int(b)) for p, (a, b) in plan["over"].items()},
            subject_to=plan["subject_to"],
            initial_replications=int(plan["replications"]["initial"]),
            max_replications=int(plan["replications"]["max"]),
        )
    except (KeyError, TypeError, ValueError, ScenarioError):
        raise store.RunFolderError(
            f"{folder / 'manifest.json'}: optimise: not a readable search"
        ) from None
    evaluations = store.read_table(folder, "evaluations", ("round", "candidate", "verdict"))
    rounds = []
    if (folder / "rounds").is_dir():
        found = [p for p in (folder / "rounds").iterdir() if p.is_dir()]
        for p in sorted(found, key=lambda p: [int(x) for x in re.findall(r"\d+", p.name)]):
            rounds.append(load_sweep(p))
    return OptimiseResult(spec, man.get("answer"), evaluations, man, folder, rounds)
