"""The baseline regression check: do the planners' KPIs still come out as they did?

``landport check`` runs the committed baseline scenario with its committed seed and number of
replications and compares a short list of KPIs — clearance time import and export (mean,
p90), trains run in all and per corridor, TEU per corridor and direction, hub dwell import
and export — with the values recorded in ``tests/regression/baseline_kpis.json``. The file is
a *regression* record, not truth: it says what the model gave when it was last regenerated
(``landport check --update``), and with which scenario, seed, code and package versions.

Two comparisons are made.

**Statistical band.** The baseline and the new run are two independent samples of
replication means, so for each KPI the difference of means ``d = now − baseline`` is judged
against ``band = t(1 − α/2, ν) · sqrt(se_b² + se_n²)`` with ``se = std / sqrt(n)`` over
replications, α = 1 % (:data:`CONFIDENCE` 99 %) and ν the Welch–Satterthwaite degrees of
freedom. A KPI fails when ``|d| > band``. With 99 % bands a model that did not change
raises a false alarm on one KPI in a hundred at most; a change of a few standard errors is
caught. Some KPIs do not vary between replications (the train count of a fixed timetable):
their standard error is zero and the t band would be zero, so counts (trains, TEU) get a
floor of half a unit (:data:`COUNT_FLOOR`) — a change in one replication passes, a change of
the count in most replications fails. A continuous KPI with zero variance has no floor.

**Exact.** A replication is a pure function of (scenario, seed, replication number), so the
same scenario, seed and code must give the same numbers bit for bit. The file records every
replication's value of every KPI; the check reports whether they are identical. Identity is
*required* (a difference fails the check) when asked with ``exact=True``, and automatically
when the scenario, seed, replications and the code fingerprint (:func:`code_fingerprint`:
the source of every layer that determines the numbers, plus the numerical packages'
versions) are those that produced the file — then a difference means reproducibility is
broken. Otherwise a difference within the band is reported, not failed: the model changed
and its numbers moved by less than the noise.
"""

from __future__ import annotations

import datetime as dt
import importlib.metadata as md
import json
import math
import platform
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from sim.experiment.api import run as run_scenario
from sim.experiment.backends import Progress
from sim.experiment.fingerprint import NUMERIC_PACKAGES, code_fingerprint
from sim.experiment.manifest import git_commit, package_versions, run_info
from sim.results.atomic import write_text
from sim.results.formatting import is_count
from sim.results.kpis import KPIS, unit
from sim.results.published import PUBLISHED_2023, TOLERANCE, WINDOW
from sim.results.run import RunResult
from sim.results.runinfo import RunInfo
from sim.results.stats import t_interval, t_quantile
from sim.scenario import Scenario, load_scenario, scenario_hash

FORMAT = 1
"""Version of the baseline file's layout."""
DEFAULT_BASELINE = Path("tests/regression/baseline_kpis.json")
DEFAULT_SCENARIO = Path("scenarios/baseline.yaml")
REGENERATE = "landport check --update"
"""The one command that rewrites the baseline file (from the repository root)."""
CONFIDENCE = 0.99
"""Confidence of the allowed band of a difference of means."""
RECORDED_CONFIDENCE = 0.95
"""Confidence of the half-widths written to the file (as in every KPI summary)."""
COUNT_FLOOR = 0.5
"""Smallest band of a count KPI (trains, TEU), in its unit."""


class BaselineError(ValueError):
    """The baseline file is missing, unreadable or not a baseline file."""


# ---------------------------------------------------------------------------- what is checked


def checked_kpis(scenario: Scenario | RunInfo) -> list[str]:
    """The KPIs the check compares, in table order, for a scenario's (or a run's) corridors
    and hub: the regression-checked families of the KPI registry."""
    info = scenario if isinstance(scenario, RunInfo) else run_info(scenario)
    return KPIS.names(info, "checked")


def _versions() -> dict[str, str]:
    return package_versions(NUMERIC_PACKAGES, python=False)


def _landport_version() -> str:
    try:
        return md.version("landport")
    except md.PackageNotFoundError:
        return "unknown"


# ---------------------------------------------------------------------------- records


@dataclass(frozen=True)
class KpiRecord:
    """One KPI over the replications of a run: its summary and every replication's value."""

    name: str
    unit: str
    mean: float
    half_width: float
    std: float
    n: int
    values: tuple[float, ...]

    @property
    def se(self) -> float:
        """Standard error of the mean (0 when the KPI did not vary or n < 2)."""
        if self.n < 2 or not math.isfinite(self.std):
            return 0.0
        return self.std / math.sqrt(self.n)

    @classmethod
    def of(cls, name: str, values: Sequence[float] | np.ndarray) -> KpiRecord:
        ci = t_interval(np.asarray(values, dtype=float), RECORDED_CONFIDENCE)
        return cls(
            name, unit(name), ci.mean, ci.half_width, ci.std, ci.n, tuple(float(v) for v in values)
        )


