"""The folder reader and the ledger: receipt log, timeliness, supersession, rejected files."""

from __future__ import annotations

import pandas as pd
from fixtures_returns import standard_return, write_xlsx

from pipeline import schemas, stages
from pipeline.dates import Quarter

Q = Quarter(2020, 3)  # due 2020-09-20


def folder(tmp_path):
    f = tmp_path / "inputs" / "2020Q3"
    f.mkdir(parents=True)
    return f



def decided(folder, ref, quarter):
    """Read a folder and decide its ledger (reconcile): what these tests are about."""
    return stages.reconcile(stages.intake(folder, ref, quarter), ref, quarter)

def ledger_row(intake, file):
    return intake.ledger.set_index("file").loc[file]


def issue_codes(intake, file=None):
    i = intake.issues
    if file is not None:
        i = i[i["file"] == file]
    return list(zip(i["code"], i["cell"].fillna(""), strict=True))


def test_receipt_log_beats_filled_on_date(tmp_path, ref):
    f = folder(tmp_path)
    write_xlsx(f / "灵宝市.xlsx", standard_return(ref, "lingbao", filled="2020-09-15"))
    write_xlsx(f / "湖滨区.xlsx", standard_return(ref, "hubin", filled="2020/9/18"))
    (f / "收文登记.csv").write_text("文件,收文日期\n灵宝市.xlsx,2020年9月22日\n", encoding="utf-8-sig")
    intake = decided(f, ref, Q)
    lb, hb = ledger_row(intake, "灵宝市.xlsx"), ledger_row(intake, "湖滨区.xlsx")
    assert (lb["submitted_on"], lb["submitted_source"], lb["on_time"]) == (pd.Timestamp("2020-09-22"), "收文登记", False)
    assert (hb["submitted_on"], hb["submitted_source"], hb["on_time"]) == (pd.Timestamp("2020-09-18"), "填报日期", True)
    assert intake.issues.empty


def test_receipt_log_without_bom_and_unmatched_name(tmp_path, ref):
    f = folder(tmp_path)
    write_xlsx(f / "灵宝市.xlsx", standard_return(ref))
    (f / "收文登记.csv").write_text("序号,文件,收文日期\n1, 灵宝市 ,2020.9.19\n2,义马市.xlsx,2020-09-10\n", encoding="utf-8")
    intake = decided(f, ref, Q)
    assert ledger_row(intake, "灵宝市.xlsx")["submitted_on"] == pd.Timestamp("2020-09-19")
    assert [(r.code, r.severity) for r in intake.issues.itertuples()] == [("receipt-log-bad", "warning")]


def test_bad_receipt_log_is_an_issue_and_the_run_goes_on(tmp_path, ref):
    f = folder(tmp_path)
    write_xlsx(f / "灵宝市.xlsx", standard_return(ref))
    (f / "收文登记.csv").write_text("名称,日期\n灵宝市.xlsx,2020-09-22\n", encoding="utf-8")
    intake = decided(f, ref, Q)
    assert issue_codes(intake) == [("receipt-log-bad", "")]
    assert ledger_row(intake, "灵宝市.xlsx")["submitted_source"] == "填报日期"


def test_bad_date_in_receipt_log_names_the_cell(tmp_path, ref):
    f = folder(tmp_path)
    write_xlsx(f / "灵宝市.xlsx", standard_return(ref))
    (f / "收文登记.csv").write_text("文件,收文日期\n灵宝市.xlsx,九月\n", encoding="utf-8")
    intake = decided(f, ref, Q)
    assert issue_codes(intake) == [("receipt-log-bad", "B2")]
    assert ledger_row(intake, "灵宝市.xlsx")["submitted_on"] == pd.Timestamp("2020-09-15")


