"""Fuzzing the inputs: mutated scenario files and ``--set`` values either give one clear error
line each (exit 2, nothing written) or a model that runs to its horizon with sound KPIs —
never a traceback, a hang or a memory blow-up.

The suite runs a fixed sample (seed :data:`SEED`) in well under a minute; the full set (1,500
mutants, 400 of the accepted ones run) is marked slow. ``python -m tests.fuzz`` prints the
table of outcomes.
"""

from __future__ import annotations

import pytest

from tests.fuzz.harness import Tally, report, run_cases
from tests.fuzz.mutants import REVIEW, scenario_cases, set_cases

SEED = 20260101
CI_COUNT, CI_RUNS = 250, 10
"""Mutants validated and accepted mutants run in the default suite: the fixed cases (the
review's findings, every broken ``extends``, the bombs) and about 150 random ones."""


def assert_clean(tally: Tally) -> None:
    assert not tally.failures(), "\n" + report(tally)


def test_mutated_scenario_files_fail_cleanly_or_run_to_sound_kpis():
    cases = scenario_cases(SEED, CI_COUNT)
    tally = run_cases(cases, runs=CI_RUNS)
    assert_clean(tally)
    validated, ran = tally.counts("validate"), tally.counts("run")
    assert sum(validated.values()) == len(cases)
    assert validated["clean error"] > len(REVIEW)  # not vacuous: most mutants are refused …
    assert validated["accepted"] >= CI_RUNS  # … some are accepted, and run
    assert ran["accepted"] == CI_RUNS


def test_set_values_and_options_fail_cleanly_or_run():
    cases = set_cases()
    tally = run_cases(cases, runs=1)
    assert_clean(tally)
    outcomes = tally.counts("--set")
    assert sum(outcomes.values()) == len(cases)
    assert outcomes["clean error"] >= len(cases) - 3  # all but the valid ones
    assert tally.counts("run")["accepted"] == 1


@pytest.mark.slow
def test_the_full_fuzz_set():
    tally = run_cases(scenario_cases(SEED, 1500) + set_cases(), runs=400, workers=2)
    assert_clean(tally)
