"""Scoring, grades, ranks, commendation and criticism on hand-worked cases (DESIGN §4)."""

import datetime as dt

import pandas as pd
from frames import concat, domains, issues, ledger, progress
from hypothesis import given
from hypothesis import strategies as st

from pipeline.dates import Quarter
from pipeline.reconcile import domain_reconciliation, reconciliation
from pipeline.scoring import grade_of, rank_in_groups, round_half_up, scores

Q3 = Quarter(2020, 3)
A = dt.date(2020, 9, 20)  # 2020Q3 due date


def _score(ref, tp, dp, led, iss, quarter=Q3, as_of=A, previous=None):
    rec = reconciliation(tp, led, ref, quarter, as_of)
    dom = domain_reconciliation(dp, led, ref, quarter, as_of)
    return scores(rec, dom, led, iss, ref, quarter, as_of, previous).set_index("unit_id")


HUBIN_TASKS = {
    1: ("done", "2020-05-31", ""),        # on time (exactly on the deadline): 1
    2: ("done", "2020-06-10", ""),        # late: 0.5
    3: ("in_progress", None, "起草中"),    # overdue since 06-30: 0
    5: ("in_progress", None, "编制中"),    # pending (11-30): not due
    6: ("not_started", None, ""), 8: ("not_started", None, ""), 10: ("not_started", None, ""),
    11: ("not_started", None, ""), 13: ("in_progress", None, ""),
    12: ("ongoing", None, "已纳入年度培训"),  # ongoing, note filled: 1
    14: ("ongoing", None, ""),             # ongoing, no note: 0
}
HUBIN_DOMAINS = ({d: "published" for d in range(1, 11)} | {d: "compiled" for d in range(11, 17)}
                 | {d: "compiling" for d in range(17, 22)} | {d: "not_started" for d in range(22, 27)})


def test_hand_worked_base_unit(ref):
    """timeliness 1; completion (1+.5+0+1+0)/5 = .5; catalogue (10+6×.7+5×.4)/26;
    quality 1−.2 = .8 → 100×(10 + 30 + 20×16.2/26 + 8)/100 = 60.4615… → 60.5 合格."""
    s = _score(ref, progress("hubin", "h.xlsx", HUBIN_TASKS), domains("hubin", "h.xlsx", HUBIN_DOMAINS),
               ledger(("hubin", "h.xlsx", "2020-09-20", True)),
               issues(("hubin", "h.xlsx", "error", "status-invalid"),
                      ("hubin", "h.xlsx", "warning", "info-missing")))
    row = s.loc["hubin"]
    assert (row["timeliness"], row["completion"], row["quality"]) == (1.0, 0.5, 0.8)
    assert row["catalogue"] == round_half_up(16.2 / 26, 3)
    assert (row["total"], row["grade"]) == (60.5, "合格")
    assert (row["tasks_due"], row["tasks_done"], row["overdue_count"]) == (5, 2, 1)
    assert row["criticised"] and not row["commended"]
    assert row["reasons"] == "第3项任务（时限2020年6月底）逾期未完成，已逾期82天"


def test_missing_return_scores_zero_except_nothing_and_is_criticised(ref):
    s = _score(ref, progress("hubin", "h.xlsx", {}), domains("hubin", "h.xlsx", {}), ledger(), issues())
    row = s.loc["yima"]
    assert (row["timeliness"], row["completion"], row["catalogue"], row["quality"], row["total"]) == (0, 0, 0, 0, 0)
    assert row["grade"] == "不合格" and row["criticised"]
    assert row["reasons"].startswith("未报送本季度工作进展（应于2020年9月20日前报送）")


def test_late_return_half_timeliness_and_criticised_with_days(ref):
    s = _score(ref, progress("dsj", "d.xlsx", {3: ("done", "2020-06-01", ""), 12: ("ongoing", None, "x"),
                                                14: ("ongoing", None, "y")}),
               domains("dsj", "d.xlsx", {}), ledger(("dsj", "d.xlsx", "2020-09-25", False)), issues())
    row = s.loc["dsj"]
    assert row["timeliness"] == 0.5
    assert row["reasons"] == "未按时报送本季度工作进展（2020年9月25日报送，逾期5天）"


