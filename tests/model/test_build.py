"""The whole model on a short baseline: conservation of containers, causality, Little's law."""

from __future__ import annotations

import pickle

import pandas as pd
import pytest

from sim.engine import Environment, Recorder, Streams
from sim.model import build
from sim.results.stats import step_integral
from sim.results.tables import frame, queue_frame
from sim.scenario import load_scenario
from tests.conftest import BASELINE, SHORT


@pytest.fixture(scope="module")
def ended(short_baseline):
    """The model at the end of its horizon, with its live state and its tables."""
    env = Environment(initial_time=-short_baseline.warmup_h)
    recorder = Recorder()
    model = build(short_baseline, env, Streams(short_baseline.seed, 0), recorder)
    env.run_until(model.horizon_h)
    containers = frame(recorder.tables["containers"].arrays())
    return model, containers, recorder


def reached(c: pd.DataFrame, col: str, h: float) -> pd.Series:
    return c[col] <= h


def test_every_container_is_delivered_or_found_where_its_milestones_say(ended):
    model, c, _ = ended
    h = model.horizon_h
    c = c[(c["t_created"] <= h) & c["t_turned_away"].isna()]
    rows = model.hub.containers.rows  # the model knows a container by its slot
    held = set(rows(cid for svc in model.services.values() for cid in svc.holding()))
    liners = [v for port in model.sea_ports.values() for v in port.liners.values()]
    outbound = set(rows(cid for v in liners for cid in v.outbound.ids))
    inbound = set(rows(cid for v in liners for cid in v.inbound.ids))
    exp = c["direction"] == "export"
    imp = ~exp

    # Exports cleared but not gone: waiting for, or loading onto, a train of their corridor.
    cleared = exp & reached(c, "t_customs_end", h) & ~reached(c, "t_train_departed", h)
    assert set(c.index[cleared]) == held & set(c.index[exp])
    # Exports at the sea port waiting for their sailing.
    at_port = exp & reached(c, "t_port", h) & ~reached(c, "t_vessel", h)
    assert set(c.index[at_port]) == outbound
    # Imports waiting overseas for a vessel.
    overseas = imp & c["t_vessel"].isna() & (c["corridor"] == "qinzhou_rail_sea")
    assert set(c.index[overseas]) == inbound
    # Imports waiting at their origin for a train.
    sea = c["corridor"] == "qinzhou_rail_sea"
    at_origin = imp & ~reached(c, "t_train_departed", h) & (~sea | reached(c, "t_port", h))
    assert set(c.index[at_origin]) == held & set(c.index[imp])

    # TEU balance per corridor and direction: created = delivered + in the system.
    delivered = reached(c, "t_delivered", h)
    for (corridor, direction), g in c.groupby(["corridor", "direction"], observed=True):
        done = g.loc[delivered[g.index], "teu"].sum()
        inside = g.loc[~delivered[g.index], "teu"].sum()
        assert done + inside == g["teu"].sum()
        assert done > 0, (corridor, direction)


def test_trains_carry_what_their_containers_say_and_never_exceed_capacity(ended):
    _, c, recorder = ended
    trains = frame(recorder.tables["trains"].arrays())
    on = c[c["train_id"] >= 0].groupby("train_id")["teu"].agg(["sum", "count"])
    ran = trains[trains["ran"]].set_index("train_id")
    assert (on["sum"] == ran.loc[on.index, "teu"]).all()
    assert (on["count"] == ran.loc[on.index, "containers"]).all()
    assert (trains["teu"] <= trains["capacity_teu"]).all()
    assert set(on.index) == set(ran.index)


def test_each_yard_block_holds_exactly_the_boxes_inside_it(ended):
    model, c, _ = ended
    h = model.horizon_h
    res = model.hub.res
    exp = (c["direction"] == "export") & c["t_yard_in"].notna() & ~(c["t_train_departed"] <= h)
    imp = (c["direction"] == "import") & c["t_yard_in"].notna() & ~(c["t_delivered"] <= h)
    in_gate = res.gate.in_use  # a truck in the gate lane holds its yard slot already
    for block, inside in ((res.yard_export, exp), (res.yard_import, imp)):
        held = c.loc[inside, "teu"].sum()
        assert held <= block.in_use <= held + 2 * in_gate


def test_littles_law_on_import_customs(ended):
    """Time-average number in import customs (resource monitors) = λ × mean clearance."""
    model, c, recorder = ended
    h = model.horizon_h
    q = queue_frame({w: s.arrays() for w, s in recorder.series.items()})

    def mean_in(where: str) -> float:
        g = q[q["where"] == where]
        n = g["queue"].to_numpy() + g["busy"].to_numpy()
        return step_integral(g["t"].to_numpy(), n, 0.0, h) / h

    # Export inspections also use the bays; there are a handful, and they are removed below.
    exports_in_bays = c[(c["direction"] == "export") & c["inspected"]]
    bay_share = (
        exports_in_bays["t_customs_end"].clip(0, h) - exports_in_bays["t_customs_start"].clip(0, h)
    ).sum() / h
    in_customs = (
        mean_in("huaihua.customs.import.officers")
        + mean_in("huaihua.customs.quarantine_lab")
        + mean_in("huaihua.customs.inspection_bays")
        - bay_share
    )
    imp = c[(c["direction"] == "import") & (c["t_customs_start"] >= 0) & (c["t_customs_start"] < h)]
    lam = len(imp) / h
    w = (imp["t_customs_end"].fillna(h).clip(upper=h) - imp["t_customs_start"]).mean()
    # The containers table's own time-average agrees with the monitors almost exactly ...
    every = c[c["direction"] == "import"]
    overlap = every["t_customs_end"].fillna(h).clip(0, h) - every["t_customs_start"].clip(0, h)
    assert overlap.clip(lower=0).sum() / h == pytest.approx(in_customs, rel=0.005)
    # ... and Little's law holds up to the boxes already in customs when the window opens.
    assert pytest.approx(lam * w, rel=0.05) == in_customs
    assert in_customs > 1  # a real queue, not an empty system


