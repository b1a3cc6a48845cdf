import datetime as dt

import numpy as np
import pytest

from sim.engine import Constant, Exponential
from sim.model.build import build_network
from sim.model.demand import ShipmentMix, draw_flow, month_calendar, poisson_arrivals
from sim.model.economics import (
    build_flows,
    drayage_cny_per_teu,
    elasticity_multiplier,
    logit_multiplier,
)
from sim.model.network import RailNetwork
from sim.scenario import load_scenario
from tests.conftest import ROOT


def test_month_calendar_has_calendar_month_edges():
    cal = month_calendar(
        dt.date(2023, 1, 1), -24 * 31, 24 * 59, {m: float(m) for m in range(1, 13)}
    )
    assert list(cal.edges_h) == [-744.0, 0.0, 744.0, 1416.0]
    assert list(cal.factor) == [12.0, 1.0, 2.0]


def test_poisson_arrivals_follow_the_seasonal_rate():
    cal = month_calendar(
        dt.date(2023, 1, 1), 0, 24 * 59, {1: 1.0, 2: 3.0, **dict.fromkeys(range(3, 13), 1.0)}
    )
    counts = []
    for seed in range(40):
        t = poisson_arrivals(2.0, cal, np.random.default_rng(seed))
        assert (np.diff(t) >= 0).all()
        assert t.min() >= 0
        assert t.max() < 24 * 59
        counts.append(((t < 744).sum(), (t >= 744).sum()))
    jan, feb = np.mean(counts, axis=0)
    assert jan == pytest.approx(2 * 744, rel=0.02)
    assert feb == pytest.approx(2 * 3 * 672, rel=0.02)


def test_a_higher_rate_keeps_the_same_random_numbers():
    cal = month_calendar(dt.date(2023, 1, 1), 0, 1000, dict.fromkeys(range(1, 13), 1.0))
    a = poisson_arrivals(1.0, cal, np.random.default_rng(1))
    b = poisson_arrivals(2.0, cal, np.random.default_rng(1))
    assert np.allclose(b[: len(a) // 2 - 1] * 2, a[: len(a) // 2 - 1])


def test_fcl_draws_have_the_requested_mean_size():
    cal = month_calendar(dt.date(2023, 1, 1), 0, 5000, dict.fromkeys(range(1, 13), 1.0))
    mix = ShipmentMix(
        place_w=np.array([1.0, 3.0]),
        commodity_w=np.array([1.0]),
        region_w=np.array([1.0, 1.0]),
        containers_per_shipment=2.5,
        share_40ft=0.4,
        cbm=Exponential(5),
        cbm_max=33,
    )
    d = draw_flow(
        "fcl",
        1.0,
        cal,
        mix,
        arrivals_rng=np.random.default_rng(2),
        attributes_rng=np.random.default_rng(3),
    )
    assert d.containers.mean() == pytest.approx(2.5, rel=0.05)
    assert (d.box_teu == 2).mean() == pytest.approx(0.4, abs=0.02)
    assert (d.place == 1).mean() == pytest.approx(0.75, abs=0.03)
    assert len(d.box_teu) == d.containers.sum()


def test_cheaper_rail_never_lowers_demand():
    for theta in (0.0, 1e-4, 1e-3):
        assert logit_multiplier(4000, 4500, 6000, theta) >= 1.0
        assert logit_multiplier(4500, 4500, 6000, theta) == pytest.approx(1.0)
    assert elasticity_multiplier(4000, 4500, -1.2) > 1.0
    assert elasticity_multiplier(4000, 4500, 0.0) == 1.0


def test_the_logit_is_finite_where_its_exponential_would_overflow():
    # θ·(G − G_alt) of 0.1 × 2e6 = 2e5: e^x overflows a float; the shares' ratio does not
    ratio = logit_multiplier(2_000_000 - 10, 2_000_000, 0, 0.1)
    assert ratio == pytest.approx(np.exp(1.0))
    assert logit_multiplier(8_000, 8_000, 0, 0.1) == 1.0  # x = 800: e^x overflows alone


def test_toll_cut_lowers_drayage():
    assert drayage_cny_per_teu(100, 6, 0.35, 0.5) == pytest.approx(600 * (1 - 0.175))
    assert drayage_cny_per_teu(100, 6, 0.35, 0.0) == 600


def test_routes_reverse_for_imports_and_discount_by_bureau():
    net = RailNetwork()
    for p in ("h", "m", "e"):
        net.add_place(p, "city", None)
    net.add_leg(
        "h",
        "m",
        distance_km=10,
        run_time_h=Constant(1),
        bureau_km={"a": 10},
        tariff_cny_per_teu=100,
    )
    net.add_leg(
        "m",
        "e",
        distance_km=20,
        run_time_h=Constant(2),
        bureau_km={"a": 5, "b": 15},
        tariff_cny_per_teu=300,
    )
    out = net.route("c", "export", ["h", "m", "e"], False)
    back = net.route("c", "import", ["h", "m", "e"], False)
    assert (out.origin, out.destination, back.origin, back.destination) == ("h", "e", "e", "h")
    # b's discount reaches only its 15 km of the second leg: 100 + 75 + 225 × 0.5
    assert out.tariff_cny_per_teu({"b": 0.5}) == pytest.approx(287.5)
    assert out.tariff_cny_per_teu({"a": 1.0}) == pytest.approx(225)
    assert out.mean_run_h() == 3
    with pytest.raises(ValueError, match="not a path"):
        net.route("c", "export", ["h", "e"], False)


def test_timetable_periods_with_fewer_than_two_trains_in_a_short_run_give_finite_demand():
    s = load_scenario(ROOT / "scenarios" / "2024.yaml", {"end": "2024-01-14", "warmup_days": 7})
    flows = build_flows(s, build_network(s))
    assert all(np.isfinite(flow.demand_multiplier) for flow in flows.values())
