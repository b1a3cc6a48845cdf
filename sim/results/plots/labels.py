"""Words on figures: KPI, corridor, resource and lever labels, and the corridors' colours.

KPI labels come from the KPI registry (:mod:`sim.results.kpis`), corridor and resource labels
and colours from the run's metadata (:class:`~sim.results.runinfo.RunInfo`). Figures are
labelled in English: matplotlib's default fonts have no Chinese glyphs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from sim.results.i18n import label as i18n_label
from sim.results.i18n import text_or, texts
from sim.results.kpis import kpi_label as registry_label
from sim.results.resource_kinds import RESOURCE_KINDS, resource_kind
from sim.results.run import RunResult
from sim.results.runinfo import Label, RunInfo

Described = RunResult | RunInfo | None
"""What a label can be looked up in: a run, its metadata, or nothing (names as they are)."""

LEVER_LABELS: dict[str, Label] = {k: v for k, v in texts("lever").items() if k != "discount"}
"""Labels of sweep levers that are not a resource's unit count (those are the resource's
label, :data:`~sim.results.runinfo.RESOURCE_KINDS`), from :mod:`sim.results.i18n`."""


def info_of(run: Described) -> RunInfo | None:
    return run.info if isinstance(run, RunResult) else run


def kpi_label(name: str, run: Described = None, lang: str = "en") -> str:
    """A planner's wording of a dotted KPI name, e.g. ``clearance_h.import.mean`` →
    "Import customs clearance time, mean", with the run's corridor and resource names.
    Unknown names come back unchanged."""
    return registry_label(name, info_of(run), lang)


def corridor_label(run: Described, corridor: str, *, short: bool = False) -> str:
    """A corridor's English label from the run's metadata (its name, capitalised, for a
    corridor the run does not describe). ``short`` drops words such as "international
    train" for legends."""
    info = info_of(run)
    found = info.corridor(corridor) if info is not None else None
    label = found.label.en if found is not None else corridor.replace("_", " ").title()
    if short:
        label = re.sub(r"\s+(international\s+)?(train|service)s?$", "", label)
    return label or corridor


def corridor_colour(run: Described, corridor: str) -> str:
    """A corridor's colour from the run's metadata (black for one it does not describe)."""
    info = info_of(run)
    found = info.corridor(corridor) if info is not None else None
    return found.colour if found is not None else "k"


def corridors(run: RunResult, present: Iterable[str] = ()) -> list[str]:
    """The run's rail corridors in scenario order, then ``road`` and any other corridor in
    ``present`` (by name)."""
    names = run.info.corridor_names
    return names + sorted({str(c) for c in present} - set(names))


def resource_label(where: str, run: Described = None) -> str:
    """A hub resource's English label, from its scope (``huaihua.sidings``) or name."""
    info = info_of(run)
    built = info.resource(where) if info is not None else None
    if built is not None:
        return built.label.en
    for kind in RESOURCE_KINDS:
        if where == kind.name or where.endswith("." + kind.name):
            return kind.label.en
    return where


def lever_label(lever: str, lang: str = "en") -> str:
    """A planner's name for a sweep lever (a dotted scenario path)."""
    parts = lever.split(".")
    if len(parts) == 3 and parts[:2] == ["tariffs", "discount"]:
        bureau = parts[2].capitalize()
        if lang == "zh":
            bureau = text_or(f"place.{parts[2]}", parts[2], "zh")
        return i18n_label("lever.discount", lang, bureau=bureau)
    for kind in RESOURCE_KINDS:
        if kind.lever == lever:
            return (kind.lever_label or kind.label)(lang)
    return LEVER_LABELS[lever](lang) if lever in LEVER_LABELS else lever


def hub_name(run: Described) -> str:
    """The hub's short name for titles ("Huaihua")."""
    info = info_of(run)
    return info.hub.name.capitalize() if info is not None else "the hub"


def direction_title(run: Described, direction: str) -> str:
    """A panel title for one direction: ``Export (Huaihua → ASEAN)``."""
    hub = hub_name(run)
    if direction == "export":
        return f"Export ({hub} → ASEAN)"
    return f"Import (ASEAN → {hub})"


def waiting_unit(where: str, run: Described = None) -> str:
    """What queues for a resource (declarations, trucks …), for an axis label."""
    info = info_of(run)
    built = info.resource(where) if info is not None else None
    if built is not None:
        return built.waiting.en
    kind = resource_kind(where)
    return kind.waiting[0] if kind is not None else "items"