def test_same_seed_same_numbers_and_other_seeds_differ(short_baseline):
    from sim.experiment.runner import run_one

    a = run_one(short_baseline, 0)
    b = run_one(short_baseline, 0)
    c = run_one(short_baseline, 1)
    assert a.kpis == b.kpis
    pd.testing.assert_frame_equal(frame(a.tables["containers"]), frame(b.tables["containers"]))
    assert a.kpis["clearance_h.import.mean"] != c.kpis["clearance_h.import.mean"]


def test_replications_share_what_the_scenario_alone_decides_and_not_their_numbers(
    short_baseline,
):
    """The network, flows and accounts are made once per scenario and shared, read-only, by
    its replications; a replication built with them shared has the numbers it has alone."""
    from sim.experiment.runner import run_one
    from sim.model.build import _Fixed

    other = load_scenario(BASELINE, {"end": "2023-04-15"})
    alone = (run_one(other, 0), run_one(short_baseline, 1))  # each the first of its scenario
    fixed = _Fixed.of(short_baseline)
    assert _Fixed.of(short_baseline) is fixed
    assert _Fixed.of(pickle.loads(pickle.dumps(short_baseline))) is fixed  # as a worker gets it
    assert _Fixed.of(other) is not fixed
    flow = next(iter(_Fixed.of(short_baseline).flows.values()))
    with pytest.raises(ValueError, match="read-only"):
        flow.shipper_cost_cny_per_teu[0, 0] = 0.0
    shared = run_one(short_baseline, 1)  # the scenario's parts made already
    assert shared.kpis == alone[1].kpis
    for name, columns in alone[1].tables.items():
        pd.testing.assert_frame_equal(frame(shared.tables[name]), frame(columns))


def test_shift_patterns_are_found_by_their_hours_not_by_the_list_that_holds_them(
    short_baseline,
):
    """A worker's copy of the scenario is new each replication, and a list of working hours
    freed may leave its address to another desk's: patterns are shared by what they say."""
    from sim.model.build import _Fixed, _Parts

    fixed = _Fixed.of(short_baseline)
    parts = _Parts(short_baseline, Environment(), Streams(1), Recorder(), None, None, fixed)  # type: ignore[arg-type]
    hours = short_baseline.customs.import_.working_hours
    assert hours
    copy = pickle.loads(pickle.dumps(hours))
    assert copy is not hours
    assert parts.shifts(3, copy) is parts.shifts(3, hours)
    night = [h.model_copy(update={"start": "00:00", "end": "06:00"}) for h in hours]
    assert parts.shifts(3, night) != parts.shifts(3, hours)
    assert parts.shifts(3, night).at(3.0) != parts.shifts(3, hours).at(3.0)
    assert parts.shifts(4, hours).values != parts.shifts(3, hours).values
    assert len(fixed.shifts) == 3  # hours, night: each once per number of units


def test_extra_customs_stages_follow_the_standard_ones_on_the_resources_they_name():
    """A document check by the import officers and a re-inspection in the shared bays, from
    the scenario alone: the stages queue at the very resources the standard stages use."""
    s = load_scenario(
        BASELINE,
        {
            **SHORT,
            "customs.import.extra_stages": [
                {"name": "documents", "resource": "officers", "time_h": 0.1},
                {"name": "recheck", "resource": "inspection_bays", "time_h": 1, "probability": 0.1},
            ],
        },
    )
    model = build(s, Environment(initial_time=-s.warmup_h), Streams(s.seed, 0), Recorder())
    desk = model.hub.import_customs
    assert [st.name for st in desk.stages] == [
        "review",
        "inspection",
        "quarantine",
        "documents",
        "recheck",
    ]
    assert desk.stage("documents").resource is desk.stage("review").resource
    assert desk.stage("recheck").resource is model.hub.export_customs.stage("inspection").resource
    assert [st.name for st in model.hub.export_customs.stages] == ["review", "inspection"]


def test_an_extra_customs_resource_works_only_in_its_working_hours():
    s = load_scenario(
        BASELINE,
        {
            **SHORT,
            "customs.resources.xray": {
                "units": 2,
                "working_hours": [
                    {"days": ["mon", "tue", "wed", "thu", "fri"], "start": "08:00", "end": "12:00"}
                ],
            },
            "customs.import.extra_stages": [{"name": "scan", "resource": "xray", "time_h": 0.5}],
        },
    )
    env = Environment(initial_time=-s.warmup_h)
    model = build(s, env, Streams(s.seed, 0), Recorder())
    xray = model.hub.import_customs.stage("scan").resource
    assert xray.where == "huaihua.customs.xray"
    seen = []
    for hour in (9.0, 13.0, 24 + 9.0, 5 * 24 + 9.0):  # Sunday 1 Jan 2023, then Mon, then Fri
        env.run_until(hour)
        seen.append(xray.capacity)
    assert seen == [0, 0, 2, 2]
