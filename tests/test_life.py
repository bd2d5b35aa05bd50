"""The quarter as the office lives it: receive, status, remind, drafts, publish and the frozen
record, and the check outputs that never outlive the inputs they describe."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner
from fixtures_returns import standard_return, write_xlsx

from pipeline import manifest as M
from pipeline import stages
from pipeline.cli import main
from pipeline.dates import Quarter
from pipeline.life import (
    check_workspace,
    quarter_for,
    reminders,
    status_frame,
    with_draft_status,
)
from pipeline.run import publish_quarter, run_quarter
from pipeline.workspace import Workspace

Q3, Q4 = Quarter(2020, 3), Quarter(2020, 4)
AFTER_DUE = dt.date(2020, 10, 9)


def q3_return(ref, unit_id, **kw):
    return standard_return(ref, unit_id, **kw)


def q4_return(ref, unit_id, **kw):
    return standard_return(ref, unit_id, quarter="2020年第四季度", filled="2020-12-15", meta=False, **kw)


def _digests(folder):
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _cli(*args, ws):
    return CliRunner().invoke(main, [*args, "-w", str(ws)], catch_exceptions=False)


# ---- receive --------------------------------------------------------------------------------
def test_receive_copies_logs_and_checks_each_file(tmp_path, ref):
    src = tmp_path / "mail"
    src.mkdir()
    write_xlsx(src / "灵宝市.xlsx", q3_return(ref, "lingbao", tasks={2: {"完成状态": "基本完成"}}))
    ws = tmp_path / "ws"
    result = _cli("receive", str(src / "灵宝市.xlsx"), "--date", "2020-09-18", "--quarter", "2020Q3", ws=ws)
    assert result.exit_code == 1, result.output  # the return has an error: the unit hears it now
    assert "灵宝市：已接收，按时；错误 1 条" in result.output
    assert "任务进展!D3" in result.output and "基本完成" in result.output
    folder = ws / "inputs" / "2020Q3"
    assert (folder / "灵宝市.xlsx").read_bytes() == (src / "灵宝市.xlsx").read_bytes()
    log = (folder / "收文登记.csv").read_bytes()
    assert log.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM: Excel opens it
    assert log.decode("utf-8-sig").splitlines() == ["文件,收文日期", "灵宝市.xlsx,2020-09-18"]
    assert (ws / "outputs" / "2020Q3" / "问题清单.xlsx").is_file()  # the check set, as `check` writes it

    # the unit resends a corrected file under the same name: kept beside the first, logged
    write_xlsx(src / "灵宝市.xlsx", q3_return(ref, "lingbao"))
    result = _cli("receive", str(src / "灵宝市.xlsx"), "--date", "2020-09-19", "--quarter", "2020Q3", ws=ws)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in folder.iterdir()) == ["收文登记.csv", "灵宝市.xlsx", "灵宝市（20200919收）.xlsx"]
    assert "另存为“灵宝市（20200919收）.xlsx”" in result.output
    # the same bytes again: not copied, not logged twice
    result = _cli("receive", str(src / "灵宝市.xlsx"), "--date", "2020-09-20", "--quarter", "2020Q3", ws=ws)
    assert "内容相同，不重复收文" in result.output
    log = (folder / "收文登记.csv").read_text(encoding="utf-8-sig").splitlines()
    assert log == ["文件,收文日期", "灵宝市.xlsx,2020-09-18", "灵宝市（20200919收）.xlsx,2020-09-19"]
    # the log is what reconcile reads: the later file wins, on time by its receipt date
    led = check_workspace(Workspace(ws), Q3, ref).ledger.set_index("file")
    assert led.loc["灵宝市（20200919收）.xlsx", "state"] == "accepted"
    assert led.loc["灵宝市.xlsx", "state"] == "superseded"
    assert str(led.loc["灵宝市（20200919收）.xlsx", "submitted_on"])[:10] == "2020-09-19"


def test_receive_without_a_filled_date_is_on_time_by_the_log(tmp_path, ref):
    """A return with an empty 填报日期: the receipt date decides, so it is not 'late'."""
    src = tmp_path / "湖滨区.xlsx"
    write_xlsx(src, q3_return(ref, "hubin", filled=""))
    ws = tmp_path / "ws"
    _cli("receive", str(src), "--date", "2020-09-17", "--quarter", "2020Q3", ws=ws)
    report = check_workspace(Workspace(ws), Q3, ref)
    led = report.ledger.iloc[0]
    assert (led["state"], bool(led["on_time"]), led["submitted_source"]) == ("accepted", True, "收文登记")
    assert "submitted-on-missing" not in set(report.issues["code"])


def test_receive_appends_to_a_hand_kept_gbk_log(tmp_path, ref):
    ws = tmp_path / "ws"
    folder = ws / "inputs" / "2020Q3"
    folder.mkdir(parents=True)
    write_xlsx(folder / "湖滨区.xlsx", q3_return(ref, "hubin"))
    (folder / "收文登记.csv").write_bytes("文件,收文日期,经办人\r\n湖滨区.xlsx,2020/9/10,王五\r\n".encode("gb18030"))
    src = tmp_path / "灵宝市.xlsx"
    write_xlsx(src, q3_return(ref, "lingbao"))
    _cli("receive", str(src), "--date", "2020-09-12", "--quarter", "2020Q3", ws=ws)
    assert (folder / "收文登记.csv").read_text(encoding="utf-8-sig").splitlines() == [
        "文件,收文日期,经办人", "湖滨区.xlsx,2020/9/10,王五", "灵宝市.xlsx,2020-09-12,"]


def test_a_file_put_in_by_hand_is_logged_not_copied(tmp_path, ref):
    ws = tmp_path / "ws"
    folder = ws / "inputs" / "2020Q3"
    folder.mkdir(parents=True)
    write_xlsx(folder / "湖滨区.xlsx", q3_return(ref, "hubin"))
    result = _cli("receive", str(folder / "湖滨区.xlsx"), "--date", "2020-09-16", "--quarter", "2020Q3", ws=ws)
    assert "不重复收文，补登收文日期 2020-09-16" in result.output
    assert sorted(p.name for p in folder.iterdir()) == ["收文登记.csv", "湖滨区.xlsx"]
    result = _cli("receive", str(folder / "湖滨区.xlsx"), "--date", "2020-09-18", "--quarter", "2020Q3", ws=ws)
    assert "补登" not in result.output  # logged once: the first date stands
    assert (folder / "收文登记.csv").read_text(encoding="utf-8-sig").splitlines() == [
        "文件,收文日期", "湖滨区.xlsx,2020-09-16"]


def test_the_quarter_of_a_receipt_is_the_one_due_nearest(ref):
    assert quarter_for(dt.date(2021, 3, 18), ref) == Quarter(2021, 1)
    assert quarter_for(dt.date(2021, 4, 2), ref) == Quarter(2021, 1)  # late for Q1, not early for Q2
    assert quarter_for(dt.date(2021, 5, 25), ref) == Quarter(2021, 2)
    assert quarter_for(dt.date(2021, 1, 5), ref) == Quarter(2020, 4)


def test_receive_a_missing_file_is_a_usage_error(tmp_path):
    result = CliRunner().invoke(main, ["receive", str(tmp_path / "nope.xlsx"), "-w", str(tmp_path)])
    assert result.exit_code == 2


# ---- status and remind ----------------------------------------------------------------------
@pytest.fixture
def two_in(tmp_path, ref):
    """2020Q3 with 灵宝市 (an error) and 湖滨区 (clean) received; the other 25 missing."""
    folder = tmp_path / "inputs" / "2020Q3"
    folder.mkdir(parents=True)
    write_xlsx(folder / "灵宝市.xlsx", q3_return(ref, "lingbao", tasks={2: {"完成状态": "基本完成"}}))
    write_xlsx(folder / "湖滨区.xlsx", q3_return(ref, "hubin"))
    return tmp_path


def test_status_per_unit(two_in, ref):
    report = check_workspace(Workspace(two_in), Q3, ref)
    frame = status_frame(report, today=dt.date(2020, 9, 15)).set_index("unit")
    assert frame.loc["灵宝市", ["state", "file", "on_time", "errors"]].tolist() == ["已接收", "灵宝市.xlsx", "是", 1]
    assert frame.loc["灵宝市", "todo"] == "有 1 处错误，请按反馈表修改后重新报送"
    assert frame.loc["湖滨区", "todo"] == ""
    assert frame.loc["陕州区", "todo"] == "请于2020年9月20日前报送（还有 5 天）"
    assert (frame["state"] == "未报送").sum() == 25
    late = status_frame(report, today=dt.date(2020, 9, 25)).set_index("unit")
    assert late.loc["陕州区", "todo"] == "截止日已过 5 天，请立即报送"


def test_status_command_prints_and_writes_the_sheet(two_in):
    result = _cli("status", ws=two_in)  # the latest quarter with inputs
    assert result.exit_code == 0, result.output
    assert "2020年第三季度报送情况" in result.output and "已接收 2 个，未报送 25 个" in result.output
    ws = openpyxl.load_workbook(two_in / "outputs" / "2020Q3" / "报送情况.xlsx")["报送情况"]
    header = [c.value for c in ws[1]]
    assert header == ["单位", "状态", "文件", "收文日期", "按时", "错误", "警告", "需办理"]
    assert ws.max_row == 1 + 27
    red = {r[1].value: r[1].font.color is not None and r[1].font.color.rgb == "FFC00000" for r in ws.iter_rows(min_row=2)}
    assert red == {"未报送": True, "已接收": False}  # the missing units' state stands out, the others not


def test_status_beyond_the_limit_lists_the_rows_with_something_to_do(two_in, monkeypatch):
    import pipeline.cli as cli

    assert "湖滨区.xlsx" in _cli("status", ws=two_in).output  # 27 rows: every one listed
    monkeypatch.setattr(cli, "LISTED_FILES", 10)
    result = _cli("status", ws=two_in)
    assert result.exit_code == 0, result.output
    assert "灵宝市.xlsx" in result.output and "湖滨区.xlsx" not in result.output
    assert result.output.count("│ 未报送") == 25  # who is missing is what status is for
    assert "另有 1 个文件已接收且无错误，未逐行列出（全部见 报送情况.xlsx，催报名单可用 zwgk remind 生成）" in result.output
    ws = openpyxl.load_workbook(two_in / "outputs" / "2020Q3" / "报送情况.xlsx")["报送情况"]
    assert ws.max_row == 1 + 27  # the sheet keeps every row


def test_remind_lists_missing_units_and_units_with_errors(two_in, ref):
    items = reminders(check_workspace(Workspace(two_in), Q3, ref), today=dt.date(2020, 9, 15))
    by_unit = {r.unit: r for r in items}
    assert len(items) == 26 and "湖滨区" not in by_unit
    assert by_unit["灵宝市"].situation == "报表有错误"
    assert by_unit["灵宝市"].details[0].startswith("灵宝市.xlsx!任务进展!D3：")
    assert by_unit["陕州区"].todo == "请于2020年9月20日前报送本季度报表"

    result = _cli("remind", "2020Q3", ws=two_in)
    assert result.exit_code == 0, result.output
    out = two_in / "outputs" / "2020Q3"
    text = (out / "催报名单.txt").read_text(encoding="utf-8-sig")
    assert "陕州区（未报送）" in text and "灵宝市（报表有错误）" in text and "湖滨区" not in text.split("\n", 4)[-1]
    from docx import Document

    table = Document(str(out / "催报名单.docx")).tables[0]
    assert [c.text for c in table.rows[0].cells] == ["序号", "单位", "情况", "需办理事项"]
    assert len(table.rows) == 1 + 26


def test_status_without_any_inputs_is_a_usage_error(tmp_path):
    result = CliRunner().invoke(main, ["status", "-w", str(tmp_path)])
    assert result.exit_code == 2 and "还没有任何季度的报表" in result.output


# ---- drafts ---------------------------------------------------------------------------------
def test_a_run_with_units_missing_is_a_draft(two_in, ref):
    result = stages.compute_quarter(Workspace(two_in), Q3, ref)
    marked = with_draft_status(result, today=AFTER_DUE)
    assert marked.draft and len(marked.missing) == 25 and "lingbao" not in marked.missing
    cli = CliRunner().invoke(main, ["run", "2020Q3", "-w", str(two_in)])
    assert cli.exit_code == 0, cli.output
    assert "征求意见稿" in cli.stderr and "尚有 25 个单位未报送：陕州区" in cli.stderr
    recorded = M.read(two_in / "outputs" / "2020Q3")
    assert recorded["draft"] is True and len(recorded["missing_units"]) == 25


def test_before_the_due_date_even_a_full_quarter_is_a_draft(two_in, ref):
    result = stages.compute_quarter(Workspace(two_in), Q3, ref)
    full = result.ledger.assign(state="accepted")
    everyone = pd.concat([full] + [full.iloc[:1].assign(unit_id=u) for u in ref.reporting_units["unit_id"]])
    import dataclasses

    complete = dataclasses.replace(result, ledger=everyone)
    assert not with_draft_status(complete, today=AFTER_DUE).draft
    assert with_draft_status(complete, today=dt.date(2020, 9, 19)).draft


# ---- publish and the frozen record ----------------------------------------------------------
def test_publish_then_a_late_file_leaves_the_record_and_is_reported(two_in, ref):
    ws = Workspace(two_in)
    out = ws.quarter_outputs(Q3)
    result, _ = publish_quarter(ws, Q3, ref, "三政办〔2020〕12号", dt.date(2020, 10, 9))
    assert not result.draft
    recorded = M.read(out)
    assert recorded["published"]["doc_number"] == "三政办〔2020〕12号"
    assert recorded["published"]["date"] == "2020-10-09" and recorded["published"]["by"]
    assert set(recorded["inputs"]) == {"灵宝市.xlsx", "湖滨区.xlsx"}
    assert recorded["outputs"]["data/scores.parquet"] == M.sha256(out / "data" / "scores.parquet")
    assert {"tool_version", "reference", "written_at", "written_by"} <= set(recorded)
    published = _digests(out)
    scores = pd.read_parquet(out / "data" / "scores.parquet")

    write_xlsx(ws.quarter_inputs(Q3) / "陕州区.xlsx", q3_return(ref, "shanzhou"))  # arrives late
    cli = CliRunner().invoke(main, ["run", "2020Q3", "-w", str(two_in)])
    assert cli.exit_code == 0, cli.output
    assert "已定稿，本次未改动" in cli.output and "新收到：陕州区.xlsx" in cli.output
    assert _digests(out) == published
    # check and status report the late file but do not touch the published set either
    assert CliRunner().invoke(main, ["check", "2020Q3", "-w", str(two_in)]).exit_code == 1
    assert _digests(out) == published

    # the next quarter compares with the published ranks, not with a recomputation
    write_xlsx(ws.quarter_inputs(Q4) / "灵宝市.xlsx", q4_return(ref, "lingbao"))
    q4 = stages.compute_quarter(ws, Q4, ref)
    pd.testing.assert_frame_equal(q4.previous.scores, scores)
    assert "shanzhou" not in set(q4.previous.ledger["unit_id"])

    # --reopen regenerates, keeping the published set in the archive
    reopened, _ = run_quarter(ws, Q3, ref, reopen=True)
    assert "shanzhou" in set(reopened.ledger["unit_id"])
    archived = out / "已发布存档" / "2020-10-09_三政办〔2020〕12号"
    assert _digests(archived) == published
    assert M.published(M.read(out)) is None


def test_publishing_twice_is_refused(two_in, ref):
    ws = Workspace(two_in)
    publish_quarter(ws, Q3, ref, "三政办〔2020〕12号", dt.date(2020, 10, 9))
    cli = CliRunner().invoke(main, ["publish", "2020Q3", "--number", "三政办〔2020〕13号", "-w", str(two_in)])
    assert cli.exit_code == 2 and "已于2020年10月9日发布" in cli.output


def test_unpublished_stored_quarters_are_reused_only_while_their_inputs_match(two_in, ref):
    ws = Workspace(two_in)
    run_quarter(ws, Q3, ref)
    write_xlsx(ws.quarter_inputs(Q4) / "灵宝市.xlsx", q4_return(ref, "lingbao"))
    fresh = stages.compute_quarter(ws, Q4, ref, stored=False)
    reused = stages.compute_quarter(ws, Q4, ref)
    for name, frame in fresh.tables().items():
        pd.testing.assert_frame_equal(reused.tables()[name], frame, obj=name)
    from pipeline.stored import stored_quarter

    default = stages.as_of_default(ref, Q3)
    assert stored_quarter(ws, Q3, ref, default) is not None
    write_xlsx(ws.quarter_inputs(Q3) / "陕州区.xlsx", q3_return(ref, "shanzhou"))
    assert stored_quarter(ws, Q3, ref, default) is None  # inputs changed: recomputed
    assert "shanzhou" in set(stages.compute_quarter(ws, Q4, ref).previous.ledger["unit_id"])


# ---- outputs that agree ---------------------------------------------------------------------
def test_run_and_check_write_the_same_issue_list_and_feedback(two_in):
    out = two_in / "outputs" / "2020Q3"
    CliRunner().invoke(main, ["run", "2020Q3", "-w", str(two_in)])
    after_run = {p: _values(out / p) for p in ("问题清单.xlsx", "反馈/灵宝市.xlsx", "反馈/湖滨区.xlsx")}
    assert CliRunner().invoke(main, ["check", "2020Q3", "-w", str(two_in)]).exit_code == 1
    assert {p: _values(out / p) for p in after_run} == after_run
    assert (out / "通报_2020Q3.docx").exists()  # same inputs: the run's outputs stay


def test_check_lists_the_consistency_warnings_run_lists(tmp_path, ref):
    """A task done last quarter and 推进中 now: run warns (consistency-undone); check of the
    same quarter writes the very same 问题清单 and feedback."""
    ws = Workspace(tmp_path)
    write_xlsx(ws.quarter_inputs(Q3) / "灵宝市.xlsx",
               q3_return(ref, "lingbao", tasks={1: {"完成状态": "已完成", "完成时间": "2020-08-01"}}))
    write_xlsx(ws.quarter_inputs(Q4) / "灵宝市.xlsx", q4_return(ref, "lingbao"))
    out = ws.quarter_outputs(Q4)
    assert CliRunner().invoke(main, ["check", "2020Q4", "-w", str(tmp_path)]).exit_code == 0
    after_check = {p: _values(out / p) for p in ("问题清单.xlsx", "反馈/灵宝市.xlsx")}
    codes = [row[4] for row in after_check["问题清单.xlsx"]["问题清单"][1:]]
    assert "consistency-undone" in codes
    run_quarter(ws, Q4, ref)
    assert {p: _values(out / p) for p in after_check} == after_check


def _values(path):
    wb = openpyxl.load_workbook(path)
    return {ws.title: [[c.value for c in row] for row in ws.iter_rows()] for ws in wb}


def test_nothing_outlives_the_inputs_it_describes(two_in, ref):
    ws = two_in
    out = ws / "outputs" / "2020Q3"
    folder = ws / "inputs" / "2020Q3"
    CliRunner().invoke(main, ["run", "2020Q3", "-w", str(ws)])
    assert {"灵宝市.xlsx", "湖滨区.xlsx"} <= {p.name for p in (out / "反馈").iterdir()}
    # 湖滨区's file is withdrawn, 灵宝市's becomes unreadable; only `check` is run
    (folder / "湖滨区.xlsx").unlink()
    (folder / "灵宝市.xlsx").write_bytes(b"PK\x03\x04 not a workbook")
    result = CliRunner().invoke(main, ["check", "2020Q3", "-w", str(ws)])
    assert "原通报与数据表已移除" in result.stderr
    names = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert "反馈/湖滨区.xlsx" not in names  # its return is gone: so is its feedback
    assert not any(n.startswith(("通报_", "data/", "charts/")) or n == "manifest.json" for n in names)
    lingbao = out / "反馈" / "灵宝市.xlsx"
    if lingbao.exists():  # a unit named by its file: told its file was not read, never "no problems"
        text = json.dumps(_values(lingbao), ensure_ascii=False)
        assert "本期报表未发现需整改的问题" not in text
    issues = _values(out / "问题清单.xlsx")["问题清单"]
    assert any("灵宝市.xlsx" in str(row[1]) for row in issues[1:])
    assert not any("任务进展!D3" in str(row[1]) for row in issues[1:])  # the old rejection is gone


def test_templates_survive_a_run(two_in, ref):
    templates = two_in / "outputs" / "2020Q3" / "templates"
    templates.mkdir(parents=True)
    (templates / "灵宝市.xlsx").write_bytes(b"template")
    run_quarter(Workspace(two_in), Q3, ref)
    assert (templates / "灵宝市.xlsx").read_bytes() == b"template"


def test_a_published_record_is_copied_whole(two_in, ref):
    ws = Workspace(two_in)
    publish_quarter(ws, Q3, ref, "1号", dt.date(2020, 10, 9))
    shutil.rmtree(ws.data_dir(Q3))
    write_xlsx(ws.quarter_inputs(Q4) / "灵宝市.xlsx", q4_return(ref, "lingbao"))
    cli = CliRunner().invoke(main, ["run", "2020Q4", "-w", str(two_in)])
    assert cli.exit_code == 2 and "已发布的2020年第三季度数据表缺失或损坏" in cli.output


def test_a_file_that_became_unreadable_gets_new_feedback(two_in):
    """湖滨区's clean return is replaced by a damaged file between two checks: its feedback no
    longer says there is nothing to fix, it names the file and what to do."""
    import openpyxl

    runner = CliRunner()
    assert runner.invoke(main, ["check", "2020Q3", "-w", str(two_in)]).exit_code == 1  # 灵宝市's error
    feedback = two_in / "outputs" / "2020Q3" / "反馈" / "湖滨区.xlsx"
    clean = "\n".join(str(c.value) for row in openpyxl.load_workbook(feedback).active.iter_rows() for c in row)
    assert "本期报表未发现需整改的问题" in clean
    (two_in / "inputs" / "2020Q3" / "湖滨区.xlsx").write_bytes(b"PK\x03\x04 damaged in the mail")
    runner.invoke(main, ["check", "2020Q3", "-w", str(two_in)])
    text = "\n".join(str(c.value) for row in openpyxl.load_workbook(feedback).active.iter_rows() for c in row)
    assert "本期报表未发现需整改的问题" not in text and "湖滨区.xlsx" in text
