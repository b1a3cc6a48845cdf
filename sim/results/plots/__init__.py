"""Plots of run, comparison and sweep results, for planners and analysts alike.

Each function takes a result — a :class:`~sim.results.run.RunResult`, or the comparison /
sweep result of ``sim.compare`` / ``sim.sweep`` (or just its table) — and returns a
matplotlib :class:`~matplotlib.figure.Figure`. Nothing is shown and no global pyplot state is
touched, so the same functions serve the report, the command line and notebooks (a notebook
displays a returned figure; ``fig.savefig("x.png")`` writes it).

Conventions shared by every plot:

* Statistics use the window after warm-up, ``[0, horizon)`` hours from the scenario's start
  date, selected exactly as the KPIs are (:mod:`sim.results.kpis`), so a number read off a
  plot matches the KPI table. Plots over time show the warm-up too, shaded grey.
* Over several replications, a plot shows the mean over replications; bands show the range
  or the 95 % confidence interval, as each legend says.
* Hours are hours; a date axis shows calendar dates. Units are in every axis label.
* Names, labels and colours come from the KPI registry and the run's metadata
  (:mod:`sim.results.kpis`, :mod:`sim.results.runinfo`); the look from the house style sheet
  ``landport.mplstyle``, which a port authority can replace with its own
  (:mod:`sim.results.plots.style`).

Run plots: :func:`clearance_times`, :func:`throughput`, :func:`resource_levels`,
:func:`load_factors`, :func:`sidings_timeline`, :func:`dwell_breakdown`,
:func:`cost_breakdown` (all in
:data:`RUN_PLOTS`, in report order). Experiment plots: :func:`compare_forest`,
:func:`sweep_response`, :func:`sweep_differences`, :func:`sweep_heatmap`; decision analysis:
:func:`sensitivity_chart`,
:func:`optimise_evidence`; of disruptions, :func:`disruption_timeline` and
:func:`recovery_bars`. One module per figure family.
"""

from __future__ import annotations

from collections.abc import Callable

from matplotlib.figure import Figure

from sim.results.i18n import label
from sim.results.plots.clearance import clearance_times
from sim.results.plots.decision import optimise_evidence, sensitivity_chart
from sim.results.plots.disruptions import disruption_timeline, recovery_bars
from sim.results.plots.dwell import (
    EXPORT_SEGMENTS,
    IMPORT_SEGMENTS,
    dwell_breakdown,
    dwell_segments,
)
from sim.results.plots.economics import cost_breakdown, per_teu_parts
from sim.results.plots.experiments import (
    compare_forest,
    sweep_differences,
    sweep_heatmap,
    sweep_response,
)
from sim.results.plots.labels import corridor_label, kpi_label, lever_label
from sim.results.plots.resources import resource_levels
from sim.results.plots.style import STYLE, STYLE_ENV, StyleError, house_style
from sim.results.plots.throughput import throughput
from sim.results.plots.trains import load_factors, sidings_timeline
from sim.results.run import RunResult

__all__ = [
    "EXPORT_SEGMENTS",
    "IMPORT_SEGMENTS",
    "RUN_PLOTS",
    "STYLE",
    "STYLE_ENV",
    "StyleError",
    "clearance_times",
    "compare_forest",
    "corridor_label",
    "cost_breakdown",
    "disruption_timeline",
    "dwell_breakdown",
    "dwell_segments",
    "house_style",
    "kpi_label",
    "lever_label",
    "load_factors",
    "optimise_evidence",
    "per_teu_parts",
    "recovery_bars",
    "resource_levels",
    "run_figures",
    "sensitivity_chart",
    "sidings_timeline",
    "sweep_differences",
    "sweep_heatmap",
    "sweep_response",
    "throughput",
]

RUN_PLOTS: dict[str, tuple[Callable[[RunResult], Figure], str]] = {
    name: (fn, label(f"caption.{name}", "en"))
    for name, fn in (
        ("clearance", clearance_times),
        ("throughput", throughput),
        ("resources", resource_levels),
        ("load-factors", load_factors),
        ("sidings", sidings_timeline),
        ("dwell", dwell_breakdown),
        ("costs", cost_breakdown),
    )
}
"""Every plot of a single run, in report order: name → (function, English caption; in any
language: ``sim.results.i18n.label("caption.<name>", lang)``)."""


def run_figures(run: RunResult) -> dict[str, Figure]:
    """Every run plot of ``run``, drawn, by name (see :data:`RUN_PLOTS`)."""
    return {name: fn(run) for name, (fn, _) in RUN_PLOTS.items()}
