"""The results catalogue: every run, comparison and sweep, and their KPIs, in one DuckDB file.

``results/catalog.duckdb`` lets an analyst query across all experiments in SQL (or pandas)
without opening folders one by one. It is an index, never the source of truth: the Parquet
files and manifests in the run folders are, and :func:`rebuild` re-creates the catalogue from
them at any time (``landport catalog rebuild``).

Tables:

``runs``
    one row per experiment: ``id`` (the ``run_id`` of its manifest), ``kind`` (``run``,
    ``compare`` or ``sweep``), ``scenario`` (name; ``A vs B`` for a comparison),
    ``scenario_file``, ``overrides`` (JSON object of the ``--set`` paths and values),
    ``hash`` (scenario hash; ``A|B`` for a comparison; the sweep spec's
    hash for a sweep), ``seed``, ``replications``, ``points``, ``created_at`` (UTC),
    ``git_commit``, ``folder`` (absolute), ``wall_s``, ``events``, ``backend``,
    ``registered_at``.
``points``
    one row per scenario run inside an experiment: ``run_id``, ``point`` (0 for a run; 0 = A,
    1 = B for a comparison; the point number of a sweep), ``label``, ``scenario``, ``hash``,
    ``levers`` (JSON object of lever path → value), ``folder``.
``kpis``
    ``run_id, point, replication, kpi, value``: every KPI of every replication.

Registering never endangers a run: a catalogue that is locked by another process (after a
few seconds of retrying), corrupt, or of an older layout gives a :class:`CatalogWarning` and
the run folder stays as written. The catalogue's location is ``<root>/catalog.duckdb`` (the
root: ``results/`` of the project, found from any folder inside it; see
:func:`sim.results.store.results_root`), or the file named by the ``LANDPORT_CATALOG``
environment variable (``off`` disables it).

The module is about 600 lines: the catalogue's layout, registration under concurrent writers,
the read-only query connection and the rebuild share their connection and locking rules and
would only scatter if split. A new catalogue file is written by :mod:`sim.results.atomic`.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import time
import uuid
import warnings
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from sim.results import store
from sim.results.atomic import replace_file
from sim.results.catalog_errors import CatalogError, CatalogWarning

CATALOG_FILE = "catalog.duckdb"
ENV = "LANDPORT_CATALOG"
"""Environment variable: the catalogue file to use instead of ``<root>/catalog.duckdb``;
``off`` (or empty) turns registration off."""
LAYOUT = "1"
KINDS = ("run", "compare", "sweep", "optimise")
LOCK_TIMEOUT_S = 5.0

_DDL = (
    """CREATE TABLE IF NOT EXISTS runs (
        id VARCHAR, kind VARCHAR, scenario VARCHAR, scenario_file VARCHAR, overrides VARCHAR,
        hash VARCHAR,
        seed BIGINT, replications INTEGER, points INTEGER, created_at TIMESTAMP,
        git_commit VARCHAR, folder VARCHAR, wall_s DOUBLE, events BIGINT, backend VARCHAR,
        registered_at TIMESTAMP)""",
    """CREATE TABLE IF NOT EXISTS points (
        run_id VARCHAR, point INTEGER, label VARCHAR, scenario VARCHAR, hash VARCHAR,
        levers VARCHAR, folder VARCHAR)""",
    """CREATE TABLE IF NOT EXISTS kpis (
        run_id VARCHAR, point INTEGER, replication INTEGER, kpi VARCHAR, value DOUBLE)""",
    "CREATE TABLE IF NOT EXISTS meta (key VARCHAR, value VARCHAR)",
    # added to layout 1 later: a catalogue written before it gains the column when next written
    "ALTER TABLE runs ADD COLUMN IF NOT EXISTS overrides VARCHAR",
)
RUN_COLUMNS = (
    "id",
    "kind",
    "scenario",
    "scenario_file",
    "overrides",
    "hash",
    "seed",
    "replications",
    "points",
    "created_at",
    "git_commit",
    "folder",
    "wall_s",
    "events",
    "backend",
    "registered_at",
)


def new_run_id() -> str:
    """A fresh identifier for a run, comparison or sweep (10 hex digits)."""
    return uuid.uuid4().hex[:10]


def catalog_path(root: str | Path | None = None) -> Path | None:
    """Where the catalogue of ``root`` lives, or None when ``LANDPORT_CATALOG=off``."""
    env = os.environ.get(ENV)
    if env is not None:
        if env.strip().lower() in ("", "off", "0", "none", "false"):
            return None
        return Path(env)
    return store.results_root(root) / CATALOG_FILE


# ----------------------------------------------------------------------------- connections


READ_ONLY_CONFIG: dict[str, str | bool | int | float | list[str]] = {
    "enable_external_access": False,  # no COPY … TO, read_text, ATTACH, INSTALL, …
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "allow_community_extensions": False,
    "temp_directory": "",  # otherwise the one directory external access still reaches
    "lock_configuration": True,  # last: no SET can undo the above
}
"""DuckDB settings of a reading connection: SQL on it reads the catalogue and nothing else
(DuckDB's own advice for untrusted SQL: "Securing DuckDB", operations manual)."""


@contextmanager
def _connect(path: Path, read_only: bool = False, timeout_s: float | None = None) -> Iterator:
    """A DuckDB connection, retried while another process holds the file's lock. A
    ``read_only`` one can neither write the catalogue nor touch any other file."""
    import duckdb

    _not_a_directory(path)
    timeout_s = LOCK_TIMEOUT_S if timeout_s is None else timeout_s
    deadline = time.monotonic() + timeout_s
    delay = 0.05
    while True:
        try:
            con = duckdb.connect(
                str(path), read_only=read_only, config=READ_ONLY_CONFIG if read_only else {}
            )
            break
        except duckdb.Error as exc:
            text = str(exc)
            if "lock" in text.lower() and time.monotonic() < deadline:
                time.sleep(delay)
                delay = min(delay * 2, 0.5)
                continue
            if "lock" in text.lower():
                raise CatalogError(
                    f"{path}: in use by another process (still locked after {timeout_s:.0f} s)"
                ) from None
            raise CatalogError(
                f"{path}: unreadable ({text.splitlines()[0]}); "
                "re-create it with `landport catalog rebuild`"
            ) from None
    try:
        yield con
    finally:
        con.close()


def _ensure_layout(con: Any, path: Path) -> None:
    for ddl in _DDL:
        con.execute(ddl)
    row = con.execute("SELECT value FROM meta WHERE key = 'layout'").fetchone()
    if row is None:
        con.execute("INSERT INTO meta VALUES ('layout', ?)", [LAYOUT])
    elif row[0] != LAYOUT:
        raise CatalogError(
            f"{path}: catalogue layout {row[0]}, this version writes {LAYOUT}; "
            "re-create it with `landport catalog rebuild`"
        )


# ----------------------------------------------------------------------------- folders → rows


@dataclass
class Entry:
    """What the catalogue holds about one experiment folder."""

    run: dict[str, Any]
    points: pd.DataFrame
    kpis: pd.DataFrame


def _utc(text: Any) -> pd.Timestamp | None:
    if not text:
        return None
    ts = pd.Timestamp(str(text))
    return ts.tz_convert("UTC").tz_localize(None) if ts.tzinfo is not None else ts


def _kpi_rows(kpis: pd.DataFrame, run_id: str, point: int | None = None) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "run_id": run_id,
            "point": (kpis["point"] if point is None else point),
            "replication": kpis["replication"].astype("int64"),
            "kpi": kpis["kpi"].astype(str),
            "value": kpis["value"].astype(float),
        }
    )


