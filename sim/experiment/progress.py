"""Progress of a long experiment in a notebook: rich's progress bar, drawn in the cell.

A sweep run from a notebook cell without a ``progress`` callback shows one by itself
(:func:`notebook_progress`), so a long sweep does not look stuck. Rich draws in a notebook
through ipywidgets (``pip install -e ".[notebook]"`` installs it); without it, or outside a
notebook, nothing is drawn. The command line draws its own bar on the terminal.
"""

from __future__ import annotations

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from sim.experiment.backends import Progress as Callback


def in_notebook() -> bool:
    """Whether this process is a Jupyter kernel."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and type(shell).__name__ == "ZMQInteractiveShell"


def notebook_progress(label: str) -> Callback | None:
    """A progress callback that draws a bar in the notebook cell running it; ``None``
    outside a notebook or without ipywidgets."""
    if not in_notebook():
        return None
    try:
        import ipywidgets  # noqa: F401  (rich draws in a notebook through it)
    except ImportError:
        return None
    return progress_callback(label, Console(force_jupyter=True))


def progress_callback(label: str, console: Console) -> Callback:
    """A callback (tasks done, tasks in all) drawing ``label``'s bar on ``console``; the bar
    starts with the first call and stops when every task is done."""
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=console,
        auto_refresh=False,
    )
    task = bar.add_task(label, total=None)
    state = {"started": False}

    def update(done: int, total: int) -> None:
        if not state["started"]:
            bar.start()
            state["started"] = True
        bar.update(task, completed=done, total=total, refresh=True)
        if done >= total:
            bar.stop()

    return update
