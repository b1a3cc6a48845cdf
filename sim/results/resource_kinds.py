"""Kinds of hub resource: what each resource the model builds is, for a planner and for the
bottleneck rule.

One row per kind (:data:`RESOURCE_KINDS`): its label in English and Chinese, its role — a
*server* that works on cargo, or a *holder* that keeps cargo or trains while they wait for
something else — and its order along a container's way, what queues for it, what a holder's
units wait for, whether it is among the resources a planner reads first (headline) or the
few a sweep shows (key), and the scenario field that sets its unit count (a sweep lever).
When a run is described (:func:`sim.experiment.manifest.run_info`), every resource the model
built becomes a :class:`~sim.results.runinfo.Resource` through :func:`describe_resource`.
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.results.runinfo import Label, Resource, Role


@dataclass(frozen=True)
class ResourceKind:
    """What a kind of hub resource is, for a planner and for the bottleneck rule."""

    name: str
    """Its scope under the hub, as the model builds it."""
    en: str
    zh: str
    role: Role
    flow_order: int
    """Position along a container's way among the resources of its role."""
    waiting: tuple[str, str]
    """What queues for it, in English and Chinese."""
    headline: bool = False
    key: bool = False
    waits_for: str | None = None
    lever: str | None = None
    """The scenario field that sets its unit count (a sweep lever)."""
    lever_en: str | None = None
    lever_zh: str | None = None
    """The lever's label, when it is not the resource's own."""

    @property
    def label(self) -> Label:
        return Label(en=self.en, zh=self.zh)

    @property
    def lever_label(self) -> Label | None:
        if self.lever_en is None or self.lever_zh is None:
            return None
        return Label(en=self.lever_en, zh=self.lever_zh)


RESOURCE_KINDS: tuple[ResourceKind, ...] = (
    ResourceKind(
        "customs.import.officers",
        "import customs officers",
        "进口海关关员",
        "server",
        5,
        ("declarations", "报关单"),
        headline=True,
        key=True,
        lever="customs.import.officers",
    ),
    ResourceKind(
        "customs.export.officers",
        "export customs officers",
        "出口海关关员",
        "server",
        4,
        ("declarations", "报关单"),
        headline=True,
        lever="customs.export.officers",
    ),
    ResourceKind(
        "customs.inspection_bays",
        "customs inspection bays",
        "海关查验台位",
        "server",
        6,
        ("containers", "集装箱"),
        headline=True,
        lever="customs.inspection.bays",
        lever_en="inspection bays",
        lever_zh="查验台位",
    ),
    ResourceKind(
        "customs.quarantine_lab",
        "quarantine laboratory",
        "检疫实验室",
        "server",
        7,
        ("samples", "样品"),
        headline=True,
        lever="customs.quarantine.lab_slots",
        lever_en="quarantine lab slots",
        lever_zh="检疫实验室检测位",
    ),
    ResourceKind(
        "consolidation.crews",
        "LCL consolidation crews",
        "拼箱作业班组",
        "server",
        1,
        ("boxes to stuff", "待装箱"),
        headline=True,
        lever="terminal.consolidation.crews",
    ),
    ResourceKind(
        "yard.export",
        "yard, export block",
        "堆场出口箱区",
        "holder",
        1,
        ("trucks", "卡车"),
        headline=True,
    ),
    ResourceKind(
        "yard.import",
        "yard, import block",
        "堆场进口箱区",
        "holder",
        2,
        ("trucks/trains", "卡车/列车"),
        headline=True,
    ),
    ResourceKind(
        "sidings",
        "rail sidings",
        "铁路专用线",
        "server",
        2,
        ("trains", "列车"),
        headline=True,
        lever="terminal.sidings.count",
    ),
    ResourceKind(
        "handling",
        "handling units (cranes)",
        "装卸机组（吊机）",
        "server",
        3,
        ("trains", "列车"),
        headline=True,
        lever="terminal.handling.units",
    ),
    ResourceKind(
        "tracks",
        "arrival/departure tracks",
        "到发线",
        "holder",
        0,
        ("trains", "列车"),
        waits_for="yard.import",
        lever="terminal.tracks.count",
    ),
    ResourceKind(
        "gate",
        "truck gate",
        "卡口",
        "server",
        0,
        ("trucks", "卡车"),
        lever="terminal.gate.lanes",
        lever_en="truck gate lanes",
        lever_zh="卡口车道",
    ),
    ResourceKind(
        "deconsolidation.crews",
        "LCL deconsolidation crews",
        "拆箱作业班组",
        "server",
        8,
        ("boxes", "箱"),
        lever="terminal.deconsolidation.crews",
    ),
)
"""Every kind of hub resource the model builds, in the order a planner reads them. Servers
in flow order: gate, consolidation crews, sidings, handling, customs (export officers, import
officers, bays, lab), deconsolidation crews; holders: tracks, export yard, import yard. The
arrival/departure tracks wait for the import yard: a train stays on its track until the
import block can take its load."""

_KINDS = {k.name: k for k in RESOURCE_KINDS}


def resource_kind(name: str) -> ResourceKind | None:
    """The kind of the hub resource ``name`` (its scope under the hub), or None."""
    return _KINDS.get(name)


def describe_resource(hub: str, where: str, units: float) -> Resource:
    """The :class:`Resource` the model built at scope ``where`` (``huaihua.sidings``) with
    ``units`` units."""
    name = where.removeprefix(f"{hub}.")
    kind = resource_kind(name)
    if kind is None:
        return Resource(
            name=name,
            where=where,
            label=Label(en=name, zh=name),
            units=units,
            role="other",
            flow_order=len(RESOURCE_KINDS),
            waits_for=None,
            waiting=Label(en="items", zh="项"),
            headline=False,
            key=False,
        )
    return Resource(
        name=name,
        where=where,
        label=kind.label,
        units=units,
        role=kind.role,
        flow_order=kind.flow_order,
        waits_for=kind.waits_for,
        waiting=Label(en=kind.waiting[0], zh=kind.waiting[1]),
        headline=kind.headline,
        key=kind.key,
    )


def resource_order(resource: Resource) -> tuple[int, str]:
    """Sort key of resources: :data:`RESOURCE_KINDS` order, then unknown ones by name."""
    order = [k.name for k in RESOURCE_KINDS]
    if resource.name in order:
        return (order.index(resource.name), "")
    return (len(order), resource.name)
