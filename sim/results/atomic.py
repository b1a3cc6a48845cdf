"""Files written whole or not at all: the one atomic writer of landport.

Every file that replaces another, or that a reader may open while it is written — a report, a
sweep's plan, a manifest, the regression baseline, a new catalogue — is written under a
hidden temporary name beside its destination (``.<name>.tmp-<hex>``) and renamed over it in
one step (``os.replace``). A reader sees the old file or the new one, never half of one; a
write that fails, is interrupted or runs out of disk removes its temporary file and leaves
the old one as it was. :func:`replace_folder` does the same for a folder (the figures of a
Markdown report).

Run folders, which must never replace anything, are written by
:class:`sim.results.store.PendingFolder` (whole, under a name that is never taken twice).
"""

from __future__ import annotations

import json
import math
import os
import shutil
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

TMP_MARK = ".tmp-"
"""In the name of a temporary file or folder, before its random part."""


def temporary_name(path: Path, mark: str = TMP_MARK) -> Path:
    """A hidden, unused sibling name for writing ``path``: ``.<name><mark><8 hex digits>``."""
    return path.with_name(f".{path.name}{mark}{uuid.uuid4().hex[:8]}")


def replace_file(path: str | Path, write: Callable[[Path], object]) -> Path:
    """Create or replace the file ``path`` whole: ``write(tmp)`` writes a hidden sibling that
    is then renamed over ``path``. On any failure the sibling is removed and ``path`` left as
    it was. Returns ``path``."""
    path = Path(path)
    tmp = temporary_name(path)
    try:
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def write_text(path: str | Path, text: str) -> Path:
    """Create or replace the UTF-8 text file ``path`` whole."""
    return replace_file(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def write_bytes(path: str | Path, data: bytes) -> Path:
    """Create or replace the file ``path`` whole with ``data``."""
    return replace_file(path, lambda tmp: tmp.write_bytes(data))


def json_safe(value: Any) -> Any:
    """``value`` with NaN and ±∞ as None (JSON has no such numbers)."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    return value


def json_text(data: Any) -> str:
    """``data`` as landport writes JSON: indented, UTF-8 as is, NaN as null, a final newline."""
    return json.dumps(json_safe(data), indent=2, ensure_ascii=False, default=str) + "\n"


def write_json(path: str | Path, data: Any) -> Path:
    """Create or replace the JSON file ``path`` whole (see :func:`json_text`)."""
    return write_text(path, json_text(data))


def replace_folder(path: str | Path, fill: Callable[[Path], None]) -> Path:
    """Create or replace the folder ``path`` whole: ``fill(tmp)`` fills a fresh hidden
    sibling, which then takes the place of ``path`` (the old folder, if any, is moved aside
    and removed). On any failure the sibling is removed and ``path`` left as it was."""
    path = Path(path)
    tmp = temporary_name(path)
    tmp.mkdir()
    old: Path | None = None
    try:
        fill(tmp)
        if path.exists():
            old = temporary_name(path, ".old-")
            os.rename(path, old)
        os.rename(tmp, path)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        if old is not None and not path.exists():
            os.rename(old, path)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    return path
