"""Reports written from templates: one :class:`~sim.results.report.document.Document`, as
HTML or as Markdown.

The templates are in ``templates/`` beside this module (Jinja2): ``report.html.j2`` — one
self-contained page, its stylesheet (``report.css``) inline and its figures embedded as
base64 PNG — and ``report.md.j2``, whose figures are PNG files beside it. HTML is escaped by
Jinja2's autoescaping; Markdown table cells by the ``md_cell`` filter. Words of the templates
are ``tr("report.kpis")``: texts of :mod:`sim.results.i18n` in the document's language.
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
from collections.abc import Callable
from pathlib import Path

import jinja2

from sim.results.i18n import label
from sim.results.report.document import Document

TEMPLATES = Path(__file__).with_name("templates")


def md_cell(text: str) -> str:
    """Text for a Markdown table cell: pipes escaped, on one line."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def _base64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


@functools.cache
def environment() -> jinja2.Environment:
    """The templates' environment: HTML autoescaped, blocks trimmed, a final newline kept."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=jinja2.select_autoescape(["html.j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["md_cell"] = md_cell
    env.filters["base64"] = _base64
    return env


def _now() -> str:
    return dt.datetime.now().isoformat(timespec="seconds")


def translator(lang: str) -> Callable[..., str]:
    """``tr(key, **fields)`` for templates: the text ``key`` of :mod:`sim.results.i18n` in
    the document's language."""

    def t(key: str, **fields: object) -> str:
        return label(key, lang, **fields)

    return t


def render_html(doc: Document) -> str:
    """The report as one self-contained HTML page."""
    css = (TEMPLATES / "report.css").read_text(encoding="utf-8")
    return (
        environment()
        .get_template("report.html.j2")
        .render(doc=doc, css=css, generated=_now(), tr=translator(doc.lang))
    )


def render_markdown(doc: Document, figure_files: list[tuple[str, str, str]]) -> str:
    """The report as Markdown; ``figure_files`` are (name, caption, relative path)."""
    template = environment().get_template("report.md.j2")
    return template.render(
        doc=doc, figure_files=figure_files, generated=_now(), tr=translator(doc.lang)
    )
