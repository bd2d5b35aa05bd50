"""Feedback workbooks filled into an xlsxwriter-made prototype are xlsxwriter's own bytes."""

from __future__ import annotations

import io
import math
import zipfile

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.dates import parse_quarter
from pipeline.render import feedback
from pipeline.render.xlsx_fill import MARK, Prototype, Sheet

Q = parse_quarter("2021Q1")

# text as returns and messages bring it: CJK, markup, quotes, control characters, edge spaces,
# _xHHHH_ look-alikes, the two non-characters xlsxwriter escapes (no lone surrogates: neither
# writer can encode them, and both raise)
texts = st.text(st.sampled_from(list("单位进度aZ09 &<>\"'\n\t_x\x01\x1f\ufffe\uffff"))
                | st.characters(blacklist_categories=("Cs",)), max_size=40)
values = st.one_of(texts, st.integers(-10**20, 10**20), st.floats(allow_nan=False, allow_infinity=False),
                   st.none(), st.booleans())


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=texts, issues=st.lists(st.lists(values, min_size=3, max_size=3), max_size=20),
       verdicts=st.none() | st.lists(st.lists(values, min_size=8, max_size=8), max_size=40), note=texts)
def test_filled_workbooks_are_xlsxwriters_bytes(name, issues, verdicts, note):
    sheets = feedback._layout(name, issues, verdicts, note, Q)
    prototype = feedback._prototype(verdicts is not None, Q)
    assert prototype.ok
    filled = prototype.fill(sheets, name)
    drawn = feedback._drawn(sheets, name, Q)
    if filled is not None:  # None: xlsxwriter's own paths (rich strings), which it then writes
        assert filled == drawn
    assert prototype.package(sheets, name) == drawn


def test_the_prototype_covers_every_row_count_and_block_of_16_rows():
    prototype = feedback._prototype(True, Q)
    for n in (0, 1, 15, 16, 17, 33, 250):
        rows = [[k, f"任务{k}", "时限", "已完成", "2021-03-01", "按时完成", "", "说明"] for k in range(n)]
        sheets = feedback._layout("湖滨区", [], rows, "本期报表未发现需整改的问题。", Q)
        assert prototype.fill(sheets, "湖滨区") == feedback._drawn(sheets, "湖滨区", Q), n


def test_parts_shared_by_units_are_deflated_once_and_stay_xlsxwriters_bytes(monkeypatch):
    """Units with the same verdicts and a clean return share their sheets' text: a later unit's
    workbook takes the deflated sheets and workbook part of the ones before (only the shared
    strings and the title, which carry its name, are deflated anew), and every workbook is
    xlsxwriter's bytes."""
    from pipeline.render import xlsx_fill

    prototype = feedback._prototype.__wrapped__(True, Q)  # its own: none of the other tests' texts
    rows = [[1, "任务", "时限", "已完成", "2021-03-01", "按时完成", "", ""]]

    def workbook(name):
        sheets = feedback._layout(name, [], rows, "本期报表未发现需整改的问题。", Q)
        assert prototype.fill(sheets, name) == feedback._drawn(sheets, name, Q), name

    for name in ("湖滨区", "陕州区", "湖滨区"):
        workbook(name)
    known = []
    real = xlsx_fill._Parts._deflated
    monkeypatch.setattr(xlsx_fill._Parts, "_deflated",
                        lambda self, text: known.append(text in self._packed) or real(self, text))
    workbook("义马市")
    assert sorted(known) == [False, False, True, True, True]


def test_what_the_prototype_does_not_cover_is_left_to_xlsxwriter():
    prototype = feedback._prototype(False, Q)
    for text in ("<r><t>富文本</t></r>", "长" * 20_000):  # xlsxwriter's rich-string and truncation paths
        sheets = feedback._layout("湖滨区", [["位置", "错误", text]], None, "", Q)
        assert prototype.fill(sheets, "湖滨区") is None
        assert prototype.package(sheets, "湖滨区") == feedback._drawn(sheets, "湖滨区", Q)
    nan = feedback._layout("湖滨区", [["位置", "错误", math.nan]], None, "", Q)
    assert prototype.fill(nan, "湖滨区") is None
    with pytest.raises(TypeError):  # as xlsxwriter says of it
        prototype.package(nan, "湖滨区")
    assert prototype.fill(feedback._layout(f"湖滨区{MARK}", [], None, "无", Q), f"湖滨区{MARK}") is None
    other = [Sheet("需整改问题", "标题", ("甲", "乙"), (10, 10), [["a", "b"]])]  # another shape
    assert prototype.fill(other, "湖滨区") is None


def test_a_prototype_whose_fill_differs_from_xlsxwriter_is_not_used():
    # e.g. another xlsxwriter that writes the cells differently: the prototype's own check finds it
    def changed(sheets, name):
        data = feedback._drawn(sheets, name, Q)
        return data if MARK in name else data + b"\0"

    sample = feedback._layout(MARK, [["位置", "错误", "说明"]], None, "无", Q)
    prototype = Prototype(changed, sample)
    assert not prototype.ok
    sheets = feedback._layout("湖滨区", [["a", "b", "c"]], None, "无", Q)
    assert prototype.package(sheets, "湖滨区") == changed(sheets, "湖滨区")


def test_a_filled_workbook_reads_back_with_its_values():
    rows = [["a.xlsx!进度!C5", "错误", "完成时间“2021.13.01”无法识别\n请填写日期"], ["b", "警告", " 空格 "]]
    verdicts = [[1, "任务", "2021年3月底前", "已完成", "2021-03-01", "按时完成", "", ""],
                [2, "任务二", "长期坚持", "", "", "未报", 12, "请补报"]]
    sheets = feedback._layout("湖滨区&<", rows, verdicts, "", Q)
    data = feedback._prototype(True, Q).fill(sheets, "湖滨区&<")
    assert data is not None
    wb = openpyxl.load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["需整改问题", "任务核对结果"]
    got = [list(r) for r in wb["需整改问题"].iter_rows(min_row=3, values_only=True)]
    assert got == rows
    assert wb["任务核对结果"]["G4"].value == 12 and wb["任务核对结果"].auto_filter.ref == "A2:H4"
    assert wb.properties.title == "湖滨区&<2021年第一季度报表反馈"
    assert zipfile.ZipFile(io.BytesIO(data)).testzip() is None