def describe_folder(folder: str | Path) -> Entry:
    """The catalogue rows of a run, comparison or sweep folder, read from its files."""
    folder = Path(folder).resolve()
    man = store.read_manifest(folder)
    kind = man.get("kind", "run")
    _check_bigint(man, ("seed", "replications", "events"), folder)
    run_id = man.get("run_id")
    if not isinstance(run_id, str) or not run_id:
        raise store.RunFolderError(
            f"{folder / 'manifest.json'}: run_id: missing; every landport manifest records it"
        )
    run = {
        "id": run_id,
        "kind": kind,
        "scenario": man.get("scenario"),
        "scenario_file": man.get("scenario_file"),
        "overrides": json.dumps(man.get("overrides") or {}, default=str, sort_keys=True),
        "hash": man.get("scenario_hash") or man.get("spec_hash"),
        "seed": man.get("seed"),
        "replications": man.get("replications"),
        "points": 1,
        "created_at": _utc(man.get("created_at")),
        "git_commit": man.get("git_commit"),
        "folder": str(folder),
        "wall_s": man.get("wall_s"),
        "events": man.get("events"),
        "backend": man.get("backend"),
        "registered_at": pd.Timestamp.now(tz="UTC").tz_localize(None),
    }
    if kind == "run":
        points: list[tuple[Any, ...]] = [
            (0, man.get("scenario"), man.get("scenario"), run["hash"], {}, folder)
        ]
        kpis = _kpi_rows(store.read_table(folder, "kpis", store.KPI_COLUMNS), run_id, 0)
    elif kind == "compare":
        points, parts = [], []
        for k, arm in enumerate(("a", "b")):
            sub = folder / arm
            sub_man = store.read_manifest(sub)
            name = sub_man.get("scenario")
            points.append((k, arm, name, sub_man.get("scenario_hash"), {}, sub))
            parts.append(_kpi_rows(store.read_table(sub, "kpis", store.KPI_COLUMNS), run_id, k))
        kpis = pd.concat(parts, ignore_index=True)
        run["hash"] = f"{points[0][3]}|{points[1][3]}"
        run["points"] = 2
        run["scenario"] = man.get("scenario") or f"{points[0][2]} vs {points[1][2]}"
    elif kind == "optimise":  # its rounds are sweeps of their own; the search holds no KPIs
        points, kpis = [], _kpi_rows(pd.DataFrame(columns=list(store.KPI_COLUMNS)), run_id, 0)
        run["points"] = 0
    else:
        table = store.read_table(folder, "points", ("point",))
        levers = [c for c in table.columns if c != "point"]
        planned = _planned_points(man, folder)
        points = []
        for row in table.to_dict("records"):
            k = int(row["point"])
            values = {lv: _plain(row[lv]) for lv in levers}
            label = ", ".join(f"{lv}={v}" for lv, v in values.items())
            info = planned.get(k, {})
            sub = folder / str(info.get("folder", ""))
            points.append((k, label, man.get("scenario"), info.get("scenario_hash"), values, sub))
        kpis = _kpi_rows(store.read_table(folder, "kpis", ("point", *store.KPI_COLUMNS)), run_id)
        run["points"] = len(points)
    frame = pd.DataFrame(
        [
            {
                "run_id": run_id,
                "point": k,
                "label": label,
                "scenario": name,
                "hash": h,
                "levers": json.dumps(levers, default=str, sort_keys=True),
                "folder": str(sub),
            }
            for k, label, name, h, levers, sub in points
        ]
    )
    return Entry(run, frame, kpis)


