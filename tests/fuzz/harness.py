"""Running fuzz cases through the command line, each in a worker process with a memory limit
and a time limit, and sorting what happened.

A worker (``python -m tests.fuzz.harness``) imports landport once and runs cases one after
another in-process, through ``typer.testing.CliRunner``: the command line's own error path,
about 50 ms a validation. It runs under ``RLIMIT_AS`` (a memory blow-up becomes a
``MemoryError``, or the worker's death) and arms a timer per case (a hang becomes
:class:`CaseTimeout`); the parent also gives up on a worker that does not answer in time.
After a hang, a memory blow-up or a death the worker is replaced, so one case never
spoils the next.

Outcomes: ``accepted`` (validate exit 0 / a run that finished with sound KPIs), ``clean
error`` (exit 2, or a run the model stopped with exit 1, and every stderr line one
``error:`` line), and the failures: ``traceback``, ``hang``, ``memory``, ``died``, ``messy
error`` (exit 2 without one line per error, or something written on a failed run) and
``odd result`` (a run whose KPIs are infinite, all missing or negative).
"""

from __future__ import annotations

import json
import os
import queue
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
MEMORY_LIMIT = 3 * 2**30
"""Address space of a worker: landport with numpy, pandas and pyarrow maps about 1.5 GB
before it runs anything; a two-week run of a 100× demand needs a few hundred MB more."""
VALIDATE_TIMEOUT_S = 30.0
RUN_TIMEOUT_S = 120.0
REPLY = "@@fuzz "
SIGNED_KPIS = ("growth_per_day.", "train_delay_h.")
"""KPIs that may be negative: a queue that shrinks, a train that leaves early (when full);
every other KPI counts, measures a time, a share or money and cannot."""
FAILURES = ("traceback", "hang", "memory", "died", "messy error", "odd result")


@dataclass
class Outcome:
    case: int
    kind: str
    note: str
    phase: str
    outcome: str
    detail: str = ""
    elapsed_s: float = 0.0
    start: str | None = None
    warmup_days: float | None = None


@dataclass
class Tally:
    """Counts of outcomes per phase, and the failures themselves."""

    outcomes: list[Outcome] = field(default_factory=list)

    def add(self, outcome: Outcome) -> None:
        self.outcomes.append(outcome)

    def counts(self, phase: str) -> Counter[str]:
        return Counter(o.outcome for o in self.outcomes if o.phase == phase)

    def failures(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.outcome in FAILURES]

    def table(self) -> str:
        columns = ("tried", "clean error", "accepted", *FAILURES)
        lines = [f"{'':>10} " + " ".join(f"{c:>11}" for c in columns)]
        for phase in ("validate", "run", "--set"):
            c = self.counts(phase)
            cells = [sum(c.values()), c["clean error"], c["accepted"], *(c[f] for f in FAILURES)]
            lines.append(f"{phase:>10} " + " ".join(f"{n:>11}" for n in cells))
        return "\n".join(lines)


# ---------------------------------------------------------------------------- the worker


class CaseTimeout(BaseException):
    """Raised in the worker when a case runs out of time (not an Exception: nothing in the
    application may catch it)."""


def _on_alarm(signum: int, frame: Any) -> None:
    raise CaseTimeout


def _clean_stderr(stderr: str) -> str:
    """Why the error output is not one ``error:`` line per problem ("" if it is)."""
    lines = [line for line in stderr.splitlines() if line.strip()]
    if not lines:
        return "no error message"
    if "Traceback" in stderr:
        return "a traceback on stderr"
    for line in lines:
        if not line.startswith(("error: ", "warning: ")):
            return f"a line that is not one error: {line[:120]!r}"
    if not any(line.startswith("error: ") for line in lines):
        return "no error: line"
    return ""


def _kpi_problems(folder: Path) -> str:
    """Why the KPIs of a finished run are unsound ("" if they are sound)."""
    kpis = json.loads((folder / "kpis.json").read_text(encoding="utf-8"))
    values = {k: v for k, v in kpis.items() if isinstance(v, int | float)}
    if not values or all(v != v for v in values.values()):
        return "every KPI is missing (NaN)"
    bad = [f"{k}={v}" for k, v in values.items() if v in (float("inf"), float("-inf"))]
    bad += [
        f"{k}={v:.4g}"
        for k, v in values.items()
        if v == v and v < 0 and not k.startswith(SIGNED_KPIS)
    ]
    bad += [
        f"{k}={v:.4g}"
        for k, v in values.items()
        if k.startswith("utilisation.") and v == v and v > 1 + 1e-9
    ]
    return "; ".join(bad[:5])


