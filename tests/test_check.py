"""`zwgk check`: the per-unit summary, 问题清单.xlsx, feedback workbooks and the exit codes."""

from __future__ import annotations

import datetime as dt

import openpyxl
from click.testing import CliRunner
from fixtures_returns import standard_return, write_xlsx

from pipeline.check import check_quarter, write_issue_list
from pipeline.cli import main
from pipeline.dates import Quarter
from pipeline.ingest import read_returns
from pipeline.render.feedback import write_feedback

Q = Quarter(2020, 3)


def workspace(tmp_path, ref, defect=False):
    folder = tmp_path / "inputs" / "2020Q3"
    folder.mkdir(parents=True)
    tasks = {2: {"完成状态": "基本完成"}} if defect else None
    write_xlsx(folder / "灵宝市.xlsx", standard_return(ref, tasks=tasks))
    write_xlsx(folder / "湖滨区.xlsx", standard_return(ref, "hubin"))
    return folder


def test_summary_lists_files_and_missing_units(tmp_path, ref):
    report = check_quarter(workspace(tmp_path, ref, defect=True), ref, Q)
    s = report.summary
    assert list(s.columns[:5]) == ["unit", "file", "state", "errors", "warnings"]
    assert s.iloc[0][["unit", "file", "state", "errors"]].tolist() == ["湖滨区", "湖滨区.xlsx", "accepted", 0]
    lb = s[s["file"] == "灵宝市.xlsx"].iloc[0]
    assert (lb["errors"], lb["warnings"]) == (1, 0)
    assert (s["state"] == "missing").sum() == 27 - 2
    assert report.error_count == 1


