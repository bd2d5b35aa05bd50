"""A small but realistic QuarterResult for the renderer tests (2021Q1, as of 2021-03-20).

Inputs are written by hand (tests/frames.py helpers) for 5 基层政府 and 4 市直部门; the
reconcile and score stages turn them into the contract tables. What it holds:
- 湖滨区 and 陕州区 tie at the top (same return); 义马市 leaves task 5 overdue and 6 catalogues
  unfinished; 灵宝市 returns late with task 6 done late and an unreadable date; 渑池县 sends nothing;
- 市发展改革委 leaves task 6 not started (overdue) and one plan drafting; 市财政局 leaves out the
  row of task 3; 市应急管理局 returns late; one rejected and one superseded file;
- extra: history (2020Q3, 2020Q4 and this quarter) and last quarter's rectification list.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pandas as pd
from frames import concat, domains, ledger, progress

from pipeline.dates import Quarter
from pipeline.issues import Issue, issues_frame
from pipeline.reconcile import (
    domain_issues,
    domain_reconciliation,
    reconciliation,
    reconciliation_issues,
)
from pipeline.result import QuarterResult
from pipeline.scoring import scores
from pipeline.summary import with_summary

Q = Quarter(2021, 1)
AS_OF = dt.date(2021, 3, 20)
BASE = ["hubin", "shanzhou", "yima", "lingbao", "mianchi"]
DEPT = ["zrzy", "fgw", "czj", "yjj"]

NOTE = "已按要求推进"
ALL_DONE_BASE = {1: ("done", "2020-05-20", NOTE), 2: ("done", "2020-05-25", NOTE),
                 3: ("done", "2020-06-20", NOTE), 5: ("done", "2020-11-10", NOTE),
                 6: ("done", "2020-12-15", NOTE), 8: ("in_progress", None, NOTE),
                 10: ("in_progress", None, NOTE), 11: ("not_started", None, ""),
                 12: ("ongoing", None, NOTE), 13: ("in_progress", None, NOTE),
                 14: ("ongoing", None, "常态化开展=SUM(A1)")}
ALL_DONE_DEPT = {3: ("done", "2020-06-28", NOTE), 4: ("done", "2020-07-20", NOTE),
                 6: ("done", "2020-12-20", NOTE), 9: ("in_progress", None, NOTE),
                 12: ("ongoing", None, NOTE), 13: ("in_progress", None, NOTE),
                 14: ("ongoing", None, NOTE), 15: ("done", "2020-05-28", NOTE)}


def _file(unit):
    return f"{unit}_2021Q1.xlsx"


def reduced_reference(ref):
    """The shipped reference cut down to the fixture's units (other data unchanged)."""
    units = ref.units[ref.units["unit_id"].isin(BASE + DEPT + ["zwgkb"])].reset_index(drop=True)
    return dataclasses.replace(ref, units=units)


