"""``landport validate`` on the files a planner writes: what-ifs and sweep files, every problem
on its own line, blamed on the file where it was written."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import BASELINE, ROOT, landport

SWEEPS = sorted((ROOT / "sweeps").glob("*.yaml"))


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A folder with a copy of the baseline, for what-ifs that extend it."""
    (tmp_path / "baseline.yaml").write_text(BASELINE.read_text(encoding="utf-8"), encoding="utf-8")
    return tmp_path


def errors(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("error: ")]


@pytest.mark.parametrize("path", SWEEPS, ids=lambda p: p.name)
def test_the_shipped_sweep_files_validate(path):
    result = landport("validate", path)
    assert result.exit_code == 0, result.output
    if "\nsensitivity:" in path.read_text(encoding="utf-8"):
        assert f"ok {path}: sensitivity (" in result.output
        assert "points; the scenario is valid" in result.output
    else:
        assert f"ok {path}: sweep {path.stem!r}, " in result.output
        assert "each a valid scenario" in result.output


def test_an_optimise_file_validates_and_its_block_is_checked(folder):
    good = folder / "least.yaml"
    good.write_text(
        "extends: baseline.yaml\n"
        "optimise:\n"
        "  minimise: {customs.import.officers: 1}\n"
        "  over: {customs.import.officers: [2, 6]}\n"
        "  subject_to: ['clearance_h.import.p90<=24']\n",
        encoding="utf-8",
    )
    result = landport("validate", good)
    assert result.exit_code == 0, result.output
    assert "optimise customs.import.officers subject to clearance_h.import.p90 <= 24" in (
        result.output
    )
    bad = folder / "bad.yaml"
    bad.write_text(good.read_text(encoding="utf-8").replace("over:", "ovr:"), encoding="utf-8")
    result = landport("validate", bad)
    assert result.exit_code == 2
    assert errors(result.output)
    assert "optimise.ovr" in result.output


def test_a_sweep_file_s_points_are_checked_and_every_problem_is_one_line(folder):
    sweep = folder / "my-sweep.yaml"
    sweep.write_text(
        "extends: baseline.yaml\n"
        "replications: 0\n"
        "sweep:\n"
        "  customs.import.officers: [2, 0]\n"
        "  customs.import.oficers: [1, 2]\n",
        encoding="utf-8",
    )
    result = landport("validate", sweep)
    assert result.exit_code == 2
    found = errors(result.output)
    assert len(found) == 3, result.output
    assert any("replications: Input should be greater than or equal to 1" in e for e in found)
    assert any("sweep.customs.import.oficers: unknown field" in e for e in found)
    assert any(
        "sweep.customs.import.officers:" in e and "(at sweep point 2: " in e for e in found
    ), found


def test_a_sweep_file_takes_set_overrides_like_a_scenario(folder):
    sweep = folder / "my-sweep.yaml"
    sweep.write_text(
        "extends: baseline.yaml\nsweep:\n  customs.import.officers: [2, 3]\n", encoding="utf-8"
    )
    ok = landport("validate", sweep, "--set", "end=2023-02-28")
    assert ok.exit_code == 0, ok.output
    assert "2023-01-01 – 2023-02-28" in ok.output
    bad = landport("validate", sweep, "--set", "end=2022-12-01")
    assert bad.exit_code == 2


def test_a_start_set_in_a_what_if_is_blamed_on_the_what_if(folder):
    child = folder / "late.yaml"
    child.write_text("extends: baseline.yaml\nname: late\nstart: 2023-09-30\n", encoding="utf-8")
    result = landport("validate", child)
    assert result.exit_code == 2
    (line,) = errors(result.output)
    assert line.startswith(f"error: {child}: start: end (2023-08-31) is before start (2023-09-30)")
    assert line.endswith(f"; end is set in {folder / 'baseline.yaml'}")


def test_an_end_set_on_the_command_line_is_blamed_on_it_naming_the_start_s_file(folder):
    child = folder / "late.yaml"
    child.write_text("extends: baseline.yaml\nname: late\nstart: 2023-03-01\n", encoding="utf-8")
    result = landport("validate", child, "--set", "end=2023-02-01")
    assert result.exit_code == 2
    (line,) = errors(result.output)
    assert line.startswith("error: --set: end: end (2023-02-01) is before start (2023-03-01)")
    assert line.endswith(f"start is set in {child}")


def test_an_inherited_pair_is_blamed_on_the_file_that_set_both(folder):
    (folder / "baseline.yaml").write_text(
        BASELINE.read_text(encoding="utf-8").replace("end: 2023-08-31", "end: 2022-08-31", 1),
        encoding="utf-8",
    )
    child = folder / "child.yaml"
    child.write_text("extends: baseline.yaml\nname: child\n", encoding="utf-8")
    result = landport("validate", child)
    (line,) = errors(result.output)
    assert "baseline.yaml: end: end (2022-08-31) is before start (2023-01-01)" in line
    assert "is set in" not in line
