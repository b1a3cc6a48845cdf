"""Conservation and causality checks of a run's tables, shared by the baseline tests and the
property tests. Each function raises AssertionError naming the first offenders it finds.

The tables are a run's stacked replications (column ``replication``); ``horizon_h`` is the
end of the statistics window, where the run stopped.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.results.records import EXPORT_ORDER, IMPORT_ORDER


def milestones_in_flow_order(containers: pd.DataFrame) -> None:
    """For every container, the milestones it reached are non-decreasing in flow order."""
    for direction, order in (("export", EXPORT_ORDER), ("import", IMPORT_ORDER)):
        c = containers[containers["direction"].astype(str) == direction]
        m = c[list(order)].to_numpy(dtype=float)
        # The latest milestone so far, NaN (not reached) skipped.
        so_far = np.fmax.accumulate(m, axis=1)
        bad = m[:, 1:] < so_far[:, :-1]  # NaN compares False: unreached milestones pass
        if bad.any():
            rows, cols = np.nonzero(bad)
            first = c.iloc[rows[:5]][["replication", "container_id", *order]]
            raise AssertionError(
                f"{int(bad.any(axis=1).sum())} {direction} containers have a milestone before an "
                f"earlier one in flow order, e.g. {order[cols[0] + 1]}:\n{first.to_string()}"
            )


def trains_carry_their_containers(containers: pd.DataFrame, trains: pd.DataFrame) -> None:
    """Each train's TEU and container count are those of the containers that name it, each
    container is on at most one train, and no train carries more than its capacity."""
    assert (trains["teu"] <= trains["capacity_teu"]).all(), "a train above its capacity"
    on = containers[containers["train_id"] >= 0]
    per = on.groupby(["replication", "train_id"])["teu"].agg(["sum", "count"])
    ran = trains[trains["ran"]].set_index(["replication", "train_id"])
    assert set(per.index) == set(ran.index), "containers on trains that did not run"
    ran = ran.loc[per.index]
    assert (per["sum"] == ran["teu"]).all(), "train TEU differs from its containers' TEU"
    assert (per["count"] == ran["containers"]).all(), "train count differs from its containers"
    # One train_id column per container, and trains count exactly the containers naming them:
    # so the trains together carry each container once.
    assert int(ran["containers"].sum()) == len(on)
    departed = ran["t_departed"].reindex(pd.MultiIndex.from_frame(on[["replication", "train_id"]]))
    assert np.array_equal(on["t_train_departed"].to_numpy(), departed.to_numpy()), (
        "a container left at another time than its train"
    )
    idle = trains[~trains["ran"]]
    assert (idle["teu"] == 0).all(), "a train that did not run carries TEU"


def resources_within_capacity(queues: pd.DataFrame) -> None:
    """No resource ever has more units in use than it ever had, or a negative queue."""
    for (rep, where), g in queues.groupby(["replication", "where"], observed=True):
        assert (g["queue"] >= 0).all(), (rep, where)
        assert (g["busy"] >= 0).all(), (rep, where)
        # Units in use may exceed the current capacity only while finishing a job after a
        # shift ended; never the most the resource ever had.
        assert (g["busy"] <= g["capacity"].max() + 1e-9).all(), (rep, where)


def _level_at(queues: pd.DataFrame, rep: int, where: str, t: float, column: str) -> float:
    g = queues[(queues["replication"] == rep) & (queues["where"].astype(str) == where)]
    g = g[g["t"] <= t]
    return float(g[column].iloc[-1]) if len(g) else 0.0


def teu_balance(
    containers: pd.DataFrame,
    trains: pd.DataFrame,
    queues: pd.DataFrame,
    horizon_h: float,
    hub: str,
) -> dict[str, float]:
    """TEU in = TEU out + TEU in the system, the system split into where the milestones say
    each container is; the train and yard parts are checked against the trains table and
    the yard's own level. Returns the TEU per part, summed over replications."""
    h = horizon_h
    totals: dict[str, float] = {}
    for rep, c in containers.groupby("replication"):
        c = c[(c["t_created"] <= h) & ~(c["t_turned_away"] <= h)]
        reached = {col: (c[col] <= h).to_numpy() for col in EXPORT_ORDER}
        exp = (c["direction"].astype(str) == "export").to_numpy()
        teu = c["teu"].to_numpy()
        out = reached["t_delivered"]
        on_train = reached["t_train_departed"] & ~reached["t_train_arrived"]
        # Export: in the hub from gate-in (or stuffing) until its train leaves.
        exp_hub = exp & ~reached["t_train_departed"] & (reached["t_gate_in"] | reached["t_yard_in"])
        # Import: in the hub from the train's arrival (or gate-in by truck) until delivered.
        imp_hub = ~exp & ~out & (reached["t_train_arrived"] | reached["t_gate_in"])
        after_rail = exp & reached["t_train_arrived"] & ~out  # at the sea port or on a vessel
        before_rail = ~exp & ~reached["t_train_departed"] & ~reached["t_gate_in"]
        before_hub = exp & ~reached["t_gate_in"] & ~reached["t_yard_in"]  # truck at the gate
        parts = {
            "delivered": out,
            "before the hub": before_rail | before_hub,
            "on a train": on_train,
            "in the hub": exp_hub | imp_hub,
            "after the train": after_rail,
        }
        stacked = np.vstack(list(parts.values())).astype(int)
        counts = stacked.sum(axis=0)
        assert (counts == 1).all(), (
            f"replication {rep}: {int((counts != 1).sum())} containers are in "
            f"{sorted(set(counts.tolist()))} places at once by their milestones"
        )
        in_system = sum(teu[m].sum() for k, m in parts.items() if k != "delivered")
        assert teu.sum() == teu[out].sum() + in_system
        for k, m in parts.items():
            totals[k] = totals.get(k, 0.0) + float(teu[m].sum())

        # On a train: what the trains table says is travelling at the horizon.
        t = trains[trains["replication"] == rep]
        moving = t[(t["t_departed"] <= h) & ~(t["t_arrived"] <= h)]
        assert teu[on_train].sum() == moving["teu"].sum(), f"replication {rep}: rail TEU"

        # In each yard block: what the block's own level says, up to trucks between yard
        # and gate.
        yard_in = c["t_yard_in"].notna().to_numpy()
        at_gate = _level_at(queues, rep, f"{hub}.gate", h, "busy") + _level_at(
            queues, rep, f"{hub}.gate", h, "queue"
        )
        for block, inside in (
            ("export", exp & yard_in & ~reached["t_train_departed"]),
            ("import", ~exp & yard_in & ~out),
        ):
            held = teu[inside].sum()
            level = _level_at(queues, rep, f"{hub}.yard.{block}", h, "busy")
            assert held <= level <= held + 2 * at_gate, (
                f"replication {rep}: {block} block level {level} TEU, boxes inside {held} "
                f"TEU, {at_gate} trucks at the gate"
            )
    return totals
