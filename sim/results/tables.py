"""From recorded columns to tidy pandas tables.

Each replication's recorder becomes four tables (containers, trains, shipments, vessels) and
one of resource levels (queues). Text columns become categoricals; every ``t_*`` hour column
gets a ``*_at`` timestamp twin, computed from the scenario's start date, so analysts can
resample by calendar month directly.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import numpy as np
import pandas as pd

Columns = Mapping[str, np.ndarray]


def frame(columns: Columns, start: dt.date | None = None) -> pd.DataFrame:
    """A DataFrame of recorded columns, text as categoricals, with timestamp twins."""
    df = pd.DataFrame(dict(columns))
    for name in df.columns:
        if df[name].dtype == object:
            df[name] = df[name].astype("category")
    if start is not None:
        origin = pd.Timestamp(start)
        for name in [c for c in df.columns if c.startswith("t_")]:
            df[name[2:] + "_at"] = origin + pd.to_timedelta(df[name], unit="h")
    return df


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
        df["at"] = pd.Timestamp(start) + pd.to_timedelta(df["t"], unit="h")
    return df