@dataclass(frozen=True)
class Baseline:
    """The content of a baseline file."""

    scenario_file: str
    scenario_name: str
    scenario_hash: str
    seed: int
    replications: int
    kpis: dict[str, KpiRecord]
    code_fingerprint: str
    landport_version: str
    git_commit: str | None
    versions: dict[str, str] = field(default_factory=dict)
    created_at: str = ""


def record(result: RunResult, scenario: Scenario, scenario_file: str | Path) -> Baseline:
    """The baseline record of ``result``, a run of ``scenario`` (read from ``scenario_file``)."""
    wide = result.wide()
    kpis = {}
    for name in checked_kpis(result.info):
        values = wide[name].to_numpy(dtype=float) if name in wide else np.full(len(wide), np.nan)
        kpis[name] = KpiRecord.of(name, values)
    return Baseline(
        scenario_file=Path(scenario_file).as_posix(),
        scenario_name=scenario.name,
        scenario_hash=scenario_hash(scenario),
        seed=int(result.manifest["seed"]),
        replications=int(result.manifest["replications"]),
        kpis=kpis,
        code_fingerprint=str(result.manifest.get("code_fingerprint") or code_fingerprint()),
        landport_version=_landport_version(),
        git_commit=git_commit(),
        versions={"python": platform.python_version(), **_versions()},
        created_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    )


def _num(x: float) -> float | None:
    return x if math.isfinite(x) else None


def to_json(baseline: Baseline) -> str:
    """The file's text: stable key order, one KPI per block, exact floats (``repr``)."""
    data = {
        "format": FORMAT,
        "about": (
            "Regression values of the baseline scenario, not truth. Written by "
            f"`{REGENERATE}`; regenerate only for an intended model or scenario change."
        ),
        "scenario_file": baseline.scenario_file,
        "scenario_name": baseline.scenario_name,
        "scenario_hash": baseline.scenario_hash,
        "seed": baseline.seed,
        "replications": baseline.replications,
        "recorded_confidence": RECORDED_CONFIDENCE,
        "landport_version": baseline.landport_version,
        "git_commit": baseline.git_commit,
        "code_fingerprint": baseline.code_fingerprint,
        "versions": baseline.versions,
        "created_at": baseline.created_at,
        "kpis": {
            name: {
                "unit": r.unit,
                "mean": _num(r.mean),
                "half_width": _num(r.half_width),
                "std": _num(r.std),
                "n": r.n,
                "values": [_num(v) for v in r.values],
            }
            for name, r in baseline.kpis.items()
        },
    }
    return json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def write_baseline(path: str | Path, baseline: Baseline) -> Path:
    """Write the baseline file at ``path`` (replacing it atomically)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    return write_text(path, to_json(baseline))


def _float(value: Any, where: str) -> float:
    if value is None:
        return float("nan")
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise BaselineError(f"{where}: expected a number, found {value!r}")
    return float(value)


def read_baseline(path: str | Path) -> Baseline:
    """Read and check a baseline file; every problem is a :class:`BaselineError`."""
    path = Path(path)
    fix = f"regenerate it with `{REGENERATE}` (or pass --baseline FILE)"
    if not path.is_file():
        raise BaselineError(f"{path}: no such baseline file; {fix}")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise BaselineError(
            f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}); {fix}"
        ) from None
    except (UnicodeDecodeError, OSError) as exc:
        raise BaselineError(f"{path}: cannot be read ({exc}); {fix}") from None
    if not isinstance(data, dict):
        raise BaselineError(f"{path}: expected a JSON object, found {type(data).__name__}; {fix}")
    if data.get("format") != FORMAT:
        raise BaselineError(
            f"{path}: format {data.get('format')!r}, expected {FORMAT}: not a baseline file "
            f"of this version; {fix}"
        )
    required = ("scenario_file", "scenario_hash", "seed", "replications", "kpis")
    missing = [k for k in required if k not in data]
    if missing:
        raise BaselineError(f"{path}: missing field(s) {', '.join(missing)}; {fix}")
    raw = data["kpis"]
    if not isinstance(raw, dict) or not raw:
        raise BaselineError(f"{path}: kpis: expected a non-empty object; {fix}")
    kpis = {}
    for name, r in raw.items():
        where = f"{path}: kpis.{name}"
        if not isinstance(r, dict):
            raise BaselineError(f"{where}: expected an object; {fix}")
        lost = [k for k in ("mean", "std", "n", "values") if k not in r]
        if lost:
            raise BaselineError(f"{where}: missing field(s) {', '.join(lost)}; {fix}")
        values = r["values"]
        if not isinstance(values, list) or not values:
            raise BaselineError(f"{where}.values: expected a non-empty list; {fix}")
        n = r["n"]
        if isinstance(n, bool) or not isinstance(n, int) or n < 0:
            raise BaselineError(f"{where}.n: expected a count, found {n!r}; {fix}")
        kpis[name] = KpiRecord(
            name=name,
            unit=str(r.get("unit", unit(name))),
            mean=_float(r["mean"], f"{where}.mean"),
            half_width=_float(r.get("half_width"), f"{where}.half_width"),
            std=_float(r["std"], f"{where}.std"),
            n=n,
            values=tuple(_float(v, f"{where}.values") for v in values),
        )
    return Baseline(
        scenario_file=str(data["scenario_file"]),
        scenario_name=str(data.get("scenario_name", "")),
        scenario_hash=str(data["scenario_hash"]),
        seed=int(data["seed"]),
        replications=int(data["replications"]),
        kpis=kpis,
        code_fingerprint=str(data.get("code_fingerprint", "")),
        landport_version=str(data.get("landport_version", "")),
        git_commit=data.get("git_commit"),
        versions=dict(data.get("versions") or {}),
        created_at=str(data.get("created_at", "")),
    )


# ---------------------------------------------------------------------------- comparison


def allowed_band(base: KpiRecord, now: KpiRecord, confidence: float = CONFIDENCE) -> float:
    """Largest |now.mean − base.mean| that passes (see the module docstring for the rule)."""
    floor = COUNT_FLOOR if is_count(base.unit) else 0.0
    vb, vn = base.se**2, now.se**2
    if vb + vn == 0:
        return floor
    dof = (vb + vn) ** 2 / (
        (vb**2 / (base.n - 1) if vb else 0.0) + (vn**2 / (now.n - 1) if vn else 0.0)
    )
    t = t_quantile(0.5 + confidence / 2, dof)
    return max(t * math.sqrt(vb + vn), floor)


def _same(a: Sequence[float], b: Sequence[float]) -> bool:
    return len(a) == len(b) and all(
        x == y or (math.isnan(x) and math.isnan(y)) for x, y in zip(a, b, strict=True)
    )


@dataclass(frozen=True)
class CheckRow:
    """One KPI's comparison."""

    name: str
    unit: str
    base: KpiRecord | None
    now: KpiRecord | None
    difference: float
    band: float
    within: bool
    identical: bool
    exact_required: bool
    published: float | None

    @property
    def status(self) -> str:
        """``ok``, ``changed`` (within band, numbers differ), ``NOT EXACT``, ``REGRESSION``,
        ``missing`` (in the baseline, not produced now) or ``new`` (not in the baseline)."""
        if self.base is None:
            return "new"
        if self.now is None or not math.isfinite(self.now.mean):
            return "missing"
        if not self.within:
            return "REGRESSION"
        if self.identical:
            return "ok"
        return "NOT EXACT" if self.exact_required else "changed"


