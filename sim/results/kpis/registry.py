"""The KPI registry: every KPI family defined once, and everything read from it.

A *family* is a set of KPIs under one dotted name pattern — ``utilisation.<hub>.<resource>``,
``teu.<corridor>.<direction>`` — with one unit, one label in English and in Chinese, one theme
(throughput, time, capacity, money, emissions, stability), whether its KPIs are headline (the rows a
planner reads first), key (the few a sweep shows) and regression-checked, and the function
that computes it. Its formatter is its unit's (:mod:`sim.results.formatting`).

A placeholder ``<kind>`` stands for a name the run supplies: ``corridor`` (the scenario's rail
corridors, in order), ``hub``, ``resource`` (the hub's resources, as the model built them),
``direction``, ``stat`` (``mean``, ``p90`` …), ``state`` and ``count``; a family may fix the
values of any of them (``{"stat": ("mean", "p90")}``). So the KPIs of a new corridor or
resource are headline, labelled and checked without naming it anywhere.

The :class:`Registry` computes every KPI of a replication (each computation once, in the order
the families first name them, then the KPIs derived from other KPIs), gives a KPI's unit and
label, and lists the headline, key and checked KPIs of a run (:class:`RunInfo`) in family
order. Tables, plots, reports, ``compare``, ``sweep``, ``check`` and the health diagnosis read
it; a new KPI is one :class:`Family` in :mod:`sim.results.kpis.families`.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from sim.results.formatting import UNITS, format_value
from sim.results.i18n import label, texts
from sim.results.kpis.measures import DIRECTIONS, KpiInputs
from sim.results.kpis.recovery import RecoveryInputs
from sim.results.resource_kinds import resource_kind
from sim.results.runinfo import Label, RunInfo
from sim.results.states import STATES

Theme = Literal["throughput", "time", "capacity", "money", "emissions", "stability"]
THEMES: tuple[Theme, ...] = ("throughput", "time", "capacity", "money", "emissions", "stability")
Compute = Callable[[KpiInputs], dict[str, float]]
"""A computation of KPIs from one replication's tables."""


@dataclass(frozen=True)
class Derived:
    """A computation of KPIs from the other KPIs of the same replication (run last)."""

    fn: Callable[[Mapping[str, float]], dict[str, float]]


@dataclass(frozen=True)
class Paired:
    """A computation of KPIs from a pair of replications — the same replication of two
    scenarios, with common random numbers — run by a comparison, not by a run (recovery from
    disruptions: :mod:`sim.results.kpis.recovery`)."""

    fn: Callable[[RecoveryInputs], dict[str, float]]


# ---------------------------------------------------------------------------- placeholders

STAT_LABELS: dict[str, Label] = texts("stat")
DIRECTION_LABELS: dict[str, Label] = texts("direction")
STATE_LABELS: dict[str, str] = {k: v.zh for k, v in texts("state").items()}
COUNT_LABELS: dict[str, str] = {k: v.zh for k, v in texts("count").items()}
"""Words of the placeholders, from the one place for translations (:mod:`sim.results.i18n`)."""
BACKLOG_STATES: tuple[str, ...] = tuple(s for s in STATES if s not in ("delivered", "turned_away"))

_NAME = r"[A-Za-z0-9_]+"
_GENERIC: dict[str, str] = {
    "corridor": _NAME,
    "hub": _NAME,
    "resource": r".+",
    "direction": "|".join(DIRECTIONS),
    "stat": "|".join(STAT_LABELS),
    "state": _NAME,
    "count": _NAME,
    "disruption": _NAME,
}
"""What a placeholder matches when its family does not fix its values."""
_SEGMENT = re.compile(r"^<([a-z]+)>$")


def _values_text(kind: str, value: str, info: RunInfo | None, lang: str) -> str:
    """A placeholder's value as a label writes it."""
    if kind == "corridor" and value == "all":
        return label("corridor.all", lang)
    if kind == "corridor":
        found = info.corridor(value) if info is not None else None
        if found is not None:
            return found.label(lang)
        return value.replace("_", " ").title() if lang == "en" else value
    if kind == "hub":
        if lang == "zh" and info is not None and info.hub.name == value:
            return info.hub.label.zh
        return value.capitalize()
    if kind == "resource":
        built = info.resource(value) if info is not None else None
        kind_ = resource_kind(value)
        named = built.label if built is not None else kind_.label if kind_ is not None else None
        return named(lang) if named is not None else value
    if kind == "direction" and value in DIRECTION_LABELS:
        return DIRECTION_LABELS[value](lang)
    if kind == "stat" and value in STAT_LABELS:
        return STAT_LABELS[value](lang)
    if kind == "disruption":
        return value.replace("_", " ")
    if kind in ("state", "count"):
        words = STATE_LABELS if kind == "state" else COUNT_LABELS
        return words[value] if lang == "zh" and value in words else value.replace("_", " ")
    return value


# ---------------------------------------------------------------------------- families


