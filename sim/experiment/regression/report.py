"""The check report: the baseline and a new run compared KPI by KPI.

Two comparisons are made. **Statistical**: each KPI's difference of means against its band
(:mod:`sim.experiment.regression.band`). **Exact**: a replication is a pure function of
(scenario, seed, replication number), so the same scenario, seed and code must give the same
numbers bit for bit; the report says whether every replication's value is identical.
Identity is *required* (a difference fails the check) when asked with ``exact=True``, and
automatically when the scenario, seed, replications and code fingerprint are those that
produced the baseline — then a difference means reproducibility is broken. Otherwise a
difference within the band is reported, not failed: the model changed and its numbers moved
by less than the noise.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from sim.experiment.regression.band import CONFIDENCE, allowed_band
from sim.experiment.regression.baseline import DEFAULT_BASELINE, Baseline, KpiRecord
from sim.results.published import PUBLISHED_2023, TOLERANCE, WINDOW
from sim.results.runinfo import RunInfo


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
    summary: pd.DataFrame | None = None
    """The run's full KPI summary, for the published-figures table."""
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
    return CheckReport(
        rows=[
            _row(name, baseline.kpis.get(name), current.kpis.get(name), required, confidence)
            for name in [*baseline.kpis, *(n for n in current.kpis if n not in baseline.kpis)]
        ],
        baseline=baseline,
        baseline_path=Path(baseline_path),
        current=current,
        exact_required=required,
        exact_reason=reason,
        notes=_notes(baseline, current),
    )


def _row(
    name: str,
    base: KpiRecord | None,
    now: KpiRecord | None,
    exact_required: bool,
    confidence: float,
) -> CheckRow:
    if base is None or now is None or not math.isfinite(now.mean):
        diff, band, within, identical = float("nan"), float("nan"), False, False
    else:
        diff = now.mean - base.mean
        band = allowed_band(base, now, confidence)
        within = abs(diff) <= band
        identical = _same(base.values, now.values)
    either = base if base is not None else now
    return CheckRow(
        name=name,
        unit=either.unit if either is not None else "",
        base=base,
        now=now,
        difference=diff,
        band=band,
        within=within,
        identical=identical,
        exact_required=exact_required,
        published=PUBLISHED_2023.get(name),
    )


def _notes(baseline: Baseline, current: Baseline) -> list[str]:
    """What differs between the two runs' inputs, and what that means for the check."""
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
    return notes


def calibration(summary: pd.DataFrame) -> list[tuple[str, float, float, float, float, bool]]:
    """Published 2023 figure vs the run's mean: (kpi, published, mean, half-width, relative
    deviation, within the calibration tolerance)."""
    rows = {str(r["kpi"]): r for r in summary.to_dict("records")}
    out = []
    for name, published in PUBLISHED_2023.items():
        if name not in rows:
            continue
        mean, hw = float(rows[name]["mean"]), float(rows[name]["half_width"])
        dev = (mean - published) / published
        out.append((name, published, mean, hw, dev, abs(dev) <= TOLERANCE[name]))
    return out