def test_resubmission_supersedes_earlier_return(tmp_path, ref):
    f = folder(tmp_path)
    write_xlsx(f / "灵宝市-修改版.xlsx", standard_return(ref, filled="2020-09-18", status="未启动"))
    write_xlsx(f / "灵宝市.xlsx", standard_return(ref, filled="2020-09-10"))
    intake = decided(f, ref, Q)
    assert ledger_row(intake, "灵宝市.xlsx")["state"] == "superseded"
    assert ledger_row(intake, "灵宝市-修改版.xlsx")["state"] == "accepted"
    # the verdict rules' issues on the accepted return (未启动 on ongoing tasks) follow
    assert issue_codes(intake)[0] == ("duplicate-return", "")
    assert not any(code.startswith(("file-", "unit-", "sheet-")) for code, _ in issue_codes(intake))
    assert intake.issues.iloc[0]["file"] == "灵宝市.xlsx"
    assert set(intake.task_progress["file"]) == {"灵宝市-修改版.xlsx"}
    assert set(intake.task_progress["status"]) == {"not_started"}


def test_same_date_resubmission_name_sorting_last_wins(tmp_path, ref):
    f = folder(tmp_path)
    write_xlsx(f / "b.xlsx", standard_return(ref))
    write_xlsx(f / "a.xlsx", standard_return(ref))
    intake = decided(f, ref, Q)
    assert list(intake.ledger["state"]) == ["superseded", "accepted"]


def test_non_workbook_rejected_and_not_returns_ignored(tmp_path, ref):
    f = folder(tmp_path)
    write_xlsx(f / "灵宝市.xlsx", standard_return(ref))
    (f / "说明.docx").write_bytes(b"PK\x03\x04")
    (f / ".DS_Store").write_bytes(b"\0")
    (f / "~$灵宝市.xlsx").write_bytes(b"\0")
    (f / "目录").mkdir()
    (f / "目录" / "灵宝市目录.xlsx").write_bytes(b"")
    (f / "收文登记.csv").write_text("文件,收文日期\n", encoding="utf-8")
    (f / "报表.txt").write_text("x")
    intake = decided(f, ref, Q)
    # every file of the folder is in the ledger once; the log and 目录/ are the office's own
    assert list(intake.ledger["file"]) == [".DS_Store", "~$灵宝市.xlsx", "报表.txt", "灵宝市.xlsx", "说明.docx"]
    led = intake.ledger.set_index("file")
    assert list(led["state"]) == ["ignored", "ignored", "rejected", "accepted", "ignored"]
    assert "附件" in led.loc["说明.docx", "reason"] and "临时文件" in led.loc["~$灵宝市.xlsx", "reason"]
    assert "不是Excel工作簿" in led.loc["报表.txt", "reason"] and pd.isna(led.loc["说明.docx", "unit_id"])
    assert issue_codes(intake) == [("file-unreadable", "")]  # the .txt only: ignored files raise none


def test_no_submission_date_anywhere(tmp_path, ref):
    f = folder(tmp_path)
    write_xlsx(f / "灵宝市.xlsx", standard_return(ref, filled=""))
    intake = decided(f, ref, Q)
    row = ledger_row(intake, "灵宝市.xlsx")
    assert pd.isna(row["submitted_on"]) and not row["on_time"] and row["state"] == "accepted"
    # both point at the empty 填报日期 value cell (基本信息!B4)
    assert issue_codes(intake) == [("info-missing", "B4"), ("submitted-on-missing", "B4")]


def test_unknown_unit_rejected_in_ledger_and_rows_dropped(tmp_path, ref):
    f = folder(tmp_path)
    write_xlsx(f / "报表.xlsx", standard_return(ref, unit="某某局", meta=False))
    intake = decided(f, ref, Q)
    assert ledger_row(intake, "报表.xlsx")["state"] == "rejected"
    assert intake.task_progress.empty and intake.domain_progress.empty


def test_tables_match_the_contract(tmp_path, ref):
    f = folder(tmp_path)
    write_xlsx(f / "灵宝市.xlsx", standard_return(ref, tasks={2: {"完成状态": "基本完成"}}))
    write_xlsx(f / "rsj.xlsx", standard_return(ref, "rsj"))
    (f / "x.txt").write_text("x")
    intake = decided(f, ref, Q)
    for name in ("ledger", "task_progress", "domain_progress", "issues"):
        frame = getattr(intake, name)
        assert list(frame.columns)[: len(schemas.TABLE_COLUMNS[name])] == schemas.TABLE_COLUMNS[name]
        schemas.validate(name, frame)
    assert intake.ledger["submitted_on"].dtype == "datetime64[ns]"
    assert intake.ledger["on_time"].dtype == bool
    assert set(intake.domain_progress["kind"]) == {"catalogue", "plan"}


