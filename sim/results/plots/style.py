"""The look of every figure: the house style sheet, the figure and its notes, shared colours.

Figures are drawn inside :func:`house_style`: ``landport.mplstyle`` beside this module, then
any style sheets named in ``LANDPORT_MPLSTYLE`` (see the sheet's header for how a port
authority swaps in its own). Matplotlib's global state is left as it was; nothing here
imports pyplot.
"""

from __future__ import annotations

import contextlib
import functools
import os
import textwrap
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import matplotlib.style
from matplotlib import font_manager, rcParams
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from sim.results.i18n import current, say
from sim.results.run import RunResult
from sim.results.runinfo import Provenance

STYLE = Path(__file__).with_name("landport.mplstyle")
"""landport's house style sheet."""
STYLE_ENV = "LANDPORT_MPLSTYLE"
"""Environment variable: style sheets applied on top of :data:`STYLE`, separated by
``os.pathsep``."""

WARMUP_COLOUR = "#d9d9d9"
PUBLISHED_COLOUR = "#d62728"
MEAN_COLOUR = "#222222"
P90_COLOUR = "#555555"
NOTE_COLOUR = "#555555"
MUTED_COLOUR = "#777777"

NOTEBOOK_WIDTH = 9.5
"""Inches of a figure that fills a notebook column at the style's dpi without being shrunk
(so its 8-point notes stay 8 points): figures of several panels share this width."""

P = ParamSpec("P")
R = TypeVar("R")


class StyleError(ValueError):
    """A style sheet named in :data:`STYLE_ENV` cannot be used."""


def style_sheets() -> list[str]:
    """The style sheets figures are drawn with, landport's first."""
    sheets = [str(STYLE)]
    for part in (os.environ.get(STYLE_ENV) or "").split(os.pathsep):
        if part.strip():
            path = Path(part.strip()).expanduser()
            if not path.is_file():
                raise StyleError(f"{STYLE_ENV}: {path}: no such style file")
            sheets.append(str(path))
    return sheets


CJK_FAMILIES: tuple[str, ...] = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Microsoft YaHei",
    "SimHei",
    "PingFang SC",
    "Hiragino Sans GB",
    "Noto Sans CJK JP",
    "Droid Sans Fallback",
    "AR PL UMing CN",
)
"""Font families with Simplified Chinese glyphs, the preferred first."""
_CJK_FILE_WORDS = ("notosanscjk", "notoserifcjk", "sourcehansans", "wqy", "droidsansfallback")


@functools.cache
def cjk_font() -> str | None:
    """The family of a font with Chinese glyphs that matplotlib can use, or None.

    Fonts installed after matplotlib built its font cache (``apt-get install
    fonts-noto-cjk``) are found among the system's font files and added."""
    names = {f.name for f in font_manager.fontManager.ttflist}
    for family in CJK_FAMILIES:
        if family in names:
            return family
    for path in font_manager.findSystemFonts():
        if any(w in Path(path).name.lower().replace("-", "") for w in _CJK_FILE_WORDS):
            with contextlib.suppress(OSError, RuntimeError, ValueError):
                font_manager.fontManager.addfont(path)
    names = {f.name for f in font_manager.fontManager.ttflist}
    return next((family for family in CJK_FAMILIES if family in names), None)


def language_style() -> dict[str, Any]:
    """Font settings for the language in force (:func:`sim.results.i18n.current`): for
    Chinese, a font with Chinese glyphs first, when one is installed."""
    if current() == "en":
        return {}
    family = cjk_font()
    if family is None:
        return {}
    # The family itself, not only first among the sans-serif ones: a text keeps the families
    # it was made with, while "sans-serif" is looked up when the figure is saved — after
    # the style's block has ended.
    return {"font.family": [family, *_families(rcParams["font.family"])]}


def _families(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


@contextmanager
def house_style() -> Iterator[None]:
    """Matplotlib settings of the house style (and the language's fonts) while the block
    runs."""
    with matplotlib.style.context(style_sheets()), matplotlib.rc_context(language_style()):  # type: ignore[arg-type]
        yield


def styled(fn: Callable[P, R]) -> Callable[P, R]:
    """Draw ``fn``'s figure in the house style."""

    @functools.wraps(fn)
    def draw(*args: P.args, **kwargs: P.kwargs) -> R:
        with house_style():
            return fn(*args, **kwargs)

    return draw


def palette() -> list[str]:
    """The colour cycle of the style in force (lines that are not corridors)."""
    return [str(c) for c in rcParams["axes.prop_cycle"].by_key()["color"]]


def new_figure(width: float, height: float) -> Figure:
    """A figure of the house style, its axes laid out without overlap."""
    return Figure(figsize=(width, height), layout="constrained")


def no_data(ax: Axes, what: str) -> None:
    """Say on an empty axes that there was nothing to draw."""
    ax.text(
        0.5,
        0.5,
        say("no {what} in the statistics window", what=what),
        ha="center",
        va="center",
        transform=ax.transAxes,
        color=MUTED_COLOUR,
    )
    ax.set_xticks([])
    ax.set_yticks([])


def note(fig: Figure, text: str) -> None:
    """A small grey note under the figure, wrapped to its width."""
    width = int(fig.get_figwidth() * 15.5)
    fig.supxlabel(textwrap.fill(text, width), fontsize=8, color=NOTE_COLOUR, ha="left", x=0.01)


def footer(fig: Figure, run: RunResult, text: str = "") -> None:
    """A note under the figure: scenario, period, replications and how to read it."""
    info = run.info
    reps = replications(run)
    seed = Provenance.of(run.manifest).seed if "seed" in run.manifest else None
    line = say(
        "Scenario '{name}', {start} – {end}, {reps} replication(s){seed}.",
        name=run.name,
        start=info.start,
        end=info.end,
        reps=reps,
        seed=say(", seed {seed}", seed=seed) if seed is not None else "",
    )
    if text:
        line += " " + text
    note(fig, line)


def replications(run: RunResult) -> int:
    return int(run.kpis["replication"].nunique()) if len(run.kpis) else run.replications


def upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]
