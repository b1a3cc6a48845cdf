"""The recorder: where the model's observations go.

Model code never builds DataFrames or touches files; it appends rows to named columnar
:class:`Table` objects and reports level changes of resources to :class:`LevelSeries`.
Columns are numpy arrays grown by doubling, so recording a milestone is one array store, not an
object per event. The results layer turns the recorder into tidy tables.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

_DEFAULTS: dict[str, Any] = {"f": np.nan, "i": -1, "b": False, "O": None}


class Table:
    """A growable columnar table with a fixed set of typed columns.

    ``columns`` maps a column name to a numpy dtype (``float``, ``int``, ``bool`` or
    ``object``). Unset cells hold NaN, -1, False or None.
    """

    def __init__(self, columns: Mapping[str, Any], capacity: int = 1024) -> None:
        self.dtypes = {name: np.dtype(dt) for name, dt in columns.items()}
        self.n = 0
        self._cap = max(16, capacity)
        self._cols: dict[str, np.ndarray] = {
            name: self._empty(dt, self._cap) for name, dt in self.dtypes.items()
        }

    @staticmethod
    def _empty(dt: np.dtype, size: int) -> np.ndarray:
        return np.full(size, _DEFAULTS[dt.kind], dtype=dt)

    def _grow(self, needed: int) -> None:
        new_cap = self._cap
        while new_cap < needed:
            new_cap *= 2
        for name, arr in self._cols.items():
            bigger = self._empty(self.dtypes[name], new_cap)
            bigger[: self._cap] = arr
            self._cols[name] = bigger
        self._cap = new_cap

    def add(self, **values: Any) -> int:
        """Append one row and return its index."""
        row = self.n
        if row >= self._cap:
            self._grow(row + 1)
        cols = self._cols
        for name, value in values.items():
            cols[name][row] = value
        self.n = row + 1
        return row

    def add_many(self, count: int, **values: Any) -> np.ndarray:
        """Append ``count`` rows at once (values are scalars or arrays); return their indices."""
        start = self.n
        if start + count > self._cap:
            self._grow(start + count)
        cols = self._cols
        for name, value in values.items():
            cols[name][start : start + count] = value
        self.n = start + count
        return np.arange(start, start + count)

    def __getitem__(self, column: str) -> np.ndarray:
        """The column's whole buffer; rows at and beyond ``n`` are unused."""
        return self._cols[column]

    def __len__(self) -> int:
        return self.n

    def arrays(self) -> dict[str, np.ndarray]:
        """Trimmed copies of every column."""
        return {name: arr[: self.n].copy() for name, arr in self._cols.items()}


class LevelSeries:
    """Change points of a resource's queue length, units in use and capacity.

    Together they define step functions of time, from which the results layer computes
    time-weighted means (never a plain average of the samples). Several changes at one
    instant collapse to the last of them.
    """

    __slots__ = ("points", "where")

    def __init__(self, where: str) -> None:
        self.where = where
        self.points: list[tuple[float, int, float, float]] = []

    def record(self, t: float, queue: int, busy: float, capacity: float) -> None:
        self.points.append((t, queue, busy, capacity))

    def arrays(self) -> dict[str, np.ndarray]:
        """Columns ``t``, ``queue``, ``busy``, ``capacity``: one row per distinct time."""
        if not self.points:
            return {
                "t": np.empty(0),
                "queue": np.empty(0, dtype=np.int64),
                "busy": np.empty(0),
                "capacity": np.empty(0),
            }
        data = np.asarray(self.points, dtype=float)
        t = data[:, 0]
        last = np.append(t[1:] != t[:-1], True)
        return {
            "t": t[last],
            "queue": data[last, 1].astype(np.int64),
            "busy": data[last, 2],
            "capacity": data[last, 3],
        }


class Recorder:
    """Named tables and level series of one simulation run."""

    def __init__(self) -> None:
        self.tables: dict[str, Table] = {}
        self.series: dict[str, LevelSeries] = {}

    def table(self, name: str, columns: Mapping[str, Any], capacity: int = 1024) -> Table:
        if name in self.tables:
            raise ValueError(f"table {name!r} already exists")
        table = Table(columns, capacity)
        self.tables[name] = table
        return table

    def level(self, where: str) -> LevelSeries:
        if where in self.series:
            raise ValueError(f"level series {where!r} already exists")
        series = LevelSeries(where)
        self.series[where] = series
        return series
