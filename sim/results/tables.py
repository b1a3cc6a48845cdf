"""From recorded columns to tidy pandas tables.

Each replication's recorder becomes four tables (containers, trains, shipments, vessels) and
one of resource levels (queues). Text columns become categoricals with sorted categories —
from their codes (:class:`~sim.engine.Coded`), never a string per row; every ``t_*`` hour
column gets a ``*_at`` timestamp twin (all of one resolution, :data:`TIME_UNIT`), computed
from the scenario's start date in a few vectorised steps that give exactly what
``pd.to_timedelta(hours, unit="h")`` gives, so analysts can resample by calendar month
directly. In the tables analysts get, ID columns are nullable integers: a box on no train
has ``train_id`` ``<NA>``, not the recorder's −1.

The KPIs of a replication need no DataFrame: :class:`TableColumns` and :class:`LevelColumns`
give its recorded columns (or a DataFrame's) as numpy arrays, each read once, text as codes.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd

from sim.engine import Coded

Column = np.ndarray | Coded
Columns = Mapping[str, Column]

NS_PER_H = 3_600_000_000_000
NAT = np.iinfo(np.int64).min


def _categorical(values: np.ndarray) -> pd.Categorical:
    """Text as a categorical with sorted ``str`` categories, straight from the object array.

    Same result as ``pd.Series(values).astype("category")``, three times faster: pandas would
    first convert the whole column to its string dtype, then factorize that.
    """
    codes, uniques = pd.factorize(values, sort=True)
    if len(uniques) and all(isinstance(u, str) for u in uniques):
        return pd.Categorical.from_codes(codes, categories=pd.Index(uniques, dtype="str"))
    return pd.Categorical(values)


@functools.lru_cache(maxsize=1024)
def _text_dtype(names: tuple[str, ...]) -> pd.CategoricalDtype:
    """The categorical dtype of ``names`` (``str`` categories), made once: replications and
    tables share the same few name lists, and a dtype costs more to make than its column."""
    return pd.CategoricalDtype(pd.Index(list(names), dtype="str"))


def _from_codes(column: Coded, counts: np.ndarray | None = None) -> pd.Categorical:
    """A coded text column as :func:`_categorical` makes it of the decoded values: the
    categories present, sorted. ``counts``: how often each category occurs, when known."""
    codes = np.asarray(column.codes)
    if counts is None:
        counts = np.bincount(codes[codes >= 0], minlength=len(column.categories))
    present = np.flatnonzero(counts)
    if not len(present):
        return pd.Categorical(np.full(len(codes), None, dtype=object))
    names = [column.categories[i] for i in present]
    order = sorted(range(len(names)), key=names.__getitem__)
    # codes as small as the categorical keeps them: no column-long temporary of int64
    small = np.min_scalar_type(-len(order) - 1)
    remap = np.full(len(column.categories) + 1, -1, dtype=small)  # last: code −1
    remap[present[order]] = np.arange(len(order))
    return pd.Categorical.from_codes(
        remap[codes], dtype=_text_dtype(tuple(names[i] for i in order))
    )


TIME_UNIT: Literal["ns"] = "ns"
"""The resolution of every timestamp column (``*_at``, ``at``)."""


def timestamps(hours: np.ndarray, start: dt.date) -> np.ndarray:
    """``start`` 00:00 + ``hours`` (NaN → NaT), in nanoseconds (:data:`TIME_UNIT`): exactly
    what ``pd.Timestamp(start) + pd.to_timedelta(hours, unit="h")`` gives, as that unit, in a
    fraction of the time — whole hours exact, their fraction rounded to 12 decimals before it
    is scaled, as pandas does."""
    h = np.asarray(hours, dtype=float)
    missing = np.isnan(h)
    x = np.where(missing, 0.0, h)
    whole = x.astype(np.int64)
    out = whole * NS_PER_H + (np.round(x - whole, 12) * NS_PER_H).astype(np.int64)
    out += np.datetime64(start, "ns").astype(np.int64)
    out[missing] = NAT
    return out.view("M8[ns]")


def nullable_ids(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with its integer ``*_id`` columns as pandas nullable integers (``Int64``), the
    recorder's −1 ("none": a box on no train, a box no shipment made) as ``<NA>``; every
    other value and column unchanged. A table already converted is returned as it is."""
    out = df
    for name in df.columns:
        column = df[name]
        if (
            str(name).endswith("_id")
            and isinstance(column.dtype, np.dtype)
            and column.dtype.kind in "iu"
        ):
            if out is df:
                out = df.copy(deep=False)  # the columns replaced below are new arrays
            out[name] = column.astype("Int64").mask(column == -1)
    return out


