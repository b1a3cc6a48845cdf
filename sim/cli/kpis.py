"""``landport kpis``: every KPI family of the registry, with its unit, theme and tiers."""

from __future__ import annotations

import json
import re
import sys

from rich.markup import escape
from rich.table import Table

from sim.cli.common import AsJson, app, out
from sim.results.kpis import KPIS

TIERS = ("headline", "key", "checked")
PLACEHOLDER = re.compile(r"\{([A-Za-z]+)\}")
"""A placeholder in a family's label template: ``{corridor}``, ``{Direction}``."""


def kpi_rows() -> list[dict[str, str]]:
    """Every KPI family of the registry, in registry order: its pattern, what it measures
    (the English label, placeholders written ``<corridor>``), unit, theme and tiers."""
    rows = []
    for f in KPIS:
        tiers = [t for t, on in zip(TIERS, (f.headline, f.key, f.checked), strict=True) if on]
        rows.append(
            {
                "pattern": f.pattern,
                "label": PLACEHOLDER.sub(lambda m: f"<{m.group(1).lower()}>", f.label.en),
                "unit": f.unit,
                "theme": f.theme,
                "tiers": ", ".join(tiers),
            }
        )
    return rows


@app.command()
def kpis(as_json: AsJson = False) -> None:
    """List every KPI family: its name pattern (<corridor>, <resource> … stand for the
    scenario's), what it measures, its unit and theme, and whether it is headline (read
    first), key (shown by sweeps) or checked (by the regression check)."""
    rows = kpi_rows()
    if as_json:
        sys.stdout.write(json.dumps(rows, indent=2, ensure_ascii=False) + "\n")
        return
    t = Table(title=f"{len(rows)} KPI families", title_justify="left", header_style="bold")
    t.add_column("KPI (pattern)", overflow="fold", max_width=44)
    t.add_column("what it measures", min_width=30, ratio=1)
    for name in ("unit", "theme", "tiers"):
        t.add_column(name)
    for r in rows:
        t.add_row(*(escape(r[k]) for k in ("pattern", "label", "unit", "theme")), r["tiers"] or "–")
    out.print(t)
