"""A run's results as pandas tables: what ``sim.run`` returns and ``sim.load`` reads back.

``RunResult.kpis`` is tidy (replication, kpi, value); ``.summary`` has one row per KPI with
its mean, Student-t 95 % confidence interval and n; ``.containers``, ``.trains``,
``.shipments``, ``.vessels`` and ``.queues`` hold every replication's rows, told apart by the
``replication`` column. Tables of a run read from disk are loaded on first use.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from sim.results import store
from sim.results.atomic import write_json
from sim.results.kpis import unit
from sim.results.runinfo import RunInfo, missing_info, read_info
from sim.results.stats import t_interval
from sim.results.tables import nullable_ids


def summarise(kpis: pd.DataFrame, confidence: float = 0.95) -> pd.DataFrame:
    """One row per KPI: unit, mean, half_width, low, high, std, n (Student t over replications)."""
    rows = []
    for name, values in kpis.groupby("kpi", sort=False)["value"]:
        ci = t_interval(values.to_numpy(), confidence)
        rows.append(
            {
                "kpi": name,
                "unit": unit(str(name)),
                "mean": ci.mean,
                "half_width": ci.half_width,
                "low": ci.low,
                "high": ci.high,
                "std": ci.std,
                "n": ci.n,
            }
        )
    return pd.DataFrame(
        rows, columns=["kpi", "unit", "mean", "half_width", "low", "high", "std", "n"]
    )


def tidy_kpis(per_replication: Mapping[int, Mapping[str, float]]) -> pd.DataFrame:
    """(replication → {kpi: value}) as a tidy table, in replication order."""
    rows = [
        (rep, name, float(value))
        for rep in sorted(per_replication)
        for name, value in per_replication[rep].items()
    ]
    return pd.DataFrame(rows, columns=["replication", "kpi", "value"])


class Tables:
    """The output tables of a result by name: ``.containers``, ``.trains``, ``.shipments``,
    ``.vessels``, ``.queues`` — each ``self.table(name)``."""

    def table(self, name: str) -> pd.DataFrame:
        raise NotImplementedError

    @property
    def containers(self) -> pd.DataFrame:
        return self.table("containers")

    @property
    def trains(self) -> pd.DataFrame:
        return self.table("trains")

    @property
    def shipments(self) -> pd.DataFrame:
        return self.table("shipments")

    @property
    def vessels(self) -> pd.DataFrame:
        return self.table("vessels")

    @property
    def queues(self) -> pd.DataFrame:
        return self.table("queues")


@dataclass
class RunResult(Tables):
    """Results of one scenario run over one or more replications.

    ``scenario`` is the scenario as resolved (for the record: reports print it); what the
    run covered and what its names mean is ``info`` (:class:`~sim.results.runinfo.RunInfo`).
    """

    scenario: dict[str, Any]
    manifest: dict[str, Any]
    kpis: pd.DataFrame
    summary: pd.DataFrame
    info: RunInfo
    path: Path | None = None
    _tables: dict[str, pd.DataFrame] = field(default_factory=dict, repr=False)

    def _repr_html_(self) -> str:
        """What a notebook shows for the result: its facts and headline KPIs, not its
        tables (see :func:`sim.results.notebook.result_html`)."""
        from sim.results.notebook import result_html

        return result_html(self)

    def table(self, name: str) -> pd.DataFrame:
        if name not in self._tables:
            if self.path is None:
                raise KeyError(f"no table {name!r} in this result")
            # a folder written before IDs were nullable holds −1 for "none"
            self._tables[name] = nullable_ids(store.read_table(self.path, name))
        return self._tables[name]

    @property
    def name(self) -> str:
        return self.info.name

    @property
    def replications(self) -> int:
        return int(self.kpis["replication"].nunique())

    def wide(self) -> pd.DataFrame:
        """KPIs as one row per replication, one column per KPI."""
        return self.kpis.pivot(index="replication", columns="kpi", values="value")

    def mean(self, kpi: str) -> float:
        """The mean over replications of one KPI."""
        row = self.summary.loc[self.summary["kpi"] == kpi]
        if row.empty:
            raise KeyError(f"no KPI {kpi!r}; see .summary['kpi'] for the names")
        return float(row["mean"].iloc[0])

    def kpi_means(self) -> dict[str, float]:
        return dict(zip(self.summary["kpi"], self.summary["mean"].astype(float), strict=True))

    def to_excel(self, path: str | Path | None = None, *, lang: str = "en") -> Path:
        """Write this run's workbook (:mod:`sim.results.excel`): the summary and every
        replication's KPIs, units in the headers; by default ``results.xlsx`` in its folder;
        ``lang="zh"`` writes its words in Simplified Chinese."""
        from sim.results.excel import write_workbook

        return write_workbook(self, path, lang=lang)

    def save(self, dest: Path | store.PendingFolder) -> Path:
        """Write this result as a run folder, whole or not at all: at ``dest`` (which must not
        exist), or into a folder reserved beforehand with :meth:`PendingFolder.reserve
        <sim.results.store.PendingFolder.reserve>` — renamed to its name or, if that was
        taken meanwhile, to the next free one. Returns the folder; a disk that fails
        (full, read-only) is a :class:`~sim.results.store.RunFolderError`."""
        import yaml

        def fill(tmp: Path) -> None:
            store.write_tables(
                tmp,
                {
                    name: self.table(name)
                    for name in store.TABLE_FILES
                    if name in self._tables or self.path is not None
                },
            )
            self.kpis.to_parquet(tmp / "kpis.parquet", index=False)
            self.summary.to_parquet(tmp / "summary.parquet", index=False)
            self.summary.to_csv(tmp / "summary.csv", index=False)
            write_json(tmp / "kpis.json", self.kpi_means())
            (tmp / "scenario.yaml").write_text(
                yaml.safe_dump(self.scenario, sort_keys=False, allow_unicode=True), encoding="utf-8"
            )

        def finish(tmp: Path, final: Path) -> None:
            write_json(tmp / "manifest.json", {**self.manifest, "folder": str(final)})

        self.path = store.write_folder(dest, fill, finish)
        self.manifest["folder"] = str(self.path)
        return self.path


SUMMARY_COLUMNS = ("kpi", "unit", "mean", "half_width", "low", "high", "n")
"""Columns a saved ``summary`` table must have to be read back."""


def load_run(path: str | Path, *, rebuild: Callable[[Path], RunInfo] | None = None) -> RunResult:
    """Read a run folder written by :meth:`RunResult.save`.

    A damaged folder (a file missing, truncated or of another shape) is a
    :class:`~sim.results.store.RunFolderError` naming the file; tables other than the KPIs
    are read, and checked, on first use. A manifest without run metadata (written before
    landport recorded it) is such an error too, unless ``rebuild(folder)`` gives the
    metadata (:func:`sim.load` rebuilds it from the folder's ``scenario.yaml``).
    """
    folder = Path(path)
    if not folder.is_dir():
        raise store.RunFolderError(f"{folder}: no such run folder")
    manifest = store.read_manifest(folder)
    info = read_info(manifest, folder / "manifest.json")
    if info is None:
        if rebuild is None:
            raise missing_info(folder / "manifest.json")
        info = rebuild(folder)
    scenario = read_scenario(folder / "scenario.yaml")
    kpis = store.read_table(folder, "kpis", store.KPI_COLUMNS)
    summary = store.read_table(folder, "summary", SUMMARY_COLUMNS)
    return RunResult(scenario, manifest, kpis, summary, info, folder)


def read_scenario(path: Path) -> dict[str, Any]:
    """The resolved scenario saved beside a run (``{}`` if the folder has none)."""
    import yaml

    if not path.is_file():
        return {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, yaml.YAMLError) as exc:
        raise store.RunFolderError(f"{path}: not valid YAML ({store.first_line(exc)})") from None
    if not isinstance(data, dict):
        raise store.RunFolderError(
            f"{path}: expected a mapping (the scenario as resolved), found {type(data).__name__}"
        )
    return data
