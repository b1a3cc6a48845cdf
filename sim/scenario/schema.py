"""The scenario schema: every field a YAML scenario may hold, with types, units and ranges.

A scenario is validated whole before anything runs. Models are frozen and forbid unknown keys,
so a typo is an error, never a silently ignored setting. Units are in field names (``_h``
hours, ``_teu``, ``_per_week``, ``_cny``, ``_km``); shares and discounts are fractions in
[0, 1]. Cross-references (a flow's corridor, a corridor's path, a discount's railway bureau)
are checked by :func:`check_references`, which reports each problem with its field path.

``Scenario.model_json_schema()`` is what ``landport schema`` prints, so editors can complete
and check scenario files.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    NonNegativeFloat,
    PositiveFloat,
    PositiveInt,
    Tag,
    model_validator,
)

from sim.engine import dists

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
Direction = Literal["export", "import"]
Fraction = Annotated[float, Field(ge=0.0, le=1.0)]
_CLOCK = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


def _clock(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool):
        # YAML 1.1 reads an unquoted 08:30 as the sexagesimal number 510.
        value = f"{value // 60:02d}:{value % 60:02d}"
    if not isinstance(value, str) or not _CLOCK.match(value):
        raise ValueError(f"expected a time of day as 'HH:MM' (00:00 to 23:59), found {value!r}")
    return value


ClockTime = Annotated[str, BeforeValidator(_clock)]


def clock_hours(value: str) -> float:
    """Hours after midnight of an 'HH:MM' string."""
    hours, minutes = value.split(":")
    return int(hours) + int(minutes) / 60


class Strict(BaseModel):
    """Base of every scenario model: frozen, unknown keys rejected."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


# ---------------------------------------------------------------------------- distributions


class ConstantDist(Strict):
    dist: Literal["constant"]
    value: NonNegativeFloat

    def to_engine(self) -> dists.Distribution:
        return dists.Constant(self.value)


class ExponentialDist(Strict):
    dist: Literal["exponential"]
    mean: PositiveFloat

    def to_engine(self) -> dists.Distribution:
        return dists.Exponential(self.mean)


class UniformDist(Strict):
    dist: Literal["uniform"]
    low: NonNegativeFloat
    high: NonNegativeFloat

    @model_validator(mode="after")
    def _ordered(self) -> UniformDist:
        if self.low > self.high:
            raise ValueError(f"low ({self.low}) must not exceed high ({self.high})")
        return self

    def to_engine(self) -> dists.Distribution:
        return dists.Uniform(self.low, self.high)


class TriangularDist(Strict):
    dist: Literal["triangular"]
    low: NonNegativeFloat
    mode: NonNegativeFloat
    high: NonNegativeFloat

    @model_validator(mode="after")
    def _ordered(self) -> TriangularDist:
        if not (self.low <= self.mode <= self.high and self.low < self.high):
            raise ValueError("expected low <= mode <= high with low < high")
        return self

    def to_engine(self) -> dists.Distribution:
        return dists.Triangular(self.low, self.mode, self.high)


class GammaDist(Strict):
    dist: Literal["gamma"]
    mean: PositiveFloat
    cv: PositiveFloat = Field(description="coefficient of variation (std / mean)")

    def to_engine(self) -> dists.Distribution:
        return dists.Gamma(self.mean, self.cv)


class LognormalDist(Strict):
    dist: Literal["lognormal"]
    mean: PositiveFloat
    cv: PositiveFloat = Field(description="coefficient of variation (std / mean)")

    def to_engine(self) -> dists.Distribution:
        return dists.Lognormal(self.mean, self.cv)


def _number_is_constant(value: Any) -> Any:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return {"dist": "constant", "value": value}
    return value


Dist = Annotated[
    ConstantDist | ExponentialDist | UniformDist | TriangularDist | GammaDist | LognormalDist,
    Field(discriminator="dist"),
    BeforeValidator(_number_is_constant),
]
"""A distribution in hours (or cbm): a plain number means a constant."""


# ---------------------------------------------------------------------------- schedules


class Weekly(Strict):
    """Departures on given weekdays at given times of day."""

    days: list[Weekday] = Field(min_length=1)
    times: list[ClockTime] = Field(min_length=1)


