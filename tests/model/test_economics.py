"""Door-to-door accounts: every formula against numbers worked by hand, and every per-TEU
KPI recomputed from the containers table in one line of pandas."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.engine import Table
from sim.model.build import build_network
from sim.model.economics import (
    Account,
    Rates,
    drayage_cny_per_teu,
    drayage_parts,
    leg_co2e_kg_per_teu,
    rail_co2e_kg_per_teu,
    route_account,
    route_economics,
    settle,
)
from sim.model.flows import Flow
from sim.results.kpis.measures import delivered_accounts, economics_kpis
from sim.results.records import CONTAINER_COLUMNS
from sim.results.tables import frame
from sim.scenario import Scenario, ScenarioError, load_scenario
from sim.scenario.schema import Intensity
from tests.conftest import BASELINE

TRUCK_G_PER_TKM, T_PER_TEU = 110.0, 20.7


def test_drayage_splits_into_haul_tolls_paid_and_tolls_waived():
    # 100 km at ¥6: ¥600, of which tolls are 35 % = ¥210; half waived → ¥105 paid, ¥105 waived.
    d = drayage_parts(100, 6, 0.35, 0.5)
    assert (d.haul_cny, d.toll_cny, d.waived_cny) == pytest.approx((390, 105, 105))
    assert d.haul_cny + d.toll_cny == pytest.approx(drayage_cny_per_teu(100, 6, 0.35, 0.5))


def test_an_intensity_per_tonne_km_counts_the_tonnes_of_a_teu_and_one_per_teu_km_does_not():
    truck = Intensity(g_per_tkm=110, source="test")
    ship = Intensity(g_per_teu_km=266, source="test")
    assert truck.kg_per_teu_km(20.7) == pytest.approx(110 * 20.7 / 1000)  # 2.277 kg/TEU-km
    assert ship.kg_per_teu_km(20.7) == ship.kg_per_teu_km(10.0) == pytest.approx(0.266)
    assert leg_co2e_kg_per_teu(330, ship.kg_per_teu_km(20.7)) == pytest.approx(87.78)
    with pytest.raises(ValueError, match="exactly one"):
        Intensity(g_per_tkm=1, g_per_teu_km=1, source="test")


def _account(s: Scenario, flow: str) -> Account:
    return route_account(s, build_network(s), s.demand.flows[flow])


def test_co2e_of_a_road_only_journey_is_distance_times_intensity_times_tonnes(baseline):
    # China–Laos competes with trucks via the Mohan road crossing: 2,100 km, no sea leg.
    acc = _account(baseline, "china_laos_export")
    assert acc.road_co2e_kg == pytest.approx([2100 * TRUCK_G_PER_TKM * T_PER_TEU / 1000])
    assert acc.road_co2e_kg[0] == pytest.approx(4781.7)


def test_rail_co2e_adds_each_leg_by_its_traction(baseline):
    # Huaihua–Liuzhou–Nanning–Pingxiang, 430 + 250 + 220 = 900 km electric at 13 g/tkm, then
    # Pingxiang–Hanoi, 162 km diesel at 22 g/tkm, each × 20.7 t.
    want = (900 * 13 + 162 * 22) * T_PER_TEU / 1000  # 242.19 + 73.7748
    path = baseline.corridors["china_vietnam"].path
    assert rail_co2e_kg_per_teu(baseline, path, baseline.emissions) == pytest.approx(want)
    assert _account(baseline, "china_vietnam_import").co2e_rail_kg == pytest.approx(315.9648)


def test_the_rail_sea_account_by_place_and_region(baseline):
    acc = _account(baseline, "rail_sea_export")
    flow = baseline.demand.flows["rail_sea_export"]
    places, regions = list(flow.places), list(flow.regions)
    # Sea leg to Haiphong: 330 km by feeder at 266 g/TEU-km; to Yangon 4,900 km.
    assert acc.co2e_sea_kg[places.index("haiphong")] == pytest.approx(330 * 0.266)
    assert acc.co2e_sea_kg[places.index("yangon")] == pytest.approx(4900 * 0.266)
    # The competitor trucks 750 km to Nansha and sails the same sea leg.
    assert acc.road_co2e_kg == pytest.approx(750 * 2.277 + acc.co2e_sea_kg)
    # Huaihua local: 60 km at ¥6, tolls 35 % of it, half waived.
    local = regions.index("huaihua_local")
    assert acc.drayage_cny[local] == pytest.approx(60 * 6 * 0.65)
    assert acc.toll_cny[local] == pytest.approx(60 * 6 * 0.35 * 0.5)
    assert acc.toll_waived_cny[local] == pytest.approx(60 * 6 * 0.35 * 0.5)
    # Lists 2,150 + 1,250 + 650; Guangzhou's 160 of the first 430 km at 52 % off, the rest
    # Nanning's at 30 % off.
    rail = 2150 * (160 / 430 * 0.48 + 270 / 430 * 0.70) + (1250 + 650) * 0.70
    assert acc.rail_cny == pytest.approx(rail)
    assert acc.handling_cny == 400 + 600  # the hub's handling and Qinzhou's port charges
    assert acc.sea_cny[places.index("haiphong")] == 1200
    assert (acc.road_cny, acc.road_transit_h) == (5800, 130)


def test_the_policy_brings_the_share_the_volume_would_lose_without_it(baseline):
    acc = _account(baseline, "rail_sea_export")
    assert 0 < acc.induced_share < 1
    # Fixed volumes: no response, so the policy brings nothing.
    fixed = load_scenario(BASELINE, {"demand.response.model": "none"})
    assert _account(fixed, "rail_sea_export").induced_share == 0
    # A deeper Nanning discount brings more (m grows, m0 does not).
    deeper = load_scenario(BASELINE, {"tariffs.discount.nanning": 0.45})
    assert _account(deeper, "rail_sea_export").induced_share > acc.induced_share


def test_without_emissions_co2e_is_not_figured(baseline):
    s = baseline.model_copy(update={"emissions": None})
    acc = route_account(s, build_network(s), s.demand.flows["rail_sea_export"])
    assert np.isnan(acc.co2e_rail_kg)
    assert np.isnan(acc.road_co2e_kg).all()


FLOW = Flow(
    name="f",
    corridor="c",
    direction="export",
    arrives_by="train",
    places=("p", "q"),
    commodities=("goods",),
    agricultural=(False,),
    regions=("near", "far"),
    shipper_cost_cny_per_teu=np.zeros((2, 2)),
    rail_discount_cny_per_teu=300.0,
    subsidy_cny_per_teu=500.0,
    demand_multiplier=1.0,
)
ACCOUNT = Account(
    rail_cny=3000.0,
    sea_cny=np.array([1000.0, 2000.0]),
    drayage_cny=np.array([100.0, 500.0]),
    toll_cny=np.array([20.0, 60.0]),
    toll_waived_cny=np.array([20.0, 60.0]),
    handling_cny=400.0,
    region_weights=np.array([0.75, 0.25]),
    co2e_drayage_kg=np.array([10.0, 50.0]),
    co2e_rail_kg=200.0,
    co2e_sea_kg=np.array([80.0, 160.0]),
    road_cny=6000.0,
    road_transit_h=100.0,
    road_co2e_kg=np.array([1500.0, 1600.0]),
    induced_share=0.25,
)


def _table(rows: list[dict[str, object]]) -> Table:
    t = Table(CONTAINER_COLUMNS)
    for row in rows:
        t.add(**row)
    return t


def test_settling_a_box_by_hand():
    box = {"flow": "f", "corridor": "c", "direction": "export", "teu": 2}
    t = _table(
        [
            # 40 ft to q from far: in the yard 6 days (1 beyond the 5 free), 100 h door to door.
            {**box, "place": "q", "region": "far", "t_created": -10.0, "t_yard_in": 0.0,
             "t_train_departed": 144.0, "t_delivered": 90.0,
             "subsidy_cny": 1000.0, "rail_discount_cny": 600.0},
            # Consolidated to p (no one region): the regions' mean by weight; not delivered.
            {**box, "teu": 1, "place": "p", "region": "mixed", "t_created": 0.0,
             "t_yard_in": 1.0, "subsidy_cny": 500.0, "rail_discount_cny": 300.0},
        ]
    )  # fmt: skip
    settle(t, {"f": FLOW}, {"f": ACCOUNT}, Rates(5.0, 20.0, 5 * 24.0))
    c = frame(t.arrays())
    a, b = c.iloc[0], c.iloc[1]
    assert (a["rail_cny"], a["sea_cny"]) == (6000, 4000)
    assert (a["drayage_cny"], a["toll_cny"], a["toll_waived_cny"]) == (1000, 120, 120)
    assert a["storage_cny"] == pytest.approx(20 * 1 * 2)  # ¥20 × 1 day × 2 TEU
    assert a["time_cny"] == pytest.approx(5 * 100 * 2)  # ¥5 × 100 h × 2 TEU
    door = 6000 + 4000 + 1000 + 120 + 800 + 40 + 1000 - 1000
    assert a["door_cny"] == pytest.approx(door)
    assert a["public_cny"] == pytest.approx(1000 + 600 + 120)
    assert a["road_cny"] == pytest.approx((6000 + 5 * 100) * 2)
    assert a["co2e_kg"] == pytest.approx((50 + 200 + 160) * 2)
    assert a["road_co2e_kg"] == pytest.approx(1600 * 2)
    assert a["induced_share"] == 0.25
    assert b["drayage_cny"] == pytest.approx(0.75 * 100 + 0.25 * 500)  # 200
    assert b["co2e_drayage_kg"] == pytest.approx(0.75 * 10 + 0.25 * 50)  # 20
    assert np.isnan(b["time_cny"])  # not delivered: its account is not whole
    assert np.isnan(b["door_cny"])
    assert b["public_cny"] == pytest.approx(500 + 300 + 0.75 * 20 + 0.25 * 60)


def test_per_teu_kpis_by_hand():
    c = pd.DataFrame(
        {
            "corridor": ["c", "c", "c", "road"],
            "teu": [2, 1, 1, 1],
            "t_delivered": [10.0, 20.0, np.nan, 5.0],  # the third is still on its way
            "rail_cny": [1.0, 1.0, 1.0, np.nan],  # the trucked import has no rail account
            "door_cny": [10_000.0, 6_000.0, 99.0, np.nan],
            "road_cny": [12_000.0, 7_000.0, 99.0, np.nan],
            "public_cny": [2_000.0, 1_000.0, 99.0, np.nan],
            "co2e_kg": [1_000.0, 500.0, 99.0, np.nan],
            "road_co2e_kg": [4_000.0, 2_000.0, 99.0, np.nan],
            "induced_share": [0.25, 0.5, 0.9, np.nan],
        }
    )
    k = economics_kpis(c, horizon_h=100.0, corridors=["c"])
    assert k["cost.per_teu.c"] == pytest.approx(16_000 / 3)
    assert k["cost.road_per_teu.c"] == pytest.approx(19_000 / 3)
    assert k["cost.public_per_teu.c"] == pytest.approx(1_000)
    assert k["co2e.kg_per_teu.c"] == pytest.approx(500)
    assert k["co2e.road_kg_per_teu.c"] == pytest.approx(2_000)
    assert k["teu.induced"] == pytest.approx(2 * 0.25 + 1 * 0.5)  # 1 TEU
    assert k["subsidy.per_extra_teu"] == pytest.approx(3_000 / 1)
    assert k["co2e.avoided_t"] == pytest.approx((6_000 - 1_500) / 1000)
    assert k["co2e.induced_avoided_t"] == pytest.approx((3_000 * 0.25 + 1_500 * 0.5) / 1000)
    assert k["subsidy.per_t_co2e_avoided"] == pytest.approx(3_000 / 1.5)


def test_every_per_teu_kpi_is_one_line_of_pandas(short_baseline, short_run):
    c = frame(short_run.tables["containers"])
    h = short_baseline.horizon_h
    d = c[(c.t_delivered >= 0) & (c.t_delivered < h) & c.rail_cny.notna()]
    g = d.groupby(d.corridor.astype(str))
    per_teu = g.door_cny.sum() / g.teu.sum()
    co2e = g.co2e_kg.sum() / g.teu.sum()
    for corridor in short_baseline.corridors:
        assert short_run.kpis[f"cost.per_teu.{corridor}"] == pytest.approx(per_teu[corridor])
        assert short_run.kpis[f"co2e.kg_per_teu.{corridor}"] == pytest.approx(co2e[corridor])
    avoided = (d.road_co2e_kg - d.co2e_kg).sum() / 1000
    assert short_run.kpis["co2e.avoided_t"] == pytest.approx(avoided)
    assert short_run.kpis["subsidy.per_extra_teu"] == pytest.approx(
        d.public_cny.sum() / (d.teu * d.induced_share).sum()
    )
    assert len(delivered_accounts(c, h)) == len(d)
    # The money columns add up to the shipper's door-to-door total.
    parts = ["rail_cny", "sea_cny", "drayage_cny", "toll_cny", "handling_cny", "storage_cny"]
    total = d[[*parts, "time_cny"]].sum(axis=1) - d.subsidy_cny
    assert np.allclose(total, d.door_cny)


def test_with_emissions_every_sea_service_and_competitor_needs_its_distance(tmp_path):
    with pytest.raises(ScenarioError) as err:
        load_scenario(
            BASELINE,
            {
                "sea_ports.qinzhou.services.haiphong.ship": "tanker",
                "corridors.china_laos.competitor.road_km": None,
            },
        )
    text = str(err.value)
    assert "sea_ports.qinzhou.services.haiphong.ship: unknown ship class 'tanker'" in text
    assert "corridors.china_laos.competitor.road_km: required when the scenario has emissions" in (
        text
    )
    # Without emissions, none of it is needed.
    load_scenario(BASELINE, {"emissions": None, "corridors.china_laos.competitor.road_km": None})


def test_the_induced_share_is_one_less_the_volume_without_policy_over_the_volume_with_it(
    baseline,
):
    """induced = 1 − m₀ / m, with m the volume multiplier at the scenario's levers and m₀ at no
    policy at all (list tariffs, full tolls, no subsidy), both relative to the reference."""
    none = load_scenario(
        BASELINE,
        {
            **{f"tariffs.discount.{bureau}": 0 for bureau in baseline.tariffs.discount},
            "tariffs.toll_cut": 0,
            "tariffs.subsidy_per_teu_cny": 0,
        },
    )
    for name in ("rail_sea_export", "china_laos_export", "china_vietnam_import"):
        flow = baseline.demand.flows[name]
        m = route_economics(baseline, build_network(baseline), flow)[2]
        m0 = route_economics(none, build_network(none), none.demand.flows[name])[2]
        assert m > m0 > 0
        assert _account(baseline, name).induced_share == pytest.approx(1 - m0 / m)
