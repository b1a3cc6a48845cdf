"""Run folders: written whole or not at all, never overwritten, and read back into pandas.

A run folder holds, for every replication (column ``replication``):
``containers.parquet``, ``trains.parquet``, ``shipments.parquet``, ``vessels.parquet``,
``queues.parquet`` (resource level change points), ``kpis.parquet`` (tidy: replication, kpi,
value); and ``summary.parquet`` / ``summary.csv`` (mean, Student-t 95 % half-width, n per
KPI), ``kpis.json`` (KPI → mean over replications), ``manifest.json`` and ``scenario.yaml``
(the scenario as resolved).

Writing a folder is a :class:`PendingFolder`. It is *reserved* before anything is computed:
the name is checked (a plain, visible name the file system accepts), the disk is checked
(writable, room for an estimate of the output) and a hidden temporary sibling
``.<name>.tmp-<hex>`` is created, so a bad ``--out`` or a full disk fails in a second, not
after the simulation. Everything is written into that sibling, which is then renamed to the
final name in one step that never replaces anything (``renameat2(RENAME_NOREPLACE)`` where the
system has it): if the name was taken meanwhile — two runs started in the same second pick
the same name — the next free one (``<name>-2``, ``-3``, …) is taken, so a computed run is
never lost and nothing that existed is ever touched. An interrupted write removes the
sibling; one left by a killed process (it holds a lock while it lives) is removed by the next
run in the same folder.

The folders live under the *results root* (:func:`results_root`): the ``results/`` folder of
the landport checkout the working directory is in, found from any folder inside it (so
``sim.load(id)`` and ``landport runs`` work from ``notebooks/`` too), or the folder named by
``LANDPORT_RESULTS``.

Reading is as careful: a missing, truncated or foreign file gives a :class:`RunFolderError`
that names the file and what was expected, never a traceback from deep inside a parser.

The module is over 500 lines because it is one idea — a folder that appears whole or not at
all, under a name never taken twice — whose parts (names, the disk, locks, the rename that
never replaces, reading back) depend on each other. Files that replace others are written by
:mod:`sim.results.atomic`.
"""

from __future__ import annotations

import contextlib
import ctypes
import datetime as dt
import errno
import json
import os
import re
import shutil
import tomllib
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pandas as pd

from sim.results.atomic import TMP_MARK

try:
    import fcntl
except ImportError:  # not on Windows: no locks, so no clean-up of stale temporary folders
    fcntl = None  # type: ignore[assignment]

TABLE_FILES = ("containers", "trains", "shipments", "vessels", "queues")
KINDS = ("run", "compare", "sweep", "optimise")
LOCK_FILE = ".writing.lock"
"""Inside a temporary folder: locked by the writing process and holding its pid."""
STEM_BYTES = 80
"""Longest stem taken from a scenario name for an automatic folder name."""
SUFFIX_ROOM = 8
"""Bytes kept free in a name for a clash suffix (``-2`` … ``-999``) or ``.partial``."""
MAX_CLASHES = 999
_TMP_RE = re.compile(r"^\..*\.tmp-[0-9a-f]{8}$")


class RunFolderError(ValueError):
    """The run folder cannot be written or read."""


# ----------------------------------------------------------------------------- the root

RESULTS_DIR = "results"
RESULTS_ENV = "LANDPORT_RESULTS"
"""Environment variable: the results root to use wherever landport runs (an absolute path, or
one relative to the working directory)."""
PROJECT_NAME = "landport"


def results_root(root: str | Path | None = None) -> Path:
    """The folder that holds run folders and the catalogue: ``root`` when given, else the
    folder named by ``LANDPORT_RESULTS``, else ``results/`` of the landport checkout the
    working directory is in — the nearest folder upwards whose ``pyproject.toml`` names the
    ``landport`` project — else ``results/`` here. Found in the working directory itself, it is
    the relative ``results``."""
    if root is not None:
        return Path(root)
    env = os.environ.get(RESULTS_ENV, "").strip()
    if env:
        return Path(env).expanduser()
    here = Path.cwd()
    for folder in (here, *here.parents):
        if _is_project(folder):
            return Path(RESULTS_DIR) if folder == here else folder / RESULTS_DIR
    return Path(RESULTS_DIR)


