"""Errors in scenario files, worded for the person who wrote the file."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

MAX_FIELD_CHARS = 200
"""A field path longer than this (a key of thousands of characters) is shown clipped."""


def clip(text: str, limit: int) -> str:
    """``text``, or its beginning and how long it was."""
    return text if len(text) <= limit else f"{text[: limit - 30]}… ({len(text):,} characters)"


def excerpt(value: object, limit: int = 80) -> str:
    """``repr(value)`` for an error message, clipped: a wrong value may be 100,000 characters."""
    return clip(repr(value), limit)


@dataclass(frozen=True)
class Issue:
    """One problem: the file, the field's dotted path and what was wrong."""

    file: str
    field: str
    message: str

    def __str__(self) -> str:
        field = clip(self.field, MAX_FIELD_CHARS)
        where = f"{self.file}: {field}" if field else self.file
        return f"{where}: {self.message}"


class ScenarioError(ValueError):
    """A scenario could not be read or is invalid. ``issues`` lists every problem found."""

    def __init__(self, issues: Sequence[Issue]) -> None:
        self.issues = list(issues)
        super().__init__("\n".join(str(i) for i in self.issues))

    @classmethod
    def one(cls, file: str, field: str, message: str) -> ScenarioError:
        return cls([Issue(file, field, message)])