@dataclass
class CheckReport:
    """The outcome of a check: one row per KPI and what was compared with what."""

    rows: list[CheckRow]
    baseline: Baseline
    baseline_path: Path
    current: Baseline
    exact_required: bool
    exact_reason: str
    notes: list[str] = field(default_factory=list)
    wall_s: float = float("nan")
    summary: Any = None
    """The run's full KPI summary (DataFrame), for the published-figures table."""
    window: tuple[dt.date, dt.date] | None = None
    """First and last day the run simulated."""
    info: RunInfo | None = None
    """What the run covered: its hub and resources, for the health diagnosis."""

    @property
    def comparable_to_published(self) -> bool:
        """Whether the run covers exactly the period of the published 2023 figures."""
        return self.window == WINDOW and self.summary is not None

    @property
    def band_failures(self) -> list[CheckRow]:
        return [r for r in self.rows if r.status in ("REGRESSION", "missing")]

    @property
    def not_identical(self) -> list[CheckRow]:
        return [
            r for r in self.rows if r.base is not None and r.now is not None and not r.identical
        ]

    @property
    def exact_failures(self) -> list[CheckRow]:
        return self.not_identical if self.exact_required else []

    @property
    def passed(self) -> bool:
        return not self.band_failures and not self.exact_failures

    @property
    def exit_code(self) -> int:
        return 0 if self.passed else 1


