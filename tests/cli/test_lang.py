"""The command line in Chinese (``--lang zh``) and the units of its tables: shares' differences
in percentage points, units never cut short, sweep headers in words, discounts as percentages."""

from __future__ import annotations

from pathlib import Path

import sim
from sim.cli.common import Lang
from sim.results.i18n import LANGS, language
from sim.results.plots.decision import sensitivity_chart
from tests.conftest import BASELINE, MMC, flat, landport

WEEK = ["--set", "end=2023-01-07", "--set", "warmup_days=1"]


def test_lang_offers_the_languages_landport_writes():
    assert tuple(Lang) == LANGS


def test_run_in_chinese_prints_chinese_labels_beside_the_dotted_names():
    done = landport("run", MMC, *WEEK, "-n", "2", "--workers", "1", "--lang", "zh")
    assert done.exit_code == 0, done.output
    header = next(line for line in done.output.splitlines() if "指标" in line)
    for column in ("名称", "单位", "均值"):
        assert column in header, column
    row = next(line for line in done.output.splitlines() if " clearance_h.import.mean " in line)
    assert "进口" in row
    assert "小时" in row
    assert "次重复运行" in done.output


def test_an_unknown_language_is_one_line_and_exit_2():
    done = landport("run", MMC, "--lang", "fr")
    assert done.exit_code == 2
    assert "--lang" in done.output
    assert "Traceback" not in done.output


def test_compare_keeps_units_whole_and_shares_differences_in_percentage_points():
    done = landport("compare", BASELINE, BASELINE, *WEEK, "-n", "2", "--workers", "1", "--all")
    assert done.exit_code == 0, done.output
    rows = [line for line in done.output.splitlines() if line.count("│") > 4]
    units = {line.split("│")[2].strip() for line in rows}
    assert {"TEU", "M CNY", "h", "share"} <= units
    assert not any("…" in u for u in units)
    shares = [line for line in rows if line.split("│")[2].strip() == "share"]
    assert any(line.split("│")[5].strip().endswith(" pp") for line in shares)
    for line in shares:
        diff, half_width = line.split("│")[5].strip(), line.split("│")[6].strip()
        assert diff.endswith(" pp") or diff == "–", line
        assert half_width.endswith(" pp") or half_width == "–", line


