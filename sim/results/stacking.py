"""A run's tables, stacked replication by replication as the replications come in.

A run's tables hold every replication's rows, in replication order, told apart by a leading
``replication`` column: :func:`~sim.results.tables.frame` of
:func:`~sim.results.tables.stack` (with nullable IDs) and
:func:`~sim.results.tables.stacked_queue_frame` of all the replications at once.
:class:`StackedTables` gives exactly those tables, but does the work as each replication
arrives — while the others still run on the workers and this process would only wait — so
that little is left once the last one is in:

* each column goes into a buffer reserved for the whole run (the first replication's rows
  × replications, with a margin; a run that outgrows it gets a larger one), in replication
  order, so that the final column is the buffer itself, never concatenated again;
* text keeps its codes, into the union of the categories met so far: the final categorical is
  made once, from codes (:func:`~sim.results.tables._from_codes`), not by concatenating
  categoricals or strings;
* each ``t_*`` hour column gets its ``*_at`` timestamps replication by replication
  (:func:`~sim.results.tables.timestamps` is elementwise, so the result is the same);
* the DataFrame is made of those columns as they are, one block each (pandas would otherwise
  copy every column into one block per dtype).

In a virtual machine, touching fresh memory costs more than copying into it; the buffers are
touched while the workers run, and the last step allocates almost nothing.

A table whose columns change kind from one replication to the next (text in one, numbers in
another) or hold raw text arrays is stacked the plain way at the end, from its parts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from sim.engine import Coded
from sim.results.tables import (
    LEVEL_DTYPES,
    Column,
    Columns,
    _from_codes,
    frame,
    nullable_ids,
    stack,
    stacked_queue_frame,
    timestamps,
)

MARGIN = 1.25
"""Rows reserved per replication, as a multiple of the first replication's (untouched
memory costs nothing but address space)."""


class _Buffer:
    """One column's values, replication after replication, in room reserved for the run."""

    def __init__(self, dtype: np.dtype, reserve: int) -> None:
        self._data = np.empty(reserve, dtype=dtype)
        self.n = 0

    def append(self, values: np.ndarray) -> None:
        end = self.n + len(values)
        if end > len(self._data):  # more rows than reserved: move to a room twice as large
            grown = np.empty(max(end, 2 * len(self._data)), dtype=self._data.dtype)
            grown[: self.n] = self._data[: self.n]
            self._data = grown
        self._data[self.n : end] = values
        self.n = end

    def values(self) -> np.ndarray:
        return self._data[: self.n]


class _Text:
    """A coded text column: codes into the union of the categories met so far, and how often
    each occurs."""

    def __init__(self, reserve: int) -> None:
        self.codes = _Buffer(np.dtype(np.int32), reserve)
        self.index: dict[object, int] = {}
        self.counts = np.zeros(0, dtype=np.int64)

    def append(self, column: Coded) -> None:
        into = [self.index.setdefault(c, len(self.index)) for c in column.categories]
        remap = np.asarray([*into, -1], dtype=np.int32)  # last: code −1, missing
        codes = remap[np.asarray(column.codes)]
        self.codes.append(codes)
        counts = np.bincount(codes[codes >= 0], minlength=len(self.index))
        counts[: len(self.counts)] += self.counts
        self.counts = counts

    def coded(self, a: int = 0, b: int | None = None) -> Coded:
        return Coded(self.codes.values()[a:b], tuple(self.index))

    def values(self) -> pd.Categorical:
        return _from_codes(self.coded(), self.counts)


def _layout(columns: Columns) -> tuple[tuple[str, str], ...] | None:
    """Names and kinds of a table's columns; None if any is raw text (an object array)."""
    out = []
    for name, column in columns.items():
        if isinstance(column, Coded):
            out.append((name, "coded"))
            continue
        kind = np.asarray(column).dtype
        if kind.kind in "OU":
            return None
        out.append((name, kind.str))
    return tuple(out)


