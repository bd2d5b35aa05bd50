"""One fixture workbook per real-world deviation or defect; each test asserts the exact value read
or the exact issue (code and cell)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from fixtures_returns import find_row, standard_return, write_xls, write_xlsx

from pipeline import names as N
from pipeline.dates import Quarter
from pipeline.ingest import read_return
from pipeline.reconcile import applicable_domains, applicable_tasks
from pipeline.schemas import TABLE_COLUMNS

Q = Quarter(2020, 3)


def read(tmp_path, ref, sheets, name="灵宝市.xlsx", merged=None):
    path = tmp_path / name
    if name.endswith(".xls"):
        write_xls(path, sheets)
    else:
        write_xlsx(path, sheets, merged)
    return read_return(path, ref, Q)


def codes(parsed):
    return [(i.code, i.sheet, i.cell) for i in parsed.issues]


def applied(parsed, ref):
    """(task rows, domain rows, issue codes) once reconcile has set aside what does not apply."""
    tasks, t_issues = applicable_tasks(parsed.tasks, ref)
    domains, d_issues = applicable_domains(parsed.domains, ref)
    later = [(r.code, r.sheet, r.cell) for f in (t_issues, d_issues) for r in f.itertuples()]
    return tasks, domains, codes(parsed) + later


def task(parsed, task_id):
    hit = parsed.tasks[parsed.tasks["task_id"] == task_id]
    assert len(hit) == 1, parsed.tasks
    return hit.iloc[0]


def test_clean_template_return_reads_without_issues(tmp_path, ref):
    p = read(tmp_path, ref, standard_return(ref, tasks={1: {"完成状态": "已完成", "完成时间": dt.date(2020, 5, 31)}}))
    assert p.unit_id == "lingbao" and p.unit_source == N.SHEET_META and not p.rejected
    assert p.issues == []
    assert p.filled_on == dt.date(2020, 9, 15)
    assert list(p.tasks["task_id"]) == [1, 2, 3, 5, 6, 7, 8, 10, 11, 12, 13, 14]
    row = task(p, 1)
    assert row["status"] == "done" and row["completed_on"] == pd.Timestamp("2020-05-31")
    assert (row["status_cell"], row["date_cell"], row["source"]) == ("D2", "E2", "灵宝市.xlsx!任务进展!2")
    assert len(p.domains) == 26 and set(p.domains["kind"]) == {"catalogue"}
    assert p.tasks["completed_on"].dtype == "datetime64[ns]" and p.tasks["task_id"].dtype == "int64"


def test_title_rows_above_header(tmp_path, ref):
    sheets = standard_return(ref, tasks={3: {"完成状态": "已完成", "完成时间": "2020-06-20"}})
    title = ["灵宝市基层政务公开标准化规范化工作进展情况表"] + [""] * 7
    sheets[N.SHEET_TASKS] = [title, ["（2020年第三季度）"], [], *sheets[N.SHEET_TASKS]]
    p = read(tmp_path, ref, sheets, merged={N.SHEET_TASKS: ["A1:H1"]})
    assert p.issues == []
    row = task(p, 3)
    assert (row["status"], row["status_cell"], row["date_cell"]) == ("done", "D7", "E7")
    assert row["source"].endswith("!任务进展!7")


def test_reordered_and_extra_columns(tmp_path, ref):
    sheets = standard_return(ref, tasks={1: {"完成状态": "已完成", "完成时间": "2020-05-20", "进展情况": "已印发"}})
    header, *rows = sheets[N.SHEET_TASKS]
    order = ["进展情况", "完成时间", "工作任务", "完成状态", "任务编号", "时间进度", "佐证材料", "存在问题及下一步措施"]
    idx = [header.index(h) for h in order]
    new = [["序号", "责任科室", *order]] + [[i + 1, "办公室", *[r[j] for j in idx]] for i, r in enumerate(rows)]
    sheets[N.SHEET_TASKS] = new
    p = read(tmp_path, ref, sheets)
    assert p.issues == []
    row = task(p, 1)  # 任务编号 beats 序号 as the task-number column
    assert (row["status"], row["note"], row["status_cell"], row["date_cell"]) == ("done", "已印发", "F2", "D2")
    assert row["completed_on"] == pd.Timestamp("2020-05-20")


def test_full_width_numbers_and_stray_spaces(tmp_path, ref):
    sheets = standard_return(ref)
    rows = sheets[N.SHEET_TASKS]
    rows[find_row(rows, 1) - 1][0] = "１"
    rows[find_row(rows, 2) - 1][0] = " 2 "
    rows[find_row(rows, 3) - 1][0] = "3.0"
    rows[find_row(rows, 5) - 1][0] = 5.0
    rows[1][3] = " 已　完成 "
    rows[1][4] = "２０２０年５月３１日"
    sheets[N.SHEET_TASKS] = [["任务 编号", "工作任务", "时间进度", "完成状态：", "完成时间（年月日）", "进展情况", "佐证材料", "存在问题"], *rows[1:]]
    p = read(tmp_path, ref, sheets)
    assert p.issues == []
    assert list(p.tasks["task_id"][:4]) == [1, 2, 3, 5]
    row = task(p, 1)
    assert row["status"] == "done" and row["completed_on"] == pd.Timestamp("2020-05-31")


def test_merged_cells(tmp_path, ref):
    sheets = standard_return(ref)
    rows = sheets[N.SHEET_TASKS]
    r1, r2 = find_row(rows, 1), find_row(rows, 2)
    rows[r1 - 1][6] = "灵政办〔2020〕12号"       # 佐证材料 merged over tasks 1 and 2
    # task 3 spans two rows: its number merged vertically, the second row adds more progress text
    r3 = find_row(rows, 3)
    rows.insert(r3, ["", "", "", "", "", "另：已开展培训", "", ""])
    p = read(tmp_path, ref, sheets, merged={N.SHEET_TASKS: [f"G{r1}:G{r2}", f"A{r3}:A{r3 + 1}"]})
    assert p.issues == []
    assert task(p, 1)["evidence"] == task(p, 2)["evidence"] == "灵政办〔2020〕12号"
    assert task(p, 3)["note"] == "正在推进\n另：已开展培训"
    assert task(p, 5)["status_cell"] == f"D{r3 + 2}"


def test_note_and_blank_rows(tmp_path, ref):
    sheets = standard_return(ref)
    rows = sheets[N.SHEET_TASKS]
    rows.insert(3, [])
    rows.insert(4, ["注：完成状态请从下拉列表中选择"])
    rows.append([])
    rows.append(["说明", "1.完成时间填写实际完成日期"])
    rows.append(["", "填表人：张三"])
    p = read(tmp_path, ref, sheets)
    assert p.issues == []
    assert len(p.tasks) == 12


DATE_FORMS = [dt.datetime(2020, 5, 31), dt.date(2020, 5, 31), 43982, "43982", "2020-05-31", "2020/5/31",
              "2020.5.31", "2020年5月31日", "2020-05-31 00:00:00"]


@pytest.mark.parametrize("value", DATE_FORMS, ids=[repr(v) for v in DATE_FORMS])
def test_each_date_form(tmp_path, ref, value):
    sheets = standard_return(ref, tasks={1: {"完成状态": "已完成", "完成时间": value}})
    p = read(tmp_path, ref, sheets)
    assert p.issues == []
    assert task(p, 1)["completed_on"] == pd.Timestamp("2020-05-31")


def test_unparseable_date_is_an_error_naming_the_cell(tmp_path, ref):
    p = read(tmp_path, ref, standard_return(ref, tasks={2: {"完成状态": "已完成", "完成时间": "5月底"}}))
    assert codes(p) == [("date-invalid", "任务进展", "E3")]
    assert "“5月底”无法识别" in p.issues[0].message
    row = task(p, 2)
    assert row["date_invalid"] and pd.isna(row["completed_on"]) and row["status"] == "done"


def test_basically_done_is_invalid_never_a_guess(tmp_path, ref):
    p = read(tmp_path, ref, standard_return(ref, tasks={2: {"完成状态": "基本完成"}}))
    assert codes(p) == [("status-invalid", "任务进展", "D3")]
    assert p.issues[0].message == "完成状态“基本完成”不是规定选项，请改为：已完成、推进中、未启动、持续推进、不适用之一"
    assert pd.isna(task(p, 2)["status"]) and task(p, 2)["status_text"] == "基本完成"


def test_empty_status_is_missing(tmp_path, ref):
    p = read(tmp_path, ref, standard_return(ref, tasks={5: {"完成状态": ""}}))
    assert codes(p) == [("status-missing", "任务进展", "D5")]
    assert pd.isna(task(p, 5)["status"])


def test_status_synonym_words(tmp_path, ref):
    p = read(tmp_path, ref, standard_return(ref, tasks={1: {"完成状态": "完成", "完成时间": "2020-5-1"},
                                                        2: {"完成状态": "进行中"}, 12: {"完成状态": "常态化推进"}}))
    assert p.issues == []
    assert (task(p, 1)["status"], task(p, 2)["status"], task(p, 12)["status"]) == ("done", "in_progress", "ongoing")


def test_unknown_unit_is_rejected_with_suggestions(tmp_path, ref):
    p = read(tmp_path, ref, standard_return(ref, unit="灵宝县人民政府", meta=False), name="季度报表.xlsx")
    assert p.rejected and p.unit_id is None
    assert codes(p) == [("unit-unknown", "基本信息", "B2")]
    assert "灵宝县人民政府" in p.issues[0].message and "是否为：灵宝市" in p.issues[0].message
    assert p.tasks.empty


@pytest.mark.parametrize(("written", "unit_id", "ext"), [("灵宝市人民政府", "lingbao", ".xlsx"),
                                                          ("市人社局", "rsj", ".xls"),
                                                          ("三门峡经济开发区（管委会）", "kfq", ".xlsx")])
def test_alias_unit_names(tmp_path, ref, written, unit_id, ext):
    p = read(tmp_path, ref, standard_return(ref, unit_id, unit=written, meta=False), name="进展表" + ext)
    assert (p.unit_id, p.unit_source) == (unit_id, N.SHEET_INFO)
    assert p.issues == [] and not p.rejected


def test_unit_from_file_name(tmp_path, ref):
    sheets = standard_return(ref, "lushi", meta=False)
    del sheets[N.SHEET_INFO]
    p = read(tmp_path, ref, sheets, name="2020Q3-卢氏县进展情况.xlsx")
    assert (p.unit_id, p.unit_source) == ("lushi", "文件名")
    assert codes(p) == [("info-missing", "基本信息", "")]
    assert p.filled_on is None and len(p.tasks) == 11


def test_wrong_unit_name_but_file_name_known(tmp_path, ref):
    p = read(tmp_path, ref, standard_return(ref, unit="灵宝市政务公开办", meta=False), name="灵宝市.xlsx")
    assert p.unit_id == "lingbao" and not p.rejected
    assert [(i.code, i.severity, i.cell) for i in p.issues] == [("unit-unknown", "warning", "B2")]


def test_meta_wins_over_written_name(tmp_path, ref):
    p = read(tmp_path, ref, standard_return(ref, "hubin", unit="湖滨区"), name="whatever.xlsx")
    assert (p.unit_id, p.unit_source) == ("hubin", N.SHEET_META)


def test_retyped_return_with_labels_above_table(tmp_path, ref):
    sheets = standard_return(ref, meta=False)
    table = sheets[N.SHEET_TASKS]
    sheets = {"Sheet1": [["进展情况表"], ["填报单位：灵宝市人民政府", "", "", "填报日期：2020年9月16日"],
                         ["所属季度", "2020年第三季度", "填报人", "王五", "联系电话", "123"], *table]}
    p = read(tmp_path, ref, sheets, name="a.xlsx")
    assert p.unit_id == "lingbao" and p.filled_on == dt.date(2020, 9, 16)
    assert task(p, 1)["source"] == "a.xlsx!Sheet1!5"
    assert codes(p) == [("sheet-missing", "试点领域", "")]


def test_info_label_in_any_column(tmp_path, ref):
    sheets = standard_return(ref, meta=False)
    sheets[N.SHEET_INFO] = [[], ["", "填报单位：", "", "灵宝市"], ["", "填报日期", "2020.9.12"],
                            ["", "填报人", "张三", "联系电话", "1"], ["", "所属季度", "2020-Q3"]]
    p = read(tmp_path, ref, sheets, merged={N.SHEET_INFO: ["B2:C2"]})
    assert p.unit_id == "lingbao" and p.filled_on == dt.date(2020, 9, 12) and p.issues == []


def test_bad_filled_on_date(tmp_path, ref):
    p = read(tmp_path, ref, standard_return(ref, filled="九月中旬"))
    assert codes(p) == [("date-invalid", "基本信息", "B4")] and p.filled_on is None


def test_stated_quarter_is_recorded_for_reconcile(tmp_path, ref):
    p = read(tmp_path, ref, standard_return(ref, quarter="2020年第二季度"))
    assert p.issues == [] and not p.rejected  # what another quarter means is reconcile's decision
    assert (p.quarter_text, p.quarter_at) == ("2020年第二季度", ("基本信息", "B3"))


def test_task_rows_not_assigned_unknown_and_duplicate(tmp_path, ref):
    sheets = standard_return(ref)
    rows = sheets[N.SHEET_TASKS]
    rows.append([4, "牵头部门任务", "2020年7月底", "推进中", "", "", "", ""])
    rows.append([99, "?", "", "推进中", "", "", "", ""])
    rows.append([1, "重复", "", "已完成", "2020-05-01", "", "", ""])
    rows.append([9, "不适用的任务", "", "不适用", "", "", "", ""])  # not ours and says so: ignored
    p = read(tmp_path, ref, sheets)
    n = len(rows)
    # ingest keeps every row with a known number; reconcile sets aside what is not the unit's
    assert codes(p) == [("task-unknown", "任务进展", f"A{n - 2}")]
    assert {4, 9} <= set(p.tasks["task_id"]) and p.tasks["task_id"].tolist().count(1) == 2
    tasks, _, found = applied(p, ref)
    assert found == [("task-unknown", "任务进展", f"A{n - 2}"), ("task-not-applicable", "任务进展", f"A{n - 3}"),
                     ("task-duplicate", "任务进展", f"A{n - 1}")]
    one = tasks[tasks["task_id"] == 1]
    assert one["status"].tolist() == ["in_progress"]  # the first row wins
    assert not {4, 9} & set(tasks["task_id"]) and list(tasks.columns) == TABLE_COLUMNS["task_progress"]


def test_repeated_row_of_a_task_not_assigned_is_not_a_duplicate(tmp_path, ref):
    sheets = standard_return(ref)
    rows = sheets[N.SHEET_TASKS]
    rows.append([4, "牵头部门任务", "", "不适用", "", "", "", ""])
    rows.append([4, "牵头部门任务", "", "推进中", "", "", "", ""])
    p = read(tmp_path, ref, sheets)
    n = len(rows)
    _, _, found = applied(p, ref)
    assert found == [("task-not-applicable", "任务进展", f"A{n}")]


def test_domain_defects_for_a_base_unit(tmp_path, ref):
    sheets = standard_return(ref, domains={1: {"事项数量": -3}, 2: {"事项数量": "若干"}, 3: {"事项数量": "35项"},
                                           4: {"目录编制状态": "基本完成"}, 5: {"完成时间": "2020年13月1日"}})
    rows = sheets[N.SHEET_DOMAINS]
    rows.append([27, "不存在", "编制中", 0, "", "", ""])
    rows.append([1, "城乡规划", "编制中", 1, "", "", ""])
    p = read(tmp_path, ref, sheets)
    _, domains, found = applied(p, ref)
    assert found == [("count-invalid", "试点领域", "D2"), ("count-invalid", "试点领域", "D3"),
                     ("status-invalid", "试点领域", "C5"), ("date-invalid", "试点领域", "F6"),
                     ("domain-unknown", "试点领域", "A28"), ("domain-duplicate", "试点领域", "A29")]
    d = domains.set_index("domain_id")
    assert d.loc[3, "item_count"] == 35 and pd.isna(d.loc[1, "item_count"]) and pd.isna(d.loc[4, "status"])
    assert len(d) == 26


def test_lead_department_plans(tmp_path, ref):
    sheets = standard_return(ref, "rsj", domains={21: {"实施方案状态": "已出台", "出台时间": "2020/7/15"}})
    sheets[N.SHEET_DOMAINS].append([1, "城乡规划", "已出台", "", "", ""])
    p = read(tmp_path, ref, sheets, name="rsj.xlsx")
    assert codes(p) == [] and 1 in set(p.domains["domain_id"])
    _, domains, found = applied(p, ref)
    assert found == [("domain-not-led", "试点领域", "A4")]
    d = domains.set_index("domain_id")
    assert list(d.index) == [21, 22] and set(d["kind"]) == {"plan"}
    assert d.loc[21, "status"] == "issued" and d.loc[21, "completed_on"] == pd.Timestamp("2020-07-15")


def test_domain_rows_by_name_when_number_missing(tmp_path, ref):
    sheets = standard_return(ref, domains={14: {"领域编号": "", "试点领域": "生态环境"}})
    p = read(tmp_path, ref, sheets)
    assert p.issues == [] and 14 in set(p.domains["domain_id"])


def test_genuine_xls_with_date_cells(tmp_path, ref):
    sheets = standard_return(ref, tasks={1: {"完成状态": "已完成", "完成时间": dt.date(2020, 5, 30)}}, meta=False,
                             filled=dt.date(2020, 9, 14))
    p = read(tmp_path, ref, sheets, name="灵宝市.xls")
    assert p.unit_id == "lingbao" and p.issues == []
    assert task(p, 1)["completed_on"] == pd.Timestamp("2020-05-30") and p.filled_on == dt.date(2020, 9, 14)


def test_xlsx_saved_as_xls_is_read_by_content(tmp_path, ref):
    path = write_xlsx(tmp_path / "x.xlsx", standard_return(ref))
    renamed = tmp_path / "灵宝市.xls"
    renamed.write_bytes(path.read_bytes())
    p = read_return(renamed, ref, Q)
    assert p.unit_id == "lingbao" and not p.rejected


def test_corrupt_workbook_is_rejected(tmp_path, ref):
    path = tmp_path / "灵宝市.xlsx"
    path.write_bytes(b"PK\x03\x04 this is not really a zip")
    p = read_return(path, ref, Q)
    assert p.rejected and codes(p) == [("file-unreadable", "", "")]
    assert "损坏" in p.reason


def test_encrypted_workbook_is_rejected(tmp_path, ref):
    path = tmp_path / "灵宝市.xlsx"  # an encrypted OOXML file is an OLE container with EncryptionInfo
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100 + "EncryptionInfo".encode("utf-16-le"))
    p = read_return(path, ref, Q)
    assert p.rejected and "密码" in p.reason


def test_missing_task_sheet_rejects_the_file(tmp_path, ref):
    sheets = standard_return(ref)
    del sheets[N.SHEET_TASKS]
    p = read(tmp_path, ref, sheets)
    assert p.rejected and codes(p) == [("sheet-missing", "任务进展", "")]


def test_office_return_is_accepted_with_warning(tmp_path, ref):
    sheets = standard_return(ref, "zwgkb")
    p = read(tmp_path, ref, sheets, name="市政府办.xlsx")
    assert p.unit_id == "zwgkb" and not p.rejected
    assert [i.code for i in p.issues] == ["unit-not-reporting"]


def test_info_sheet_with_value_and_hint_columns(tmp_path, ref):
    sheets = standard_return(ref)
    sheets[N.SHEET_INFO] = [["项目", "填写内容", "说明"], ["填报单位", "灵宝市", "已预填，请勿修改"],
                            ["所属季度", "2020年第三季度", "已预填"], ["填报日期", "", "填写报送当日日期，如 2021-03-15"],
                            ["填报人", "张三", ""], ["联系电话", "1", ""]]
    p = read(tmp_path, ref, sheets)
    assert p.filled_on is None
    assert codes(p) == [("info-missing", "基本信息", "B4")] and "填报日期" in p.issues[0].message


# ---- more deviations, one fixture each ------------------------------------------------------

def test_two_row_header_with_merged_group_cell(tmp_path, ref):
    """完成情况 merged over 完成状态 | 完成时间, the other headers merged down over both rows."""
    sheets = standard_return(ref, tasks={1: {"完成状态": "已完成", "完成时间": "2020-05-01"}})
    rows = sheets[N.SHEET_TASKS][1:]
    sheets[N.SHEET_TASKS] = [["灵宝市工作进展表"], ["任务编号", "工作任务", "时间进度", "完成情况", "", "进展情况", "佐证材料", "存在问题"],
                             ["", "", "", "完成状态", "完成时间", "", "", ""], *rows]
    merged = ["A1:H1", "A2:A3", "B2:B3", "C2:C3", "D2:E2", "F2:F3", "G2:G3", "H2:H3"]
    p = read(tmp_path, ref, sheets, merged={N.SHEET_TASKS: merged})
    assert p.issues == []
    row = task(p, 1)
    assert (row["status"], row["completed_on"], row["status_cell"], row["date_cell"]) == (
        "done", pd.Timestamp("2020-05-01"), "D4", "E4")
    assert len(p.tasks) == 12


def test_header_written_only_in_synonyms(tmp_path, ref):
    sheets = standard_return(ref, meta=False, tasks={1: {"完成状态": "已完成", "完成时间": "2020/5/3", "进展情况": "已印发"}})
    sheets[N.SHEET_TASKS][0] = ["序号", "任务内容", "完成时限", "完成情况", "完成日期", "工作进展", "证明材料", "问题及措施"]
    p = read(tmp_path, ref, sheets)
    assert p.issues == []
    row = task(p, 1)
    assert (row["status"], row["completed_on"], row["note"]) == ("done", pd.Timestamp("2020-05-03"), "已印发")
    assert (row["status_cell"], row["date_cell"]) == ("D2", "E2")


def test_domain_numbers_full_width_spaced_and_float(tmp_path, ref):
    sheets = standard_return(ref, domains={1: {"领域编号": "１", "事项数量": "１２"}, 2: {"领域编号": " 2 "},
                                           3: {"领域编号": "3.0"}, 4: {"领域编号": 4.0}})
    p = read(tmp_path, ref, sheets)
    assert p.issues == []
    d = p.domains.set_index("domain_id")
    assert list(d.index[:4]) == [1, 2, 3, 4] and d.loc[1, "item_count"] == 12


@pytest.mark.parametrize("ext", [".xlsx", ".xls"])
def test_codes_stay_text(tmp_path, ref, ext):
    """A code typed as text keeps its leading zeros: no "001" → 1."""
    sheets = standard_return(ref, tasks={1: {"佐证材料": "001", "进展情况": "0398"}},
                             domains={1: {"公开网址": "007"}})
    p = read(tmp_path, ref, sheets, name="灵宝市" + ext)
    assert (task(p, 1)["evidence"], task(p, 1)["note"]) == ("001", "0398")
    assert p.domains.set_index("domain_id").loc[1, "url"] == "007"


def test_macro_enabled_xlsm(tmp_path, ref):
    """A genuine .xlsm: the macro-enabled content type, as Excel saves it."""
    import zipfile

    src = write_xlsx(tmp_path / "src.xlsx", standard_return(ref, tasks={1: {"完成状态": "已完成", "完成时间": "2020-05-31"}}))
    dst = tmp_path / "灵宝市.xlsm"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item)
            if item.filename == "[Content_Types].xml":
                data = data.replace(b"spreadsheetml.sheet.main+xml", b"ms-excel.sheet.macroEnabled.main+xml")
                assert b"macroEnabled" in data
            zout.writestr(item, data)
    p = read_return(dst, ref, Q)
    assert p.unit_id == "lingbao" and p.issues == []
    assert task(p, 1)["completed_on"] == pd.Timestamp("2020-05-31") and len(p.tasks) == 12


def test_template_of_another_unit_relabelled(tmp_path, ref):
    """_meta says 湖滨区, 填报单位 says 陕州区: read as 湖滨区 (DESIGN §2), but never silently."""
    p = read(tmp_path, ref, standard_return(ref, "hubin", unit="陕州区"), name="报表.xlsx")
    assert (p.unit_id, p.unit_source) == ("hubin", N.SHEET_META)
    assert [(i.code, i.severity, i.sheet, i.cell) for i in p.issues] == [("unit-mismatch", "error", "基本信息", "B2")]
    assert "陕州区" in p.issues[0].message and "湖滨区" in p.issues[0].message


def test_info_sheet_under_another_name(tmp_path, ref):
    sheets = standard_return(ref, meta=False)
    sheets = {"封面": [["进展情况报送表"]], "基本情况": sheets.pop(N.SHEET_INFO), **sheets}
    p = read(tmp_path, ref, sheets, name="报表.xlsx")
    assert (p.unit_id, p.unit_source) == ("lingbao", N.SHEET_INFO)
    assert p.filled_on == dt.date(2020, 9, 15) and p.issues == []


def test_near_miss_unit_name_is_never_auto_matched(tmp_path, ref):
    p = read(tmp_path, ref, standard_return(ref, unit="灵宝市人民政俯", meta=False), name="报表.xlsx")
    assert p.rejected and p.unit_id is None
    assert codes(p) == [("unit-unknown", "基本信息", "B2")]
    assert "是否为：灵宝市" in p.issues[0].message


# DESIGN §4, copied by hand: every accepted word and its code.
STATUS_WORDS = [("已完成", "done"), ("完成", "done"), ("推进中", "in_progress"), ("进行中", "in_progress"),
                ("正在推进", "in_progress"), ("未启动", "not_started"), ("未开始", "not_started"),
                ("持续推进", "ongoing"), ("长期坚持", "ongoing"), ("常态化推进", "ongoing")]


@pytest.mark.parametrize(("word", "code"), STATUS_WORDS)
def test_each_status_word(tmp_path, ref, word, code):
    p = read(tmp_path, ref, standard_return(ref, tasks={3: {"完成状态": word, "完成时间": "2020-06-01"}}))
    assert p.issues == [] and task(p, 3)["status"] == code


def test_not_applicable_words_are_read(tmp_path, ref):
    """不适用/无此项 are read as not_applicable; on an assigned task the verdict rules flag them."""
    p = read(tmp_path, ref, standard_return(ref, tasks={3: {"完成状态": "不适用"}, 6: {"完成状态": "无此项"}}))
    assert p.issues == [] and task(p, 3)["status"] == task(p, 6)["status"] == "not_applicable"


@pytest.mark.parametrize("word", ["基本完成", "已基本完成", "部分完成", "大部分完成", "未完成", "完成90%", "√", "是"])
def test_vague_status_words_are_errors(tmp_path, ref, word):
    p = read(tmp_path, ref, standard_return(ref, tasks={3: {"完成状态": word}}))
    assert codes(p) == [("status-invalid", "任务进展", "D4")]
    assert pd.isna(task(p, 3)["status"]) and task(p, 3)["status_text"] == word


@pytest.mark.parametrize("value", ["2020年5月", "5月31日", "2020-5-31 15:30", "2020-02-30", "下旬", 12.5, 100])
def test_other_date_forms_are_errors_naming_the_cell(tmp_path, ref, value):
    p = read(tmp_path, ref, standard_return(ref, tasks={3: {"完成状态": "已完成", "完成时间": value}}))
    assert codes(p) == [("date-invalid", "任务进展", "E4")]
    assert task(p, 3)["date_invalid"] and pd.isna(task(p, 3)["completed_on"])


def test_totals_row_under_the_domain_table(tmp_path, ref):
    """A 合计 row some units add (sum of 事项数量) is not a domain and not an error."""
    sheets = standard_return(ref, domains={1: {"事项数量": 30}, 2: {"事项数量": 5}})
    sheets[N.SHEET_DOMAINS].append(["合计", "", "", 35, "", "", ""])
    sheets[N.SHEET_TASKS].append(["小计", "", "", "", "", "", "", ""])
    p = read(tmp_path, ref, sheets)
    assert p.issues == []
    assert len(p.domains) == 26 and p.domains["item_count"].sum() == 35
