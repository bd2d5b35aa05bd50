"""Verdict rules of DESIGN §4 on hand-worked cases."""

import datetime as dt

import pandas as pd
from frames import concat, domains, ledger, progress

from pipeline.dates import Quarter
from pipeline.reconcile import (
    domain_issues,
    domain_reconciliation,
    reconciliation,
    reconciliation_issues,
)

Q3 = Quarter(2020, 3)
A = dt.date(2020, 9, 20)


def _row(rec, unit, task):
    return rec[(rec["unit_id"] == unit) & (rec["task_id"] == task)].iloc[0]


def test_completion_exactly_on_deadline_is_on_time(ref):
    tp = progress("hubin", "h.xlsx", {1: ("done", "2020-05-31", "")})
    rec = reconciliation(tp, ledger(("hubin", "h.xlsx", "2020-09-18", True)), ref, Q3, A)
    row = _row(rec, "hubin", 1)
    assert row["verdict"] == "on_time" and row["credit"] == 1.0 and pd.isna(row["issue_code"])


def test_one_day_after_deadline_is_late_by_one_day(ref):
    tp = progress("hubin", "h.xlsx", {1: ("done", "2020-06-01", "")})
    rec = reconciliation(tp, ledger(("hubin", "h.xlsx", "2020-09-18", True)), ref, Q3, A)
    row = _row(rec, "hubin", 1)
    assert (row["verdict"], row["credit"], row["days_overdue"]) == ("late", 0.5, 1)


def test_done_without_date_is_late_with_an_error(ref):
    tp = progress("hubin", "h.xlsx", {1: ("done", None, "")})
    rec = reconciliation(tp, ledger(("hubin", "h.xlsx", "2020-09-18", True)), ref, Q3, A)
    row = _row(rec, "hubin", 1)
    assert (row["verdict"], row["issue_code"]) == ("late", "date-missing")
    iss = reconciliation_issues(rec)
    iss = iss[iss["code"] == "date-missing"]
    assert list(iss[["file", "sheet", "cell", "severity"]].itertuples(index=False, name=None)) == [
        ("h.xlsx", "任务进展", "E3", "error")]


def test_unparseable_date_counts_done_late_without_second_issue(ref):
    """Task 1 was due 2020-05-31 and the return came in September: known done only after D."""
    tp = progress("hubin", "h.xlsx", {1: ("done", "bad", "")})
    rec = reconciliation(tp, ledger(("hubin", "h.xlsx", "2020-09-18", True)), ref, Q3, A)
    row = _row(rec, "hubin", 1)
    assert row["verdict"] == "late" and pd.isna(row["issue_code"])


def test_completion_after_submission_counts_not_done(ref):
    tp = progress("hubin", "h.xlsx", {3: ("done", "2020-09-19", "")})
    rec = reconciliation(tp, ledger(("hubin", "h.xlsx", "2020-09-18", True)), ref, Q3, A)
    row = _row(rec, "hubin", 3)
    assert (row["verdict"], row["issue_code"], row["days_overdue"]) == (
        "overdue", "date-after-submission", (pd.Timestamp(A) - pd.Timestamp("2020-06-30")).days)


# --- done with no C: known done by submitted_on, else by A (DESIGN §4) -------------------------
def test_done_without_date_known_done_exactly_on_deadline_is_on_time_with_the_error(ref):
    """Task 3 is due 2020-06-30; a return submitted that day says it is done."""
    tp = progress("hubin", "h.xlsx", {3: ("done", None, "")})
    rec = reconciliation(tp, ledger(("hubin", "h.xlsx", "2020-06-30", True)), ref, Q3, A)
    row = _row(rec, "hubin", 3)
    assert (row["verdict"], row["credit"], row["issue_code"]) == ("on_time", 1.0, "date-missing")


def test_done_without_date_known_done_one_day_after_deadline_is_late(ref):
    tp = progress("hubin", "h.xlsx", {3: ("done", None, "")})
    rec = reconciliation(tp, ledger(("hubin", "h.xlsx", "2020-07-01", True)), ref, Q3, A)
    assert _row(rec, "hubin", 3)["verdict"] == "late"


def test_unreadable_date_on_a_deadline_two_quarters_away_is_not_late(ref):
    """Task 8 is due 2021-06-30: done with an unreadable date is never 逾期完成 in 2020Q3."""
    tp = progress("hubin", "h.xlsx", {8: ("done", "bad", "")})
    rec = reconciliation(tp, ledger(("hubin", "h.xlsx", "2020-09-18", True)), ref, Q3, A)
    row = _row(rec, "hubin", 8)
    assert (row["verdict"], row["credit"]) == ("on_time", 1.0) and pd.isna(row["issue_code"])