class _Table:
    """One recorded table of every replication."""

    def __init__(self, start: dt.date | None, replications: int) -> None:
        self.start = start
        self.replications = replications
        self.layout: tuple[tuple[str, str], ...] | None = None
        self.rows: list[tuple[int, int]] = []  # (replication, rows), in order
        self.columns: dict[str, _Buffer | _Text] = {}
        self.stamps: dict[str, _Buffer] = {}
        self.parts: list[tuple[int, Columns]] | None = None  # stacked the plain way

    def add(self, rep: int, columns: Columns) -> None:
        layout = _layout(columns)
        if self.parts is None and not self.rows:
            self._reserve(layout, columns)
        if self.parts is None and (layout is None or layout != self.layout):
            self.parts = self._split()
        if self.parts is not None:
            self.parts.append((rep, columns))
            return
        n = len(next(iter(columns.values()))) if columns else 0
        self.rows.append((rep, n))
        for name, column in columns.items():
            acc = self.columns[name]
            if isinstance(acc, _Text):
                assert isinstance(column, Coded)  # the layout says so
                acc.append(column)
                continue
            values = np.asarray(column)
            acc.append(values)
            if name in self.stamps and self.start is not None:
                self.stamps[name].append(timestamps(values, self.start))

    def _reserve(self, layout: tuple[tuple[str, str], ...] | None, columns: Columns) -> None:
        self.layout = layout
        if layout is None:
            return
        n = len(next(iter(columns.values()))) if columns else 0
        reserve = int(n * self.replications * MARGIN) + 64
        for name, kind in layout:
            self.columns[name] = (
                _Text(reserve) if kind == "coded" else _Buffer(np.dtype(kind), reserve)
            )
            if self.start is not None and name.startswith("t_"):
                self.stamps[name] = _Buffer(np.dtype("M8[ns]"), reserve)

    def _split(self) -> list[tuple[int, Columns]]:
        """The replications stacked so far, back as parts (the same values, the codes into
        the union of their categories)."""
        parts: list[tuple[int, Columns]] = []
        a = 0
        for rep, n in self.rows:
            cols: dict[str, Column] = {}
            for name, acc in self.columns.items():
                cols[name] = (
                    acc.coded(a, a + n) if isinstance(acc, _Text) else acc.values()[a : a + n]
                )
            parts.append((rep, cols))
            a += n
        self.columns, self.stamps, self.rows = {}, {}, []
        return parts

    def frame(self) -> pd.DataFrame:
        if self.parts is not None:
            return frame(stack(self.parts), self.start, nullable=True)
        reps = [rep for rep, _ in self.rows]
        lengths = [n for _, n in self.rows]
        data: dict[str, object] = {
            "replication": np.repeat(np.asarray(reps, dtype=np.int64), lengths)
        }
        for name, acc in self.columns.items():
            data[name] = acc.values()
        for name, stamped in self.stamps.items():
            data[name[2:] + "_at"] = stamped.values()
        return nullable_ids(pd.DataFrame(data, copy=False))


