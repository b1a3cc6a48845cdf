"""The notebooks in notebooks/ run top to bottom in a fresh kernel, and are committed clean.

Each notebook reads its replication count from ``LANDPORT_NB_REPLICATIONS`` and writes its
run folders under ``LANDPORT_NB_RESULTS`` (default: ``results/`` at the repository root);
here they run with 2 replications into a temporary folder, so the suite stays fast and leaves
nothing behind. ``make notebooks`` runs only these tests.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from tests.conftest import ROOT

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def test_the_three_notebooks_are_there():
    assert [p.name for p in NOTEBOOKS][:3] == [
        "01-baseline.ipynb",
        "02-rate-discounts.ipynb",
        "03-customs-capacity.ipynb",
    ]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_committed_without_outputs(path: Path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{path.name}: outputs in a cell; strip them"
            assert cell.execution_count is None, f"{path.name}: execution counts; strip them"
    params = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(params) == 1, "one parameter cell, tagged 'parameters'"
    assert "LANDPORT_NB_REPLICATIONS" in params[0].source


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_top_to_bottom_in_a_fresh_kernel(path: Path, tmp_path, monkeypatch):
    monkeypatch.setenv("LANDPORT_NB_REPLICATIONS", "2")
    monkeypatch.setenv("LANDPORT_NB_RESULTS", str(tmp_path))
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()  # raises CellExecutionError, with the cell and traceback, on any error
    images = [
        out
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.outputs
        if "image/png" in out.get("data", {})
    ]
    assert images, "the notebook shows its figures"
    assert any(tmp_path.iterdir()), "the notebook wrote its run folders under LANDPORT_NB_RESULTS"
