"""Rail–sea ports: one port alone on a tiny environment, and a second port added to the
baseline by a scenario file alone (``tests/scenarios/second_sea_port.yaml``)."""

from __future__ import annotations

import numpy as np
import pytest

from sim.engine import Constant, Draws, Environment, Recorder, Streams
from sim.model import build
from sim.model.booking import Ledger, ThroughLedger
from sim.model.seaports import PortDwell, SeaPort
from sim.model.vessels import Liner, Sailings
from sim.results.tables import frame
from sim.scenario import load_scenario
from sim.scenario.load import EXTENDS_PATH_ENV
from tests.conftest import ROOT
from tests.model.tables import new_tables

SECOND_PORT = ROOT / "tests" / "scenarios" / "second_sea_port.yaml"


def small_port(env, tables):
    """A port with a 3 h dwell (1 h + 2 h) and one liner to Haiphong sailing at 10 and 178,
    24 h at sea."""
    rng = np.random.default_rng(0)
    port = SeaPort(
        env,
        "qinzhou",
        "rail_sea",
        PortDwell((Constant(1.0), Constant(2.0)), Draws(rng), Draws(rng)),
        tables,
    )
    sailings = np.array([10.0, 178.0])
    port.add_liner(
        Liner("haiphong", Sailings(sailings, 100, 0.0), Constant(24.0)),
        Draws(rng),
        Ledger(sailings, 100, cutoff_h=0.0, max_delay_h=200, window_h=None, t0_h=0.0),
    )
    return port


def test_an_export_train_s_containers_dwell_then_sail_to_their_destination():
    env = Environment()
    tables = new_tables()
    c = tables.containers
    port = small_port(env, tables)
    ids = np.array([c.add(container_id=i, teu=1, place="haiphong") for i in range(2)])
    env.process(port.liners["haiphong"].run())
    env.timeout(5.0).callbacks.append(lambda _: port.train_arrived(0, ids))
    env.run()
    assert list(c["t_port"][:2]) == [8.0, 8.0]  # the train arrived at 5, dwell 3 h
    assert list(c["t_vessel"][:2]) == [10.0, 10.0]
    assert list(c["t_delivered"][:2]) == [34.0, 34.0]


def test_landed_imports_dwell_then_wait_for_the_train_on():
    env = Environment()
    tables = new_tables()
    c = tables.containers
    port = small_port(env, tables)
    ready = []

    class Onward:
        def ready(self, cid):
            ready.append((cid, env.now))

    port.onward = Onward()
    cid = c.add(container_id=0, teu=2, place="haiphong")
    port.overseas(cid, "haiphong")
    env.process(port.liners["haiphong"].run())
    env.run()
    # sails at 10, lands at 34, through the port's dwell at 37
    assert c["t_vessel"][cid] == 10.0
    assert c["t_port"][cid] == 37.0
    assert ready == [(cid, 37.0)]


def test_a_through_booking_books_the_train_for_the_sailing_s_expected_arrival():
    env = Environment()
    port = small_port(env, new_tables())
    train = Ledger([30.0, 40.0], 2, cutoff_h=0.0, max_delay_h=100, window_h=None, t0_h=0.0)
    port.book_through(train)
    through = port.ledgers["haiphong"]
    assert isinstance(through, ThroughLedger)
    assert through.lead_h == 24.0 + 3.0  # sea transit and the port's dwell
    assert through.book(0.0, 2) == 0  # the sailing at 10, landing 37: the train at 40
    assert train.remaining == [2, 0]


