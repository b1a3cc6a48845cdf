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

CHARGE_COLUMNS: tuple[str, ...] = (
    "rail_cny",
    "sea_cny",
    "drayage_cny",
    "toll_cny",
    "handling_cny",
    "storage_cny",
    "time_cny",
)
"""The charges a shipper pays for a box, which ``door_cny`` adds up (see below)."""

ACCOUNT_COLUMNS: tuple[str, ...] = (
    *CHARGE_COLUMNS,
    "toll_waived_cny",
    "door_cny",
    "public_cny",
    "road_cny",
    "co2e_drayage_kg",
    "co2e_rail_kg",
    "co2e_sea_kg",
    "co2e_kg",
    "road_co2e_kg",
    "induced_share",
)
"""A box's door-to-door account, filled when the run ends (:func:`sim.model.economics.settle`),
all for the box's TEU. Money (CNY): ``rail_cny`` (tariff after discount), ``sea_cny``,
``drayage_cny`` (truck haul between region and hub, without tolls), ``toll_cny`` (tolls paid
after the cut), ``handling_cny`` (at the hub and the rail–sea port), ``storage_cny`` (yard
days beyond the free time), ``time_cny`` (value of time from creation to delivery),
``door_cny`` (the shipper's door-to-door total: those seven − the subsidy), ``public_cny``
(subsidy + rail discount + ``toll_waived_cny``) and ``road_cny`` (the same cargo by the
competing route: its price + value of time). CO₂e (kg, well-to-wheel): ``co2e_drayage_kg``,
``co2e_rail_kg``, ``co2e_sea_kg``, their sum ``co2e_kg``, and ``road_co2e_kg`` by the
competing route. ``induced_share``: the share of the box the policy brought (1 − m₀/m). NaN
where it does not apply: boxes trucked in (no rail route), CO₂e without emissions in the
scenario, storage, time and the totals until the box is delivered."""

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
    **dict.fromkeys(ACCOUNT_COLUMNS, float),
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
