"""上期问题整改情况: what last quarter's criticised units have fixed this quarter.

The criticised items are derived from last quarter's tables in the order scoring names them
(return, overdue tasks, unreported tasks, grade), so each lines up with its reason text.
"""

from __future__ import annotations

import pandas as pd

from ._common import cn_date, empty_frame, flag

RECTIFICATION_COLUMNS = ["quarter", "unit_id", "short_name", "previous_quarter", "kind",
                         "task_id", "reason", "resolved", "status_now", "criticised_twice"]
KINDS = ("missing_return", "late_return", "overdue_task", "unreported_task", "failing_grade")
_FALLBACK_REASON = {
    "missing_return": "未报送工作进展",
    "late_return": "未按时报送工作进展",
    "overdue_task": "第{task_id}项任务逾期未完成",
    "unreported_task": "第{task_id}项任务未在报表中填报",
    "failing_grade": "综合得分等次为{grade}",
}


def _lowest_grade(result) -> str:
    return result.reference.settings.lowest_grade


def _has_return(scores: pd.DataFrame) -> pd.Series:
    return flag(scores["has_return"]) if "has_return" in scores else scores["on_time"].notna()


def criticised_items(result) -> pd.DataFrame:
    """unit_id, kind, task_id, reason: one row per reason a unit was criticised in `result`."""
    sc = result.scores.assign(has_return=_has_return(result.scores))
    rec = result.reconciliation
    lowest = _lowest_grade(result)
    # each unit's overdue and left-out due tasks, in row order, split once (not a filter per unit)
    overdue, left_out = {}, {}
    due = flag(rec["due"])
    for unit, task, verdict, is_due in zip(rec["unit_id"], rec["task_id"], rec["verdict"], due, strict=True):
        if verdict == "overdue":
            overdue.setdefault(unit, []).append(int(task))
        elif verdict == "unreported" and is_due:
            left_out.setdefault(unit, []).append(int(task))
    rows = []
    for unit in sc[flag(sc["criticised"])].itertuples():
        items = []
        if not unit.has_return:
            items.append(("missing_return", None))
        elif not unit.on_time:
            items.append(("late_return", None))
        items += [("overdue_task", t) for t in overdue.get(unit.unit_id, [])]
        if unit.has_return:
            items += [("unreported_task", t) for t in left_out.get(unit.unit_id, [])]
        if unit.grade == lowest:
            items.append(("failing_grade", None))
        texts = str(unit.reasons or "").split("；")
        if len(texts) != len(items):  # reasons written by another rule set: plain fallback texts
            texts = [_FALLBACK_REASON[k].format(task_id=t, grade=unit.grade) for k, t in items]
        rows += [(unit.unit_id, unit.short_name, k, t, text)
                 for (k, t), text in zip(items, texts, strict=True)]
    frame = pd.DataFrame(rows, columns=["unit_id", "short_name", "kind", "task_id", "reason"])
    frame["task_id"] = frame["task_id"].astype("Int64")
    return frame


def _return_status(now) -> tuple[bool, str]:
    if now is None:
        return False, "本季度不在排名单位之列"
    if not now["has_return"]:
        return False, "本季度仍未报送"
    when = cn_date(now.get("submitted_on"))
    if now["on_time"]:
        return True, f"本季度按时报送（{when}）" if when else "本季度按时报送"
    return False, f"本季度仍未按时报送（{when}报送）" if when else "本季度仍未按时报送"


def _task_status(kind: str, row, has_return: bool) -> tuple[bool, str]:
    if row is None:
        return False, "本季度无该任务的核对结果"
    verdict = row["verdict"]
    if verdict in ("on_time", "late"):
        when = cn_date(row["completed_on"])
        return True, f"已完成（{when}）" if when else "已完成（未填写完成时间）"
    if verdict == "ongoing":
        return True, "已填报，持续推进"
    if verdict == "overdue":
        prefix = "已填报，但" if kind == "unreported_task" else ""
        days = row["days_overdue"]
        tail = f"，已逾期{int(days)}天" if pd.notna(days) else ""
        return False, f"{prefix}仍逾期未完成{tail}"
    if verdict == "pending":
        return kind == "unreported_task", "已填报，推进中（未到期）"
    if not has_return:
        return False, "本季度未报送，无法确认"
    return False, "本季度报表仍未填报该任务"


def _grade_status(now, lowest: str) -> tuple[bool, str]:
    if now is None:
        return False, "本季度不在排名单位之列"
    text = f"本季度得分{float(now['total']):.1f}分，等次为{now['grade']}"
    return now["grade"] != lowest, text


def rectification(previous, current) -> pd.DataFrame:
    """For each unit criticised in `previous`: one row per reason, whether it is fixed now."""
    if previous is None:
        return empty_frame(RECTIFICATION_COLUMNS)
    items = criticised_items(previous)
    if items.empty:
        return empty_frame(RECTIFICATION_COLUMNS)
    sc = current.scores.assign(has_return=_has_return(current.scores))
    rec = current.reconciliation
    # each unit's and each (unit, task)'s row as a dict, looked up per item (one per unit and
    # task: a frame look-up per item cost more than the rest of the table)
    cols = [c for c in ("has_return", "submitted_on", "on_time", "total", "grade") if c in sc]
    now_of = dict(zip(sc["unit_id"].tolist(), sc[cols].to_dict("records"), strict=True))
    keys = zip(rec["unit_id"].tolist(), rec["task_id"].tolist(), strict=True)
    row_of = dict(zip(keys, rec[["verdict", "completed_on", "days_overdue"]].to_dict("records"), strict=True))
    lowest = _lowest_grade(current)
    resolved, status = [], []
    for unit, kind, task in zip(items["unit_id"], items["kind"], items["task_id"], strict=True):
        now = now_of.get(unit)
        if kind in ("missing_return", "late_return"):
            ok, text = _return_status(now)
        elif kind == "failing_grade":
            ok, text = _grade_status(now, lowest)
        else:
            row = row_of.get((unit, int(task)))
            ok, text = _task_status(kind, row, bool(now is not None and now["has_return"]))
        resolved.append(bool(ok))
        status.append(text)
    twice = items["unit_id"].map(flag(sc.set_index("unit_id")["criticised"])).fillna(False).astype(bool)
    out = items.assign(quarter=str(current.quarter), previous_quarter=str(previous.quarter),
                       resolved=resolved, status_now=status, criticised_twice=twice)
    return out[RECTIFICATION_COLUMNS]