def _is_project(folder: Path) -> bool:
    """A landport checkout: its ``pyproject.toml`` names the project."""
    try:
        with (folder / "pyproject.toml").open("rb") as f:
            meta = tomllib.load(f)
    except (OSError, ValueError):  # none there, unreadable, or not TOML
        return False
    project = meta.get("project")
    return isinstance(project, dict) and project.get("name") == PROJECT_NAME


# ----------------------------------------------------------------------------- names


def _stamp() -> str:
    return dt.datetime.now().strftime("%Y%m%d-%H%M%S")


def safe_stem(text: str, fallback: str = "run") -> str:
    """A folder-name stem from any text: letters, digits, ``_``, ``-`` and ``.`` only, never
    hidden, never ``.`` or ``..``, at most :data:`STEM_BYTES` bytes (``"../x y"`` → ``x-y``)."""
    stem = re.sub(r"[^\w.\-]+", "-", text).strip(".-")
    stem = re.sub(r"\.{2,}", ".", stem)
    raw = stem.encode("utf-8")[:STEM_BYTES]
    stem = raw.decode("utf-8", errors="ignore").rstrip(".-")
    return stem or fallback


def _name_max(folder: Path) -> int:
    for here in (folder, *folder.parents):
        with contextlib.suppress(OSError, ValueError):
            return int(os.pathconf(here, "PC_NAME_MAX"))
    return 255


def check_name(dest: Path, extra: int = 0) -> None:
    """Refuse a destination name no run folder should have: empty, ``.``/``..``, hidden,
    with control characters, or too long for the file system (with ``extra`` bytes to spare)."""
    name = dest.name
    if name in ("", ".", ".."):
        raise RunFolderError(f"{dest}: not a folder name; give a path such as results/my-run")
    if name.startswith("."):
        raise RunFolderError(
            f"{dest}: a hidden name; run folders are visible (hidden ones are temporary)"
        )
    if any(ord(c) < 32 or ord(c) == 127 for c in name):
        raise RunFolderError(f"{str(dest)!r}: control characters in the folder name")
    room = _name_max(dest.parent) - SUFFIX_ROOM - extra
    size = len(os.fsencode(name))
    if size > room:
        raise RunFolderError(
            f"{str(dest)[:60]}…: the folder name is {size} bytes; at most {room} fit here"
        )


def free_name(dest: Path, taken: Callable[[Path], bool]) -> Path:
    """``dest``, or ``<dest>-2``, ``-3``, … — the first that ``taken`` says is free."""
    for candidate in _candidates(dest):
        if not taken(candidate):
            return candidate
    raise RunFolderError(f"{dest}: {MAX_CLASHES} folders of that name already exist")


def _candidates(dest: Path) -> Iterator[Path]:
    yield dest
    for n in range(2, MAX_CLASHES + 1):
        yield dest.with_name(f"{dest.name}-{n}")


def unique_folder(root: Path, stem: str, taken: Callable[[Path], bool] = os.path.lexists) -> Path:
    """A new folder name under ``root``: ``<safe stem>-<YYYYmmdd-HHMMSS>``, suffixed if taken.

    Only a proposal: the name is claimed when the folder is renamed into place
    (:func:`publish`), which takes the next free name if it was taken meanwhile.
    """
    return free_name(Path(root) / f"{safe_stem(stem)}-{_stamp()}", taken)


# ----------------------------------------------------------------------------- the disk


@contextlib.contextmanager
def writing(where: Path | str, doing: str = "cannot write") -> Iterator[None]:
    """An operating-system error (disk full, read-only file system, no permission, name too
    long) as one :class:`RunFolderError` line naming ``where``."""
    try:
        yield
    except RunFolderError:
        raise
    except OSError as exc:
        reason = exc.strerror or str(exc).splitlines()[0]
        if exc.errno is None and "errno 28" in str(exc).lower():  # pyarrow's wording
            reason = os.strerror(errno.ENOSPC)
        raise RunFolderError(f"{where}: {doing} ({reason})") from None