def compare(
    baseline: Baseline,
    current: Baseline,
    *,
    exact: bool = False,
    confidence: float = CONFIDENCE,
    baseline_path: str | Path = DEFAULT_BASELINE,
) -> CheckReport:
    """Compare a new run's record with the baseline's, KPI by KPI."""
    same_inputs = (
        baseline.scenario_hash == current.scenario_hash
        and baseline.seed == current.seed
        and baseline.replications == current.replications
    )
    same_code = bool(baseline.code_fingerprint) and (
        baseline.code_fingerprint == current.code_fingerprint
    )
    if exact:
        required, reason = True, "required (--exact)"
    elif same_inputs and same_code:
        required, reason = True, "required: same scenario, seed, replications and code"
    else:
        required, reason = (
            False,
            "informational: "
            + (
                "the code changed since the baseline was recorded"
                if same_inputs
                else "the scenario, seed or replications differ from the baseline's"
            ),
        )
    notes = []
    if baseline.scenario_hash != current.scenario_hash:
        notes.append(
            f"scenario differs from the one that produced the baseline "
            f"(hash {baseline.scenario_hash} → {current.scenario_hash})"
        )
    if baseline.seed != current.seed or baseline.replications != current.replications:
        notes.append(
            f"seed / replications differ from the baseline's "
            f"({baseline.seed}/{baseline.replications} → {current.seed}/{current.replications})"
        )
    if min(baseline.replications, current.replications) < 2:
        notes.append(
            "fewer than 2 replications: no standard error, so the band is the count floor "
            "(or zero) and any other change fails"
        )
    names = list(baseline.kpis) + [n for n in current.kpis if n not in baseline.kpis]
    rows = []
    for name in names:
        base, now = baseline.kpis.get(name), current.kpis.get(name)
        if base is None or now is None or not math.isfinite(now.mean):
            diff, band, within, identical = float("nan"), float("nan"), False, False
        else:
            diff = now.mean - base.mean
            band = allowed_band(base, now, confidence)
            within = abs(diff) <= band
            identical = _same(base.values, now.values)
        rows.append(
            CheckRow(
                name=name,
                unit=(base or now).unit,  # type: ignore[union-attr]
                base=base,
                now=now,
                difference=diff,
                band=band,
                within=within,
                identical=identical,
                exact_required=required,
                published=PUBLISHED_2023.get(name),
            )
        )
    return CheckReport(
        rows=rows,
        baseline=baseline,
        baseline_path=Path(baseline_path),
        current=current,
        exact_required=required,
        exact_reason=reason,
        notes=notes,
    )


def run_check(
    scenario_file: str | Path = DEFAULT_SCENARIO,
    baseline_file: str | Path = DEFAULT_BASELINE,
    *,
    exact: bool = False,
    overrides: Mapping[str, Any] | None = None,
    workers: int | None = None,
    progress: Progress | None = None,
) -> CheckReport:
    """Run the scenario with its seed and replications and compare it with the baseline file.

    The baseline file is read first, so a missing or corrupt file fails before anything runs.
    """
    baseline = read_baseline(baseline_file)
    scenario = load_scenario(scenario_file, overrides)
    result = run_scenario(scenario, workers=workers, save=False, progress=progress)
    current = record(result, scenario, scenario_file)
    report = compare(baseline, current, exact=exact, baseline_path=baseline_file)
    report.wall_s = float(result.manifest["wall_s"])
    report.summary = result.summary
    report.window = (scenario.start, scenario.end)
    report.info = result.info
    return report


def update_baseline(
    scenario_file: str | Path = DEFAULT_SCENARIO,
    baseline_file: str | Path = DEFAULT_BASELINE,
    *,
    workers: int | None = None,
    progress: Progress | None = None,
) -> tuple[Baseline, CheckReport | None]:
    """Run the scenario and rewrite the baseline file from it.

    Returns the new record and, when an old baseline file could be read, the comparison of the
    new run with it (so the change can be reviewed before committing the file).
    """
    try:
        old: Baseline | None = read_baseline(baseline_file)
    except BaselineError:
        old = None
    scenario = load_scenario(scenario_file)
    result = run_scenario(scenario, workers=workers, save=False, progress=progress)
    new = record(result, scenario, scenario_file)
    report = None
    if old is not None:
        report = compare(old, new, baseline_path=baseline_file)
        report.wall_s = float(result.manifest["wall_s"])
        report.summary = result.summary
        report.window = (scenario.start, scenario.end)
        report.info = result.info
    write_baseline(baseline_file, new)
    return new, report


def calibration(summary: Any) -> list[tuple[str, float, float, float, float, bool]]:
    """Published 2023 figure vs the run's mean: (kpi, published, mean, half-width, relative
    deviation, within the calibration tolerance)."""
    rows = summary.set_index("kpi")
    out = []
    for name, published in PUBLISHED_2023.items():
        if name not in rows.index:
            continue
        mean = float(rows.loc[name, "mean"])
        hw = float(rows.loc[name, "half_width"])
        dev = (mean - published) / published
        out.append((name, published, mean, hw, dev, abs(dev) <= TOLERANCE[name]))
    return out
