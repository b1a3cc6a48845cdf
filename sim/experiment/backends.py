"""Where tasks run: in this process, on local worker processes, or on a Dask cluster.

``execute(fn, tasks)`` maps a pure, top-level function over argument tuples and returns the
results in task order, whatever order the workers finish in — so a run gives the same numbers
on one worker, on many, or on a cluster. ``execute_iter`` yields ``(index, result)`` pairs as
tasks finish, for callers that act on each result at once (a sweep writes a point as soon as
its replications are in). ``dask_scheduler="local"`` starts a throw-away ``LocalCluster``; any
other value is the address of a running scheduler.

With ``workers=N`` locally, a plain ``ProcessPoolExecutor`` of N processes works while this
one hands out tasks and collects results (``as_completed``). Its processes are forked by a
fork server from a context object (the interpreter-wide start method is left alone). The
fork server imports, once, the packages a replication needs — ``sim`` among them, found on
this process's ``sys.path`` as it is when the server starts (:func:`_start_fork_server`) — so
a worker starts warm, in milliseconds, instead of importing them again.

**The same code everywhere.** Every task, local or on Dask, carries the caller's
:class:`~sim.experiment.fingerprint.CodeIdentity`; a worker whose code differs refuses it with
:class:`CodeMismatch`, naming both sides (:func:`run_checked`).

**A script runs once.** Processes started by a fork server (or spawned) import the caller's
main module again before they work — multiprocessing's "safe importing of main module" rule —
so a script whose code is not under ``if __name__ == "__main__":`` would run again in every
worker. Every task is a function of ``sim``, so the workers never need that module: while they
start, the main module is not named to them (:func:`_main_module_unnamed`), and a plain script
runs once however it is written.

**Nothing outlives the caller.** The fork server starts with Ctrl-C blocked, so only this
process sees it and stops the workers; each worker watches this process and exits when it is
gone, even after a kill -9, taking multiprocessing's folder with it (:func:`_init_worker`).

All tasks of an experiment go to one call, so the pool stays busy until the last task: a sweep
of 6 points × 5 replications is 30 tasks, not 6 rounds of 5.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import select
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures import process as futures_process
from contextlib import contextmanager, suppress
from multiprocessing import forkserver
from pathlib import Path
from typing import Any, NoReturn, TypeVar

from sim.experiment.fingerprint import CodeIdentity, this_code, this_code_over

T = TypeVar("T")
Progress = Callable[[int, int], None]
"""Called with (tasks done, tasks in all) before the first task and each time one finishes."""

PRELOAD = [
    "numpy",
    "pandas",
    "pyarrow",
    "simpy",
    "networkx",
    "pydantic",
    "yaml",
    "scipy.special",
    "sim.experiment.backends",
    "sim.experiment.runner",
]
"""Modules the fork server imports once, so each worker starts warm: the packages a
replication needs (``scipy.special`` too: its stability KPIs' Student-t p-values would
otherwise import it in each worker's first replication; not ``scipy.stats``, which the KPIs
no longer need and which would keep every worker waiting 0.6 s more for the server to be
ready), and the ``sim`` modules of the tasks
(:func:`run_checked`, :func:`~sim.experiment.runner.run_one`). The server looks for them on
this process's ``sys.path`` (:func:`_start_fork_server`), so it imports the ``sim`` this
process runs; a worker that holds other code refuses every task (:func:`verify`)."""
SERVER_PATH_ENV = ("PYTHONPATH", "PYTHONSAFEPATH")
"""Environment variables that give the fork server this process's ``sys.path`` as it starts;
each worker sets them back to this process's values (:func:`_init_worker`)."""


class BackendError(ValueError):
    """A backend cannot be used as asked: a bad worker count, an unreachable scheduler."""


class CodeMismatch(BackendError):
    """A worker's code is not the code of the process that sent it a task."""


def verify(expected: CodeIdentity) -> None:
    """Raise :class:`CodeMismatch` unless this process's code is ``expected``."""
    mine = this_code_over(expected.modules)
    if mine.fingerprint == expected.fingerprint:
        return
    remedy = (
        "a file changed since this process imported it: restart it"
        if mine.package_dir == expected.package_dir and mine.host == expected.host
        else "start the workers from the same checkout or landport version (same Python and "
        "numerical packages)"
    )
    raise CodeMismatch(
        f"a worker runs other code than this process, so it refused the task: this process has "
        f"{expected.describe()}; worker pid {os.getpid()} has {mine.describe()}: "
        f"{'; '.join(expected.differences(mine)) or 'the code differs'}. Likely cause and "
        f"remedy: {remedy}"
    )


def run_checked(expected: CodeIdentity, fn: Callable[..., T], args: tuple[Any, ...]) -> T:
    """``fn(*args)`` in a worker, once the worker's code is found to be ``expected``.

    The worker's imports (``fn``'s module among them, loaded with the task) are frozen out of
    the cyclic collector's reach on its first task; ``fn`` pauses the collector itself while
    it simulates (:func:`sim.engine.collector_paused`).
    """
    from sim.engine import freeze_long_lived

    verify(expected)
    freeze_long_lived()
    return fn(*args)


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


