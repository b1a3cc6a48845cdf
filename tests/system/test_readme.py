"""The README as a newcomer follows it, in a fresh copy of the repository: the Quick start's
commands exactly as written (the activation line included), and the Python example run as a
script, printing what the README shows and making exactly one run folder.

The copy is the repository's files (what a clone holds, uncommitted edits included). Its
``.venv`` is made as ``make`` makes it, but with the packages of the environment running the
tests instead of downloads, so this runs offline in seconds; ``-m slow`` also runs the Quick
start with ``make`` installing everything from the package index, as on a new machine.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from tests.conftest import ROOT

README = ROOT / "README.md"
TIME_STAMPED = re.compile(r"results/baseline-\d{8}-\d{6}")


def blocks(heading: str, lang: str) -> list[str]:
    """The fenced ``lang`` blocks of the README section under ``heading``, in order."""
    level = len(heading.split(" ", 1)[0])
    found: list[str] = []
    inside, fence, body = False, None, []
    for line in README.read_text(encoding="utf-8").splitlines():
        if fence is None and line.startswith("#"):  # a heading (not a comment in a block)
            depth = len(line) - len(line.lstrip("#"))
            if line == heading:
                inside = True
            elif inside and depth <= level:
                break
        elif line.startswith("```"):
            if fence is None:
                fence, body = line[3:].strip(), []
            else:
                if inside and fence == lang:
                    found.append("\n".join(body) + "\n")
                fence = None
        elif fence is not None:
            body.append(line)
    return found


def tracked_files() -> list[str]:
    try:
        done = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=ROOT,
            capture_output=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("needs git and a checkout: the copy is made of the files git knows")
    return [name for name in os.fsdecode(done.stdout).split("\0") if (ROOT / name).is_file()]


def fresh_copy(dest: Path) -> Path:
    for name in tracked_files():
        (dest / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, dest / name)
    return dest


def a_newcomer_s_environment() -> dict[str, str]:
    """This environment without landport's settings and without any virtualenv on PATH."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LANDPORT_")}
    env.pop("VIRTUAL_ENV", None)
    active = {str(Path(sys.prefix) / "bin"), str(Path(sys.executable).parent)}
    env["PATH"] = os.pathsep.join(
        p for p in env.get("PATH", "").split(os.pathsep) if p and p not in active
    )
    env.pop("COLUMNS", None)
    return env


def offline_venv(repo: Path) -> None:
    """``.venv`` as ``make`` leaves it, made from the packages of this environment: a new
    virtualenv that sees them (a ``.pth`` file), landport installed into it editable from the
    copy, and the mark that tells ``make`` it is installed."""
    venv = repo / ".venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    (site,) = (venv / "lib").glob("python3*/site-packages")
    (site / "_this_environment.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--no-deps",
         "--no-build-isolation", "--no-index", "-e", str(repo)],
        check=True,
        cwd=repo,
        env=a_newcomer_s_environment(),
    )  # fmt: skip
    (venv / ".installed").touch()


def bash(script: str, cwd: Path, timeout: float) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "-c", "set -e -o pipefail\n" + script],
        cwd=cwd,
        env=a_newcomer_s_environment(),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def quick_start_commands() -> list[str]:
    """The lines of the Quick start's first console block, as typed (comments and all)."""
    (block,) = blocks("## Quick start", "console")[:1]
    return [line[2:] for line in block.splitlines() if line.startswith("$ ")]


def bare(command: str) -> str:
    return command.split("#", 1)[0].strip()


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> Path:
    """A fresh copy with its .venv, as after `make` installed landport (offline)."""
    repo = fresh_copy(tmp_path_factory.mktemp("clone"))
    offline_venv(repo)
    return repo


def run_quick_start(repo: Path, timeout: float) -> dict[str, str]:
    """Each Quick start command in one shell, as typed; the output of each, by command."""
    commands = quick_start_commands()
    assert [bare(c) for c in commands[:2]] == ["make run", "source .venv/bin/activate"]
    script = "\n".join(f"echo {shlex.quote('>>> ' + bare(c))}\n{c}" for c in commands)
    before = bash("command -v landport || echo 'not found'", repo, 30)
    assert before.stdout.strip() == "not found"  # nothing installed is on PATH: a fair test
    script += "\necho '>>> python'\npython -c 'import sys; print(sys.prefix)'"
    done = bash(script, repo, timeout)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    parts = re.split(r"^>>> (.*)$", done.stdout, flags=re.MULTILINE)[1:]
    return {parts[i]: parts[i + 1].strip("\n") for i in range(0, len(parts), 2)}


