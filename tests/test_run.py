"""The whole cycle end to end on the demo workspace: `zwgk demo` and `zwgk run`."""

from __future__ import annotations

import hashlib

import pandas as pd
import pytest
from click.testing import CliRunner

from pipeline import compute_quarter
from pipeline.cli import main
from pipeline.dates import parse_quarter
from pipeline.demo import QUARTERS
from pipeline.run import run_demo
from pipeline.workspace import Workspace


@pytest.fixture(scope="module")
def demo(tmp_path_factory, ref):
    root = tmp_path_factory.mktemp("demo")
    results = {str(r.quarter): (r, paths) for r, paths in run_demo(Workspace(root), ref)}
    return root, results


def _digest(folder):
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("q", QUARTERS)
def test_every_output_of_each_quarter(demo, q):
    root, _ = demo
    out = root / "outputs" / q
    scores = pd.read_csv(out / "data" / "scores.csv", encoding="utf-8-sig")
    assert len(scores) == 27 and scores["rank"].ge(1).all()
    for name in (f"通报_{q}.docx", f"通报_{q}.xlsx", "charts/ranking_base.png", "charts/ranking_dept.png",
                 "charts/verdict_matrix.png", "charts/domain_coverage.png"):
        assert (out / name).stat().st_size > 0, name
    for table in ("ledger", "task_progress", "domain_progress", "issues", "reconciliation", "scores",
                  "history", "rectification", "changes", "summary"):
        assert (out / "data" / f"{table}.parquet").exists(), table
        assert (out / "data" / f"{table}.csv").exists(), table
    feedback = {p.stem for p in (out / "反馈").glob("*.xlsx")}
    assert {"灵宝市", "市扶贫办"} <= feedback


def test_score_trend_from_the_second_quarter(demo):
    root, _ = demo
    assert not (root / "outputs" / QUARTERS[0] / "charts" / "score_trend.png").exists()
    assert (root / "outputs" / QUARTERS[1] / "charts" / "score_trend.png").exists()


def test_rank_change_is_last_quarters_rank_minus_this(demo):
    _, results = demo
    before = results["2020Q4"][0].scores.set_index("unit_id")
    now = results["2021Q1"][0].scores.set_index("unit_id")
    both = before["has_return"] & now["has_return"]  # blank for a unit that sent nothing in either
    expected = (before["rank"] - now["rank"])[both].dropna().astype(int)
    assert now["rank_change"].dropna().astype(int).sort_index().equals(expected.sort_index())
    assert now.loc[~both, "rank_change"].isna().all() and (~both).any()
    assert results["2020Q2"][0].scores["rank_change"].isna().all()  # the first quarter


def test_history_spans_every_quarter_so_far(demo):
    _, results = demo
    hist = results["2021Q2"][0].extra["history"]
    assert list(dict.fromkeys(hist["quarter"])) == list(QUARTERS)
    assert len(hist) == 27 * len(QUARTERS)
    # The history repeats what each quarter's own table said.
    q3 = hist[hist["quarter"] == "2020Q3"].set_index("unit_id")["total"].sort_index()
    assert q3.equals(results["2020Q3"][0].scores.set_index("unit_id")["total"].sort_index())


def test_rectification_of_the_story(demo):
    _, results = demo
    rect = results["2021Q2"][0].extra["rectification"].set_index("unit_id")
    # 卢氏县 never finishes task 2: still overdue, criticised two quarters running.
    assert not rect.loc["lushi", "resolved"] and rect.loc["lushi", "criticised_twice"]
    assert rect.loc["lushi", "task_id"] == 2
    # 陕州区 returned late in 2021Q1 and on time in 2021Q2.
    assert rect.loc["shanzhou", "kind"] == "late_return" and rect.loc["shanzhou", "resolved"]


def test_consistency_warning_joins_the_issues(demo):
    _, results = demo
    issues = results["2021Q2"][0].issues
    hit = issues[issues["code"] == "consistency-date-changed"]
    assert hit[["unit_id", "sheet"]].values.tolist() == [["mianchi", "任务进展"]]
    assert (hit["severity"] == "warning").all()


def test_catalogue_audit_in_the_run(demo):
    root, results = demo
    result = results["2021Q2"][0]
    audit = result.extra["catalogue_audit"]
    assert set(audit.loc[audit["sent"], "unit_id"]) == {"lingbao", "shanzhou", "hubin"}
    assert (root / "outputs" / "2021Q2" / "目录审核.xlsx").exists()
    cat = result.issues[result.issues["code"].str.startswith("catalogue-")]
    assert cat["file"].str.startswith("目录/").all()
    mismatch = cat[cat["code"] == "catalogue-count-mismatch"]
    assert sorted(mismatch["unit_id"]) == ["hubin", "shanzhou"]
    # Catalogue problems are not errors of the return: 湖滨区's quality part is untouched.
    assert result.scores.set_index("unit_id").loc["hubin", "quality"] == 1
    assert "catalogue_audit" not in results["2021Q1"][0].extra  # no 目录/ that quarter


