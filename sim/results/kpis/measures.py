"""The KPI computations: every KPI from the output tables alone.

Every KPI is a plain number under a dotted name, so an analyst can recompute any of them in
one line of pandas. The statistics window is ``[0, horizon_h)``: hours before 0 are warm-up.
What each name means, its unit and labels are in :mod:`sim.results.kpis.families`; the
functions at the end of this module (:func:`train_measures` …) are the computations the
families name, each of one replication's :class:`KpiInputs`.

* Counts (trains run, TEU) count what happened in the window: an export train once it has
  departed the hub with at least one container, an import train once it has been unloaded
  at the hub: ``trains.total``, ``trains.<corridor>[.<direction>]``, ``teu.total``,
  ``teu.<corridor>.<direction>``; ``teu.road.import`` counts imports that entered by truck.
* Tally statistics (clearance, dwell, door-to-door times) use containers *created* in the
  window and not turned away, whose interval started by the horizon. A container still in
  that interval at the horizon is *censored*: it counts with its time so far, through the
  Kaplan–Meier estimator, so the mean and quantiles never fall because the slowest containers
  have not finished (with censoring they are lower bounds): ``clearance_h.<direction>.<mean|
  p50|p90|p95>``, ``clearance_h.<direction>.censored`` (how many),
  ``dwell_h.<hub>.<direction>.<mean|…>`` (export: gate-in to train departure; import: train
  arrival or gate-in to gate-out), ``door_to_door_h.<direction>.mean``.
* Time-weighted statistics over the window: ``utilisation.<resource>`` (units in use over
  units available; off-duty hours do not count, and an officer finishing a job after the
  shift ended counts as available while finishing), ``queue.<resource>.mean`` and
  ``queue.<resource>.end`` (requests waiting at the horizon).
* What did not get through: ``backlog_teu.total`` and ``backlog_teu.<corridor>.<direction>``
  (TEU in the system at the horizon), ``backlog_teu.state.<state>`` (the same by where it
  waits, see :mod:`sim.results.states`), ``undelivered_share.<corridor>.<direction>`` (of TEU
  created in the window and accepted, the share not delivered by the horizon — cargo still on
  its way included), ``turned_away_teu.total`` / ``.<corridor>.<direction>`` and
  ``turned_away_share.total`` (cargo sent to the competing route for want of room), and
  ``rolled_teu.sea.<direction>`` (TEU that found their sailing full at least once).
* Stability: over the second half of the window, the queue of every resource and the TEU
  waiting (at the gate, for a train, a sailing or unloading) of every corridor and direction
  (``corridor.<corridor>.<direction>``) are tested for growth (:func:`sim.results.stats.
  growth`): ``growth_per_day.<where>``, and ``unstable.<where>`` = 1 when it grows for sure,
  by at least a quarter of its level — at a resource only if it was at least 90 % busy
  then, on a corridor only if its trains left at least 90 % full — and ``unstable.count``.
  A flagged resource cannot keep up: its times grow with the run length and are not
  steady-state values.
* Trains at the hub: ``train_delay_h.export.mean`` (departure after schedule: sidings or
  handling units busy), ``train_turnaround_h.import.mean`` (arrival to unloaded: tracks, yard
  space, sidings, handling), ``trains.waited_outside`` (import trains that found no free
  arrival/departure track).
* Money over the containers counted in throughput: ``cost.shipper_cny``, ``cost.subsidy_cny``,
  ``cost.rail_discount_cny``.
* Conservation: ``containers.created``, ``containers.delivered``, ``containers.turned_away``,
  ``containers.in_system``.
* Door to door, per TEU, over the boxes of a rail corridor *delivered* in the window (whose
  accounts are whole: storage and the value of time are known once a box is delivered; see
  :data:`sim.results.records.ACCOUNT_COLUMNS`): ``cost.per_teu.<corridor>`` (the shipper's
  door-to-door cost, ``door_cny``), ``cost.road_per_teu.<corridor>`` (the same cargo by the
  competing route), ``cost.public_per_teu.<corridor>`` (subsidy, rail discount and tolls
  waived), ``co2e.kg_per_teu.<corridor>`` and ``co2e.road_kg_per_teu.<corridor>``; over all
  of them: ``cost.public_cny``, ``teu.induced`` (TEU the policy brought: Σ teu ×
  ``induced_share``), ``subsidy.per_extra_teu`` (= ``cost.public_cny`` / ``teu.induced``),
  ``co2e.total_t``, ``co2e.road_t`` (the same cargo by road), ``co2e.avoided_t`` (their
  difference), ``co2e.induced_avoided_t`` (avoided by the cargo the policy brought) and
  ``subsidy.per_t_co2e_avoided`` (= ``cost.public_cny`` / ``co2e.induced_avoided_t``; NaN
  when nothing is avoided). Each is one line of pandas, e.g.
  ``d.groupby("corridor").door_cny.sum() / d.groupby("corridor").teu.sum()`` with ``d`` the
  containers with ``0 <= t_delivered < horizon`` and a ``rail_cny``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.results.states import STATES, WAITING, state_codes, state_levels, text_values
from sim.results.stats import exact_mean, exact_sum, growth, step_integral, survival

QUANTILES = {"p50": 0.50, "p90": 0.90, "p95": 0.95}
SATURATED = 0.9
"""Utilisation over the second half from which a growing queue counts as running away."""
DIRECTIONS = ("export", "import")


def _window(x: pd.Series | np.ndarray, horizon_h: float) -> pd.Series | np.ndarray:
    return (x >= 0) & (x < horizon_h)


def _hours(table: pd.DataFrame, name: str) -> np.ndarray:
    """A column of ``table`` as a float array (missing values NaN)."""
    return table[name].to_numpy(dtype=float)


def _tally(
    prefix: str,
    start: pd.Series | np.ndarray,
    end: pd.Series | np.ndarray,
    horizon_h: float,
    quantiles: bool = False,
) -> dict[str, float]:
    """Durations ``end − start`` of intervals that started by the horizon, censored there."""
    s = np.asarray(start, dtype=float)
    e = np.asarray(end, dtype=float)
    began = s < horizon_h
    s, e = s[began], e[began]
    ended = e < horizon_h
    km = survival(np.where(ended, e, horizon_h) - s, ended)
    out = {f"{prefix}.mean": km.mean}
    if quantiles:
        for name, q in QUANTILES.items():
            out[f"{prefix}.{name}"] = km.quantile(q)
        out[f"{prefix}.censored"] = float(km.censored)
    return out


def _counted(trains: pd.DataFrame, horizon_h: float) -> np.ndarray:
    """Which trains count as run in the window (see :func:`counted_trains`)."""
    export = text_values(trains["direction"]) == "export"
    done = np.where(export, _hours(trains, "t_departed"), _hours(trains, "t_unloaded"))
    return trains["ran"].to_numpy(dtype=bool) & _window(done, horizon_h)


def counted_trains(trains: pd.DataFrame, horizon_h: float) -> pd.DataFrame:
    """Trains that count as run in the window: exports that left the hub, imports unloaded
    at the hub."""
    return trains[_counted(trains, horizon_h)]


def train_kpis(
    trains: pd.DataFrame, horizon_h: float, corridors: Iterable[str]
) -> dict[str, float]:
    counted = _counted(trains, horizon_h)
    teu = trains["teu"].to_numpy()[counted]
    load = teu / trains["capacity_teu"].to_numpy()[counted]
    corridor = text_values(trains["corridor"])[counted]
    direction = text_values(trains["direction"])[counted]
    k: dict[str, float] = {"trains.total": float(len(teu)), "teu.total": exact_sum(teu)}
    k["teu_per_train.mean"] = exact_mean(teu)
    for c in corridors:
        mine = corridor == c
        k[f"trains.{c}"] = float(mine.sum())
        k[f"teu_per_train.{c}"] = exact_mean(teu[mine])
        k[f"train_load_factor.{c}"] = exact_mean(load[mine])
        for d in DIRECTIONS:
            sel = mine & (direction == d)
            k[f"trains.{c}.{d}"] = float(sel.sum())
            k[f"teu.{c}.{d}"] = exact_sum(teu[sel])
    exports = direction == "export"
    delay = _hours(trains, "t_departed")[counted] - _hours(trains, "t_scheduled")[counted]
    k["train_delay_h.export.mean"] = exact_mean(delay[exports]) if exports.any() else 0.0
    arrival = _hours(trains, "t_arrived")
    arrived = (
        (text_values(trains["direction"]) == "import")
        & trains["ran"].to_numpy(dtype=bool)
        & _window(arrival, horizon_h)
    )
    arrival = arrival[arrived]
    k.update(
        _tally(
            "train_turnaround_h.import",
            arrival,
            _hours(trains, "t_unloaded")[arrived],
            horizon_h,
        )
    )
    received = _hours(trains, "t_received")[arrived]
    k["trains.waited_outside"] = float(
        (np.where(np.isnan(received), horizon_h, received) > arrival).sum()
    )
    return k


def container_kpis(
    containers: pd.DataFrame, trains: pd.DataFrame, horizon_h: float, hub: str
) -> dict[str, float]:
    c = containers
    k: dict[str, float] = {}
    direction = text_values(c["direction"])
    created = _window(_hours(c, "t_created"), horizon_h)
    accepted = created & np.isnan(_hours(c, "t_turned_away"))
    customs_start, customs_end = _hours(c, "t_customs_start"), _hours(c, "t_customs_end")
    delivered = _hours(c, "t_delivered")
    for d in DIRECTIONS:
        mine = (direction == d) & accepted
        k.update(
            _tally(
                f"clearance_h.{d}",
                customs_start[mine],
                customs_end[mine],
                horizon_h,
                quantiles=True,
            )
        )
        k.update(
            _tally(f"door_to_door_h.{d}", _hours(c, "t_created")[mine], delivered[mine], horizon_h)
        )
    gate_in = _hours(c, "t_gate_in")
    exp = (direction == "export") & accepted
    k.update(
        _tally(
            f"dwell_h.{hub}.export",
            gate_in[exp],
            _hours(c, "t_train_departed")[exp],
            horizon_h,
            quantiles=True,
        )
    )
    imp = (direction == "import") & accepted
    arrived = _hours(c, "t_train_arrived")[imp]
    entered = np.where(np.isnan(arrived), gate_in[imp], arrived)
    k.update(_tally(f"dwell_h.{hub}.import", entered, delivered[imp], horizon_h, True))

    ran = counted_trains(trains, horizon_h)
    on_counted = c["train_id"].isin(ran["train_id"]).to_numpy(dtype=bool)
    trucked = (text_values(c["corridor"]) == "road") & _window(gate_in, horizon_h)
    teu = c["teu"].to_numpy()
    k["teu.road.import"] = exact_sum(teu[trucked])
    counted = on_counted | trucked
    k["cost.shipper_cny"] = exact_sum(_hours(c, "shipper_cost_cny")[counted])
    k["cost.subsidy_cny"] = exact_sum(_hours(c, "subsidy_cny")[counted])
    k["cost.rail_discount_cny"] = exact_sum(_hours(c, "rail_discount_cny")[counted])

    imported = imp & ~np.isnan(customs_end)
    k["customs.import.inspected_share"] = exact_mean(c["inspected"].to_numpy()[imported])
    k["customs.import.quarantined_share"] = exact_mean(c["quarantined"].to_numpy()[imported])
    k.update(flow_kpis(c, horizon_h))
    return k


def flow_kpis(c: pd.DataFrame, horizon_h: float) -> dict[str, float]:
    """What got through, what is still in the system and what was turned away."""
    k: dict[str, float] = {}
    state = state_codes(c, horizon_h)
    created = _window(_hours(c, "t_created"), horizon_h)
    away = _hours(c, "t_turned_away") < horizon_h
    delivered = _hours(c, "t_delivered") < horizon_h
    inside = (_hours(c, "t_created") < horizon_h) & ~away & ~delivered
    teu = c["teu"].to_numpy(dtype=float)
    corridor = text_values(c["corridor"])
    direction = text_values(c["direction"])
    k["containers.created"] = float(created.sum())
    k["containers.delivered"] = float((created & delivered).sum())
    k["containers.turned_away"] = float((created & away).sum())
    k["containers.in_system"] = float(inside.sum())
    k["backlog_teu.total"] = float(teu[inside].sum())
    k["turned_away_teu.total"] = float(teu[created & away].sum())
    made = float(teu[created].sum())
    k["turned_away_share.total"] = k["turned_away_teu.total"] / made if made else 0.0
    for i, name in enumerate(STATES):
        if name not in ("delivered", "turned_away"):
            k[f"backlog_teu.state.{name}"] = float(teu[inside & (state == i)].sum())
    for cor in sorted(set(corridor)):
        for d in DIRECTIONS:
            mine = (corridor == cor) & (direction == d)
            if not mine.any():
                continue
            k[f"backlog_teu.{cor}.{d}"] = float(teu[mine & inside].sum())
            k[f"turned_away_teu.{cor}.{d}"] = float(teu[mine & created & away].sum())
            taken = float(teu[mine & created & ~away].sum())
            late = float(teu[mine & created & ~away & ~delivered].sum())
            k[f"undelivered_share.{cor}.{d}"] = late / taken if taken else 0.0
    rolled = c["rolls"].to_numpy() > 0
    for d in DIRECTIONS:
        k[f"rolled_teu.sea.{d}"] = float(teu[created & rolled & (direction == d)].sum())
    return k


def delivered_accounts(containers: pd.DataFrame, horizon_h: float) -> pd.DataFrame:
    """Boxes of the rail corridors delivered in the window, with their door-to-door accounts:
    the boxes every per-TEU KPI is computed over (empty for tables without accounts)."""
    c = containers
    if "rail_cny" not in c.columns:
        return c.iloc[:0]
    return c[_window(c["t_delivered"], horizon_h) & c["rail_cny"].notna()]


def _ratio(num: float, den: float) -> float:
    return num / den if den > 0 else float("nan")


def economics_kpis(
    containers: pd.DataFrame, horizon_h: float, corridors: Iterable[str]
) -> dict[str, float]:
    """Cost and CO₂e per TEU by corridor, against the competing route, and what the public
    money buys (see the module docstring)."""
    c = containers
    if "rail_cny" not in c.columns:
        return {}
    # the boxes of delivered_accounts, column by column
    d = _window(_hours(c, "t_delivered"), horizon_h) & ~np.isnan(_hours(c, "rail_cny"))

    def col(name: str) -> np.ndarray:
        return c[name].to_numpy()[d]

    k: dict[str, float] = {}
    teu_all, co2e, road_co2e = col("teu"), col("co2e_kg"), col("road_co2e_kg")
    door, road, public_cny = col("door_cny"), col("road_cny"), col("public_cny")
    emitted = bool((~np.isnan(co2e.astype(float))).any())
    corridor = text_values(c["corridor"])[d]
    for name in corridors:
        mine = corridor == name
        teu = exact_sum(teu_all[mine])
        k[f"cost.per_teu.{name}"] = _ratio(exact_sum(door[mine]), teu)
        k[f"cost.road_per_teu.{name}"] = _ratio(exact_sum(road[mine]), teu)
        k[f"cost.public_per_teu.{name}"] = _ratio(exact_sum(public_cny[mine]), teu)
        if emitted:
            k[f"co2e.kg_per_teu.{name}"] = _ratio(exact_sum(co2e[mine]), teu)
            k[f"co2e.road_kg_per_teu.{name}"] = _ratio(exact_sum(road_co2e[mine]), teu)
    induced_share = col("induced_share")
    public = exact_sum(public_cny)
    induced = exact_sum(teu_all * induced_share)
    k["cost.public_cny"] = public
    k["teu.induced"] = induced
    k["subsidy.per_extra_teu"] = _ratio(public, induced)
    if emitted:
        saved = road_co2e - co2e
        k["co2e.total_t"] = exact_sum(co2e) / 1000.0
        k["co2e.road_t"] = exact_sum(road_co2e) / 1000.0
        k["co2e.avoided_t"] = exact_sum(saved) / 1000.0
        k["co2e.induced_avoided_t"] = exact_sum(saved * induced_share) / 1000.0
        k["subsidy.per_t_co2e_avoided"] = _ratio(public, k["co2e.induced_avoided_t"])
    return k


def resource_kpis(queues: pd.DataFrame, horizon_h: float) -> dict[str, float]:
    k: dict[str, float] = {}
    where = queues["where"].astype("category").array
    codes = where.codes
    t_all, queue_all = _hours(queues, "t"), queues["queue"].to_numpy()
    busy_all, capacity_all = queues["busy"].to_numpy(), queues["capacity"].to_numpy()
    # one resource at a time, in category order, its rows in table order (a groupby's groups)
    for i in np.flatnonzero(np.bincount(codes[codes >= 0], minlength=len(where.categories))):
        rows = np.flatnonzero(codes == i)
        name = str(where.categories[i])
        t, busy, queue = t_all[rows], busy_all[rows], queue_all[rows]
        capacity = capacity_all[rows]
        used = step_integral(t, busy, 0.0, horizon_h)
        # A unit finishing its job after its shift ended is available while it works.
        avail = step_integral(t, np.maximum(capacity, busy), 0.0, horizon_h)
        k[f"utilisation.{name}"] = used / avail if avail > 0 else float("nan")
        k[f"queue.{name}.mean"] = step_integral(t, queue, 0.0, horizon_h) / horizon_h
        before = t < horizon_h
        k[f"queue.{name}.end"] = float(queue[before][-1]) if before.any() else 0.0
        # A queue can run away only at a resource that is (nearly) always busy.
        half = horizon_h / 2
        late_used = step_integral(t, busy, half, horizon_h)
        late_avail = step_integral(t, np.maximum(capacity, busy), half, horizon_h)
        busy_late = late_used / late_avail if late_avail > 0 else 0.0
        _stability(k, name, t, queue, horizon_h, floor=2.0, saturated=busy_late >= SATURATED)
    return k


def _stability(
    k: dict[str, float],
    where: str,
    t: np.ndarray,
    level: np.ndarray,
    horizon_h: float,
    floor: float,
    saturated: bool,
) -> None:
    if horizon_h <= 0 or len(t) == 0:
        return
    g = growth(t, level, horizon_h / 2, horizon_h)
    k[f"growth_per_day.{where}"] = g.per_day
    k[f"unstable.{where}"] = float(saturated and g.unstable(floor=floor))


def stability_kpis(
    containers: pd.DataFrame, trains: pd.DataFrame, horizon_h: float
) -> dict[str, float]:
    """Growth of the TEU *waiting* (at the gate, for a train, a sailing or unloading) per
    corridor and direction, over the second half of the window. Cargo can pile up without
    bound only behind trains that leave (nearly) full."""
    k: dict[str, float] = {}
    late = trains[trains["ran"] & (trains["t_departed"] >= horizon_h / 2)]
    late = late[late["t_departed"] < horizon_h]
    load = (
        (late["teu"] / late["capacity_teu"])
        .groupby([late["corridor"].astype(str), late["direction"].astype(str)])
        .mean()
    )
    for (cor, d), (t, level) in state_levels(containers, WAITING).items():
        full = bool((cor, d) in load.index and load[(cor, d)] >= SATURATED)
        _stability(k, f"corridor.{cor}.{d}", t, level, horizon_h, floor=20.0, saturated=full)
    return k


# ---------------------------------------------------------------------------- computations


@dataclass(frozen=True)
class KpiInputs:
    """What the KPIs of one replication are computed from: its tables and the window."""

    containers: pd.DataFrame
    trains: pd.DataFrame
    queues: pd.DataFrame
    horizon_h: float
    corridors: tuple[str, ...]
    """The scenario's rail corridors, in scenario order."""
    hub: str