def test_sweep_shows_discounts_as_percentages_and_headers_in_words(tmp_path):
    done = landport(
        "sweep", BASELINE, *WEEK, "--set", "tariffs.discount.nanning=0.3,0.45", "-n", "1",
        "--workers", "1", "--root", tmp_path, "--kpi", "teu.total",
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    lever_cells = [
        line.split("│")[2].strip() for line in done.output.splitlines() if line.count("│") > 3
    ]
    assert "30%" in lever_cells
    assert "45%" in lever_cells
    lines = done.output.splitlines()
    head = lines[
        next(i for i, x in enumerate(lines) if "┏" in x) + 1 : next(
            i for i, x in enumerate(lines) if "┡" in x
        )
    ]
    cells = [c.strip() for line in head for c in line.split("┃") if c.strip()]
    words = " ".join(cells)
    for word in ("Nanning Railway", "discount", "TEU carried by train"):
        assert word in words, cells
    assert not [c for c in cells if c.endswith(".")], cells  # not broken at every dot
    assert "teu.total" in done.output  # the dotted names, in the caption


def test_a_runs_health_is_printed_in_chinese():
    # one import officer for three times the demand: the customs queue grows without bound
    over = [
        "--set",
        "end=2023-01-21",
        "--set",
        "demand.scale=3",
        "--set",
        "customs.import.officers=1",
    ]
    done = landport("run", BASELINE, *over, "-n", "2", "--workers", "1", "--lang", "zh")
    assert done.exit_code == 0, done.output
    assert "瓶颈：" in done.output
    assert "Bottleneck:" not in done.output


def _disrupted(tmp_path: Path) -> Path:
    """The baseline with its customs closed for half a day in the first week."""
    b = tmp_path / "customs-out.yaml"
    b.write_text(
        f"extends: {BASELINE}\nname: customs_out\ndisruptions:\n"
        "  - {kind: resource_outage, name: customs_out, target: customs,\n"
        '     start: "2023-01-03 08:00", duration_h: 12}\n',
        encoding="utf-8",
    )
    return b


def test_recovery_from_disruptions_is_printed_and_reported_in_chinese(tmp_path):
    b = _disrupted(tmp_path)
    common = [BASELINE, b, *WEEK, "-n", "2", "--workers", "1", "--root", tmp_path / "out"]
    done = landport("compare", *common, "--lang", "zh")
    assert done.exit_code == 0, done.output
    text = flat(done.output)
    assert "B 从中断中的恢复（以未中断的A为基准）" in text
    assert "各值为配对重复运行的均值。" in text
    assert "Recovery of B" not in text
    assert "Means over paired replications" not in text
    folder = next((tmp_path / "out").iterdir())
    report = landport("report", folder, "--format", "md", "--lang", "zh")
    assert report.exit_code == 0, report.output
    md = (folder / "report.md").read_text(encoding="utf-8")
    assert "中断后的恢复" in md
    assert "恢复时间（小时）± 95%置信区间" in md
    assert "每次中断结束后的恢复时间" in md  # the figure's caption
    assert "Recovery from disruptions" not in md


def test_recovery_from_disruptions_stays_in_english_by_default(tmp_path):
    done = landport("compare", BASELINE, _disrupted(tmp_path), *WEEK, "-n", "1", "--workers", "1")
    assert done.exit_code == 0, done.output
    text = flat(done.output)
    assert "Recovery of B from its disruptions, against A as undisrupted" in text
    assert "Means over paired replications. recovery h: from the disruption's end" in text


def _one_at_a_time(tmp_path: Path) -> Path:
    """The M/M/c desk with one factor (its officers) to vary one at a time."""
    spec = tmp_path / "s.yaml"
    spec.write_text(
        f"extends: {MMC}\nsensitivity:\n  method: oat\n  kpis: [clearance_h.import.mean]\n"
        "  factors:\n    customs.import.officers: [3, 5]\n",
        encoding="utf-8",
    )
    return spec


def test_a_sensitivity_analysis_is_printed_reported_and_drawn_in_chinese(tmp_path):
    spec = _one_at_a_time(tmp_path)
    out = tmp_path / "s"
    done = landport(
        "sensitivity", spec, *WEEK, "-n", "2", "--workers", "1", "--out", out, "--report",
        "--lang", "zh",
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    text = flat(done.output)
    for word in ("排名", "因素", "重要性", "次重复运行", "sensitivity.csv 含全部度量"):
        assert word in text, word
    assert "importance" not in text
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "估计值的敏感性分析" in html
    assert "逐一变化法：所有因素取情景值" in html  # how the method ranks the factors
    assert "最敏感" in html  # the finding, in Chinese
    assert "Sensitivity of the estimates" not in html
    assert "most sensitive to" not in html
    english = landport("report", out, "--format", "md")
    assert english.exit_code == 0, english.output
    md = (out / "report.md").read_text(encoding="utf-8")
    assert "Sensitivity of the estimates" in md
    assert "One at a time: every factor at the scenario's value" in md
    assert "What moves clearance_h.import.mean: the factors in rank order." in md


def test_words_on_the_decision_figures_follow_the_language_in_force(tmp_path):
    spec = _one_at_a_time(tmp_path)
    done = landport(
        "sensitivity", spec, *WEEK, "-n", "2", "--workers", "1", "--out", tmp_path / "s"
    )
    assert done.exit_code == 0, done.output
    ranking = sim.load(tmp_path / "s").ranking
    english = sensitivity_chart(ranking, "clearance_h.import.mean")
    with language("zh"):
        chinese = sensitivity_chart(ranking, "clearance_h.import.mean")
    assert english.get_suptitle().startswith("What moves clearance_h.import.mean: one at a time")
    assert chinese.get_suptitle().startswith("影响clearance_h.import.mean的因素：逐一变化法")
    legend = [t.get_text() for t in chinese.axes[0].get_legend().get_texts()]
    assert legend == ["因素取下端", "因素取上端"]


def test_an_optimisation_is_printed_and_reported_in_chinese(tmp_path):
    officers = "customs.import.officers"
    out = tmp_path / "o"
    done = landport(
        "optimise", MMC, "--minimise", officers, "--over", f"{officers}=4:5",
        "--subject-to", "clearance_h.import.mean<=1.6", "-n", "2", "--max-replications", "4",
        "--workers", "1", "--set", "end=2023-01-14", "--out", out, "--report", "--lang", "zh",
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    text = flat(done.output)
    assert "所试配置，按费用从低到高（最后一轮）" in text
    assert "满足" in text
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "满足目标的最小配置" in html
    assert "所试的每种配置" in html
    assert "Least set-up that meets the target" not in html
