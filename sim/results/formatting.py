"""How landport writes numbers: one value formatter for tables, reports, plots and checks.

A KPI's unit (``share``, ``CNY``, ``TEU``, ``h`` …, see :data:`UNITS`) says how its values are
shown: shares as percentages (``59.9%``), money in millions (``6.67 M``), counts as whole
numbers (``13,342``), anything else with two decimals, three below 1 and none from 1,000. A
difference is written with its sign and, for a share, in percentage points (``+0.5 pp``).
The command line, the reports, the plots and the regression check all call
:func:`format_value`, so a number reads the same wherever it is printed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Unit:
    """How the values of one unit are shown."""

    name: str
    """As in a KPI summary's ``unit`` column."""
    shown: str
    """Its name in a table's unit column and after a number."""
    axis: str
    """Its name on a plot axis of :meth:`scaled` values."""
    times: float = 1.0
    per: float = 1.0
    """The number shown for a value is ``value × times / per`` (a share × 100, money ÷ 10⁶)."""
    suffix: str = ""
    """Written right after the number (``%``, `` M``)."""
    change_suffix: str = ""
    """Written after a difference instead of :attr:`suffix` (`` pp`` for shares)."""
    count: bool = False
    """Counted things: written as whole numbers."""
    named: str | None = None
    """Written after the suffix when the unit is asked for (default: `` <shown>``)."""

    def scaled(self, value: float) -> float:
        """The number shown for ``value``."""
        return value * self.times / self.per

    def scaled_array(self, values: np.ndarray) -> np.ndarray:
        """The numbers shown for ``values``."""
        out: np.ndarray = np.asarray(values, dtype=float) * self.times / self.per
        return out


UNITS: dict[str, Unit] = {
    u.name: u
    for u in (
        Unit("share", "share", "%", times=100, suffix="%", change_suffix=" pp", named=""),
        Unit("CNY", "M CNY", "million CNY", per=1e6, suffix=" M", change_suffix=" M", named=" CNY"),
        Unit("trains", "trains", "trains", count=True),
        Unit("sailings", "sailings", "sailings", count=True),
        Unit("TEU", "TEU", "TEU", count=True),
        Unit("containers", "containers", "containers", count=True),
        Unit("TEU/train", "TEU/train", "TEU/train"),
        Unit("h", "h", "h"),
        Unit("items", "items", "items"),
        Unit("items/day", "items/day", "items/day"),
        Unit("flag", "flag", "flag"),
        Unit("CNY/TEU", "CNY/TEU", "CNY/TEU"),
        Unit("kg/TEU", "kg/TEU", "kg CO₂e/TEU"),
        Unit("t", "t CO₂e", "t CO₂e"),
        Unit("CNY/t", "CNY/t", "CNY/t CO₂e"),
    )
}
"""Every unit a KPI family may have (:mod:`sim.results.kpis`)."""


def unit_style(name: str) -> Unit:
    """The :class:`Unit` of ``name``; a unit landport does not know (a notebook's own, say
    ``CNY/km``) is shown as a plain number with its name."""
    if name in UNITS:
        return UNITS[name]
    return Unit(name, name, name)


def is_count(unit: str) -> bool:
    """Whether values of ``unit`` count things (trains, TEU, containers)."""
    return unit_style(unit).count


def shown_unit(unit: str) -> str:
    """A unit as a table's unit column writes it (``CNY`` → ``M CNY``)."""
    return unit_style(unit).shown


def axis_unit(unit: str, *, change: bool = False) -> str:
    """A unit as a plot axis writes it (``share`` → ``%``, or ``pp`` for a difference)."""
    style = unit_style(unit)
    if change and style.change_suffix != style.suffix:
        return style.change_suffix.strip()
    return style.axis


def format_value(
    value: float | None,
    unit: str,
    *,
    signed: bool = False,
    change: bool = False,
    with_unit: bool = False,
    decimals: int | None = None,
) -> str:
    """``value`` (in ``unit``) as landport writes it; ``–`` when there is none (NaN, ±∞).

    ``signed`` writes a ``+`` before positive values, ``change`` marks a difference (``pp``
    for shares), ``with_unit`` adds the unit's name (``+600 TEU``, ``6.67 M CNY``) and
    ``decimals`` fixes the decimals of a plain number or a count (a mean of counts).
    """
    if value is None or not math.isfinite(value):
        return "–"
    style = unit_style(unit)
    v = style.scaled(float(value))
    sign = "+" if signed and v > 0 else ""
    if style.name == "share":
        text = f"{v:{sign}.1f}"
    elif style.name == "CNY":
        text = f"{v:{sign},.2f}"
    elif decimals is not None:
        text = f"{v:{sign},.{decimals}f}"
    elif style.count or abs(v) >= 1000:
        text = f"{v:{sign},.0f}"
    elif abs(v) < 1:
        text = f"{v:{sign}.3f}"
    else:
        text = f"{v:{sign}.2f}"
    text += style.change_suffix if change else style.suffix
    if with_unit:
        text += f" {style.shown}" if style.named is None else style.named
    return text


SHARE_LEVER_WORDS: tuple[str, ...] = ("discount", "share", "probability", "toll_cut", "threshold")
"""Words in a lever's path that make it a share (a fraction of 1) when its values are
within ±1: a freight-rate discount of 0.3 is shown as 30 %."""


def lever_is_share(lever: str, values: Any = ()) -> bool:
    """Whether the sweep lever ``lever`` (a dotted scenario path) is a share, given its
    values: a share's path has one of :data:`SHARE_LEVER_WORDS` and its values are within
    ±1 (all of them, when given)."""
    if not any(w in lever for w in SHARE_LEVER_WORDS):
        return False
    finite = [float(v) for v in np.ravel(np.asarray(values, dtype=float)) if math.isfinite(v)]
    return all(abs(v) <= 1 for v in finite)


def format_lever_value(lever: str, value: Any) -> str:
    """A value of the lever ``lever`` as a planner reads it: a discount as ``30%``, an
    officer count as ``4``."""
    numeric = isinstance(value, int | float) and not isinstance(value, bool)
    return format_lever(value, share=numeric and lever_is_share(lever, [value]))


def format_lever(value: Any, *, share: bool = False) -> str:
    """A lever's value (a scenario field set by a sweep): a share as a whole percentage, a
    number in its shortest form (``4``, ``0.45``), anything else as written."""
    if share:
        return f"{float(value):.0%}"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"{value:g}"
    return str(value)
