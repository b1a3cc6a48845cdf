"""Where each container is at a given time, named from its milestones.

A container's state at time ``t`` is set by the last milestone it had reached by ``t``, in
its direction's order (:data:`sim.results.records.EXPORT_ORDER` / ``IMPORT_ORDER``): after
``t_customs_end`` an export container is ``awaiting_train``, after ``t_vessel`` it is
``at_sea``, and so on. So every container is, at every time, ``delivered``, ``turned_away``
or in one named state — what the KPIs call the backlog, and what a planner asks of a run
that ended with cargo still inside.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.results.records import EXPORT_ORDER, IMPORT_ORDER


def text_values(column: pd.Series) -> np.ndarray:
    """``column.astype(str).to_numpy()``: a text column as an object array of ``str`` (missing
    values NaN). A categorical of text is read from its codes — one take from its categories,
    not a string array built by pandas for every row."""
    values = column.array
    if isinstance(values, pd.Categorical) and pd.api.types.is_string_dtype(values.categories):
        names = np.asarray(values.categories, dtype=object)
        return np.append(names, np.array([np.nan], dtype=object))[values.codes]
    return column.astype(str).to_numpy()


EXPORT_STATES: dict[str, str] = {
    "t_created": "at_gate",
    "t_gate_in": "consolidating",
    "t_consolidated": "awaiting_yard",
    "t_yard_in": "in_customs",
    "t_customs_start": "in_customs",
    "t_customs_end": "awaiting_train",
    "t_loaded": "loading",
    "t_train_departed": "on_train",
    "t_border": "on_train",
    "t_train_arrived": "at_port",
    "t_port": "awaiting_sailing",
    "t_vessel": "at_sea",
    "t_delivered": "delivered",
}
"""Export state after each milestone. An FCL container passes the gate into the yard and
customs at once, so ``consolidating`` is only ever an LCL container's state."""

IMPORT_STATES: dict[str, str] = {
    "t_created": "awaiting_departure",
    "t_vessel": "at_sea",
    "t_port": "awaiting_train",
    "t_loaded": "loading",
    "t_train_departed": "on_train",
    "t_border": "on_train",
    "t_train_arrived": "awaiting_unloading",
    "t_gate_in": "in_customs",
    "t_yard_in": "in_customs",
    "t_customs_start": "in_customs",
    "t_customs_end": "awaiting_collection",
    "t_consolidated": "awaiting_collection",
    "t_delivered": "delivered",
}
"""Import state after each milestone. ``awaiting_departure``: ready overseas or at the
origin terminal (or, for a truck import, at the hub gate), not yet on its way."""

STATES: tuple[str, ...] = tuple(
    dict.fromkeys([*EXPORT_STATES.values(), *IMPORT_STATES.values(), "turned_away"])
)
"""Every state a container can be in."""


def state_codes(containers: pd.DataFrame, t: float) -> np.ndarray:
    """The state of every container at time ``t`` as its index in :data:`STATES` (−1 if not
    yet created)."""
    c = containers
    out = np.full(len(c), -1, dtype=np.int8)
    direction = text_values(c["direction"])
    for d, order, names in (
        ("export", EXPORT_ORDER, EXPORT_STATES),
        ("import", IMPORT_ORDER, IMPORT_STATES),
    ):
        mine = direction == d
        for milestone in order:
            reached = mine & (c[milestone].to_numpy(dtype=float) <= t)
            out[reached] = STATES.index(names[milestone])
    out[(c["t_turned_away"].to_numpy(dtype=float) <= t)] = STATES.index("turned_away")
    return out


def states_at(containers: pd.DataFrame, t: float) -> np.ndarray:
    """The state of every container at time ``t`` (``""`` if not yet created)."""
    return np.array([*STATES, ""], dtype=object)[state_codes(containers, t)]


WAITING: frozenset[str] = frozenset(
    {
        "at_gate",
        "awaiting_yard",
        "awaiting_train",
        "awaiting_sailing",
        "awaiting_departure",
        "awaiting_unloading",
    }
)
"""States in which a container queues for a resource or a departure (not travelling, not in
customs, not held by a timer)."""


def state_levels(
    containers: pd.DataFrame, states: frozenset[str]
) -> dict[tuple[str, str], tuple[np.ndarray, np.ndarray]]:
    """TEU in any of ``states`` over time, per (corridor, direction), as step functions
    (change times ascending, level from each time on)."""
    c = containers
    out: dict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = {}
    teu = c["teu"].to_numpy(dtype=float)
    corridor = text_values(c["corridor"])
    direction = text_values(c["direction"])
    away = c["t_turned_away"].to_numpy(dtype=float)
    for d, order, names in (
        ("export", EXPORT_ORDER, EXPORT_STATES),
        ("import", IMPORT_ORDER, IMPORT_STATES),
    ):
        cols = [j for j, name in enumerate(order) if names[name] in states]
        if not cols:
            continue
        mine = np.flatnonzero((direction == d) & np.isnan(away))
        m = np.column_stack([c[name].to_numpy(dtype=float)[mine] for name in order])
        # the next milestone reached after each one (NaN: none yet)
        after = np.fmin.accumulate(m[:, ::-1], axis=1)[:, ::-1]
        nxt = np.concatenate((after[:, 1:], np.full((len(m), 1), np.nan)), axis=1)
        start, end = m[:, cols], nxt[:, cols]
        w = np.repeat(teu[mine][:, None], len(cols), axis=1)
        # corridors as integer codes, in sorted order
        codes, corridors = pd.factorize(corridor[mine], sort=True)
        keys = np.repeat(codes.reshape(-1, 1), len(cols), axis=1)
        began = ~np.isnan(start)
        for i, cor in enumerate(corridors.tolist()):
            sel = began & (keys == i)
            ended = sel & ~np.isnan(end)
            times = np.concatenate((start[sel], end[ended]))
            delta = np.concatenate((w[sel], -w[ended]))
            order_ = np.argsort(times, kind="stable")
            out[(cor, d)] = (times[order_], np.cumsum(delta[order_]))
    return out
