"""Across quarters: history, score changes, rectification, consistency, version audit."""

import copy
import dataclasses

import pandas as pd
from frames import concat, domains, issues, ledger, progress
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.crossq import (
    CHANGE_COLUMNS,
    HISTORY_COLUMNS,
    RECTIFICATION_COLUMNS,
    changes,
    cross_quarter_issues,
    cross_quarter_tables,
    history,
    rectification,
    score_changes,
)
from pipeline.dates import Quarter
from pipeline.issues import ISSUE_COLUMNS
from pipeline.reconcile import (
    domain_issues,
    domain_reconciliation,
    reconciliation,
    reconciliation_issues,
)
from pipeline.result import QuarterResult
from pipeline.scoring import scores

Q3, Q4 = Quarter(2020, 3), Quarter(2020, 4)


def quarter_result(ref, quarter, tp, dp, led, previous=None):
    """A QuarterResult computed from tiny frames the way run.compute_quarter does."""
    as_of = quarter.due_date(20)
    rec = reconciliation(tp, led, ref, quarter, as_of)
    dom = domain_reconciliation(dp, led, ref, quarter, as_of)
    iss = pd.concat([issues(quarter=str(quarter)), reconciliation_issues(rec),
                     domain_issues(dom, ref)], ignore_index=True)
    sc = scores(rec, dom, led, iss, ref, quarter, as_of, previous.scores if previous else None)
    return QuarterResult(quarter, as_of, ref, led, tp, dp, iss, rec, dom, sc, previous=previous)


BASE_Q3 = {1: ("done", "2020-05-31", ""), 2: ("done", "2020-05-31", ""),
           3: ("in_progress", None, "起草中"), 5: ("in_progress", None, "编制中"),
           6: ("not_started", None, ""), 8: ("not_started", None, ""),
           10: ("not_started", None, ""), 11: ("not_started", None, ""),
           13: ("in_progress", None, ""), 12: ("ongoing", None, "培训"), 14: ("ongoing", None, "公开")}
ALL_COMPILING = {d: "compiling" for d in range(1, 27)}


def _q3(ref):
    """hubin and shanzhou on time with task 3 overdue; yima sends nothing."""
    hubin_domains = ALL_COMPILING | {1: "published"}
    tp = concat(progress("hubin", "h3.xlsx", BASE_Q3, quarter="2020Q3"),
                progress("shanzhou", "s3.xlsx", BASE_Q3, quarter="2020Q3"))
    dp = concat(domains("hubin", "h3.xlsx", hubin_domains, quarter="2020Q3"),
                domains("shanzhou", "s3.xlsx", ALL_COMPILING, quarter="2020Q3"))
    led = ledger(("hubin", "h3.xlsx", "2020-09-18", True), ("shanzhou", "s3.xlsx", "2020-09-18", True),
                 quarter="2020Q3")
    return quarter_result(ref, Q3, tp, dp, led)


def _q4(ref, previous):
    """hubin: task 3 done (10-09), task 1 now in progress, task 2's date moved, domain 1
    backwards; shanzhou: task 3 still overdue; yima: now on time."""
    hubin = BASE_Q3 | {1: ("in_progress", None, ""), 2: ("done", "2020-05-20", ""),
                       3: ("done", "2020-10-09", "已印发"), 5: ("done", "2020-11-20", "")}
    yima = BASE_Q3 | {3: ("done", "2020-06-30", ""), 5: ("done", "2020-11-20", "")}
    tp = concat(progress("hubin", "h4.xlsx", hubin, quarter="2020Q4"),
                progress("shanzhou", "s4.xlsx", BASE_Q3 | {5: ("done", "2020-11-20", "")}, quarter="2020Q4"),
                progress("yima", "y4.xlsx", yima, quarter="2020Q4"))
    dp = concat(domains("hubin", "h4.xlsx", ALL_COMPILING, quarter="2020Q4"),
                domains("shanzhou", "s4.xlsx", ALL_COMPILING, quarter="2020Q4"),
                domains("yima", "y4.xlsx", ALL_COMPILING, quarter="2020Q4"))
    led = ledger(("hubin", "h4a.xlsx", "2020-12-10", True, "superseded"),
                 ("hubin", "h4.xlsx", "2020-12-18", True),
                 ("shanzhou", "s4.xlsx", "2020-12-18", True),
                 ("yima", "y4.xlsx", "2020-12-18", True), quarter="2020Q4")
    return quarter_result(ref, Q4, tp, dp, led, previous)


