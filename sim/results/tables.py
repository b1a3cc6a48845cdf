"""From recorded columns to tidy pandas tables.

Each replication's recorder becomes four tables (containers, trains, shipments, vessels) and
one of resource levels (queues). Text columns become categoricals; every ``t_*`` hour column
gets a ``*_at`` timestamp twin (all of one resolution, :data:`TIME_UNIT`), computed from the
scenario's start date, so analysts can resample by calendar month directly. In the tables
analysts get, ID columns are nullable integers: a box on no train has ``train_id`` ``<NA>``,
not the recorder's −1.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd

Columns = Mapping[str, np.ndarray]


def _categorical(values: np.ndarray) -> pd.Categorical:
    """Text as a categorical with sorted ``str`` categories, straight from the object array.

    Same result as ``pd.Series(values).astype("category")``, three times faster: pandas would
    first convert the whole column to its string dtype, then factorize that.
    """
    codes, uniques = pd.factorize(values, sort=True)
    if len(uniques) and all(isinstance(u, str) for u in uniques):
        return pd.Categorical.from_codes(codes, categories=pd.Index(uniques, dtype="str"))
    return pd.Categorical(values)


TIME_UNIT: Literal["ns"] = "ns"
"""The resolution of every timestamp column (``*_at``, ``at``)."""


def timestamps(start: dt.date, hours: np.ndarray | pd.Series) -> pd.DatetimeIndex:
    """Hours from the start date as timestamps, of :data:`TIME_UNIT` resolution whatever the
    hours (pandas picks a coarser one for a column that is all NaN)."""
    moments = pd.Timestamp(start) + pd.to_timedelta(np.asarray(hours, dtype=float), unit="h")
    return pd.DatetimeIndex(moments).as_unit(TIME_UNIT)


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
                out = df.copy()
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
        arr = np.asarray(values)
        data[name] = _categorical(arr) if arr.dtype.kind in "OU" else arr
    if start is not None:
        for name in [c for c in columns if c.startswith("t_")]:
            data[name[2:] + "_at"] = timestamps(start, np.asarray(data[name]))
    df = pd.DataFrame(data)
    return nullable_ids(df) if nullable else df


def queue_frame(series: Mapping[str, Columns], start: dt.date | None = None) -> pd.DataFrame:
    """Change points of every resource: where, t_h, queue, busy, capacity (a step function)."""
    parts = []
    for where, cols in series.items():
        n = len(cols["t"])
        parts.append(
            pd.DataFrame(
                {
                    "where": np.full(n, where, dtype=object),
                    "t": np.asarray(cols["t"], dtype=float),
                    "queue": np.asarray(cols["queue"], dtype=np.int64),
                    "busy": np.asarray(cols["busy"], dtype=float),
                    "capacity": np.asarray(cols["capacity"], dtype=float),
                }
            )
        )
    if not parts:
        return pd.DataFrame(columns=["where", "t", "queue", "busy", "capacity"])
    df = pd.concat(parts, ignore_index=True)
    df["where"] = df["where"].astype("category")
    if start is not None:
        df["at"] = timestamps(start, df["t"])
    return df


def rows_by(table: pd.DataFrame, column: str = "kpi") -> dict[str, dict[str, Any]]:
    """The rows of a table (a KPI summary, a comparison) as plain values, by ``column``, in
    table order (the first row of a name that occurs twice)."""
    out: dict[str, dict[str, Any]] = {}
    for row in table.to_dict("records"):
        out.setdefault(str(row[column]), {str(k): v for k, v in row.items()})
    return out


def stack(parts: Sequence[tuple[int, Columns]]) -> dict[str, np.ndarray]:
    """Columns of several replications, concatenated, with a leading ``replication`` column."""
    if not parts:
        return {"replication": np.empty(0, dtype=np.int64)}
    names = list(parts[0][1])
    lengths = [len(cols[names[0]]) if names else 0 for _, cols in parts]
    out = {"replication": np.repeat([rep for rep, _ in parts], lengths).astype(np.int64)}
    for name in names:
        out[name] = np.concatenate([np.asarray(cols[name]) for _, cols in parts])
    return out


def stacked_queue_frame(
    parts: Sequence[tuple[int, Mapping[str, Columns]]], start: dt.date | None = None
) -> pd.DataFrame:
    """:func:`queue_frame` of several replications, with a leading ``replication`` column."""
    flat = []
    for rep, series in parts:
        for where, cols in series.items():
            n = len(cols["t"])
            flat.append((rep, {"where": np.full(n, where, dtype=object), **cols}))
    if not flat:
        return pd.DataFrame(columns=["replication", "where", "t", "queue", "busy", "capacity"])
    df = frame(stack(flat))
    if start is not None:
        df["at"] = timestamps(start, df["t"])
    return df