class Headway(Strict):
    """Departures every ``headway_h`` hours, the first ``first_h`` hours after the start."""

    headway_h: PositiveFloat
    first_h: NonNegativeFloat = 0.0


def schedule_kind(value: Any) -> str:
    """``periods`` for a list, ``weekly`` if the mapping names days or times, else
    ``headway``."""
    if isinstance(value, list):
        return "periods"
    if isinstance(value, dict):
        return "weekly" if "days" in value or "times" in value else "headway"
    return "weekly" if isinstance(value, Weekly) else "headway"


Schedule = Annotated[
    Annotated[Weekly, Tag("weekly")] | Annotated[Headway, Tag("headway")],
    Discriminator(schedule_kind),
]
"""Either ``{days: [...], times: [...]}`` or ``{headway_h: ..., first_h: ...}``."""


class Booking(Strict):
    """Cargo books a slot on a train before it comes to the train's origin terminal.

    A shipment is booked, when it is ready, on the first train it can still catch (its cut-off
    not passed) that has room for it; trains are booked up to their capacity. If no train with
    room leaves within ``max_delay_h`` of the first train it could catch, the cargo is turned
    away to the corridor's competing route (and counted). With ``window_h``, booked FCL cargo
    reaches the terminal, in booking order, spread evenly between ``window_h`` hours before
    the departure and the service's cut-off (never before it is ready); without it, cargo
    comes as soon as it is ready and waits in the yard for its train.
    """

    window_h: PositiveFloat | None = Field(
        None,
        description="FCL cargo reaches the terminal no earlier than this before its train "
        "(land corridors with rare trains); null: as soon as it is ready",
    )
    max_delay_h: NonNegativeFloat = Field(
        description="longest a shipper waits beyond the first train it could catch; "
        "cargo that cannot be booked within it goes by the competing route"
    )


class Period(Strict):
    """A timetable in force from a date on (until the next period's date)."""

    from_: dt.date = Field(alias="from", description="first day of this timetable")
    schedule: Schedule


class TrainService(Strict):
    """Trains of one corridor in one direction."""

    schedule: Annotated[
        Annotated[Weekly, Tag("weekly")]
        | Annotated[Headway, Tag("headway")]
        | Annotated[list[Period], Tag("periods")],
        Discriminator(schedule_kind),
    ] = Field(description="one timetable, or a list of timetables each in force from a date on")
    capacity_teu: PositiveInt
    policy: Literal["timetable", "when_full", "min_load"] = Field(
        description="timetable: leave on time with what is loaded; when_full: leave as soon "
        "as full, else on time; min_load: hold until min_load_teu or max_hold_h"
    )
    open_h: NonNegativeFloat = Field(
        description="hours before the scheduled departure that the train is placed for loading"
    )
    cutoff_h: NonNegativeFloat = Field(
        description="cargo must be cleared this many hours before the scheduled departure; "
        "loading starts then, and later cargo waits for the next train"
    )
    min_load_teu: int = Field(0, ge=0)
    max_hold_h: NonNegativeFloat = 0.0
    booking: Booking | None = Field(
        None,
        description="cargo books a slot on a train before it comes (and is turned away when "
        "none has room in time); null: cargo comes as soon as it is ready, unbooked",
    )

    @model_validator(mode="after")
    def _policy(self) -> TrainService:
        if self.cutoff_h > self.open_h:
            raise ValueError("cutoff_h must not exceed open_h: a train is placed before loading")
        window = self.booking.window_h if self.booking is not None else None
        if window is not None and window <= self.cutoff_h:
            raise ValueError("booking.window_h must exceed cutoff_h")
        if isinstance(self.schedule, list):
            if not self.schedule:
                raise ValueError("schedule: expected a timetable or a non-empty list of periods")
            dates = [p.from_ for p in self.schedule]
            if dates != sorted(set(dates)):
                raise ValueError("schedule: periods must be in date order, one per date")
        if self.policy == "min_load":
            if not 1 <= self.min_load_teu <= self.capacity_teu:
                raise ValueError("policy min_load needs 1 <= min_load_teu <= capacity_teu")
        elif self.min_load_teu or self.max_hold_h:
            raise ValueError("min_load_teu and max_hold_h apply only to policy min_load")
        return self


