"""The recorder: where the model's observations go.

Model code never builds DataFrames or touches files; it writes rows of named columnar
:class:`Table` objects and reports level changes of resources to :class:`LevelSeries`.

A table's columns are numpy arrays of a fixed dtype, so recording a milestone is one array
store, not an object per event. Text columns hold small integer codes into the column's
categories and come out as :class:`Coded` columns, which the results layer turns into
categoricals without looking at a string per row. A table may be laid out in *slots* written
ahead of time (everything known when the model is built, written in bulk) and entered as rows
in the order the model *opens* them (:meth:`Table.open`). Level series are column arrays of
change points: 16 bytes per change, not a tuple of Python objects.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

_DEFAULTS: dict[str, Any] = {"f": np.nan, "i": -1, "b": False, "u": 0}
"""Unset cells: NaN, −1 (text: no value), False."""
CODE = np.dtype(np.int32)
"""Storage of a text column: codes into its categories (−1: no value)."""


@dataclass(frozen=True)
class Coded:
    """A text column as integer ``codes`` into ``categories`` (−1: missing)."""

    codes: np.ndarray
    categories: tuple[Any, ...]

    def __len__(self) -> int:
        return len(self.codes)

    def decode(self) -> np.ndarray:
        """The values as an object array (None where missing)."""
        values = np.asarray([*self.categories, None], dtype=object)
        out: np.ndarray = values[self.codes]
        return out


Column = np.ndarray | Coded


@dataclass(frozen=True)
class Sum:
    """A column that is the sum of other columns of its table: ``plus`` added left to right,
    then ``minus`` subtracted — made when the table is read, never stored, and exactly what the
    same expression computed at any time gives."""

    plus: tuple[str, ...]
    minus: tuple[str, ...] = ()

    def of(self, columns: Mapping[str, Any]) -> np.ndarray:
        """The sum over ``columns`` (arrays, or anything numpy adds elementwise)."""
        total = np.array(columns[self.plus[0]], dtype=float)
        for name in self.plus[1:]:
            total = total + columns[name]
        for name in self.minus:
            total = total - columns[name]
        return total


@dataclass(frozen=True)
class PerKey:
    """A column holding one number per value of the text column ``key`` (set with
    :meth:`Table.set_per_key`; NaN for a value without one), times the column ``times`` if
    given (a price per unit of each product, say), made when the table is read, never stored."""

    key: str
    times: str | None = None


Derived = Sum | PerKey
"""A column computed from others when its table is read (see :attr:`Table.derived`)."""


class Table:
    """A columnar table with a fixed set of typed columns.

    ``columns`` maps a column name to a numpy dtype (``float``, ``int``, ``bool``) or to
    ``object`` for text, stored as codes. Unset cells hold NaN, -1, False or no text.
    Columns named in ``derived`` (:class:`Sum`, :class:`PerKey`) are made when the table is
    read (:meth:`arrays`, :meth:`values`), never stored.

    Rows are appended with :meth:`add` (the table grows by doubling). A table made with
    ``slots=True`` is instead written in place: its slots are filled ahead of time and by
    index, and a slot becomes a row when it is opened (:meth:`open`); rows come out in the
    order slots were opened. :attr:`columns` maps each name to its buffer; growing replaces the
    buffers in that same mapping, so code that keeps the mapping (not a buffer) stays right.
    """

    def __init__(
        self,
        columns: Mapping[str, Any],
        capacity: int = 1024,
        *,
        slots: bool = False,
        row_id: str | None = None,
        storage: Mapping[str, Any] | None = None,
        derived: Mapping[str, Derived] | None = None,
    ):
        self.dtypes = {name: np.dtype(dt) for name, dt in columns.items()}
        """Each column's dtype as it comes out of :meth:`arrays`."""
        self.n = 0
        self.slots = slots
        self.row_id = row_id
        """A column that holds each row's number: made by :meth:`arrays`, never stored."""
        self.derived = dict(derived or {})
        """Columns computed from others when the table is read, never stored."""
        self.per_key: dict[str, dict[Any, float]] = {
            name: {} for name, how in self.derived.items() if isinstance(how, PerKey)
        }
        """The numbers of each :class:`PerKey` column, by value of its key."""
        self.stored = {
            name: np.dtype((storage or {}).get(name, CODE if dt.kind == "O" else dt))
            for name, dt in self.dtypes.items()
            if name != row_id and name not in self.derived
        }
        """Each stored column's dtype: the output's, or a narrower one given in ``storage``
        (codes of text: int32 unless given)."""
        self._cap = capacity if slots else max(16, capacity)
        self._cols: dict[str, np.ndarray] = {
            name: self._empty(dt, self._cap) for name, dt in self.stored.items()
        }
        self.columns = self._cols
        """Column name → its whole buffer (by slot or row; a text column's codes)."""
        self.categories: dict[str, list[Any]] = {
            name: [] for name, dt in self.dtypes.items() if dt.kind == "O"
        }
        self._codes: dict[str, dict[Any, int]] = {name: {} for name in self.categories}
        self.order: list[int] = []
        """Slots in the order they were opened (with ``slots=True``)."""

    @staticmethod
    def _empty(dt: np.dtype, size: int) -> np.ndarray:
        return np.full(size, _DEFAULTS[dt.kind], dtype=dt)

    def _grow(self, needed: int) -> None:
        new_cap = max(self._cap, 16)
        while new_cap < needed:
            new_cap *= 2
        for name, arr in self._cols.items():
            bigger = self._empty(self.stored[name], new_cap)
            bigger[: self._cap] = arr
            self._cols[name] = bigger
        self._cap = new_cap

    # -- text --------------------------------------------------------------------------------

    def code(self, column: str, value: Any) -> int:
        """The code of ``value`` in text column ``column`` (a new category if unseen); None
        is −1."""
        if value is None:
            return -1
        codes = self._codes[column]
        found = codes.get(value)
        if found is None:
            found = len(codes)
            if found > np.iinfo(self.stored[column]).max:
                raise OverflowError(f"{column}: more text values than its codes can hold")
            codes[value] = found
            self.categories[column].append(value)
        return found

    def codes(self, column: str, values: Sequence[Any]) -> np.ndarray:
        """Codes of ``values`` (see :meth:`code`), as an array."""
        return np.asarray([self.code(column, v) for v in values], dtype=CODE)

    def _store(self, name: str, value: Any) -> Any:
        if name in self._codes:
            if isinstance(value, np.ndarray):
                return self.codes(name, value.tolist())
            return self.code(name, value)
        return value

    # -- rows --------------------------------------------------------------------------------

    def add(self, **values: Any) -> int:
        """Append one row and return its index."""
        row = self.n
        if self.slots:
            self.open(row)
        else:
            if row >= self._cap:
                self._grow(row + 1)
            self.n = row + 1
        cols = self._cols
        for name, value in values.items():
            if name != self.row_id:  # that is the row number
                cols[name][row] = self._store(name, value)
        return row

    def add_many(self, count: int, **values: Any) -> np.ndarray:
        """Append ``count`` rows at once (values are scalars or arrays); return their indices."""
        start = self.n
        if start + count > self._cap:
            self._grow(start + count)
        cols = self._cols
        for name, value in values.items():
            if name != self.row_id:  # that is the row number
                cols[name][start : start + count] = self._store(name, value)
        if self.slots:
            self.order.extend(range(start, start + count))
        self.n = start + count
        return np.arange(start, start + count)

    def reserve(self, size: int) -> None:
        """Make room for ``size`` rows or slots."""
        if size > self._cap:
            self._grow(size)

    def open(self, slot: int) -> int:
        """Enter slot ``slot`` as the next row (``slots=True``); return its row number."""
        if slot >= self._cap:
            self._grow(slot + 1)
        row = self.n
        self.order.append(slot)
        self.n = row + 1
        return row

    def rows(self) -> np.ndarray:
        """Where each row is in the buffers: its slot (``slots=True``) or its own index."""
        if self.slots:
            return np.asarray(self.order, dtype=np.intp)
        return np.arange(self.n, dtype=np.intp)

    def text(self, column: str, where: np.ndarray) -> np.ndarray:
        """Text column ``column`` at buffer positions ``where``, as values (None: none)."""
        return Coded(self._cols[column][where], tuple(self.categories[column])).decode()

    def __getitem__(self, column: str) -> np.ndarray:
        """The column's whole buffer (by slot, or by row: rows at and beyond ``n`` are
        unused); a text column's codes."""
        return self._cols[column]

    def __len__(self) -> int:
        return self.n

    @property
    def capacity(self) -> int:
        return self._cap

    @property
    def nbytes(self) -> int:
        """Bytes held by the columns."""
        return sum(a.nbytes for a in self._cols.values())

    def set_per_key(self, column: str, key: Any, value: float) -> None:
        """The number of :class:`PerKey` column ``column`` for rows whose key is ``key``."""
        self.per_key[column][key] = value

    def _derive(
        self,
        name: str,
        raw: Callable[[str], np.ndarray],
        made: dict[str, np.ndarray] | None = None,
    ) -> np.ndarray:
        """Column ``name`` (derived) of the rows whose stored columns ``raw`` gives; derived
        columns already ``made`` (by name) are taken from there, and those made here added."""
        made = {} if made is None else made
        if name in made:
            return made[name]
        how = self.derived[name]
        if isinstance(how, Sum):
            made[name] = how.of(
                {
                    n: self._derive(n, raw, made) if n in self.derived else raw(n)
                    for n in (*how.plus, *how.minus)
                }
            )
            return made[name]
        numbers = self.per_key[name]
        lookup = np.array([*(numbers.get(c, np.nan) for c in self.categories[how.key]), np.nan])
        values: np.ndarray = lookup[raw(how.key)]
        if how.times is not None:
            values = values * raw(how.times)
        made[name] = values
        return values

    def values(self, column: str, where: np.ndarray) -> np.ndarray:
        """Column ``column`` at buffer positions ``where``, stored or derived (text: codes)."""
        if column not in self.derived:
            stored: np.ndarray = self._cols[column][where]
            return stored
        return self._derive(column, lambda name: self._cols[name][where])

    def arrays(self) -> dict[str, Column]:
        """Copies of every column, one entry per row; text as :class:`Coded`."""
        if self.slots:
            take = np.asarray(self.order, dtype=np.intp)
            cols = {name: arr[take] for name, arr in self._cols.items()}
        else:
            cols = {name: arr[: self.n].copy() for name, arr in self._cols.items()}
        out: dict[str, Column] = {}
        made: dict[str, np.ndarray] = {}  # derived columns, each made once
        for name, dt in self.dtypes.items():
            if name == self.row_id:
                out[name] = np.arange(self.n, dtype=dt)
            elif name in self.derived:
                out[name] = self._derive(name, cols.__getitem__, made).astype(dt, copy=False)
            elif name in self.categories:
                out[name] = Coded(cols[name].astype(CODE), tuple(self.categories[name]))
            else:
                out[name] = cols[name].astype(dt, copy=False)
        return out


