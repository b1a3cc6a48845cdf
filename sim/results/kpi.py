"""Key performance indicators, computed from the output tables alone.

Every KPI is a plain number under a dotted name, so an analyst can recompute any of them in
one line of pandas. The statistics window is ``[0, horizon_h)``: hours before 0 are warm-up.

* Counts (trains run, TEU) count trains that *departed* in the window with at least one
  container: ``trains.total``, ``trains.<corridor>[.<direction>]``, ``teu.total``,
  ``teu.<corridor>.<direction>``; ``teu.road.import`` counts imports that entered by truck.
* Tally statistics (clearance, dwell, door-to-door times) use containers *created* in the
  window whose interval ended by the horizon: ``clearance_h.<direction>.<mean|p50|p90|p95>``,
  ``dwell_h.<hub>.<direction>.mean`` (export: gate-in to train departure; import: train
  arrival or gate-in to gate-out), ``door_to_door_h.<direction>.mean``.
* Time-weighted statistics over the window: ``utilisation.<resource>`` (units in use over
  units available; off-duty hours do not count, and an officer finishing a job after the
  shift ended counts as available while finishing) and
  ``queue.<resource>.mean``.
* Money over the containers counted in throughput: ``cost.shipper_cny``, ``cost.subsidy_cny``,
  ``cost.rail_discount_cny``.
* Conservation: ``containers.created``, ``containers.delivered``, ``containers.in_system``.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from sim.results.stats import exact_mean, exact_sum, step_integral

QUANTILES = {"p50": 0.50, "p90": 0.90, "p95": 0.95}
DIRECTIONS = ("export", "import")


def _window(x: pd.Series, horizon_h: float) -> pd.Series:
    return (x >= 0) & (x < horizon_h)


def _summary(
    prefix: str, values: pd.Series | np.ndarray, quantiles: bool = False
) -> dict[str, float]:
    v = np.asarray(values, dtype=float)
    v = v[~np.isnan(v)]
    out = {f"{prefix}.mean": exact_mean(v)}
    if quantiles:
        for name, q in QUANTILES.items():
            out[f"{prefix}.{name}"] = float(np.quantile(v, q)) if len(v) else float("nan")
    return out


def train_kpis(
    trains: pd.DataFrame, horizon_h: float, corridors: Iterable[str]
) -> dict[str, float]:
    ran = trains[trains["ran"] & _window(trains["t_departed"], horizon_h)]
    k: dict[str, float] = {"trains.total": float(len(ran)), "teu.total": exact_sum(ran["teu"])}
    k["teu_per_train.mean"] = exact_mean(ran["teu"])
    corridor = ran["corridor"].astype(str)
    direction = ran["direction"].astype(str)
    for c in corridors:
        mine = ran[corridor == c]
        k[f"trains.{c}"] = float(len(mine))
        k[f"teu_per_train.{c}"] = exact_mean(mine["teu"])
        k[f"train_load_factor.{c}"] = exact_mean(mine["teu"] / mine["capacity_teu"])
        for d in DIRECTIONS:
            sel = (corridor == c) & (direction == d)
            k[f"trains.{c}.{d}"] = float(sel.sum())
            k[f"teu.{c}.{d}"] = exact_sum(ran.loc[sel, "teu"])
    return k


def container_kpis(
    containers: pd.DataFrame, trains: pd.DataFrame, horizon_h: float, hub: str
) -> dict[str, float]:
    c = containers
    k: dict[str, float] = {}
    direction = c["direction"].astype(str)
    created = _window(c["t_created"], horizon_h)
    for d in DIRECTIONS:
        mine = c[(direction == d) & created & (c["t_customs_end"] < horizon_h)]
        k.update(
            _summary(
                f"clearance_h.{d}", mine["t_customs_end"] - mine["t_customs_start"], quantiles=True
            )
        )
        done = c[(direction == d) & created & (c["t_delivered"] < horizon_h)]
        k.update(_summary(f"door_to_door_h.{d}", done["t_delivered"] - done["t_created"]))
    exp = c[(direction == "export") & created & (c["t_train_departed"] < horizon_h)]
    k.update(
        _summary(
            f"dwell_h.{hub}.export", exp["t_train_departed"] - exp["t_gate_in"], quantiles=True
        )
    )
    imp = c[(direction == "import") & created & (c["t_delivered"] < horizon_h)]
    entered = imp["t_train_arrived"].fillna(imp["t_gate_in"])
    k.update(_summary(f"dwell_h.{hub}.import", imp["t_delivered"] - entered, quantiles=True))

    ran = trains[trains["ran"] & _window(trains["t_departed"], horizon_h)]
    on_counted = c["train_id"].isin(ran["train_id"])
    trucked = (c["corridor"].astype(str) == "road") & _window(c["t_gate_in"], horizon_h)
    k["teu.road.import"] = exact_sum(c.loc[trucked, "teu"])
    counted = c[on_counted | trucked]
    k["cost.shipper_cny"] = exact_sum(counted["shipper_cost_cny"])
    k["cost.subsidy_cny"] = exact_sum(counted["subsidy_cny"])
    k["cost.rail_discount_cny"] = exact_sum(counted["rail_discount_cny"])

    imported = c[(direction == "import") & created & c["t_customs_end"].notna()]
    k["customs.import.inspected_share"] = exact_mean(imported["inspected"])
    k["customs.import.quarantined_share"] = exact_mean(imported["quarantined"])
    k["containers.created"] = float(created.sum())
    k["containers.delivered"] = float((created & (c["t_delivered"] < horizon_h)).sum())
    k["containers.in_system"] = float(
        ((c["t_created"] < horizon_h) & ~(c["t_delivered"] < horizon_h)).sum()
    )
    return k


def resource_kpis(queues: pd.DataFrame, horizon_h: float) -> dict[str, float]:
    k: dict[str, float] = {}
    for where, g in queues.groupby("where", observed=True, sort=True):
        t = g["t"].to_numpy()
        busy = g["busy"].to_numpy()
        used = step_integral(t, busy, 0.0, horizon_h)
        # A unit finishing its job after its shift ended is available while it works.
        avail = step_integral(t, np.maximum(g["capacity"].to_numpy(), busy), 0.0, horizon_h)
        k[f"utilisation.{where}"] = used / avail if avail > 0 else float("nan")
        k[f"queue.{where}.mean"] = (
            step_integral(t, g["queue"].to_numpy(), 0.0, horizon_h) / horizon_h
        )
    return k


def compute_kpis(
    containers: pd.DataFrame,
    trains: pd.DataFrame,
    queues: pd.DataFrame,
    *,
    horizon_h: float,
    corridors: Iterable[str],
    hub: str,
) -> dict[str, float]:
    """Every KPI of one replication, as a flat name → value map."""
    k = train_kpis(trains, horizon_h, list(corridors))
    k.update(container_kpis(containers, trains, horizon_h, hub))
    k.update(resource_kpis(queues, horizon_h))
    return k


HEADLINE = (
    "trains.total",
    "trains.qinzhou_rail_sea",
    "trains.china_laos",
    "trains.china_vietnam",
    "teu.total",
    "teu.qinzhou_rail_sea.export",
    "teu.qinzhou_rail_sea.import",
    "teu.china_laos.export",
    "teu.china_laos.import",
    "teu.china_vietnam.export",
    "teu.china_vietnam.import",
    "teu_per_train.mean",
    "train_load_factor.qinzhou_rail_sea",
    "train_load_factor.china_laos",
    "train_load_factor.china_vietnam",
    "clearance_h.import.mean",
    "clearance_h.import.p90",
    "clearance_h.export.mean",
    "clearance_h.export.p90",
    "dwell_h.huaihua.import.mean",
    "dwell_h.huaihua.export.mean",
    "door_to_door_h.import.mean",
    "door_to_door_h.export.mean",
    "utilisation.huaihua.customs.import.officers",
    "utilisation.huaihua.customs.export.officers",
    "utilisation.huaihua.customs.inspection_bays",
    "utilisation.huaihua.customs.quarantine_lab",
    "utilisation.huaihua.yard",
    "utilisation.huaihua.sidings",
    "cost.shipper_cny",
    "cost.subsidy_cny",
    "cost.rail_discount_cny",
)
"""The KPIs a planner reads first: the default rows of KPI tables, reports and plots."""

UNITS = {
    "trains": "trains",
    "teu": "TEU",
    "teu_per_train": "TEU/train",
    "train_load_factor": "share",
    "clearance_h": "h",
    "dwell_h": "h",
    "door_to_door_h": "h",
    "utilisation": "share",
    "queue": "items",
    "cost": "CNY",
    "customs": "share",
    "containers": "containers",
}


def unit(name: str) -> str:
    """The unit of a KPI, from its first name part."""
    return UNITS.get(name.split(".", 1)[0], "")