def _both(ref):
    q3 = _q3(ref)
    return q3, _q4(ref, q3)


def _row(frame, **where):
    mask = pd.Series(True, index=frame.index)
    for col, value in where.items():
        mask &= frame[col] == value
    hit = frame[mask]
    assert len(hit) == 1, hit
    return hit.iloc[0]


# --- rectification ---------------------------------------------------------------------------

def test_overdue_task_now_done_is_resolved(ref):
    q3, q4 = _both(ref)
    rect = rectification(q3, q4)
    assert list(rect.columns) == RECTIFICATION_COLUMNS
    row = _row(rect, unit_id="hubin")
    assert (row["kind"], row["task_id"], row["resolved"]) == ("overdue_task", 3, True)
    assert row["status_now"] == "已完成（2020年10月9日）"
    assert row["reason"] == "第3项任务（时限2020年6月底）逾期未完成，已逾期82天"
    assert (row["quarter"], row["previous_quarter"]) == ("2020Q4", "2020Q3")
    assert row["criticised_twice"]  # task 1, reported done last quarter, is now overdue


def test_still_overdue_task_persists_and_unit_is_criticised_twice(ref):
    q3, q4 = _both(ref)
    row = _row(rectification(q3, q4), unit_id="shanzhou")
    assert (row["kind"], row["task_id"], row["resolved"]) == ("overdue_task", 3, False)
    assert row["status_now"] == "仍逾期未完成，已逾期173天"
    assert row["criticised_twice"]


def test_missing_return_now_on_time_is_resolved(ref):
    q3, q4 = _both(ref)
    rect = rectification(q3, q4)
    row = _row(rect, unit_id="yima", kind="missing_return")
    assert row["resolved"] and row["status_now"] == "本季度按时报送（2020年12月18日）"
    assert row["reason"].startswith("未报送本季度工作进展")
    assert pd.isna(row["task_id"]) and not row["criticised_twice"]
    grade = _row(rect, unit_id="yima", kind="failing_grade")  # 0 points last quarter: 不合格
    assert grade["resolved"] and grade["status_now"].startswith("本季度得分")
    # a department that never reports: missing twice, not resolved
    dept = _row(rect, unit_id="dsj", kind="missing_return")
    assert not dept["resolved"] and dept["status_now"] == "本季度仍未报送" and dept["criticised_twice"]


def test_late_return_still_late(ref):
    q3 = _q3(ref)
    led = q3.ledger.copy()
    led.loc[led["unit_id"] == "hubin", ["submitted_on", "on_time"]] = [pd.Timestamp("2020-09-25"), False]
    q3 = quarter_result(ref, Q3, q3.task_progress, q3.domain_progress, led)
    q4 = _q4(ref, q3)
    led4 = q4.ledger.copy()
    late = (led4["file"] == "h4.xlsx")
    led4.loc[late, ["submitted_on", "on_time"]] = [pd.Timestamp("2020-12-22"), False]
    q4 = quarter_result(ref, Q4, q4.task_progress, q4.domain_progress, led4, q3)
    row = _row(rectification(q3, q4), unit_id="hubin", kind="late_return")
    assert not row["resolved"] and row["status_now"] == "本季度仍未按时报送（2020年12月22日报送）"
    assert row["reason"] == "未按时报送本季度工作进展（2020年9月25日报送，逾期5天）"


# --- consistency ------------------------------------------------------------------------------

