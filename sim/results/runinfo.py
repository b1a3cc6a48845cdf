"""Typed run metadata: what a run covered and what its names mean, read from its manifest.

The results layer never reads the scenario as a dictionary. When a run is assembled, the
experiment layer describes it once — from the validated scenario and the resources the built
model has — as a :class:`RunInfo`, written into ``manifest.json`` under ``run_info``:

* the period: ``start``, ``end`` (inclusive), ``horizon_h``, ``warmup_days``;
* the ``hub`` and its handling rate; the rail ``corridors`` in scenario order, each with its
  label, colour, directions and border crossing, and ``road`` for imports that come by truck;
* the railway ``bureaus``, the rail–sea ``sea_port`` and the ``overseas_ports`` it serves;
* the hub's ``resources`` as the model built them: label, unit count, and their part in the
  bottleneck rule (:mod:`sim.results.health`) — a *server* that works on cargo or a *holder*
  that keeps it while it waits, their order along a container's way, and what a holder's
  units wait for.

Labels are kept in English and in Chinese (Simplified), as the port writes its names:
怀化国际陆港, 钦州港, 磨憨, 凭祥. A scenario label such as ``Huaihua International Land Port
(怀化国际陆港)`` gives both (:func:`bilingual`).

What the model's resources are, for a planner, is
:data:`sim.results.resource_kinds.RESOURCE_KINDS`: one row per kind of hub resource. A
resource the table does not know is shown under its own name and takes no part in the
bottleneck rule.

Reading a manifest without ``run_info`` (a folder written before landport recorded it) is a
:class:`~sim.results.store.RunFolderError` naming the file; :func:`sim.load` rebuilds the
metadata from the folder's ``scenario.yaml`` instead.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from sim.results.store import RunFolderError

LAYOUT = 1
"""Version of the ``run_info`` layout in manifests."""
DIRECTIONS: tuple[str, str] = ("export", "import")
Role = Literal["server", "holder", "other"]

_CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
_CJK_PART = re.compile(r"\s*[(（]([^)）]*[\u3400-\u9fff][^)）]*)[)）]")


class Frozen(BaseModel):
    """Base of the metadata models: immutable, unknown fields refused."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Label(Frozen):
    """A name in English and in Chinese (Simplified)."""

    en: str
    zh: str

    def __call__(self, lang: str = "en") -> str:
        """The label in ``lang`` (``en`` or ``zh``)."""
        if lang == "zh":
            return self.zh
        if lang == "en":
            return self.en
        raise ValueError(f"unknown language {lang!r}; expected en or zh")


def bilingual(text: str, name: str = "") -> Label:
    """A scenario label as English and Chinese: ``"Qinzhou port (钦州港)"`` → en ``Qinzhou
    port``, zh ``钦州港``. A label all in Chinese is both; one without Chinese is used for
    both languages; an empty one is ``name`` with its underscores as spaces, capitalised."""
    text = text.strip()
    if not text:
        words = name.replace("_", " ").strip()
        text = words[:1].upper() + words[1:]
        return Label(en=text, zh=text)
    found = _CJK_PART.search(text)
    if found:
        en = (_CJK_PART.sub("", text)).strip()
        return Label(en=en or found.group(1), zh=found.group(1).strip())
    if _CJK.search(text):
        english = _CJK.sub("", text).strip(" ,;/-")
        return Label(en=english or text, zh=text)
    return Label(en=text, zh=text)


class Place(Frozen):
    """A place of the network: the hub, a border crossing, a sea port."""

    name: str
    label: Label


class Corridor(Frozen):
    """A corridor, as the run's plots and tables name and colour it."""

    name: str
    label: Label
    colour: str
    """Matplotlib colour of its bars, dots and lines in every figure of the run."""
    directions: tuple[str, ...]
    enabled: bool
    by_rail: bool
    """False for ``road``: imports that reach the hub by truck."""
    border: Place | None
    """The border crossing on its way (Mohan, Pingxiang), if any."""


class Bureau(Frozen):
    """A railway operator whose sections a discount applies to."""

    name: str
    label: Label


class Resource(Frozen):
    """A hub resource as the model built it."""

    name: str
    """Its scope under the hub: ``customs.import.officers``, ``yard.export``, ``sidings``."""
    where: str
    """Its full scope, as in the ``where`` column of ``queues``: ``huaihua.sidings``."""
    label: Label
    units: float
    """Units it was built with (officers, TEU of yard, sidings …)."""
    role: Role
    """``server``: works on cargo; ``holder``: keeps cargo or trains while they wait for
    something else; ``other``: not known to the bottleneck rule."""
    flow_order: int
    """Position along a container's way among the resources of its role (upstream first)."""
    waits_for: str | None
    """A holder whose units wait for another resource's space (tracks for the import yard)."""
    waiting: Label
    """What queues for it (declarations, trucks, trains …)."""
    headline: bool
    """Among the resources a planner reads first (headline KPIs, the resource figure)."""
    key: bool
    """Among the few shown in a sweep's table and response curves."""


