"""summary(): every figure the 通报 quotes, hand-worked on the renderer fixture (tests/render_fixture.py).

The fixture's story: 9 units; 湖滨区 and 陕州区 tie at 100; 灵宝市 and 市应急管理局 are late; 渑池县
sends nothing; 义马市 leaves task 5 and 6 catalogues open; 市发展改革委 task 6; 市财政局 leaves
out task 3. The expected values below are worked out by hand from that story.
"""

from __future__ import annotations

import dataclasses
import math

import pandas as pd
import pytest
from render_fixture import make_result

from pipeline import schemas
from pipeline.summary import SUMMARY_COLUMNS, Figures, summary


@pytest.fixture(scope="module")
def result(ref):
    return make_result(ref)


@pytest.fixture(scope="module")
def f(result):
    return Figures(summary(result))


def test_columns_and_contract(result):
    table = summary(result)
    assert list(table.columns) == SUMMARY_COLUMNS == schemas.TABLE_COLUMNS["summary"]
    schemas.check("summary", table)
    assert table["value"].dtype == "float64" and (table["quarter"] == "2021Q1").all()
    assert not table.duplicated(["section", "key", "group", "text", "unit_ids"]).any()


def test_pure(result):
    before = result.scores.copy()
    pd.testing.assert_frame_equal(summary(result), summary(result))
    pd.testing.assert_frame_equal(result.scores, before)


def test_returns(f):
    assert [f.count("returns", k) for k in ("units", "on_time", "late", "missing")] == [9, 6, 2, 1]
    assert f.units("returns", "late") == ["lingbao", "yjj"]
    assert f.units("returns", "missing") == ["mianchi"] == f.units("draft", "missing")
    assert f.value("returns", "on_time_rate") == pytest.approx(6 / 9)
    assert f.count("returns", "rejected_files") == 1  # 扫描件.xlsx
    assert f.count("draft", "before_due") == 0  # as of the due date


def test_tasks(f):
    # 4 base returns × tasks 1, 2, 3, 5, 6 (+ 灵宝市's 7? not due) and 4 dept returns × 3, 4, 6, 15
    assert f.count("tasks", "late") == 1  # 灵宝市 task 6
    assert f.count("tasks", "overdue") == 2  # 义马市 task 5, 市发展改革委 task 6
    assert f.count("tasks", "done") == f.count("tasks", "on_time") + 1
    assert f.value("tasks", "done_rate") == pytest.approx(f.count("tasks", "done") / f.count("tasks", "due"))


def test_catalogue_and_plans(f):
    assert [f.count("catalogue", k, "base") for k in ("units", "total", "published")] == [5, 130, 98]
    assert f.units("catalogue", "full", "base") == ["hubin", "shanzhou", "lingbao"]
    # 义马市 is short (20 of 26); 渑池县 sent nothing: 尚未报送, not 「已公开0个」
    assert f.units("catalogue", "short_published", "base") == ["yima"]
    assert (f.count("catalogue", "short_published", "base"), f.count("catalogue", "short_total", "base")) == (20, 26)
    assert f.units("catalogue", "not_reported", "base") == ["mianchi"]
    assert [f.count("plans", k, "dept") for k in ("units", "total", "issued")] == [4, 7, 6]


def test_averages_are_the_printed_means_difference(f):
    # now (100+100+88.7+86.8+0+100+95+88+80)/9 = 82.06 → 82.1; before 760.5/9 = 84.5 → −2.4
    assert round(f.value("averages", "mean"), 1) == 82.1
    assert f.value("averages", "change") == pytest.approx(-2.4)
    # base: 375.5/5 = 75.1 against 413.5/5 = 82.7; dept: 363/4 = 90.75 → 90.8 against 86.75 → 86.8
    assert f.value("averages", "change", "base") == pytest.approx(-7.6)
    assert f.value("averages", "change", "dept") == pytest.approx(4.0)


def test_first_quarter_has_no_change(ref):
    f = Figures(summary(make_result(ref, with_extra=False)))
    assert math.isnan(f.value("averages", "change")) and math.isnan(f.value("averages", "previous_mean"))
    assert f.rows("rectification", "units").empty


