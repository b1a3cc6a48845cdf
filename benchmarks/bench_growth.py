"""Cost per container as volume grows: the baseline at ×1, ×2, ×5 and ×10 demand, with every
timetable run k times as often and the hub k times as large (so each run is as busy, not
overloaded), simulated over the baseline's eight months.

    .venv/bin/python benchmarks/bench_growth.py [--repeats 3] [--json]

Target: the simulation's cost per container grows no more than linearly with volume — µs
per container at ×10 within 1.5 times that at ×1. Reports the median over repeats of wall
seconds, containers, events per container and µs per container, and each ratio to ×1.
Machines are shared and noisy: compare medians and ratios from one run, not across runs.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path
from typing import Any

from sim.experiment.runner import simulate
from sim.scenario import Scenario, load_scenario
from sim.scenario.schema import Headway

ROOT = Path(__file__).resolve().parent.parent
FACTORS = (1, 2, 5, 10)
TARGET_RATIO = 1.5
HUB_COUNTS = (
    "terminal.gate.lanes",
    "terminal.tracks.count",
    "terminal.sidings.count",
    "terminal.handling.units",
    "terminal.consolidation.crews",
    "terminal.deconsolidation.crews",
    "terminal.yard.capacity_teu",
    "customs.export.officers",
    "customs.import.officers",
    "customs.inspection.bays",
    "customs.quarantine.lab_slots",
)


def scaled(base: Scenario, k: int) -> dict[str, Any]:
    """Overrides for k times the demand, the trains, the sailings' slots and the hub."""
    out: dict[str, Any] = {"demand.scale": k}
    for name, corridor in base.corridors.items():
        for direction in ("export", "import"):
            spec = getattr(corridor.trains, "import_" if direction == "import" else direction)
            assert isinstance(spec.schedule, Headway)
            path = f"corridors.{name}.trains.{direction}.schedule.headway_h"
            out[path] = spec.schedule.headway_h / k
    for name, port in base.sea_ports.items():
        for overseas, svc in port.services.items():
            out[f"sea_ports.{name}.services.{overseas}.slots_teu"] = svc.slots_teu * k
    data = base.model_dump(by_alias=True)
    for path in HUB_COUNTS:
        value: Any = data
        for part in path.split("."):
            value = value[part]
        out[path] = value * k
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--json", action="store_true", help="print the numbers as JSON")
    args = parser.parse_args()
    path = ROOT / "scenarios" / "baseline.yaml"
    base = load_scenario(path)
    rows = {}
    for k in FACTORS:
        scenario = load_scenario(path, scaled(base, k))
        wall, containers, events = [], [], []
        for rep in range(args.repeats):
            started = time.perf_counter()
            recorder, n = simulate(scenario, rep)
            wall.append(time.perf_counter() - started)
            containers.append(recorder.tables["containers"].n)
            events.append(n)
        us = statistics.median(w / c * 1e6 for w, c in zip(wall, containers, strict=True))
        rows[f"x{k}"] = {
            "wall_s_median": round(statistics.median(wall), 3),
            "wall_s_range": [round(min(wall), 3), round(max(wall), 3)],
            "containers_median": statistics.median(containers),
            "events_per_container": round(
                statistics.median(events) / statistics.median(containers), 2
            ),
            "us_per_container_median": round(us, 2),
        }
    first = rows["x1"]["us_per_container_median"]
    for row in rows.values():
        row["ratio_to_x1"] = round(row["us_per_container_median"] / first, 2)
    worst = max(row["ratio_to_x1"] for row in rows.values())
    result = {
        "factors": rows,
        "worst_ratio": worst,
        "target_ratio": TARGET_RATIO,
        "within_target": worst <= TARGET_RATIO,
    }
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(f"{'':5}{'wall s':>9}{'containers':>12}{'events/cont':>12}{'µs/cont':>9}{'× ×1':>7}")
        for name, row in rows.items():
            print(
                f"{name:5}{row['wall_s_median']:>9.2f}{row['containers_median']:>12,.0f}"
                f"{row['events_per_container']:>12.2f}{row['us_per_container_median']:>9.1f}"
                f"{row['ratio_to_x1']:>7.2f}"
            )
        print(
            f"worst ratio {worst:.2f} (target ≤ {TARGET_RATIO}): "
            f"{'within' if result['within_target'] else 'OUTSIDE'}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