def frame(
    columns: Columns, start: dt.date | None = None, *, nullable: bool = False
) -> pd.DataFrame:
    """A DataFrame of recorded columns, text as categoricals; with ``start``, timestamp twins
    of the hour columns; with ``nullable``, ID columns as nullable integers
    (:func:`nullable_ids`: the tables analysts get, not the ones KPIs are computed from)."""
    data: dict[str, object] = {}
    for name, values in columns.items():
        if isinstance(values, Coded):
            data[name] = _from_codes(values)
            continue
        arr = np.asarray(values)
        data[name] = _categorical(arr) if arr.dtype.kind in "OU" else arr
    if start is not None:
        for name in [c for c in columns if c.startswith("t_")]:
            data[name[2:] + "_at"] = timestamps(np.asarray(data[name]), start)
    df = pd.DataFrame(data)
    return nullable_ids(df) if nullable else df


def queue_frame(series: Mapping[str, Columns], start: dt.date | None = None) -> pd.DataFrame:
    """Change points of every resource: where, t_h, queue, busy, capacity (a step function)."""
    return stacked_queue_frame([(0, series)], start).drop(columns="replication")


def rows_by(table: pd.DataFrame, column: str = "kpi") -> dict[str, dict[str, Any]]:
    """The rows of a table (a KPI summary, a comparison) as plain values, by ``column``, in
    table order (the first row of a name that occurs twice)."""
    out: dict[str, dict[str, Any]] = {}
    for row in table.to_dict("records"):
        out.setdefault(str(row[column]), {str(k): v for k, v in row.items()})
    return out


def _concat(values: Sequence[Column]) -> Column:
    """Columns of one name, end to end; coded text keeps codes into the union of categories."""
    if values and all(isinstance(v, Coded) for v in values):
        coded = [v for v in values if isinstance(v, Coded)]
        union = list(dict.fromkeys(c for v in coded for c in v.categories))
        index = {c: i for i, c in enumerate(union)}
        parts = []
        for v in coded:
            remap = np.asarray([*(index[c] for c in v.categories), -1], dtype=np.int32)
            parts.append(remap[v.codes])
        return Coded(np.concatenate(parts), tuple(union))
    return np.concatenate([v.decode() if isinstance(v, Coded) else np.asarray(v) for v in values])


def stack(parts: Sequence[tuple[int, Columns]]) -> dict[str, Column]:
    """Columns of several replications, concatenated, with a leading ``replication`` column."""
    if not parts:
        return {"replication": np.empty(0, dtype=np.int64)}
    names = list(parts[0][1])
    lengths = [len(cols[names[0]]) if names else 0 for _, cols in parts]
    out: dict[str, Column] = {
        "replication": np.repeat([rep for rep, _ in parts], lengths).astype(np.int64)
    }
    for name in names:
        out[name] = _concat([cols[name] for _, cols in parts])
    return out


LEVEL_DTYPES: tuple[tuple[str, type], ...] = (
    ("t", float),
    ("queue", np.int64),
    ("busy", float),
    ("capacity", float),
)
"""The columns of a resource's change points and their dtypes in :func:`queue_frame`."""


def stacked_queue_frame(
    parts: Sequence[tuple[int, Mapping[str, Columns]]], start: dt.date | None = None
) -> pd.DataFrame:
    """:func:`queue_frame` of several replications, with a leading ``replication`` column."""
    wheres = list(dict.fromkeys(where for _, series in parts for where in series))
    index = {where: i for i, where in enumerate(wheres)}
    reps, codes, flat = [], [], []
    for rep, series in parts:
        for where, cols in series.items():
            n = len(cols["t"])
            reps.append(np.full(n, rep, dtype=np.int64))
            codes.append(np.full(n, index[where], dtype=np.int32))
            flat.append(cols)
    if not flat:
        return pd.DataFrame(columns=["replication", "where", "t", "queue", "busy", "capacity"])
    data: dict[str, Column] = {
        "replication": np.concatenate(reps),
        "where": Coded(np.concatenate(codes), tuple(wheres)),
    }
    for name, dtype in LEVEL_DTYPES:
        data[name] = np.concatenate([np.asarray(cols[name], dtype=dtype) for cols in flat])
    df = frame(data)
    if start is not None:
        df["at"] = timestamps(df["t"].to_numpy(), start)
    return df