def _invoke(runner: Any, app: Any, argv: list[str], timeout_s: float) -> dict[str, Any]:
    signal.setitimer(signal.ITIMER_REAL, timeout_s)
    t0 = time.perf_counter()
    try:
        result = runner.invoke(app, argv)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    reply: dict[str, Any] = {
        "exit": result.exit_code,
        "stdout": result.stdout[:2000],
        "stderr": result.stderr[:20000],
        "elapsed_s": time.perf_counter() - t0,
    }
    exc = result.exception
    if exc is not None and not isinstance(exc, SystemExit):
        reply["exception"] = type(exc).__name__
        reply["trace"] = "".join(traceback.format_exception(exc)[-4:])[-1500:]
    return reply


def _serve(memory_limit: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (memory_limit, memory_limit))
    signal.signal(signal.SIGALRM, _on_alarm)
    from typer.testing import CliRunner

    from sim.cli import app
    from sim.scenario import ScenarioError, load_scenario
    from tests.fuzz.mutants import short_run

    runner = CliRunner()
    out = sys.stdout
    for line in sys.stdin:
        request = json.loads(line)
        reply: dict[str, Any] = {}
        try:
            argv = list(request["argv"])
            if request.get("shorten"):  # an accepted mutant: run it for two weeks
                try:
                    scn = load_scenario(argv[1])
                except ScenarioError as exc:
                    raise RuntimeError(f"validated, then refused: {exc}") from None
                reply["start"], reply["warmup_days"] = str(scn.start), scn.warmup_days
                argv += short_run(scn.start, scn.warmup_days)
            reply.update(_invoke(runner, app, argv, request["timeout_s"]))
            folder = request.get("out")
            if folder and reply["exit"] == 0 and "exception" not in reply:
                reply["kpi_problems"] = _kpi_problems(Path(folder))
            elif folder:
                reply["wrote"] = Path(folder).exists()
        except CaseTimeout:
            reply["hang"] = True
        except MemoryError:
            reply["memory"] = True
        except Exception as exc:
            reply["exception"] = type(exc).__name__
            reply["trace"] = "".join(traceback.format_exception(exc)[-4:])[-1500:]
        out.write(REPLY + json.dumps(reply) + "\n")
        out.flush()
        if reply.get("hang") or reply.get("memory") or reply.get("exception") == "MemoryError":
            return  # a fresh worker for the next case


# ---------------------------------------------------------------------------- the parent


