"""The model page, ``docs/model.md``: its generated parts, kept up to date by code.

The page is prose written by hand (what the model is, its assumptions and limits, a
glossary) with three parts generated from the code, each between a pair of markers
``<!-- generated: NAME -->`` … ``<!-- end: NAME -->``:

* ``network``: the baseline's places (with their coordinates, from the sourced reference
  table ``docs/reference/places.csv``), rail legs and sea services with distances, and a
  drawing of them (``docs/model-network.png``, networkx on matplotlib);
* ``levers``: every field of the scenario schema a planner sets — tariffs, customs, terminal,
  demand — with its unit, the schema's default and the baseline's value, walked from the
  schema (:class:`~sim.scenario.schema.Scenario`) and the baseline scenario;
* ``kpis``: every KPI family of the registry (:mod:`sim.results.kpis`), as ``landport kpis``
  lists it.

``python -m sim.cli.modelpage`` rewrites the generated parts (and the drawing);
``tests/cli/test_model_page.py`` fails when the page on disk differs from what the code
generates, so the page cannot fall behind the schema or the registry.
"""

from __future__ import annotations

import csv
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import networkx as nx
from pydantic import BaseModel

from sim.cli.kpis import kpi_rows
from sim.results.formatting import format_lever, lever_is_share
from sim.results.runinfo import bilingual
from sim.scenario import Scenario, load_scenario

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "model.md"
PLACES = ROOT / "docs" / "reference" / "places.csv"
FIGURE = ROOT / "docs" / "model-network.png"
BASELINE = ROOT / "scenarios" / "baseline.yaml"

LEVER_SECTIONS = ("tariffs", "customs", "terminal", "demand")
"""The parts of a scenario whose fields are the planner's levers."""
SKIPPED = {"demand.flows", "demand.response.reference", "demand.seasonality"}
"""Fields of those parts left out of the lever table: per-flow and calibration data."""
_MARKERS = re.compile(
    r"(<!-- generated: (?P<name>[a-z]+) -->\n)(?:.*?\n)?(<!-- end: (?P=name) -->)", re.S
)

UNIT_SUFFIXES: tuple[tuple[str, str], ...] = (
    ("_cny_per_teu_km", "CNY/TEU-km"),
    ("_cny_per_teu_h", "CNY/TEU-h"),
    ("_cny_per_teu_day", "CNY/TEU-day"),
    ("_per_teu_cny", "CNY/TEU"),
    ("_cny_per_teu", "CNY/TEU"),
    ("_per_cny", "1/CNY"),
    ("_per_h", "TEU/h"),
    ("_teu", "TEU"),
    ("_h", "h"),
    ("_cbm", "m³"),
    ("_km", "km"),
    ("_days", "days"),
)
"""A field's unit from the end of its name (the schema puts units in names)."""
COUNT_WORDS = ("lanes", "count", "units", "crews", "officers", "bays", "lab_slots")


# ---------------------------------------------------------------------------- network


def read_places(path: Path = PLACES) -> dict[str, tuple[float, float, str]]:
    """place → (latitude, longitude, source) from the reference table."""
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    return {r["place"]: (float(r["lat"]), float(r["lon"]), r["source"]) for r in rows}


def network_graph(scn: Scenario, places: dict[str, tuple[float, float, str]]) -> nx.Graph:
    """The scenario's places, rail legs and sea services as a graph for
    :func:`~sim.results.plots.network.network_map`; a place without coordinates is an
    error naming it."""
    graph = nx.Graph()
    for name, place in scn.network.places.items():
        if name not in places:
            raise KeyError(f"{PLACES.name}: no coordinates for place {name!r}")
        lat, lon, _ = places[name]
        graph.add_node(name, label=bilingual(place.label, name).en, kind=place.kind, lat=lat,
                       lon=lon)  # fmt: skip
    for leg in scn.network.legs:
        graph.add_edge(leg.a, leg.b, mode="rail", distance_km=leg.distance_km)
    for port, spec in scn.sea_ports.items():
        for overseas, service in spec.services.items():
            graph.add_edge(port, overseas, mode="sea", distance_km=service.distance_km)
    return graph


def network_section(scn: Scenario, places: dict[str, tuple[float, float, str]]) -> str:
    """The places and legs as Markdown tables, under the drawing."""
    lines = [
        f"![The network of the baseline scenario]({FIGURE.name})",
        "",
        "| place | name | kind | latitude | longitude | source of the coordinates |",
        "|---|---|---|--:|--:|---|",
    ]
    for name, place in scn.network.places.items():
        lat, lon, source = places[name]
        label = bilingual(place.label, name)
        shown = label.en if label.zh == label.en else f"{label.en} ({label.zh})"
        lines.append(f"| `{name}` | {shown} | {place.kind} | {lat:.2f} | {lon:.2f} | {source} |")
    lines += ["", "| from | to | mode | distance (km) | operator |", "|---|---|---|--:|---|"]
    for leg in scn.network.legs:
        sections = (leg.sections or {}).items()
        operator = leg.bureau or " + ".join(f"{k} {v:g} km" for k, v in sections)
        lines.append(f"| `{leg.a}` | `{leg.b}` | rail | {leg.distance_km:,.0f} | {operator} |")
    for port, spec in scn.sea_ports.items():
        for overseas, service in spec.services.items():
            lines.append(
                f"| `{port}` | `{overseas}` | sea | {service.distance_km:,.0f} | liner service |"
            )
    return "\n".join(lines)