class Trains(Strict):
    export: TrainService
    import_: TrainService = Field(alias="import")


# ---------------------------------------------------------------------------- network


class Crossing(Strict):
    """Dwell of a whole train at a border station or sea port, in hours.

    "Four customs as one" removes the Chinese side's re-declaration only; the neighbouring
    country's formalities (``foreign_h``) and the technical stop remain.
    """

    technical_h: Dist = Field(
        description="locomotive and crew change, gauge change, transshipment or shunting"
    )
    customs_h: Dist = Field(
        description="Chinese-side customs re-declaration; skipped when the corridor has "
        "four_customs_as_one"
    )
    foreign_h: Dist = Field(
        ConstantDist(dist="constant", value=0.0),
        description="the neighbouring country's border formalities (e.g. Lao customs at "
        "Boten); never skipped",
    )


class Place(Strict):
    label: str
    kind: Literal["hub", "city", "border", "seaport"]
    country: str = Field(min_length=2, max_length=2, description="ISO 3166 code")
    crossing: Crossing | None = None


class Leg(Strict):
    """A rail line between two places, the same in both directions.

    A line run by more than one railway group gives ``sections`` (group → km); its tariff is
    shared by distance, and each group's discount applies to its own section only.
    """

    a: str = Field(alias="from")
    b: str = Field(alias="to")
    distance_km: PositiveFloat
    run_time_h: Dist
    bureau: str | None = Field(
        None, description="railway operator of the whole leg; discounts are set per bureau"
    )
    sections: dict[str, PositiveFloat] | None = Field(
        None, description="railway operator → km, for a leg run by several; sums to distance_km"
    )
    tariff_cny_per_teu: NonNegativeFloat = Field(description="list tariff before discount")

    @model_validator(mode="after")
    def _operators(self) -> Leg:
        if (self.bureau is None) == (self.sections is None):
            raise ValueError("expected exactly one of bureau or sections")
        if self.sections is not None:
            total = sum(self.sections.values())
            if abs(total - self.distance_km) > 0.5:
                raise ValueError(
                    f"sections add up to {total:g} km; expected distance_km ({self.distance_km:g})"
                )
        return self

    def bureau_km(self) -> dict[str, float]:
        """Railway operator → km of this leg it runs."""
        if self.sections is not None:
            return dict(self.sections)
        assert self.bureau is not None
        return {self.bureau: self.distance_km}


class Network(Strict):
    bureaus: dict[str, str] = Field(description="railway operators: key → name")
    places: dict[str, Place]
    legs: list[Leg]


class Competitor(Strict):
    """The route shippers would otherwise take (e.g. trucking to the Guangdong coast)."""

    label: str
    cost_cny_per_teu: NonNegativeFloat
    transit_h: NonNegativeFloat


class Corridor(Strict):
    label: str
    enabled: bool = Field(
        True,
        description="false: no trains run and the corridor's cargo goes by its competing route",
    )
    path: list[str] = Field(min_length=2, description="places from the hub outwards")
    four_customs_as_one: bool = Field(
        description="a declaration cleared at the hub is not cleared again at the border or port"
    )
    trains: Trains
    competitor: Competitor


class SeaService(Strict):
    """A weekly liner service between the rail–sea port and one overseas port.

    Each sailing has ``slots_teu`` for the hub's cargo in each direction. A container must be
    at the quay ``cutoff_h`` before the sailing; one that misses the cut-off or finds the
    slots taken rolls to the next sailing (counted).
    """

    sailings: Weekly
    transit_h: Dist
    freight_cny_per_teu: NonNegativeFloat
    slots_teu: PositiveInt = Field(description="slots per sailing, each direction")
    cutoff_h: NonNegativeFloat = Field(description="container-yard cut-off before sailing")


class Sea(Strict):
    port: str = Field(description="the rail–sea transfer port (a place of kind seaport)")
    corridor: str = Field(description="the corridor whose trains serve that port")
    max_delay_h: NonNegativeFloat = Field(
        description="import cargo overseas is booked on the first sailing with free slots; "
        "if that leaves more than this after the first it could catch, it is turned away"
    )
    services: dict[str, SeaService] = Field(description="overseas port → service")


# ---------------------------------------------------------------------------- terminal & customs