@pytest.fixture(scope="module")
def second_port():
    """The scenario with the second port, two months, built and run to its horizon."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(EXTENDS_PATH_ENV, str(ROOT / "scenarios"))
        s = load_scenario(SECOND_PORT, {"end": "2023-02-28", "warmup_days": 14})
    streams = Streams(s.seed, 0)
    env = Environment(initial_time=-s.warmup_h)
    recorder = Recorder()
    model = build(s, env, streams, recorder)
    env.run_until(model.horizon_h)
    tables = {name: frame(t.arrays()) for name, t in recorder.tables.items()}
    return s, model, streams, tables


def test_a_second_port_in_the_scenario_carries_cargo_both_ways(second_port):
    _, model, _, t = second_port
    assert list(model.sea_ports) == ["qinzhou", "nansha"]
    c, trains, vessels = t["containers"], t["trains"], t["vessels"]
    h = model.horizon_h
    nansha = c[c["corridor"] == "nansha_rail_sea"]
    exp = nansha[nansha["direction"] == "export"]
    imp = nansha[nansha["direction"] == "import"]

    # Exports: by train to Nansha, through its dwell, onto its sailings (weekly, at 20:00,
    # where Qinzhou's leave at 18:00), delivered overseas.
    sailed = exp[exp["t_vessel"] <= h]
    assert len(sailed) > 100
    assert (sailed["t_port"] <= sailed["t_vessel"]).all()
    assert set((sailed["t_vessel"] % 24).round(6)) == {20.0}
    on = trains.set_index("train_id").loc[sailed["train_id"]]
    assert set(on["corridor"]) == {"nansha_rail_sea"}
    assert set(on["destination"]) == {"nansha"}
    assert set(vessels.set_index("vessel_id").loc[sailed["vessel_id"], "port"]) == {
        "haiphong",
        "singapore",
    }
    assert (sailed["t_delivered"] > sailed["t_vessel"]).all()

    # Imports: sailings from Haiphong and Singapore land at Nansha, the train on from there
    # brings them to the hub, where they clear customs and are collected.
    home = imp[imp["t_delivered"] <= h]
    assert len(home) > 50
    assert (home["t_vessel"] < home["t_port"]).all()
    assert (home["t_port"] <= home["t_train_departed"]).all()
    assert set(trains.set_index("train_id").loc[home["train_id"], "origin"]) == {"nansha"}
    assert (home["t_customs_end"] < home["t_delivered"]).all()

    # Qinzhou's cargo still goes by its own port, at its own sailing hour.
    qinzhou = c[(c["corridor"] == "qinzhou_rail_sea") & (c["direction"] == "export")]
    assert set((qinzhou["t_vessel"].dropna() % 24).round(6)) == {18.0}


def test_each_port_books_its_own_sailings(second_port):
    """Haiphong is served from both ports: each service sells its own slots, and their
    rail–sea imports book the train on from their own port."""
    _, model, _, _ = second_port
    qinzhou, nansha = model.sea_ports["qinzhou"], model.sea_ports["nansha"]
    assert qinzhou.liners["haiphong"] is not nansha.liners["haiphong"]
    for port in (qinzhou, nansha):
        ledger = port.ledgers["haiphong"]
        assert isinstance(ledger, ThroughLedger)
        assert ledger.second is not None
    assert qinzhou.ledgers["haiphong"].second is not nansha.ledgers["haiphong"].second
    assert qinzhou.onward is model.services[("qinzhou_rail_sea", "import")]
    assert nansha.onward is model.services[("nansha_rail_sea", "import")]


def test_a_port_added_later_leaves_the_transit_streams_of_those_before_it(second_port):
    """The first port to serve an overseas port keeps the stream ``sea.<overseas>.transit``
    (as in the baseline, so its draws do not change when a port is added); a later port
    serving the same overseas port draws from a stream named for itself."""
    _, model, streams, _ = second_port
    qinzhou, nansha = model.sea_ports["qinzhou"], model.sea_ports["nansha"]
    assert qinzhou.liners["haiphong"].draws.rng is streams["sea.haiphong.transit"]
    assert nansha.liners["haiphong"].draws.rng is streams["sea.nansha.haiphong.transit"]
    assert nansha.liners["singapore"].draws.rng is streams["sea.nansha.singapore.transit"]


def test_cargo_waits_are_watched_at_each_port(second_port):
    _, model, _, _ = second_port
    watched = {probe.where for probe in model.probes}
    assert {"sea.qinzhou.haiphong", "sea.nansha.haiphong", "sea.nansha.singapore"} <= watched
    assert "corridor.nansha_rail_sea.export" in watched


def test_the_rail_sea_economics_of_each_corridor_use_its_own_port(second_port):
    """A shipper's cost to Singapore differs between the two corridors by their rail tariffs
    and by the sea freight of each port's own Singapore service (drayage and subsidy are the
    same for the same region)."""
    s, model, _, _ = second_port

    def cost_and_rail(flow_name: str, corridor: str) -> tuple[float, float]:
        flow = model.flows[flow_name]
        path = s.corridors[corridor].path
        rail = model.network.route(corridor, "export", path, True).tariff_cny_per_teu(
            s.tariffs.discount
        )
        cost = flow.shipper_cost_cny_per_teu[
            flow.places.index("singapore"), flow.regions.index("huaihua_local")
        ]
        return float(cost), rail

    nansha, rail_n = cost_and_rail("nansha_rail_sea_export", "nansha_rail_sea")
    qinzhou, rail_q = cost_and_rail("rail_sea_export", "qinzhou_rail_sea")
    sea = {
        name: port.services["singapore"].freight_cny_per_teu for name, port in s.sea_ports.items()
    }
    assert sea["nansha"] != sea["qinzhou"]
    assert nansha - qinzhou == pytest.approx(rail_n - rail_q + sea["nansha"] - sea["qinzhou"])
