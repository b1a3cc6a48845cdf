"""A run folder's Parquet tables: read back, each is the table the run held in memory —
categories in their order, nullable IDs, timestamps — and only measurements (floats,
timestamps) are written without a dictionary (:func:`sim.results.store.write_table`)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

import sim
from sim.results import store
from tests.conftest import BASELINE, SHORT_MONTH


def small_run(tmp_path: Path) -> sim.RunResult:
    """Two replications of the baseline for a month: every table has rows."""
    return sim.run(
        BASELINE, replications=2, workers=1, overrides=SHORT_MONTH, root=tmp_path, register=False
    )


def test_every_table_reads_back_as_the_run_held_it(tmp_path):
    """Exactly, dtypes and category order included — except a text column with no value at
    all (no categories), which pandas reads back from Parquet as object, all missing."""
    run = small_run(tmp_path)
    assert run.path is not None
    for name in store.TABLE_FILES:
        held = run.table(name)
        back = store.read_table(run.path, name)
        assert list(back.columns) == list(held.columns)
        empty = [
            c
            for c in held.columns
            if isinstance(held[c].dtype, pd.CategoricalDtype) and not len(held[c].cat.categories)
        ]
        assert back[empty].isna().all().all()
        kept = [c for c in held.columns if c not in empty]
        pd.testing.assert_frame_equal(back[kept], held[kept], check_exact=True)
        for column in kept:
            assert back[column].dtype == held[column].dtype, (name, column)
            if isinstance(held[column].dtype, pd.CategoricalDtype):
                assert list(back[column].cat.categories) == list(held[column].cat.categories)


def test_measurements_are_written_plain_and_codes_with_their_dictionaries(tmp_path):
    run = small_run(tmp_path)
    assert run.path is not None
    containers = run.table("containers")
    meta = pq.ParquetFile(run.path / "containers.parquet").metadata
    dictionary = {
        meta.schema.column(i).name: any(
            "DICTIONARY" in e for e in meta.row_group(0).column(i).encodings
        )
        for i in range(meta.num_columns)
    }
    kinds = {str(c): containers[c].dtype.kind for c in containers.columns}
    measured = [c for c, kind in kinds.items() if kind in "fM"]
    coded = [c for c, kind in kinds.items() if kind not in "fMb"]  # Parquet packs flags as bits
    assert measured
    assert coded
    assert not any(dictionary[c] for c in measured)
    assert all(dictionary[c] for c in coded)
