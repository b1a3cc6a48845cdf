"""Results: row types of the output tables, tidy tables, KPIs, statistics and run folders.

Nothing here imports the model: results are computed from the recorded tables alone.
"""
