"""The command line imports a command's module only when that command runs: ``landport
--help`` lists every command from :data:`sim.cli.COMMANDS` without importing any, and
``validate`` imports the scenario layer alone. What they show must not depend on it."""

from __future__ import annotations

import importlib
import inspect
import json
import os
import subprocess
import sys

import typer
from typer.testing import CliRunner

from sim.cli import COMMANDS, app
from sim.cli.common import LandportGroup

from ..conftest import BASELINE, ROOT

HEAVY = (
    "pandas",
    "numpy",
    "simpy",
    "duckdb",
    "pyarrow",
    "matplotlib",
    "sim.model",
    "sim.results.store",
)
"""What the help and ``validate`` must start without: the libraries a run needs, the model
and the results store."""


def imported_by(*args: str) -> dict[str, object]:
    """Run ``landport ARGS`` in a fresh interpreter; its exit code, output and which of
    :data:`HEAVY` it imported."""
    code = f"""
import json, sys
sys.argv = ["landport", *{list(args)!r}]
from sim.cli import main
try:
    main()
except SystemExit as stop:
    code = stop.code
heavy = [m for m in {HEAVY!r} if m in sys.modules]
print(json.dumps({{"code": code, "heavy": heavy}}), file=sys.stderr)
"""
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "120"},
        timeout=120,
    )
    *errors, said = done.stderr.strip().splitlines()
    return {**json.loads(said), "stdout": done.stdout, "stderr": "\n".join(errors)}


def test_the_help_imports_no_command_and_lists_each_as_its_own_help_does():
    lazy = imported_by("--help")
    assert lazy["code"] == 0
    assert lazy["heavy"] == []
    for name in COMMANDS:  # every command, in the registry's order
        assert f" {name} " in lazy["stdout"]
    # The same help with every command imported: the listing is the commands' own words.
    for module in {entry.module for entry in COMMANDS.values()}:
        importlib.import_module(module)
    eager = CliRunner().invoke(app, ["--help"], env={"COLUMNS": "120"}, prog_name="landport")
    assert eager.exit_code == 0
    assert eager.output == lazy["stdout"]


def test_validate_imports_the_scenario_layer_alone():
    said = imported_by("validate", str(BASELINE))
    assert said["code"] == 0
    assert "ok " in said["stdout"]
    assert said["heavy"] == []


def test_every_registered_command_is_listed_with_its_first_paragraph():
    for module in {entry.module for entry in COMMANDS.values()}:
        importlib.import_module(module)
    group = typer.main.get_command(app)
    assert isinstance(group, LandportGroup)
    assert set(group.commands) == set(COMMANDS)  # none unlisted, none listed that is not
    for name, command in group.commands.items():
        first = inspect.cleandoc(command.help or "").split("\n\n")[0]
        assert " ".join(first.split()) == COMMANDS[name].help, name


def test_a_listing_reads_the_registry_and_a_command_named_is_imported():
    group = LandportGroup(name="landport")  # no command on it yet
    with group.listing():
        shown = group.get_command(None, "sweep")
    assert shown is not None
    assert shown.help == COMMANDS["sweep"].help
    for name in ("validate", "catalog"):
        command = group.get_command(None, name)
        assert command is not None
        assert command.name == name
    assert group.commands["validate"].params  # the real command, with its argument and options
    assert set(group.commands["catalog"].commands) == {"rebuild", "query"}  # the real group
    assert group.get_command(None, "no-such-command") is None


def test_a_mistyped_command_is_answered_with_the_nearest_ones_before_any_is_imported():
    said = imported_by("rnu")
    assert said["code"] == 2
    assert "No such command 'rnu'. Did you mean 'run'?" in said["stderr"]
    assert said["heavy"] == []


def test_validate_knows_the_blocks_of_experiment_files_by_their_names():
    from sim.cli import validate
    from sim.experiment import optimise, sensitivity

    assert validate.SENSITIVITY == sensitivity.BLOCK
    assert validate.OPTIMISE == optimise.BLOCK


def test_a_bare_import_sim_reaches_the_api_and_the_subpackages():
    code = (
        "import sim; print(sim.run is sim.experiment.api.run, sim.results.i18n.__name__, "
        "'load_scenario' in dir(sim.scenario), 'TYPE_CHECKING' in dir(sim))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert done.stdout.split() == ["True", "sim.results.i18n", "True", "False"]
