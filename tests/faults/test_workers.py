"""Worker processes: the caller's code everywhere, the same numbers serially, on local workers
and on Dask, the same bytes on a real Dask cluster, and nothing left behind when the command
dies.

These tests start real processes: a Dask scheduler and workers on the loopback address,
``landport run`` killed with SIGKILL or interrupted with SIGINT, and scripts that import
``sim`` from a second checkout.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import sim
from sim.experiment.backends import CodeMismatch, run_checked
from sim.experiment.fingerprint import PACKAGE_DIR, code_fingerprint, this_code
from sim.results.stats import exact_sum, step_integral
from tests.conftest import BASELINE, ROOT, SHORT_MONTH

SHORT = {"end": "2023-02-15"}
"""Six weeks of the baseline (two weeks of warm-up): every flow, a few seconds a run."""
LANDPORT = Path(sys.executable).with_name("landport")


def echo(value: int) -> int:
    return value


# ------------------------------------------------------------------------- the caller's code


def test_a_worker_refuses_a_task_sent_by_other_code_and_names_both():
    mine = this_code()
    theirs = dataclasses.replace(
        mine, fingerprint="0" * 16, source="1" * 16, package_dir="/elsewhere/sim"
    )
    assert run_checked(mine, echo, (7,)) == 7
    with pytest.raises(CodeMismatch) as caught:
        run_checked(theirs, echo, (7,))
    message = str(caught.value)
    assert f"sim at /elsewhere/sim on {mine.host} (fingerprint {'0' * 16}" in message
    assert f"sim at {PACKAGE_DIR} on {mine.host} (fingerprint {mine.fingerprint}" in message
    assert "the sim source differs" in message


@pytest.fixture(scope="module")
def other_checkout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A second checkout: a copy of ``sim`` whose KPIs carry one more, marking its code."""
    root = tmp_path_factory.mktemp("checkout-b")
    shutil.copytree(PACKAGE_DIR, root / "sim", ignore=shutil.ignore_patterns("__pycache__"))
    kpi = root / "sim" / "results" / "kpis" / "measures.py"
    source = kpi.read_text(encoding="utf-8")
    anchor = "    return resource_kpis(k.levels, k.horizon_h)\n"
    assert anchor in source
    kpi.write_text(
        source.replace(anchor, anchor.replace("return ", 'return {"checkout.b": 1.0} | ')),
        encoding="utf-8",
    )
    return root


SCRIPT = """
import json, sys
sys.path.insert(0, {checkout!r})
import sim
from sim.experiment.backends import BackendError
from sim.experiment.fingerprint import this_code
assert sim.__file__.startswith({checkout!r}), sim.__file__
if {forget_checkout!r}:
    sys.path.remove({checkout!r})  # workers now find the installed sim, not this one
try:
    run = sim.run({scenario!r}, replications=3, workers=2, save=False,
                  overrides={{"end": "2023-01-07", "warmup_days": 1}})
except BackendError as exc:
    print(json.dumps({{"refused": str(exc)}}))
else:
    wide = run.wide()
    print(json.dumps({{
        "marked": [float(v) for v in wide["checkout.b"]] if "checkout.b" in wide else [],
        "manifest": run.manifest["code_fingerprint"],
        "mine": this_code().fingerprint,
    }}))
"""


