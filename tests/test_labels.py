"""pipeline.labels.zh: the copy of a table to show, in Chinese."""

from __future__ import annotations

import pandas as pd

from pipeline.labels import applies_to_label, zh


def test_codes_become_labels_units_names_and_columns_chinese(ref):
    rec = pd.DataFrame({"unit_id": ["lushi", "mzj", "nobody"], "task_id": [2, 3, 4],
                        "verdict": ["overdue", "on_time", None], "due": [True, False, True],
                        "status": ["not_started", "done", "in_progress"]})
    before = rec.copy()
    shown = zh(rec, ref)
    pd.testing.assert_frame_equal(rec, before)  # the input is left as it was
    assert list(shown.columns) == ["单位", "任务编号", "核对结论", "计入得分", "状态"]
    assert shown["单位"].tolist() == ["卢氏县", "市民政局", "nobody"]  # unknown ids stay
    assert shown["核对结论"].tolist()[:2] == ["逾期未完成", "按期完成"]
    assert shown["核对结论"].isna().tolist() == [False, False, True]
    assert shown["计入得分"].tolist() == ["是", "否", "是"]
    assert shown["状态"].tolist() == ["未启动", "已完成", "推进中"]


def test_values_only_keeps_the_english_columns(ref):
    scores = pd.DataFrame({"unit_id": ["hubin"], "short_name": ["湖滨区"], "group": ["base"],
                           "total": [95.5], "commended": [True]})
    shown = zh(scores, ref, columns=False)
    assert list(shown.columns) == ["unit_id", "group", "total", "commended"]  # short_name = unit_id now
    assert shown.iloc[0].tolist() == ["湖滨区", "基层政府", 95.5, "是"]


def test_kinds_of_each_table(ref):
    frame = pd.DataFrame({"kind": ["catalogue", "plan", "overdue_task", "resubmission"],
                          "state": ["accepted", "rejected", "superseded", "accepted"],
                          "severity": ["error", "warning", "error", "warning"]})
    shown = zh(frame, ref, columns=False)
    assert shown["kind"].tolist() == ["标准目录", "实施方案", "任务逾期未完成", "同一季度重新报送"]
    assert shown["state"].tolist() == ["已接收", "已拒收", "已被替代", "已接收"]
    assert shown["severity"].tolist() == ["错误", "警告", "错误", "警告"]


def test_applies_to_tokens(ref):
    names = dict(zip(ref.units["unit_id"], ref.units["short_name"], strict=True))
    assert applies_to_label("base|dept", names) == "基层政府、市直部门"
    assert applies_to_label("office|lingbao", names) == "市政府办公室、灵宝市"
    assert applies_to_label("lead", names) == "牵头部门"
    shown = zh(ref.tasks[["task_id", "applies_to"]], ref, columns=False)
    assert "|" not in "".join(shown["applies_to"])


def test_an_empty_table_stays_empty(ref):
    assert zh(pd.DataFrame(columns=["unit_id", "verdict", "on_time"]), ref).columns.tolist() == [
        "单位", "核对结论", "按时报送"]
