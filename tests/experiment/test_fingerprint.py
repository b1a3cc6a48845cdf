"""The code identity digests the modules a replication imports; the scan that finds them must
find what Python's own parser finds."""

from __future__ import annotations

import ast
from pathlib import Path

from sim.experiment import fingerprint


def parsed_closure(start: str, root: Path) -> set[str]:
    """The reference: every ``sim`` module ``start`` imports, from the syntax trees."""
    seen: set[str] = set()
    todo = [start]
    while todo:
        name = todo.pop()
        path = fingerprint._module_file(name, root)
        if name in seen or path is None:
            continue
        seen.add(name)
        parts = name.split(".")
        todo.extend(".".join(parts[:i]) for i in range(1, len(parts)))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                todo.extend(a.name for a in node.names if a.name.split(".")[0] == "sim")
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("sim."):
                todo.append(str(node.module))
                todo.extend(f"{node.module}.{a.name}" for a in node.names)
    return seen


def test_the_scanned_closure_is_the_parsed_one_for_every_module_of_the_package():
    root = fingerprint.PACKAGE_DIR
    for start in ("sim.experiment.runner", "sim.experiment.api", "sim.cli.run"):
        assert set(fingerprint._closure(start, root)) == parsed_closure(start, root), start


def test_the_scan_reads_every_form_of_import():
    text = (
        "import os, sim.engine as e\n"
        "from sim.model import (\n    build,  # the wiring\n    terminal,\n)\n"
        "def f():\n    from sim.results.kpis import KPIS\n"
        "from simpy import Environment\n"
    )
    assert list(fingerprint._imported(text)) == [
        "sim.engine",
        "sim.model",
        "sim.model.build",
        "sim.model.terminal",
        "sim.results.kpis",
        "sim.results.kpis.KPIS",
    ]
