"""Words on figures: KPI, corridor, resource and lever labels, and the corridors' colours.

KPI labels come from the KPI registry (:mod:`sim.results.kpis`), corridor and resource labels
and colours from the run's metadata (:class:`~sim.results.runinfo.RunInfo`), every other
word from :mod:`sim.results.i18n`. Figures are labelled in the language in force
(:func:`sim.results.i18n.current`: English unless drawn under ``language("zh")``); their
style then picks a font with Chinese glyphs (:func:`sim.results.plots.style.cjk_font`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from sim.results.i18n import current, lever_text, text_or
from sim.results.i18n import label as i18n_label
from sim.results.kpis import kpi_label as registry_label
from sim.results.resource_kinds import RESOURCE_KINDS, resource_kind
from sim.results.run import RunResult
from sim.results.runinfo import RunInfo

Described = RunResult | RunInfo | None
"""What a label can be looked up in: a run, its metadata, or nothing (names as they are)."""


def info_of(run: Described) -> RunInfo | None:
    return run.info if isinstance(run, RunResult) else run


def kpi_label(name: str, run: Described = None, lang: str | None = None) -> str:
    """A planner's wording of a dotted KPI name, e.g. ``clearance_h.import.mean`` →
    "Import customs clearance time, mean", with the run's corridor and resource names, in
    ``lang`` (default: the language in force). Unknown names come back unchanged."""
    return registry_label(name, info_of(run), lang or current())


def corridor_label(run: Described, corridor: str, *, short: bool = False) -> str:
    """A corridor's label in the language in force, from the run's metadata (its name,
    capitalised, for a corridor the run does not describe). ``short`` drops words such as
    "international train" for legends."""
    info = info_of(run)
    found = info.corridor(corridor) if info is not None else None
    lang = current()
    if found is not None:
        label = found.label(lang)
    else:
        label = text_or(f"corridor.{corridor}", corridor.replace("_", " ").title(), lang)
    if short and lang == "en":
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
    """A hub resource's label in the language in force, from its scope
    (``huaihua.sidings``) or name."""
    info = info_of(run)
    built = info.resource(where) if info is not None else None
    if built is not None:
        return built.label(current())
    for kind in RESOURCE_KINDS:
        if where == kind.name or where.endswith("." + kind.name):
            return kind.label(current())
    return where


def lever_label(lever: str, lang: str | None = None) -> str:
    """A planner's name for a sweep lever (a dotted scenario path), in ``lang`` (default:
    the language in force, :func:`sim.results.i18n.current`)."""
    return lever_text(lever, lang)


def hub_name(run: Described) -> str:
    """The hub's short name for titles ("Huaihua", 怀化), in the language in force."""
    info = info_of(run)
    if info is None:
        return i18n_label("word.the_hub")
    return text_or(f"city.{info.hub.name}", info.hub.name.capitalize(), current())


def direction_title(run: Described, direction: str) -> str:
    """A panel title for one direction: ``Export (Huaihua → ASEAN)``."""
    hub = hub_name(run)
    key = "figure.export_title" if direction == "export" else "figure.import_title"
    return i18n_label(key, hub=hub, asean=i18n_label("place.asean"))


def waiting_unit(where: str, run: Described = None) -> str:
    """What queues for a resource (declarations, trucks …), for an axis label."""
    info = info_of(run)
    built = info.resource(where) if info is not None else None
    if built is not None:
        return built.waiting(current())
    kind = resource_kind(where)
    if kind is not None:
        return kind.waiting[0] if current() == "en" else kind.waiting[1]
    return i18n_label("unit.items")
