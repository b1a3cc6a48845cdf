"""The documents of decision analysis: a sensitivity analysis (which estimates move the KPIs)
and an optimisation (the least set-up that meets a target, with its evidence).

Results are recognised by their attributes (``spec``/``ranking``/``sweep``;
``spec``/``answer``/``evaluations``), so this package needs nothing from the experiment layer.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from sim.results.formatting import format_value
from sim.results.plots.labels import kpi_label, lever_label
from sim.results.report.document import Document, Figures, Table, as_json
from sim.results.runinfo import Provenance

METHOD_WORDS = {
    "oat": (
        "One at a time: every factor at the scenario's value, then each alone at the low and "
        "the high end of its range; factors ranked by the KPI's swing between the two ends "
        "(± its 95 % interval over the paired replications)."
    ),
    "morris": (
        "Morris screening (SALib): elementary effects along random one-step trajectories; "
        "factors ranked by μ*, the mean absolute effect (± its bootstrap 95 % interval); "
        "σ large beside μ* means non-linear effects or interactions."
    ),
    "sobol": (
        "Sobol indices (SALib, Saltelli sampling): S1 is the share of the KPI's variance a "
        "factor explains alone, ST with its interactions (± bootstrap 95 % intervals); "
        "factors ranked by ST."
    ),
}
MEASURES = {
    "oat": ("kpi_at_low", "kpi_at_base", "kpi_at_high"),
    "morris": ("mu_star", "mu_star_conf", "mu", "sigma"),
    "sobol": ("S1", "S1_conf", "ST", "ST_conf"),
}


def is_sensitivity(result: Any) -> bool:
    return all(hasattr(result, a) for a in ("spec", "ranking", "sweep"))


def is_optimise(result: Any) -> bool:
    return all(hasattr(result, a) for a in ("spec", "answer", "evaluations"))


def _num(value: Any) -> str:
    v = float(value)
    if not math.isfinite(v):
        return "–"
    return "0" if abs(v) < 1e-9 else f"{v:,.4g}"


def findings(ranking: pd.DataFrame) -> list[str]:
    """One sentence per KPI: the factor that moves it most, and the runner-up."""
    out = []
    for kpi, rows in ranking.groupby("kpi", sort=False):
        rows = rows.sort_values("rank")
        first = rows.iloc[0]
        text = (
            f"{kpi_label(str(kpi))}: most sensitive to {lever_label(str(first['factor']))} "
            f"(importance {_num(first['importance'])} ± {_num(first['importance_conf'])})"
        )
        if len(rows) > 1:
            second = rows.iloc[1]
            text += (
                f", then {lever_label(str(second['factor']))} "
                f"({_num(second['importance'])} ± {_num(second['importance_conf'])})"
            )
        out.append(text + ".")
    return out


def _ranking_table(ranking: pd.DataFrame, table_id: str, top: int | None) -> Table:
    extra = MEASURES[str(ranking["method"].iloc[0])] if len(ranking) else ()
    rows, keys = [], []
    for kpi, group in ranking.groupby("kpi", sort=False):
        group = group.sort_values("rank")
        if top is not None:
            group = group.head(top)
        for _, r in group.iterrows():
            rows.append(
                [
                    kpi_label(str(kpi)),
                    str(int(r["rank"])),
                    lever_label(str(r["factor"])),
                    f"{r['low']:g} – {r['high']:g}",
                    _num(r["importance"]),
                    _num(r["importance_conf"]),
                    *[_num(r[m]) for m in extra],
                ]
            )
            keys.append(str(kpi))
    return Table(
        table_id,
        ["KPI", "rank", "factor", "range", "importance", "± 95 %", *extra],
        rows,
        [False, True, False, True, True, True, *[True] * len(extra)],
        keys,
    )


def sensitivity_document(result: Any, figures: Figures) -> Document:
    sweep = result.sweep
    spec = result.spec
    p = Provenance.of(sweep.manifest)
    factors = "; ".join(
        f"{f.path} in [{f.low:g}, {f.high:g}] (scenario: {f.base:g})" for f in spec.factors
    )
    facts = [
        ("Scenario", p.scenario or "–"),
        ("Scenario file", p.scenario_file or "–"),
        ("Method", spec.method),
        ("Factors", factors),
        ("KPIs", ", ".join(spec.kpis)),
        ("Points", str(len(sweep.points))),
        ("Replications a point", str(p.replications)),
        ("Seed", f"{p.seed} (every point: common random numbers); design seed {spec.seed}"),
        ("Folder", str(sweep.path) if sweep.path else "–"),
    ]
    return Document(
        kind="sensitivity",
        title=f"Sensitivity of the estimates: {p.scenario or ''}",
        facts=facts,
        intro=METHOD_WORDS[spec.method],
        headline=_ranking_table(result.ranking, "kpi-table", top=3),
        full=_ranking_table(result.ranking, "kpi-table-all", top=None),
        figures=figures,
        appendices=[("manifest", "Manifest", as_json(sweep.manifest), "json")],
        notes=findings(result.ranking),
    )


def _evidence_table(evaluations: pd.DataFrame, levers: list[str], table_id: str) -> Table:
    rows = []
    for _, r in evaluations.iterrows():
        hw = float(r["half_width"])
        rows.append(
            [
                str(int(r["round"])),
                *[str(r[lv]) for lv in levers],
                f"{float(r['cost']):g}",
                str(int(r["replications"])),
                str(r["target"]),
                format_value(float(r["mean"]), "")
                + (f" ± {format_value(hw, '')}" if math.isfinite(hw) else ""),
                str(r["verdict"]),
            ]
        )
    return Table(
        table_id,
        [
            "round",
            *[lever_label(lv) for lv in levers],
            "cost",
            "replications",
            "target",
            "KPI mean ± 95 %",
            "verdict",
        ],
        rows,
        [True, *[True] * len(levers), True, True, False, True, False],
        [],
    )


def optimise_document(result: Any, figures: Figures) -> Document:
    spec = result.spec
    man = result.manifest
    levers = [lv.path for lv in spec.levers]
    last = result.evaluations.groupby("candidate")["round"].transform("max")
    final = result.evaluations[result.evaluations["round"] == last].sort_values(
        ["cost", "candidate"]
    )
    facts = [
        ("Scenario", str(man.get("scenario") or "–")),
        ("Scenario file", str(man.get("scenario_file") or "–")),
        ("Minimise", " + ".join(f"{lv.weight:g} × {lv.path}" for lv in spec.levers)),
        ("Over", "; ".join(f"{lv.path} from {lv.low} to {lv.high}" for lv in spec.levers)),
        ("Subject to", " and ".join(str(c) for c in spec.constraints)),
        (
            "Rule",
            "a target is met when the whole Student-t 95 % interval of the KPI's mean is on "
            f"its side; replications from {spec.initial_replications}, doubled near the "
            f"boundary, up to {spec.max_replications}",
        ),
        ("Rounds", str(result.evaluations["round"].nunique())),
        ("Seed", f"{man['seed']} (every set-up: common random numbers)"),
        ("Folder", str(result.path) if result.path else "–"),
    ]
    return Document(
        kind="optimise",
        title=f"Least set-up that meets the target: {man.get('scenario') or ''}",
        facts=facts,
        intro=(
            "Each set-up tried, cheapest first, at its last round: the KPI's mean and 95 % "
            "interval over its replications and the verdict (meets, fails, undecided)."
        ),
        headline=_evidence_table(final, levers, "kpi-table"),
        full=_evidence_table(result.evaluations, levers, "kpi-table-all"),
        figures=figures,
        appendices=[("manifest", "Manifest", as_json(man), "json")],
        notes=[result.summary()],
    )