def check_space(folder: Path, need_bytes: int, what: str = "the output") -> None:
    """Fail now, not after the simulation, when ``folder``'s disk cannot hold ``need_bytes``."""
    if need_bytes <= 0:
        return
    free = shutil.disk_usage(folder).free
    if free < need_bytes:
        raise RunFolderError(
            f"{folder}: {_mb(free)} free, but {what} needs about {_mb(need_bytes)}; "
            "free some space or write elsewhere (--out)"
        )


def _mb(n: int) -> str:
    return f"{n / 1e6:,.1f} MB"


def rename_noreplace(src: Path, dst: Path) -> None:
    """Rename ``src`` to ``dst`` in one step that never replaces ``dst``: FileExistsError if
    ``dst`` exists. Uses Linux's ``renameat2(RENAME_NOREPLACE)``; elsewhere (or on a file
    system without it) ``dst`` is claimed with ``mkdir`` and the empty folder replaced."""
    if _renameat2 is not None:
        if _renameat2(_AT_FDCWD, os.fsencode(src), _AT_FDCWD, os.fsencode(dst), 1) == 0:
            return
        code = ctypes.get_errno()
        if code not in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP):
            raise OSError(code, os.strerror(code), str(dst))
    os.mkdir(dst)  # FileExistsError when taken: the claim is atomic
    try:
        os.rename(src, dst)  # replaces only the empty folder claimed just now
    except BaseException:
        with contextlib.suppress(OSError):
            os.rmdir(dst)
        raise


def _libc_renameat2() -> Any:
    try:
        fn = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return None
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    fn.restype = ctypes.c_int
    return fn


_AT_FDCWD = -100
_renameat2 = _libc_renameat2()


# ----------------------------------------------------------------------------- locks


def hold_lock(path: Path) -> int | None:
    """Create ``path``, lock it for as long as this process lives (or until
    :func:`release_lock`) and write the pid into it; None where locks are not available.
    Raises BlockingIOError when another living process holds it."""
    if fcntl is None:
        return None
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
    except BaseException:
        os.close(fd)
        raise
    return fd


def release_lock(fd: int | None, path: Path | None = None) -> None:
    if fd is None:
        return
    if path is not None:
        with contextlib.suppress(OSError):
            path.unlink()
    os.close(fd)


