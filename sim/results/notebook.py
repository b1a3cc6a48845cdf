"""For analysts' notebooks: findings whose sentences are checked against the numbers they
state, and result tables written in each row's unit.

A notebook's findings are sentences computed from its results. :class:`Findings` writes each
number through :func:`~sim.results.formatting.format_value` (:meth:`Findings.number`), keeps
the value it came from, and :meth:`Findings.check` asserts that every sentence states only
such numbers and that each written number reads back as its value to the digits shown — so
a sentence cannot drift from the results it describes, and a number typed into one by hand
fails the check.

>>> f = Findings()
>>> f.say(f"Imports clear in {f.number(29.694, 'h', with_unit=True)} on average.")
>>> f.check()
>>> str(f)
'Imports clear in 29.69 h on average.'
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from sim.results.formatting import format_value, shown_unit, unit_style

_NUMBER = re.compile(r"[+\-−]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?")


class FindingsError(AssertionError):
    """A finding states a number that is not the value it claims to write."""


@dataclass(frozen=True)
class Stated:
    """A number as a sentence writes it, and the value it was written from."""

    value: float
    unit: str
    text: str

    def reads_back(self) -> bool:
        """Whether the written number is the value to the digits shown."""
        match = _NUMBER.search(self.text)
        if match is None:
            return not math.isfinite(self.value)  # written as "–"
        digits = match.group().replace(",", "").replace("−", "-")
        decimals = len(digits.split(".")[1]) if "." in digits else 0
        shown = unit_style(self.unit).scaled(self.value)
        return abs(float(digits) - shown) <= 0.5 * 10.0**-decimals * (1 + 1e-9)


@dataclass
class Findings:
    """Sentences of findings and the numbers they state (see the module's docstring).

    ``allowed`` are words with digits a sentence may hold besides the stated numbers (a year,
    "95 %"): anything else with a digit in it is a number nobody checked.
    """

    allowed: Sequence[str] = ("95 %", "2023")
    sentences: list[str] = field(default_factory=list)
    stated: list[Stated] = field(default_factory=list)

    def number(self, value: float, unit: str, **how: Any) -> str:
        """``value`` written as :func:`~sim.results.formatting.format_value` writes it (``how``:
        its ``signed``, ``change``, ``with_unit``, ``decimals``), kept to be checked."""
        text = format_value(float(value), unit, **how)
        self.stated.append(Stated(float(value), unit, text))
        return text

    def share(self, value: float, *, signed: bool = False) -> str:
        """A share (0.42) written as a percentage (``42%``), kept to be checked."""
        text = f"{100 * float(value):{'+' if signed else ''}.0f}%"
        self.stated.append(Stated(float(value), "share", text))
        return text

    def count(self, value: float) -> str:
        """A whole number of things (points, replications), kept to be checked."""
        return self.number(value, "containers")

    def say(self, sentence: str) -> None:
        self.sentences.append(sentence)

    def check(self) -> None:
        """Assert that every stated number is in a sentence and reads back as its value, and
        that the sentences hold no other number (a :class:`FindingsError` names it)."""
        text = "\n".join(self.sentences)
        for s in self.stated:
            if s.text not in text:
                raise FindingsError(f"{s.text!r} (of {s.value!r} {s.unit}) is in no sentence")
            if not s.reads_back():
                raise FindingsError(f"{s.text!r} does not read back as {s.value!r} {s.unit}")
        rest = text
        for written in sorted({s.text for s in self.stated} | set(self.allowed), key=len)[::-1]:
            rest = rest.replace(written, " ")
        stray = [m.group() for m in _NUMBER.finditer(rest)]
        if stray:
            raise FindingsError(f"numbers no result stands behind: {stray} in {text!r}")

    def __str__(self) -> str:
        return "\n\n".join(self.sentences)

    def _repr_markdown_(self) -> str:
        return "\n\n".join(f"* {s}" for s in self.sentences)


def formatted(
    table: pd.DataFrame,
    columns: Iterable[str],
    *,
    change: Iterable[str] = (),
    unit: str = "unit",
) -> pd.DataFrame:
    """A copy of ``table`` with ``columns`` written as text in each row's unit (the ``unit``
    column: money in millions, shares as percentages, counts whole); ``change`` columns are
    differences, signed (``pp`` for shares). The unit column is written as tables write it
    (``M CNY``)."""
    out = table.copy()
    deltas = set(change)
    units = table[unit].astype(str)
    for c in [*columns, *deltas]:
        out[c] = [
            format_value(float(v), u, signed=c in deltas, change=c in deltas)
            for v, u in zip(table[c], units, strict=True)
        ]
    out[unit] = units.map(shown_unit)
    return out


# ------------------------------------------------------------------------------ results in a cell

MAX_ROWS = 20
"""Rows of a result's headline table shown in a notebook (a long sweep's first points)."""

_HINTS = {
    "run": ".summary, .kpis, .containers, .trains, .shipments, .vessels, .queues",
    "compare": ".table, .a, .b, .differences()",
    "sweep": ".points, .summary, .kpis, .differences(reference), .marginal(…), .run(point)",
    "sensitivity": ".ranking, .spec, .sweep",
    "optimise": ".answer, .final(), .evaluations, .rounds",
}


def result_html(result: object) -> str:
    """A result (run, comparison, sweep) as a notebook shows it: what it is, its facts and its
    headline table, as the report writes them (:mod:`sim.results.report`), in a few lines."""
    from html import escape

    from sim.results.report import document

    doc = document(result, [])
    head = doc.headline
    rows = head.rows[:MAX_ROWS]
    more = len(head.rows) - len(rows)

    def cells(values: Sequence[str], tag: str) -> str:
        return "".join(
            f'<{tag} style="text-align:{"right" if num else "left"}">{escape(v)}</{tag}>'
            for v, num in zip(values, head.numeric, strict=False)
        )

    facts = "".join(
        f'<tr><th style="text-align:left">{escape(k)}</th><td style="text-align:left">'
        f"{escape(v)}</td></tr>"
        for k, v in doc.facts
        if v and v != "–"
    )
    table = (
        f"<table><thead><tr>{cells(head.columns, 'th')}</tr></thead><tbody>"
        + "".join(f"<tr>{cells(r, 'td')}</tr>" for r in rows)
        + "</tbody></table>"
    )
    notes = "".join(f"<li>{escape(n)}</li>" for n in doc.notes[:MAX_ROWS])
    return (
        f'<div class="landport-{escape(doc.kind)}"><p><strong>{escape(doc.title)}</strong></p>'
        f"<details><summary>{len(doc.facts)} facts</summary><table>{facts}</table></details>"
        f"{table}"
        + (f"<p><em>… and {more} more rows</em></p>" if more > 0 else "")
        + (f"<ul>{notes}</ul>" if notes else "")
        + f"<p><small>Tables: <code>{escape(_HINTS[doc.kind])}</code></small></p></div>"
    )