def test_department_leading_no_domain_has_no_catalogue_part(ref):
    """市政务服务和大数据局 leads none: total over timeliness, completion, quality only.
    completion (1 + 1 + 1)/3 = 1 → 100 × (10 + 60 + 10)/80 = 100."""
    s = _score(ref, progress("dsj", "d.xlsx", {3: ("done", "2020-06-01", ""), 12: ("ongoing", None, "x"),
                                                14: ("ongoing", None, "y")}),
               domains("dsj", "d.xlsx", {}), ledger(("dsj", "d.xlsx", "2020-09-18", True)), issues())
    row = s.loc["dsj"]
    assert pd.isna(row["catalogue"]) and row["total"] == 100.0 and row["grade"] == "优秀"
    assert row["commended"] and not row["criticised"] and row["rank"] == 1


def test_ties_share_a_rank_and_list_in_reference_order(ref):
    perfect = {3: ("done", "2020-06-01", ""), 12: ("ongoing", None, "x"), 14: ("ongoing", None, "y")}
    # dsj and the lead departments differ in parts; use four leads with the same plan state.
    units = ["zrzy", "fgw", "czj", "yjj"]
    tp = concat(*[progress(u, f"{u}.xlsx", perfect | {4: ("done", "2020-07-01", ""), 9: ("in_progress", None, ""),
                                                      15: ("done", "2020-05-01", "")}) for u in units])
    tp.loc[tp["unit_id"].isin(["fgw", "czj"]) & (tp["task_id"] == 3), "completed_on"] = pd.Timestamp("2020-07-01")
    tp.loc[(tp["unit_id"] == "yjj") & (tp["task_id"] == 4), "status"] = "in_progress"
    lead = ref.domains.groupby("lead_unit_id")["domain_id"].apply(list)
    dp = concat(*[domains(u, f"{u}.xlsx", dict.fromkeys(lead[u], "issued"), kind="plan") for u in units])
    led = ledger(*[(u, f"{u}.xlsx", "2020-09-18", True) for u in units])
    s = scores(reconciliation(tp, led, ref, Q3, A), domain_reconciliation(dp, led, ref, Q3, A), led,
               issues(), ref, Q3, A)
    dept = s[s["unit_id"].isin(units)]
    assert list(dept["unit_id"]) == ["zrzy", "fgw", "czj", "yjj"]
    assert list(dept["rank"]) == [1, 2, 2, 4]
    assert dept.iloc[1]["total"] == dept.iloc[2]["total"] > dept.iloc[3]["total"]


def test_rank_change_against_previous_quarter(ref):
    prev = pd.DataFrame({"unit_id": ["dsj"], "rank": [5]})
    s = _score(ref, progress("dsj", "d.xlsx", {3: ("done", "2020-06-01", ""), 12: ("ongoing", None, "x"),
                                                14: ("ongoing", None, "y")}),
               domains("dsj", "d.xlsx", {}), ledger(("dsj", "d.xlsx", "2020-09-18", True)), issues(),
               previous=prev)
    assert s.loc["dsj", "rank_change"] == 4 and pd.isna(s.loc["hubin", "rank_change"])


def test_rank_change_blank_without_a_return_in_either_quarter(ref):
    """A unit that sent nothing (now or then) has not risen: 未报送 ranks last, and moving
    from last to a shared last would otherwise read as a rise."""
    prev = pd.DataFrame({"unit_id": ["dsj", "czj", "hubin"], "rank": [5, 19, 8],
                         "has_return": [True, False, True]})
    s = _score(ref, concat(progress("dsj", "d.xlsx", {3: ("done", "2020-06-01", "")}),
                           progress("czj", "c.xlsx", {3: ("done", "2020-06-01", "")})),
               domains("dsj", "d.xlsx", {}),
               ledger(("dsj", "d.xlsx", "2020-09-18", True), ("czj", "c.xlsx", "2020-09-18", True)),
               issues(), previous=prev)
    assert pd.notna(s.loc["dsj", "rank_change"])
    assert pd.isna(s.loc["czj", "rank_change"])   # no return last quarter
    assert pd.isna(s.loc["hubin", "rank_change"])  # no return this quarter