def prepare(workers: int | None = None, dask_scheduler: str | None = None, tasks: int = 2) -> None:
    """Start the fork server now if ``tasks`` tasks would run on local worker processes with
    these settings, so that it imports what the workers need while this process does other
    work (reads the scenario, imports the rest of the command line); :func:`execute` then
    finds it running. Bad settings are left for :func:`execute` to refuse."""
    if dask_scheduler or tasks < 2 or (workers is not None and workers < 2):
        return
    if min(default_workers() if workers is None else workers, tasks) > 1:
        _scratch_dir()
        _start_fork_server(mp.get_context("forkserver"))


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
    from sim.engine import freeze_long_lived

    freeze_long_lived()  # the caller's imports: the command line's or a script's
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
    """``workers`` pool processes; this process hands out the tasks and collects results."""
    pool = _pool(workers)
    expected = this_code()
    finished = False
    try:
        with _main_module_unnamed(fn):  # the pool starts its processes as tasks are submitted
            index = {
                pool.submit(run_checked, expected, fn, task): i for i, task in enumerate(tasks)
            }
        for done, fut in enumerate(as_completed(index), start=1):
            if fut.exception() is not None:
                _raise_first_failure(sorted(index, key=index.__getitem__), index[fut])
            value = fut.result()
            if progress:
                progress(done, len(tasks))
            yield index[fut], value
        finished = True
    finally:
        _stop(pool, finished)


def _raise_first_failure(futures: Sequence[Any], failed: int) -> NoReturn:
    """Task ``failed`` of ``futures`` (in task order) failed: raise the error of the first
    task that fails — the one a serial run stops at, whichever worker failed first in time.

    The tasks after it are cancelled first (those not started), so no worker takes new work;
    the tasks before it started before it, so this waits at most for the replications still
    running (Ctrl-C stops the wait, as it stops a run)."""
    for fut in futures[failed + 1 :]:
        fut.cancel()
    for fut in futures[: failed + 1]:
        if fut.exception() is not None:  # waits for it to finish
            fut.result()
    raise AssertionError("the last of these tasks failed")  # pragma: no cover


def _pool(workers: int) -> ProcessPoolExecutor:
    """A pool of ``workers`` processes forked from the fork server, each watching this one."""
    ctx = mp.get_context("forkserver")
    scratch = _scratch_dir()
    _start_fork_server(ctx)
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=ctx,
        initializer=_init_worker,
        initargs=(os.getpid(), scratch, {name: os.environ.get(name) for name in SERVER_PATH_ENV}),
    )


@contextmanager
def _main_module_unnamed(fn: Callable[..., Any]) -> Iterator[None]:
    """While worker processes start, hide which module is ``__main__`` from multiprocessing,
    so that they do not import it again (it names the module by ``__spec__`` or its file in
    the data each new process gets: ``multiprocessing.spawn.get_preparation_data``). Left
    alone when ``fn`` itself lives in ``__main__`` (the workers need it then), and where
    ``__main__`` is not a file (an interactive session, a notebook)."""
    main = sys.modules.get("__main__")
    spec, path = getattr(main, "__spec__", None), getattr(main, "__file__", None)
    if (
        main is None
        or getattr(fn, "__module__", None) == "__main__"
        or (spec is None and path is None)
    ):
        yield
        return
    main.__spec__ = None
    if path is not None:
        del main.__file__
    try:
        yield
    finally:
        main.__spec__ = spec
        if path is not None:
            main.__file__ = path


SCRATCH_PREFIX = "landport-mp-"
"""Name of this process's multiprocessing folder (it holds the fork server's socket):
``landport-mp-<pid>-<random>`` in the system temporary directory."""


def _scratch_dir() -> str:
    """The folder multiprocessing keeps its files in for this process, named after its pid.

    multiprocessing removes it when this process exits normally; after a kill -9 the workers
    remove it as they exit, and the next start removes any whose owner is gone.
    """
    # Where multiprocessing.util.get_temp_dir keeps it.
    config = mp.current_process()._config  # type: ignore[attr-defined]
    if config.get("tempdir") is None:
        _remove_dead_scratch_dirs()
        folder = tempfile.mkdtemp(prefix=f"{SCRATCH_PREFIX}{os.getpid()}-")
        config["tempdir"] = folder
        mp.util.Finalize(None, shutil.rmtree, args=(folder, True), exitpriority=-100)
    return str(mp.util.get_temp_dir())


def _remove_dead_scratch_dirs() -> None:
    for folder in Path(tempfile.gettempdir()).glob(f"{SCRATCH_PREFIX}*-*"):
        pid = folder.name[len(SCRATCH_PREFIX) :].split("-", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)