def run_script(checkout: Path, forget_checkout: bool, cwd: Path) -> dict[str, object]:
    script = SCRIPT.format(
        checkout=str(checkout), forget_checkout=forget_checkout, scenario=str(BASELINE)
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=90, cwd=cwd
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def test_workers_run_the_code_the_caller_imported_from_a_second_checkout(
    other_checkout: Path, tmp_path: Path
):
    """The caller imports checkout B first on sys.path; the installed landport is A. Every
    replication, the pool's included, runs B, and the manifest names B's fingerprint."""
    out = run_script(other_checkout, forget_checkout=False, cwd=tmp_path)
    assert out["marked"] == [1.0, 1.0, 1.0]
    assert out["manifest"] == out["mine"] == code_fingerprint(other_checkout / "sim")
    assert out["manifest"] != code_fingerprint()


def test_workers_refuse_tasks_when_they_would_import_other_code(
    other_checkout: Path, tmp_path: Path
):
    """The caller runs B but leaves only A where the workers look: they refuse, and say so."""
    out = run_script(other_checkout, forget_checkout=True, cwd=tmp_path)
    message = str(out["refused"])
    assert f"sim at {other_checkout / 'sim'}" in message
    assert f"sim at {PACKAGE_DIR}" in message
    assert code_fingerprint(other_checkout / "sim") in message
    assert code_fingerprint() in message
    assert "the sim source differs" in message


# ------------------------------------------------------------------------- a real Dask cluster


def loopback_available() -> bool:
    try:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            s.listen()
    except OSError:
        return False
    return True


@pytest.fixture(scope="module")
def dask_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A scheduler and a worker process with two worker processes, as a planner starts them."""
    if not loopback_available():
        pytest.skip("processes cannot listen on the loopback address here")
    folder = tmp_path_factory.mktemp("dask")
    file = folder / "scheduler.json"
    common = {"cwd": ROOT, "stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    scheduler = ["distributed.cli.dask_scheduler", "--host", "127.0.0.1", "--port", "0"]
    worker = ["distributed.cli.dask_worker", "--nworkers", "2", "--nthreads", "1"]
    options = ["--no-dashboard", "--scheduler-file", str(file)]
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", *scheduler, *options], start_new_session=True, **common
        )
    ]
    try:
        deadline = time.monotonic() + 30
        while not file.is_file() or not file.read_text():
            assert time.monotonic() < deadline, "the Dask scheduler did not start in 30 s"
            time.sleep(0.1)
        procs.append(
            subprocess.Popen(
                [sys.executable, "-m", *worker, *options], start_new_session=True, **common
            )
        )
        address = json.loads(file.read_text())["address"]
        from dask.distributed import Client

        with Client(address, timeout="20s") as client:
            client.wait_for_workers(2, timeout=60)
            yield address
            client.shutdown()  # the scheduler and its workers end by themselves
    finally:
        for p in reversed(procs):  # whatever is left: workers first, then the scheduler
            try:  # a loaded machine may take a while to let them go
                p.wait(timeout=60)
            except subprocess.TimeoutExpired:
                p.terminate()
                try:
                    p.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    os.killpg(p.pid, signal.SIGKILL)
                    p.wait(timeout=5)


def test_serial_local_and_dask_runs_give_identical_per_replication_kpis():
    runs = {
        backend: sim.run(BASELINE, replications=3, overrides=SHORT_MONTH, save=False, **options)
        for backend, options in {
            "serial": {"workers": 1},
            "local": {"workers": 2},
            "dask": {"dask_scheduler": "local", "workers": 2},
        }.items()
    }
    serial = runs["serial"].kpis
    assert serial["replication"].nunique() == 3
    assert serial["kpi"].nunique() > 50
    for backend in ("local", "dask"):
        pd.testing.assert_frame_equal(runs[backend].kpis, serial, check_exact=True)
        pd.testing.assert_frame_equal(
            runs[backend].containers, runs["serial"].containers, check_exact=True
        )
    assert runs["dask"].manifest["backend"] == "dask:local"
    assert runs["local"].manifest["backend"] == "local:2"


def files_of(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` but the manifests (which hold times and the backend)."""
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != "manifest.json"
    }


def test_kpi_sums_do_not_depend_on_order_or_memory_layout():
    """What a KPI adds up gives the same bits reversed, shuffled or misaligned in memory —
    where a plain sum (pairwise, blocked, or split over BLAS threads) need not."""
    rng = np.random.default_rng(7)
    t = np.cumsum(rng.exponential(0.01, 40_001))
    v = rng.integers(0, 9, t.size).astype(float) * rng.random(t.size)
    x = rng.standard_normal(t.size) * 10.0 ** rng.uniform(-6, 6, t.size)
    misaligned = np.frombuffer(b"\0" + x.tobytes(), dtype=float, offset=1)
    assert not misaligned.flags.aligned
    assert exact_sum(x) == exact_sum(x[::-1]) == exact_sum(rng.permutation(x))
    assert exact_sum(misaligned) == exact_sum(x)
    assert float(np.sum(x)) != float(np.sum(x[::-1]))  # the order matters to a plain sum
    a, b = float(t[0]), float(t[-1])
    integral = step_integral(t, v, a, b)
    v_misaligned = np.frombuffer(b"\0" + v.tobytes(), dtype=float, offset=1)
    assert step_integral(t, v_misaligned, a, b) == integral
    assert integral == pytest.approx(float(np.dot(np.diff(t), v[:-1])), rel=1e-12)