class Gate(Strict):
    lanes: PositiveInt
    service_h: Dist


class Yard(Strict):
    """Container yard in two reserved blocks: exports waiting for trains, imports waiting
    for customs and collection. Neither direction may use the other's block."""

    capacity_teu: PositiveInt
    import_share: float = Field(
        gt=0.0, lt=1.0, description="share of capacity_teu reserved for imports"
    )

    @property
    def import_teu(self) -> int:
        return round(self.capacity_teu * self.import_share)

    @property
    def export_teu(self) -> int:
        return self.capacity_teu - self.import_teu


class Tracks(Strict):
    """Arrival/departure tracks, where arriving trains are received and stand until worked.

    Export trains leave straight from their siding, so only arriving trains use them: a track
    is held for the reception (arrival inspection, locomotive off) and then until yard space
    and a siding are free.
    """

    count: PositiveInt = Field(
        description="tracks for arriving trains; with none free a train waits outside the hub"
    )
    reception_h: Dist = Field(description="arrival inspection and uncoupling on the track")


class Sidings(Strict):
    """Working sidings: export trains are loaded and import trains unloaded on them."""

    count: PositiveInt


class Handling(Strict):
    """Equipment that lifts containers between train and yard (gantry cranes, reach stackers)."""

    units: PositiveInt = Field(description="trains that can be worked at once")
    teu_per_h: PositiveFloat = Field(description="lifting rate of one unit working a train")


class Consolidation(Strict):
    crews: PositiveInt
    stuffing_h: Dist
    container_cbm: PositiveFloat = Field(description="usable volume of a 20 ft container")
    fill_threshold: float = Field(gt=0.0, le=1.0, description="share of volume that closes it")
    max_wait_h: PositiveFloat = Field(description="a part-filled container closes after this")


class Deconsolidation(Strict):
    crews: PositiveInt
    time_h: Dist


class Terminal(Strict):
    gate: Gate
    yard: Yard
    tracks: Tracks
    sidings: Sidings
    handling: Handling
    consolidation: Consolidation
    deconsolidation: Deconsolidation
    pickup_h: Dist = Field(description="wait for the consignee's truck after release (imports)")


class WorkingHours(Strict):
    days: list[Weekday] = Field(min_length=1)
    start: ClockTime
    end: ClockTime

    @model_validator(mode="after")
    def _ordered(self) -> WorkingHours:
        if clock_hours(self.end) <= clock_hours(self.start):
            raise ValueError("end must be after start on the same day")
        return self


class CustomsDesk(Strict):
    officers: PositiveInt
    review_h: Dist = Field(description="document review per container")
    inspection_probability: Fraction
    working_hours: list[WorkingHours] | None = Field(
        None, description="officers on duty only in these windows; null means around the clock"
    )


class Inspection(Strict):
    bays: PositiveInt
    time_h: Dist


class Quarantine(Strict):
    probability: Fraction = Field(description="share of agricultural imports sampled")
    lab_slots: PositiveInt
    test_h: Dist


class Customs(Strict):
    export: CustomsDesk
    import_: CustomsDesk = Field(alias="import")
    inspection: Inspection
    quarantine: Quarantine


# ---------------------------------------------------------------------------- demand & rates


class Commodity(Strict):
    label: str
    agricultural: bool = Field(description="subject to quarantine sampling on import")


class Region(Strict):
    label: str
    drayage_km: NonNegativeFloat = Field(description="truck distance to or from the hub")


class Levers(Strict):
    discount: dict[str, Fraction] = Field(description="rail tariff discount per bureau")
    toll_cut: Fraction = Field(description="share of highway tolls waived for port trucks")
    subsidy_per_teu_cny: NonNegativeFloat


class Tariffs(Levers):
    truck_cny_per_teu_km: NonNegativeFloat
    toll_share: Fraction = Field(description="share of the truck rate that is highway tolls")
    value_of_time_cny_per_teu_h: NonNegativeFloat


