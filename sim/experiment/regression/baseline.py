"""The baseline file: what the planners' KPIs were when the baseline was last recorded.

``tests/regression/baseline_kpis.json`` is a *regression* record, not truth: it says what
the model gave when it was last regenerated (``landport check --update``), and with which
scenario, seed, code and package versions. For every checked KPI (:func:`checked_kpis`) it
holds the mean over replications, its 95 % half-width, the standard deviation, n and every
replication's value, so the check can compare distributions and, bit for bit, numbers.

The file is the :class:`Baseline` model written as JSON: its fields in order, one KPI per
block, exact floats (``repr``), a missing value (NaN) as ``null``. Reading validates it
against the model; a problem is a :class:`BaselineError` naming the file, the field and what
was expected.
"""

from __future__ import annotations

import datetime as dt
import importlib.metadata as md
import json
import math
import platform
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any, Final, Literal

import numpy as np
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    Strict,
    ValidationError,
)

from sim.experiment.fingerprint import NUMERIC_PACKAGES, code_fingerprint
from sim.experiment.manifest import git_commit, package_versions, run_info
from sim.results.atomic import write_text
from sim.results.kpis import KPIS, unit
from sim.results.run import RunResult
from sim.results.runinfo import RunInfo
from sim.results.stats import t_interval
from sim.scenario import Scenario, scenario_hash

FORMAT: Final = 1
"""Version of the baseline file's layout."""
DEFAULT_BASELINE = Path("tests/regression/baseline_kpis.json")
REGENERATE = "landport check --update"
"""The one command that rewrites the baseline file (from the repository root)."""
RECORDED_CONFIDENCE = 0.95
"""Confidence of the half-widths written to the file (as in every KPI summary)."""
ABOUT = (
    "Regression values of the baseline scenario, not truth. Written by "
    f"`{REGENERATE}`; regenerate only for an intended model or scenario change."
)


class BaselineError(ValueError):
    """The baseline file is missing, unreadable or not a baseline file."""


def checked_kpis(scenario: Scenario | RunInfo) -> list[str]:
    """The KPIs the check compares, in table order, for a scenario's (or a run's) corridors
    and hub: the regression-checked families of the KPI registry."""
    info = scenario if isinstance(scenario, RunInfo) else run_info(scenario)
    return KPIS.names(info, "checked")


# ---------------------------------------------------------------------------- the model


def _nan_for_null(value: Any) -> Any:
    return math.nan if value is None else value


def _null_for_nan(value: float) -> float | None:
    return value if math.isfinite(value) else None


Number = Annotated[float, Strict(), BeforeValidator(_nan_for_null), PlainSerializer(_null_for_nan)]
"""A number (an integer is one too, a boolean or text is not); ``null`` is NaN."""
Count = Annotated[int, Strict(), Field(ge=0)]


class KpiRecord(BaseModel):
    """One KPI over the replications of a run: its summary and every replication's value."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    unit: str
    mean: Number
    half_width: Number
    std: Number
    n: Count
    values: tuple[Number, ...] = Field(min_length=1)

    @property
    def se(self) -> float:
        """Standard error of the mean (0 when the KPI did not vary or n < 2)."""
        if self.n < 2 or not math.isfinite(self.std):
            return 0.0
        return self.std / math.sqrt(self.n)

    @classmethod
    def of(cls, name: str, values: Sequence[float] | np.ndarray) -> KpiRecord:
        """The record of KPI ``name`` from its value in each replication."""
        ci = t_interval(np.asarray(values, dtype=float), RECORDED_CONFIDENCE)
        return cls(
            unit=unit(name),
            mean=ci.mean,
            half_width=ci.half_width,
            std=ci.std,
            n=ci.n,
            values=tuple(float(v) for v in values),
        )


class Baseline(BaseModel):
    """The content of a baseline file (fields in the file's order)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    format: Literal[1] = FORMAT
    about: str = ABOUT
    scenario_file: str
    scenario_name: str = ""
    scenario_hash: str
    seed: Annotated[int, Strict()]
    replications: Count
    recorded_confidence: Number = RECORDED_CONFIDENCE
    landport_version: str = ""
    git_commit: str | None = None
    code_fingerprint: str = ""
    versions: dict[str, str] = Field(default_factory=dict)
    created_at: str = ""
    kpis: dict[str, KpiRecord] = Field(min_length=1)


# ---------------------------------------------------------------------------- recording


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
        versions={"python": platform.python_version(), **package_versions(NUMERIC_PACKAGES, False)},
        created_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    )


def _landport_version() -> str:
    try:
        return md.version("landport")
    except md.PackageNotFoundError:
        return "unknown"


def to_json(baseline: Baseline) -> str:
    """The file's text: the model's fields in order, one KPI per block, exact floats."""
    data = baseline.model_dump()
    return json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def write_baseline(path: str | Path, baseline: Baseline) -> Path:
    """Write the baseline file at ``path`` (replacing it atomically)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    return write_text(path, to_json(baseline))


# ---------------------------------------------------------------------------- reading


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
    if data.get("format") != FORMAT:  # another layout: not to be read with this model
        raise BaselineError(
            f"{path}: format {data.get('format')!r}, expected {FORMAT}: not a baseline file "
            f"of this version; {fix}"
        )
    try:
        return Baseline.model_validate(data)
    except ValidationError as exc:
        raise BaselineError(f"{path}: {_problem(exc)}; {fix}") from None


EXPECTED = {
    "float_type": "a number",
    "int_type": "a whole number",
    "string_type": "text",
    "dict_type": "an object",
    "model_type": "an object",
    "tuple_type": "a list",
    "list_type": "a list",
}
"""What a field expected, by the type of pydantic's error."""


def _problem(exc: ValidationError) -> str:
    """The first problem pydantic found, in the file's words: ``field: what was wrong``;
    fields missing from one object are named together."""
    errors = exc.errors(include_url=False)
    first = errors[0]
    where = ".".join(str(p) for p in first["loc"])
    if first["type"] == "missing":
        parent = first["loc"][:-1]
        names = [
            str(e["loc"][-1]) for e in errors if e["type"] == "missing" and e["loc"][:-1] == parent
        ]
        inside = ".".join(str(p) for p in parent)
        return f"{inside + ': ' if inside else ''}missing field(s) {', '.join(names)}"
    if first["type"] == "extra_forbidden":
        return f"{where}: unknown field"
    found = first.get("input")
    ctx = first.get("ctx") or {}
    if first["type"] == "too_short":
        expected = "a non-empty " + ("object" if isinstance(found, dict) else "list")
    elif first["type"] == "greater_than_equal":
        expected = f"a count (at least {ctx.get('ge')})"
    elif first["type"] == "literal_error":
        expected = str(ctx.get("expected"))
    else:
        expected = EXPECTED.get(first["type"], str(first["msg"]).lower())
    return f"{where}: expected {expected}, found {found!r}"