def test_done_without_date_and_no_submission_date_is_known_done_by_as_of(ref):
    tp = progress("hubin", "h.xlsx", {8: ("done", None, ""), 1: ("done", None, "")})
    rec = reconciliation(tp, ledger(("hubin", "h.xlsx", None, False)), ref, Q3, A)
    assert _row(rec, "hubin", 8)["verdict"] == "on_time"   # A 2020-09-20 ≤ 2021-06-30
    assert _row(rec, "hubin", 1)["verdict"] == "late"      # A after 2020-05-31


def test_completion_exactly_on_submission_date_counts_done(ref):
    tp = progress("hubin", "h.xlsx", {8: ("done", "2020-09-18", "")})
    rec = reconciliation(tp, ledger(("hubin", "h.xlsx", "2020-09-18", True)), ref, Q3, A)
    row = _row(rec, "hubin", 8)
    assert (row["verdict"], row["status"]) == ("on_time", "done") and pd.isna(row["issue_code"])


def test_completion_after_as_of_without_submission_date_counts_not_done(ref):
    """No 填报日期 and no receipt: a C after the cut-off is a date that had not yet come."""
    tp = progress("hubin", "h.xlsx", {8: ("done", "2020-09-21", ""), 5: ("done", "2020-09-20", "")})
    rec = reconciliation(tp, ledger(("hubin", "h.xlsx", None, False)), ref, Q3, A)
    row = _row(rec, "hubin", 8)
    assert (row["status"], row["verdict"], row["issue_code"]) == ("in_progress", "pending", "date-after-submission")
    assert _row(rec, "hubin", 5)["status"] == "done"  # on A exactly: known


def test_not_done_before_deadline_is_pending_and_not_due(ref):
    tp = progress("hubin", "h.xlsx", {5: ("in_progress", None, "编制中")})
    rec = reconciliation(tp, ledger(("hubin", "h.xlsx", "2020-09-18", True)), ref, Q3, A)
    row = _row(rec, "hubin", 5)
    assert row["verdict"] == "pending" and not row["due"]


def test_deadline_equal_to_as_of_is_due_but_not_overdue(ref):
    tp = progress("hubin", "h.xlsx", {3: ("in_progress", None, "")})
    rec = reconciliation(tp, ledger(("hubin", "h.xlsx", "2020-06-20", True)), ref, Quarter(2020, 2),
                         dt.date(2020, 6, 30))
    row = _row(rec, "hubin", 3)
    assert row["verdict"] == "pending" and row["due"] and row["credit"] == 0


def test_missing_return_makes_every_task_unreported_without_issues(ref):
    rec = reconciliation(progress("hubin", "h.xlsx", {}), ledger(), ref, Q3, A)
    mine = rec[rec["unit_id"] == "yima"]
    assert set(mine["verdict"]) == {"unreported"} and mine["issue_code"].isna().all()
    assert len(mine) == 11


def test_row_missing_from_return_is_unreported_with_error(ref):
    tp = progress("hubin", "h.xlsx", {1: ("done", "2020-05-20", "")})
    rec = reconciliation(tp, ledger(("hubin", "h.xlsx", "2020-09-18", True)), ref, Q3, A)
    row = _row(rec, "hubin", 2)
    assert (row["verdict"], row["issue_code"]) == ("unreported", "task-missing")


def test_ongoing_rules(ref):
    tp = progress("hubin", "h.xlsx", {
        12: ("in_progress", None, "已纳入培训计划"),  # 推进中 on a no-deadline task → ongoing
        14: ("not_started", None, ""),                # 未启动 → ongoing, credit 0, warning
        3: ("ongoing", None, "持续"),                  # 持续推进 on a dated task → in_progress
    })
    rec = reconciliation(tp, ledger(("hubin", "h.xlsx", "2020-09-18", True)), ref, Q3, A)
    r12, r14, r3 = (_row(rec, "hubin", t) for t in (12, 14, 3))
    assert (r12["verdict"], r12["status"], r12["credit"]) == ("ongoing", "ongoing", 1.0)
    assert (r14["verdict"], r14["credit"], r14["issue_code"]) == ("ongoing", 0.0, "status-ongoing-not-started")
    assert (r3["status"], r3["verdict"], r3["issue_code"]) == ("in_progress", "overdue", "status-ongoing-deadline")
    sev = reconciliation_issues(rec).set_index("code")["severity"]
    assert sev["status-ongoing-not-started"] == "warning" and sev["status-ongoing-deadline"] == "warning"


