"""`zwgk check`: the per-unit summary, 问题清单.xlsx, feedback workbooks and the exit codes."""

from __future__ import annotations

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
    issues = report.intake.issues.assign(message='=HYPERLINK("http://x","y")')
    report = dataclasses.replace(report, intake=dataclasses.replace(report.intake, issues=issues))
    path = write_issue_list(report, tmp_path / "问题清单.xlsx")
    ws = openpyxl.load_workbook(path)["问题清单"]
    assert ws["D2"].data_type == "s" and ws["D2"].value == '=HYPERLINK("http://x","y")'


def test_feedback_per_unit(tmp_path, ref):
    from pipeline.verdicts import reconciliation

    intake = read_returns(workspace(tmp_path, ref, defect=True), ref, Q)
    recon = reconciliation(intake.task_progress, intake.ledger, ref, Q, Q.due_date())
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
    assert result.output.count("已拒收") >= 21
