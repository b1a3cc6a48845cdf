"""Errors in scenario files, worded for the person who wrote the file."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Issue:
    """One problem: the file, the field's dotted path and what was wrong."""

    file: str
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}: {self.field}" if self.field else self.file
        return f"{where}: {self.message}"


class ScenarioError(ValueError):
    """A scenario could not be read or is invalid. ``issues`` lists every problem found."""

    def __init__(self, issues: Sequence[Issue]) -> None:
        self.issues = list(issues)
        super().__init__("\n".join(str(i) for i in self.issues))

    @classmethod
    def one(cls, file: str, field: str, message: str) -> ScenarioError:
        return cls([Issue(file, field, message)])