def test_issue_list_workbook(tmp_path, ref):
    report = check_quarter(workspace(tmp_path, ref, defect=True), ref, Q)
    path = write_issue_list(report, tmp_path / "out" / "问题清单.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb["问题清单"]
    header = [c.value for c in ws[1]]
    assert header[:4] == ["单位", "位置", "严重程度", "问题说明"]
    assert [c.value for c in ws[2]][:3] == ["灵宝市", "灵宝市.xlsx!任务进展!D3", "错误"]
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref
    assert "报送情况" in wb.sheetnames


def test_formula_like_text_is_written_as_text(tmp_path, ref):
    import dataclasses

    report = check_quarter(workspace(tmp_path, ref, defect=True), ref, Q)
    report = dataclasses.replace(report, issues=report.issues.assign(message='=HYPERLINK("http://x","y")'))
    path = write_issue_list(report, tmp_path / "问题清单.xlsx")
    ws = openpyxl.load_workbook(path)["问题清单"]
    assert ws["D2"].data_type == "s" and ws["D2"].value == '=HYPERLINK("http://x","y")'


def test_feedback_per_unit(tmp_path, ref):
    from pipeline import stages

    intake = read_returns(workspace(tmp_path, ref, defect=True), ref, Q)
    recon = stages.reconcile(intake, ref, Q, Q.due_date()).reconciliation
    paths = write_feedback(tmp_path / "out", ref, Q, intake.issues, recon)
    assert len(paths) == 27 and paths[0].parent.name == "反馈"
    wb = openpyxl.load_workbook(tmp_path / "out" / "反馈" / "灵宝市.xlsx")
    assert wb.sheetnames == ["需整改问题", "任务核对结果"]
    issues = wb["需整改问题"]
    assert [c.value for c in issues[2]] == ["位置", "严重程度", "问题说明"]
    assert issues["A3"].value == "灵宝市.xlsx!任务进展!D3" and issues["B3"].value == "错误"
    verdicts = wb["任务核对结果"]
    assert verdicts["A3"].value == 1 and verdicts["F3"].value == "逾期未完成"
    only_issues = write_feedback(tmp_path / "out2", ref, Q, intake.issues)
    assert [p.name for p in only_issues] == ["灵宝市.xlsx"]


def test_cli_exit_codes(tmp_path, ref):
    runner = CliRunner()
    clean = workspace(tmp_path / "a", ref)
    result = runner.invoke(main, ["check", str(clean)])
    assert result.exit_code == 0, result.output
    assert "湖滨区" in result.output and (tmp_path / "a" / "outputs" / "2020Q3" / "问题清单.xlsx").is_file()

    bad = workspace(tmp_path / "b", ref, defect=True)
    result = runner.invoke(main, ["check", str(bad)])
    assert result.exit_code == 1
    assert "灵宝市.xlsx!任务进展!D3" in result.output and "基本完成" in result.output

    odd = tmp_path / "c" / "inputs" / "returns"
    odd.mkdir(parents=True)
    assert runner.invoke(main, ["check", str(odd)]).exit_code == 2            # quarter not in name
    assert runner.invoke(main, ["check", str(tmp_path / "nowhere")]).exit_code == 2
    assert runner.invoke(main, ["check", str(odd), "--quarter", "2020Q9"]).exit_code == 2
    result = runner.invoke(main, ["check", str(odd), "--quarter", "2020Q3"])
    assert result.exit_code == 0 and (tmp_path / "c" / "outputs" / "2020Q3" / "问题清单.xlsx").is_file()


def test_cli_progress_bar_for_many_files(tmp_path, ref):
    folder = tmp_path / "inputs" / "2020Q3"
    folder.mkdir(parents=True)
    for i in range(21):
        (folder / f"note{i:02}.txt").write_text("x")
    result = CliRunner().invoke(main, ["check", str(folder)])
    assert result.exit_code == 1  # 21 rejected non-workbooks
    assert result.stdout.count("已拒收") >= 21
    assert "读取报表" not in result.stderr + result.stdout  # stderr is no terminal: no bar
    on_a_terminal = CliRunner().invoke(main, ["check", str(folder)], env={"FORCE_COLOR": "1"})
    assert "读取报表" in on_a_terminal.stderr and "21/21" in on_a_terminal.stderr
    assert "读取报表" not in on_a_terminal.stdout  # the bar is on stderr


def test_cli_no_progress_bar_for_few_files(tmp_path, ref):
    result = CliRunner().invoke(main, ["check", str(workspace(tmp_path, ref))])
    assert result.exit_code == 0 and result.stderr == ""


# ---- the verdict rules' issues, ordering, feedback from check ------------------------------

def _defective_lingbao(ref):
    """已完成 with no date (task 1), 基本完成 (2), a date after the 2020-09-15 filing (3), no row for 5."""
    sheets = standard_return(ref, tasks={1: {"完成状态": "已完成", "完成时间": ""}, 2: {"完成状态": "基本完成"},
                                         3: {"完成状态": "已完成", "完成时间": "2020-10-01"}})
    sheets["任务进展"] = [r for r in sheets["任务进展"] if r[0] != 5]
    return sheets


def test_check_reports_the_verdict_rules_issues_in_row_order(tmp_path, ref):
    folder = tmp_path / "inputs" / "2020Q3"
    write_xlsx(folder / "灵宝市.xlsx", _defective_lingbao(ref))
    write_xlsx(folder / "湖滨区.xlsx", standard_return(ref, "hubin", tasks={1: {"完成状态": "未完成"}}))
    (folder / "说明.txt").write_text("x")
    report = check_quarter(folder, ref, Q)
    got = list(zip(report.issues["unit_id"], report.issues["code"], report.issues["cell"], strict=True))
    assert got == [  # 湖滨区 (order 1) before 灵宝市 (4), the unidentified file last; rows top to bottom
        ("hubin", "status-invalid", "D2"),
        ("lingbao", "date-missing", "E2"), ("lingbao", "status-invalid", "D3"),
        ("lingbao", "date-after-submission", "E4"), ("lingbao", "task-missing", ""),
        ("", "file-unreadable", ""),
    ]
    lb = report.summary.set_index("file").loc["灵宝市.xlsx"]
    assert (lb["errors"], lb["warnings"]) == (4, 0) and report.error_count == 6
    assert report.as_of == dt.date(2020, 9, 20)
    recon = report.reconciliation.set_index(["unit_id", "task_id"])
    assert recon.loc[("lingbao", 5), "verdict"] == "unreported"
    assert recon.loc[("lingbao", 1), "verdict"] == "late"  # done, no date


def test_cli_writes_feedback_for_units_that_sent_a_return(tmp_path, ref):
    folder = tmp_path / "inputs" / "2020Q3"
    write_xlsx(folder / "灵宝市.xlsx", _defective_lingbao(ref))
    write_xlsx(folder / "湖滨区.xlsx", standard_return(ref, "hubin"))
    result = CliRunner().invoke(main, ["check", str(folder)])
    assert result.exit_code == 1
    assert "灵宝市.xlsx!任务进展!E2" in result.stdout and "各单位反馈（2 份）" in result.stdout
    out = tmp_path / "outputs" / "2020Q3" / "反馈"
    assert sorted(p.name for p in out.iterdir()) == ["湖滨区.xlsx", "灵宝市.xlsx"]
    wb = openpyxl.load_workbook(out / "灵宝市.xlsx")
    issues = [[c.value for c in row] for row in wb["需整改问题"].iter_rows(min_row=3)]
    assert [r[:2] for r in issues] == [["灵宝市.xlsx!任务进展!E2", "错误"], ["灵宝市.xlsx!任务进展!D3", "错误"],
                                       ["灵宝市.xlsx!任务进展!E4", "错误"], ["灵宝市.xlsx!任务进展", "错误"]]
    assert "基本完成" in issues[1][2] and "第5项任务" in issues[3][2]
    verdicts = {r[0]: r[5] for r in wb["任务核对结果"].iter_rows(min_row=3, values_only=True)}
    assert (verdicts[1], verdicts[3], verdicts[5], verdicts[12]) == ("逾期完成", "逾期未完成", "未报送", "持续推进")
    clean = openpyxl.load_workbook(out / "湖滨区.xlsx")["需整改问题"]
    assert clean["A3"].value == "本期报表未发现需整改的问题。"
    listed = openpyxl.load_workbook(tmp_path / "outputs" / "2020Q3" / "问题清单.xlsx")["问题清单"]
    assert [listed.cell(r, 5).value for r in range(2, 6)] == [
        "date-missing", "status-invalid", "date-after-submission", "task-missing"]


def test_cli_folder_outside_inputs_writes_to_the_current_directory(tmp_path, ref, monkeypatch):
    returns = tmp_path / "收到的报表" / "2020Q3"
    write_xlsx(returns / "湖滨区.xlsx", standard_return(ref, "hubin"))
    here = tmp_path / "here"
    here.mkdir()
    monkeypatch.chdir(here)
    result = CliRunner().invoke(main, ["check", str(returns)])
    assert result.exit_code == 0, result.output
    assert (here / "outputs" / "2020Q3" / "问题清单.xlsx").is_file()
    assert (here / "outputs" / "2020Q3" / "反馈" / "湖滨区.xlsx").is_file()
    assert not (tmp_path / "outputs").exists()


def test_cli_lists_every_file_up_to_the_limit_then_only_those_to_act_on(tmp_path, ref, monkeypatch):
    import pipeline.cli as cli

    folder = workspace(tmp_path, ref, defect=True)  # 灵宝市 with an error, 湖滨区 clean, 25 missing
    everything = CliRunner().invoke(main, ["check", str(folder)]).output
    assert "湖滨区.xlsx" in everything and "未逐行列出" not in everything  # 27 rows: all listed
    assert everything.count("│ 未报送") == 25
    monkeypatch.setattr(cli, "LISTED_FILES", 10)
    listed = CliRunner().invoke(main, ["check", str(folder)])
    assert listed.exit_code == 1
    table = listed.output.split("问题：")[0]
    assert "灵宝市.xlsx" in table and "湖滨区.xlsx" not in table and "│ 未报送" not in table
    assert ("另有 1 个文件已接收且无问题，25 个单位未报送，未逐行列出"
            "（全部见 报送情况.xlsx，催报名单可用 zwgk remind 生成）") in listed.output


def test_rows_left_out_are_counted_by_state_and_said_where_they_are():
    import pandas as pd

    from pipeline.cli import _counted

    states = pd.Series(["accepted", "missing", "ignored", "accepted", "superseded"])
    assert _counted(states, {"issues": "x"}) == ("另有 2 个文件已接收且无问题，1 个文件已被替代，1 个文件已忽略，1 个单位未报送，"
                                                 "未逐行列出（全部见 报送情况.xlsx，催报名单可用 zwgk remind 生成）。")
    assert _counted(states[:1], {}, "个文件已接收且无错误") == "另有 1 个文件已接收且无错误，未逐行列出（本次未写出文件）。"