def _start_fork_server(ctx: Any) -> None:
    """Start the fork server (once per process) with Ctrl-C blocked, on this ``sys.path``.

    A terminal's Ctrl-C goes to every process of the command; the fork server and the workers
    forked from it inherit the blocked signal and leave Ctrl-C to this process, which stops
    them — no traceback from a process still importing. The resource tracker is started
    the same way by multiprocessing itself.

    Python 3.11's fork server does not take the caller's ``sys.path``: it would search for
    ``sim`` where a bare ``python -c`` does (the working directory first), perhaps finding
    another checkout. It is started with this ``sys.path`` as ``PYTHONPATH``, and with
    ``PYTHONSAFEPATH`` so that nothing comes before it, then finds what this process found.
    """
    ctx.set_forkserver_preload(PRELOAD)
    path = os.pathsep.join(p or os.curdir for p in sys.path)
    with _environment(dict(zip(SERVER_PATH_ENV, (path, "1"), strict=True))):
        if not hasattr(signal, "pthread_sigmask"):  # pragma: no cover - not POSIX
            forkserver.ensure_running()
            return
        old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            forkserver.ensure_running()
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, old)


@contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    """These environment variables set meanwhile (for a process started now), then as they
    were."""
    before = {name: os.environ.get(name) for name in values}
    _set_environment(dict(values))
    try:
        yield
    finally:
        _set_environment(before)


def _set_environment(values: dict[str, str | None]) -> None:
    """Set (or, for None, remove) these environment variables."""
    for name, value in values.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


def _init_worker(caller: int, scratch: str, environment: dict[str, str | None]) -> None:
    """In each worker: the caller's environment (``environment``: the variables the fork
    server was started with, as the caller has them), Ctrl-C left to the caller, and exit
    as soon as the caller is gone.

    A worker's parent is the fork server, not the caller, and the fork server lives as long as
    any worker does; so a worker watches the caller itself. When the caller dies, even by
    kill -9, the workers exit, then the fork server (its last client gone) and the resource
    tracker (its last writer gone). The caller's multiprocessing folder goes with them.
    """
    _set_environment(environment)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(
        target=_exit_when_gone, args=(caller, scratch), name="landport-watch-caller", daemon=True
    ).start()


WATCH_POLL_S = 0.5
"""How often a worker checks that its caller lives, where the OS cannot notify it."""


def _exit_when_gone(pid: int, scratch: str) -> None:
    try:
        fd = os.pidfd_open(pid)  # Linux ≥ 5.3: readable when the process ends
    except (AttributeError, OSError):
        fd = None
    if fd is not None:
        select.select([fd], [], [])
    else:  # pragma: no cover - other systems
        while _alive(pid):
            time.sleep(WATCH_POLL_S)
    shutil.rmtree(scratch, ignore_errors=True)
    os._exit(1)


def _alive(pid: int) -> bool:
    """Does process ``pid`` exist (as far as signal 0 can tell: a reused pid counts)?"""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, as another user's process
        return True
    return True


def _stop(pool: ProcessPoolExecutor, finished: bool) -> None:
    """Shut the pool down: at once, its running tasks killed, unless every task finished."""
    if finished:
        pool.shutdown(wait=True)
        return
    # An error or Ctrl-C: a replication still running would keep its worker (and the exit of
    # this process) for as long as it takes. ``_processes`` is the executor's process table
    # (``shutdown`` empties it).
    processes = list((getattr(pool, "_processes", None) or {}).values())
    calls = getattr(pool, "_call_queue", None)  # tasks on their way to the workers
    if calls is not None:
        # Its feeder thread may be writing into a pipe no worker will read again: it is not
        # to be waited for, by the shutdown below or at this process's exit (which would then
        # hang after Ctrl-C).
        calls.cancel_join_thread()
    manager = getattr(pool, "_executor_manager_thread", None)  # shutdown forgets them
    results = getattr(pool, "_result_queue", None)
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.terminate()
    for process in processes:
        process.join(timeout=30)
    if results is not None:
        # A worker stopped while it sent its result (megabytes) leaves the pool's manager
        # thread waiting for the rest of the message for ever; with this process's end of the
        # pipe closed too, no writer is left, and it reads the end of the pipe instead.
        with suppress(OSError):
            results._writer.close()
    if manager is not None:
        manager.join(timeout=30)  # it collects the workers and closes the pool's pipes
    pool.shutdown(wait=True)
    # At exit, Python 3.11 wakes every pool's manager thread it knows of through a pipe,
    # finished or not; this one's pipe is closed by now, and the exit would print a traceback
    # after the one line that says what was saved. Forget the finished ones.
    wakeups = getattr(futures_process, "_threads_wakeups", None)
    if wakeups is not None:
        for thread in [t for t in list(wakeups) if not t.is_alive()]:
            wakeups.pop(thread, None)


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
            with _main_module_unnamed(fn):  # its worker processes are started by now
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
        expected = this_code()
        futures = [client.submit(run_checked, expected, fn, t, pure=False) for t in tasks]
        index = {f.key: i for i, f in enumerate(futures)}
        for n, fut in enumerate(as_completed(futures), start=1):
            if fut.status == "error":
                _raise_first_failure(futures, index[fut.key])
            value = fut.result()
            if progress:
                progress(n, len(tasks))
            yield index[fut.key], value
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