def _abandoned(folder: Path) -> bool:
    """True when the process that wrote ``folder`` has died: its lock is free and stamped
    (a pid was written while it was held). A folder without that proof is left alone."""
    if fcntl is None:
        return False
    try:
        fd = os.open(folder / LOCK_FILE, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return False  # its writer is alive
    try:
        return bool(os.read(fd, 32).strip())
    finally:
        os.close(fd)


def remove_abandoned(parent: Path) -> list[Path]:
    """Remove temporary folders under ``parent`` left by writers that were killed."""
    removed = []
    with contextlib.suppress(OSError):
        for entry in os.scandir(parent):
            if _TMP_RE.match(entry.name) and entry.is_dir(follow_symlinks=False):
                path = Path(entry.path)
                if _abandoned(path):
                    shutil.rmtree(path, ignore_errors=True)
                    removed.append(path)
    return removed


# ----------------------------------------------------------------------------- writing


def make_parent(target: Path) -> Path:
    """Create the folder ``target`` goes into (with its parents) and return it."""
    parent = target.parent
    if os.path.lexists(parent) and not parent.is_dir():
        raise RunFolderError(f"{target}: {parent} is not a folder")
    with writing(target, "cannot create the folder"):
        parent.mkdir(parents=True, exist_ok=True)
    return parent


class PendingFolder:
    """A folder being written: reserved up front, filled in a hidden sibling, renamed whole.

    >>> with PendingFolder.reserve(stem="baseline") as pending:  # doctest: +SKIP
    ...     (pending.tmp / "kpis.json").write_text("{}")
    ...     final = pending.commit()  # results/baseline-<time>, or -2, -3 … if taken
    """

    def __init__(self, dest: Path) -> None:
        self.dest = dest
        self.tmp = dest.parent / f".{dest.name[:40]}{TMP_MARK}{uuid.uuid4().hex[:8]}"
        self.path: Path | None = None
        self._lock: int | None = None

    @classmethod
    def reserve(
        cls,
        dest: str | Path | None = None,
        *,
        root: str | Path | None = None,
        stem: str = "run",
        need_bytes: int = 0,
    ) -> PendingFolder:
        """Check and reserve the folder ``dest`` (which must not exist), or a new
        ``<root>/<stem>-<time>`` (``root``: :func:`results_root`): a writable, sane name with
        room for ``need_bytes``."""
        if dest is None:
            target = results_root(root) / f"{safe_stem(stem)}-{_stamp()}"
        else:
            target = Path(dest)
            check_name(target)
            if os.path.lexists(target):
                raise FileExistsError(
                    f"{target}: already exists; a results folder is never overwritten"
                )
        pending = cls(target)
        parent = make_parent(target)
        with writing(target, "cannot create the folder"):
            remove_abandoned(parent)
            try:
                pending.tmp.mkdir()  # proves the folder writable before anything is computed
                pending._lock = hold_lock(pending.tmp / LOCK_FILE)
                check_space(parent, need_bytes)
            except BaseException:
                pending.discard()
                raise
        return pending

    def commit(
        self, finish: Callable[[Path, Path], None] | None = None, *, exact: bool = False
    ) -> Path:
        """Rename the filled folder to its name, or to the next free one if that was taken
        meanwhile (with ``exact``: raise instead). ``finish(tmp, final)`` writes, before each
        attempt, the files that name the final folder (the manifest)."""
        release_lock(self._lock, self.tmp / LOCK_FILE)
        self._lock = None
        self.path = publish(self.tmp, self.dest, finish, exact=exact)
        return self.path

    def discard(self) -> None:
        """Remove the temporary folder (nothing else is touched)."""
        release_lock(self._lock)
        self._lock = None
        if self.path is None:
            shutil.rmtree(self.tmp, ignore_errors=True)

    def __enter__(self) -> PendingFolder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.discard()


def publish(
    folder: Path,
    dest: Path,
    finish: Callable[[Path, Path], None] | None = None,
    *,
    exact: bool = False,
) -> Path:
    """Rename the finished ``folder`` to ``dest`` or, when that name is taken, to the next
    free one (``exact``: raise instead); never replaces anything. ``finish(folder, final)``
    runs before each attempt, to write the files that name the final folder."""
    with writing(dest):
        for candidate in [dest] if exact else _candidates(dest):
            if finish is not None:
                finish(folder, candidate)
            try:
                rename_noreplace(folder, candidate)
            except FileExistsError:
                continue
            return candidate
    if exact:
        raise RunFolderError(
            f"{dest}: appeared while writing; a results folder is never overwritten"
        )
    raise RunFolderError(f"{dest}: {MAX_CLASHES} folders of that name already exist")


def atomic_folder(
    dest: Path,
    fill: Callable[[Path], None],
    finish: Callable[[Path, Path], None] | None = None,
    *,
    exact: bool = True,
) -> Path:
    """Create ``dest`` whole: ``fill(tmp)`` writes into a hidden sibling, renamed when done.

    With ``exact`` a name taken meanwhile is an error; otherwise the next free name is taken.
    An operating-system error (disk full …) removes the sibling and is a RunFolderError.
    """
    with PendingFolder.reserve(dest) as pending:
        with writing(dest):
            fill(pending.tmp)
        return pending.commit(finish, exact=exact)


def write_folder(
    dest: str | Path | PendingFolder,
    fill: Callable[[Path], None],
    finish: Callable[[Path, Path], None] | None = None,
) -> Path:
    """Write a folder whole with ``fill(tmp)`` and ``finish(tmp, final)``: into a folder
    reserved beforehand (renamed to its name or the next free one), or at the path ``dest``
    (which must not exist and is never replaced). Returns the folder."""
    if isinstance(dest, PendingFolder):
        with writing(dest.dest):
            fill(dest.tmp)
        return dest.commit(finish)
    return atomic_folder(Path(dest), fill, finish)


def write_tables(folder: Path, tables: Mapping[str, pd.DataFrame]) -> None:
    """Write each table as ``<name>.parquet``, in threads (:func:`write_table`).

    pyarrow releases the GIL while it encodes, so the other tables are written while the
    largest (containers) is.
    """
    with ThreadPoolExecutor(max_workers=4) as pool:
        done = [
            pool.submit(write_table, df, folder / f"{name}.parquet") for name, df in tables.items()
        ]
        for fut in done:
            fut.result()


def write_table(df: pd.DataFrame, path: Path) -> None:
    """``df`` as a Parquet file, dictionary-encoded except its float and timestamp columns.

    Those are measurements, nearly every value distinct: Parquet would build a dictionary for
    each only to drop it when it outgrows its page (pyarrow's default), which took half the
    time of writing a run's tables; plain-encoded they are 5 % larger (30 baseline
    replications: 0.55 s instead of 0.95 s, 89 MB instead of 85 MB). Text, categories and
    integers (identifiers, counts) keep their dictionaries — a categorical is read back with
    its categories in their order only from one. Read back, the table is the same either way.
    """
    coded = [str(name) for name, dtype in df.dtypes.items() if dtype.kind not in "fM"]
    df.to_parquet(path, index=False, use_dictionary=coded)


# ----------------------------------------------------------------------------- reading

MANIFEST_KEYS = ("seed", "replications")
"""Fields every manifest has (run, comparison and sweep alike)."""
KPI_COLUMNS = ("replication", "kpi", "value")
"""Columns of every saved ``kpis`` table (a sweep's has ``point`` too)."""
POINT_FOLDER = re.compile(r"^points/[0-9]{3,}$")
"""A sweep point's folder, relative to the sweep folder (as its manifest records it)."""


def first_line(exc: BaseException) -> str:
    """The first line of an exception's message (parsers write whole paragraphs)."""
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def read_table(folder: Path, name: str, columns: Sequence[str] = ()) -> pd.DataFrame:
    """``<folder>/<name>.parquet``, which must hold ``columns``; a missing, truncated or
    foreign file is a :class:`RunFolderError` naming it."""
    import pyarrow as pa

    path = Path(folder) / f"{name}.parquet"
    if not path.is_file():
        raise RunFolderError(f"{path}: missing; not a whole landport folder")
    try:
        df = pd.read_parquet(path)
    except (OSError, ValueError, pa.ArrowException):
        raise RunFolderError(
            f"{path}: not a readable Parquet file (truncated or damaged)"
        ) from None
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise RunFolderError(
            f"{path}: no column {missing[0]!r}; expected the columns {', '.join(columns)}"
        )
    return df


def read_json(path: Path) -> Any:
    """A JSON file of a run folder; missing or not JSON is a :class:`RunFolderError`."""
    if not path.is_file():
        raise RunFolderError(f"{path}: missing; not a whole landport folder")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise RunFolderError(f"{path}: not valid JSON ({first_line(exc)})") from None


def read_manifest(folder: Path) -> dict[str, Any]:
    """``<folder>/manifest.json``: a JSON object with a known ``kind`` and the
    :data:`MANIFEST_KEYS`, else a :class:`RunFolderError` naming the file and the field."""
    path = Path(folder) / "manifest.json"
    man = read_json(path)
    if not isinstance(man, dict):
        raise RunFolderError(
            f"{path}: expected a JSON object (a landport manifest), found a {type(man).__name__}"
        )
    kind = man.get("kind", "run")
    if kind not in KINDS:
        raise RunFolderError(f"{path}: kind: expected one of {', '.join(KINDS)}, found {kind!r}")
    for key in MANIFEST_KEYS:
        if key not in man:
            raise RunFolderError(f"{path}: {key}: missing; every landport manifest records it")
    return man
