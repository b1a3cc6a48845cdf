"""A sweep's progress: a bar that starts with the first task and stops with the last."""

from __future__ import annotations

import io

from rich.console import Console

import sim
from sim.experiment.progress import in_notebook, notebook_progress, progress_callback
from tests.conftest import MMC, MMC_WEEK


def test_the_bar_counts_tasks_done_of_all_and_stops_at_the_end():
    out = io.StringIO()
    update = progress_callback("mmc: 2 points", Console(file=out, width=100))
    for done in range(5):
        update(done, 4)
    text = out.getvalue()
    assert "mmc: 2 points" in text
    assert "4/4" in text


def test_outside_a_notebook_nothing_is_drawn_and_a_sweep_reports_to_its_callback():
    assert not in_notebook()
    assert notebook_progress("sweep") is None
    seen: list[tuple[int, int]] = []
    sim.sweep(
        MMC,
        {"customs.import.officers": [3, 4]},
        overrides=MMC_WEEK,
        replications=2,
        workers=1,
        save=False,
        progress=lambda done, total: seen.append((done, total)),
    )
    assert seen[-1] == (4, 4)
