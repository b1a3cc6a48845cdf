"""Where tasks run: in this process, on local worker processes, or on a Dask cluster.

``execute(fn, tasks)`` maps a pure, top-level function over argument tuples and returns the
results in task order, whatever order the workers finish in — so a run gives the same numbers
on one worker, on many, or on a cluster. Local workers are started with the ``forkserver``
method from a context object (the interpreter-wide start method is left alone).
"""

from __future__ import annotations

import multiprocessing as mp
import os
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Any, TypeVar

T = TypeVar("T")
Progress = Callable[[int, int], None]
"""Called with (tasks done, tasks in all) each time a task finishes."""


def default_workers() -> int:
    """The machine's cores available to this process."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpu_count() or 1)


def execute(
    fn: Callable[..., T],
    tasks: Sequence[tuple[Any, ...]],
    *,
    workers: int | None = None,
    dask_scheduler: str | None = None,
    progress: Progress | None = None,
) -> list[T]:
    """``[fn(*t) for t in tasks]``, run serially, on local processes or on Dask."""
    if dask_scheduler:
        return _dask(fn, tasks, dask_scheduler, progress)
    workers = default_workers() if workers is None else workers
    if workers < 1:
        raise ValueError(f"workers must be >= 1, got {workers}")
    if workers == 1 or len(tasks) <= 1:
        out = []
        for i, task in enumerate(tasks):
            out.append(fn(*task))
            if progress:
                progress(i + 1, len(tasks))
        return out
    return _local(fn, tasks, min(workers, len(tasks)), progress)


def _local(
    fn: Callable[..., T], tasks: Sequence[tuple[Any, ...]], workers: int, progress: Progress | None
) -> list[T]:
    ctx = mp.get_context("forkserver")
    ctx.set_forkserver_preload(["sim.experiment.runner"])
    results: dict[int, T] = {}
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
        futures: dict[Future[T], int] = {pool.submit(fn, *t): i for i, t in enumerate(tasks)}
        pending = set(futures)
        try:
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for fut in done:
                    results[futures[fut]] = fut.result()
                if progress:
                    progress(len(results), len(tasks))
        except BaseException:
            for fut in pending:
                fut.cancel()
            raise
    return [results[i] for i in range(len(tasks))]


def _dask(
    fn: Callable[..., T],
    tasks: Sequence[tuple[Any, ...]],
    scheduler: str,
    progress: Progress | None,
) -> list[T]:
    from dask.distributed import Client, LocalCluster, as_completed

    cluster = None
    if scheduler == "local":
        cluster = LocalCluster(
            n_workers=default_workers(),
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
        )
        client = Client(cluster)
    else:
        client = Client(scheduler)
    try:
        futures = [client.submit(fn, *t, pure=False) for t in tasks]
        index = {f.key: i for i, f in enumerate(futures)}
        results: dict[int, T] = {}
        for fut in as_completed(futures):
            results[index[fut.key]] = fut.result()
            if progress:
                progress(len(results), len(tasks))
        return [results[i] for i in range(len(tasks))]
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
