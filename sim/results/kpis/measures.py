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
from functools import cached_property

import numpy as np
import pandas as pd

from sim.results.states import STATES, WAITING, state_codes, state_levels
from sim.results.stats import (
    exact_mean,
    exact_sum,
    exact_sums,
    growth,
    step_integrals,
    survival,
    whole_numbers,
)
from sim.results.tables import Columns, LevelColumns, TableColumns

QUANTILES = {"p50": 0.50, "p90": 0.90, "p95": 0.95}
SATURATED = 0.9
"""Utilisation over the second half from which a growing queue counts as running away."""
DIRECTIONS = ("export", "import")

Table = pd.DataFrame | TableColumns
"""A table the KPIs are computed from: a DataFrame, or its columns (:class:`TableColumns`)."""


def _window(x: np.ndarray, horizon_h: float) -> np.ndarray:
    within: np.ndarray = (x >= 0) & (x < horizon_h)
    return within


def _code(names: tuple[str, ...], value: str) -> int:
    """The code of ``value`` among ``names`` (one no code has when it is not there)."""
    return names.index(value) if value in names else -2


def _tally(
    prefix: str,
    start: np.ndarray,
    end: np.ndarray,
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


def _counted(trains: TableColumns, horizon_h: float) -> np.ndarray:
    """Which trains count as run in the window (see :func:`counted_trains`)."""
    key = ("counted", horizon_h)
    if key not in trains.memo:
        t = trains
        done = np.where(
            t.equals("direction", "export"), t.floats("t_departed"), t.floats("t_unloaded")
        )
        trains.memo[key] = np.asarray(t.values("ran"), dtype=bool) & _window(done, horizon_h)
    counted: np.ndarray = trains.memo[key]
    return counted


def counted_trains(trains: pd.DataFrame, horizon_h: float) -> pd.DataFrame:
    """Trains that count as run in the window: exports that left the hub, imports unloaded
    at the hub."""
    return trains[_counted(TableColumns(trains), horizon_h)]


def train_kpis(trains: Table, horizon_h: float, corridors: Iterable[str]) -> dict[str, float]:
    t = TableColumns.of(trains)
    counted = _counted(t, horizon_h)
    teu = t.values("teu")[counted]
    load = teu / t.values("capacity_teu")[counted]
    corridor_codes, corridor_names = t.codes("corridor")
    direction_codes, direction_names = t.codes("direction")
    corridor, direction = corridor_codes[counted], direction_codes[counted]
    k: dict[str, float] = {"trains.total": float(len(teu)), "teu.total": exact_sum(teu)}
    k["teu_per_train.mean"] = exact_mean(teu)
    for c in corridors:
        mine = corridor == _code(corridor_names, c)
        k[f"trains.{c}"] = float(mine.sum())
        k[f"teu_per_train.{c}"] = exact_mean(teu[mine])
        k[f"train_load_factor.{c}"] = exact_mean(load[mine])
        for d in DIRECTIONS:
            sel = mine & (direction == _code(direction_names, d))
            k[f"trains.{c}.{d}"] = float(sel.sum())
            k[f"teu.{c}.{d}"] = exact_sum(teu[sel])
    exports = direction == _code(direction_names, "export")
    delay = t.floats("t_departed")[counted] - t.floats("t_scheduled")[counted]
    k["train_delay_h.export.mean"] = exact_mean(delay[exports]) if exports.any() else 0.0
    arrival = t.floats("t_arrived")
    arrived = (
        t.equals("direction", "import")
        & np.asarray(t.values("ran"), dtype=bool)
        & _window(arrival, horizon_h)
    )
    arrival = arrival[arrived]
    k.update(
        _tally(
            "train_turnaround_h.import",
            arrival,
            t.floats("t_unloaded")[arrived],
            horizon_h,
        )
    )
    received = t.floats("t_received")[arrived]
    k["trains.waited_outside"] = float(
        (np.where(np.isnan(received), horizon_h, received) > arrival).sum()
    )
    return k


def container_kpis(
    containers: Table, trains: Table, horizon_h: float, hub: str
) -> dict[str, float]:
    c, t = TableColumns.of(containers), TableColumns.of(trains)
    k: dict[str, float] = {}
    created_h = c.floats("t_created")
    accepted = _window(created_h, horizon_h) & np.isnan(c.floats("t_turned_away"))
    customs_start, customs_end = c.floats("t_customs_start"), c.floats("t_customs_end")
    delivered = c.floats("t_delivered")
    mine = {d: c.equals("direction", d) & accepted for d in DIRECTIONS}
    for d in DIRECTIONS:
        k.update(
            _tally(
                f"clearance_h.{d}",
                customs_start[mine[d]],
                customs_end[mine[d]],
                horizon_h,
                quantiles=True,
            )
        )
        k.update(_tally(f"door_to_door_h.{d}", created_h[mine[d]], delivered[mine[d]], horizon_h))
    gate_in = c.floats("t_gate_in")
    exp, imp = mine["export"], mine["import"]
    k.update(
        _tally(
            f"dwell_h.{hub}.export",
            gate_in[exp],
            c.floats("t_train_departed")[exp],
            horizon_h,
            quantiles=True,
        )
    )
    arrived = c.floats("t_train_arrived")[imp]
    entered = np.where(np.isnan(arrived), gate_in[imp], arrived)
    k.update(_tally(f"dwell_h.{hub}.import", entered, delivered[imp], horizon_h, True))

    ran = t.values("train_id")[_counted(t, horizon_h)]
    on_counted = np.isin(c.values("train_id"), ran)
    trucked = c.equals("corridor", "road") & _window(gate_in, horizon_h)
    teu = c.values("teu")
    k["teu.road.import"] = exact_sum(teu[trucked])
    counted = on_counted | trucked
    k["cost.shipper_cny"] = exact_sum(c.floats("shipper_cost_cny")[counted])
    k["cost.subsidy_cny"] = exact_sum(c.floats("subsidy_cny")[counted])
    k["cost.rail_discount_cny"] = exact_sum(c.floats("rail_discount_cny")[counted])

    imported = imp & ~np.isnan(customs_end)
    k["customs.import.inspected_share"] = exact_mean(c.values("inspected")[imported])
    k["customs.import.quarantined_share"] = exact_mean(c.values("quarantined")[imported])
    k.update(flow_kpis(c, horizon_h))
    return k


def _sums_by(keys: np.ndarray, weights: np.ndarray, n: int) -> np.ndarray:
    """``weights`` summed by ``keys`` (0 … n − 1): in one pass where the weights are whole
    numbers (as TEU are), whose sums no order of adding changes, so each is exactly what
    ``weights[keys == i].sum()`` gives; otherwise group by group, as that."""
    if whole_numbers(weights):
        return np.bincount(keys, weights=weights, minlength=n)
    return np.array([weights[keys == i].sum() for i in range(n)], dtype=float)


def flow_kpis(containers: Table, horizon_h: float) -> dict[str, float]:
    """What got through, what is still in the system and what was turned away."""
    c = TableColumns.of(containers)
    k: dict[str, float] = {}
    state = state_codes(c, horizon_h)
    created_h = c.floats("t_created")
    created = _window(created_h, horizon_h)
    away = c.floats("t_turned_away") < horizon_h
    delivered = c.floats("t_delivered") < horizon_h
    inside = (created_h < horizon_h) & ~away & ~delivered
    teu = c.floats("teu")
    k["containers.created"] = float(created.sum())
    k["containers.delivered"] = float((created & delivered).sum())
    k["containers.turned_away"] = float((created & away).sum())
    k["containers.in_system"] = float(inside.sum())
    k["backlog_teu.total"] = float(teu[inside].sum())
    k["turned_away_teu.total"] = float(teu[created & away].sum())
    made = float(teu[created].sum())
    k["turned_away_share.total"] = k["turned_away_teu.total"] / made if made else 0.0
    # by state (−1: not created yet, kept apart as key 0)
    by_state = _sums_by(state[inside].astype(np.intp) + 1, teu[inside], len(STATES) + 1)
    for i, name in enumerate(STATES):
        if name not in ("delivered", "turned_away"):
            k[f"backlog_teu.state.{name}"] = float(by_state[i + 1])
    # by corridor and direction: key 2 × corridor + direction
    corridor, names = c.codes("corridor")
    corridor = corridor.astype(np.intp, copy=False)  # pandas' codes may be 8-bit: 2 × would wrap
    direction = np.full(len(c), -1, dtype=np.intp)
    for j, d in enumerate(DIRECTIONS):
        direction[c.equals("direction", d)] = j
    valid = (corridor >= 0) & (direction >= 0)
    keys = (2 * corridor + direction)[valid]
    n = 2 * len(names)
    present = np.bincount(keys, minlength=n)
    taken = created & ~away

    def by_key(where: np.ndarray) -> np.ndarray:
        return _sums_by(keys, np.where(where, teu, 0.0)[valid], n)

    backlog, turned = by_key(inside), by_key(created & away)
    accepted, late = by_key(taken), by_key(taken & ~delivered)
    for cor in sorted({names[i] for i in np.unique(corridor[valid]).tolist()}):
        for j, d in enumerate(DIRECTIONS):
            g = 2 * names.index(cor) + j
            if not present[g]:
                continue
            k[f"backlog_teu.{cor}.{d}"] = float(backlog[g])
            k[f"turned_away_teu.{cor}.{d}"] = float(turned[g])
            kept, lost = float(accepted[g]), float(late[g])
            k[f"undelivered_share.{cor}.{d}"] = lost / kept if kept else 0.0
    rolled = c.values("rolls") > 0
    for j, d in enumerate(DIRECTIONS):
        k[f"rolled_teu.sea.{d}"] = float(teu[created & rolled & (direction == j)].sum())
    return k


def delivered_accounts(containers: pd.DataFrame, horizon_h: float) -> pd.DataFrame:
    """Boxes of the rail corridors delivered in the window, with their door-to-door accounts:
    the boxes every per-TEU KPI is computed over (empty for tables without accounts)."""
    c = containers
    if "rail_cny" not in c.columns:
        return c.iloc[:0]
    return c[_window(c["t_delivered"].to_numpy(dtype=float), horizon_h) & c["rail_cny"].notna()]


def _ratio(num: float, den: float) -> float:
    return num / den if den > 0 else float("nan")


def economics_kpis(
    containers: Table, horizon_h: float, corridors: Iterable[str]
) -> dict[str, float]:
    """Cost and CO₂e per TEU by corridor, against the competing route, and what the public
    money buys (see the module docstring)."""
    c = TableColumns.of(containers)
    if "rail_cny" not in c:
        return {}
    # the boxes of delivered_accounts, column by column
    d = _window(c.floats("t_delivered"), horizon_h) & ~np.isnan(c.floats("rail_cny"))

    def col(name: str) -> np.ndarray:
        return c.values(name)[d]

    k: dict[str, float] = {}
    teu_all, co2e, road_co2e = col("teu"), col("co2e_kg"), col("road_co2e_kg")
    door, road, public_cny = col("door_cny"), col("road_cny"), col("public_cny")
    emitted = bool((~np.isnan(co2e.astype(float))).any())
    # each box's corridor as its place in ``corridors`` (−1: none of them)
    codes, names = c.codes("corridor")
    corridors = list(corridors)
    place = np.full(len(names) + 1, -1, dtype=np.intp)  # last: no corridor
    for i, name in enumerate(corridors):
        if name in names:
            place[names.index(name)] = i
    group = place[codes[d]]
    ours = group >= 0

    def by_corridor(values: np.ndarray) -> list[float]:
        return exact_sums(np.asarray(values, dtype=float)[ours], group[ours], len(corridors))

    teus, doors, roads, publics = map(by_corridor, (teu_all, door, road, public_cny))
    emitted_by = (by_corridor(co2e), by_corridor(road_co2e)) if emitted else None
    for i, name in enumerate(corridors):
        teu = teus[i]
        k[f"cost.per_teu.{name}"] = _ratio(doors[i], teu)
        k[f"cost.road_per_teu.{name}"] = _ratio(roads[i], teu)
        k[f"cost.public_per_teu.{name}"] = _ratio(publics[i], teu)
        if emitted_by is not None:
            k[f"co2e.kg_per_teu.{name}"] = _ratio(emitted_by[0][i], teu)
            k[f"co2e.road_kg_per_teu.{name}"] = _ratio(emitted_by[1][i], teu)
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


def resource_kpis(queues: pd.DataFrame | LevelColumns, horizon_h: float) -> dict[str, float]:
    k: dict[str, float] = {}
    levels = queues if isinstance(queues, LevelColumns) else LevelColumns(queues)
    # one resource at a time, in sorted order of names, its rows in time order
    for name, cols in levels.resources():
        t, busy, queue = cols["t"], cols["busy"], cols["queue"]
        # A unit finishing its job after its shift ended is available while it works.
        available = np.maximum(cols["capacity"], busy)
        used, avail, queued = step_integrals(t, (busy, available, queue), 0.0, horizon_h)
        k[f"utilisation.{name}"] = used / avail if avail > 0 else float("nan")
        k[f"queue.{name}.mean"] = queued / horizon_h
        before = t < horizon_h
        k[f"queue.{name}.end"] = float(queue[before][-1]) if before.any() else 0.0
        # A queue can run away only at a resource that is (nearly) always busy.
        half = horizon_h / 2
        late_used, late_avail = step_integrals(t, (busy, available), half, horizon_h)
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


def _mean_at_least(values: np.ndarray, level: float) -> bool:
    """Whether the mean of ``values`` is at least ``level``, as pandas' grouped mean decides
    it. The exact mean (:func:`exact_mean`) decides it as well wherever it is not within a
    billionth of ``level``: pandas' compensated sum of finite values misses it by a few units
    in the last place. Closer than that, pandas decides."""
    if len(values) and bool(np.isfinite(values).all()):
        mean = exact_mean(values)
        if abs(mean - level) > 1e-9 * abs(level):
            return mean >= level
    grouped = pd.Series(values).groupby(np.zeros(len(values), dtype=np.int64)).mean()
    return bool(len(grouped)) and bool(grouped.iloc[0] >= level)


def stability_kpis(containers: Table, trains: Table, horizon_h: float) -> dict[str, float]:
    """Growth of the TEU *waiting* (at the gate, for a train, a sailing or unloading) per
    corridor and direction, over the second half of the window. Cargo can pile up without
    bound only behind trains that leave (nearly) full."""
    k: dict[str, float] = {}
    t = TableColumns.of(trains)
    departed = t.floats("t_departed")
    late = (
        np.asarray(t.values("ran"), dtype=bool)
        & (departed >= horizon_h / 2)
        & (departed < horizon_h)
    )
    load = t.values("teu")[late] / t.values("capacity_teu")[late]
    corridor_codes, corridor_names = t.codes("corridor")
    direction_codes, direction_names = t.codes("direction")
    corridor, direction = corridor_codes[late], direction_codes[late]
    waiting = state_levels(containers, WAITING, since=horizon_h / 2)  # growth reads that much
    for (cor, d), (times, level) in waiting.items():
        mine = (corridor == _code(corridor_names, cor)) & (
            direction == _code(direction_names, d)
        )
        full = bool(mine.any()) and _mean_at_least(load[mine], SATURATED)
        _stability(k, f"corridor.{cor}.{d}", times, level, horizon_h, floor=20.0, saturated=full)
    return k


# ---------------------------------------------------------------------------- computations


class KpiInputs:
    """What the KPIs of one replication are computed from: its tables and the window.

    The tables come as recorded columns (what a replication hands over) or as DataFrames
    (:func:`sim.results.tables.frame`, :func:`~sim.results.tables.queue_frame`). The
    computations read their numpy columns (:attr:`container_columns`, :attr:`train_columns`,
    :attr:`levels`), each column once for all of them; a computation that wants pandas reads
    :attr:`containers`, :attr:`trains` and :attr:`queues`, made on first use.
    """

    def __init__(
        self,
        containers: pd.DataFrame | Columns,
        trains: pd.DataFrame | Columns,
        queues: pd.DataFrame | Mapping[str, Columns],
        horizon_h: float,
        corridors: tuple[str, ...],
        hub: str,
    ) -> None:
        self.container_columns = TableColumns(containers)
        self.train_columns = TableColumns(trains)
        self.levels = LevelColumns(queues)
        self.horizon_h = horizon_h
        self.corridors = tuple(corridors)
        """The scenario's rail corridors, in scenario order."""
        self.hub = hub

    @cached_property
    def containers(self) -> pd.DataFrame:
        return self.container_columns.frame()

    @cached_property
    def trains(self) -> pd.DataFrame:
        return self.train_columns.frame()

    @cached_property
    def queues(self) -> pd.DataFrame:
        """Change points of every resource (:func:`~sim.results.tables.queue_frame`)."""
        return self.levels.frame()


def train_measures(k: KpiInputs) -> dict[str, float]:
    """Trains run, TEU by train, load factors, delays and turnaround (:func:`train_kpis`)."""
    return train_kpis(k.train_columns, k.horizon_h, k.corridors)


def container_measures(k: KpiInputs) -> dict[str, float]:
    """Clearance, dwell and door-to-door times, money, customs shares and what did not get
    through (:func:`container_kpis`)."""
    return container_kpis(k.container_columns, k.train_columns, k.horizon_h, k.hub)


def economics_measures(k: KpiInputs) -> dict[str, float]:
    """Cost and CO₂e per TEU, against the competing route (:func:`economics_kpis`)."""
    return economics_kpis(k.container_columns, k.horizon_h, k.corridors)


def resource_measures(k: KpiInputs) -> dict[str, float]:
    """Utilisation, queues and their growth at every resource (:func:`resource_kpis`)."""
    return resource_kpis(k.levels, k.horizon_h)


def corridor_stability(k: KpiInputs) -> dict[str, float]:
    """Growth of the cargo waiting on every corridor and direction (:func:`stability_kpis`)."""
    return stability_kpis(k.container_columns, k.train_columns, k.horizon_h)


def unstable_count(k: Mapping[str, float]) -> dict[str, float]:
    """How many queues and backlogs grow without bound, from the ``unstable.*`` KPIs."""
    return {"unstable.count": float(sum(v for n, v in k.items() if n.startswith("unstable.")))}