def test_ranking_ties_top_bottom_and_moves(f):
    top = f.rows("ranking", "top", "base")
    assert list(top["unit_ids"]) == ["hubin|shanzhou", "lingbao"] and list(top["value"]) == [100.0, 88.7]
    # 渑池县 (0.0, no return) is described as 尚未报送, not as the bottom
    assert list(f.rows("ranking", "bottom", "base")["unit_ids"]) == ["yima"]
    assert f.units("ranking", "not_reported", "base") == ["mianchi"]
    assert [(r.unit_ids, r.value) for r in f.rows("ranking", "down", "base").itertuples()] == [("lingbao", 2.0)]
    assert "mianchi" not in "|".join(f.rows("ranking", "up", "base")["unit_ids"])
    grades = f.rows("ranking", "grade", "base")
    assert list(zip(grades["text"], grades["value"], strict=True)) == [("优秀", 2), ("良好", 2), ("不合格", 1)]


def test_a_unit_without_a_return_is_never_top_nor_risen(result):
    sc = result.scores.copy()
    sc.loc[sc["unit_id"] == "mianchi", ["total", "rank", "rank_change"]] = [100.0, 1, 4]
    f = Figures(summary(dataclasses.replace(result, scores=sc)))
    assert "mianchi" not in "|".join(f.rows("ranking", "top", "base")["unit_ids"])
    assert "mianchi" not in "|".join(f.rows("ranking", "up", "base")["unit_ids"])


def test_many_ties_are_one_row(result):
    """Every dept unit at 100: one top row, one commended row, no bottom."""
    sc = result.scores.copy()
    dept = sc["group"] == "dept"
    sc.loc[dept, ["total", "rank", "commended"]] = [100.0, 1, True]
    f = Figures(summary(dataclasses.replace(result, scores=sc)))
    assert list(f.rows("ranking", "top", "dept")["unit_ids"]) == ["zrzy|fgw|czj|yjj"]
    assert list(f.rows("praise", "commended", "dept")["unit_ids"]) == ["zrzy|fgw|czj|yjj"]
    assert f.rows("ranking", "bottom", "dept").empty


def test_praise_and_criticism(f, result):
    assert list(f.rows("praise", "commended", "base")["unit_ids"]) == ["hubin|shanzhou"]
    crit = f.rows("criticism", "criticised", "base")
    assert list(crit["unit_ids"]) == ["lingbao", "yima", "mianchi"]
    reasons = result.scores.set_index("unit_id")["reasons"]
    assert list(crit["text"]) == [reasons[u] for u in crit["unit_ids"]]
    kinds = {r.text: r.unit_ids for r in f.rows("criticism", "by_kind").itertuples()}
    assert kinds == {"late_return": "lingbao|yjj", "overdue_task": "yima|fgw", "missing_return": "mianchi",
                     "failing_grade": "mianchi", "unreported_task": "czj"}


def test_problems(f, result):
    assert [f.count("problems", k) for k in ("issues", "errors", "warnings")] == [
        len(result.issues), 3, 2]
    assert [(int(r.value), r.text, r.unit_ids) for r in f.rows("problems", "overdue_task").itertuples()] == [
        (5, "2020年11月底", "yima"), (6, "2020年底", "fgw")]
    # 渑池县's missing rows are its missing return, not a task left out
    assert [(int(r.value), r.unit_ids) for r in f.rows("problems", "unreported_task").itertuples()] == [(3, "czj")]


def test_rectification(f):
    assert [f.count("rectification", k) for k in ("units", "items", "resolved", "open")] == [3, 4, 2, 2]
    assert f.text("rectification", "units") == "2020Q4"
    assert f.units("rectification", "fixed_all") == ["fgw"]
    assert f.units("rectification", "still_open_twice") == ["yima", "mianchi"]


def test_rectification_without_the_table_uses_the_stage(ref):
    """A result built without cross-quarter tables but with `previous`: the same stage
    (crossq.rectification) fills the figures, there is no second way of counting."""
    bare = make_result(ref, with_extra=False)
    f = Figures(summary(dataclasses.replace(bare, previous=bare)))
    assert f.count("rectification", "units") == 6 and f.count("rectification", "resolved") == 0