class Response(Strict):
    """How demand responds to a route's generalised cost, relative to ``reference`` levers."""

    model: Literal["logit", "elasticity", "none"] = Field(
        description="logit: binary choice against the corridor's competitor; elasticity: "
        "constant elasticity of volume to generalised cost; none: fixed volumes"
    )
    cost_sensitivity_per_cny: NonNegativeFloat = Field(0.0, description="logit θ per CNY")
    elasticity: float = Field(0.0, le=0.0)
    reference: Levers = Field(description="the levers at which teu_per_week was observed")


class Flow(Strict):
    corridor: str | None = Field(description="null only for imports that arrive by truck")
    direction: Direction
    arrives_by: Literal["train", "truck"] = "train"
    teu_per_week: NonNegativeFloat = Field(description="at the reference levers, mean month")
    lcl_share: Fraction = Field(description="share of TEU that is less-than-container-load")
    containers_per_shipment: float = Field(1.0, ge=1.0, description="mean, FCL")
    share_40ft: Fraction = Field(description="share of FCL containers that are 40 ft (2 TEU)")
    lcl_cbm: Dist = Field(description="volume of one LCL export consignment, cbm")
    places: dict[str, PositiveFloat] = Field(
        description="overseas destination (export) or origin (import) → weight"
    )
    commodities: dict[str, PositiveFloat] = Field(min_length=1)
    regions: dict[str, PositiveFloat] = Field(min_length=1, description="hinterland → weight")

    @model_validator(mode="after")
    def _mode(self) -> Flow:
        if self.arrives_by == "truck":
            if self.direction != "import":
                raise ValueError("arrives_by truck applies to imports only")
            if self.corridor is not None or self.places:
                raise ValueError("a truck import has corridor null and no places")
        elif self.corridor is None:
            raise ValueError("a train flow needs a corridor")
        elif not self.places:
            raise ValueError("a train flow needs at least one place")
        return self


class Demand(Strict):
    scale: NonNegativeFloat = Field(
        1.0, description="multiplies every flow's teu_per_week (2 = twice today's volume)"
    )
    seasonality: dict[Literal[MONTHS], NonNegativeFloat] = Field(  # type: ignore[valid-type]
        description="monthly multipliers of teu_per_week, all twelve months"
    )
    response: Response
    flows: dict[str, Flow]

    @model_validator(mode="after")
    def _all_months(self) -> Demand:
        missing = [m for m in MONTHS if m not in self.seasonality]
        if missing:
            raise ValueError(f"seasonality needs all twelve months; missing {missing}")
        return self


# ---------------------------------------------------------------------------- scenario


class Watchdog(Strict):
    """A run stops with an error where work waits and nothing moves."""

    stall_h: PositiveFloat = Field(
        336.0,
        description="hours a resource (or a train service) may have work waiting without "
        "serving any before the run is stopped as stuck; closed resources do not count",
    )


class Scenario(Strict):
    """A whole, validated scenario."""

    name: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_.\-]+$")
    description: str = ""
    start: dt.date
    end: dt.date = Field(description="last day simulated (inclusive)")
    warmup_days: NonNegativeFloat = Field(
        description="days simulated before start and left out of every statistic"
    )
    seed: int = Field(ge=0)
    replications: PositiveInt
    hub: str
    network: Network
    corridors: dict[str, Corridor]
    sea: Sea | None = None
    terminal: Terminal
    customs: Customs
    commodities: dict[str, Commodity]
    regions: dict[str, Region]
    tariffs: Tariffs
    demand: Demand
    watchdog: Watchdog = Watchdog()

    @model_validator(mode="after")
    def _dates(self) -> Scenario:
        if self.end < self.start:
            raise ValueError(f"end ({self.end}) is before start ({self.start})")
        return self

    @property
    def horizon_h(self) -> float:
        """Hours from the start date (00:00) to the end of the last day."""
        return ((self.end - self.start).days + 1) * 24.0

    @property
    def warmup_h(self) -> float:
        return self.warmup_days * 24.0


Problem = tuple[tuple[str | int, ...], str]


