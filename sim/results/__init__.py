"""Results: row types of the output tables, tidy tables, KPIs, statistics and run folders.

Nothing here imports the model: results are computed from the recorded tables alone, and what
a run covered is its typed metadata (:mod:`sim.results.runinfo`), written by the experiment
layer into the manifest. Every KPI family is defined once in the registry
(:mod:`sim.results.kpis`); every value is written by one formatter
(:mod:`sim.results.formatting`) and every file that replaces another by one atomic writer
(:mod:`sim.results.atomic`). Figures are :mod:`sim.results.plots` (in a swappable house
style), reports :mod:`sim.results.report` (Jinja2 templates).
"""
