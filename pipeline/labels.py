"""Chinese labels for the tables' codes, for people reading them (notebooks, the CLI).

The tables keep English codes (filter and merge on those); `zh(frame)` is the copy to show:
codes → Chinese labels, unit ids → short names, yes/no → 是/否, column names → Chinese
(docs/数据说明.md lists every code and column).
"""

from __future__ import annotations

import pandas as pd

from .names import (
    CATALOGUE_STATUS_LABELS,
    CHANGE_FIELD_LABELS,
    CHANGE_ITEM_LABELS,
    CHANGE_KIND_LABELS,
    GROUP_LABELS,
    LEDGER_STATE_LABELS,
    PLAN_STATUS_LABELS,
    RECTIFICATION_KIND_LABELS,
    SEVERITY_LABELS,
    TASK_STATUS_LABELS,
    VERDICT_LABELS,
)
from .reference import load_reference

LEAD_LABEL = "牵头部门"  # the applies_to token `lead`: departments that lead a pilot domain
DOMAIN_KIND_LABELS = {"catalogue": "标准目录", "plan": "实施方案"}
STATUS_LABELS = TASK_STATUS_LABELS | CATALOGUE_STATUS_LABELS | PLAN_STATUS_LABELS
YES_NO = {True: "是", False: "否"}

# column → code → label (a column not listed keeps its values)
VALUE_LABELS = {
    "group": GROUP_LABELS,
    "verdict": VERDICT_LABELS,
    "state": LEDGER_STATE_LABELS,
    "severity": SEVERITY_LABELS,
    "status": STATUS_LABELS,
    "reported_status": STATUS_LABELS,
    "kind": DOMAIN_KIND_LABELS | RECTIFICATION_KIND_LABELS | CHANGE_KIND_LABELS,
    "item": CHANGE_ITEM_LABELS,
    "field": CHANGE_FIELD_LABELS,
}
BOOLEAN_COLUMNS = ("on_time", "due", "note_filled", "date_invalid", "commended", "criticised",
                   "has_return", "resolved", "criticised_twice", "sent", "count_matches",
                   "complete", "duplicate")

COLUMN_LABELS = {
    "quarter": "季度", "unit_id": "单位", "short_name": "单位简称", "task_id": "任务编号",
    "domain_id": "领域编号", "file": "文件", "sha256": "文件摘要", "submitted_on": "报送日期",
    "submitted_source": "报送日期来源", "on_time": "按时报送", "state": "台账状态", "reason": "原因",
    "status": "状态", "completed_on": "完成时间", "note": "进展情况", "evidence": "佐证材料",
    "problems": "存在问题及下一步措施", "source": "来源", "status_text": "所填状态",
    "status_cell": "状态单元格", "date_cell": "日期单元格", "date_invalid": "日期无法识别",
    "kind": "类别", "item_count": "事项数量", "url": "公开网址", "sheet": "工作表", "cell": "单元格",
    "severity": "严重程度", "code": "问题代码", "message": "问题说明", "deadline": "截止日期",
    "deadline_text": "时间进度", "reported_status": "所报状态", "verdict": "核对结论",
    "due": "计入得分", "credit": "得分份额", "days_overdue": "逾期天数", "note_filled": "已填进展",
    "issue_code": "问题代码", "group": "分组", "timeliness": "报送及时性", "completion": "任务完成",
    "catalogue": "目录编制", "quality": "报送质量", "total": "总分", "grade": "等次", "rank": "排名",
    "rank_change": "名次变化", "score_change": "得分变化", "trend": "趋势", "commended": "表扬",
    "criticised": "通报批评", "reasons": "通报批评原因", "has_return": "已报送",
    "error_count": "错误数", "tasks_due": "到期任务数", "tasks_done": "已完成任务数",
    "overdue_count": "逾期未完成数", "unreported_count": "未填报数",
    "previous_quarter": "上期", "resolved": "已整改", "status_now": "本期情况",
    "criticised_twice": "连续被通报", "item": "对象", "item_id": "编号", "field": "字段",
    "old": "原值", "new": "新值", "old_file": "原文件", "new_file": "新文件",
    "row": "行", "item_l1": "一级事项", "item_l2": "二级事项", "content": "公开内容",
    "basis": "公开依据", "time_limit": "公开时限", "subject": "公开主体", "channel": "公开渠道",
    "audience": "公开对象", "method": "公开方式", "level": "公开层级", "complete": "要素齐全",
    "missing": "缺少要素", "duplicate": "重复", "sent": "已报送目录", "items": "事项数",
    "complete_items": "要素齐全事项数", "share_complete": "要素齐全率",
    "reported_count": "报表填报事项数", "count_matches": "数量一致",
}


def applies_to_label(tokens: str, unit_names: dict[str, str] | pd.Series) -> str:
    """`base|dept` → 基层政府、市直部门; `office|lingbao` → 市政府办公室、灵宝市."""
    names = GROUP_LABELS | {"lead": LEAD_LABEL}
    return "、".join(names.get(t) or unit_names.get(t, t) for t in str(tokens).split("|") if t)


def zh(frame: pd.DataFrame, reference=None, columns: bool = True) -> pd.DataFrame:
    """A copy of `frame` to show: codes as Chinese labels, unit ids as short names, booleans
    as 是/否, and (with `columns`) Chinese column names. `reference` gives the unit names
    (default: the shipped reference data). The input is not changed."""
    out = frame.copy()
    for col, labels in VALUE_LABELS.items():
        if col in out:
            out[col] = _mapped(out[col], labels)
    if "applies_to" in out:
        names = _unit_names(reference)
        out["applies_to"] = out["applies_to"].map(lambda t: applies_to_label(t, names))
    for col in BOOLEAN_COLUMNS:
        if col in out and _is_boolean(out[col]):
            out[col] = _mapped(out[col], YES_NO)
    if "unit_id" in out:
        out["unit_id"] = _mapped(out["unit_id"], _unit_names(reference))
        out = out.drop(columns=[c for c in ("short_name",) if c in out])  # now the same as unit_id
    if columns:
        out = out.rename(columns=COLUMN_LABELS)
    return out


with_labels = zh


def _mapped(values: pd.Series, labels) -> pd.Series:
    """Each value's label; values without one (and missing values) stay as they are."""
    return values.astype("object").map(lambda v: labels.get(v, v) if _hashable(v) else v)


def _hashable(value) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


def _is_boolean(values: pd.Series) -> bool:
    return set(values.dropna().unique()) <= {True, False}


def _unit_names(reference) -> dict[str, str]:
    if reference is None:
        reference = load_reference()
    return dict(zip(reference.units["unit_id"], reference.units["short_name"], strict=True))