def backends(address: str) -> dict[str, dict[str, object]]:
    return {"serial": {"workers": 1}, "dask": {"dask_scheduler": address}}


def test_a_real_dask_cluster_writes_the_same_bytes_as_one_process(
    dask_cluster: str, tmp_path: Path
):
    """A year of the baseline: its resource series are long enough for BLAS to split a dot
    product over threads (a Dask worker is allowed one, this process all cores)."""
    runs = {
        name: sim.run(BASELINE, replications=3, out=tmp_path / name, register=False, **options)
        for name, options in backends(dask_cluster).items()
    }
    assert runs["dask"].manifest["backend"] == f"dask:{dask_cluster}"
    serial, dask = files_of(tmp_path / "serial"), files_of(tmp_path / "dask")
    assert {"kpis.json", "kpis.parquet", "summary.csv", "containers.parquet"} <= set(serial)
    assert list(dask) == list(serial)
    assert [name for name in serial if dask[name] != serial[name]] == []


def test_a_sweep_on_a_real_dask_cluster_writes_the_same_bytes_as_one_process(
    dask_cluster: str, tmp_path: Path
):
    levers = {"customs.import.officers": [3, 4]}
    for name, options in backends(dask_cluster).items():
        out = tmp_path / name / "sweep"  # the same folder name: the plan file records it
        sim.sweep(
            BASELINE, levers, replications=2, overrides=SHORT, out=out, register=False, **options
        )
    serial, dask = files_of(tmp_path / "serial" / "sweep"), files_of(tmp_path / "dask" / "sweep")
    assert any(name.startswith("points") for name in serial)
    assert list(dask) == list(serial)
    assert [name for name in serial if dask[name] != serial[name]] == []


# ------------------------------------------------------------------------- nothing left behind


def group_members(pgid: int) -> list[int]:
    """The live processes of process group ``pgid`` (zombies are dead)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[2]) == pgid and fields[0] != "Z":
            found.append(int(entry.name))
    return found


@pytest.fixture
def scratch() -> Iterator[Path]:
    """A temporary directory of its own for the command (short: it holds a socket's path)."""
    folder = Path(tempfile.mkdtemp(prefix="lpt-"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def start_run(tmp_path: Path, scratch: Path) -> subprocess.Popen[str]:
    """``landport run`` on two workers in a session of its own, once its workers are up."""
    env = {**os.environ, "TMPDIR": str(scratch), "LANDPORT_CATALOG": "off"}
    command = [str(LANDPORT), "run", str(BASELINE), "-n", "200", "--workers", "2"]
    command += ["--set", "end=2023-02-15", "--out", str(tmp_path / "run")]
    proc = subprocess.Popen(
        command,
        cwd=tmp_path,
        env=env,
        start_new_session=True,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    # Running: this process, the resource tracker, the fork server and two workers.
    deadline = time.monotonic() + 30
    while len(group_members(proc.pid)) < 5:
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the workers did not start in 30 s"
        time.sleep(0.05)
    time.sleep(0.5)  # a replication or two under way
    return proc


def wait_until_gone(pgid: int, grace_s: float = 10.0) -> list[int]:
    deadline = time.monotonic() + grace_s
    while (left := group_members(pgid)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return left


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc (Linux)")
def test_kill_9_of_a_run_leaves_no_process_and_no_temporary_file(tmp_path: Path, scratch: Path):
    proc = start_run(tmp_path, scratch)
    proc.kill()
    proc.communicate(timeout=10)
    left = wait_until_gone(proc.pid)
    if left:  # do not leave them to the next test either
        os.killpg(proc.pid, signal.SIGKILL)
    assert left == []
    assert list(scratch.iterdir()) == []
    assert not (tmp_path / "run").exists()


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc (Linux)")
def test_ctrl_c_of_a_run_prints_one_line_exits_130_and_leaves_nothing(
    tmp_path: Path, scratch: Path
):
    proc = start_run(tmp_path, scratch)
    os.killpg(proc.pid, signal.SIGINT)  # as a terminal does: to every process of the command
    _, stderr = proc.communicate(timeout=30)
    left = wait_until_gone(proc.pid)
    if left:
        os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 130
    said = [line for line in stderr.splitlines() if line.strip()]
    assert len(said) == 1
    assert said[0].startswith("interrupted")
    assert left == []
    assert list(scratch.iterdir()) == []
    assert not (tmp_path / "run").exists()
