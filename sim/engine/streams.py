"""Named random streams.

Every source of randomness draws from its own :class:`numpy.random.Generator`, derived from
the scenario seed, the replication number and the *name* of the source with
:class:`numpy.random.SeedSequence`. Because a stream depends on its name only (not on the order
in which streams are created), an extra draw in one process leaves every other source
untouched, and two scenarios run with the same seed see the same numbers wherever they share a
source: common random numbers.
"""

from __future__ import annotations

import hashlib

import numpy as np


def name_key(name: str) -> tuple[int, ...]:
    """A stable tuple of 32-bit words identifying ``name`` (independent of PYTHONHASHSEED)."""
    digest = hashlib.blake2b(name.encode("utf-8"), digest_size=16).digest()
    return tuple(int.from_bytes(digest[i : i + 4], "little") for i in range(0, 16, 4))


class Streams:
    """A lazily filled map from source name to its own generator.

    >>> s = Streams(seed=7, replication=0)
    >>> a = s["customs.import.review"].random()
    >>> a == Streams(seed=7, replication=0)["customs.import.review"].random()
    True
    """

    def __init__(self, seed: int, replication: int = 0) -> None:
        if seed < 0:
            raise ValueError(f"seed must be >= 0, got {seed}")
        if replication < 0:
            raise ValueError(f"replication must be >= 0, got {replication}")
        self.seed = seed
        self.replication = replication
        self._generators: dict[str, np.random.Generator] = {}

    def __getitem__(self, name: str) -> np.random.Generator:
        gen = self._generators.get(name)
        if gen is None:
            seq = np.random.SeedSequence(
                entropy=self.seed, spawn_key=(self.replication, *name_key(name))
            )
            gen = np.random.Generator(np.random.PCG64(seq))
            self._generators[name] = gen
        return gen

    def names(self) -> list[str]:
        """Names of the streams used so far, sorted."""
        return sorted(self._generators)
