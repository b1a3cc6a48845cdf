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
from sim.results.stats import whole_numbers
from sim.results.tables import TableColumns

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


def _milestones(
    c: TableColumns, direction: str, order: tuple[str, ...]
) -> tuple[np.ndarray, np.ndarray]:
    """The rows of the containers of ``direction`` and their milestones in ``order`` (one
    column each), made once per table."""
    key = ("milestones", direction)
    if key not in c.memo:
        mine = np.flatnonzero(c.equals("direction", direction))
        c.memo[key] = (mine, np.column_stack([c.floats(name)[mine] for name in order]))
    found: tuple[np.ndarray, np.ndarray] = c.memo[key]
    return found


def state_codes(containers: pd.DataFrame | TableColumns, t: float) -> np.ndarray:
    """The state of every container at time ``t`` as its index in :data:`STATES` (−1 if not
    yet created)."""
    c = TableColumns.of(containers)
    out = np.full(len(c), -1, dtype=np.int8)
    for d, order, names in (
        ("export", EXPORT_ORDER, EXPORT_STATES),
        ("import", IMPORT_ORDER, IMPORT_STATES),
    ):
        mine, m = _milestones(c, d, order)
        # the state after the last milestone in order reached by t
        reached = m <= t
        last = len(order) - 1 - np.argmax(reached[:, ::-1], axis=1)
        some = reached.any(axis=1)
        codes = np.array([STATES.index(names[name]) for name in order], dtype=np.int8)
        out[mine[some]] = codes[last[some]]
    out[(c.floats("t_turned_away") <= t)] = STATES.index("turned_away")
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
    containers: pd.DataFrame | TableColumns,
    states: frozenset[str],
    since: float | None = None,
) -> dict[tuple[str, str], tuple[np.ndarray, np.ndarray]]:
    """TEU in any of ``states`` over time, per (corridor, direction), as step functions
    (change times ascending, level from each time on).

    With ``since``, the changes at or before it become one, at the time of the last of them,
    whose level is theirs: the same step function from ``since`` on — all a statistic over a
    window from ``since`` reads — for less sorting. (TEU are whole numbers, so the level
    after them is exactly their sum, however added; a corridor whose changes are not whole
    numbers, or would be left with one change, keeps them all.)"""
    c = TableColumns.of(containers)
    out: dict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = {}
    teu = c.floats("teu")
    corridor, names_ = c.codes("corridor")
    away = c.floats("t_turned_away")
    for d, order, names in (
        ("export", EXPORT_ORDER, EXPORT_STATES),
        ("import", IMPORT_ORDER, IMPORT_STATES),
    ):
        cols = [j for j, name in enumerate(order) if names[name] in states]
        if not cols:
            continue
        rows, milestones = _milestones(c, d, order)
        kept = np.isnan(away[rows])
        mine, m = rows[kept], milestones[kept]
        # the next milestone reached after each one (NaN: none yet)
        after = np.fmin.accumulate(m[:, ::-1], axis=1)[:, ::-1]
        nxt = np.concatenate((after[:, 1:], np.full((len(m), 1), np.nan)), axis=1)
        # one row per state entered, one column per container: a row's times are nearly in
        # order (containers are numbered as they come), which the stable sort below is
        # quick to finish
        start = np.ascontiguousarray(m[:, cols].T)
        end = np.ascontiguousarray(nxt[:, cols].T)
        w = np.broadcast_to(teu[mine], start.shape)
        keys = np.broadcast_to(corridor[mine], start.shape)
        began = ~np.isnan(start) & (keys >= 0)
        ended = began & ~np.isnan(end)
        # every change: the starts, then the ends (among changes at one time, the level
        # after the last of them is the same in any order)
        key = np.concatenate((keys[began], keys[ended]))
        times = np.concatenate((start[began], end[ended]))
        delta = np.concatenate((w[began], -w[ended]))
        # corridors in sorted order of their names
        for i in sorted(np.unique(key).tolist(), key=names_.__getitem__):
            sel = key == i
            mine_times, mine_delta = times[sel], delta[sel]
            if since is not None:
                mine_times, mine_delta = _fold(mine_times, mine_delta, since)
            order_ = np.argsort(mine_times, kind="stable")
            out[(names_[i], d)] = (mine_times[order_], np.cumsum(mine_delta[order_]))
    return out


def _fold(times: np.ndarray, delta: np.ndarray, since: float) -> tuple[np.ndarray, np.ndarray]:
    """Changes at or before ``since`` as one, first (see :func:`state_levels`)."""
    early = times <= since
    n = int(early.sum())
    if n < 2 or n == len(times) or not whole_numbers(delta):
        return times, delta
    late = ~early
    return (
        np.concatenate(([times[early].max()], times[late])),
        np.concatenate(([delta[early].sum()], delta[late])),
    )
