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
from sim.results.i18n import label, text_or
from sim.results.plots.labels import kpi_label, lever_label
from sim.results.report.document import Document, Figures, Table, as_json
from sim.results.runinfo import Provenance

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
        text = label(
            "decision.most_sensitive",
            kpi=kpi_label(str(kpi)),
            factor=lever_label(str(first["factor"])),
            value=_num(first["importance"]),
            conf=_num(first["importance_conf"]),
        )
        if len(rows) > 1:
            second = rows.iloc[1]
            text += label(
                "decision.then",
                factor=lever_label(str(second["factor"])),
                value=_num(second["importance"]),
                conf=_num(second["importance_conf"]),
            )
        out.append(text + label("decision.end"))
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
        [
            *(
                label(f"column.{key}")
                for key in ("kpi", "rank", "factor", "range", "importance", "plus_minus_95")
            ),
            *extra,
        ],
        rows,
        [False, True, False, True, True, True, *[True] * len(extra)],
        keys,
    )


def sensitivity_document(result: Any, figures: Figures) -> Document:
    sweep = result.sweep
    spec = result.spec
    p = Provenance.of(sweep.manifest)
    factors = "; ".join(
        label("decision.factor_range", path=f.path, low=f"{f.low:g}", high=f"{f.high:g}",
              base=f"{f.base:g}")
        for f in spec.factors
    )  # fmt: skip
    facts = [
        (label("fact.scenario"), p.scenario or "–"),
        (label("fact.scenario_file"), p.scenario_file or "–"),
        (label("fact.method"), spec.method),
        (label("fact.factors"), factors),
        (label("fact.kpis"), ", ".join(spec.kpis)),
        (label("fact.points"), str(len(sweep.points))),
        (label("fact.replications_a_point"), str(p.replications)),
        (label("fact.seed"), label("decision.sensitivity_seed", seed=p.seed, design=spec.seed)),
        (label("fact.folder"), str(sweep.path) if sweep.path else "–"),
    ]
    return Document(
        kind="sensitivity",
        title=label("decision.sensitivity_title", scenario=p.scenario or ""),
        facts=facts,
        intro=label(f"decision.method.{spec.method}"),
        headline=_ranking_table(result.ranking, "kpi-table", top=3),
        full=_ranking_table(result.ranking, "kpi-table-all", top=None),
        figures=figures,
        appendices=[("manifest", label("report.manifest"), as_json(sweep.manifest), "json")],
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
                text_or(f"verdict.{r['verdict']}", str(r["verdict"])),
            ]
        )
    return Table(
        table_id,
        [
            label("column.round"),
            *[lever_label(lv) for lv in levers],
            *(label(f"column.{key}") for key in ("cost", "replications", "target")),
            label("column.kpi_mean_95"),
            label("column.verdict"),
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
        (label("fact.scenario"), str(man.get("scenario") or "–")),
        (label("fact.scenario_file"), str(man.get("scenario_file") or "–")),
        (label("fact.minimise"), " + ".join(f"{lv.weight:g} × {lv.path}" for lv in spec.levers)),
        (
            label("fact.over"),
            "; ".join(
                label("decision.lever_range", path=lv.path, low=lv.low, high=lv.high)
                for lv in spec.levers
            ),
        ),
        (label("fact.subject_to"), label("decision.and").join(str(c) for c in spec.constraints)),
        (
            label("fact.rule"),
            label(
                "decision.rule_text",
                initial=spec.initial_replications,
                most=spec.max_replications,
            ),
        ),
        (label("fact.rounds"), str(result.evaluations["round"].nunique())),
        (label("fact.seed"), label("decision.optimise_seed", seed=man["seed"])),
        (label("fact.folder"), str(result.path) if result.path else "–"),
    ]
    return Document(
        kind="optimise",
        title=label("decision.optimise_title", scenario=man.get("scenario") or ""),
        facts=facts,
        intro=label("decision.optimise_intro"),
        headline=_evidence_table(final, levers, "kpi-table"),
        full=_evidence_table(result.evaluations, levers, "kpi-table-all"),
        figures=figures,
        appendices=[("manifest", label("report.manifest"), as_json(man), "json")],
        notes=[result.summary()],
    )
