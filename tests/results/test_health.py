"""The bottleneck rule reads the run's resources — which serve, which hold, their order along
a container's way and what a holder waits for — from its metadata, not from a list."""

from __future__ import annotations

import pytest

from sim.experiment.manifest import run_info
from sim.results.health import SATURATED, bottleneck, diagnose
from sim.results.i18n import language
from sim.results.resource_kinds import describe_resource
from sim.results.runinfo import RunInfo
from sim.scenario import load_scenario
from tests.conftest import BASELINE


@pytest.fixture(scope="module")
def info() -> RunInfo:
    return run_info(load_scenario(BASELINE))


def busy(**utilisation: float) -> dict[str, float]:
    return {f"utilisation.huaihua.{k.replace('__', '.')}": v for k, v in utilisation.items()}


def test_nothing_near_saturation_names_no_bottleneck(info):
    assert bottleneck(busy(sidings=0.5, tracks=0.6), info) is None
    assert diagnose({}, info).lines() == []


def test_of_servers_about_as_busy_the_one_furthest_downstream_binds(info):
    means = busy(sidings=0.95, handling=0.94, customs__import__officers=0.8)
    assert bottleneck(means, info) == ("huaihua.handling", 0.94)
    means = busy(sidings=0.95, handling=0.90)
    assert bottleneck(means, info) == ("huaihua.sidings", 0.95)


def test_holders_count_only_when_no_server_is_saturated(info):
    means = busy(yard__import=0.97, sidings=SATURATED - 0.01)
    assert bottleneck(means, info) == ("huaihua.yard.import", 0.97)
    means = busy(yard__import=0.97, sidings=0.9)
    assert bottleneck(means, info) == ("huaihua.sidings", 0.9)


def test_busy_tracks_with_trains_queueing_for_yard_space_name_the_yard(info):
    means = busy(tracks=0.99, yard__import=0.7)
    assert bottleneck(means, info) == ("huaihua.tracks", 0.99)
    means["queue.huaihua.yard.import.mean"] = 2.0
    assert bottleneck(means, info) == ("huaihua.yard.import", 0.7)


def test_a_resource_the_results_do_not_know_takes_no_part(info):
    extra = describe_resource("huaihua", "huaihua.drones", 4)
    wider = info.model_copy(update={"resources": (*info.resources, extra)})
    assert extra.role == "other"
    assert extra.label.en == "drones"
    assert bottleneck(busy(drones=1.0), wider) is None


def test_unstable_queues_and_cargo_turned_away_are_said(info):
    health = diagnose(
        {"unstable.huaihua.gate": 0.5, "unstable.count": 1.0, "turned_away_share.total": 0.2},
        info,
    )
    assert health.unstable == (("huaihua.gate", 0.5),)
    assert health.lines()[0].startswith("UNSTABLE: queues grow without bound at huaihua.gate")
    assert health.lines()[-1].startswith("Turned away: 20.0%")


def test_a_runs_health_is_said_in_chinese_under_that_language(info):
    health = diagnose(
        {"unstable.huaihua.gate": 0.5, "unstable.count": 1.0, "turned_away_share.total": 0.2},
        info,
    )
    with language("zh"):
        lines = health.lines()
    assert lines[0].startswith("不稳定：huaihua.gate（50% 的重复运行）")
    assert lines[-1].startswith("转走：20.0% 的货物")
    assert health.lines()[0].startswith("UNSTABLE:")  # English again outside the block
