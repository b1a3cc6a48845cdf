"""The KPI registry: every KPI a run computes has one family (unit, labels, theme), the
headline, key and checked lists follow the run's corridors and resources, and a new KPI is
one family registered in one place that then shows up everywhere."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

import sim
from sim.cli import app
from sim.experiment import regression
from sim.results import report as report_module
from sim.results.formatting import UNITS
from sim.results.kpis import KPIS, Family, KpiInputs, kpi_label
from sim.results.kpis.measures import counted_trains
from sim.results.kpis.registry import THEMES, Paired, Registry
from sim.results.runinfo import Corridor, Label
from sim.scenario import load_scenario
from tests.conftest import BASELINE

SHORT = {"end": "2023-02-15", "warmup_days": 7}
CJK = re.compile(r"[\u3400-\u9fff]")


@pytest.fixture(scope="module")
def run() -> sim.RunResult:
    return sim.run(BASELINE, replications=2, save=False, overrides=SHORT, workers=1)


# ---------------------------------------------------------------------------- every KPI


def test_every_kpi_of_a_run_has_a_family_and_every_family_a_kpi(run):
    names = [str(k) for k in run.summary["kpi"]]
    families = {KPIS.family(n).pattern for n in names}  # type: ignore[union-attr]
    assert all(KPIS.family(n) is not None for n in names)
    # recovery families are computed by a comparison with disruptions, pair by pair
    # (tests/validation/test_disruptions.py), not by a run
    by_run = {f.pattern for f in KPIS if not isinstance(f.compute, Paired)}
    assert families == by_run, "a family no run computes"
    for f in KPIS:
        assert f.unit in UNITS
        assert f.theme in THEMES


def test_a_name_belongs_to_the_most_specific_family():
    assert KPIS.family("trains.total").pattern == "trains.total"
    assert KPIS.family("trains.waited_outside").pattern == "trains.waited_outside"
    assert KPIS.family("trains.china_laos").pattern == "trains.<corridor>"
    assert KPIS.family("teu.road.import").pattern == "teu.road.import"
    assert KPIS.family("teu.china_laos.import").pattern == "teu.<corridor>.<direction>"
    assert KPIS.family("clearance_h.import.p90").pattern == "clearance_h.import.<stat>"
    assert KPIS.family("clearance_h.import.p95").pattern == "clearance_h.<direction>.<stat>"
    assert (
        KPIS.family("unstable.corridor.china_laos.export").pattern
        == "unstable.corridor.<corridor>.<direction>"
    )
    assert KPIS.family("unstable.huaihua.customs.quarantine_lab").pattern == (
        "unstable.<hub>.<resource>"
    )
    assert KPIS.family("queue.huaihua.yard.import.end").pattern == "queue.<hub>.<resource>.end"
    assert KPIS.family("no.such.kpi") is None
    assert KPIS.unit("no.such.kpi") == ""
    assert kpi_label("no.such.kpi") == "no.such.kpi"


def test_every_kpi_has_an_english_and_a_chinese_label(run):
    for name in run.summary["kpi"]:
        en, zh = kpi_label(name, run.info), kpi_label(name, run.info, "zh")
        assert en != name
        assert not CJK.search(en), name
        assert CJK.search(zh), (name, zh)


def test_labels_use_the_runs_own_names_in_both_languages(run):
    info = run.info
    assert kpi_label("trains.qinzhou_rail_sea", info) == "Trains run, Rail–sea via Qinzhou port"
    assert "铁海联运" in kpi_label("trains.qinzhou_rail_sea", info, "zh")
    assert kpi_label("dwell_h.huaihua.import.mean", info) == "Import dwell at Huaihua, mean"
    assert kpi_label("dwell_h.huaihua.import.mean", info, "zh").startswith("怀化国际陆港进口")
    assert kpi_label("utilisation.huaihua.customs.quarantine_lab", info, "zh") == "检疫实验室利用率"
    # a corridor the run does not describe is named by itself
    assert kpi_label("trains.new_line") == "Trains run, New Line"


def test_headline_key_and_checked_kpis_follow_the_runs_corridors_and_resources(run):
    info = run.info
    head = KPIS.names(info, "headline")
    assert head[:4] == ["trains.total", *(f"trains.{c}" for c in info.corridor_names)]
    assert "utilisation.huaihua.customs.import.officers" in head
    assert "utilisation.huaihua.gate" not in head  # a resource kind that is not headline
    assert "queue.huaihua.yard.import.mean" not in head
    assert set(KPIS.names(info, "key")) <= set(head)
    checked = KPIS.names(info, "checked")
    assert "clearance_h.import.mean" in checked
    assert "dwell_h.huaihua.export.mean" in checked
    assert "teu.total" not in checked
    # a new corridor shows up without being named anywhere
    new = Corridor(
        name="guangxi_shuttle",
        label=Label(en="Guangxi shuttle", zh="广西班列"),
        colour="#000000",
        directions=("export", "import"),
        enabled=True,
        by_rail=True,
        border=None,
    )
    wider = info.model_copy(update={"corridors": (*info.corridors, new)})
    assert "trains.guangxi_shuttle" in KPIS.names(wider, "headline")
    assert "teu.guangxi_shuttle.import" in KPIS.names(wider, "checked")
    assert kpi_label("trains.guangxi_shuttle", wider, "zh") == "开行班列，广西班列"


def test_selecting_without_run_metadata_keeps_family_order():
    present = ["cost.subsidy_cny", "queue.huaihua.gate.mean", "trains.total", "teu.total"]
    assert KPIS.select(present, "headline") == ["trains.total", "teu.total", "cost.subsidy_cny"]
    assert KPIS.select(present, "key") == ["teu.total", "cost.subsidy_cny"]
    assert KPIS.select(present, "checked") == ["trains.total"]


def test_a_family_must_be_well_formed():
    def nothing(k: KpiInputs) -> dict[str, float]:
        return {}

    label = Label(en="x", zh="x")
    with pytest.raises(ValueError, match="unknown unit"):
        Family("x.total", "parsecs", label, "time", nothing)
    with pytest.raises(ValueError, match="unknown theme"):
        Family("x.total", "h", label, "mood", nothing)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="placeholder"):
        Family("x.<planet>", "h", label, "time", nothing)
    with pytest.raises(ValueError, match="headline too"):
        Family("x.total", "h", label, "time", nothing, key=True)
    registry = Registry([Family("x.total", "h", label, "time", nothing)])
    with pytest.raises(ValueError, match="exists"):
        registry.register(Family("x.total", "h", label, "time", nothing))


# ---------------------------------------------------------------------------- a new KPI


def scheduled_trains(k: KpiInputs) -> dict[str, float]:
    """Trains scheduled to leave or reach the hub in the window, whether they ran or not."""
    t = k.trains
    window = (t["t_scheduled"] >= 0) & (t["t_scheduled"] < k.horizon_h)
    return {"trains_scheduled.total": float(window.sum())}


NEW = Family(
    "trains_scheduled.total",
    "trains",
    Label(en="Trains scheduled, all corridors", zh="计划班列，全部通道"),
    "throughput",
    scheduled_trains,
    headline=True,
    checked=True,
)


@pytest.fixture
def registered():
    KPIS.register(NEW)
    try:
        yield NEW
    finally:
        KPIS.unregister(NEW.pattern)


def test_a_kpi_registered_in_one_place_is_in_the_kpis_table_report_and_check(
    registered, tmp_path: Path, monkeypatch
):
    out = tmp_path / "run"
    done = CliRunner().invoke(
        app,
        ["run", str(BASELINE), "-n", "2", "--workers", "1", "--out", str(out)]
        + [f"--set={k}={v}" for k, v in SHORT.items()],
    )
    assert done.exit_code == 0, done.output
    # the run's KPIs, recomputed here in a line of pandas
    run = sim.load(out)
    trains = run.trains
    per_rep = trains[(trains["t_scheduled"] >= 0) & (trains["t_scheduled"] < run.info.horizon_h)]
    expected = per_rep.groupby("replication").size().reindex([0, 1]).astype(float)
    got = run.kpis[run.kpis["kpi"] == "trains_scheduled.total"].set_index("replication")["value"]
    pd.testing.assert_series_equal(got, expected, check_names=False)
    assert got.mean() >= run.mean("trains.total") > 0  # not every scheduled train ran
    assert len(counted_trains(trains, run.info.horizon_h)) > 0
    # the command line's (headline) KPI table
    assert "trains_scheduled.total" in done.output
    assert "│ trains_scheduled.total" in done.output
    # a report's headline KPI table, labelled
    monkeypatch.setattr(report_module, "draw_figures", lambda result: [])
    text = report_module.write_report(run, "md").read_text(encoding="utf-8")
    headline = text.split("## Key performance indicators")[1].split("<details>")[0]
    assert "| Trains scheduled, all corridors | `trains_scheduled.total` | trains |" in headline
    # the regression check's list, for the scenario and in the record of a run
    assert "trains_scheduled.total" in regression.checked_kpis(load_scenario(BASELINE))
    record = regression.record(run, load_scenario(BASELINE, SHORT), BASELINE)
    assert record.kpis["trains_scheduled.total"].values == tuple(expected)


def test_an_unregistered_kpi_is_gone_again(run):
    assert KPIS.family("trains_scheduled.total") is None
    assert "trains_scheduled.total" not in set(run.summary["kpi"])