def test_compute_quarter_alone_matches_the_chained_run(demo, ref):
    root, results = demo
    alone = compute_quarter(root, "2021Q1", ref)
    chained = results["2021Q1"][0]
    pd.testing.assert_frame_equal(alone.scores, chained.scores)
    pd.testing.assert_frame_equal(alone.extra["rectification"], chained.extra["rectification"])


def test_cli_run_rewrites_the_same_content_and_leaves_inputs_alone(demo):
    root, _ = demo
    inputs = _digest(root / "inputs")
    before = (root / "outputs" / "2021Q1" / "data" / "scores.csv").read_bytes()
    res = CliRunner().invoke(main, ["run", "2021Q1", "--workspace", str(root)])
    assert res.exit_code == 0, res.output
    assert "2021年第一季度" in res.output and "通报_2021Q1.docx" in res.output
    assert (root / "outputs" / "2021Q1" / "data" / "scores.csv").read_bytes() == before
    assert _digest(root / "inputs") == inputs


def test_empty_quarter_after_the_demo(demo, ref):
    """A quarter folder with no returns at all: every unit missing, 0 points, all criticised."""
    root, _ = demo
    (root / "inputs" / "2021Q3").mkdir()
    try:
        res = CliRunner().invoke(main, ["run", "2021Q3", "--workspace", str(root)])
        assert res.exit_code == 0, res.output
        scores = pd.read_parquet(root / "outputs" / "2021Q3" / "data" / "scores.parquet")
        assert len(scores) == 27 and (scores["total"] == 0).all() and scores["criticised"].all()
        assert (scores["rank"] == 1).all()  # one tie per group
        assert scores["reasons"].str.startswith("未报送本季度工作进展（应于2021年9月20日前报送）").all()
        rect = pd.read_parquet(root / "outputs" / "2021Q3" / "data" / "rectification.parquet")
        assert set(rect["previous_quarter"]) == {"2021Q2"} and not rect["resolved"].any()
        assert (root / "outputs" / "2021Q3" / "通报_2021Q3.docx").exists()
    finally:
        (root / "inputs" / "2021Q3").rmdir()


def test_resubmission_is_in_the_version_audit(demo):
    """义马市 sent 2020Q4 twice: the first file's 基本完成 on task 5 was corrected to 已完成."""
    _, results = demo
    ch = results["2020Q4"][0].extra["changes"]
    hit = ch[(ch["kind"] == "resubmission") & (ch["item"] == "task") & (ch["field"] == "status")]
    assert hit[["unit_id", "item_id", "new", "old_file", "new_file"]].values.tolist() == [
        ["yima", 5, "done", "义马市_2020Q4.xlsx", "义马市_2020Q4（更正）.xlsx"]]


def test_workbook_shows_this_quarters_changes_and_the_trend(demo):
    from openpyxl import load_workbook

    root, _ = demo
    wb = load_workbook(root / "outputs" / "2020Q4" / "通报_2020Q4.xlsx", read_only=True)
    rows = list(wb["变更记录"].values)
    header = rows[0]
    quarters = {r[header.index("季度")] for r in rows[1:] if r[0] is not None}
    assert quarters == {"2020Q4"}  # the data table keeps every quarter; the sheet only this one
    kinds = {r[header.index("类别")] for r in rows[1:] if r[0] is not None}
    assert "同一季度重新报送" in kinds and "与上季度相比" in kinds
    ranking = list(wb["排名"].values)
    assert "趋势" in ranking[0] and "得分变化" in ranking[0]


def test_bulletin_has_the_catalogue_paragraph_only_with_catalogues(demo):
    import docx

    root, results = demo
    text = [p.text for p in docx.Document(root / "outputs" / "2021Q2" / "通报_2021Q2.docx").paragraphs]
    para = next(t for t in text if t.startswith("本季度共有3个基层政府（共8个）报送了标准目录"))
    items = results["2021Q2"][0].extra["catalogue_items"]
    assert f"公开事项{len(items)}条" in para and f"要素齐全的{int(items['complete'].sum())}条" in para
    assert any(t.startswith("本季度报表和标准目录审核共发现问题") for t in text)
    earlier = [p.text for p in docx.Document(root / "outputs" / "2021Q1" / "通报_2021Q1.docx").paragraphs]
    assert not any("报送了标准目录" in t for t in earlier)
    assert any(t.startswith("本季度报表审核共发现问题") for t in earlier)


def test_a_unit_that_sent_nothing_is_never_told_its_return_is_clean(demo):
    """经济开发区 sent no 2020Q4 return: no feedback of verdicts (it is on the 催报 list, as in
    `check`); the status sheet lists it as not sent."""
    from openpyxl import load_workbook

    root, _ = demo
    out = root / "outputs" / "2020Q4"
    assert not (out / "反馈" / "经济开发区.xlsx").exists()
    ws = load_workbook(out / "报送情况.xlsx")["报送情况"]
    rows = {r[0]: r for r in ws.iter_rows(min_row=2, values_only=True)}
    assert rows["经济开发区"][1] == "未报送" and rows["经济开发区"][7].startswith("截止日已过")


