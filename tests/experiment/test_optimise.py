"""The least set-up that meets a target: the rule, the search, and the M/M/c check — on the
customs desk reduced to an M/M/c queue, the answer is the smallest c whose Erlang-C mean
clearance meets the target."""

from __future__ import annotations

import json

import pandas as pd
import pytest

import sim
from sim.experiment.optimise import (
    Constraint,
    OptimiseResult,
    optimise,
    parse_constraint,
    parse_range,
    read_spec,
)
from sim.results import store
from sim.results.store import RunFolderError
from sim.scenario import ScenarioError
from tests.conftest import MMC, flat, landport
from tests.validation.theory import mmc_sojourn_h

OFFICERS = "customs.import.officers"
ARRIVALS_PER_H, REVIEW_H = 2.0, 1.2  # tests/scenarios/mmc_import.yaml


def test_a_target_is_met_only_when_the_whole_interval_is_on_its_side():
    c = parse_constraint("clearance_h.import.p90<=24")
    assert c == Constraint("clearance_h.import.p90", "<=", 24.0)
    assert c.verdict(20.0, 23.9) == "meets"
    assert c.verdict(20.0, 24.1) == "undecided"
    assert c.verdict(24.1, 30.0) == "fails"
    assert c.verdict(float("nan"), float("nan")) == "undecided"
    more = parse_constraint("teu.total >= 1000")
    assert more.verdict(1000.0, 1200.0) == "meets"
    assert more.verdict(900.0, 999.0) == "fails"
    with pytest.raises(ScenarioError, match="KPI<=VALUE"):
        parse_constraint("clearance_h.import.p90 < 24")
    assert parse_range("customs.import.officers=2:12") == (OFFICERS, (2, 12))
    with pytest.raises(ScenarioError, match="whole numbers"):
        parse_range("customs.import.officers=2.5:12")


def test_set_ups_are_tried_cheapest_first_by_their_weights():
    spec = read_spec(
        MMC,
        minimise={OFFICERS: 1.0, "customs.inspection.bays": 3.0},
        over={OFFICERS: (2, 4), "customs.inspection.bays": (1, 2)},
        subject_to=["clearance_h.import.mean<=2"],
    )
    costs = [spec.cost(p) for p in spec.candidates()]
    assert costs == sorted(costs)
    assert spec.candidates()[0] == {OFFICERS: 2, "customs.inspection.bays": 1}
    with pytest.raises(ScenarioError, match="not one of the levers"):
        read_spec(MMC, minimise={"x": 1}, over={OFFICERS: (2, 4)}, subject_to=["a<=1"])
    with pytest.raises(ScenarioError, match="no target"):
        read_spec(MMC, over={OFFICERS: (2, 4)})


@pytest.mark.parametrize("target", [1.6, 1.3])
def test_the_least_officers_on_the_mmc_desk_is_the_smallest_c_erlang_c_allows(target, tmp_path):
    erlang = {c: mmc_sojourn_h(ARRIVALS_PER_H, REVIEW_H, c) for c in range(3, 9)}
    want = min(c for c, w in erlang.items() if w <= target)
    result = optimise(
        MMC,
        minimise={OFFICERS: 1},
        over={OFFICERS: (3, 8)},
        subject_to=[f"clearance_h.import.mean<={target}"],
        initial_replications=3,
        max_replications=48,
        workers=1,
        root=tmp_path,
    )
    assert result.answer is not None
    assert result.answer["levers"] == {OFFICERS: want}
    final = result.final().set_index(OFFICERS)
    assert final.loc[want, "high"] <= target  # its evidence: the upper 95 % bound
    assert final.loc[want - 1, "verdict"] == "fails"  # one officer fewer is proven short
    # Set-ups dearer than the answer are not pursued beyond the first round.
    assert (result.evaluations.loc[result.evaluations[OFFICERS] > want, "round"] == 1).all()
    if target == 1.3:  # close to W(5) = 1.252 h: more replications were needed near it
        assert final.loc[want, "replications"] > 3
    # Each round's runs are read back from the published folder, in memory and from disk.
    answer_round = result.rounds[-1]
    assert answer_round.path is not None
    assert answer_round.path.is_relative_to(result.path)
    assert len(answer_round.run(0).containers) > 0
    again = sim.load(result.path)
    assert isinstance(again, OptimiseResult)
    assert len(again.rounds[0].run(0).containers) > 0
    assert again.answer == result.answer
    assert len(again.evaluations) == len(result.evaluations)