def test_consistency_warnings_at_the_current_cells(ref):
    q3, q4 = _both(ref)
    iss = cross_quarter_issues([q3, q4])
    assert list(iss.columns) == ISSUE_COLUMNS
    assert set(iss["severity"]) == {"warning"}
    undone = _row(iss, code="consistency-undone")
    assert (undone["unit_id"], undone["file"], undone["sheet"], undone["cell"]) == ("hubin", "h4.xlsx", "任务进展", "D3")
    assert "第1项任务" in undone["message"] and "推进中" in undone["message"] and "请核实" in undone["message"]
    moved = _row(iss, code="consistency-date-changed")
    assert (moved["unit_id"], moved["cell"]) == ("hubin", "E4")
    assert "2020年5月31日" in moved["message"] and "2020年5月20日" in moved["message"]
    back = _row(iss, code="consistency-catalogue-backwards")
    assert (back["unit_id"], back["sheet"], back["cell"]) == ("hubin", "试点领域", "C3")
    assert "已编制并公开" in back["message"] and "编制中" in back["message"]
    assert len(iss) == 3  # shanzhou and yima: nothing contradicts


def test_plan_backwards_and_forwards(ref):
    q3 = _q3(ref)
    q4 = _q4(ref, q3)
    lead = ref.domains["lead_unit_id"].iloc[0]
    d = int(ref.domains["domain_id"].iloc[0])
    q3 = dataclasses.replace(q3, domain_progress=concat(q3.domain_progress, domains(lead, "l3.xlsx", {d: "issued"}, "plan", "2020Q3")),
                             ledger=concat(q3.ledger, ledger((lead, "l3.xlsx", "2020-09-18", True), quarter="2020Q3")))
    q4 = dataclasses.replace(q4, domain_progress=concat(q4.domain_progress, domains(lead, "l4.xlsx", {d: "drafting"}, "plan", "2020Q4")),
                             ledger=concat(q4.ledger, ledger((lead, "l4.xlsx", "2020-12-18", True), quarter="2020Q4")))
    back = cross_quarter_issues([q3, q4])
    plan = _row(back, unit_id=lead)
    assert "实施方案状态" in plan["message"] and "已出台" in plan["message"] and "起草中" in plan["message"]


# --- version audit ----------------------------------------------------------------------------

def _superseded_hubin():
    return progress("hubin", "h4a.xlsx", {3: ("in_progress", None, "已印发"), 1: ("in_progress", None, "")},
                    quarter="2020Q4")


def test_resubmission_change_passed_as_superseded_rows(ref):
    q3, q4 = _both(ref)
    ch = changes([q3, q4], superseded_tasks=_superseded_hubin())
    assert list(ch.columns) == CHANGE_COLUMNS
    resub = ch[ch["kind"] == "resubmission"]
    status = _row(resub, item_id=3, field="status")
    assert (status["unit_id"], status["quarter"], status["item"]) == ("hubin", "2020Q4", "task")
    assert (status["old"], status["new"], status["old_file"], status["new_file"]) == ("in_progress", "done", "h4a.xlsx", "h4.xlsx")
    date = _row(resub, item_id=3, field="completed_on")
    assert (date["old"], date["new"]) == ("", "2020-10-09")
    assert not (resub["item_id"] == 1).any()  # unchanged in the resubmission


def test_resubmission_rows_kept_in_task_progress_give_the_same_audit(ref):
    q3, q4 = _both(ref)
    inline = dataclasses.replace(q4, task_progress=concat(q4.task_progress, _superseded_hubin()))
    a = changes([q3, inline])
    b = changes([q3, q4], superseded_tasks=_superseded_hubin())
    pd.testing.assert_frame_equal(a, b)
    # quarter-on-quarter rows compare accepted returns only (the superseded file is ignored)
    assert not (a.loc[a["kind"] == "quarter", "new_file"] == "h4a.xlsx").any()


def test_quarter_changes_between_accepted_returns(ref):
    q3, q4 = _both(ref)
    ch = changes([q3, q4])
    quarter = ch[ch["kind"] == "quarter"]
    row = _row(quarter, unit_id="hubin", item="task", item_id=3, field="status")
    assert (row["old"], row["new"], row["old_file"], row["new_file"]) == ("in_progress", "done", "h3.xlsx", "h4.xlsx")
    dom = _row(quarter, unit_id="hubin", item="domain", item_id=1, field="status")
    assert (dom["old"], dom["new"]) == ("published", "compiling")
    assert "note" not in set(quarter["field"])  # narrative notes are not audited across quarters
    assert "yima" not in set(quarter["unit_id"])  # no return last quarter: nothing to compare


