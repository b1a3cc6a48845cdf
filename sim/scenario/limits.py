"""Bounds the command line checks before a scenario is read (kept apart from the schema so
that the command line's help starts without it)."""

MAX_REPLICATIONS = 1000
"""Confidence intervals narrow as 1/√n: 1,000 replications make them 30 times narrower than
one; more only cost time (a thousand baseline replications take about ten minutes on two
cores)."""
MAX_SEED = 2**63 - 1
"""Seeds are stored as 64-bit integers in the manifest and the results catalogue."""