def make_result(ref, with_extra: bool = True) -> QuarterResult:
    ref = reduced_reference(ref)
    q = str(Q)
    led = ledger(
        ("hubin", _file("hubin"), "2021-03-15", True),
        ("shanzhou", _file("shanzhou"), "2021-03-16", True),
        ("yima", _file("yima"), "2021-03-18", True),
        ("lingbao", _file("lingbao"), "2021-03-23", False),
        ("zrzy", _file("zrzy"), "2021-03-10", True),
        ("fgw", "fgw_旧版.xlsx", "2021-03-12", True, "superseded"),
        ("fgw", _file("fgw"), "2021-03-19", True),
        ("czj", _file("czj"), "2021-03-17", True),
        ("yjj", _file("yjj"), "2021-03-25", False),
        quarter=q)
    led = concat(led, pd.DataFrame([{
        "quarter": q, "file": "扫描件.xlsx", "sha256": "1" * 64, "unit_id": "", "submitted_on": pd.NaT,
        "submitted_source": "", "on_time": False, "state": "rejected",
        "reason": "文件无法读取（不是Excel工作簿、已损坏或加密）"}]))

    yima = ALL_DONE_BASE | {5: ("in_progress", None, "正在编制")}
    lingbao = ALL_DONE_BASE | {6: ("done", "2021-01-10", NOTE), 7: ("in_progress", None, NOTE),
                                 5: ("done", "2020-10-20", NOTE)}
    fgw = ALL_DONE_DEPT | {6: ("not_started", None, "")}
    czj = {k: v for k, v in ALL_DONE_DEPT.items() if k != 3}
    tp = concat(*(progress(u, _file(u), t, quarter=q) for u, t in [
        ("hubin", ALL_DONE_BASE), ("shanzhou", ALL_DONE_BASE), ("yima", yima),
        ("lingbao", lingbao), ("zrzy", ALL_DONE_DEPT), ("fgw", fgw), ("czj", czj),
        ("yjj", ALL_DONE_DEPT)]))

    published = dict.fromkeys(range(1, 27), "published")
    yima_dom = published | dict.fromkeys(range(21, 27), "compiling")
    dp = concat(
        *(domains(u, _file(u), published, quarter=q) for u in ("hubin", "shanzhou", "lingbao")),
        domains("yima", _file("yima"), yima_dom, quarter=q),
        domains("zrzy", _file("zrzy"), {1: "issued", 2: "issued"}, kind="plan", quarter=q),
        domains("fgw", _file("fgw"), {3: "issued", 4: "drafting"}, kind="plan", quarter=q),
        domains("czj", _file("czj"), {5: "issued"}, kind="plan", quarter=q),
        domains("yjj", _file("yjj"), {6: "issued", 7: "issued"}, kind="plan", quarter=q))

    intake_issues = issues_frame([
        Issue("date-invalid", "第6项任务的完成时间「2021.13.1」无法识别，请改为 2021-01-10 这样的日期",
              _file("lingbao"), "任务进展", "E8", "lingbao", q),
        Issue("info-missing", "基本信息缺少联系电话，请补填", _file("yima"), "基本信息", "B6", "yima", q),
        Issue("file-unreadable", "文件无法读取，请另存为 .xlsx 后重新报送", "扫描件.xlsx", "", "", "", q),
        Issue("duplicate-return", "同一单位本季度有多份报表，以 fgw_2021Q1.xlsx 为准",
              "fgw_旧版.xlsx", "", "", "fgw", q),
    ])
    recon = reconciliation(tp, led, ref, Q, AS_OF)
    dom = domain_reconciliation(dp, led, ref, Q, AS_OF)
    issues = concat(intake_issues, reconciliation_issues(recon), domain_issues(dom, ref))
    issues = issues.astype("string")

    history = None
    previous = None
    if with_extra:
        hist = []
        for quarter, totals in {
            "2020Q3": {"hubin": 88.0, "shanzhou": 90.0, "yima": 75.5, "lingbao": 92.0, "mianchi": 60.0,
                       "zrzy": 95.0, "fgw": 80.0, "czj": 85.0, "yjj": 70.0},
            "2020Q4": {"hubin": 93.5, "shanzhou": 96.0, "yima": 71.0, "lingbao": 98.0, "mianchi": 55.0,
                       "zrzy": 97.0, "fgw": 72.0, "czj": 90.0, "yjj": 88.0},
        }.items():
            frame = pd.DataFrame({"unit_id": list(totals), "total": list(totals.values())})
            frame["group"] = frame["unit_id"].map(lambda u: "base" if u in BASE else "dept")
            frame["rank"] = frame.groupby("group")["total"].rank(method="min", ascending=False).astype(int)
            frame["grade"] = pd.cut(frame["total"], [-1, 60, 70, 90, 101], right=False,
                                    labels=["不合格", "合格", "良好", "优秀"]).astype(str)
            hist.append(frame.assign(quarter=quarter))
        previous = hist[-1][["unit_id", "rank"]]
        history = pd.concat(hist, ignore_index=True)
    sc = scores(recon, dom, led, issues, ref, Q, AS_OF, previous)
    extra = {}
    if with_extra:
        cols = ["quarter", "unit_id", "short_name", "group", "total", "rank", "grade"]  # as crossq.history
        history["short_name"] = history["unit_id"].map(ref.units.set_index("unit_id")["short_name"])
        now = sc.assign(quarter=str(Q))[cols]
        extra["history"] = pd.concat([history[cols], now], ignore_index=True)
        # the shape of pipeline.crossq.rectification (RECTIFICATION_COLUMNS)
        extra["rectification"] = pd.DataFrame({
            "quarter": q, "unit_id": ["yima", "mianchi", "fgw", "fgw"],
            "short_name": ["义马市", "渑池县", "市发展改革委", "市发展改革委"], "previous_quarter": "2020Q4",
            "kind": ["overdue_task", "missing_return", "overdue_task", "late_return"],
            "task_id": pd.array([5, None, 3, None], dtype="Int64"),
            "reason": ["第5项任务（时限2020年11月底）逾期未完成", "未报送本季度工作进展",
                       "第3项任务（时限2020年6月底）逾期未完成", "未按时报送本季度工作进展"],
            "resolved": [False, False, True, True],
            "status_now": ["仍逾期未完成，已逾期110天", "本季度仍未报送", "已完成（2021年1月5日）",
                           "本季度按时报送（2021年3月19日）"],
            "criticised_twice": [True, True, True, True]})
        extra["catalogue_audit"] = pd.DataFrame({  # as catalogue.audit_table gives it
            "quarter": q, "unit_id": ["hubin", "yima"], "domain_id": [1, 21], "sent": True,
            "items": [5, 4], "complete_items": [5, 2], "share_complete": [1.0, 0.5],
            "reported_count": pd.array([5, 6], dtype="Int64"),
            "count_matches": pd.array([True, False], dtype="boolean"),
            "source": ["湖滨区目录.xlsx!城乡规划", "义马市目录.xlsx!就业创业"]})
    return with_summary(QuarterResult(Q, AS_OF, ref, led, tp, dp, issues, recon, dom, sc, extra=extra))
