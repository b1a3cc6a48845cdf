"""The scenario schema: every field a YAML scenario may hold, with types, units and ranges.

A scenario is validated whole before anything runs. Models are frozen and forbid unknown keys,
so a typo is an error, never a silently ignored setting. Units are in field names (``_h``
hours, ``_teu``, ``_per_week``, ``_cny``, ``_km``); shares and discounts are fractions in
[0, 1]. Cross-references (a flow's corridor, a corridor's path, a discount's railway bureau, a
rail–sea port's corridor, a customs stage's resource) are checked by :func:`check_references`,
which reports each problem with its field path.

The module is long because it is declarative: one class per section of a scenario file, read
top to bottom as the file is written, so that a planner's question "what may this field hold?"
has one answer in one place; the cross-reference check at the end needs all of them.

Classes that describe something the model builds at run time are named ``…Spec``
(``TrainServiceSpec``, ``CustomsDeskSpec``, ``SeaPortSpec``, ``FlowSpec``, …), so that the
runtime class keeps the domain word (:class:`sim.model.train.TrainService`, …).

Numbers are finite and bounded. Every field uses one of the annotated types below (``Hours``,
``Share``, ``Count``, ``Teu``, ``CnyPerTeu``, …), whose bounds are named constants with the
reason for each, so a field added later gets the same bounds. Integers, numbers, booleans and
strings are strict: ``officers: true`` or ``officers: 2.5`` is an error, not 1 or 2.

``Scenario.model_json_schema()`` is what ``landport schema`` prints, so editors can complete
and check scenario files.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import re
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationInfo,
    field_validator,
    model_validator,
)

from sim.scenario.limits import MAX_REPLICATIONS, MAX_SEED

if TYPE_CHECKING:
    from sim.engine import dists

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
Direction = Literal["export", "import"]
_CLOCK = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")

# ---------------------------------------------------------------------------- bounds
# Each bound is far beyond any plausible port, and close enough that the model stays sound:
# no overflow, no replication that would run for hours or fill the memory.

FIRST_DATE, LAST_DATE = dt.date(1900, 1, 1), dt.date(2199, 12, 31)
"""Dates: output timestamps are pandas datetime64[ns] (years 1678–2261); warm-up and the
month calendar must stay inside that range."""
MAX_HORIZON_DAYS = 3653
"""At most ten years from start to end: one replication of the baseline's traffic then takes
about 15 s and 800 MB; longer horizons add nothing a sequence of runs would not show."""
MAX_WARMUP_DAYS = 366
"""A warm-up fills the pipelines (the longest, a Yangon sailing, is 12 days); a year is more
than any scenario needs."""
MAX_HOURS = 100_000.0
"""Any duration, headway or time offset in hours: about 11 years, longer than the longest
run (horizon plus warm-up), so nothing that takes longer can ever be observed."""
MIN_STALL_H = 24.0
"""The watchdog's patience: at least a day. A shorter one takes a slow service (a two-day
quarantine test) for a stuck one, and its checks, every quarter of it, fill the event queue."""
MIN_HEADWAY_H = 1.0
"""A train an hour at the most from one terminal in one direction (a shorter headway would
schedule a train per handful of boxes)."""
MAX_DEPARTURES = 100_000
"""Scheduled train and vessel departures in one replication (warm-up included): the baseline
has about 820; each is a simulation process, whether or not it carries anything."""
MAX_UNITS = 10_000
"""Officers, lanes, crews, bays, lab slots, sidings: more than any port has of anything."""
MAX_TEU = 10_000_000
"""A capacity in TEU: ten million, more than any container yard holds."""
MAX_TRAIN_TEU = 1000
"""A train's capacity: the longest double-stack container trains carry about 800 TEU."""
MAX_TEU_PER_WEEK = 100_000.0
"""One flow's volume: 250 times Huaihua's 2023 traffic (386 TEU a week, all flows)."""
MAX_TEU_PER_REPLICATION = 500_000.0
"""TEU one replication may create (warm-up included), counted at the highest monthly rate
and the largest demand response the rate levers allow: 30 times the baseline (16,000 counted
so). Measured: 25 times the baseline's demand creates 250,000 containers in a replication of
16 s and 0.9 GB; the bound keeps a replication under about 30 s and 1.5 GB."""
MAX_DEMAND_SCALE = 100.0
"""Demand multiplier: a hundred times today's volume is far beyond any what-if of this port."""
MAX_SEASON_FACTOR = 10.0
"""A month's demand multiplier: ten times the mean month."""
MAX_DEMAND_RESPONSE = 100.0
"""The most the rate levers may multiply a flow's volume (bounded from the levers, see
:func:`_response_bound`): a hundredfold is no longer a response to a price but another port."""
MAX_CNY_PER_TEU = 1_000_000.0
"""A price, tariff, subsidy or cost per TEU: eight times the value of a box's cargo (¥120k)."""
MAX_CNY_PER_TEU_KM = 1000.0
"""A trucking rate per TEU-km: the baseline pays ¥6."""
MAX_CNY_PER_TEU_H = 100_000.0
"""Value of time per TEU-hour: about the whole cargo's value every hour (the baseline: ¥5)."""
MAX_COST_SENSITIVITY = 0.1
"""Logit θ per CNY: at 0.1 a one-yuan change moves the odds by 10 %; the baseline has 0.0003."""
MIN_ELASTICITY = -10.0
"""Constant elasticity of volume to generalised cost: observed freight elasticities lie
between about −0.1 and −3."""
MAX_KM = 20_000.0
"""A distance: half the Earth's circumference."""
MIN_TEU_PER_H, MAX_TEU_PER_H = 1.0, 10_000_000.0
"""A handling rate per siding: at least a box an hour (a train's load is lifted in at most
its capacity in hours), at most in effect instant (tests use a million TEU an hour for
trains that load at once)."""
MAX_CBM = 1000.0
"""A volume in cubic metres: a dozen 40 ft high-cube boxes (76 each)."""
MAX_WEIGHT = 1e9
"""A relative weight (of places, commodities, regions); weights are normalised."""
MIN_CV, MAX_CV = 0.001, 10.0
"""Coefficient of variation of a gamma or lognormal: below 0.001 use a constant; above 10 a
gamma's shape (1/cv²) is under 0.01, nearly every draw is 0 and the mean comes from a few
astronomically long ones (and a lognormal's spans dozens of orders of magnitude)."""
MAX_SHIPMENT_CONTAINERS = 1000.0
"""Mean containers per FCL shipment: a dozen trainloads or more."""
MAX_TEXT = 10_000
"""Characters in a label or description."""
MAX_LIST = 1000
"""Items in a list (legs, times of day, places on a path)."""
MAX_WINDOWS = 48
"""Working-hour windows of a customs desk: one each half hour of the day; each is an event a
day."""
MAX_DISRUPTIONS = 100
"""Disruptions listed in one scenario: each is a handful of timed changes; a hundred covers
every closure, outage and holiday of several years."""
MAX_DISRUPTIONS_PER_YEAR = 365.0
"""Rate of a random disruption: at most one a day (a daily event is a timetable, not a
disruption); with its duration bounded, a replication draws at most a few thousand."""
MAX_CAPACITY_FACTOR = 10.0
"""A capacity or demand multiplier over a disruption's window: ten times the normal, as for
seasonal factors."""
MAX_CUSTOMS_STAGES = 20
"""Extra customs stages of one direction: each is a queue a declaration may pass, and a real
clearance has a handful (documents, scans, tests); twenty is a procedure no port runs."""
MAX_CNY_PER_TEU_DAY = 10_000.0
"""Storage per TEU-day: a tenth of a box's cargo value (¥120k) every day; ports charge tens."""
MAX_T_PER_TEU = 30.0
"""Cargo tonnes per TEU: a 20 ft box may carry about 28 t."""
MAX_G_CO2E = 10_000.0
"""An emission intensity, g CO₂e per tonne-km or per TEU-km: air freight emits about
1,000 g per tonne-km, ten times less."""