class TableColumns:
    """One table's columns as numpy arrays, each read once: what the KPIs are computed from.

    The source is either recorded columns (numpy arrays and :class:`~sim.engine.Coded` text,
    as a replication hands them over: no DataFrame is built) or a DataFrame (a table read
    back, or made by an analyst). Numbers come out as numpy arrays, text as integer codes into
    its names (−1: none), so a comparison with a name is one comparison of integers.
    :meth:`frame` gives the DataFrame (built on first use from recorded columns).
    """

    def __init__(self, source: pd.DataFrame | Columns) -> None:
        self._source = source
        self._floats: dict[str, np.ndarray] = {}
        self._codes: dict[str, tuple[np.ndarray, tuple[str, ...]]] = {}
        self._frame: pd.DataFrame | None = source if isinstance(source, pd.DataFrame) else None
        self.memo: dict[object, Any] = {}
        """Values derived from the columns, kept by whoever derives them (by key)."""

    @classmethod
    def of(cls, source: TableColumns | pd.DataFrame | Columns) -> TableColumns:
        """``source`` as table columns (itself if it is already)."""
        return source if isinstance(source, TableColumns) else cls(source)

    def __len__(self) -> int:
        if isinstance(self._source, pd.DataFrame):
            return len(self._source)
        return len(next(iter(self._source.values()))) if self._source else 0

    def __contains__(self, name: str) -> bool:
        return name in self._source

    def values(self, name: str) -> np.ndarray:
        """Column ``name`` as it is stored (a DataFrame's ``to_numpy()``; text: codes)."""
        column = self._source[name]
        if isinstance(column, Coded):
            return np.asarray(column.codes)
        return column.to_numpy() if isinstance(column, pd.Series) else np.asarray(column)

    def floats(self, name: str) -> np.ndarray:
        """Column ``name`` as floats (missing values NaN). Shared: never write into it."""
        found = self._floats.get(name)
        if found is None:
            column = self._source[name]
            if isinstance(column, pd.Series):
                found = column.to_numpy(dtype=float)
            else:
                found = np.asarray(column, dtype=float)
            self._floats[name] = found
        return found

    def codes(self, name: str) -> tuple[np.ndarray, tuple[str, ...]]:
        """Text column ``name`` as codes into its names (−1: none)."""
        found = self._codes.get(name)
        if found is None:
            column = self._source[name]
            if isinstance(column, Coded):
                found = (np.asarray(column.codes), tuple(str(c) for c in column.categories))
            elif isinstance(column, pd.Series) and isinstance(column.array, pd.Categorical):
                cat = column.array
                found = (np.asarray(cat.codes), tuple(str(c) for c in cat.categories))
            else:
                codes, names = pd.factorize(np.asarray(column, dtype=object), sort=True)
                found = (codes, tuple(str(c) for c in names))
            self._codes[name] = found
        return found

    def equals(self, name: str, value: str) -> np.ndarray:
        """Where text column ``name`` is ``value``."""
        codes, names = self.codes(name)
        if value not in names:
            return np.zeros(len(codes), dtype=bool)
        return codes == names.index(value)

    def frame(self) -> pd.DataFrame:
        """The table as a DataFrame (:func:`frame` of recorded columns, made once)."""
        if self._frame is None:
            assert not isinstance(self._source, pd.DataFrame)
            self._frame = frame(self._source)
        return self._frame


class LevelColumns:
    """The change points of every resource (``where``) as numpy arrays ``t``, ``queue``,
    ``busy``, ``capacity`` (the dtypes of :func:`queue_frame`), from recorded level series or
    from a :func:`queue_frame`. :meth:`frame` gives the latter (made on first use)."""

    def __init__(self, source: pd.DataFrame | Mapping[str, Columns]) -> None:
        self._source = source
        self._frame: pd.DataFrame | None = source if isinstance(source, pd.DataFrame) else None

    def resources(self) -> list[tuple[str, dict[str, np.ndarray]]]:
        """Each resource with at least one change point, in sorted order of names (a
        :func:`queue_frame` grouped by ``where``), its rows in time order."""
        out: list[tuple[str, dict[str, np.ndarray]]] = []
        if isinstance(self._source, pd.DataFrame):
            q = self._source
            where = q["where"].astype("category").array
            codes = np.asarray(where.codes)
            cols = {name: q[name].to_numpy() for name, _ in LEVEL_DTYPES}
            cols["t"] = q["t"].to_numpy(dtype=float)
            present = np.bincount(codes[codes >= 0], minlength=len(where.categories))
            for i in np.flatnonzero(present):
                rows = np.flatnonzero(codes == i)
                out.append((str(where.categories[i]), {n: v[rows] for n, v in cols.items()}))
            return out
        for name in sorted(self._source):
            series = self._source[name]
            if len(series["t"]):
                out.append(
                    (name, {n: np.asarray(series[n], dtype=dtype) for n, dtype in LEVEL_DTYPES})
                )
        return out

    def frame(self) -> pd.DataFrame:
        """Every resource's change points as one table (:func:`queue_frame`, made once)."""
        if self._frame is None:
            assert not isinstance(self._source, pd.DataFrame)
            self._frame = queue_frame(self._source)
        return self._frame