def _grown(a: array[Any]) -> int:
    return a.buffer_info()[1] * a.itemsize


class LevelSeries:
    """Change points of a resource's queue length, units in use and capacity.

    Together they define step functions of time, from which the results layer computes
    time-weighted means (never a plain average of the samples). Several changes at one
    instant collapse to the last of them. Capacity, which changes rarely (a shift), is kept
    at its own change points.
    """

    __slots__ = ("_cap_t", "_cap_v", "busy", "queue", "t", "where")

    def __init__(self, where: str) -> None:
        self.where = where
        self.t = array("d")
        self.queue = array("i")
        self.busy = array("i")
        """Units in use: whole units (see :class:`sim.engine.resources.Resource`)."""
        self._cap_t = array("d")
        self._cap_v = array("d")

    def record(self, t: float, queue: int, busy: int, capacity: float) -> None:
        if not self._cap_v or self._cap_v[-1] != capacity:
            self.capacity(t, capacity)
        self.t.append(t)
        self.queue.append(queue)
        self.busy.append(busy)

    def capacity(self, t: float, capacity: float) -> None:
        """The capacity is ``capacity`` from ``t`` on (record the levels at ``t`` after it)."""
        self._cap_t.append(t)
        self._cap_v.append(capacity)

    @property
    def max_capacity(self) -> float:
        """The largest capacity it had (0 if none was recorded)."""
        return max(self._cap_v, default=0.0)

    def __len__(self) -> int:
        return len(self.t)

    @property
    def nbytes(self) -> int:
        """Bytes held by the change points (as allocated)."""
        return sum(_grown(a) for a in (self.t, self.queue, self.busy, self._cap_t, self._cap_v))

    def arrays(self) -> dict[str, np.ndarray]:
        """Columns ``t``, ``queue``, ``busy``, ``capacity``: one row per distinct time."""
        t = np.array(self.t, dtype=float)
        if not len(t):
            return {
                "t": np.empty(0),
                "queue": np.empty(0, dtype=np.int64),
                "busy": np.empty(0),
                "capacity": np.empty(0),
            }
        last = np.append(t[1:] != t[:-1], True)
        t = t[last]
        cap_t = np.array(self._cap_t, dtype=float)
        at = np.searchsorted(cap_t, t, side="right") - 1
        return {
            "t": t,
            "queue": np.array(self.queue, dtype=np.int64)[last],
            "busy": np.array(self.busy, dtype=float)[last],
            "capacity": np.array(self._cap_v, dtype=float)[np.maximum(at, 0)],
        }


class Recorder:
    """Named tables and level series of one simulation run."""

    def __init__(self) -> None:
        self.tables: dict[str, Table] = {}
        self.series: dict[str, LevelSeries] = {}

    def table(
        self,
        name: str,
        columns: Mapping[str, Any],
        capacity: int = 1024,
        *,
        slots: bool = False,
        row_id: str | None = None,
        storage: Mapping[str, Any] | None = None,
        derived: Mapping[str, Derived] | None = None,
    ) -> Table:
        if name in self.tables:
            raise ValueError(f"table {name!r} already exists")
        table = Table(
            columns, capacity, slots=slots, row_id=row_id, storage=storage, derived=derived
        )
        self.tables[name] = table
        return table

    def level(self, where: str) -> LevelSeries:
        if where in self.series:
            raise ValueError(f"level series {where!r} already exists")
        series = LevelSeries(where)
        self.series[where] = series
        return series

    @property
    def nbytes(self) -> int:
        """Bytes held by every table and level series."""
        return sum(t.nbytes for t in self.tables.values()) + sum(
            s.nbytes for s in self.series.values()
        )