def test_an_unreachable_target_says_so_with_its_evidence(tmp_path):
    result = optimise(
        MMC,
        minimise={OFFICERS: 1},
        over={OFFICERS: (4, 5)},
        subject_to=["clearance_h.import.mean<=1.0"],  # below the review time itself (1.2 h)
        initial_replications=2,
        max_replications=4,
        workers=1,
        save=False,
    )
    assert result.answer is None
    assert result.path is None
    assert "No set-up in the range is proven to meet" in result.summary()
    assert set(result.final()["verdict"]) == {"fails"}


def test_an_interrupted_search_resumes_from_its_folder(tmp_path):
    kwargs = {
        "minimise": {OFFICERS: 1},
        "over": {OFFICERS: (3, 5)},
        "subject_to": ["clearance_h.import.mean<=1.6"],
        "initial_replications": 2,
        "max_replications": 8,
        "overrides": {"end": "2023-01-14"},
        "workers": 1,
    }
    out = tmp_path / "search"
    first = optimise(MMC, out=out, **kwargs)
    assert first.path == out
    assert (out / "evaluations.csv").is_file()
    # Interrupted after its rounds ran, before the folder was whole: hidden, no manifest.
    partial = tmp_path / ".search.partial"
    out.rename(partial)
    (partial / "manifest.json").unlink()
    (partial / "evaluations.parquet").unlink()
    ids = {p.name: store.read_manifest(p)["run_id"] for p in (partial / "rounds").iterdir()}
    with pytest.raises(FileExistsError, match="--resume"):
        optimise(MMC, out=out, **kwargs)
    with pytest.raises(RunFolderError, match="another search"):
        optimise(MMC, out=out, resume=True, **{**kwargs, "max_replications": 16})
    again = optimise(MMC, out=out, resume=True, **kwargs)
    assert again.path == out
    assert again.answer == first.answer
    kept = {p.name: store.read_manifest(p)["run_id"] for p in (out / "rounds").iterdir()}
    assert kept == ids  # every round's sweep was kept, none run again


def test_the_command_gives_no_answer_for_an_unreachable_target_shows_why_and_exits_1(tmp_path):
    """Exit code 1 (a check failed): no set-up in the range is proven to meet the target; the
    evidence is printed and written all the same."""
    args = [
        "optimise", MMC, "--minimise", OFFICERS, "--over", f"{OFFICERS}=4:5",
        "--subject-to", "clearance_h.import.mean<=1.0",  # below the review time itself
        "-n", "2", "--max-replications", "4", "--workers", "1",
        "--set", "end=2023-01-14",
    ]  # fmt: skip
    result = landport(*args, "--out", tmp_path / "none")
    assert result.exit_code == 1, result.output
    text = flat(result.output)
    assert "No set-up in the range is proven to meet clearance_h.import.mean <= 1" in text
    assert "2 of 2 fail it, 0 undecided" in text
    assert "Least set-up" not in text
    assert text.count("fails") >= 2  # the evidence: each set-up's verdict
    evidence = pd.read_csv(tmp_path / "none" / "evaluations.csv")
    assert sorted(evidence[OFFICERS].unique()) == [4, 5]
    last = evidence[evidence["round"] == evidence.groupby(OFFICERS)["round"].transform("max")]
    assert (last["low"] > 1.0).all()  # each proven to fail: its whole interval above 1 h
    as_json = landport(*args, "--out", tmp_path / "none-json", "--json")
    assert as_json.exit_code == 1
    payload = json.loads(as_json.stdout)
    assert payload["answer"] is None
    assert {e["verdict"] for e in payload["evidence"]} == {"fails"}
    # A reachable target on the same desk: an answer and exit code 0.
    ok = landport(*args[:6], "--subject-to", "clearance_h.import.mean<=1.6", *args[8:],
                  "--out", tmp_path / "some")  # fmt: skip
    assert ok.exit_code == 0, ok.output
    assert "Least set-up meeting clearance_h.import.mean <= 1.6" in flat(ok.output)
