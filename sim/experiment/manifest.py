"""The manifest: what produced a run, so it can be reproduced and audited."""

from __future__ import annotations

import datetime as dt
import importlib.metadata as md
import platform
import subprocess
from pathlib import Path
from typing import Any

PACKAGES = (
    "landport",
    "simpy",
    "numpy",
    "pandas",
    "scipy",
    "networkx",
    "pydantic",
    "pyarrow",
    "PyYAML",
    "dask",
    "duckdb",
)


def package_versions(names: tuple[str, ...] = PACKAGES, python: bool = True) -> dict[str, str]:
    """Installed versions of ``names`` (and of Python), "not installed" for a missing one."""
    out = {"python": platform.python_version()} if python else {}
    for name in names:
        try:
            out[name] = md.version(name)
        except md.PackageNotFoundError:
            out[name] = "not installed"
    return out


def git_commit(where: Path | None = None) -> str | None:
    """The commit of the source tree (with ``+dirty`` if it has changes), or None."""
    cwd = Path(where) if where else Path(__file__).resolve().parent

    def git(*args: str) -> str:
        done = subprocess.run(
            ["git", *args], cwd=cwd, capture_output=True, text=True, timeout=5, check=True
        )
        return done.stdout.strip()

    try:
        commit = git("rev-parse", "HEAD")
        dirty = git("status", "--porcelain", "--untracked-files=no")
    except (OSError, subprocess.SubprocessError):
        return None
    return commit + ("+dirty" if dirty else "")


def manifest(**fields: Any) -> dict[str, Any]:
    """Common manifest fields plus the caller's."""
    return {
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "git_commit": git_commit(),
        "versions": package_versions(),
        "platform": platform.platform(),
        **fields,
    }