INT64 = (-(2**63), 2**63 - 1)


def _check_bigint(man: dict[str, Any], keys: tuple[str, ...], folder: Path) -> None:
    """Manifest counts the catalogue stores as 64-bit integers must be whole and fit."""
    for key in keys:
        value = man.get(key)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int):
            raise store.RunFolderError(
                f"{folder / 'manifest.json'}: {key}: expected a whole number, found {value!r}"
            )
        if not INT64[0] <= value <= INT64[1]:
            raise store.RunFolderError(
                f"{folder / 'manifest.json'}: {key}: {value} does not fit the catalogue's "
                "64-bit integers"
            )


def _planned_points(man: dict[str, Any], folder: Path) -> dict[int, dict[str, Any]]:
    """A sweep manifest's points by number, each with its folder ``points/<k>``."""
    planned = man.get("points")
    if not isinstance(planned, list):
        planned = None
    ok = planned is not None and all(
        isinstance(p, dict)
        and isinstance(p.get("point"), int)
        and store.POINT_FOLDER.match(str(p.get("folder", "")))
        for p in planned
    )
    if planned is None or not ok:
        raise store.RunFolderError(
            f"{folder / 'manifest.json'}: points: expected a list of points, each with its "
            "number and folder points/<k>"
        )
    return {int(p["point"]): p for p in planned}


