"""Which code computes the numbers: the code fingerprint and a process's code identity.

:func:`code_fingerprint` digests the source of every ``sim`` module that
:mod:`sim.experiment.runner` imports (directly or not, found by reading import statements, so
plots and the command line are left out), the Python minor version, the versions of the
numerical packages and the machine's SIMD features. Two processes with the same fingerprint
give the same numbers bit for bit; ``landport check`` requires identity when the fingerprint
matches the baseline's.

:func:`this_code` is the :class:`CodeIdentity` of the running process — its fingerprint and
the parts it is made of, with the folder of the ``sim`` package it imported. It is computed
once per process (about 0.1 s), so every worker can compare its own code with the code of
the process that sent it a task, and refuse a task sent by other code.
"""

from __future__ import annotations

import functools
import hashlib
import platform
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

NUMERIC_PACKAGES = ("numpy", "scipy", "simpy", "pandas")
"""Packages whose version can change the numbers; part of the code fingerprint."""
PACKAGE_DIR = Path(__file__).resolve().parents[1]
"""The folder of the ``sim`` package this process imported."""


@dataclass(frozen=True)
class CodeIdentity:
    """What a process computes its numbers with, part by part."""

    fingerprint: str
    source: str
    """Digest of the ``sim`` source alone."""
    modules: tuple[str, ...]
    """The ``sim`` modules digested (those :mod:`sim.experiment.runner` imports)."""
    package_dir: str
    python: str
    versions: tuple[tuple[str, str], ...]
    cpu: str
    host: str

    def differences(self, other: CodeIdentity) -> list[str]:
        """The parts in which ``other`` differs from this identity, in words."""
        out = []
        if self.source != other.source:
            out.append("the sim source differs")
        if self.python != other.python:
            out.append(f"Python {self.python} vs {other.python}")
        mine, theirs = dict(self.versions), dict(other.versions)
        out.extend(
            f"{name} {mine.get(name)} vs {theirs.get(name)}"
            for name in sorted(set(mine) | set(theirs))
            if mine.get(name) != theirs.get(name)
        )
        if self.cpu != other.cpu:
            out.append(f"CPU {self.cpu} vs {other.cpu}")
        return out

    def describe(self) -> str:
        """``sim at <folder> on <host> (fingerprint …, commit …)``."""
        from sim.experiment.manifest import git_commit  # the model comes with it: only now

        commit = git_commit(Path(self.package_dir)) or "no git commit"
        return (
            f"sim at {self.package_dir} on {self.host} "
            f"(fingerprint {self.fingerprint}, commit {commit})"
        )


def code_fingerprint(root: Path | None = None) -> str:
    """A digest of the source that computes the numbers, and of the numerical packages.

    ``root`` is the ``sim`` package folder to digest (default: the one this process imported).
    """
    if root is None or Path(root).resolve() == PACKAGE_DIR:
        return this_code().fingerprint
    return identity(Path(root).resolve()).fingerprint


@functools.cache
def this_code() -> CodeIdentity:
    """The :class:`CodeIdentity` of the code this process imported (computed once)."""
    return identity(PACKAGE_DIR)


@functools.lru_cache(maxsize=4)
def this_code_over(modules: tuple[str, ...]) -> CodeIdentity:
    """This process's :class:`CodeIdentity` over the given modules (computed once each).

    A worker digests the modules the caller's identity names, in its own package: if every
    one of those files is the same, so is the set of modules they import, and the
    fingerprints agree exactly when the code does — without parsing the source (a few ms
    instead of about 0.1 s).
    """
    return identity(PACKAGE_DIR, modules)


def identity(root: Path, modules: tuple[str, ...] | None = None) -> CodeIdentity:
    """The :class:`CodeIdentity` of the ``sim`` package in folder ``root``.

    ``modules``: the module names to digest (default: those :mod:`sim.experiment.runner`
    imports there); a module missing under ``root`` is digested as missing.
    """
    if modules is None:
        modules = tuple(sorted(_closure("sim.experiment.runner", root)))
    source = hashlib.sha256()
    for name in modules:
        path = _module_file(name, root)
        content = path.read_bytes() if path is not None else b"\0missing\0"
        source.update(name.encode() + b"\0" + content + b"\0")
    digest = source.copy()
    python = ".".join(platform.python_version_tuple()[:2])
    digest.update(f"python {python}".encode())
    from sim.experiment.manifest import package_versions

    versions = package_versions(NUMERIC_PACKAGES, python=False)
    for name, version in versions.items():
        digest.update(f"{name} {version}".encode())
    cpu = _cpu_signature()
    digest.update(cpu.encode())
    return CodeIdentity(
        fingerprint=digest.hexdigest()[:16],
        source=source.hexdigest()[:16],
        modules=modules,
        package_dir=str(root),
        python=python,
        versions=tuple(versions.items()),
        cpu=cpu,
        host=platform.node(),
    )


def _cpu_signature() -> str:
    """The machine and the SIMD features numpy dispatches on.

    numpy picks vectorised loops by CPU feature (AVX2, AVX-512, …), and those may round the
    last bit differently, so bit-for-bit identity is only required on a like machine.
    """
    try:
        from numpy._core._multiarray_umath import __cpu_features__ as features
    except ImportError:  # pragma: no cover - numpy < 2
        features = {}
    enabled = ",".join(sorted(name for name, on in features.items() if on))
    return f"{platform.machine()} {platform.system()} [{enabled}]"


def _module_file(name: str, root: Path) -> Path | None:
    """The file of module ``name`` (``sim.x.y``) under the package folder ``root``."""
    parts = name.split(".")[1:]
    base = root.joinpath(*parts)
    for candidate in (base / "__init__.py", base.with_suffix(".py")):
        if candidate.is_file():
            return candidate
    return None


_IMPORT = re.compile(
    r"^[ \t]*(?:from[ \t]+(sim(?:\.\w+)*)[ \t]+import[ \t]+(\([^)]*\)|[^\n]*)"
    r"|import[ \t]+([^\n]*))",
    re.MULTILINE,
)
"""An import statement at the start of a line, at any indentation (imports inside functions
count): ``from sim.x import a, b``, ``from sim.x import (…)`` over several lines, ``import …``."""


_COMMENT = re.compile(r"#[^\n]*")


def _imported(text: str) -> Iterator[str]:
    """The ``sim`` modules (and ``from`` names, which may be modules) that ``text`` imports.

    A scan of the lines, not a parse: about 15 times faster than walking the syntax tree,
    with the same closure over the package (a test holds them equal). A line in a string
    that reads like an import only adds a file to digest: the identity stays exact."""
    for found in _IMPORT.finditer(text):
        module, names, plain = found.groups()
        if module:
            yield module
            for part in _COMMENT.sub("", names).strip().strip("()").split(","):
                words = part.split()
                if words:
                    yield f"{module}.{words[0]}"
            continue
        for part in plain.split("#")[0].split(","):
            words = part.split()
            if words and words[0].split(".")[0] == "sim":
                yield words[0]


def _closure(start: str, root: Path) -> dict[str, Path]:
    """Every ``sim`` module imported, directly or not, by module ``start`` (and its packages)."""
    seen: dict[str, Path] = {}
    todo = [start]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        path = _module_file(name, root)
        if path is None:
            continue
        seen[name] = path
        parents = name.split(".")
        todo.extend(".".join(parents[:i]) for i in range(1, len(parents)))
        todo.extend(_imported(path.read_text(encoding="utf-8")))
    return seen