def test_reconcile_accepts_the_intake(tmp_path, ref):
    from pipeline.reconcile import reconciliation

    f = folder(tmp_path)
    write_xlsx(f / "灵宝市.xlsx", standard_return(ref, tasks={1: {"完成状态": "已完成", "完成时间": "2020-05-20"}}))
    intake = decided(f, ref, Q)
    recon = reconciliation(intake.task_progress, intake.ledger, ref, Q, Q.due_date())
    row = recon[(recon["unit_id"] == "lingbao") & (recon["task_id"] == 1)].iloc[0]
    assert row["verdict"] == "on_time"


def test_receipt_log_saved_by_chinese_excel_in_gbk(tmp_path, ref):
    f = folder(tmp_path)
    write_xlsx(f / "灵宝市.xlsx", standard_return(ref, filled="2020-09-15"))
    (f / "收文登记.csv").write_bytes("文件,收文日期\r\n灵宝市.xlsx,2020/9/21\r\n".encode("gbk"))
    intake = decided(f, ref, Q)
    row = ledger_row(intake, "灵宝市.xlsx")
    assert (row["submitted_on"], row["submitted_source"], row["on_time"]) == (pd.Timestamp("2020-09-21"), "收文登记", False)
    assert intake.issues.empty


def test_receipt_log_lists_a_file_twice_with_different_dates(tmp_path, ref):
    f = folder(tmp_path)
    write_xlsx(f / "灵宝市.xlsx", standard_return(ref))
    (f / "收文登记.csv").write_text("文件,收文日期\n灵宝市.xlsx,2020-09-18\n灵宝市.xlsx,2020-09-25\n", encoding="utf-8")
    intake = decided(f, ref, Q)
    assert issue_codes(intake) == [("receipt-log-bad", "B3")]
    assert ledger_row(intake, "灵宝市.xlsx")["submitted_on"] == pd.Timestamp("2020-09-18")  # the first entry


def test_every_file_is_in_the_ledger_with_its_state_and_reason(tmp_path, ref):
    f = folder(tmp_path)
    write_xlsx(f / "灵宝市.xlsx", standard_return(ref, filled="2020-09-10"))
    write_xlsx(f / "灵宝市（修改）.xlsx", standard_return(ref, filled="2020-09-12"))
    write_xlsx(f / "报表.xlsx", standard_return(ref, unit="某某局", meta=False))
    no_sheet = standard_return(ref, "hubin")
    del no_sheet["任务进展"]
    write_xlsx(f / "湖滨区.xlsx", no_sheet)
    (f / "通知.xlsx").write_bytes(b"%PDF-1.4\n")
    (f / "义马市.xlsx").write_bytes(b"PK\x03\x04broken")
    intake = decided(f, ref, Q)
    led = intake.ledger.set_index("file")
    assert len(led) == 6
    expect = {"灵宝市.xlsx": ("superseded", "已被“灵宝市（修改）.xlsx”替代"),
              "灵宝市（修改）.xlsx": ("accepted", ""),
              "报表.xlsx": ("rejected", "无法识别填报单位“某某局”"),
              "湖滨区.xlsx": ("rejected", "找不到“任务进展”工作表"),
              "通知.xlsx": ("rejected", "这是PDF文件"),
              "义马市.xlsx": ("rejected", "已损坏")}
    for file, (state, reason) in expect.items():
        assert led.loc[file, "state"] == state, file
        assert reason in led.loc[file, "reason"] if reason else led.loc[file, "reason"] == "", file
    assert led.loc["湖滨区.xlsx", "unit_id"] == "hubin"  # known unit, unusable return