@dataclass(frozen=True)
class Family:
    """One family of KPIs (see the module docstring)."""

    pattern: str
    """Dotted name with ``<placeholders>``: ``trains.<corridor>.<direction>``."""
    unit: str
    """One of :data:`sim.results.formatting.UNITS`; it formats the family's values."""
    label: Label
    """Templates: ``{corridor}``, ``{direction}`` …, capitalised as ``{Direction}``."""
    theme: Theme
    compute: Compute | Derived | Paired
    headline: bool = False
    """Among the KPIs a planner reads first: the default rows of KPI tables, the headline
    table of reports, the forest plot of a comparison. Over resources, only those whose kind
    is headline (:data:`sim.results.runinfo.RESOURCE_KINDS`)."""
    key: bool = False
    """Among the few a sweep shows (table columns, response curves); key KPIs are headline.
    Over resources, only those whose kind is key."""
    checked: bool = False
    """Compared with the committed baseline by the regression check (``landport check``)."""
    values: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Fixed values of placeholders, in order (default: what the run supplies)."""

    def __post_init__(self) -> None:
        if self.unit not in UNITS:
            raise ValueError(f"{self.pattern}: unknown unit {self.unit!r}; one of {list(UNITS)}")
        if self.theme not in THEMES:
            raise ValueError(f"{self.pattern}: unknown theme {self.theme!r}; one of {THEMES}")
        if self.key and not self.headline:
            raise ValueError(f"{self.pattern}: a key family is headline too")
        for kind in self.placeholders:
            if kind not in _GENERIC:
                raise ValueError(f"{self.pattern}: unknown placeholder <{kind}>")

    @property
    def segments(self) -> list[str]:
        return self.pattern.split(".")

    @property
    def placeholders(self) -> list[str]:
        """The placeholder kinds, in pattern order."""
        return [m.group(1) for s in self.segments if (m := _SEGMENT.match(s))]

    @property
    def regex(self) -> re.Pattern[str]:
        parts = []
        for s in self.segments:
            m = _SEGMENT.match(s)
            if m is None:
                parts.append(re.escape(s))
                continue
            kind = m.group(1)
            if kind in self.values:
                choices = "|".join(re.escape(v) for v in self.values[kind])
            else:
                choices = _GENERIC[kind]
            parts.append(f"(?P<{kind}>{choices})")
        return re.compile(r"\.".join(parts) + "$")

    def domain(self, kind: str, info: RunInfo, tier: str | None) -> tuple[str, ...]:
        """The values of placeholder ``kind`` in a run, for all KPIs or a ``tier``."""
        if kind in self.values:
            return self.values[kind]
        if kind == "corridor":
            return tuple(info.corridor_names)
        if kind == "hub":
            return (info.hub.name,)
        if kind == "resource":
            return tuple(
                r.name
                for r in info.resources
                if tier is None or (r.headline if tier == "headline" else r.key)
            )
        if kind == "direction":
            return DIRECTIONS
        if kind == "stat":
            return tuple(STAT_LABELS)
        if kind == "state":
            return BACKLOG_STATES
        return ()

    def names(self, info: RunInfo, tier: str | None = None) -> list[str]:
        """Every KPI name of this family in a run (over resources of ``tier`` only)."""
        kinds = self.placeholders
        out = []
        for combo in itertools.product(*(self.domain(k, info, tier) for k in kinds)):
            values = dict(zip(kinds, combo, strict=True))
            out.append(".".join(self._fill(s, values) for s in self.segments))
        return out

    @staticmethod
    def _fill(segment: str, values: Mapping[str, str]) -> str:
        m = _SEGMENT.match(segment)
        return values[m.group(1)] if m else segment

    def in_tier(self, values: Mapping[str, str], tier: str) -> bool:
        """Whether the KPI with these placeholder values is ``headline`` or ``key``."""
        if not (self.headline if tier == "headline" else self.key):
            return False
        if "resource" in values:
            kind = resource_kind(values["resource"])
            return kind is not None and (kind.headline if tier == "headline" else kind.key)
        return True

    def text(self, values: Mapping[str, str], info: RunInfo | None, lang: str) -> str:
        """The label of the KPI with these placeholder values."""
        words: dict[str, str] = {}
        for kind, value in values.items():
            shown = _values_text(kind, value, info, lang)
            words[kind] = shown
            words[kind.capitalize()] = shown[:1].upper() + shown[1:]
        return self.label(lang).format_map(words)


# ---------------------------------------------------------------------------- the registry


@dataclass(frozen=True)
class Match:
    family: Family
    values: dict[str, str]


class Registry:
    """The KPI families, in order (see the module docstring)."""

    def __init__(self, families: Iterable[Family] = ()) -> None:
        self._families: list[Family] = []
        self._cache: dict[str, Match | None] = {}
        for f in families:
            self.register(f)

    def register(self, family: Family) -> Family:
        """Add a family (after those already there); its pattern must be new."""
        if any(f.pattern == family.pattern for f in self._families):
            raise ValueError(f"{family.pattern}: a KPI family with this pattern exists")
        self._families.append(family)
        self._cache.clear()
        return family

    def unregister(self, pattern: str) -> None:
        """Remove the family with this pattern."""
        self._families = [f for f in self._families if f.pattern != pattern]
        self._cache.clear()

    def __iter__(self) -> Iterator[Family]:
        return iter(list(self._families))

    def __len__(self) -> int:
        return len(self._families)

    # ------------------------------------------------------------------ computing

    def compute(self, inputs: KpiInputs) -> dict[str, float]:
        """Every KPI of one replication: each computation once, in the order the families
        first name it, then the derived ones, in the same order."""
        tables: list[Compute] = []
        derived: list[Derived] = []
        for f in self._families:
            if isinstance(f.compute, Paired):
                continue
            if isinstance(f.compute, Derived):
                if f.compute not in derived:
                    derived.append(f.compute)
            elif f.compute not in tables:
                tables.append(f.compute)
        out: dict[str, float] = {}
        for fn in tables:
            out.update(fn(inputs))
        for d in derived:
            out.update(d.fn(out))
        return out

    def compute_paired(self, inputs: RecoveryInputs) -> dict[str, float]:
        """Every KPI computed from a pair of replications (each computation once, in the
        order the families first name it)."""
        done: list[Paired] = []
        out: dict[str, float] = {}
        for f in self._families:
            if isinstance(f.compute, Paired) and f.compute not in done:
                done.append(f.compute)
                out.update(f.compute.fn(inputs))
        return out

    # ------------------------------------------------------------------ one name

    def match(self, name: str) -> Match | None:
        """The family of a KPI name and its placeholder values, or None. A name fitting
        several patterns belongs to the one with fewest placeholders, then the most literal
        text, then the first registered (``trains.total`` before ``trains.<corridor>``)."""
        if name not in self._cache:
            self._cache[name] = self._match(name)
        return self._cache[name]

    def _match(self, name: str) -> Match | None:
        def specificity(item: tuple[int, Family]) -> tuple[int, int, int]:
            i, f = item
            literal = sum(len(s) for s in f.segments if not _SEGMENT.match(s))
            return (len(f.placeholders), -literal, i)

        for _, f in sorted(enumerate(self._families), key=specificity):
            m = f.regex.match(name)
            if m is not None:
                return Match(f, {k: v for k, v in m.groupdict().items() if v is not None})
        return None

    def family(self, name: str) -> Family | None:
        found = self.match(name)
        return found.family if found is not None else None

    def unit(self, name: str) -> str:
        """The unit of a KPI (``""`` for a name no family has)."""
        found = self.match(name)
        return found.family.unit if found is not None else ""

    def label(self, name: str, info: RunInfo | None = None, lang: str = "en") -> str:
        """A planner's wording of a KPI name in ``lang`` (``en``, ``zh``), with the run's
        corridor and resource names when ``info`` is given; an unknown name comes back
        unchanged."""
        found = self.match(name)
        if found is None:
            return name
        return found.family.text(found.values, info, lang)

    def format(self, name: str, value: float | None, **how: bool) -> str:
        """A value of the KPI ``name``, written by its unit's formatter."""
        return format_value(value, self.unit(name), **how)

    # ------------------------------------------------------------------ lists

    def names(self, info: RunInfo, tier: str | None = None) -> list[str]:
        """Every KPI name the families give a run, in family order; with ``tier``
        (``headline``, ``key`` or ``checked``) only those."""
        out: list[str] = []
        for f in self._families:
            if tier == "checked":
                if f.checked:
                    out.extend(f.names(info))
            elif tier is None:
                out.extend(f.names(info))
            elif f.headline if tier == "headline" else f.key:
                out.extend(f.names(info, tier))
        return out

    def select(self, present: Sequence[str], tier: str, info: RunInfo | None = None) -> list[str]:
        """The KPIs of ``tier`` (``headline``, ``key``, ``checked``) among ``present``, in
        family order: with ``info``, in the run's corridor and resource order; without it,
        in the order of ``present``."""
        if info is not None:
            here = set(present)
            return [n for n in self.names(info, tier) if n in here]
        index = {f.pattern: i for i, f in enumerate(self._families)}
        chosen = []
        for pos, name in enumerate(present):
            found = self.match(name)
            if found is None:
                continue
            f = found.family
            ok = f.checked if tier == "checked" else f.in_tier(found.values, tier)
            if ok:
                chosen.append((index[f.pattern], pos, name))
        return [name for _, _, name in sorted(chosen)]

    def by_theme(self, names: Iterable[str]) -> dict[Theme, list[str]]:
        """``names`` grouped by their family's theme (unknown names left out)."""
        out: dict[Theme, list[str]] = {t: [] for t in THEMES}
        for name in names:
            f = self.family(name)
            if f is not None:
                out[f.theme].append(name)
        return out