def draw_network(scn: Scenario, places: dict[str, tuple[float, float, str]]) -> bytes:
    """The drawing of the network as PNG bytes."""
    import io

    from sim.results.plots.network import network_map

    fig = network_map(
        network_graph(scn, places),
        "Huaihua International Land Port: corridors, borders and sea services",
        "Coordinates: docs/reference/places.csv (sources per place). Distances: "
        "scenarios/baseline.yaml (network.legs; sea_ports.qinzhou.services). Sea services are "
        "drawn as straight lines between ports, not along their sailing routes.",
    )
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90)
    return buf.getvalue()


# ---------------------------------------------------------------------------- levers


def lever_unit(name: str) -> str:
    """A scenario field's unit, from its name."""
    if lever_is_share(name):
        return "share (%)"
    if name in COUNT_WORDS:
        return "count"
    for suffix, unit in UNIT_SUFFIXES:
        if name.endswith(suffix):
            return unit
    return ""


def _shown(value: Any, name: str) -> str:
    """A value as the lever table writes it: a share as a percentage, a distribution by its
    parameters."""
    if _is_dist(value):
        params = value.model_dump(exclude={"dist"})
        shown = ", ".join(f"{k} {v:g}" for k, v in params.items())
        return f"{value.model_dump()['dist']} ({shown})"
    if isinstance(value, BaseModel):
        data = value.model_dump(mode="json", by_alias=True, exclude_none=True)
        return "{" + ", ".join(f"{k}: {v}" for k, v in data.items()) + "}"
    if isinstance(value, list):
        return "; ".join(_shown(v, name) for v in value) or "none"
    if value is None:
        return "none"
    share = lever_unit(name).startswith("share") and isinstance(value, float | int)
    return format_lever(value, share=share and not isinstance(value, bool))


def _is_dist(value: Any) -> bool:
    return isinstance(value, BaseModel) and "dist" in type(value).model_fields


def lever_rows(model: BaseModel, path: str) -> Iterator[tuple[str, str, str, str, str]]:
    """(path, unit, schema default, baseline value, description) of every leaf field under
    ``model`` (the baseline's part at ``path``), in schema order."""
    for name, info in type(model).model_fields.items():
        key = info.alias or name
        here = f"{path}.{key}"
        if here in SKIPPED:
            continue
        value = getattr(model, name)
        described = " ".join((info.description or "").split())
        if isinstance(value, BaseModel) and not _is_dist(value):
            yield from lever_rows(value, here)
            continue
        if isinstance(value, dict):
            if all(isinstance(v, BaseModel) and not _is_dist(v) for v in value.values()) and value:
                for k, v in value.items():
                    yield from lever_rows(v, f"{here}.{k}")
                continue
            for k, v in value.items():
                yield here + f".{k}", lever_unit(key), "–", _shown(v, key), described
            continue
        default = (
            "required"
            if info.is_required()
            else _shown(info.get_default(call_default_factory=True), key)
        )
        yield here, lever_unit(key), default, _shown(value, key), described


def levers_section(scn: Scenario) -> str:
    """The lever table (Markdown)."""
    lines = [
        "| field | unit | schema default | baseline | what it is |",
        "|---|---|---|---|---|",
    ]
    for section in LEVER_SECTIONS:
        for path, unit, default, value, described in lever_rows(getattr(scn, section), section):
            cells = [f"`{path}`", unit, default, value, described]
            lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines)


# ---------------------------------------------------------------------------- KPIs


def kpis_section() -> str:
    """The KPI families as a Markdown table."""
    lines = ["| KPI (pattern) | what it measures | unit | theme | tiers |", "|---|---|---|---|---|"]
    for r in kpi_rows():
        cells = [f"`{r['pattern']}`", r["label"], r["unit"], r["theme"], r["tiers"] or "–"]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines)


# ---------------------------------------------------------------------------- the page


def sections(scn: Scenario | None = None) -> dict[str, str]:
    """Every generated part of the page, by marker name."""
    scn = scn if scn is not None else load_scenario(BASELINE)
    places = read_places()
    return {
        "network": network_section(scn, places),
        "levers": levers_section(scn),
        "kpis": kpis_section(),
    }


def render(text: str, parts: dict[str, str]) -> str:
    """``text`` with each marked part replaced by its generated content; a marker pair the
    code does not generate, or a part without its markers, is an error."""
    found = {m.group("name") for m in _MARKERS.finditer(text)}
    if found != set(parts):
        raise ValueError(f"{PAGE.name}: generated parts {sorted(found)}, expected {sorted(parts)}")
    return _MARKERS.sub(lambda m: m.group(1) + parts[m.group("name")] + "\n" + m.group(3), text)


def main() -> None:
    """Rewrite the generated parts of ``docs/model.md`` and the network drawing."""
    scn = load_scenario(BASELINE)
    PAGE.write_text(render(PAGE.read_text(encoding="utf-8"), sections(scn)), encoding="utf-8")
    FIGURE.write_bytes(draw_network(scn, read_places()))
    sys.stdout.write(f"{PAGE}\n{FIGURE}\n")


if __name__ == "__main__":
    main()
