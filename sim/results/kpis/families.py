"""Every KPI family of landport, each defined once: the one file to touch for a new KPI.

A :class:`~sim.results.kpis.registry.Family` names its pattern, unit, English and Chinese
labels, theme, whether it is headline, key and regression-checked, and the computation that
gives its values (:mod:`sim.results.kpis.measures`). The order here is the order of headline
tables (headline families first, as a planner reads them); each computation runs where a
family first names it, so the KPIs of a run come out in the order of :data:`KPIS`'s
computations (trains, containers, resources, corridors, then the derived count).

To add a KPI: write its computation (a function of :class:`~sim.results.kpis.measures.
KpiInputs` returning ``{name: value}``) and register a family for it here; every table, plot,
report, comparison, sweep and check then shows it where its flags say.

The module is a little over 400 lines: one declaration of about ten lines per family, kept in
one file so that every KPI of landport reads in one place.
"""

from __future__ import annotations

from sim.results.kpis.measures import (
    container_measures,
    corridor_stability,
    economics_measures,
    resource_measures,
    train_measures,
    unstable_count,
)
from sim.results.kpis.recovery import recovery_kpis
from sim.results.kpis.registry import Derived, Family, Paired, Registry
from sim.results.runinfo import Label

IMPORT_FIRST = {"direction": ("import", "export")}
HEADLINE_STATS = ("mean", "p90")
UNSTABLE = Derived(unstable_count)
RECOVERY = Paired(recovery_kpis)


def _l(en: str, zh: str) -> Label:
    return Label(en=en, zh=zh)