class RunInfo(Frozen):
    """What one run covered, and the names and labels of what it simulated."""

    layout: int = LAYOUT
    name: str
    description: str
    start: dt.date
    end: dt.date
    """Last day simulated (inclusive)."""
    horizon_h: float
    """Hours from the start (00:00) to the end of the last day: the statistics window."""
    warmup_days: float
    """Days simulated before the start and left out of every statistic."""
    hub: Place
    handling_teu_per_h: float
    """Lifting rate of one handling unit working a train at the hub."""
    corridors: tuple[Corridor, ...]
    """The rail corridors, in scenario order."""
    road: Corridor | None
    """Imports that reach the hub by truck (counted under corridor ``road``), if any."""
    bureaus: tuple[Bureau, ...]
    sea_port: Place | None
    """The rail–sea transfer port (Qinzhou), if the scenario has one."""
    overseas_ports: tuple[Place, ...]
    resources: tuple[Resource, ...]
    """The hub's resources, in the order of
    :data:`~sim.results.resource_kinds.RESOURCE_KINDS`, then any others by name."""

    @property
    def warmup_h(self) -> float:
        return self.warmup_days * 24.0

    @property
    def corridor_names(self) -> list[str]:
        """The rail corridors' names, in scenario order."""
        return [c.name for c in self.corridors]

    def corridor(self, name: str) -> Corridor | None:
        """The rail corridor or ``road`` of that name, or None."""
        for c in (*self.corridors, *([self.road] if self.road is not None else [])):
            if c.name == name:
                return c
        return None

    def resource(self, name: str) -> Resource | None:
        """The hub resource of that name (``sidings``) or scope (``huaihua.sidings``)."""
        for r in self.resources:
            if name in (r.name, r.where):
                return r
        return None

    def to_json(self) -> dict[str, Any]:
        """As written into the manifest."""
        return self.model_dump(mode="json")


CORRIDOR_COLOURS: tuple[str, ...] = (
    "#1f5fa6",
    "#c8412b",
    "#2e8b57",
    "#8e5ea2",
    "#d98c1f",
    "#17a2b8",
    "#b5651d",
    "#5f6b7a",
)
"""Colours of the rail corridors, in scenario order (then again from the first)."""
ROAD = "road"
"""The corridor name of imports that reach the hub by truck (as the model records them)."""
ROAD_COLOUR = "#7f7f7f"


def corridor_colour(position: int) -> str:
    """The colour of the rail corridor at ``position`` in the scenario."""
    return CORRIDOR_COLOURS[position % len(CORRIDOR_COLOURS)]


def road_corridor(name: str, directions: tuple[str, ...]) -> Corridor:
    """The corridor under which the model records cargo that reaches the hub by truck
    (``road``), in ``directions``."""
    return Corridor(
        name=name,
        label=Label(en="Road (truck)", zh="公路（卡车）"),
        colour=ROAD_COLOUR,
        directions=directions,
        enabled=True,
        by_rail=False,
        border=None,
    )


def read_info(manifest: Mapping[str, Any], where: Path) -> RunInfo | None:
    """The :class:`RunInfo` in a manifest (``where`` names it in errors), or None when the
    manifest has none; a malformed one is a :class:`~sim.results.store.RunFolderError`."""
    if "run_info" not in manifest:
        return None
    try:
        return RunInfo.model_validate(manifest["run_info"])
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = ".".join(str(p) for p in ("run_info", *first["loc"]))
        raise RunFolderError(f"{where}: {loc}: {first['msg']}") from None


def missing_info(where: Path) -> RunFolderError:
    """The error for a manifest without run metadata."""
    return RunFolderError(
        f"{where}: run_info: missing (written by a landport that did not record run metadata); "
        "open the folder with sim.load or a landport command, which rebuild it from its "
        "scenario.yaml"
    )


# ------------------------------------------------------------------------- provenance


class Provenance(BaseModel):
    """What the manifest of a run, comparison or sweep says about how it was made: the
    fields reports and figures show. Absent ones are None (an older manifest, a comparison
    has no single scenario hash)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    kind: str = "run"
    seed: int
    replications: int
    scenario: str | None = None
    scenario_file: str | None = None
    scenario_hash: str | None = None
    overrides: dict[str, Any] = {}
    git_commit: str | None = None
    created_at: str | None = None
    wall_s: float | None = None
    events: int | None = None
    run_id: str | None = None

    @classmethod
    def of(cls, manifest: Mapping[str, Any], where: Path | str = "manifest.json") -> Provenance:
        """The provenance in ``manifest``; a malformed one is a RunFolderError."""
        try:
            return cls.model_validate(dict(manifest))
        except ValidationError as exc:
            first = exc.errors()[0]
            loc = ".".join(str(p) for p in first["loc"])
            raise RunFolderError(f"{where}: {loc}: {first['msg']}") from None