# --- tables and entry points ------------------------------------------------------------------

def test_first_quarter_gives_empty_tables_with_the_right_columns(ref):
    q3 = _q3(ref)
    t = cross_quarter_tables([q3])
    assert set(t) == {"history", "rectification", "changes", "score_changes"}
    assert t["rectification"].empty and list(t["rectification"].columns) == RECTIFICATION_COLUMNS
    assert t["changes"].empty and list(t["changes"].columns) == CHANGE_COLUMNS
    assert list(t["history"].columns) == HISTORY_COLUMNS
    assert len(t["history"]) == len(ref.reporting_units) and set(t["history"]["quarter"]) == {"2020Q3"}
    sc = t["score_changes"]
    assert len(sc) == len(q3.scores) and sc["score_change"].isna().all() and (sc["trend"] == "").all()
    iss = cross_quarter_issues([q3])
    assert iss.empty and list(iss.columns) == ISSUE_COLUMNS


def test_score_changes_trend_threshold():
    now = pd.DataFrame({"unit_id": ["a", "b", "c", "d"], "total": [85.3, 70.0, 60.0, 50.0]})
    before = pd.DataFrame({"unit_id": ["a", "b", "c"], "total": [80.3, 74.9, 65.1]})
    out = score_changes(now, before, 5.0).set_index("unit_id")
    assert out.loc["a", "score_change"] == 5.0 and out.loc["a", "trend"] == "↑"
    assert out.loc["b", "score_change"] == -4.9 and out.loc["b", "trend"] == ""
    assert out.loc["c", "score_change"] == -5.1 and out.loc["c", "trend"] == "↓"
    assert pd.isna(out.loc["d", "score_change"]) and out.loc["d", "trend"] == ""


def test_two_quarters_history_and_inputs_not_mutated(ref):
    q3, q4 = _both(ref)
    sup = _superseded_hubin()
    before = [copy.deepcopy(r.tables()) for r in (q3, q4)]
    sup_before = sup.copy(deep=True)
    t = cross_quarter_tables([q3, q4], superseded_tasks=sup)
    cross_quarter_issues([q3, q4])
    for r, old in zip((q3, q4), before, strict=True):
        for name, frame in r.tables().items():
            pd.testing.assert_frame_equal(frame, old[name])
    pd.testing.assert_frame_equal(sup, sup_before)
    h = t["history"]
    assert list(h["quarter"].unique()) == ["2020Q3", "2020Q4"]
    yima = h[h["unit_id"] == "yima"].set_index("quarter")
    assert not yima.loc["2020Q3", "has_return"] and yima.loc["2020Q4", "has_return"]
    assert t["score_changes"].set_index("unit_id").loc["yima", "trend"] == "↑"


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.dictionaries(st.sampled_from(["hubin", "shanzhou", "yima", "lingbao", "dsj", "czj"]),
                                st.tuples(st.sampled_from(["done", "in_progress", "not_started"]),
                                          st.booleans()), max_size=6),
                min_size=1, max_size=3))
def test_history_one_row_per_unit_quarter_and_ranks_start_at_one(ref, quarters):
    results, previous = [], None
    for i, senders in enumerate(quarters):
        q = Quarter(2020 + (2 + i) // 4, (2 + i) % 4 + 1)
        tp = [progress(u, f"{u}.xlsx", {3: (s, "2020-06-20" if s == "done" else None, "x")}, quarter=str(q))
              for u, (s, _) in senders.items()]
        led = ledger(*[(u, f"{u}.xlsx", f"{q.due_date():%Y-%m-%d}" if on_time else "2030-01-01", on_time)
                       for u, (_, on_time) in senders.items()], quarter=str(q))
        tp = concat(progress("hubin", "none", {}), *tp)
        previous = quarter_result(ref, q, tp, domains("hubin", "none", {}), led, previous)
        results.append(previous)
    h = history(results)
    assert not h.duplicated(["unit_id", "quarter"]).any()
    assert len(h) == len(results) * len(ref.reporting_units)
    assert h.groupby(["quarter", "group"])["rank"].min().eq(1).all()
