"""bulletin_context: the 通报's figures, formatted from the summary table (pipeline.summary)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pandas as pd
import pytest
from render_fixture import make_result

from pipeline.crossq import rectification
from pipeline.render.bulletin_docx import bulletin_context, change_text, cn_date, share_text
from pipeline.summary import with_summary


@pytest.fixture(scope="module")
def result(ref):
    return make_result(ref)


@pytest.fixture(scope="module")
def ctx(result):
    return bulletin_context(result, date="2021-03-20")


def test_header_lines_come_from_settings(ctx, result):
    b = result.reference.settings.bulletin
    assert ctx["issuer"] == b.issuer
    assert ctx["recipients"] == b.recipients
    assert ctx["next_steps"] == b.next_steps
    assert ctx["date_text"] == "2021年3月20日"
    assert ctx["sec"] == {"rect": "一", "overall": "二", "ranking": "三", "praise": "四", "problems": "五",
                          "next": "六"}


def test_date_defaults_to_the_day_of_the_run(result):
    assert bulletin_context(result)["date_text"] == cn_date(dt.date.today())


def test_number_and_date_given_override_the_settings(result):
    settings = result.reference.settings.replace("bulletin", **{"date": "2021-03-26", "doc_number": "三政办〔2021〕5号"})
    r = with_summary(dataclasses.replace(result, reference=dataclasses.replace(result.reference, settings=settings)))
    ctx = bulletin_context(r, doc_number="三政办〔2021〕12号", date=dt.date(2021, 3, 28))
    assert (ctx["doc_number"], ctx["date_text"], ctx["print_date_text"]) == (
        "三政办〔2021〕12号", "2021年3月28日", "2021年3月28日")


def test_draft_marks_and_wording(result):
    assert bulletin_context(result, draft=True)["draft_mark"] == "征求意见稿"
    assert bulletin_context(result, draft=True)["ov"]["missing_word"] == "尚未报送"
    assert bulletin_context(result)["draft_mark"] == ""


def test_date_and_number_from_settings(result):
    settings = result.reference.settings.replace("bulletin", date="2021-03-26", doc_number="三政办〔2021〕5号")
    ctx = bulletin_context(with_summary(dataclasses.replace(
        result, reference=dataclasses.replace(result.reference, settings=settings))))
    assert ctx["date_text"] == "2021年3月26日" and ctx["doc_number"] == "三政办〔2021〕5号"
    assert ctx["as_of_text"] == "2021年3月20日"


def test_returns_counts(ctx, result):
    led, sc = result.ledger, result.scores
    acc = led[led["state"] == "accepted"]
    on_time = set(acc.loc[acc["on_time"], "unit_id"])
    late = set(acc["unit_id"]) - on_time
    missing = set(sc["unit_id"]) - set(acc["unit_id"])
    ov = ctx["ov"]
    assert (ov["n_units"], ov["n_on_time"], ov["n_late"], ov["n_missing"]) == (
        len(sc), len(on_time), len(late), len(missing)) == (9, 6, 2, 1)
    assert ov["late_names"] == ["灵宝市", "市应急管理局"]
    assert ov["missing_names"] == ["渑池县"]
    assert ov["n_rejected"] == (led["state"] == "rejected").sum() == 1
    assert ov["on_time_rate"] == f"{100 * 6 / 9:.1f}%"


def test_task_counts(ctx, result):
    rec = result.reconciliation
    dated = rec[rec["due"] & rec["deadline"].notna()]
    ov = ctx["ov"]
    assert ov["tasks_due"] == len(dated)
    assert ov["tasks_on_time"] == (dated["verdict"] == "on_time").sum()
    assert ov["tasks_late"] == (dated["verdict"] == "late").sum() == 1
    assert ov["tasks_done"] == ov["tasks_on_time"] + ov["tasks_late"]
    assert ov["tasks_overdue"] == (rec["verdict"] == "overdue").sum() == 2
    assert ov["tasks_unreported"] == (dated["verdict"] == "unreported").sum()
    assert ov["tasks_ongoing"] == (rec["verdict"] == "ongoing").sum()
    assert ov["done_rate"] == f"{100 * ov['tasks_done'] / ov['tasks_due']:.1f}%"


def test_catalogue_counts(ctx, result):
    dom = result.domain_reconciliation
    cat, plan = dom[dom["kind"] == "catalogue"], dom[dom["kind"] == "plan"]
    ov = ctx["ov"]
    assert ov["cat_total"] == len(cat) == 5 * 26
    assert ov["cat_published"] == (cat["status"] == "published").sum() == 3 * 26 + 20
    assert ov["plan_total"] == len(plan) == 7
    assert ov["plan_issued"] == (plan["status"] == "issued").sum() == 6
    assert ov["cat_full_names"] == ["湖滨区", "陕州区", "灵宝市"]
    # 渑池县 sent nothing: 尚未报送, never 「已公开0个」
    assert [(g["names"], g["published"]) for g in ctx["pr"]["catalogue_gaps"]] == [(["义马市"], 20)]
    assert ctx["pr"]["catalogue_missing"] == ["渑池县"]


def test_averages_and_change(ctx, result):
    sc, hist = result.scores, result.extra["history"]
    prev = hist[hist["quarter"] == "2020Q4"]
    assert ctx["ov"]["avg_total"] == f"{sc['total'].mean():.1f}"
    delta = round(round(sc["total"].mean(), 1) - round(prev["total"].mean(), 1), 1)
    assert ctx["ov"]["avg_change"] == (f"较上季度提高{delta:.1f}分" if delta > 0 else f"较上季度下降{-delta:.1f}分")
    base = next(g for g in ctx["groups"] if g["group"] == "base")
    assert base["avg"] == f"{sc.loc[sc['group'] == 'base', 'total'].mean():.1f}"


def test_ranking_rows_follow_scores(ctx, result):
    for g in ctx["groups"]:
        s = result.scores[result.scores["group"] == g["group"]]
        assert [r["name"] for r in g["rows"]] == list(s["short_name"])
        assert [r["rank"] for r in g["rows"]] == list(s["rank"])
        assert [r["total"] for r in g["rows"]] == [f"{t:.1f}" for t in s["total"]]
        assert sum(c["n"] for c in g["grade_counts"]) == len(s)
        assert all(c["n"] for c in g["grade_counts"])  # grades nobody got are not listed
    base = ctx["groups"][0]
    assert [r["rank"] for r in base["rows"]][:3] == [1, 1, 3]  # the tie
    assert base["top"] == ["湖滨区、陕州区（均为100.0分）", "灵宝市（88.7分）"]
    assert base["bottom"] == ["义马市（86.8分）"]  # 渑池县 sent nothing: not ranked as bottom
    assert base["not_reported"] == "渑池县"
    assert [c["grade"] for c in base["grade_counts"]] == ["优秀", "良好", "不合格"]
    assert "灵宝市（下降2位）" in base["down"]


def test_commended_and_criticised(ctx, result):
    sc = result.scores
    assert not any(c["grouped"] for c in ctx["commended"])
    names = [n for c in ctx["commended"] for n in c["names"]]
    assert names == list(sc.loc[sc["commended"], "short_name"]) == ["湖滨区", "陕州区", "市自然资源和规划局"]
    crit = {c["name"]: c["reasons"] for c in ctx["criticised"]}
    assert set(crit) == set(sc.loc[sc["criticised"], "short_name"])
    assert "已逾期110天" in crit["义马市"] and "2020年11月底" in crit["义马市"]
    assert "逾期3天" in crit["灵宝市"]


def test_problems(ctx, result):
    pr, iss = ctx["pr"], result.issues
    assert pr["n_issues"] == len(iss)
    assert pr["n_errors"] == (iss["severity"] == "error").sum()
    assert pr["n_warnings"] == (iss["severity"] == "warning").sum()
    assert sum(c["n"] for c in pr["codes"]) == len(iss)
    assert [(t["task_id"], t["names"]) for t in pr["overdue_tasks"]] == [(5, ["义马市"]), (6, ["市发展改革委"])]
    assert [(t["task_id"], t["names"]) for t in pr["unreported_tasks"]] == [(3, ["市财政局"])]
    assert len(ctx["issue_rows"]) == len(iss)


def test_rectification_in_three_sentences_and_an_attachment(ctx, result):
    rect = result.extra["rectification"]
    assert ctx["rectification"] == [
        "上期（2020年第四季度）通报批评的3个单位涉及问题4项，已整改2项，尚未整改2项。",
        "市发展改革委已全部完成整改。",
        "仍有问题未整改的单位2个，其中义马市、渑池县本季度再次被通报批评。"]
    rows = ctx["rect_rows"]
    assert [(r["unit"], r["reason"], r["status"]) for r in rows] == [
        (n, r, s) for n, r, s in zip(["义马市", "渑池县", "市发展改革委", "市发展改革委"], rect["reason"],
                                     rect["status_now"], strict=True)]
    assert [r["resolved"] for r in rows] == ["未整改", "未整改", "已整改", "已整改"]
    assert ctx["att"]["rect"]["label"] == "附件2" and ctx["att"]["issues"]["label"] == "附件3"


def test_many_tied_units_are_grouped(result):
    sc = result.scores.copy()
    sc.loc[sc["group"] == "dept", ["total", "rank", "commended"]] = [100.0, 1, True]
    ctx = bulletin_context(with_summary(dataclasses.replace(result, scores=sc)))
    dept = next(g for g in ctx["groups"] if g["group"] == "dept")
    assert dept["top"] == ["市自然资源和规划局等4个单位（均为100.0分）"]
    praised = next(c for c in ctx["commended"] if c["label"] == "市直部门")
    assert praised["grouped"] and praised["names"] == ["市自然资源和规划局等4个单位（均为100.0分，名单见附件1“备注”栏）"]
    assert [r["note"] for r in dept["rows"]] == ["表扬"] * 4  # the names are in 附件1's 备注 column


def test_long_criticism_lists_are_grouped_by_problem(result, ref):
    sc = result.scores.copy()
    units = ref.units
    extra = units[units["group"] == "dept"].head(16)  # 12 not in the fixture: many criticised
    rows = pd.DataFrame({"unit_id": extra["unit_id"], "short_name": extra["short_name"], "group": "dept",
                         "total": 50.0, "rank": 5, "grade": "不合格", "criticised": True, "commended": False,
                         "reasons": "未报送本季度工作进展", "on_time": False, "has_return": False})
    sc = pd.concat([sc, rows[~rows["unit_id"].isin(sc["unit_id"])]], ignore_index=True)
    ctx = bulletin_context(with_summary(dataclasses.replace(result, scores=sc, reference=ref)))
    assert len(ctx["criticised"]) > 10 and len(ctx["crit_rows"]) == len(ctx["criticised"])
    kinds = {k["label"]: k for k in ctx["crit_kinds"]}
    assert kinds["未报送工作进展"]["n"] == 13 and kinds["未报送工作进展"]["names"] == "渑池县等13个单位"
    assert ctx["att"]["crit"]["label"] == "附件3"


def test_no_rectification_section_when_nothing_to_rectify(result):
    empty = result.extra["rectification"].iloc[0:0]
    ctx = bulletin_context(with_summary(dataclasses.replace(result, extra=result.extra | {"rectification": empty})))
    assert ctx["rectification"] == []
    assert ctx["sec"]["overall"] == "一" and ctx["sec"]["next"] == "五" and "rect" not in ctx["sec"]


def test_first_quarter_and_previous_without_rectification(ref):
    bare = make_result(ref, with_extra=False)
    ctx = bulletin_context(bare)
    assert ctx["rectification"] == [] and ctx["sec"]["overall"] == "一"
    assert ctx["ov"]["avg_change"] == ""
    assert all(r["change"] == "—" for g in ctx["groups"] for r in g["rows"])
    clean_prev = dataclasses.replace(bare, scores=bare.scores.assign(criticised=False))
    # the rectification table is computed across quarters (crossq), the renderer only words it
    quiet = rectification(clean_prev, bare)
    assert bulletin_context(with_summary(dataclasses.replace(
        bare, previous=clean_prev, extra=bare.extra | {"rectification": quiet})))["rectification"] == []
    with_prev = bulletin_context(with_summary(dataclasses.replace(
        bare, previous=bare, extra=bare.extra | {"rectification": rectification(bare, bare)})))
    assert with_prev["rectification"][0] == "上期（2021年第一季度）通报批评的6个单位涉及问题7项，已整改0项，尚未整改7项。"
    assert len(with_prev["rect_rows"]) == 7


def test_formatters():
    assert change_text(2) == "↑2" and change_text(-1) == "↓1" and change_text(0) == "持平"
    assert change_text(pd.NA) == "—"
    assert share_text(float("nan")) == "不适用" and share_text(0.857) == "85.7%"
