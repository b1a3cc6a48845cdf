"""Writing a run folder fast: the tables in parallel threads, the folder still whole or not at all.

:meth:`RunResult.save` writes the tables one after the other. For a run of many replications
that is the longest step after the simulation itself (30 baseline replications: about 1.8 s,
the containers table alone about 1 s), and nothing else runs meanwhile. pyarrow releases the
GIL while it encodes, so :func:`save_run` writes the tables in threads — the other tables are
written while the containers table is — into a hidden staging folder, with every other file
written by :meth:`RunResult.save` itself, and renames the folder into place when complete.
The folder is the same file for file as the one :meth:`RunResult.save` writes.
"""

from __future__ import annotations

import os
import shutil
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sim.results import store
from sim.results.run import RunResult

THREADS = 4


def save_run(result: RunResult, dest: str | Path) -> Path:
    """Write ``result`` as a run folder at ``dest`` (which must not exist); return ``dest``."""
    dest = Path(dest)
    if dest.exists():
        raise store.RunFolderError(f"{dest}: already exists; a run folder is never overwritten")
    tables = {}
    for name in store.TABLE_FILES:
        try:
            tables[name] = result.table(name)
        except KeyError:  # a result without that table (as RunResult.save skips it)
            continue
    bare = RunResult(result.scenario, result.manifest, result.kpis, result.summary)
    staging = dest.parent / f".{dest.name}.staging-{uuid.uuid4().hex[:8]}"
    try:
        bare.save(staging)  # every file but the tables, written by the one code that defines it
        with ThreadPoolExecutor(max_workers=THREADS) as pool:
            done = [
                pool.submit(df.to_parquet, staging / f"{name}.parquet", index=False)
                for name, df in tables.items()
            ]
            for fut in done:
                fut.result()
        store.write_json(staging / "manifest.json", {**result.manifest, "folder": str(dest)})
        if dest.exists():
            raise store.RunFolderError(
                f"{dest}: appeared while writing; a run folder is never overwritten"
            )
        os.rename(staging, dest)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    result.path = dest
    result.manifest["folder"] = str(dest)
    return dest
