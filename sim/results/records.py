"""Row types of the output tables, as column name → dtype.

The model appends rows of these shapes to the recorder; the results layer turns them into
tidy DataFrames and Parquet files. Times are hours from the scenario's start date (negative
during warm-up); NaN means the milestone was not reached (not applicable, or not yet when
the run ended). ``*_at`` timestamp columns are added when tables are built.
"""

from __future__ import annotations

EXPORT_ORDER: tuple[str, ...] = (
    "t_created",
    "t_gate_in",
    "t_consolidated",
    "t_yard_in",
    "t_customs_start",
    "t_customs_end",
    "t_loaded",
    "t_train_departed",
    "t_border",
    "t_train_arrived",
    "t_port",
    "t_vessel",
    "t_delivered",
)
"""Export flow order: gate → (LCL stuffing) → yard → customs → train → border/port → vessel."""

IMPORT_ORDER: tuple[str, ...] = (
    "t_created",
    "t_vessel",
    "t_port",
    "t_loaded",
    "t_train_departed",
    "t_border",
    "t_train_arrived",
    "t_gate_in",
    "t_yard_in",
    "t_customs_start",
    "t_customs_end",
    "t_consolidated",
    "t_delivered",
)
"""Import flow order: vessel → port → train → border → hub yard → customs → (LCL) → out."""

CONTAINER_MILESTONES: tuple[str, ...] = (*EXPORT_ORDER, "t_turned_away")
"""Every milestone column: those of both flow orders (the same milestones, here in export
order) and ``t_turned_away``: no train or sailing had room in time (or its corridor is
switched off), so the cargo went by the competing route; such a container passes no other
milestone. Which milestones a container passes depends on its direction."""

CONTAINER_COLUMNS: dict[str, object] = {
    "container_id": int,
    "shipment_id": int,
    "flow": object,
    "corridor": object,
    "direction": object,
    "commodity": object,
    "place": object,
    "region": object,
    "teu": int,
    "lcl": bool,
    "agricultural": bool,
    **dict.fromkeys(CONTAINER_MILESTONES, float),
    "inspected": bool,
    "quarantined": bool,
    "train_id": int,
    "vessel_id": int,
    "rolls": int,
    "shipper_cost_cny": float,
    "subsidy_cny": float,
    "rail_discount_cny": float,
}

SHIPMENT_COLUMNS: dict[str, object] = {
    # t_created: ready and booked; t_arrived: cargo reaches the hub gate (exports), the origin
    # terminal or overseas port (imports), which is when its containers are created (NaN if
    # turned away); booked_h: scheduled departure of the train or sailing booked (NaN if not
    # booked); turned_away: no departure with room in time, cargo went by the competing route.
    "shipment_id": int,
    "flow": object,
    "corridor": object,
    "direction": object,
    "commodity": object,
    "place": object,
    "region": object,
    "lcl": bool,
    "containers": int,
    "teu": int,
    "cbm": float,
    "t_created": float,
    "t_arrived": float,
    "booked_h": float,
    "turned_away": bool,
    "container_id": int,
}

TRAIN_COLUMNS: dict[str, object] = {
    "train_id": int,
    "corridor": object,
    "direction": object,
    "origin": object,
    "destination": object,
    "policy": object,
    "capacity_teu": int,
    "t_scheduled": float,
    "t_open": float,
    "t_departed": float,
    "t_arrived": float,
    # import trains at the hub: received on an arrival/departure track, moved to a siding
    # (with yard space for their load), unloaded
    "t_received": float,
    "t_siding": float,
    "t_unloaded": float,
    "teu": int,
    "containers": int,
    "ran": bool,
    # disruptions: hours the train waited at a closed crossing or line on its run (NaN: none);
    # cancelled: it did not run because a disruption cancelled it; disruption: the one that
    # held, slowed, diverted or cancelled it (None: none)
    "held_h": float,
    "cancelled": bool,
    "disruption": object,
}

VESSEL_COLUMNS: dict[str, object] = {
    "vessel_id": int,
    "port": object,
    "direction": object,
    "t_sailed": float,
    "t_arrived": float,
    "teu": int,
    "containers": int,
    # a sailing a port closure cancelled (direction "both", nothing carried), or that it
    # delayed, reduced or held at anchor: the disruption's name (None: none)
    "cancelled": bool,
    "disruption": object,
}