def _plain(value: Any) -> Any:
    """A numpy scalar as a plain Python value (for JSON)."""
    item = getattr(value, "item", None)
    return item() if callable(item) else value


def _write(con: Any, entry: Entry) -> None:
    run_id = entry.run["id"]
    runs = pd.DataFrame([{c: entry.run.get(c) for c in RUN_COLUMNS}])
    runs["created_at"] = pd.to_datetime(runs["created_at"])
    runs["registered_at"] = pd.to_datetime(runs["registered_at"])
    con.execute("BEGIN TRANSACTION")
    try:
        for table, key in (("runs", "id"), ("points", "run_id"), ("kpis", "run_id")):
            con.execute(f"DELETE FROM {table} WHERE {key} = ?", [run_id])
        for table, df in (("runs", runs), ("points", entry.points), ("kpis", entry.kpis)):
            if len(df):
                con.register("_incoming", df)
                con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM _incoming")
                con.unregister("_incoming")
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


# ----------------------------------------------------------------------------- public API


def register(folder: str | Path, catalog: str | Path) -> str:
    """Add (or refresh) the experiment folder in the catalogue file; return its id.

    Raises :class:`CatalogError` if the catalogue cannot be written and
    :class:`~sim.results.store.RunFolderError` if the folder is not an experiment folder.
    """
    import duckdb

    entry = describe_folder(folder)
    path = Path(catalog)
    path.parent.mkdir(parents=True, exist_ok=True)
    with _writers_take_turns(path):
        if not path.exists():
            _create(path)
        with _connect(path) as con:
            try:
                _ensure_layout(con, path)
                _write(con, entry)
            except duckdb.Error as exc:
                raise CatalogError(f"{path}: cannot write ({store.first_line(exc)})") from None
    return str(entry.run["id"])