def test_ongoing_done_without_note_gets_no_credit(ref):
    tp = progress("hubin", "h.xlsx", {12: ("done", "2020-05-01", "")})
    rec = reconciliation(tp, ledger(("hubin", "h.xlsx", "2020-09-18", True)), ref, Q3, A)
    assert (_row(rec, "hubin", 12)[["verdict", "credit"]] == ["ongoing", 0.0]).all()


def test_not_applicable_on_assigned_task_is_error_and_not_started(ref):
    tp = progress("hubin", "h.xlsx", {2: ("not_applicable", None, "")})
    rec = reconciliation(tp, ledger(("hubin", "h.xlsx", "2020-09-18", True)), ref, Q3, A)
    row = _row(rec, "hubin", 2)
    assert (row["status"], row["verdict"], row["issue_code"]) == ("not_started", "overdue", "status-na-assigned")


def test_invalid_status_counts_not_started(ref):
    tp = progress("hubin", "h.xlsx", {1: (None, "2020-05-01", "基本完成")})
    rec = reconciliation(tp, ledger(("hubin", "h.xlsx", "2020-09-18", True)), ref, Q3, A)
    assert _row(rec, "hubin", 1)["verdict"] == "overdue"


def test_office_is_reconciled_only_when_it_sends_a_return(ref):
    rec = reconciliation(progress("hubin", "h.xlsx", {}), ledger(), ref, Q3, A)
    assert "zwgkb" not in set(rec["unit_id"])
    tp = progress("zwgkb", "o.xlsx", {7: ("in_progress", None, "")})
    rec = reconciliation(tp, ledger(("zwgkb", "o.xlsx", "2020-09-18", True)), ref, Q3, A)
    assert list(rec.loc[rec["unit_id"] == "zwgkb", "task_id"]) == [7]


def test_superseded_return_rows_do_not_count(ref):
    led = ledger(("hubin", "old.xlsx", "2020-09-10", True, "superseded"),
                 ("hubin", "new.xlsx", "2020-09-15", True))
    tp = progress("hubin", "new.xlsx", {1: ("done", "2020-05-20", "")})
    rec = reconciliation(tp, led, ref, Q3, A)
    assert set(rec.loc[rec["unit_id"] == "hubin", "file"]) == {"new.xlsx"}


def test_lingbao_catalogue_deadline_is_earlier(ref):
    as_of = dt.date(2020, 11, 20)  # after 灵宝市's 10-31, before the others' 11-30
    statuses = dict.fromkeys(range(1, 27), "compiled")
    dp = concat(domains("lingbao", "l.xlsx", statuses), domains("hubin", "h.xlsx", statuses))
    led = ledger(("lingbao", "l.xlsx", "2020-11-18", True), ("hubin", "h.xlsx", "2020-11-18", True))
    dom = domain_reconciliation(dp, led, ref, Quarter(2020, 4), as_of)
    credit = dom.groupby("unit_id")["credit"].mean()
    assert credit["lingbao"] == 0.0 and round(credit["hubin"], 6) == 0.7


def test_lead_department_plan_credit_before_and_after_deadline(ref):
    dp = domains("rsj", "r.xlsx", {21: "issued", 22: "drafting"}, kind="plan")
    led = ledger(("rsj", "r.xlsx", "2020-06-18", True))
    before = domain_reconciliation(dp, led, ref, Quarter(2020, 2), dt.date(2020, 6, 20))
    after = domain_reconciliation(dp, led, ref, Q3, A)
    mine = lambda d: list(d.loc[d["unit_id"] == "rsj", "credit"])  # noqa: E731
    assert mine(before) == [1.0, 0.5] and mine(after) == [1.0, 0.0]


def test_missing_domain_row_is_error(ref):
    dp = domains("rsj", "r.xlsx", {21: "issued"}, kind="plan")
    dom = domain_reconciliation(dp, ledger(("rsj", "r.xlsx", "2020-09-18", True)), ref, Q3, A)
    iss = domain_issues(dom, ref)
    assert list(iss["code"]) == ["domain-missing"] and "社会保险" in iss["message"].iloc[0]


def test_inputs_are_not_mutated(ref):
    tp = progress("hubin", "h.xlsx", {1: ("done", None, ""), 12: ("in_progress", None, "x")})
    led = ledger(("hubin", "h.xlsx", "2020-09-18", True))
    tp0, led0 = tp.copy(), led.copy()
    reconciliation(tp, led, ref, Q3, A)
    pd.testing.assert_frame_equal(tp, tp0)
    pd.testing.assert_frame_equal(led, led0)
