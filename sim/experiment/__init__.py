"""Experiments: replications, common random numbers, comparisons, sweeps, parallel runs."""
