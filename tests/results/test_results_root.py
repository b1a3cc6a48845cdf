"""Where results go and are found: ``results/`` of the checkout from any folder inside it (a
notebook in ``notebooks/`` loads a run by its id), or ``LANDPORT_RESULTS``."""

from __future__ import annotations

from pathlib import Path

import pytest

import sim
from sim.results import catalog
from sim.results.store import RESULTS_ENV, results_root
from tests.conftest import MMC, MMC_WEEK, landport


@pytest.fixture
def checkout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A landport checkout (its pyproject.toml) with a notebooks/ folder, catalogue on."""
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "landport"\n', encoding="utf-8")
    (tmp_path / "notebooks" / "deeper").mkdir(parents=True)
    monkeypatch.delenv(RESULTS_ENV, raising=False)
    monkeypatch.delenv(catalog.ENV, raising=False)
    return tmp_path


def test_results_are_the_checkout_s_from_any_folder_inside_it(checkout, monkeypatch):
    monkeypatch.chdir(checkout)
    assert results_root() == Path("results")  # in the checkout itself: as before, relative
    monkeypatch.chdir(checkout / "notebooks" / "deeper")
    assert results_root() == checkout / "results"


def test_an_explicit_root_and_then_landport_results_win(checkout, monkeypatch, tmp_path):
    monkeypatch.chdir(checkout / "notebooks")
    monkeypatch.setenv(RESULTS_ENV, str(tmp_path / "elsewhere"))
    assert results_root() == tmp_path / "elsewhere"
    assert results_root("mine") == Path("mine")


def test_another_project_or_no_project_means_results_here(tmp_path, monkeypatch):
    monkeypatch.delenv(RESULTS_ENV, raising=False)
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "other"\n', encoding="utf-8")
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path / "sub")
    assert results_root() == Path("results")
    (tmp_path / "pyproject.toml").write_text("not [toml", encoding="utf-8")
    assert results_root() == Path("results")


def test_a_run_made_at_the_top_is_loaded_by_id_and_listed_from_notebooks(checkout, monkeypatch):
    monkeypatch.chdir(checkout)
    made = sim.run(MMC, overrides=MMC_WEEK, replications=1, workers=1)
    run_id = made.manifest["run_id"]
    monkeypatch.chdir(checkout / "notebooks")
    loaded = sim.load(run_id)
    assert Path(loaded.path).resolve() == (checkout / made.path).resolve()
    listed = landport("runs")
    assert listed.exit_code == 0, listed.output
    assert run_id in listed.output
    assert str(checkout / "results" / "catalog.duckdb") in " ".join(listed.output.split())
    again = sim.run(MMC, overrides=MMC_WEEK, replications=1, workers=1)  # from notebooks/
    assert again.path.parent == checkout / "results"
    assert len(sim.runs()) == 2
