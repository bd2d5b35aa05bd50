"""通报_<Q>.xlsx read back with openpyxl: sheets, charts, colours, panes, no live formulas."""

from __future__ import annotations

import dataclasses
import zipfile

import openpyxl
import pandas as pd
import pytest
from render_fixture import make_result

from pipeline.names import VERDICT_LABELS
from pipeline.render.workbook import render_ranking_workbook


@pytest.fixture(scope="module")
def result(ref):
    return make_result(ref)


@pytest.fixture(scope="module")
def path(result, tmp_path_factory):
    return render_ranking_workbook(result, tmp_path_factory.mktemp("xlsx") / "通报_2021Q1.xlsx")


def test_sheets(path):
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[:5] == ["排名", "任务矩阵", "领域矩阵", "报送情况", "问题清单"]
    assert "目录质量" in wb.sheetnames and "历次得分" in wb.sheetnames


def test_native_charts(path):
    with zipfile.ZipFile(path) as z:
        charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
        xml = "".join(z.read(n).decode() for n in charts)
    assert len(charts) == 3  # two ranking bars, one stacked verdict column
    assert "<c:barDir val=\"bar\"/>" in xml and "<c:grouping val=\"stacked\"/>" in xml


def test_ranking_sheet(path, result):
    ws = openpyxl.load_workbook(path)["排名"]
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref.startswith("A1:")
    header = [c.value for c in ws[1]]
    assert header[:3] == ["分组", "排名", "单位"] and "等次" in header and "名次变化" in header
    rows = list(ws.iter_rows(min_row=2, max_row=1 + len(result.scores), values_only=True))
    assert [r[2] for r in rows] == list(result.scores["short_name"])
    assert [r[7] for r in rows] == list(result.scores["total"])
    change = {r[2]: r[9] for r in rows}
    assert change["湖滨区"] == 2 and change["灵宝市"] == -2
    assert ws.cell(2, 10).number_format == '"↑"0;"↓"0;"—"'
    rules = [(str(rng.sqref), r.formula) for rng in ws.conditional_formatting for r in rng.rules]
    assert any('"优秀"' in f[0] for _, f in rules) and any('"不合格"' in f[0] for _, f in rules)
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9


def test_task_matrix(path, result):
    ws = openpyxl.load_workbook(path)["任务矩阵"]
    assert ws.freeze_panes == "C2"
    labels = {c.value for row in ws.iter_rows(min_row=2, max_row=1 + len(result.scores), min_col=3)
              for c in row if isinstance(c.value, str)}
    assert {"按期完成", "逾期未完成", "逾期完成", "未报送"} <= labels
    colours = {r.formula[0].strip('"') for rng in ws.conditional_formatting for r in rng.rules}
    assert set(VERDICT_LABELS.values()) <= colours
    legend = [c.value for c in ws["A"] if c.value in VERDICT_LABELS.values()]
    assert legend == list(VERDICT_LABELS.values())


def test_domain_matrix_and_ledger(path):
    wb = openpyxl.load_workbook(path)
    dm = wb["领域矩阵"]
    assert dm.cell(1, 3).value == "1\n城乡规划" and dm.max_column == 28
    yima = next(row for row in dm.iter_rows(values_only=True) if row[0] == "义马市")
    assert {"已编制并公开", "编制中"} <= set(yima)
    led = wb["报送情况"]
    states = [c.value for c in led["F"]]
    assert "未报送" in states and "已拒收" in states and "已被替代" in states


def test_issue_locations_and_no_formulas(result, tmp_path):
    iss = result.issues.copy()
    iss.loc[0, "message"] = '=HYPERLINK("http://evil","x")'
    path = render_ranking_workbook(dataclasses.replace(result, issues=iss), tmp_path / "e.xlsx")
    ws = openpyxl.load_workbook(path)["问题清单"]
    cells = [c for row in ws.iter_rows() for c in row]
    assert not any(c.data_type == "f" for c in cells)
    assert '=HYPERLINK("http://evil","x")' in [c.value for c in cells]
    assert "lingbao_2021Q1.xlsx!任务进展!E8" in [c.value for c in cells]


def test_deterministic_and_optional(result, tmp_path, path):
    again = render_ranking_workbook(result, tmp_path / "again.xlsx")
    assert again.read_bytes() == path.read_bytes()
    bare = render_ranking_workbook(dataclasses.replace(result, extra={}), tmp_path / "b.xlsx",
                                   charts=False, extra_sheets={"附表": pd.DataFrame({"a": [1]})})
    wb = openpyxl.load_workbook(bare)
    assert wb.sheetnames == ["排名", "任务矩阵", "领域矩阵", "报送情况", "问题清单", "附表"]
    with zipfile.ZipFile(bare) as z:
        assert not [n for n in z.namelist() if n.startswith("xl/charts/")]