def test_quality_counts_only_errors_in_the_accepted_return(ref):
    led = ledger(("dsj", "old.xlsx", "2020-09-10", True, "superseded"), ("dsj", "new.xlsx", "2020-09-12", True))
    iss = issues(*[("dsj", "old.xlsx", "error", "status-invalid")] * 3, ("dsj", "new.xlsx", "error", "date-invalid"))
    s = _score(ref, progress("dsj", "new.xlsx", {}), domains("dsj", "new.xlsx", {}), led, iss)
    assert s.loc["dsj", "quality"] == 0.8


def test_quality_floor_is_zero(ref):
    iss = issues(*[("dsj", "d.xlsx", "error", "status-invalid")] * 7)
    s = _score(ref, progress("dsj", "d.xlsx", {}), domains("dsj", "d.xlsx", {}),
               ledger(("dsj", "d.xlsx", "2020-09-18", True)), iss)
    assert s.loc["dsj", "quality"] == 0.0


def test_no_task_due_gives_full_completion(ref):
    rec = reconciliation(progress("dsj", "d.xlsx", {}), ledger(("dsj", "d.xlsx", "2020-03-18", True)),
                         ref, Quarter(2020, 1), dt.date(2020, 3, 20))
    rec = rec[~rec["deadline"].isna()]  # a reference without ongoing tasks: nothing due yet
    s = scores(rec, domain_reconciliation(domains("dsj", "d.xlsx", {}), ledger(), ref, Quarter(2020, 1),
                                          dt.date(2020, 3, 20)),
               ledger(("dsj", "d.xlsx", "2020-03-18", True)), issues(), ref, Quarter(2020, 1),
               dt.date(2020, 3, 20)).set_index("unit_id")
    assert s.loc["dsj", "tasks_due"] == 0 and s.loc["dsj", "completion"] == 1.0


def test_commended_needs_rank_within_three(ref):
    frame = pd.DataFrame({"group": ["dept"] * 5, "total": [95.0, 94.0, 93.0, 92.0, 50.0]})
    assert list(rank_in_groups(frame)) == [1, 2, 3, 4, 5]


def test_rank_ties_competition_style():
    frame = pd.DataFrame({"group": ["base"] * 4 + ["dept"] * 2, "total": [90.0, 80.0, 80.0, 70.0, 60.0, 60.0]})
    assert list(rank_in_groups(frame)) == [1, 2, 2, 4, 1, 1]


def test_grade_bands_boundaries():
    bands = {"优秀": 90, "良好": 70, "合格": 60, "不合格": 0}
    assert [grade_of(x, bands) for x in (90.0, 89.9, 70.0, 69.9, 60.0, 59.9, 0.0)] == [
        "优秀", "良好", "良好", "合格", "合格", "不合格", "不合格"]


def test_round_half_up_not_bankers():
    assert round_half_up(84.45) == 84.5 and round_half_up(84.25) == 84.3 and round_half_up(0.05) == 0.1
    assert round_half_up(100 * (10 + 30 + 20 * 16.2 / 26 + 8) / 100) == 60.5


@given(st.lists(st.floats(0, 100, allow_nan=False), min_size=1, max_size=30))
def test_rank_properties(totals):
    frame = pd.DataFrame({"group": "base", "total": [round_half_up(t) for t in totals]})
    ranks = rank_in_groups(frame)
    assert ranks.min() == 1
    for i in range(len(frame)):
        higher = (frame["total"] > frame["total"][i]).sum()
        assert ranks[i] == higher + 1  # competition ranking: 1 + how many are strictly ahead


@given(st.integers(0, 10**6))
def test_round_half_up_matches_decimal_rule(n):
    value = n / 100  # two decimals
    expected = (n + 5) // 10 / 10  # half up on the second decimal
    assert round_half_up(value) == expected