def check_quick_start(repo: Path, out: dict[str, str]) -> None:
    made = out["make run"]
    assert "baseline: 2023-01-01 – 2023-08-31, 10 replication(s), seed 20230831" in made
    assert re.search(r"│ trains\.total\s+│ trains\s+│\s+2\d\d │", made), made
    assert TIME_STAMPED.search(made)
    run_id = re.search(r"Run id:\s+([0-9a-f]{10})", made).group(1)
    assert out["landport --version"].startswith("landport 0.1.0")
    assert out["landport validate scenarios/nanning-discount-45.yaml"].startswith(
        "ok scenarios/nanning-discount-45.yaml: scenario 'nanning-discount-45', "
    )
    assert run_id in out["landport runs"]
    assert "scenarios/baseline.yaml" in out["landport runs"]
    assert Path(out["python"].strip()) == repo / ".venv"  # python benchmarks/… finds simpy


def test_the_quick_start_runs_as_written(repo):
    check_quick_start(repo, run_quick_start(repo, timeout=600))


@pytest.mark.slow
def test_the_quick_start_runs_as_written_on_a_new_machine(tmp_path):
    """``make run`` creates .venv and installs landport and its packages from the index."""
    repo = fresh_copy(tmp_path)
    check_quick_start(repo, run_quick_start(repo, timeout=1800))


def test_the_python_example_runs_as_a_script_and_prints_what_the_readme_shows(repo):
    (code,) = blocks("### Python", "python")[:1]
    (shown,) = blocks("### Python", "text")[:1]
    assert 'if __name__ == "__main__":' in code
    (repo / "first_run.py").write_text(code, encoding="utf-8")
    results = repo / "results"
    before = {p.name for p in results.iterdir() if p.is_dir()} if results.is_dir() else set()
    done = bash("source .venv/bin/activate\npython first_run.py", repo, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Traceback" not in done.stderr

    def lines(text: str) -> list[str]:  # the run folder's time aside, as printed
        return [line.rstrip() for line in TIME_STAMPED.sub("results/baseline-…", text).splitlines()]

    assert lines(done.stdout) == lines(shown), (
        "the README's Python example no longer prints what the README shows; if the model's "
        "numbers changed on purpose, update the block under it to this output:\n" + done.stdout
    )
    after = {p.name for p in results.iterdir() if p.is_dir()}
    assert len(after - before) == 1  # one run: the worker processes did not run it again


DISRUPTIONS = "## Disruptions and recovery"


def disruption_commands() -> list[str]:
    """The commands of the disruptions section's console block, as typed."""
    (block,) = blocks(DISRUPTIONS, "console")[:1]
    return [line[2:] for line in block.splitlines() if line.startswith("$ ")]


def test_the_disruptions_section_s_scenario_validates(repo):
    """The section's YAML, saved where its first line says, is a valid scenario."""
    (example,) = blocks(DISRUPTIONS, "yaml")[:1]
    path = example.splitlines()[0].removeprefix("#").strip()
    assert path.startswith("scenarios/disruptions/")
    (repo / path).write_text(example, encoding="utf-8")
    done = bash(f"source .venv/bin/activate\nlandport validate {shlex.quote(path)}", repo, 120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith(f"ok {path}: scenario 'my-what-if', ")


def run_disruption_commands(repo: Path, extra: str) -> str:
    """The section's compare and report, as typed (``extra`` appended to the compare)."""
    commands = [bare(c) for c in disruption_commands()]
    assert [c.split()[:2] for c in commands] == [["landport", "compare"], ["landport", "report"]]
    out = repo / commands[1].split()[-1]
    shutil.rmtree(out, ignore_errors=True)
    commands[0] += extra
    done = bash("source .venv/bin/activate\n" + "\n".join(commands), repo, timeout=1200)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "Recovery of B from its disruptions" in done.stdout
    assert "qinzhou_typhoon" in done.stdout
    report = (out / "report.html").read_text(encoding="utf-8")
    assert "Recovery from disruptions" in report
    return done.stdout


def test_the_disruptions_section_s_compare_and_report_run(repo):
    """As written, with one replication instead of the scenario's ten (the slow test below
    runs them exactly as written)."""
    run_disruption_commands(repo, " -n 1")


@pytest.mark.slow
def test_the_disruptions_section_s_compare_and_report_run_as_written(repo):
    out = run_disruption_commands(repo, "")
    assert "10 paired replications" in out