def train_measures(k: KpiInputs) -> dict[str, float]:
    """Trains run, TEU by train, load factors, delays and turnaround (:func:`train_kpis`)."""
    return train_kpis(k.trains, k.horizon_h, k.corridors)


def container_measures(k: KpiInputs) -> dict[str, float]:
    """Clearance, dwell and door-to-door times, money, customs shares and what did not get
    through (:func:`container_kpis`)."""
    return container_kpis(k.containers, k.trains, k.horizon_h, k.hub)


def economics_measures(k: KpiInputs) -> dict[str, float]:
    """Cost and CO₂e per TEU, against the competing route (:func:`economics_kpis`)."""
    return economics_kpis(k.containers, k.horizon_h, k.corridors)


def resource_measures(k: KpiInputs) -> dict[str, float]:
    """Utilisation, queues and their growth at every resource (:func:`resource_kpis`)."""
    return resource_kpis(k.queues, k.horizon_h)


def corridor_stability(k: KpiInputs) -> dict[str, float]:
    """Growth of the cargo waiting on every corridor and direction (:func:`stability_kpis`)."""
    return stability_kpis(k.containers, k.trains, k.horizon_h)


def unstable_count(k: Mapping[str, float]) -> dict[str, float]:
    """How many queues and backlogs grow without bound, from the ``unstable.*`` KPIs."""
    return {"unstable.count": float(sum(v for n, v in k.items() if n.startswith("unstable.")))}
