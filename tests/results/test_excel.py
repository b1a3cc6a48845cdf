"""The Excel workbook of a run, comparison and sweep reads back into pandas with the same
numbers, its headers carry units and its cells the number format of their unit."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

import sim
from sim.results.excel import WORKBOOK, excel_format, header
from sim.results.store import RunFolderError
from tests.conftest import BASELINE, MMC, MMC_WEEK

FEW_WEEKS = {"end": "2023-01-20", "warmup_days": 5}


def same(back: np.ndarray, values: np.ndarray) -> None:
    """The same numbers, as Excel keeps them: a cell holds a double written with 15 to 17
    significant digits, so the last binary digit may differ."""
    np.testing.assert_allclose(back, values, rtol=1e-14, atol=0, equal_nan=True)


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> sim.RunResult:
    out = tmp_path_factory.mktemp("excel") / "run"
    return sim.run(BASELINE, replications=2, out=out, overrides=FEW_WEEKS, workers=1,
                   register=False)


@pytest.fixture(scope="module")
def run_book(run) -> str:
    return str(run.to_excel())


def test_run_workbook_is_written_into_the_run_folder_with_its_sheets(run, run_book):
    assert run_book == str(run.path / WORKBOOK)
    assert pd.ExcelFile(run_book).sheet_names == ["About", "Summary", "Replications"]
    assert sorted(p.name for p in run.path.iterdir() if p.name.startswith(".")) == []


def test_run_summary_reads_back_with_the_same_numbers(run, run_book):
    back = pd.read_excel(run_book, sheet_name="Summary")
    assert list(back["name"]) == list(run.summary["kpi"])
    for col, src in (("mean", "mean"), ("± 95 % CI", "half_width"), ("n", "n")):
        same(
            back[col].to_numpy(dtype=float), run.summary[src].to_numpy(dtype=float)
        )
    row = back.set_index("name").loc["clearance_h.import.mean"]
    assert row["KPI"] == "Import customs clearance time, mean"
    assert row["unit"] == "h"
    assert row["theme"] == "Time"


def test_every_replication_reads_back_one_column_per_kpi_with_its_unit(run, run_book):
    back = pd.read_excel(run_book, sheet_name="Replications").set_index("replication")
    wide = run.wide()
    units = dict(zip(run.summary["kpi"], run.summary["unit"], strict=True))
    assert list(back.index) == list(wide.index)
    assert len(back.columns) == len(wide.columns)
    for name in wide.columns:
        column = header(name, units[name])
        same(back[column].to_numpy(dtype=float), wide[name].to_numpy())
    assert "teu.total (TEU)" in back.columns
    assert "cost.subsidy_cny (M CNY)" in back.columns


def test_cells_carry_the_number_format_of_their_unit(run_book):
    book = load_workbook(run_book)
    ws = book["Summary"]
    heads = [c.value for c in ws[1]]
    name_col, mean_col = heads.index("name") + 1, heads.index("mean") + 1
    formats = {
        ws.cell(row=i, column=name_col).value: ws.cell(row=i, column=mean_col).number_format
        for i in range(2, ws.max_row + 1)
    }
    assert formats["utilisation.huaihua.sidings"] == "0.0%"
    assert formats["cost.subsidy_cny"] == excel_format("CNY") == '#,##0.00,,"M"'
    assert formats["teu.total"] == "#,##0"
    assert formats["clearance_h.import.mean"] == "#,##0.00"
    assert ws.freeze_panes == "B2"
    assert ws["A1"].font.bold
    about = pd.read_excel(run_book, sheet_name="About").set_index("item")["value"]
    assert about["Scenario"] == "baseline"
    assert about["Replications"] == "2"


def test_a_workbook_in_chinese_keeps_the_numbers_and_the_dotted_names(run, tmp_path):
    path = run.to_excel(tmp_path / "zh.xlsx", lang="zh")
    assert pd.ExcelFile(path).sheet_names == ["说明", "汇总", "各次重复运行"]
    back = pd.read_excel(path, sheet_name="汇总")
    assert list(back["名称"]) == list(run.summary["kpi"])
    same(back["均值"].to_numpy(dtype=float), run.summary["mean"].to_numpy(dtype=float))
    row = back.set_index("名称").loc["clearance_h.import.mean"]
    assert row["指标"] == "进口通关时间，均值"
    assert row["单位"] == "小时"
    assert row["主题"] == "时间"
    reps = pd.read_excel(path, sheet_name="各次重复运行")
    assert "cost.subsidy_cny (百万元)" in reps.columns
    assert reps.columns[0] == "重复运行"


def test_a_result_not_saved_needs_a_path(tmp_path):
    run = sim.run(MMC, replications=1, save=False, overrides=MMC_WEEK, workers=1)
    with pytest.raises(RunFolderError, match="not saved"):
        run.to_excel()
    path = run.to_excel(tmp_path / "mmc.xlsx")
    back = pd.read_excel(path, sheet_name="Summary")
    assert list(back["name"]) == list(run.summary["kpi"])


def test_comparison_workbook_reads_back_the_paired_differences(tmp_path):
    five = tmp_path / "five.yaml"
    five.write_text(f"extends: {MMC}\nname: five\ncustoms:\n  import: {{officers: 5}}\n")
    week = {"end": "2023-01-07", "warmup_days": 1}
    cmp = sim.compare(MMC, five, replications=3, overrides=week, workers=1, root=tmp_path)
    path = cmp.to_excel()
    assert path == cmp.path / WORKBOOK
    sheets = pd.read_excel(path, sheet_name=None)
    assert list(sheets) == [
        "About", "Comparison", "A Summary", "A Replications", "B Summary", "B Replications"
    ]
    back = sheets["Comparison"]
    assert list(back["name"]) == list(cmp.table["kpi"])
    for col, src in (("A: mean", "a_mean"), ("B: mean", "b_mean"), ("B − A", "diff_mean"),
                     ("B − A: 95 % CI low", "diff_low")):
        same(
            back[col].to_numpy(dtype=float), cmp.table[src].to_numpy(dtype=float)
        )
    assert list(back["significant"]) == ["yes" if s else "no" for s in cmp.table["significant"]]
    b_summary = sheets["B Summary"]
    same(
        b_summary["mean"].to_numpy(dtype=float), cmp.b.summary["mean"].to_numpy(dtype=float)
    )


def test_sweep_workbook_has_every_point_and_every_replication(tmp_path):
    levers = {"customs.import.officers": [4, 5]}
    sweep = sim.sweep(MMC, levers, replications=2, overrides=MMC_WEEK, workers=1, root=tmp_path)
    sheets = pd.read_excel(sweep.to_excel(), sheet_name=None)
    assert list(sheets) == ["About", "Sweep", "Sweep summary", "Replications"]
    points = sheets["Sweep"]
    assert list(points["point"]) == [0, 1]
    assert list(points["customs.import.officers"]) == [4, 5]
    clearance = [c for c in points.columns if c.startswith("Import customs clearance time, mean")]
    assert clearance == [
        "Import customs clearance time, mean: mean (h)",
        "Import customs clearance time, mean: ± 95 % CI (h)",
    ]
    expected = sweep.mean("clearance_h.import.mean")["mean"].to_numpy(dtype=float)
    same(points[clearance[0]].to_numpy(dtype=float), expected)
    tidy = sheets["Sweep summary"]
    same(
        tidy["mean"].to_numpy(dtype=float), sweep.summary["mean"].to_numpy(dtype=float)
    )
    reps = sheets["Replications"]
    assert len(reps) == 2 * 2
    assert list(reps.columns[:2]) == ["point", "replication"]
