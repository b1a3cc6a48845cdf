"""Run folders: written whole or not at all, never overwritten, and read back into pandas.

A run folder holds, for every replication (column ``replication``):
``containers.parquet``, ``trains.parquet``, ``shipments.parquet``, ``vessels.parquet``,
``queues.parquet`` (resource level change points), ``kpis.parquet`` (tidy: replication, kpi,
value); and ``summary.parquet`` / ``summary.csv`` (mean, Student-t 95 % half-width, n per
KPI), ``kpis.json`` (KPI → mean over replications), ``manifest.json`` and ``scenario.yaml``
(the scenario as resolved).

Everything is first written into a hidden sibling folder that is renamed into place when
complete, so a reader never sees a half-written run, and an interrupted write leaves nothing
behind but that hidden folder.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import shutil
import uuid
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pandas as pd

TABLE_FILES = ("containers", "trains", "shipments", "vessels", "queues")


class RunFolderError(ValueError):
    """The run folder cannot be written or read."""


def _clean(value: Any) -> Any:
    """JSON has no NaN: write null instead."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def write_json(path: Path, data: Any) -> None:
    path.write_text(
        json.dumps(_clean(data), indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8"
    )


def unique_folder(root: Path, stem: str) -> Path:
    """A new folder name under ``root``: ``<stem>-<YYYYmmdd-HHMMSS>``, suffixed if taken."""
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    candidate = root / f"{stem}-{stamp}"
    n = 1
    while candidate.exists():
        n += 1
        candidate = root / f"{stem}-{stamp}-{n}"
    return candidate


def atomic_folder(dest: Path, fill: Callable[[Path], None]) -> Path:
    """Create ``dest`` whole: ``fill(tmp)`` writes into a hidden sibling, renamed when done."""
    dest = Path(dest)
    if dest.exists():
        raise RunFolderError(f"{dest}: already exists; a run folder is never overwritten")
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.parent / f".{dest.name}.tmp-{uuid.uuid4().hex[:8]}"
    tmp.mkdir()
    try:
        fill(tmp)
        if dest.exists():
            raise RunFolderError(
                f"{dest}: appeared while writing; a run folder is never overwritten"
            )
        os.rename(tmp, dest)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return dest


def write_tables(folder: Path, tables: Mapping[str, pd.DataFrame]) -> None:
    """Write each table as ``<name>.parquet``, in threads.

    pyarrow releases the GIL while it encodes, so the other tables are written while the
    largest (containers) is: for 30 baseline replications 0.85 s instead of 1.5 s.
    """
    with ThreadPoolExecutor(max_workers=4) as pool:
        done = [
            pool.submit(df.to_parquet, folder / f"{name}.parquet", index=False)
            for name, df in tables.items()
        ]
        for fut in done:
            fut.result()


def read_table(folder: Path, name: str) -> pd.DataFrame:
    path = Path(folder) / f"{name}.parquet"
    if not path.is_file():
        raise RunFolderError(f"{path}: missing; is {folder} a landport run folder?")
    return pd.read_parquet(path)


def read_json(path: Path) -> Any:
    if not path.is_file():
        raise RunFolderError(f"{path}: missing; is {path.parent} a landport run folder?")
    return json.loads(path.read_text(encoding="utf-8"))