def test_every_table_of_the_run_passes_its_pandera_schema(demo):
    """The run checks tables with schemas.check; the pandera schemas agree on real output."""
    from pipeline import schemas

    _, results = demo
    result, _ = results[QUARTERS[-1]]
    for name, frame in result.tables().items():
        if name in schemas.TABLE_COLUMNS:
            schemas.validate(name, frame)
            schemas.check(name, frame)


def test_summary_table_is_what_the_bulletin_prints(demo):
    """data/summary holds the figures; the 通报 formats them (here: the returns sentence)."""
    import docx

    root, results = demo
    result, paths = results["2021Q1"]
    table = pd.read_parquet(root / "outputs" / "2021Q1" / "data" / "summary.parquet")
    pd.testing.assert_frame_equal(table, result.extra["summary"])
    value = table.set_index(["section", "key", "group"])["value"]
    text = "".join(p.text for p in docx.Document(paths["bulletin"]).paragraphs)
    assert (f"本季度应报送工作进展的单位{int(value['returns', 'units', 'all'])}个，"
            f"按时报送{int(value['returns', 'on_time', 'all'])}个") in text


def test_cli_run_with_number_and_date(demo):
    import docx

    root, _ = demo
    res = CliRunner().invoke(main, ["run", "2021Q1", "--workspace", str(root), "--number", "三政办〔2021〕12号",
                                    "--date", "2021-03-26"])
    assert res.exit_code == 0, res.output
    d = docx.Document(root / "outputs" / "2021Q1" / "通报_2021Q1.docx")
    styled = {p.style.name: p.text for p in d.paragraphs if p.text}
    assert styled["发文字号"] == "三政办〔2021〕12号" and styled["成文日期"] == "2021年3月26日"
    assert d.paragraphs[-1].text.endswith("2021年3月26日印发")
    bad = CliRunner().invoke(main, ["run", "2021Q1", "--workspace", str(root), "--date", "明天"])
    assert bad.exit_code == 2 and "--date" in bad.output


def test_earlier_quarters_read_back_give_the_figures_of_a_full_recompute(demo, ref, monkeypatch):
    """A run costs one quarter: the demo's earlier quarters come from their stored tables, and
    every table of the last quarter is the same as when all five are computed from the inputs."""
    from pipeline import stages

    root, _ = demo
    ws = Workspace(root)
    last = parse_quarter(QUARTERS[-1])
    read = []
    real_intake = stages.intake
    monkeypatch.setattr(stages, "intake", lambda folder, *a, **k: read.append(folder.name) or real_intake(folder, *a, **k))
    said = []
    stored = stages.compute_quarter(ws, last, ref, notify=said.append)
    assert read == [QUARTERS[-1]] and said == []  # the four earlier quarters were not read again
    read.clear()
    fresh = stages.compute_quarter(ws, last, ref, stored=False)
    assert read == list(QUARTERS)
    assert set(stored.tables()) == set(fresh.tables())
    for name, frame in fresh.tables().items():
        pd.testing.assert_frame_equal(stored.tables()[name].reset_index(drop=True),
                                      frame.reset_index(drop=True), obj=name)


def test_an_earlier_quarter_whose_inputs_changed_is_computed_again_and_said(tmp_path, ref):
    import shutil

    from pipeline import stages

    ws = Workspace(tmp_path / "ws")
    list(run_demo(ws, ref))
    first = parse_quarter(QUARTERS[0])
    shutil.copy(next(ws.quarter_inputs(first).glob("*.xlsx")), ws.quarter_inputs(first) / "又一份.xlsx")
    said = []
    stages.compute_quarter(ws, parse_quarter(QUARTERS[1]), ref, notify=said.append)
    assert len(said) == 1 and said[0].startswith("2020年第二季度的报表") and "重新计算" in said[0]


def test_earlier_quarters_read_back_still_know_every_accepted_return(demo, ref):
    """The earlier quarters come from their stored tables (the one just before whole, the others
    for scores and ledger): the hashes of every return accepted before — what a resent old file
    is recognised by — reach the quarter being computed."""
    from pipeline import stages

    root, _ = demo
    result = stages.compute_quarter(Workspace(root), parse_quarter(QUARTERS[-1]), ref)
    earlier = stages.accepted_before(result.previous)
    assert set(earlier["quarter"]) == set(QUARTERS[:-1])
    led = pd.read_parquet(root / "outputs" / QUARTERS[0] / "data" / "ledger.parquet")
    assert set(led.loc[led["state"] == "accepted", "sha256"]) <= set(earlier["sha256"])


def test_notebook_score_with_last_quarters_scores(demo, ref):
    """pipeline.score(intake, …, previous=scores): rank changes against the scores given."""
    import pipeline

    root, results = demo
    intake = pipeline.read_returns(root / "inputs" / "2021Q1", ref)
    prev = results["2020Q4"][0].scores
    got = pipeline.score(intake, ref, "2021Q1", previous=prev)
    ranks = got.set_index("unit_id")
    change = prev.set_index("unit_id")["rank"] - ranks["rank"]
    sent = ranks.index[ranks["has_return"]].intersection(prev.loc[prev["has_return"], "unit_id"])
    assert (ranks.loc[sent, "rank_change"] == change[sent]).all() and len(sent) > 20
