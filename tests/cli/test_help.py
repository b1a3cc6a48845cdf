"""What a newcomer reads first: the version, the help of every command and shell completion."""

from __future__ import annotations

import importlib.metadata
import re

import pytest
from typer.testing import CliRunner

from sim.cli import app

COMMANDS = [
    [],
    ["run"],
    ["validate"],
    ["schema"],
    ["compare"],
    ["sweep"],
    ["runs"],
    ["prune"],
    ["report"],
    ["check"],
    ["catalog"],
    ["catalog", "rebuild"],
    ["catalog", "query"],
]


def invoke(*args: str, **env: str):
    """``landport ARGS`` in a terminal 200 columns wide, so no help line is wrapped."""
    return CliRunner().invoke(app, list(args), env={"COLUMNS": "200", **env})


def test_version_names_the_installed_landport():
    result = invoke("--version")
    assert result.exit_code == 0, result.output
    version = importlib.metadata.version("landport")
    commit = r"(, commit [0-9a-f]{8}(\+dirty)?)?"  # in a checkout
    assert re.match(rf"landport {re.escape(version)}{commit}, Python 3\.", result.output)


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(["landport", *c]))
def test_help_names_values_the_way_man_pages_do(command):
    result = invoke(*command, "--help")
    assert result.exit_code == 0, result.output
    assert "<bool>" not in result.output  # a flag takes no value
    usage = next(line for line in result.output.splitlines() if "Usage:" in line)
    assert "{" not in usage, usage  # braces say "one of these", not "required"


def test_the_usage_line_names_arguments_in_capitals():
    assert "Usage: landport run [OPTIONS] SCENARIO" in invoke("run", "--help").output
    assert "Usage: landport compare [OPTIONS] A B" in invoke("compare", "--help").output
    result = invoke("run", "--help")
    assert re.search(r"--set\s+PATH=VALUE", result.output)
    assert re.search(r"--out\s+DIR", result.output)
    assert re.search(r"--seed\s+N\s", result.output)
    assert "9223372036854775807" not in result.output  # the seed's range is said in words


def test_command_help_is_prose_not_the_docstring_s_line_breaks():
    listing = invoke("--help").output
    # The docstring breaks after "95 % CI,"; the help goes on as one sentence.
    assert "with its 95 % CI, whether it is significant" in listing
    report = invoke("report", "--help").output
    assert "KPIs with confidence intervals, every plot" in report


def test_a_seed_out_of_range_is_one_error_line():
    result = invoke("run", "scenarios/baseline.yaml", "--seed", str(2**64))
    assert result.exit_code == 2
    assert "Invalid value for '--seed'" in result.output
    assert "expected 0 to 2⁶³ − 1" in result.output


def test_shell_completion_is_offered_and_completes_commands_and_options():
    listing = invoke("--help").output
    assert "--install-completion" in listing
    assert "--show-completion" in listing
    script = invoke("--show-completion", "bash", SHELL="/bin/bash").output
    assert "complete -o default -F _landport_completion landport" in script
    words = invoke(_LANDPORT_COMPLETE="complete_bash", COMP_WORDS="landport ru", COMP_CWORD="1")
    assert words.output.split() == ["run", "runs"]
    options = invoke(
        _LANDPORT_COMPLETE="complete_bash", COMP_WORDS="landport run --re", COMP_CWORD="2"
    )
    assert options.output.split() == ["--replications", "--report"]
