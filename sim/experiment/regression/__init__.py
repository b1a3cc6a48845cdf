"""The baseline regression check: do the planners' KPIs still come out as they did?

``landport check`` runs the committed baseline scenario with its committed seed and number of
replications and compares a short list of KPIs — clearance time import and export (mean,
p90), trains run in all and per corridor, TEU per corridor and direction, hub dwell import
and export — with the values recorded in ``tests/regression/baseline_kpis.json``.

- :mod:`~sim.experiment.regression.baseline`: the file, a pydantic model (read, written,
  recorded from a run);
- :mod:`~sim.experiment.regression.band`: how far a mean may move (Welch, 99 %);
- :mod:`~sim.experiment.regression.report`: the two compared, statistically and bit for bit,
  and the published figures beside the model;
- :mod:`~sim.experiment.regression.check`: running the check, or recording a new baseline.

The code fingerprint that decides whether identity is required is
:func:`sim.experiment.fingerprint.code_fingerprint`, shared with the workers' code check.
"""

from sim.experiment.regression.band import CONFIDENCE, COUNT_FLOOR, allowed_band
from sim.experiment.regression.baseline import (
    DEFAULT_BASELINE,
    REGENERATE,
    Baseline,
    BaselineError,
    KpiRecord,
    checked_kpis,
    read_baseline,
    record,
    to_json,
    write_baseline,
)
from sim.experiment.regression.check import DEFAULT_SCENARIO, run_check, update_baseline
from sim.experiment.regression.report import CheckReport, CheckRow, calibration, compare

__all__ = [
    "CONFIDENCE",
    "COUNT_FLOOR",
    "DEFAULT_BASELINE",
    "DEFAULT_SCENARIO",
    "REGENERATE",
    "Baseline",
    "BaselineError",
    "CheckReport",
    "CheckRow",
    "KpiRecord",
    "allowed_band",
    "calibration",
    "checked_kpis",
    "compare",
    "read_baseline",
    "record",
    "run_check",
    "to_json",
    "update_baseline",
    "write_baseline",
]
