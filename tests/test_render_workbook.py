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
    assert ws.cell(2, 10).number_format == '"↑"0;"↓"0;"持平"'
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


def test_every_sheet_frozen_filtered_and_printable(path):
    wb = openpyxl.load_workbook(path)
    for ws in wb.worksheets:
        assert ws.freeze_panes in ("A2", "C2"), ws.title
        assert ws.auto_filter.ref and ws.auto_filter.ref.startswith("A1:"), ws.title
        assert ws.page_setup.paperSize == 9 and ws.page_setup.orientation == "landscape", ws.title
        setup = ws.page_setup  # one page wide (1 is the default and left out), as many tall as needed
        assert ws.sheet_properties.pageSetUpPr.fitToPage and setup.fitToWidth in (None, 1) and setup.fitToHeight == 0
        assert ws.print_title_rows == "$1:$1", ws.title
        assert "&P" in ws.oddFooter.center.text, ws.title


def test_chart_series_point_at_the_group_rows(path, result):
    """Each ranking bar chart reads the names and totals of its own group's rows on 排名."""
    import re

    with zipfile.ZipFile(path) as z:
        xml = [z.read(f"xl/charts/chart{i}.xml").decode() for i in (1, 2, 3)]
    groups = list(result.scores["group"])
    n_base = groups.count("base")
    refs = [re.findall(r"<c:f>([^<]*)</c:f>", x) for x in xml]
    assert refs[0] == [f"排名!$C$2:$C${1 + n_base}", f"排名!$H$2:$H${1 + n_base}"]
    assert refs[1] == [f"排名!$C${2 + n_base}:$C${1 + len(groups)}", f"排名!$H${2 + n_base}:$H${1 + len(groups)}"]
    assert len(refs[2]) == 3 * len(VERDICT_LABELS)  # name, categories, values of each verdict series
    # the counts the stacked chart reads add up to the unit's tasks
    ws = openpyxl.load_workbook(path)["任务矩阵"]
    col = openpyxl.utils.column_index_from_string(re.match(r"任务矩阵!\$([A-Z]+)\$", refs[2][0]).group(1))
    rec = result.reconciliation
    for row in ws.iter_rows(min_row=2, max_row=1 + len(result.scores), min_col=col - 1,
                            max_col=col - 1 + len(VERDICT_LABELS), values_only=True):
        unit = result.scores.set_index("short_name").loc[row[0], "unit_id"]
        assert sum(row[1:]) == (rec["unit_id"] == unit).sum()


def test_workbook_options_keep_text_as_text():
    """strings_to_formulas / _urls / _numbers are off (xlsxwriter turns the first two on), and
    every workbook the pipeline writes with xlsxwriter takes those options."""
    import re
    from pathlib import Path

    from pipeline.outputs import XLSX_OPTIONS

    assert {k: XLSX_OPTIONS[k] for k in ("strings_to_formulas", "strings_to_urls", "strings_to_numbers")} == {
        "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
    package = Path(__file__).parents[1] / "pipeline"
    calls = {p.relative_to(package).as_posix(): re.findall(r"xlsxwriter\.Workbook\((.*)\)$", p.read_text("utf-8"), re.M)
             for p in package.rglob("*.py")}
    calls = {k: v for k, v in calls.items() if v}
    assert {"render/workbook.py", "render/feedback.py", "check.py", "catalogue/report.py"} <= set(calls)
    for name, args in calls.items():
        if name == "catalogue/demo.py":  # demo input files, not an output
            continue
        assert all(a.endswith("XLSX_OPTIONS") for a in args), (name, args)


def test_cross_quarter_columns_and_sheets_in_chinese(result, tmp_path):
    sc = result.scores.assign(score_change=[2.5, -1.0] + [0.0] * (len(result.scores) - 2))
    path = render_ranking_workbook(dataclasses.replace(result, scores=sc), tmp_path / "x.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb["排名"]
    header = [c.value for c in ws[1]]
    col = header.index("得分变化") + 1
    assert header[-3:] == ["表扬", "通报批评", "原因"]
    assert ws.cell(2, col).value == 2.5 and ws.cell(2, col).number_format == "+0.0;-0.0;0.0"
    for name in ("历次得分", "整改情况", "目录质量"):
        sheet = wb[name]
        heads = [c.value for c in sheet[1]]
        assert all(any(ord(ch) > 0x2E80 for ch in h) for h in heads), (name, heads)
    values = {c.value for row in wb["历次得分"].iter_rows(min_row=2) for c in row}
    assert "基层政府" in values and "base" not in values
    kinds = {c.value for c in wb["整改情况"]["E"][1:]}
    assert kinds == {"任务逾期未完成", "未报送", "逾期报送"}
