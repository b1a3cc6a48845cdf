"""The one atomic writer: a file or folder is replaced whole or not at all, and a failed
write leaves the old one and no temporary file behind."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from sim.results import atomic


def hidden(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def test_a_file_is_replaced_whole(tmp_path):
    path = tmp_path / "report.html"
    atomic.write_text(path, "old")
    assert atomic.write_text(path, "new — 新") == path
    assert path.read_text(encoding="utf-8") == "new — 新"
    assert hidden(tmp_path) == []


def test_a_failed_write_leaves_the_old_file_and_no_debris(tmp_path):
    path = tmp_path / "baseline.json"
    atomic.write_text(path, "old")

    def half(tmp: Path) -> None:
        tmp.write_text("half a fi")
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError, match="space"):
        atomic.replace_file(path, half)
    assert path.read_text() == "old"
    assert hidden(tmp_path) == []


def test_json_has_no_nan(tmp_path):
    path = atomic.write_json(tmp_path / "kpis.json", {"a": math.nan, "b": [1.5, math.inf]})
    assert json.loads(path.read_text()) == {"a": None, "b": [1.5, None]}
    assert path.read_text().endswith("}\n")


def test_a_folder_is_swapped_whole_or_left_as_it_was(tmp_path):
    figures = tmp_path / "report-figures"
    atomic.replace_folder(figures, lambda tmp: (tmp / "a.png").write_bytes(b"1"))
    atomic.replace_folder(figures, lambda tmp: (tmp / "b.png").write_bytes(b"2"))
    assert sorted(p.name for p in figures.iterdir()) == ["b.png"]

    def broken(tmp: Path) -> None:
        (tmp / "c.png").write_bytes(b"3")
        raise RuntimeError("drawing failed")

    with pytest.raises(RuntimeError):
        atomic.replace_folder(figures, broken)
    assert sorted(p.name for p in figures.iterdir()) == ["b.png"]
    assert hidden(tmp_path) == []