@contextmanager
def _writers_take_turns(path: Path, timeout_s: float = LOCK_TIMEOUT_S) -> Iterator[None]:
    """Hold the catalogue's writer lock (``.<name>.lock`` beside it): landport processes
    that write it take turns, so none opens a file another is still creating."""
    if store.fcntl is None:
        yield
        return
    lock = path.with_name(f".{path.name}.lock")
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                store.fcntl.flock(fd, store.fcntl.LOCK_EX | store.fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise CatalogError(
                        f"{path}: in use by another process (still locked after {timeout_s:.0f} s)"
                    ) from None
                time.sleep(0.05)
        yield
    finally:
        os.close(fd)


def _create(path: Path) -> None:
    """A new, empty catalogue, made beside ``path`` and renamed into place whole (a reader
    never opens a half-made file)."""

    def make(tmp: Path) -> None:
        with _connect(tmp) as con:
            _ensure_layout(con, tmp)

    replace_file(path, make)


def try_register(folder: str | Path, root: str | Path | None = None) -> str | None:
    """:func:`register` into the catalogue of ``root``; on failure warn, never raise.

    Returns the id, or None when the catalogue is turned off or could not be written.
    """
    path = catalog_path(root)
    if path is None:
        return None
    try:
        return register(folder, path)
    except (CatalogError, store.RunFolderError, OSError) as exc:
        warnings.warn(
            f"{folder}: written, but not registered in the catalogue: {exc}",
            CatalogWarning,
            stacklevel=2,
        )
        return None


def forget(run_ids: Iterable[str], root: str | Path | None = None) -> int:
    """Drop these experiments from the catalogue of ``root`` (their runs, points and KPI
    rows, in one transaction); return how many were catalogued. Raises :class:`CatalogError`
    if the catalogue cannot be written; a missing or disabled catalogue holds nothing."""
    import duckdb

    ids = sorted(set(run_ids))
    path = catalog_path(root)
    if not ids or path is None or not path.is_file():
        return 0
    with _writers_take_turns(path), _connect(path) as con:
        try:
            _ensure_layout(con, path)
            marks = ", ".join("?" for _ in ids)
            row = con.execute(f"SELECT count(*) FROM runs WHERE id IN ({marks})", ids).fetchone()
            con.execute("BEGIN TRANSACTION")
            for table, key in (("runs", "id"), ("points", "run_id"), ("kpis", "run_id")):
                con.execute(f"DELETE FROM {table} WHERE {key} IN ({marks})", ids)
            con.execute("COMMIT")
        except duckdb.Error as exc:
            raise CatalogError(f"{path}: cannot write ({store.first_line(exc)})") from None
    return int(row[0]) if row else 0


def _require(root: str | Path | None, catalog: str | Path | None) -> Path | None:
    path = Path(catalog) if catalog is not None else catalog_path(root)
    return path if path is not None and path.is_file() else None


def list_runs(
    root: str | Path | None = None,
    *,
    limit: int | None = 20,
    kind: str | None = None,
    catalog: str | Path | None = None,
) -> pd.DataFrame:
    """Catalogued experiments, newest first, with ``exists`` telling whether the folder does."""
    path = _require(root, catalog)
    if path is None:
        return pd.DataFrame(columns=[*RUN_COLUMNS, "exists"])
    sql = "SELECT * FROM runs"
    params: list[Any] = []
    if kind is not None:
        sql += " WHERE kind = ?"
        params.append(kind)
    sql += " ORDER BY created_at DESC, id"
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    import duckdb

    with _connect(path, read_only=True) as con:
        try:
            df = con.execute(sql, params).df()
        except duckdb.Error as exc:
            raise CatalogError(
                f"{path}: unreadable ({str(exc).splitlines()[0]}); "
                "re-create it with `landport catalog rebuild`"
            ) from None
    # in layout order; a column added later is empty in a catalogue not written since
    df = df.reindex(columns=list(RUN_COLUMNS))
    df["exists"] = [Path(f).is_dir() for f in df["folder"]]
    return df


def query(sql: str, root: str | Path | None = None, catalog: str | Path | None = None) -> Any:
    """Run read-only SQL on the catalogue and return a DataFrame.

    >>> query("SELECT kind, count(*) AS n FROM runs GROUP BY kind")  # doctest: +SKIP
    """
    path = _require(root, catalog)
    if path is None:
        raise CatalogError(f"no catalogue at {catalog or catalog_path(root)}")
    with _connect(path, read_only=True) as con:
        return con.execute(sql).df()


def resolve(ref: str | Path, root: str | Path | None = None) -> Path:
    """The folder of ``ref``: a folder path, or a catalogued id (or a unique prefix of one)."""
    candidate = Path(ref)
    if candidate.is_dir():
        return candidate
    text = str(ref)
    path = _require(root, None)
    if path is None or len(text) < 4 or "/" in text or os.sep in text:
        raise store.RunFolderError(f"{ref}: no such run folder (and no catalogued run id)")
    with _connect(path, read_only=True) as con:
        rows = con.execute(
            "SELECT id, folder FROM runs WHERE id LIKE ? ORDER BY id", [text + "%"]
        ).fetchall()
    if not rows:
        raise store.RunFolderError(f"{ref}: no such run folder, and no run with that id in {path}")
    if len(rows) > 1:
        ids = ", ".join(r[0] for r in rows[:5])
        raise store.RunFolderError(f"{ref}: ambiguous run id prefix ({ids}); give more digits")
    folder = Path(rows[0][1])
    if not folder.is_dir():
        raise store.RunFolderError(
            f"run {rows[0][0]}: its folder {folder} no longer exists; "
            "`landport catalog rebuild` drops such entries"
        )
    return folder


def find_folders(root: str | Path) -> list[Path]:
    """Experiment folders under ``root``: those with a manifest, not inside another one.

    Hidden folders (half-written runs, unfinished sweeps) are skipped.
    """
    found = []
    for here, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        if "manifest.json" in files and here != str(root):
            found.append(Path(here))
            dirs[:] = []  # a compare's a/ and b/, a sweep's points/ belong to it
    return found


def rebuild(root: str | Path | None = None, catalog: str | Path | None = None) -> dict[str, Any]:
    """Re-create the catalogue from the experiment folders under ``root``.

    Folders registered in the old catalogue that live elsewhere (``--out``) and still exist are
    kept. A corrupt old catalogue is moved aside (``catalog.duckdb.corrupt-<time>``), never
    deleted. The new file is written beside the old one and renamed over it when complete.
    Returns counts: ``runs`` by kind, ``kpis`` rows, ``skipped`` folders with their reasons.
    """
    import duckdb

    path = Path(catalog) if catalog is not None else catalog_path(root)
    if path is None:
        raise CatalogError(f"the catalogue is turned off ({ENV}=off)")
    _not_a_directory(path)
    root = store.results_root(root)
    folders = {f.resolve() for f in find_folders(root)} if root.is_dir() else set()
    corrupt = False
    if path.is_file():
        try:
            with _connect(path, read_only=True) as con:
                known = [Path(r[0]) for r in con.execute("SELECT folder FROM runs").fetchall()]
            folders |= {f.resolve() for f in known if f.is_dir()}
        except CatalogError as exc:
            if "in use" in str(exc):
                raise
            corrupt = True
        except Exception:  # any unreadable old file is set aside, not fatal
            corrupt = True
    tmp = path.parent / f".{path.name}.rebuild-{uuid.uuid4().hex[:8]}"
    counts: dict[str, Any] = {"runs": dict.fromkeys(KINDS, 0), "kpis": 0, "skipped": []}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with _writers_take_turns(path):  # no registration lands in the file replaced
            with _connect(tmp) as con:
                _ensure_layout(con, tmp)
                for folder in sorted(folders):
                    try:
                        entry = describe_folder(folder)
                        _write(con, entry)
                    except (store.RunFolderError, OSError, ValueError, KeyError, TypeError) as exc:
                        counts["skipped"].append((str(folder), store.first_line(exc)))
                        continue
                    except duckdb.Error as exc:
                        if not _folder_fault(exc):
                            raise
                        counts["skipped"].append((str(folder), store.first_line(exc)))
                        continue
                    counts["runs"][entry.run["kind"]] += 1
                    counts["kpis"] += len(entry.kpis)
                con.execute("CHECKPOINT")  # everything in the file itself before it is renamed
            stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
            if corrupt:
                os.replace(path, path.with_name(f"{path.name}.corrupt-{stamp}"))
            wal = path.with_name(path.name + ".wal")
            if wal.exists():  # a WAL of the old file must never be replayed onto the new one
                os.replace(wal, path.with_name(f"{path.name}.wal.old-{stamp}"))
            os.replace(tmp, path)
    except (duckdb.Error, OSError) as exc:
        raise CatalogError(f"{path}: cannot write ({store.first_line(exc)})") from None
    finally:
        for leftover in (tmp, tmp.with_name(tmp.name + ".wal")):
            with suppress(OSError):
                leftover.unlink()
    counts["path"] = str(path)
    return counts


def _folder_fault(exc: Exception) -> bool:
    """A DuckDB error caused by one folder's values (a number out of range, a conversion),
    not by the catalogue file or the disk."""
    import duckdb

    return isinstance(exc, duckdb.ConversionException | duckdb.OutOfRangeException)


def _not_a_directory(path: Path) -> None:
    if path.is_dir():
        raise CatalogError(
            f"{path}: a directory, not a catalogue file; move it away, or point {ENV} at a file"
        )
