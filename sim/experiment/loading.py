"""Reading an experiment folder back, whatever its kind: a run, a comparison or a sweep."""

from __future__ import annotations

from pathlib import Path

from sim.experiment.compare import CompareResult, load_compare
from sim.experiment.manifest import load_run_folder
from sim.experiment.optimise import OptimiseResult, load_optimise
from sim.experiment.runs import DEFAULT_ROOT
from sim.experiment.sensitivity import BLOCK as SENSITIVITY
from sim.experiment.sensitivity import SensitivityResult, load_sensitivity
from sim.experiment.sweep import SweepResult, load_sweep
from sim.experiment.workspace import is_unfinished
from sim.results import catalog
from sim.results.run import RunResult
from sim.results.store import read_manifest


def load(
    path_or_id: str | Path, *, root: str | Path | None = DEFAULT_ROOT
) -> RunResult | CompareResult | SweepResult | SensitivityResult | OptimiseResult:
    """Load a run, comparison or sweep folder, given its path or its catalogue id.

    Returns a :class:`RunResult`, a :class:`CompareResult` or a :class:`SweepResult` by the
    folder's kind — a :class:`SensitivityResult` for the sweep of a sensitivity analysis, an
    :class:`OptimiseResult` for an optimisation.
    """
    folder = catalog.resolve(path_or_id, root)
    kind = load_kind(folder)
    if kind == "compare":
        return load_compare(folder)
    if kind == "optimise":
        return load_optimise(folder)
    if kind == "sweep":
        swept = load_sweep(folder)
        return load_sensitivity(swept) if SENSITIVITY in swept.manifest else swept
    return load_run_folder(folder)


def load_kind(folder: Path) -> str:
    """``run``, ``compare`` or ``sweep``, from the folder's manifest (checked)."""
    folder = Path(folder)
    if is_unfinished(folder):
        return "sweep"  # an unfinished sweep: load_sweep says how to finish it
    return str(read_manifest(folder).get("kind", "run"))