class Worker:
    """One worker process, started on demand, replaced after a hang, a blow-up or a death."""

    def __init__(self, cwd: Path, memory_limit: int) -> None:
        self.cwd = cwd
        self.memory_limit = memory_limit
        self.proc: subprocess.Popen[str] | None = None
        self.replies: queue.Queue[str | None] = queue.Queue()

    def _start(self) -> subprocess.Popen[str]:
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in ("LANDPORT_EXTENDS_PATH", "COLUMNS", "FORCE_COLOR")
        }
        env.update(LANDPORT_CATALOG="off", PYTHONPATH=str(ROOT), NO_COLOR="1")
        proc = subprocess.Popen(
            [sys.executable, "-m", "tests.fuzz.harness", str(self.memory_limit)],
            cwd=self.cwd,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        replies: queue.Queue[str | None] = queue.Queue()
        self.replies = replies

        def read() -> None:
            assert proc.stdout is not None
            for line in proc.stdout:
                if line.startswith(REPLY):
                    replies.put(line[len(REPLY) :])
            replies.put(None)

        threading.Thread(target=read, daemon=True).start()
        return proc

    def ask(self, request: dict[str, Any], wait_s: float) -> dict[str, Any]:
        if self.proc is None or self.proc.poll() is not None:
            self.proc = self._start()
        assert self.proc.stdin is not None
        try:
            self.proc.stdin.write(json.dumps(request) + "\n")
            self.proc.stdin.flush()
            line = self.replies.get(timeout=wait_s)
        except queue.Empty:
            self.stop()
            return {"hang": True, "detail": f"no answer in {wait_s:.0f} s"}
        except BrokenPipeError:
            line = None
        if line is None:
            code = self.proc.wait()
            self.proc = None
            return {"died": True, "detail": f"worker exit status {code}"}
        reply: dict[str, Any] = json.loads(line)
        if reply.get("hang") or reply.get("memory") or reply.get("exception") == "MemoryError":
            self.stop()  # the worker ends itself after these: the next case gets a fresh one
        return reply

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            self.proc = None


def classify(reply: dict[str, Any], phase: str) -> tuple[str, str]:
    """(outcome, detail) of a worker's reply."""
    for failure in ("hang", "memory", "died"):
        if reply.get(failure):
            return failure, reply.get("detail", "")
    if reply.get("exception") == "MemoryError":
        return "memory", reply.get("trace", "")
    if reply.get("exception"):
        return "traceback", f"{reply['exception']}: {reply.get('trace', '')}"
    code, stderr = reply["exit"], reply["stderr"]
    if code == 0:
        if reply.get("kpi_problems"):
            return "odd result", reply["kpi_problems"]
        if phase == "validate" and not reply["stdout"].startswith("ok "):
            return "messy error", f"validate said {reply['stdout'][:200]!r}"
        return "accepted", ""
    why = _clean_stderr(stderr)
    if reply.get("wrote"):
        why = why or "a failed run left its folder behind"
    if code in (1, 2) and not why:
        return "clean error", stderr.splitlines()[0][:300]
    return "messy error", f"exit {code}: {why}: {stderr[:300]!r}"


def run_cases(
    cases: Iterable[Any],
    *,
    runs: int,
    workers: int = 1,
    memory_limit: int = MEMORY_LIMIT,
    phase_of: str = "validate",
) -> Tally:
    """Validate every case (or run its command, for ``run`` cases); then run the first
    ``runs`` accepted ones for two weeks. Cases are shared out among ``workers`` workers."""
    cases = list(cases)
    tally = Tally()
    with tempfile.TemporaryDirectory(prefix="landport-fuzz-") as tmp:
        base = Path(tmp)
        cwd = base / "cwd"
        cwd.mkdir()
        lock = threading.Lock()
        accepted: list[tuple[int, Any, Path]] = []

        def work(shard: list[tuple[int, Any]], worker: Worker) -> None:
            for i, case in shard:
                folder = base / f"case-{i}"
                scenario = case.write(folder)
                out = folder / "run-out"
                argv = [case.command, str(scenario), *case.args]
                timeout = VALIDATE_TIMEOUT_S
                if case.command == "run":
                    argv += ["--out", str(out)]
                    timeout = RUN_TIMEOUT_S
                request = {
                    "argv": argv,
                    "timeout_s": timeout,
                    "out": str(out) if case.command == "run" else None,
                }
                reply = worker.ask(request, timeout + 30)
                outcome, detail = classify(reply, case.command)
                phase = "--set" if case.kind in ("--set", "option") else phase_of
                result = Outcome(
                    i, case.kind, case.note, phase, outcome, detail, reply.get("elapsed_s", 0)
                )
                with lock:
                    tally.add(result)
                    if outcome == "accepted" and case.command == "validate":
                        accepted.append((i, case, scenario))
                if case.command == "validate" and outcome != "accepted":
                    shutil.rmtree(folder, ignore_errors=True)

        def share(items: list[Any], fn: Any) -> None:
            pool = [Worker(cwd, memory_limit) for _ in range(workers)]
            threads = [
                threading.Thread(target=fn, args=(items[k::workers], pool[k]))
                for k in range(workers)
            ]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            for w in pool:
                w.stop()

        share(list(enumerate(cases)), work)

        def run_accepted(shard: list[tuple[int, Any, Path]], worker: Worker) -> None:
            for i, case, scenario in shard:
                out = scenario.parent.parent / "run-out"
                request = {
                    "argv": ["run", str(scenario), "--out", str(out)],
                    "shorten": True,
                    "timeout_s": RUN_TIMEOUT_S,
                    "out": str(out),
                }
                reply = worker.ask(request, RUN_TIMEOUT_S + 30)
                outcome, detail = classify(reply, "run")
                result = Outcome(
                    i,
                    case.kind,
                    case.note,
                    "run",
                    outcome,
                    detail,
                    reply.get("elapsed_s", 0),
                    reply.get("start"),
                    reply.get("warmup_days"),
                )
                with lock:
                    tally.add(result)
                shutil.rmtree(out, ignore_errors=True)

        chosen = sorted(accepted, key=lambda t: t[0])[:runs]
        share(chosen, run_accepted)
    return tally


def report(tally: Tally, limit: int = 40) -> str:
    lines = [tally.table()]
    for o in tally.failures()[:limit]:
        lines.append(f"  #{o.case} [{o.phase}] {o.kind}: {o.note[:100]} → {o.outcome}: {o.detail}")
    return "\n".join(lines)


if __name__ == "__main__":
    _serve(int(sys.argv[1]))