def check_references(s: Scenario) -> list[Problem]:
    """Cross-field checks: every name refers to something defined. Returns (path, message)."""
    problems: list[Problem] = []
    places = s.network.places
    bureaus = s.network.bureaus
    if s.hub not in places or places[s.hub].kind != "hub":
        problems.append((("hub",), f"expected a place of kind hub, found {s.hub!r}"))
    legs: set[frozenset[str]] = set()
    for i, leg in enumerate(s.network.legs):
        for end, name in (("from", leg.a), ("to", leg.b)):
            if name not in places:
                problems.append((("network", "legs", i, end), _unknown("place", name, places)))
        for bureau in leg.bureau_km():
            if bureau not in bureaus:
                field = "bureau" if leg.sections is None else "sections"
                problems.append(
                    (("network", "legs", i, field), _unknown("bureau", bureau, bureaus))
                )
        legs.add(frozenset((leg.a, leg.b)))
    for levers, where in (
        (s.tariffs, ("tariffs",)),
        (s.demand.response.reference, ("demand", "response", "reference")),
    ):
        for bureau in levers.discount:
            if bureau not in bureaus:
                problems.append(((*where, "discount", bureau), _unknown("bureau", bureau, bureaus)))
    for cname, corridor in s.corridors.items():
        path = corridor.path
        if path[0] != s.hub:
            problems.append(
                (("corridors", cname, "path", 0), f"expected the hub {s.hub!r}, found {path[0]!r}")
            )
        for i, (a, b) in enumerate(itertools.pairwise(path)):
            if b not in places:
                problems.append((("corridors", cname, "path", i + 1), _unknown("place", b, places)))
            elif frozenset((a, b)) not in legs:
                problems.append(
                    (
                        ("corridors", cname, "path", i + 1),
                        f"no leg joins {a!r} and {b!r} in network.legs",
                    )
                )
    if s.sea is not None:
        if s.sea.port not in places or places[s.sea.port].kind != "seaport":
            problems.append(
                (("sea", "port"), f"expected a place of kind seaport, found {s.sea.port!r}")
            )
        if s.sea.corridor not in s.corridors:
            problems.append(
                (("sea", "corridor"), _unknown("corridor", s.sea.corridor, s.corridors))
            )
        elif s.corridors[s.sea.corridor].path[-1] != s.sea.port:
            problems.append(
                (("sea", "corridor"), f"corridor {s.sea.corridor!r} does not end at {s.sea.port!r}")
            )
        for port in s.sea.services:
            if port not in places:
                problems.append((("sea", "services", port), _unknown("place", port, places)))
    yard = s.terminal.yard
    for cname, corridor in s.corridors.items():
        # An arriving import train is unloaded only once the import block can hold its load.
        if corridor.enabled and corridor.trains.import_.capacity_teu > yard.import_teu:
            problems.append(
                (
                    ("terminal", "yard"),
                    f"expected an import block (capacity_teu × import_share) of at least "
                    f"{corridor.trains.import_.capacity_teu} TEU, the capacity of an import "
                    f"train of corridor {cname!r}; found {yard.import_teu}",
                )
            )
            break
    if min(yard.import_teu, yard.export_teu) < 2:
        problems.append(
            (
                ("terminal", "yard"),
                f"expected at least 2 TEU (one 40 ft box) in each block; found "
                f"{yard.export_teu} for exports and {yard.import_teu} for imports",
            )
        )
    sea_corridor = s.sea.corridor if s.sea else None
    for fname, flow in s.demand.flows.items():
        at = ("demand", "flows", fname)
        if flow.corridor is not None:
            if flow.corridor not in s.corridors:
                problems.append(
                    ((*at, "corridor"), _unknown("corridor", flow.corridor, s.corridors))
                )
            else:
                if flow.corridor == sea_corridor and s.sea is not None:
                    allowed = set(s.sea.services)
                    what = "sea service port"
                else:
                    allowed = {s.corridors[flow.corridor].path[-1]}
                    what = "corridor end"
                for place in flow.places:
                    if place not in allowed:
                        problems.append(
                            (
                                (*at, "places", place),
                                f"expected a {what}: one of {sorted(allowed)}, found {place!r}",
                            )
                        )
        for name in flow.commodities:
            if name not in s.commodities:
                problems.append(
                    ((*at, "commodities", name), _unknown("commodity", name, s.commodities))
                )
        for name in flow.regions:
            if name not in s.regions:
                problems.append(((*at, "regions", name), _unknown("region", name, s.regions)))
    return problems


def _unknown(what: str, name: str, known: Any) -> str:
    return f"unknown {what} {name!r}; expected one of {sorted(known)}"
