"""The freight model: network, demand, hub terminal, customs, trains, rail–sea ports and
vessels.

It knows nothing of files, the command line or Parquet: :func:`build` wires a validated
scenario into an environment, and everything observed is appended to a recorder.
"""

from sim.model.build import Model, build

__all__ = ["Model", "build"]