def _finite_float(
    *,
    ge: float | None = None,
    gt: float | None = None,
    le: float | None = None,
    lt: float | None = None,
    **field: Any,
) -> Any:
    """A strict, finite number within bounds (a bool or a string is not a number); ``field``:
    further arguments of the pydantic ``Field`` (default, description)."""
    return Field(strict=True, allow_inf_nan=False, ge=ge, gt=gt, le=le, lt=lt, **field)


Hours = Annotated[float, _finite_float(ge=0.0, le=MAX_HOURS)]
"""A duration or time offset in hours, ≥ 0."""
PositiveHours = Annotated[float, _finite_float(gt=0.0, le=MAX_HOURS)]
"""A duration in hours, > 0."""
Days = Annotated[float, _finite_float(ge=0.0, le=MAX_WARMUP_DAYS)]
Share = Annotated[float, _finite_float(ge=0.0, le=1.0)]
"""A share, probability or discount: a fraction in [0, 1]."""
Count = Annotated[int, Field(strict=True, ge=1, le=MAX_UNITS)]
"""A number of officers, lanes, crews, bays, slots or sidings: at least one."""
Teu = Annotated[int, Field(strict=True, ge=1, le=MAX_TEU)]
"""A capacity in TEU."""
TrainTeu = Annotated[int, Field(strict=True, ge=1, le=MAX_TRAIN_TEU)]
"""A train's capacity in TEU."""
TeuPerWeek = Annotated[float, _finite_float(ge=0.0, le=MAX_TEU_PER_WEEK)]
CnyPerTeu = Annotated[float, _finite_float(ge=0.0, le=MAX_CNY_PER_TEU)]
CnyPerTeuKm = Annotated[float, _finite_float(ge=0.0, le=MAX_CNY_PER_TEU_KM)]
CnyPerTeuHour = Annotated[float, _finite_float(ge=0.0, le=MAX_CNY_PER_TEU_H)]
CnyPerTeuDay = Annotated[float, _finite_float(ge=0.0, le=MAX_CNY_PER_TEU_DAY)]
TonnesPerTeu = Annotated[float, _finite_float(gt=0.0, le=MAX_T_PER_TEU)]
GramsCo2e = Annotated[float, _finite_float(ge=0.0, le=MAX_G_CO2E)]
"""An emission intensity: g CO₂e per tonne-km or per TEU-km, well-to-wheel."""
Km = Annotated[float, _finite_float(ge=0.0, le=MAX_KM)]
PositiveKm = Annotated[float, _finite_float(gt=0.0, le=MAX_KM)]
Cbm = Annotated[float, _finite_float(gt=0.0, le=MAX_CBM)]
Weight = Annotated[float, _finite_float(gt=0.0, le=MAX_WEIGHT)]
Factor = Annotated[float, _finite_float(ge=0.0, le=MAX_SEASON_FACTOR)]
Cv = Annotated[
    float,
    _finite_float(ge=MIN_CV, le=MAX_CV),
    Field(description=f"coefficient of variation (std / mean), {MIN_CV} to {MAX_CV}"),
]
Label = Annotated[str, Field(strict=True, max_length=MAX_TEXT)]
Ref = Annotated[str, Field(strict=True, min_length=1, max_length=200)]
"""The name of something defined elsewhere in the scenario (a place, bureau, corridor, …)."""
Flag = Annotated[bool, Field(strict=True)]
Name = Annotated[
    str,
    Field(strict=True, min_length=1, max_length=64, pattern=r"^[a-z][a-z0-9_]*$"),
]
"""A name that becomes part of a random stream's name or a resource's scope: lower-case
letters, digits and ``_``, starting with a letter."""


def _a_date(value: Any) -> Any:
    """A date, or an ISO date string (JSON and --set); a datetime or a number is refused."""
    if isinstance(value, dt.datetime):
        raise ValueError(f"expected a date as YYYY-MM-DD without a time, found {value}")
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"expected a date as YYYY-MM-DD, found {value!r}") from None
    if not isinstance(value, dt.date):
        raise ValueError(f"expected a date as YYYY-MM-DD, found {value!r}")
    return value


def _in_range(value: dt.date) -> dt.date:
    if not FIRST_DATE <= value <= LAST_DATE:
        raise ValueError(f"expected a date from {FIRST_DATE} to {LAST_DATE}, found {value}")
    return value


Date = Annotated[dt.date, BeforeValidator(_a_date), AfterValidator(_in_range)]
"""A calendar date, 1900-01-01 to 2199-12-31."""


def _a_datetime(value: Any) -> Any:
    """A date and time without a time zone: a datetime, a date (its midnight), or a string
    ``YYYY-MM-DD``, ``YYYY-MM-DD HH:MM`` or ``YYYY-MM-DDTHH:MM[:SS]``."""
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(
                f"expected a date and time as 'YYYY-MM-DD HH:MM' (or a date), found {value!r}"
            ) from None
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            raise ValueError(
                f"expected a local date and time without a time zone (China Standard Time), "
                f"found {value}"
            )
        return value
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time())
    raise ValueError(f"expected a date and time as 'YYYY-MM-DD HH:MM', found {value!r}")


def _datetime_in_range(value: dt.datetime) -> dt.datetime:
    _in_range(value.date())
    return value


