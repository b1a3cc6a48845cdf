"""The manifest: what produced a run, so it can be reproduced and audited, and what it covered
(:func:`run_info`, the typed run metadata the results layer reads instead of the scenario)."""

from __future__ import annotations

import datetime as dt
import importlib.metadata as md
import platform
import subprocess
from pathlib import Path
from typing import Any

from sim.engine import Environment, Recorder, Streams
from sim.model import build
from sim.model.flows import ROAD
from sim.results.resource_kinds import describe_resource, resource_order
from sim.results.run import RunResult, load_run
from sim.results.runinfo import (
    DIRECTIONS,
    Bureau,
    Corridor,
    Place,
    RunInfo,
    bilingual,
    corridor_colour,
    road_corridor,
)
from sim.scenario import Scenario, load_scenario

PACKAGES = (
    "landport",
    "simpy",
    "numpy",
    "pandas",
    "scipy",
    "networkx",
    "pydantic",
    "pyarrow",
    "PyYAML",
    "dask",
    "duckdb",
)


def package_versions(names: tuple[str, ...] = PACKAGES, python: bool = True) -> dict[str, str]:
    """Installed versions of ``names`` (and of Python), "not installed" for a missing one."""
    out = {"python": platform.python_version()} if python else {}
    for name in names:
        try:
            out[name] = md.version(name)
        except md.PackageNotFoundError:
            out[name] = "not installed"
    return out


def git_commit(where: Path | None = None) -> str | None:
    """The commit of the source tree (with ``+dirty`` if it has changes), or None."""
    cwd = Path(where) if where else Path(__file__).resolve().parent

    def git(*args: str) -> str:
        done = subprocess.run(
            ["git", *args], cwd=cwd, capture_output=True, text=True, timeout=5, check=True
        )
        return done.stdout.strip()

    try:
        commit = git("rev-parse", "HEAD")
        dirty = git("status", "--porcelain", "--untracked-files=no")
    except (OSError, subprocess.SubprocessError):
        return None
    return commit + ("+dirty" if dirty else "")


def manifest(**fields: Any) -> dict[str, Any]:
    """Common manifest fields plus the caller's."""
    return {
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "git_commit": git_commit(),
        "versions": package_versions(),
        "platform": platform.platform(),
        **fields,
    }


def run_info(scn: Scenario) -> RunInfo:
    """What a run of ``scn`` covers and what its names mean (see :mod:`sim.results.runinfo`):
    from the validated scenario, and from the model built in a scratch environment for the
    hub's resources and their unit counts — exactly those a replication records."""
    recorder = Recorder()
    build(scn, Environment(initial_time=-scn.warmup_h), Streams(scn.seed, 0), recorder)
    places = scn.network.places

    def place(name: str) -> Place:
        return Place(name=name, label=bilingual(places[name].label, name))

    corridors = tuple(
        Corridor(
            name=name,
            label=bilingual(spec.label, name),
            colour=corridor_colour(i),
            directions=DIRECTIONS,
            enabled=spec.enabled,
            by_rail=True,
            border=next(
                (place(p) for p in spec.path if p in places and places[p].kind == "border"),
                None,
            ),
        )
        for i, (name, spec) in enumerate(scn.corridors.items())
    )
    flows = scn.demand.flows.values()
    trucked = tuple(
        d for d in DIRECTIONS if any(f.arrives_by == "truck" and f.direction == d for f in flows)
    )
    resources = sorted(
        (
            # the capacity each was built with (before working hours close a desk at once)
            describe_resource(scn.hub, where, series.max_capacity)
            for where, series in recorder.series.items()
        ),
        key=resource_order,
    )
    return RunInfo(
        name=scn.name,
        description=scn.description,
        start=scn.start,
        end=scn.end,
        horizon_h=scn.horizon_h,
        warmup_days=scn.warmup_days,
        hub=place(scn.hub),
        handling_teu_per_h=scn.terminal.handling.teu_per_h,
        corridors=corridors,
        road=road_corridor(ROAD, trucked) if trucked else None,
        bureaus=tuple(
            Bureau(name=k, label=bilingual(v, k)) for k, v in scn.network.bureaus.items()
        ),
        # run metadata holds one rail–sea port: the first, and the overseas ports of them all
        sea_port=next((place(p) for p in scn.sea_ports), None),
        overseas_ports=tuple(
            place(p)
            for p in dict.fromkeys(o for port in scn.sea_ports.values() for o in port.services)
        ),
        resources=tuple(resources),
    )


def rebuild_run_info(folder: Path) -> RunInfo:
    """The run metadata of a folder written before it was recorded, from the folder's
    ``scenario.yaml`` (the scenario as resolved)."""
    return run_info(load_scenario(Path(folder) / "scenario.yaml"))


def load_run_folder(folder: str | Path) -> RunResult:
    """A run folder, its run metadata rebuilt from ``scenario.yaml`` if its manifest is
    older than the metadata (see :func:`sim.results.run.load_run`)."""
    return load_run(folder, rebuild=rebuild_run_info)