KPIS = Registry(
    [
        # -------------------------------------------------------------- headline, in order
        Family(
            "trains.total",
            "trains",
            _l("Trains run, all corridors", "开行班列，全部通道"),
            "throughput",
            train_measures,
            headline=True,
            checked=True,
        ),
        Family(
            "trains.<corridor>",
            "trains",
            _l("Trains run, {corridor}", "开行班列，{corridor}"),
            "throughput",
            train_measures,
            headline=True,
            checked=True,
        ),
        Family(
            "teu.total",
            "TEU",
            _l("TEU carried by train, all corridors", "铁路运量（TEU），全部通道"),
            "throughput",
            train_measures,
            headline=True,
            key=True,
        ),
        Family(
            "teu.road.import",
            "TEU",
            _l("TEU, Road (truck), import", "公路进口运量（TEU）"),
            "throughput",
            container_measures,
        ),
        Family(
            "teu.<corridor>.<direction>",
            "TEU",
            _l("TEU, {corridor}, {direction}", "运量（TEU），{corridor}，{direction}"),
            "throughput",
            train_measures,
            headline=True,
            checked=True,
        ),
        Family(
            "teu_per_train.mean",
            "TEU/train",
            _l("TEU per train, all corridors", "平均每列TEU，全部通道"),
            "throughput",
            train_measures,
            headline=True,
        ),
        Family(
            "train_load_factor.<corridor>",
            "share",
            _l("Train load factor, {corridor}", "班列装载率，{corridor}"),
            "throughput",
            train_measures,
            headline=True,
        ),
        Family(
            "clearance_h.import.<stat>",
            "h",
            _l("Import customs clearance time, {stat}", "进口通关时间，{stat}"),
            "time",
            container_measures,
            headline=True,
            key=True,
            checked=True,
            values={"stat": HEADLINE_STATS},
        ),
        Family(
            "clearance_h.export.<stat>",
            "h",
            _l("Export customs clearance time, {stat}", "出口通关时间，{stat}"),
            "time",
            container_measures,
            headline=True,
            checked=True,
            values={"stat": HEADLINE_STATS},
        ),
        Family(
            "dwell_h.<hub>.<direction>.mean",
            "h",
            _l("{Direction} dwell at {Hub}, mean", "{hub}{direction}箱停留时间，均值"),
            "time",
            container_measures,
            headline=True,
            checked=True,
            values=IMPORT_FIRST,
        ),
        Family(
            "door_to_door_h.<direction>.mean",
            "h",
            _l("{Direction} door-to-door time, mean", "{direction}门到门时间，均值"),
            "time",
            container_measures,
            headline=True,
            values=IMPORT_FIRST,
        ),
        Family(
            "utilisation.<hub>.<resource>",
            "share",
            _l("Utilisation of {resource}", "{resource}利用率"),
            "capacity",
            resource_measures,
            headline=True,
            key=True,
        ),
        Family(
            "backlog_teu.total",
            "TEU",
            _l(
                "TEU still in the system at the end, all corridors",
                "期末滞留箱量（TEU），全部通道",
            ),
            "throughput",
            container_measures,
            headline=True,
        ),
        Family(
            "turned_away_teu.total",
            "TEU",
            _l(
                "TEU turned away to the competing route, all corridors",
                "转走至竞争线路的箱量（TEU），全部通道",
            ),
            "throughput",
            container_measures,
            headline=True,
        ),
        Family(
            "unstable.count",
            "flag",
            _l("Queues and backlogs that grow without bound", "无界增长的排队与积压数"),
            "stability",
            UNSTABLE,
            headline=True,
        ),
        Family(
            "cost.shipper_cny",
            "CNY",
            _l("Shipper cost, all counted containers", "货主物流成本，全部计入集装箱"),
            "money",
            container_measures,
            headline=True,
        ),
        Family(
            "cost.subsidy_cny",
            "CNY",
            _l("Operating subsidy paid", "运营补贴支出"),
            "money",
            container_measures,
            headline=True,
            key=True,
        ),
        Family(
            "cost.rail_discount_cny",
            "CNY",
            _l("Rail freight-rate discount given", "铁路运价优惠金额"),
            "money",
            container_measures,
            headline=True,
        ),
        Family(
            "cost.per_teu.<corridor>",
            "CNY/TEU",
            _l(
                "Door-to-door cost per TEU, shipper, {corridor}",
                "货主门到门成本（元/TEU），{corridor}",
            ),
            "money",
            economics_measures,
            headline=True,
        ),
        Family(
            "subsidy.per_extra_teu",
            "CNY/TEU",
            _l(
                "Public money per TEU the policy brought to rail",
                "政策吸引的每TEU所需公共资金",
            ),
            "money",
            economics_measures,
            headline=True,
        ),
        Family(
            "co2e.kg_per_teu.<corridor>",
            "kg/TEU",
            _l(
                "CO₂e per TEU, well-to-wheel, {corridor}",
                "每TEU二氧化碳当量（全生命周期），{corridor}",
            ),
            "emissions",
            economics_measures,
            headline=True,
        ),
        Family(
            "co2e.avoided_t",
            "t",
            _l(
                "CO₂e avoided against sending the same cargo by road",
                "相对公路运输同样货物减少的二氧化碳当量",
            ),
            "emissions",
            economics_measures,
            headline=True,
        ),
        Family(
            "subsidy.per_t_co2e_avoided",
            "CNY/t",
            _l(
                "Public money per tonne of CO₂e avoided by the cargo the policy brought",
                "政策吸引货物每减排一吨二氧化碳当量的公共资金",
            ),
            "emissions",
            economics_measures,
            headline=True,
        ),
        # -------------------------------------------------------------- door to door
        Family(
            "cost.road_per_teu.<corridor>",
            "CNY/TEU",
            _l(
                "Door-to-door cost per TEU by the competing route, {corridor}",
                "竞争线路门到门成本（元/TEU），{corridor}",
            ),
            "money",
            economics_measures,
        ),
        Family(
            "cost.public_per_teu.<corridor>",
            "CNY/TEU",
            _l(
                "Public money per TEU (subsidy, rail discount, tolls waived), {corridor}",
                "每TEU公共资金（补贴、运价优惠、免收通行费），{corridor}",
            ),
            "money",
            economics_measures,
        ),
        Family(
            "cost.public_cny",
            "CNY",
            _l(
                "Public money: subsidy, rail discount and tolls waived, boxes delivered",
                "公共资金：补贴、运价优惠与免收通行费（已交付箱）",
            ),
            "money",
            economics_measures,
        ),
        Family(
            "teu.induced",
            "TEU",
            _l("TEU the policy brought to rail", "政策吸引至铁路的运量（TEU）"),
            "throughput",
            economics_measures,
        ),
        Family(
            "co2e.road_kg_per_teu.<corridor>",
            "kg/TEU",
            _l(
                "CO₂e per TEU by the competing route, {corridor}",
                "竞争线路每TEU二氧化碳当量，{corridor}",
            ),
            "emissions",
            economics_measures,
        ),
        Family(
            "co2e.total_t",
            "t",
            _l("CO₂e of the boxes delivered, well-to-wheel", "已交付箱的二氧化碳当量"),
            "emissions",
            economics_measures,
        ),
        Family(
            "co2e.road_t",
            "t",
            _l("CO₂e of the same cargo by road", "同样货物经公路运输的二氧化碳当量"),
            "emissions",
            economics_measures,
        ),
        Family(
            "co2e.induced_avoided_t",
            "t",
            _l(
                "CO₂e avoided by the cargo the policy brought",
                "政策吸引货物减少的二氧化碳当量",
            ),
            "emissions",
            economics_measures,
        ),
        # -------------------------------------------------------------- trains
        Family(
            "trains.<corridor>.<direction>",
            "trains",
            _l("Trains run, {corridor}, {direction}", "开行班列，{corridor}，{direction}"),
            "throughput",
            train_measures,
        ),
        Family(
            "teu_per_train.<corridor>",
            "TEU/train",
            _l("TEU per train, {corridor}", "平均每列TEU，{corridor}"),
            "throughput",
            train_measures,
        ),
        Family(
            "train_delay_h.export.mean",
            "h",
            _l(
                "Export train departure after its scheduled time, mean",
                "出口班列晚于计划发车时间，均值",
            ),
            "time",
            train_measures,
        ),
        Family(
            "train_turnaround_h.import.mean",
            "h",
            _l("Import train arrival to unloaded, mean", "进口班列到达至卸毕时间，均值"),
            "time",
            train_measures,
        ),
        Family(
            "trains.waited_outside",
            "trains",
            _l(
                "Import trains that waited outside the hub for a free track",
                "因无空闲到发线在站外等待的进口班列",
            ),
            "capacity",
            train_measures,
        ),
        # -------------------------------------------------------------- times
        Family(
            "clearance_h.<direction>.<stat>",
            "h",
            _l("{Direction} customs clearance time, {stat}", "{direction}通关时间，{stat}"),
            "time",
            container_measures,
            values={**IMPORT_FIRST, "stat": ("p50", "p95")},
        ),
        Family(
            "clearance_h.<direction>.censored",
            "containers",
            _l("{Direction} clearances still running at the end", "期末仍在通关的{direction}箱"),
            "time",
            container_measures,
            values=IMPORT_FIRST,
        ),
        Family(
            "dwell_h.<hub>.<direction>.<stat>",
            "h",
            _l("{Direction} dwell at {Hub}, {stat}", "{hub}{direction}箱停留时间，{stat}"),
            "time",
            container_measures,
            values={**IMPORT_FIRST, "stat": ("p50", "p90", "p95")},
        ),
        Family(
            "dwell_h.<hub>.<direction>.censored",
            "containers",
            _l(
                "{Direction} stays at {Hub} still running at the end",
                "期末仍停留在{hub}的{direction}箱",
            ),
            "time",
            container_measures,
            values=IMPORT_FIRST,
        ),
        Family(
            "customs.import.inspected_share",
            "share",
            _l("Share of import containers physically inspected", "进口箱查验比例"),
            "time",
            container_measures,
        ),
        Family(
            "customs.import.quarantined_share",
            "share",
            _l("Share of import containers quarantine sampled", "进口箱检疫抽样比例"),
            "time",
            container_measures,
        ),
        # -------------------------------------------------------------- what got through
        Family(
            "containers.<count>",
            "containers",
            _l("Containers {count}", "集装箱，{count}"),
            "throughput",
            container_measures,
            values={"count": ("created", "delivered", "turned_away", "in_system")},
        ),
        Family(
            "turned_away_share.total",
            "share",
            _l("Share of TEU turned away to the competing route", "转走至竞争线路的箱量占比"),
            "throughput",
            container_measures,
        ),
        Family(
            "backlog_teu.state.<state>",
            "TEU",
            _l("TEU still in the system at the end, {state}", "期末滞留箱量（TEU），{state}"),
            "throughput",
            container_measures,
        ),
        Family(
            "backlog_teu.<corridor>.<direction>",
            "TEU",
            _l(
                "TEU still in the system at the end, {corridor}, {direction}",
                "期末滞留箱量（TEU），{corridor}，{direction}",
            ),
            "throughput",
            container_measures,
        ),
        Family(
            "turned_away_teu.<corridor>.<direction>",
            "TEU",
            _l(
                "TEU turned away to the competing route, {corridor}, {direction}",
                "转走至竞争线路的箱量（TEU），{corridor}，{direction}",
            ),
            "throughput",
            container_measures,
        ),
        Family(
            "undelivered_share.<corridor>.<direction>",
            "share",
            _l(
                "Share of accepted TEU not delivered by the end, {corridor}, {direction}",
                "期末未交付箱量占比，{corridor}，{direction}",
            ),
            "throughput",
            container_measures,
        ),
        Family(
            "rolled_teu.sea.<direction>",
            "TEU",
            _l(
                "TEU that found their sailing full ({direction})",
                "因船满甩柜的箱量（{direction}）",
            ),
            "throughput",
            container_measures,
        ),
        # -------------------------------------------------------------- resources
        Family(
            "queue.<hub>.<resource>.mean",
            "items",
            _l("Mean queue at {resource}", "{resource}平均排队"),
            "capacity",
            resource_measures,
        ),
        Family(
            "queue.<hub>.<resource>.end",
            "items",
            _l("Queue at {resource} at the end", "期末{resource}排队"),
            "capacity",
            resource_measures,
        ),
        Family(
            "growth_per_day.<hub>.<resource>",
            "items/day",
            _l("Growth per day of {resource}", "{resource}排队日增长"),
            "stability",
            resource_measures,
        ),
        Family(
            "unstable.<hub>.<resource>",
            "flag",
            _l("Grows without bound: {resource}", "无界增长：{resource}"),
            "stability",
            resource_measures,
        ),
        # -------------------------------------------------------------- corridors
        Family(
            "growth_per_day.corridor.<corridor>.<direction>",
            "items/day",
            _l(
                "Growth per day of {corridor}, {direction} backlog",
                "{corridor}{direction}积压日增长",
            ),
            "stability",
            corridor_stability,
        ),
        Family(
            "unstable.corridor.<corridor>.<direction>",
            "flag",
            _l(
                "Grows without bound: {corridor}, {direction} backlog",
                "无界增长：{corridor}{direction}积压",
            ),
            "stability",
            corridor_stability,
        ),
        # -------------------------------------------------------------- recovery (compare)
        # Against the undisrupted run, pair by pair (sim.results.kpis.recovery); <corridor>
        # is also "all". Computed by a comparison whose B has disruptions.
        Family(
            "recovery.<disruption>.<corridor>.teu_delayed",
            "TEU",
            _l(
                "TEU delayed by {disruption}, {corridor}",
                "{disruption}延误箱量（TEU），{corridor}",
            ),
            "throughput",
            RECOVERY,
        ),
        Family(
            "recovery.<disruption>.<corridor>.extra_h_per_delayed_teu",
            "h",
            _l(
                "Extra hours per delayed TEU, {disruption}, {corridor}",
                "每延误TEU额外小时，{disruption}，{corridor}",
            ),
            "time",
            RECOVERY,
        ),
        Family(
            "recovery.<disruption>.<corridor>.peak_backlog_teu",
            "TEU",
            _l(
                "Peak extra backlog, {disruption}, {corridor}",
                "积压峰值增量（TEU），{disruption}，{corridor}",
            ),
            "throughput",
            RECOVERY,
        ),
        Family(
            "recovery.<disruption>.<corridor>.recovery_h",
            "h",
            _l(
                "Time to recover after {disruption} ends, {corridor}",
                "{disruption}结束后恢复时间，{corridor}",
            ),
            "time",
            RECOVERY,
        ),
        Family(
            "recovery.<disruption>.<corridor>.recovered",
            "share",
            _l(
                "Replications recovered from {disruption} by the end, {corridor}",
                "期末已从{disruption}恢复的重复次数占比，{corridor}",
            ),
            "stability",
            RECOVERY,
        ),
        Family(
            "recovery.<disruption>.<corridor>.trains_held",
            "trains",
            _l(
                "Trains held, diverted or slowed by {disruption}, {corridor}",
                "因{disruption}滞留、绕行或限速的班列，{corridor}",
            ),
            "capacity",
            RECOVERY,
        ),
        Family(
            "recovery.<disruption>.<corridor>.trains_cancelled",
            "trains",
            _l(
                "Trains cancelled by {disruption}, {corridor}",
                "因{disruption}停开的班列，{corridor}",
            ),
            "capacity",
            RECOVERY,
        ),
        Family(
            "recovery.<disruption>.<corridor>.sailings_cancelled",
            "sailings",
            _l(
                "Sailings cancelled by {disruption}, {corridor}",
                "因{disruption}取消的航班，{corridor}",
            ),
            "capacity",
            RECOVERY,
        ),
        Family(
            "recovery.<disruption>.<corridor>.turned_away_teu",
            "TEU",
            _l(
                "Extra TEU turned away during {disruption}, {corridor}",
                "{disruption}期间额外转走箱量（TEU），{corridor}",
            ),
            "throughput",
            RECOVERY,
        ),
        Family(
            "recovery.<disruption>.<corridor>.storage_cny",
            "CNY",
            _l(
                "Extra yard storage cost of {disruption}, {corridor}",
                "{disruption}额外堆存费用，{corridor}",
            ),
            "money",
            RECOVERY,
        ),
        Family(
            "recovery.<disruption>.<corridor>.demurrage_cny",
            "CNY",
            _l(
                "Extra demurrage of {disruption}, {corridor}",
                "{disruption}额外滞期费，{corridor}",
            ),
            "money",
            RECOVERY,
        ),
        Family(
            "recovery.<disruption>.<corridor>.turned_away_cny",
            "CNY",
            _l(
                "Margin lost to the competing route in {disruption}, {corridor}",
                "{disruption}期间转走货物损失的收益，{corridor}",
            ),
            "money",
            RECOVERY,
        ),
    ]
)
"""The KPI registry of landport."""