DateTime = Annotated[dt.datetime, BeforeValidator(_a_datetime), AfterValidator(_datetime_in_range)]
"""A local date and time (China Standard Time), 1900-01-01 to 2199-12-31; a date alone means
its midnight."""


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
    """Base of every scenario model: frozen, unknown keys rejected. Validators are built when
    first used (``defer_build``), as part of the scenario's, not once per model at import: the
    command line starts faster."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, defer_build=True)


# ---------------------------------------------------------------------------- distributions


class ConstantDist(Strict):
    dist: Literal["constant"]
    value: Hours

    def to_engine(self) -> dists.Distribution:
        from sim.engine import dists

        return dists.Constant(self.value)


class ExponentialDist(Strict):
    dist: Literal["exponential"]
    mean: PositiveHours

    def to_engine(self) -> dists.Distribution:
        from sim.engine import dists

        return dists.Exponential(self.mean)


class UniformDist(Strict):
    dist: Literal["uniform"]
    low: Hours
    high: Hours

    @model_validator(mode="after")
    def _ordered(self) -> UniformDist:
        if self.low > self.high:
            raise ValueError(f"low ({self.low}) must not exceed high ({self.high})")
        return self

    def to_engine(self) -> dists.Distribution:
        from sim.engine import dists

        return dists.Uniform(self.low, self.high)


class TriangularDist(Strict):
    dist: Literal["triangular"]
    low: Hours
    mode: Hours
    high: Hours

    @model_validator(mode="after")
    def _ordered(self) -> TriangularDist:
        if not (self.low <= self.mode <= self.high and self.low < self.high):
            raise ValueError("expected low <= mode <= high with low < high")
        return self

    def to_engine(self) -> dists.Distribution:
        from sim.engine import dists

        return dists.Triangular(self.low, self.mode, self.high)


class GammaDist(Strict):
    dist: Literal["gamma"]
    mean: PositiveHours
    cv: Cv

    def to_engine(self) -> dists.Distribution:
        from sim.engine import dists

        return dists.Gamma(self.mean, self.cv)


class LognormalDist(Strict):
    dist: Literal["lognormal"]
    mean: PositiveHours
    cv: Cv

    def to_engine(self) -> dists.Distribution:
        from sim.engine import dists

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

    days: list[Weekday] = Field(min_length=1, max_length=len(WEEKDAYS))
    times: list[ClockTime] = Field(min_length=1, max_length=MAX_LIST)


class Headway(Strict):
    """Departures every ``headway_h`` hours, the first ``first_h`` hours after the start."""

    headway_h: float = _finite_float(ge=MIN_HEADWAY_H, le=MAX_HOURS)
    first_h: Hours = 0.0


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

    window_h: PositiveHours | None = Field(
        None,
        description="FCL cargo reaches the terminal no earlier than this before its train "
        "(land corridors with rare trains); null: as soon as it is ready",
    )
    max_delay_h: Hours = Field(
        description="longest a shipper waits beyond the first train it could catch; "
        "cargo that cannot be booked within it goes by the competing route"
    )


class Period(Strict):
    """A timetable in force from a date on (until the next period's date)."""

    from_: Date = Field(alias="from", description="first day of this timetable")
    schedule: Schedule


class TrainServiceSpec(Strict):
    """Trains of one corridor in one direction."""

    schedule: Annotated[
        Annotated[Weekly, Tag("weekly")]
        | Annotated[Headway, Tag("headway")]
        | Annotated[list[Period], Tag("periods"), Field(max_length=MAX_LIST)],
        Discriminator(schedule_kind),
    ] = Field(description="one timetable, or a list of timetables each in force from a date on")
    capacity_teu: TrainTeu
    policy: Literal["timetable", "when_full", "min_load"] = Field(
        description="timetable: leave on time with what is loaded; when_full: leave as soon "
        "as full, else on time; min_load: hold until min_load_teu or max_hold_h"
    )
    open_h: Hours = Field(
        description="hours before the scheduled departure that the train is placed for loading"
    )
    cutoff_h: Hours = Field(
        description="cargo must be cleared this many hours before the scheduled departure; "
        "loading starts then, and later cargo waits for the next train"
    )
    min_load_teu: int = Field(0, strict=True, ge=0, le=MAX_TRAIN_TEU)
    max_hold_h: Hours = 0.0
    booking: Booking | None = Field(
        None,
        description="cargo books a slot on a train before it comes (and is turned away when "
        "none has room in time); null: cargo comes as soon as it is ready, unbooked",
    )

    @model_validator(mode="after")
    def _policy(self) -> TrainServiceSpec:
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
    export: TrainServiceSpec
    import_: TrainServiceSpec = Field(alias="import")


# ---------------------------------------------------------------------------- network


class CrossingSpec(Strict):
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
    label: Label
    kind: Literal["hub", "city", "border", "seaport"]
    country: str = Field(strict=True, min_length=2, max_length=2, description="ISO 3166 code")
    crossing: CrossingSpec | None = None


class Leg(Strict):
    """A rail line between two places, the same in both directions.

    A line run by more than one railway group gives ``sections`` (group → km); its tariff is
    shared by distance, and each group's discount applies to its own section only.
    """

    a: Ref = Field(alias="from")
    b: Ref = Field(alias="to")
    distance_km: PositiveKm
    run_time_h: Dist
    bureau: Ref | None = Field(
        None, description="railway operator of the whole leg; discounts are set per bureau"
    )
    sections: dict[Ref, PositiveKm] | None = Field(
        None, description="railway operator → km, for a leg run by several; sums to distance_km"
    )
    tariff_cny_per_teu: CnyPerTeu = Field(description="list tariff before discount")
    traction: Literal["electric", "diesel"] = Field(
        "electric",
        description="locomotives on the line, for its CO₂e (emissions.rail): China's trunk "
        "lines are electrified",
    )

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
    bureaus: dict[Ref, Label] = Field(description="railway operators: key → name")
    places: dict[Ref, Place]
    legs: list[Leg] = Field(max_length=MAX_LIST)


class Competitor(Strict):
    """The route shippers would otherwise take (e.g. trucking to the Guangdong coast)."""

    label: Label
    cost_cny_per_teu: CnyPerTeu = Field(
        description="door-to-door price per TEU, all in (road haul, tolls, port, sea freight)"
    )
    transit_h: Hours
    road_km: PositiveKm | None = Field(
        None,
        description="distance trucked on the competing route, for its CO₂e; needed when the "
        "scenario has emissions",
    )
    sea_leg: Flag = Field(
        False,
        description="true: the competing route ends with the same sea leg as the rail–sea "
        "route (a truck to another coastal port, then a ship to the same overseas port)",
    )


class Corridor(Strict):
    label: Label
    enabled: Flag = Field(
        True,
        description="false: no trains run and the corridor's cargo goes by its competing route",
    )
    path: list[Ref] = Field(
        min_length=2, max_length=MAX_LIST, description="places from the hub outwards"
    )
    four_customs_as_one: Flag = Field(
        description="a declaration cleared at the hub is not cleared again at the border or port"
    )
    trains: Trains
    competitor: Competitor


class SeaService(Strict):
    """A weekly liner service between a rail–sea port and one overseas port.

    Each sailing has ``slots_teu`` for the hub's cargo in each direction. A container must be
    at the quay ``cutoff_h`` before the sailing; one that misses the cut-off or finds the
    slots taken rolls to the next sailing (counted).
    """

    sailings: Weekly
    transit_h: Dist
    freight_cny_per_teu: CnyPerTeu
    slots_teu: Teu = Field(description="slots per sailing, each direction")
    cutoff_h: Hours = Field(description="container-yard cut-off before sailing")
    distance_km: PositiveKm | None = Field(
        None, description="sailing distance, for the leg's CO₂e; needed with emissions"
    )
    ship: Name | None = Field(
        None, description="size class of the ships, a key of emissions.ships; needed with emissions"
    )


class SeaPortSpec(Strict):
    """A rail–sea port (a place of kind seaport, its key in ``sea_ports``): the trains of one
    corridor end there, and liner services sail from it to overseas ports.

    Export containers dwell at the port (its ``crossing``) after their train, then wait at the
    quay for a sailing to their destination; import containers overseas book a sailing and the
    train on from the port together, and dwell at the port between the two.
    """

    corridor: Ref = Field(description="the corridor whose trains serve the port (ending there)")
    max_delay_h: Hours = Field(
        description="import cargo overseas is booked on the first sailing with free slots; "
        "if that leaves more than this after the first it could catch, it is turned away"
    )
    services: dict[Ref, SeaService] = Field(description="overseas port → service")
    port_cny_per_teu: CnyPerTeu = Field(
        0.0, description="port dues and quay handling per TEU passing the port (the shipper's)"
    )


# ---------------------------------------------------------------------------- terminal & customs


class Gate(Strict):
    lanes: Count
    service_h: Dist


class Yard(Strict):
    """Container yard in two reserved blocks: exports waiting for trains, imports waiting
    for customs and collection. Neither direction may use the other's block."""

    capacity_teu: Teu
    import_share: float = _finite_float(
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

    count: Count = Field(
        description="tracks for arriving trains; with none free a train waits outside the hub"
    )
    reception_h: Dist = Field(description="arrival inspection and uncoupling on the track")


class Sidings(Strict):
    """Working sidings: export trains are loaded and import trains unloaded on them."""

    count: Count


class Handling(Strict):
    """Equipment that lifts containers between train and yard (gantry cranes, reach stackers)."""

    units: Count = Field(description="trains that can be worked at once")
    teu_per_h: float = _finite_float(
        ge=MIN_TEU_PER_H, le=MAX_TEU_PER_H, description="lifting rate of one unit working a train"
    )


class Consolidation(Strict):
    crews: Count
    stuffing_h: Dist
    container_cbm: Cbm = Field(description="usable volume of a 20 ft container")
    fill_threshold: float = _finite_float(
        gt=0.0,
        le=1.0,
        description="share of volume that closes it",
    )
    max_wait_h: PositiveHours = Field(description="a part-filled container closes after this")


class Deconsolidation(Strict):
    crews: Count
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
    days: list[Weekday] = Field(min_length=1, max_length=len(WEEKDAYS))
    start: ClockTime
    end: ClockTime

    @model_validator(mode="after")
    def _ordered(self) -> WorkingHours:
        if clock_hours(self.end) <= clock_hours(self.start):
            raise ValueError("end must be after start on the same day")
        return self


STANDARD_STAGES = ("review", "inspection", "quarantine")
"""The stages every declaration may pass, from the desk's own fields: document review by an
officer; with ``inspection_probability``, physical inspection in a bay; for an agricultural
import, with ``quarantine.probability``, a laboratory test."""
STANDARD_CUSTOMS_RESOURCES = ("officers", "inspection_bays", "quarantine_lab")
"""Resources a stage may name besides ``customs.resources``: the direction's own officers,
the inspection bays and the quarantine lab."""


class CustomsStageSpec(Strict):
    """A further step of a customs declaration, after the standard stages (review, inspection
    and, for imports, quarantine), in list order: a declaration it selects waits for a unit of
    its resource and holds it for ``time_h``; the container is released after its last stage.

    A declaration is selected with ``probability`` — among agricultural goods only, with
    ``applies_to: agricultural``. Its selection and time are drawn when the container is
    declared, from streams of the stage's own (``customs.<direction>.<name>.select`` and
    ``.time``), so adding a stage leaves every other draw as it was (common random numbers).
    """

    name: Name = Field(description="names the stage's random streams; unique in its direction")
    resource: Name = Field(
        description="a key of customs.resources, or officers (the direction's own), "
        "inspection_bays or quarantine_lab"
    )
    time_h: Dist = Field(description="time a selected declaration holds a unit of the resource")
    probability: Share = Field(1.0, description="share of declarations (in scope) selected")
    applies_to: Literal["all", "agricultural"] = Field(
        "all", description="all declarations, or those of agricultural goods only"
    )


class CustomsDeskSpec(Strict):
    officers: Count
    review_h: Dist = Field(description="document review per container")
    inspection_probability: Share
    working_hours: list[WorkingHours] | None = Field(
        None,
        max_length=MAX_WINDOWS,
        description="officers on duty only in these windows; null means around the clock",
    )
    extra_stages: list[CustomsStageSpec] = Field(
        default_factory=list,
        max_length=MAX_CUSTOMS_STAGES,
        description="further steps after the standard ones (e.g. a phytosanitary document "
        "check, an X-ray scan), in order",
    )

    @field_validator("extra_stages")
    @classmethod
    def _distinct(cls, stages: list[CustomsStageSpec]) -> list[CustomsStageSpec]:
        names = [stage.name for stage in stages]
        for name in names:
            if name in STANDARD_STAGES:
                raise ValueError(f"stage name {name!r} is taken by a standard stage")
            if names.count(name) > 1:
                raise ValueError(f"stage name {name!r} is given twice; expected distinct names")
        return stages


class CustomsResourceSpec(Strict):
    """A customs resource for extra stages (an X-ray scanner, a document-check desk)."""

    units: Count
    working_hours: list[WorkingHours] | None = Field(
        None,
        max_length=MAX_WINDOWS,
        description="units available only in these windows; null means around the clock",
    )


class Inspection(Strict):
    bays: Count
    time_h: Dist


class Quarantine(Strict):
    probability: Share = Field(description="share of agricultural imports sampled")
    lab_slots: Count
    test_h: Dist


class Customs(Strict):
    export: CustomsDeskSpec
    import_: CustomsDeskSpec = Field(alias="import")
    inspection: Inspection
    quarantine: Quarantine
    resources: dict[Name, CustomsResourceSpec] = Field(
        default_factory=dict,
        description="resources of extra stages, by name; each is its own queue, recorded as "
        "<hub>.customs.<name>",
    )

    @field_validator("resources")
    @classmethod
    def _not_standard(
        cls, resources: dict[str, CustomsResourceSpec]
    ) -> dict[str, CustomsResourceSpec]:
        for name in resources:
            if name in (*STANDARD_CUSTOMS_RESOURCES, "export", "import"):
                raise ValueError(f"resource name {name!r} is taken by a standard resource")
        return resources


# ---------------------------------------------------------------------------- demand & rates


class Commodity(Strict):
    label: Label
    agricultural: Flag = Field(description="subject to quarantine sampling on import")


class Region(Strict):
    label: Label
    drayage_km: Km = Field(description="truck distance to or from the hub")


class Levers(Strict):
    discount: dict[Ref, Share] = Field(description="rail tariff discount per bureau")
    toll_cut: Share = Field(description="share of highway tolls waived for port trucks")
    subsidy_per_teu_cny: CnyPerTeu


class Tariffs(Levers):
    truck_cny_per_teu_km: CnyPerTeuKm
    toll_share: Share = Field(description="share of the truck rate that is highway tolls")
    value_of_time_cny_per_teu_h: CnyPerTeuHour
    handling_cny_per_teu: CnyPerTeu = Field(
        0.0,
        description="terminal handling charge at the hub per TEU (truck–yard–wagon lifts); "
        "the shipper's, in its door-to-door cost, not in its route choice",
    )
    storage_cny_per_teu_day: CnyPerTeuDay = Field(
        0.0, description="yard storage at the hub per TEU-day beyond the free time"
    )
    storage_free_days: Days = Field(0.0, description="days in the hub's yard free of storage")


class Response(Strict):
    """How demand responds to a route's generalised cost, relative to ``reference`` levers."""

    model: Literal["logit", "elasticity", "none"] = Field(
        description="logit: binary choice against the corridor's competitor; elasticity: "
        "constant elasticity of volume to generalised cost; none: fixed volumes"
    )
    cost_sensitivity_per_cny: float = _finite_float(
        default=0.0,
        ge=0.0,
        le=MAX_COST_SENSITIVITY,
        description="logit θ per CNY",
    )
    elasticity: float = _finite_float(default=0.0, ge=MIN_ELASTICITY, le=0.0)
    reference: Levers = Field(description="the levers at which teu_per_week was observed")


class FlowSpec(Strict):
    corridor: Ref | None = Field(description="null only for imports that arrive by truck")
    direction: Direction
    arrives_by: Literal["train", "truck"] = "train"
    teu_per_week: TeuPerWeek = Field(description="at the reference levers, mean month")
    lcl_share: Share = Field(description="share of TEU that is less-than-container-load")
    containers_per_shipment: float = _finite_float(
        default=1.0,
        ge=1.0,
        le=MAX_SHIPMENT_CONTAINERS,
        description="mean, FCL",
    )
    share_40ft: Share = Field(description="share of FCL containers that are 40 ft (2 TEU)")
    lcl_cbm: Dist = Field(description="volume of one LCL export consignment, cbm")
    places: dict[Ref, Weight] = Field(
        description="overseas destination (export) or origin (import) → weight"
    )
    commodities: dict[Ref, Weight] = Field(min_length=1)
    regions: dict[Ref, Weight] = Field(min_length=1, description="hinterland → weight")

    @model_validator(mode="after")
    def _mode(self) -> FlowSpec:
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
    scale: float = _finite_float(
        default=1.0,
        ge=0.0,
        le=MAX_DEMAND_SCALE,
        description="multiplies every flow's teu_per_week (2 = twice today's volume)",
    )
    seasonality: dict[Literal[MONTHS], Factor] = Field(  # type: ignore[valid-type]
        description="monthly multipliers of teu_per_week, all twelve months"
    )
    response: Response
    flows: dict[Ref, FlowSpec] = Field(min_length=1)

    @model_validator(mode="after")
    def _all_months(self) -> Demand:
        missing = [m for m in MONTHS if m not in self.seasonality]
        if missing:
            raise ValueError(f"seasonality needs all twelve months; missing {missing}")
        return self


# ---------------------------------------------------------------------------- emissions


class Intensity(Strict):
    """A well-to-wheel emission intensity with its source: g CO₂e per tonne-km of cargo, or
    per TEU-km (container ships, whose defaults are published per TEU)."""

    g_per_tkm: GramsCo2e | None = None
    g_per_teu_km: GramsCo2e | None = None
    source: Label = Field(min_length=1, description="where the value comes from, with its date")

    @model_validator(mode="after")
    def _one_unit(self) -> Intensity:
        if (self.g_per_tkm is None) == (self.g_per_teu_km is None):
            raise ValueError("expected exactly one of g_per_tkm or g_per_teu_km")
        return self

    def kg_per_teu_km(self, cargo_t_per_teu: float) -> float:
        """kg CO₂e per TEU-km for a box holding ``cargo_t_per_teu`` tonnes of cargo."""
        if self.g_per_tkm is not None:
            return self.g_per_tkm * cargo_t_per_teu / 1000.0
        assert self.g_per_teu_km is not None
        return self.g_per_teu_km / 1000.0


class RailIntensities(Strict):
    electric: Intensity
    diesel: Intensity


class Emissions(Strict):
    """CO₂e of every leg a box travels, well-to-wheel (GLEC Framework v3 / ISO 14083): a leg's
    CO₂e per TEU is its distance × its mode's intensity (× the cargo tonnes of a TEU, for an
    intensity per tonne-km). Drayage and the competing road route by truck, rail legs by
    their traction, sea legs by their ships' size class."""

    cargo_t_per_teu: TonnesPerTeu = Field(description="tonnes of cargo in a TEU")
    truck: Intensity = Field(description="heavy truck (drayage and the competing road route)")
    rail: RailIntensities
    ships: dict[Name, Intensity] = Field(
        min_length=1, description="container ships by size class: class → intensity"
    )


# ---------------------------------------------------------------------------- disruptions

HUB_RESOURCES = (
    "gate",
    "yard.export",
    "yard.import",
    "tracks",
    "sidings",
    "handling",
    "consolidation.crews",
    "deconsolidation.crews",
    "customs.inspection_bays",
    "customs.quarantine_lab",
    "customs.export.officers",
    "customs.import.officers",
)
"""The hub's resources, by their names under the hub's scope (``customs.<name>`` of
``customs.resources`` come after these)."""

CLOSURES = ("border_closure", "port_closure", "line_outage", "resource_outage")
"""Kinds that close their target (factor 0) or reduce it (a factor below 1)."""
TRAIN_ACTIONS: dict[str, tuple[str, ...]] = {
    "border_closure": ("wait", "cancel"),
    "line_outage": ("reroute", "wait", "cancel"),
}
"""What trains do at a closed crossing or line (the first is the default): wait until it
opens, are cancelled when their scheduled departure falls in the window, or (a line) take
another path of the network where there is one, else wait."""


class DisruptionSpec(Strict):
    """Something that goes wrong for a while: a window in which a target works at ``factor``
    of its normal capacity (0: closed), or demand is multiplied by ``factor``.

    A disruption is *scheduled* (``start`` and ``end`` or ``duration_h``) or *random*
    (``rate_per_year`` occurrences, as a Poisson process over the simulated period, each
    lasting a draw of ``duration_h``). Random occurrences and random durations are drawn from
    the disruption's own stream ``disruptions.<name>``, so two scenarios compared with the same
    seed see the same ones, and every other draw stays as it was (common random numbers).
    """

    kind: Literal[
        "border_closure",
        "port_closure",
        "line_outage",
        "resource_outage",
        "capacity_change",
        "demand_change",
    ] = Field(
        description="border_closure (a border place: trains wait there, or are cancelled); "
        "port_closure (a rail–sea port: sailings cancelled or delayed, vessels wait to land); "
        "line_outage (a leg [from, to]: trains take another path, wait or are cancelled); "
        "resource_outage / capacity_change (a hub resource, or a group such as yard or "
        "customs); demand_change (a flow, or all)"
    )
    name: Name | None = Field(
        None,
        description="names the disruption in KPIs and its random stream; default <kind>_<target>",
    )
    target: Ref | Annotated[list[Ref], Field(min_length=2, max_length=2)] = Field(
        description="a border place, a rail–sea port, a leg as [from, to], a hub resource "
        "(gate, yard, yard.import, customs, customs.import.officers, sidings, …), or a flow "
        "(all: every flow)"
    )
    start: DateTime | None = Field(None, description="when it begins (scheduled)")
    end: DateTime | None = Field(None, description="when it ends (or give duration_h)")
    duration_h: Dist | None = Field(
        None, description="how long it lasts: hours, or a distribution (drawn per occurrence)"
    )
    rate_per_year: float | None = _finite_float(
        default=None,
        gt=0.0,
        le=MAX_DISRUPTIONS_PER_YEAR,
        description="random occurrences a year (instead of start)",
    )
    factor: float | None = _finite_float(
        default=None,
        ge=0.0,
        le=MAX_CAPACITY_FACTOR,
        description="capacity (or demand) over the window as a multiple of the normal: "
        "0 closes (the default of closures and outages), 0.5 halves; required for "
        "capacity_change and demand_change",
    )
    trains: Literal["wait", "cancel", "reroute"] | None = Field(
        None,
        description="border_closure: wait (default) or cancel; line_outage: reroute "
        "(default; wait where there is no other path), wait or cancel",
    )
    sailings: Literal["cancel", "delay"] | None = Field(
        None,
        description="port_closure: sailings in the window are cancelled (default) or leave "
        "when the port reopens",
    )

    @model_validator(mode="after")
    def _consistent(self) -> DisruptionSpec:
        if (self.start is None) == (self.rate_per_year is None):
            raise ValueError("expected start (a scheduled disruption) or rate_per_year (random)")
        if self.start is not None:
            if (self.end is None) == (self.duration_h is None):
                raise ValueError("a scheduled disruption needs exactly one of end or duration_h")
            if self.end is not None and self.end < self.start:
                raise ValueError(f"end ({self.end}) is before start ({self.start})")
        elif self.duration_h is None or self.end is not None:
            raise ValueError("a random disruption needs duration_h, and no end")
        if self.kind in CLOSURES:
            if self.factor is not None and self.factor > 1:
                raise ValueError(
                    f"a {self.kind} reduces capacity: expected factor from 0 to 1, "
                    f"found {self.factor:g}"
                )
        elif self.factor is None:
            raise ValueError(f"a {self.kind} needs factor (the multiple of the normal)")
        allowed = TRAIN_ACTIONS.get(self.kind, ())
        if self.trains is not None and self.trains not in allowed:
            raise ValueError(
                f"trains: {self.trains!r} does not apply to a {self.kind}"
                + (f"; expected one of {list(allowed)}" if allowed else "")
            )
        if self.sailings is not None and self.kind != "port_closure":
            raise ValueError(f"sailings applies to a port_closure, not a {self.kind}")
        if (self.kind == "line_outage") != isinstance(self.target, list):
            raise ValueError(
                "a line_outage's target is a leg, [from, to]"
                if self.kind == "line_outage"
                else f"a {self.kind}'s target is one name, not a list"
            )
        return self

    @property
    def key(self) -> str:
        """The disruption's name (given, or ``<kind>_<target>``)."""
        if self.name is not None:
            return self.name
        target = "_".join(self.target) if isinstance(self.target, list) else self.target
        return re.sub(r"[^a-z0-9_]", "_", f"{self.kind}_{target}".lower())

    @property
    def capacity_factor(self) -> float:
        """The target's capacity (or demand) over the window, as a multiple of the normal."""
        return 0.0 if self.factor is None else self.factor

    @property
    def train_action(self) -> str:
        actions = TRAIN_ACTIONS.get(self.kind, ("wait",))
        return self.trains if self.trains is not None else actions[0]

    @property
    def sailing_action(self) -> str:
        return self.sailings if self.sailings is not None else "cancel"


class RecoverySpec(Strict):
    """How recovery from disruptions is measured against the undisrupted run (``compare``).

    A corridor has recovered when its backlog (TEU in the system) is back within the band —
    ``band_teu`` or ``band_share`` of the undisrupted backlog, whichever is larger — and stays
    there for ``hold_h``. Costs put a price on what the disruption did.
    """

    band_teu: float = _finite_float(
        default=20.0,
        ge=0.0,
        le=MAX_TEU,
        description="backlog within this many TEU of the undisrupted run counts as recovered",
    )
    band_share: Share = Field(
        default=0.1,
        description="or within this share of the undisrupted backlog, if that is larger",
    )
    hold_h: Hours = Field(default=72.0, description="the backlog stays within the band this long")
    delay_tolerance_h: Hours = Field(
        default=1.0, description="a container later than in the undisrupted run by more is delayed"
    )
    storage_cny_per_teu_day: CnyPerTeu = Field(
        default=30.0,
        description="EST: yard storage at an inland rail terminal, ¥20–40 per TEU-day beyond "
        "the free days",
    )
    demurrage_cny_per_teu_day: CnyPerTeu = Field(
        default=100.0,
        description="EST: carrier demurrage and detention, about USD 10–20 per TEU-day",
    )
    lost_margin_cny_per_teu: CnyPerTeu = Field(
        default=500.0,
        description="EST: the operator's margin on a TEU that goes by the competing route "
        "(the size of the baseline's operating subsidy per TEU)",
    )


# ---------------------------------------------------------------------------- scenario


class Watchdog(Strict):
    """A run stops with an error where work waits and nothing moves."""

    stall_h: float = _finite_float(
        default=336.0,
        ge=MIN_STALL_H,
        le=MAX_HOURS,
        description="hours a resource (or a train service) may have work waiting without "
        "serving any before the run is stopped as stuck; closed resources do not count",
    )


class Scenario(Strict):
    """A whole, validated scenario."""

    name: str = Field(
        strict=True,
        min_length=1,
        max_length=64,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$",
        description="names run folders: letters, digits, '_', '-' and '.', not first",
    )
    description: Label = ""
    start: Date
    end: Date = Field(description="last day simulated (inclusive)")
    warmup_days: Days = Field(
        description="days simulated before start and left out of every statistic"
    )
    seed: int = Field(strict=True, ge=0, le=MAX_SEED)
    replications: int = Field(strict=True, ge=1, le=MAX_REPLICATIONS)
    hub: Ref
    network: Network
    corridors: dict[Ref, Corridor]
    sea_ports: dict[Ref, SeaPortSpec] = Field(
        default_factory=dict,
        description="rail–sea port (a place of kind seaport) → the corridor serving it and its "
        "liner services; none: no rail–sea traffic",
    )
    terminal: Terminal
    customs: Customs
    commodities: dict[Ref, Commodity]
    regions: dict[Ref, Region]
    tariffs: Tariffs
    demand: Demand
    watchdog: Watchdog = Watchdog()
    emissions: Emissions | None = Field(
        None, description="emission intensities for CO₂e per TEU; none: no CO₂e figures"
    )
    disruptions: list[DisruptionSpec] = Field(
        default_factory=list,
        max_length=MAX_DISRUPTIONS,
        description="closures, outages, capacity and demand changes over time windows",
    )
    recovery: RecoverySpec = Field(
        RecoverySpec(), description="how compare measures recovery from the disruptions"
    )

    @field_validator("end")
    @classmethod
    def _after_start(cls, end: dt.date, info: ValidationInfo) -> dt.date:
        start = info.data.get("start")
        if start is None:  # start is invalid itself, and reported
            return end
        if end < start:
            raise ValueError(f"end ({end}) is before start ({start})")
        days = (end - start).days + 1
        if days > MAX_HORIZON_DAYS:
            raise ValueError(
                f"expected at most {MAX_HORIZON_DAYS:,} days from start to end (ten years), "
                f"found {days:,}"
            )
        return end

    @property
    def horizon_h(self) -> float:
        """Hours from the start date (00:00) to the end of the last day."""
        return ((self.end - self.start).days + 1) * 24.0

    @property
    def warmup_h(self) -> float:
        return self.warmup_days * 24.0

    def sea_port_of(self, corridor: str | None) -> tuple[str, SeaPortSpec] | None:
        """The rail–sea port (its name and spec) where ``corridor``'s trains meet the sea."""
        for name, port in self.sea_ports.items():
            if port.corridor == corridor:
                return name, port
        return None


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
    problems += _sea_port_problems(s)
    problems += _customs_problems(s)
    problems += _emission_problems(s)
    problems += _disruption_problems(s)
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
    for fname, flow in s.demand.flows.items():
        at = ("demand", "flows", fname)
        if flow.corridor is not None:
            if flow.corridor not in s.corridors:
                problems.append(
                    ((*at, "corridor"), _unknown("corridor", flow.corridor, s.corridors))
                )
            else:
                sea_port = s.sea_port_of(flow.corridor)
                if sea_port is not None:
                    allowed = set(sea_port[1].services)
                    what = f"port served from {sea_port[0]}"
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
    if not problems:  # the workload checks follow references, so only when they all resolve
        problems += _workload(s)
    return problems


def _sea_port_problems(s: Scenario) -> list[Problem]:
    """Each rail–sea port is a seaport at the end of its own corridor, with overseas ports
    that are places of the network."""
    problems: list[Problem] = []
    places = s.network.places
    served: dict[str, str] = {}
    for name, port in s.sea_ports.items():
        at = ("sea_ports", name)
        if name not in places or places[name].kind != "seaport":
            problems.append((at, f"expected a place of kind seaport, found {name!r}"))
        if port.corridor not in s.corridors:
            problems.append(((*at, "corridor"), _unknown("corridor", port.corridor, s.corridors)))
        elif port.corridor in served:
            problems.append(
                (
                    (*at, "corridor"),
                    f"corridor {port.corridor!r} already serves {served[port.corridor]!r}; "
                    "expected a corridor of its own (its trains end at one port)",
                )
            )
        elif s.corridors[port.corridor].path[-1] != name:
            problems.append(
                ((*at, "corridor"), f"corridor {port.corridor!r} does not end at {name!r}")
            )
        served.setdefault(port.corridor, name)
        for overseas in port.services:
            if overseas not in places:
                problems.append(((*at, "services", overseas), _unknown("place", overseas, places)))
            elif overseas == name:
                problems.append(
                    (
                        (*at, "services", overseas),
                        "expected an overseas port, found the port itself",
                    )
                )
    return problems


def _customs_problems(s: Scenario) -> list[Problem]:
    """Every extra customs stage names a resource that exists."""
    problems: list[Problem] = []
    known = (*STANDARD_CUSTOMS_RESOURCES, *s.customs.resources)
    for direction, desk in (("export", s.customs.export), ("import", s.customs.import_)):
        for i, stage in enumerate(desk.extra_stages):
            if stage.resource not in known:
                problems.append(
                    (
                        ("customs", direction, "extra_stages", i, "resource"),
                        _unknown("customs resource", stage.resource, known),
                    )
                )
    return problems


def _emission_problems(s: Scenario) -> list[Problem]:
    """With emissions, every sea service has its distance and a known ship class, and every
    enabled corridor's competitor its road distance."""
    if s.emissions is None:
        return []
    problems: list[Problem] = []
    ships = s.emissions.ships
    for name, port in s.sea_ports.items():
        for overseas, svc in port.services.items():
            at = ("sea_ports", name, "services", overseas)
            if svc.distance_km is None:
                problems.append(((*at, "distance_km"), "required when the scenario has emissions"))
            if svc.ship is None:
                problems.append(((*at, "ship"), "required when the scenario has emissions"))
            elif svc.ship not in ships:
                problems.append(((*at, "ship"), _unknown("ship class", svc.ship, ships)))
    for cname, corridor in s.corridors.items():
        if corridor.enabled and corridor.competitor.road_km is None:
            problems.append(
                (
                    ("corridors", cname, "competitor", "road_km"),
                    "required when the scenario has emissions",
                )
            )
    return problems


def hub_resource_names(s: Scenario) -> list[str]:
    """Every resource of the hub, by its name under the hub's scope."""
    return [*HUB_RESOURCES, *(f"customs.{name}" for name in s.customs.resources)]


def resources_of(target: str, names: list[str]) -> list[str]:
    """The resources a disruption's target names: the one so called, or a group (``yard``,
    ``customs``, ``customs.import``) — every resource whose name starts with it and a dot."""
    return [n for n in names if n == target or n.startswith(target + ".")]


def _disruption_problems(s: Scenario) -> list[Problem]:
    """Every disruption names a target that exists, has a name of its own, and falls (at least
    partly) within the simulated period."""
    problems: list[Problem] = []
    places = s.network.places
    legs = {frozenset((leg.a, leg.b)) for leg in s.network.legs}
    resources = hub_resource_names(s)
    first = dt.datetime.combine(s.start, dt.time()) - dt.timedelta(days=s.warmup_days)
    last = dt.datetime.combine(s.end + dt.timedelta(days=1), dt.time())
    seen: dict[str, int] = {}
    for i, d in enumerate(s.disruptions):
        at = ("disruptions", i)
        if d.key in seen:
            problems.append(
                (
                    (*at, "name"),
                    f"{d.key!r} names disruption {seen[d.key]} too; expected a name of its own",
                )
            )
        seen.setdefault(d.key, i)
        target = d.target
        if isinstance(target, list):
            a, b = target
            if frozenset((a, b)) not in legs:
                problems.append(((*at, "target"), f"no leg joins {a!r} and {b!r} in network.legs"))
        elif d.kind == "border_closure":
            if target not in places or places[target].kind != "border":
                borders = [n for n, p in places.items() if p.kind == "border"]
                problems.append(((*at, "target"), _unknown("border place", target, borders)))
        elif d.kind == "port_closure":
            if target not in s.sea_ports:
                problems.append(((*at, "target"), _unknown("rail–sea port", target, s.sea_ports)))
        elif d.kind == "demand_change":
            if target != "all" and target not in s.demand.flows:
                problems.append(
                    ((*at, "target"), _unknown("flow", target, [*s.demand.flows, "all"]))
                )
        elif not resources_of(target, resources):
            problems.append(((*at, "target"), _unknown("hub resource", target, resources)))
        if d.start is not None:
            end = d.end if d.end is not None else d.start
            if d.start >= last or (d.end is not None and end <= first):
                problems.append(
                    (
                        (*at, "start"),
                        f"the disruption ({d.start:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M}) "
                        f"is outside the simulated period ({first:%Y-%m-%d %H:%M} to "
                        f"{last:%Y-%m-%d %H:%M}); expected a window that overlaps it",
                    )
                )
    return problems


def _workload(s: Scenario) -> list[Problem]:
    """Checks that the scenario has traffic and that a replication stays of a sane size: some
    demand in the simulated months, a bounded demand response to the rate levers, bounded
    expected TEU and scheduled departures per replication."""
    problems: list[Problem] = []
    demand = s.demand
    first = s.start - dt.timedelta(days=math.ceil(s.warmup_days))
    months = set()
    year, month = first.year, first.month
    while (year, month) <= (s.end.year, s.end.month):
        months.add(MONTHS[month - 1])
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    if not any(demand.seasonality[m] > 0 for m in months):
        problems.append(
            (
                ("demand", "seasonality"),
                f"0 in every month from {first:%Y-%m} to {s.end:%Y-%m}: nothing would arrive; "
                "expected a positive factor in at least one simulated month",
            )
        )
    if demand.scale == 0 or not any(f.teu_per_week > 0 for f in demand.flows.values()):
        where = ("demand", "scale") if demand.scale == 0 else ("demand", "flows")
        problems.append(
            (where, "no flow has any volume, so every KPI would be empty; expected some demand")
        )
    weeks = (s.horizon_h + s.warmup_h) / 168.0
    peak = max(demand.seasonality.values()) * demand.scale
    teu = 0.0
    cheapest: tuple[float, str] | None = None
    for fname, flow in demand.flows.items():
        if flow.corridor is None:  # trucked imports: no rail route, no rate levers
            teu += flow.teu_per_week * peak * weeks
            continue
        change, price = _cost_bounds(s, flow)
        if price < 0:
            cheapest = min(cheapest or (price, fname), (price, fname))
            continue
        response = _response_bound(s.demand.response, change, price)
        if response > MAX_DEMAND_RESPONSE:
            problems.append(
                (
                    ("demand", "flows", fname),
                    f"the rate levers could multiply this flow's volume by up to {response:,.3g}; "
                    f"expected at most {MAX_DEMAND_RESPONSE:g}: make the response less "
                    "sensitive or bring the levers nearer demand.response.reference",
                )
            )
        teu += flow.teu_per_week * min(response, MAX_DEMAND_RESPONSE) * peak * weeks
    if cheapest is not None:
        subsidy = s.tariffs.subsidy_per_teu_cny
        problems.append(
            (
                ("tariffs", "subsidy_per_teu_cny"),
                f"{subsidy:,g} exceeds the lowest price of flow {cheapest[1]!r} "
                f"({cheapest[0] + subsidy:,.0f} CNY per TEU: rail after discounts, sea freight "
                "and drayage); expected at most that, or shippers would be paid to ship",
            )
        )
    if teu > MAX_TEU_PER_REPLICATION:
        problems.append(
            (
                ("demand",),
                f"up to {teu:,.0f} TEU a replication (teu_per_week × scale × the highest "
                f"seasonality × the horizon and warm-up); expected at most "
                f"{MAX_TEU_PER_REPLICATION:,.0f}, beyond which a replication takes too long "
                "and too much memory: shorten the horizon or lower the demand",
            )
        )
    departures = sum(
        weeks * _per_week(service.schedule)
        for corridor in s.corridors.values()
        for service in (corridor.trains.export, corridor.trains.import_)
    )
    departures += sum(
        weeks * 2 * _per_week(v.sailings)
        for port in s.sea_ports.values()
        for v in port.services.values()
    )
    if departures > MAX_DEPARTURES:
        problems.append(
            (
                ("corridors",),
                f"{departures:,.0f} train and vessel departures a replication; expected at most "
                f"{MAX_DEPARTURES:,}: lengthen the headways or shorten the horizon",
            )
        )
    return problems


def _per_week(schedule: Weekly | Headway | list[Period]) -> float:
    """Departures a week of a timetable (of its busiest period, for a list of them)."""
    if isinstance(schedule, list):
        return max((_per_week(p.schedule) for p in schedule), default=0.0)
    if isinstance(schedule, Weekly):
        return len(set(schedule.days)) * len(set(schedule.times))
    return 168.0 / schedule.headway_h


def _response_bound(response: Response, change: float, price: float) -> float:
    """An upper bound of how much the rate levers can multiply a flow's volume, given a bound
    ``change`` of |G − G_ref| (the generalised cost at the scenario's levers less that at the
    reference levers) and the lowest price ``price`` > 0 at the scenario's levers, a lower
    bound of G (value of time × transit only adds to it).

    * logit: share(G) / share(G_ref) lies within exp(±θ·|G − G_ref|);
    * constant elasticity ε ≤ 0: (G / G_ref)^ε = (G_ref / G)^|ε| ≤ (1 + change / price)^|ε|.
    """
    if response.model == "logit":
        return math.exp(min(response.cost_sensitivity_per_cny * change, 700.0))  # e^700 is finite
    if response.model == "elasticity":
        if price == 0:
            return math.inf if change > 0 and response.elasticity < 0 else 1.0
        ratio = 1.0 + change / price
        return math.exp(min(-response.elasticity * math.log(ratio), 700.0))
    return 1.0


def _cost_bounds(s: Scenario, flow: FlowSpec) -> tuple[float, float]:
    """For a flow by train: a bound of how much the rate levers change its generalised cost
    per TEU, and the lowest price a shipper pays per TEU at the scenario's levers (rail after
    discounts, sea freight and drayage, less the subsidy).

    Both follow from the levers alone: each leg's tariff times the change of its bureau's
    discount, the drayage times the change of the toll cut, the change of the subsidy; transit
    times, valued the same at both levers, cancel out of the change.
    """
    new, ref = s.tariffs, s.demand.response.reference
    legs: dict[frozenset[str], list[Leg]] = {}
    for leg in s.network.legs:
        legs.setdefault(frozenset((leg.a, leg.b)), []).append(leg)
    assert flow.corridor is not None
    change = rail = 0.0
    for a, b in itertools.pairwise(s.corridors[flow.corridor].path):
        changes, prices = [], []
        for leg in legs[frozenset((a, b))]:
            # the tariff is shared among the leg's operators by distance; each discount
            # applies to its own section
            shares = {g: km / leg.distance_km for g, km in leg.bureau_km().items()}
            changes.append(
                sum(
                    leg.tariff_cny_per_teu
                    * share
                    * abs(new.discount.get(g, 0.0) - ref.discount.get(g, 0.0))
                    for g, share in shares.items()
                )
            )
            prices.append(
                sum(
                    leg.tariff_cny_per_teu * share * (1 - new.discount.get(g, 0.0))
                    for g, share in shares.items()
                )
            )
        change += max(changes)
        rail += min(prices)
    km = [s.regions[r].drayage_km for r in flow.regions]
    truck = new.truck_cny_per_teu_km
    change += max(km) * truck * new.toll_share * abs(new.toll_cut - ref.toll_cut)
    change += abs(new.subsidy_per_teu_cny - ref.subsidy_per_teu_cny)
    sea = 0.0
    sea_port = s.sea_port_of(flow.corridor)
    if sea_port is not None and flow.places:
        sea = min(sea_port[1].services[p].freight_cny_per_teu for p in flow.places)
    dray = min(km) * truck * (1 - new.toll_share * new.toll_cut)
    return change, rail + sea + dray - new.subsidy_per_teu_cny


def _unknown(what: str, name: str, known: Any) -> str:
    return f"unknown {what} {name!r}; expected one of {sorted(known)}"
