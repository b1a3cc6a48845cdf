"""Where tasks run: in this process, on local worker processes, or on a Dask cluster.

``execute(fn, tasks)`` maps a pure, top-level function over argument tuples and returns the
results in task order, whatever order the workers finish in — so a run gives the same numbers
on one worker, on many, or on a cluster. ``execute_iter`` yields ``(index, result)`` pairs as
tasks finish, for callers that act on each result at once (a sweep writes a point as soon as
its replications are in). Local workers are started with the ``forkserver`` method from a
context object (the interpreter-wide start method is left alone). ``dask_scheduler="local"``
starts a throw-away ``LocalCluster``; any other value is the address of a running scheduler.

All tasks of an experiment go to one call, so the pool stays busy until the last task: a sweep
of 6 points × 5 replications is 30 tasks, not 6 rounds of 5.
"""

from __future__ import annotations

import multiprocessing as mp
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Any, TypeVar

T = TypeVar("T")
Progress = Callable[[int, int], None]
"""Called with (tasks done, tasks in all) before the first task and each time one finishes."""

PRELOAD = ["sim.experiment.runner"]
"""Modules the fork server imports once, so each worker starts warm."""


class BackendError(ValueError):
    """A backend cannot be used as asked: a bad worker count, an unreachable scheduler."""


def default_workers() -> int:
    """The machine's cores available to this process."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpu_count() or 1)


def describe_backend(workers: int | None, dask_scheduler: str | None) -> str:
    """A short label for manifests: ``local:4``, ``serial``, ``dask:local``, ``dask:tcp://…``."""
    if dask_scheduler:
        return f"dask:{dask_scheduler}"
    n = default_workers() if workers is None else workers
    return "serial" if n == 1 else f"local:{n}"


def execute(
    fn: Callable[..., T],
    tasks: Sequence[tuple[Any, ...]],
    *,
    workers: int | None = None,
    dask_scheduler: str | None = None,
    progress: Progress | None = None,
) -> list[T]:
    """``[fn(*t) for t in tasks]``, run serially, on local processes or on Dask."""
    results: dict[int, T] = {}
    for i, value in execute_iter(
        fn, tasks, workers=workers, dask_scheduler=dask_scheduler, progress=progress
    ):
        results[i] = value
    return [results[i] for i in range(len(tasks))]


def execute_iter(
    fn: Callable[..., T],
    tasks: Sequence[tuple[Any, ...]],
    *,
    workers: int | None = None,
    dask_scheduler: str | None = None,
    progress: Progress | None = None,
) -> Iterator[tuple[int, T]]:
    """Yield ``(i, fn(*tasks[i]))`` as tasks finish (in task order when serial).

    Closing the iterator early (or an exception in the caller's loop) cancels the tasks not
    yet started and shuts the workers down.
    """
    if workers is not None and workers < 1:
        raise BackendError(f"--workers must be at least 1, got {workers}")
    if progress:
        progress(0, len(tasks))
    if not tasks:
        return iter(())
    if dask_scheduler:
        return _dask(fn, tasks, dask_scheduler, workers, progress)
    n = min(default_workers() if workers is None else workers, len(tasks))
    if n == 1:
        return _serial(fn, tasks, progress)
    return _local(fn, tasks, n, progress)


def _serial(
    fn: Callable[..., T], tasks: Sequence[tuple[Any, ...]], progress: Progress | None
) -> Iterator[tuple[int, T]]:
    for i, task in enumerate(tasks):
        value = fn(*task)
        if progress:
            progress(i + 1, len(tasks))
        yield i, value


def _local(
    fn: Callable[..., T], tasks: Sequence[tuple[Any, ...]], workers: int, progress: Progress | None
) -> Iterator[tuple[int, T]]:
    ctx = mp.get_context("forkserver")
    ctx.set_forkserver_preload(PRELOAD)
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=ctx)
    finished = False
    try:
        futures: dict[Future[T], int] = {pool.submit(fn, *t): i for i, t in enumerate(tasks)}
        pending = set(futures)
        done_count = 0
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            # Yield in task order among those that finished together: stable for callers.
            for fut in sorted(done, key=futures.__getitem__):
                value = fut.result()
                done_count += 1
                if progress:
                    progress(done_count, len(tasks))
                yield futures[fut], value
        finished = True
    finally:
        # On an error or Ctrl-C, drop the queued tasks instead of running them to the end.
        pool.shutdown(wait=finished, cancel_futures=not finished)


def _dask(
    fn: Callable[..., T],
    tasks: Sequence[tuple[Any, ...]],
    scheduler: str,
    workers: int | None,
    progress: Progress | None,
) -> Iterator[tuple[int, T]]:
    from dask.distributed import Client, LocalCluster, as_completed

    cluster = None
    try:
        if scheduler == "local":
            cluster = LocalCluster(
                n_workers=workers or default_workers(),
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
            )
            client = Client(cluster)
        else:
            client = Client(scheduler, timeout="20s")
    except (OSError, TimeoutError, ValueError) as exc:
        if cluster is not None:
            cluster.close()
        raise BackendError(f"--dask-scheduler {scheduler}: cannot connect ({exc})") from None
    try:
        futures = [client.submit(fn, *t, pure=False) for t in tasks]
        index = {f.key: i for i, f in enumerate(futures)}
        for n, fut in enumerate(as_completed(futures), start=1):
            value = fut.result()
            if progress:
                progress(n, len(tasks))
            yield index[fut.key], value
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