class _Queues:
    """The level series of every resource and replication: one row per change point."""

    def __init__(self, start: dt.date | None, replications: int) -> None:
        self.start = start
        self.replications = replications
        self.wheres: dict[str, int] = {}
        self.rows_of: list[int] = []  # rows of each resource (by its code)
        self.buffers: dict[str, _Buffer] = {}  # replication, where's codes, the series' columns

    def add(self, rep: int, series: Mapping[str, Columns]) -> None:
        if not self.buffers:
            rows = sum(len(cols["t"]) for cols in series.values())
            reserve = int(rows * self.replications * MARGIN) + 64
            kinds: list[tuple[str, np.dtype]] = [
                ("replication", np.dtype(np.int64)),
                ("where", np.dtype(np.int32)),
            ]
            kinds += [(name, np.dtype(kind)) for name, kind in LEVEL_DTYPES]
            if self.start is not None:
                kinds.append(("at", np.dtype("M8[ns]")))
            self.buffers = {name: _Buffer(kind, reserve) for name, kind in kinds}
        for where, cols in series.items():
            n = len(cols["t"])
            code = self.wheres.setdefault(where, len(self.wheres))
            if code == len(self.rows_of):
                self.rows_of.append(0)
            self.rows_of[code] += n
            self.buffers["replication"].append(np.full(n, rep, dtype=np.int64))
            self.buffers["where"].append(np.full(n, code, dtype=np.int32))
            for name, _ in LEVEL_DTYPES:
                self.buffers[name].append(np.asarray(cols[name]))
            if self.start is not None:
                self.buffers["at"].append(timestamps(np.asarray(cols["t"]), self.start))

    def frame(self) -> pd.DataFrame:
        if not self.wheres:
            return stacked_queue_frame([], self.start)
        data = {name: buffer.values() for name, buffer in self.buffers.items()}
        where = _from_codes(Coded(data.pop("where"), tuple(self.wheres)), np.asarray(self.rows_of))
        return pd.DataFrame(
            {"replication": data.pop("replication"), "where": where, **data}, copy=False
        )


class StackedTables:
    """Every replication's tables, stacked as the replications arrive (in any order).

    ``replications`` are the replication numbers to expect; they are stacked in that order
    (the order given), each as soon as those before it are in. :meth:`frames` gives the
    tables once all are in: the same as :func:`~sim.results.tables.stack` and
    :func:`~sim.results.tables.frame` (nullable IDs) give for each recorded table, and
    :func:`~sim.results.tables.stacked_queue_frame` for the level series (``queues``).
    """

    def __init__(self, start: dt.date | None, replications: Iterable[int]) -> None:
        self.start = start
        self.order = list(replications)
        self.expected = set(self.order)
        self.waiting: dict[int, tuple[Mapping[str, Columns], Mapping[str, Columns]]] = {}
        self.done = 0
        self.names: list[str] | None = None
        self.tables: dict[str, _Table] = {}
        self.queues = _Queues(start, len(self.order))

    def add(
        self, replication: int, tables: Mapping[str, Columns], series: Mapping[str, Columns]
    ) -> None:
        """One replication's recorded tables and level series."""
        if replication not in self.expected or replication in self.waiting:
            raise ValueError(f"replication {replication} was not expected here (or came twice)")
        self.expected.discard(replication)
        self.waiting[replication] = (tables, series)
        while self.done < len(self.order) and self.order[self.done] in self.waiting:
            rep = self.order[self.done]
            self._stack(rep, *self.waiting.pop(rep))
            self.done += 1

    def _stack(
        self, rep: int, tables: Mapping[str, Columns], series: Mapping[str, Columns]
    ) -> None:
        if self.names is None:  # the first replication's tables are the run's
            self.names = list(tables)
            self.tables = {name: _Table(self.start, len(self.order)) for name in self.names}
        for name in self.names:
            self.tables[name].add(rep, tables[name])
        self.queues.add(rep, series)

    def frames(self) -> dict[str, pd.DataFrame]:
        """The stacked tables by name, ``queues`` last."""
        if self.done < len(self.order):
            missing = self.order[self.done :]
            raise ValueError(f"replications {missing} have not been added yet")
        out = {name: table.frame() for name, table in self.tables.items()}
        out["queues"] = self.queues.frame()
        return out


def stacked(
    start: dt.date | None,
    results: Sequence[tuple[int, Mapping[str, Columns], Mapping[str, Columns]]],
) -> dict[str, pd.DataFrame]:
    """The stacked tables of (replication, tables, series) given all at once, in that order."""
    out = StackedTables(start, [rep for rep, _, _ in results])
    for rep, tables, series in results:
        out.add(rep, tables, series)
    return out.frames()
