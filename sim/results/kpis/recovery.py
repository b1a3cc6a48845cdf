"""Recovery from disruptions: what a disrupted run lost against the same run undisrupted.

Computed per replication from two runs paired by common random numbers — replication ``r`` of
the undisrupted scenario (A) and of the disrupted one (B), with the same seed — for every
disruption of B and every corridor (and ``all`` corridors), over the disruption's *exposure*:
from its start (the first occurrence's, for a random one) to the corridor's recovery.

* ``backlog`` at time t: TEU in the system (created, neither delivered nor turned away); its
  excess E(t) = backlog_B(t) − backlog_A(t), on an hourly grid;
* ``recovery_h``: hours from the disruption's end (its last occurrence's) until E is back
  within the band — ``band_teu`` or ``band_share`` of A's backlog, whichever is larger — and
  stays there for ``hold_h`` (or to the end of the run); ``recovered`` is 0 when it never is,
  and ``recovery_h`` then runs to the end of the run (a lower bound);
* ``peak_backlog_teu``: the largest E over the exposure;
* ``teu_delayed``: TEU of containers created during the exposure that reached their end
  (delivered; the end of the run if not) later in B than the same container in A by more than
  ``delay_tolerance_h``; containers are matched by flow, shipment (its ready time) and rank in
  it — an LCL export box by its opening time; ``extra_h_per_delayed_teu``: their mean delay;
* ``trains_held`` / ``trains_cancelled`` / ``sailings_cancelled``: trains of B held, diverted
  or slowed by the disruption / trains and sailings it cancelled;
* ``turned_away_teu``: TEU turned away in B less in A, created during the exposure;
* costs: ``storage_cny`` the extra TEU-days in the hub's yard × the storage rate,
  ``demurrage_cny`` the extra TEU-days in the system × the demurrage rate (each over the
  exposure, never below 0), ``turned_away_cny`` the extra TEU turned away × the lost margin.

Where two disruptions overlap, each counts what happened in its own exposure. Nothing here
knows the model: the windows and settings come in as plain data.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

ALL = "all"
"""The corridor name that stands for every corridor together."""

MEASURES: tuple[str, ...] = (
    "teu_delayed",
    "extra_h_per_delayed_teu",
    "peak_backlog_teu",
    "recovery_h",
    "recovered",
    "trains_held",
    "trains_cancelled",
    "sailings_cancelled",
    "turned_away_teu",
    "storage_cny",
    "demurrage_cny",
    "turned_away_cny",
)


@dataclass(frozen=True)
class Settings:
    """How recovery is measured and priced (the scenario's ``recovery`` section)."""

    band_teu: float = 20.0
    band_share: float = 0.1
    hold_h: float = 72.0
    delay_tolerance_h: float = 1.0
    storage_cny_per_teu_day: float = 30.0
    demurrage_cny_per_teu_day: float = 100.0
    lost_margin_cny_per_teu: float = 500.0


@dataclass(frozen=True)
class Span:
    """A disruption's occurrences in one replication: from the first start to the last end
    (hours from the start date); ``None`` when it did not occur."""

    name: str
    start_h: float | None
    end_h: float | None


@dataclass(frozen=True)
class Arm:
    """One replication's tables of one scenario."""

    containers: pd.DataFrame
    shipments: pd.DataFrame
    trains: pd.DataFrame
    vessels: pd.DataFrame


@dataclass(frozen=True)
class RecoveryInputs:
    """A pair of replications (A undisrupted, B disrupted) and what to measure."""

    a: Arm
    b: Arm
    spans: Sequence[Span]
    corridors: Sequence[str]
    horizon_h: float
    settings: Settings
    corridor_of_sailing: Mapping[str, str]
    """Overseas port → the corridor whose rail–sea port sails to it."""


def spans(windows: Iterable[tuple[str, float, float]], names: Sequence[str]) -> list[Span]:
    """The span of each disruption in ``names`` from its (name, start, end) windows."""
    by: dict[str, list[tuple[float, float]]] = {n: [] for n in names}
    for name, start, end in windows:
        by.setdefault(name, []).append((start, end))
    return [
        Span(n, min(s for s, _ in w), max(e for _, e in w)) if w else Span(n, None, None)
        for n, w in by.items()
    ]


def _ends(c: pd.DataFrame, horizon_h: float) -> np.ndarray:
    """When each container left the system (delivered or turned away; inf if not yet)."""
    end = c["t_delivered"].to_numpy(dtype=float, na_value=np.nan)
    away = c["t_turned_away"].to_numpy(dtype=float, na_value=np.nan)
    out = np.where(np.isnan(end), away, end)
    return np.where(np.isnan(out), math.inf, out)


def level(start: np.ndarray, end: np.ndarray, weight: np.ndarray, grid: np.ndarray) -> np.ndarray:
    """Σ weight of items with start ≤ t < end, at each t of ``grid`` (a step count)."""
    ok = ~np.isnan(start)
    start, end, weight = start[ok], end[ok], weight[ok]
    s_order, e_order = np.argsort(start), np.argsort(end)
    cum_s = np.concatenate(([0.0], np.cumsum(weight[s_order])))
    cum_e = np.concatenate(([0.0], np.cumsum(weight[e_order])))
    began = cum_s[np.searchsorted(start[s_order], grid, side="right")]
    left = cum_e[np.searchsorted(end[e_order], grid, side="right")]
    return began - left


def backlog(c: pd.DataFrame, grid: np.ndarray, horizon_h: float) -> np.ndarray:
    """TEU in the system at each time of ``grid``."""
    return level(
        c["t_created"].to_numpy(dtype=float, na_value=np.nan),
        _ends(c, horizon_h),
        c["teu"].to_numpy(dtype=float),
        grid,
    )


def at_hub(c: pd.DataFrame, grid: np.ndarray) -> np.ndarray:
    """TEU in the hub's yard at each time of ``grid`` (exports until their train leaves,
    imports until they are collected)."""
    export = c["direction"].astype(str).to_numpy() == "export"
    gone = np.where(
        export,
        c["t_train_departed"].to_numpy(dtype=float, na_value=np.nan),
        c["t_delivered"].to_numpy(dtype=float, na_value=np.nan),
    )
    return level(
        c["t_yard_in"].to_numpy(dtype=float, na_value=np.nan),
        np.where(np.isnan(gone), math.inf, gone),
        c["teu"].to_numpy(dtype=float),
        grid,
    )


def recovered_at(
    excess: np.ndarray, base: np.ndarray, grid: np.ndarray, end_h: float, s: Settings
) -> float | None:
    """The first time of ``grid`` from ``end_h`` on at which ``excess`` is within the band and
    stays there for ``hold_h`` (or to the last time of ``grid``); None if it never is."""
    band = np.maximum(s.band_teu, s.band_share * np.abs(base))
    outside = np.abs(excess) > band
    # the time of the first point outside the band at or after each point (inf: none)
    when_out = np.where(outside, grid, math.inf)
    next_out = np.minimum.accumulate(when_out[::-1])[::-1]
    ok = (grid >= end_h) & ~outside & (next_out >= grid + s.hold_h)
    found = np.flatnonzero(ok)
    return float(grid[found[0]]) if len(found) else None


def _keys(c: pd.DataFrame, shipments: pd.DataFrame) -> pd.Series:
    """A key naming each container the same way in both runs of a pair."""
    ready = shipments.set_index("shipment_id")["t_created"]
    ids = c["shipment_id"]
    sid = (ids.fillna(-1) if ids.hasnans else ids).to_numpy(dtype=np.int64)  # none: −1
    own = sid >= 0
    when = np.where(own, ready.reindex(np.where(own, sid, -1)).to_numpy(dtype=float), np.nan)
    when = np.where(own, when, c["t_created"].to_numpy(dtype=float))
    frame = pd.DataFrame(
        {
            "flow": c["flow"].astype(str).to_numpy(),
            "place": c["place"].astype(str).to_numpy(),
            "when": np.round(when, 9),
            "id": c["container_id"].to_numpy(),
        }
    )
    rank = frame.sort_values("id").groupby(["flow", "place", "when"]).cumcount()
    frame["rank"] = rank.reindex(frame.index)
    parts = [frame[n].astype(str).to_numpy(dtype=object) for n in ("flow", "place", "when", "rank")]
    return pd.Series(
        [f"{f}|{p}|{w}|{r}" for f, p, w, r in zip(*parts, strict=True)], index=frame.index
    )


def _delays(p: RecoveryInputs, a: pd.DataFrame, b: pd.DataFrame) -> pd.DataFrame:
    """Matched containers of B with their end in A and B (the horizon if not delivered)."""
    ka = pd.DataFrame({"key": _keys(a, p.a.shipments).to_numpy(), "end_a": _finish(a, p.horizon_h)})
    kb = pd.DataFrame(
        {
            "key": _keys(b, p.b.shipments).to_numpy(),
            "end_b": _finish(b, p.horizon_h),
            "created": b["t_created"].to_numpy(dtype=float),
            "teu": b["teu"].to_numpy(dtype=float),
            "corridor": b["corridor"].astype(str).to_numpy(),
        }
    )
    return kb.merge(ka, on="key", how="inner").dropna(subset=["end_a", "end_b"])


def _finish(c: pd.DataFrame, horizon_h: float) -> np.ndarray:
    """Delivery time, the horizon if not delivered, NaN if turned away."""
    end = c["t_delivered"].to_numpy(dtype=float, na_value=np.nan)
    away = ~np.isnan(c["t_turned_away"].to_numpy(dtype=float, na_value=np.nan))
    return np.where(away, np.nan, np.where(np.isnan(end), horizon_h, np.minimum(end, horizon_h)))


def recovery_kpis(p: RecoveryInputs) -> dict[str, float]:
    """Every recovery KPI of one pair of replications: ``recovery.<disruption>.<corridor>.
    <measure>`` (see the module docstring)."""
    horizon = p.horizon_h
    out: dict[str, float] = {}
    ca, cb = p.a.containers, p.b.containers
    grid = np.arange(0.0, horizon + 1e-9, 1.0)
    corridors = [*p.corridors, ALL]
    matched = _delays(p, ca, cb) if p.spans else pd.DataFrame()
    for corridor in corridors:
        a = ca if corridor == ALL else ca[ca["corridor"].astype(str) == corridor]
        b = cb if corridor == ALL else cb[cb["corridor"].astype(str) == corridor]
        base, dis = backlog(a, grid, horizon), backlog(b, grid, horizon)
        excess = dis - base
        hub_excess = at_hub(b, grid) - at_hub(a, grid)
        pairs = matched if corridor == ALL else matched[matched["corridor"] == corridor]
        for span in p.spans:
            key = f"recovery.{span.name}.{corridor}"
            values = _measures(p, span, corridor, grid, base, excess, hub_excess, pairs, a, b)
            out.update({f"{key}.{m}": v for m, v in values.items()})
    return out


def _measures(
    p: RecoveryInputs,
    span: Span,
    corridor: str,
    grid: np.ndarray,
    base: np.ndarray,
    excess: np.ndarray,
    hub_excess: np.ndarray,
    pairs: pd.DataFrame,
    a: pd.DataFrame,
    b: pd.DataFrame,
) -> dict[str, float]:
    s, horizon = p.settings, p.horizon_h
    values = dict.fromkeys(MEASURES, 0.0)
    values["recovered"] = 1.0
    values["extra_h_per_delayed_teu"] = math.nan
    values.update(_stoppages(p, span.name, corridor))
    if span.start_h is None or span.end_h is None:
        return values
    start, end = max(span.start_h, 0.0), min(max(span.end_h, 0.0), horizon)
    back = recovered_at(excess, base, grid, end, s)
    until = horizon if back is None else back
    values["recovered"] = 0.0 if back is None else 1.0
    values["recovery_h"] = until - end
    inside = (grid >= start) & (grid <= until)
    if inside.any():
        values["peak_backlog_teu"] = max(0.0, float(excess[inside].max()))
        # hourly grid: each point stands for one hour
        values["demurrage_cny"] = (
            max(0.0, float(excess[inside].sum())) / 24 * s.demurrage_cny_per_teu_day
        )
        values["storage_cny"] = (
            max(0.0, float(hub_excess[inside].sum())) / 24 * s.storage_cny_per_teu_day
        )
    if len(pairs):
        exposed = (pairs["created"] < until) & (pairs["end_b"] > start)
        delay = (pairs["end_b"] - pairs["end_a"])[exposed]
        late = delay > s.delay_tolerance_h
        teu = pairs["teu"][exposed][late]
        values["teu_delayed"] = float(teu.sum())
        if teu.sum() > 0:
            values["extra_h_per_delayed_teu"] = float((teu * delay[late]).sum() / teu.sum())
    turned = _turned_away(b, start, until) - _turned_away(a, start, until)
    values["turned_away_teu"] = turned
    values["turned_away_cny"] = max(0.0, turned) * s.lost_margin_cny_per_teu
    return values


def _turned_away(c: pd.DataFrame, start: float, until: float) -> float:
    t = c["t_turned_away"].to_numpy(dtype=float, na_value=np.nan)
    inside = (t >= start) & (t <= until)
    return float(c["teu"].to_numpy(dtype=float)[inside].sum())


def _stoppages(p: RecoveryInputs, name: str, corridor: str) -> dict[str, float]:
    """Trains held and cancelled, sailings cancelled by disruption ``name`` in B."""
    t = p.b.trains
    mine = t["disruption"].astype(object).to_numpy() == name
    if corridor != ALL:
        mine &= t["corridor"].astype(str).to_numpy() == corridor
    cancelled = t["cancelled"].to_numpy(dtype=bool)
    v = p.b.vessels
    sail = (v["disruption"].astype(object).to_numpy() == name) & v["cancelled"].to_numpy(dtype=bool)
    if corridor != ALL:
        ours = [port for port, c in p.corridor_of_sailing.items() if c == corridor]
        sail &= v["port"].astype(str).isin(ours).to_numpy()
    return {
        "trains_held": float((mine & ~cancelled).sum()),
        "trains_cancelled": float((mine & cancelled).sum()),
        "sailings_cancelled": float(sail.sum()),
    }


COST_MEASURES = ("storage_cny", "demurrage_cny", "turned_away_cny")


def recovery_rows(summary: pd.DataFrame) -> pd.DataFrame:
    """A recovery summary (kpi, mean, half_width, …) as one row per disruption and corridor:
    each measure's mean and ``<measure>_hw`` its 95 % half-width, and ``cost_cny`` the sum of
    the three costs; in the summary's order."""
    parts = summary["kpi"].astype(str).str.split(".", expand=True)
    if parts.shape[1] != 4:
        return pd.DataFrame(columns=["disruption", "corridor", *MEASURES, "cost_cny"])
    frame = pd.DataFrame(
        {
            "disruption": parts[1],
            "corridor": parts[2],
            "measure": parts[3],
            "mean": summary["mean"].astype(float),
            "hw": summary["half_width"].astype(float),
        }
    )
    order = list(dict.fromkeys(zip(frame["disruption"], frame["corridor"], strict=True)))
    means = frame.pivot_table(
        index=["disruption", "corridor"], columns="measure", values="mean", dropna=False
    )
    hws = frame.pivot_table(
        index=["disruption", "corridor"], columns="measure", values="hw", dropna=False
    ).add_suffix("_hw")
    wide = means.join(hws).reindex(pd.MultiIndex.from_tuples(order)).reset_index()
    wide = wide.rename(columns={"level_0": "disruption", "level_1": "corridor"})
    costs = [m for m in COST_MEASURES if m in wide.columns]
    wide["cost_cny"] = wide[costs].sum(axis=1, min_count=1) if costs else math.nan
    return wide
