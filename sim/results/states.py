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


def states_at(containers: pd.DataFrame, t: float) -> np.ndarray:
    """The state of every container at time ``t`` (``""`` if not yet created)."""
    c = containers
    out = np.full(len(c), "", dtype=object)
    direction = c["direction"].astype(str).to_numpy()
    for d, order, names in (
        ("export", EXPORT_ORDER, EXPORT_STATES),
        ("import", IMPORT_ORDER, IMPORT_STATES),
    ):
        mine = direction == d
        for milestone in order:
            reached = mine & (c[milestone].to_numpy(dtype=float) <= t)
            out[reached] = names[milestone]
    out[(c["t_turned_away"].to_numpy(dtype=float) <= t)] = "turned_away"
    return out
