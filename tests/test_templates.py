"""Fill-in templates: row sets, validations, protection, carry-forward, CLI, PDF, round trip."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from pipeline import names
from pipeline.cli import main
from pipeline.dates import parse_quarter
from pipeline.templates import (
    FIRST_ROW,
    HEADER_ROW,
    MASTER_NAME,
    build_template,
    workbook_bytes,
    write_master,
    write_templates,
)

Q = parse_quarter("2021Q1")
STAMP = dt.datetime(2021, 3, 1, 9, 0)
REPO = Path(__file__).resolve().parents[1]


def _roundtrip(wb) -> openpyxl.Workbook:
    """What a unit opens: the saved bytes read back."""
    return openpyxl.load_workbook(io.BytesIO(workbook_bytes(wb, STAMP)))


def _column(ws, header: str) -> list:
    col = [c.value for c in ws[HEADER_ROW]].index(header) + 1
    return [ws.cell(r, col).value for r in range(FIRST_ROW, ws.max_row + 1)]


@pytest.fixture(scope="module")
def books(ref):
    return {u: _roundtrip(build_template(ref, u, Q, generated_at=STAMP))
            for u in ("hubin", "lingbao", "zrzy", "dsj")}


# ---- row sets ---------------------------------------------------------------------------

@pytest.mark.parametrize("unit, tasks", [
    ("hubin", [1, 2, 3, 5, 6, 8, 10, 11, 12, 13, 14]),
    ("lingbao", [1, 2, 3, 5, 6, 7, 8, 10, 11, 12, 13, 14]),
    ("zrzy", [3, 4, 6, 9, 12, 13, 14, 15]),
    ("dsj", [3, 6, 12, 13, 14]),
])
def test_task_rows_per_unit_type(books, unit, tasks):
    ws = books[unit][names.SHEET_TASKS]
    assert [c.value for c in ws[HEADER_ROW]] == list(names.TASK_COLUMNS)
    assert _column(ws, "任务编号") == tasks


BASE_TASKS = [1, 2, 3, 5, 6, 8, 10, 11, 12, 13, 14]
LEAD_TASKS = [3, 4, 6, 9, 12, 13, 14, 15]
DEPT_TASKS = [3, 6, 12, 13, 14]


def test_every_reporting_unit_gets_its_row_sets(ref, tmp_path):
    """All 27 files: 8 base units (灵宝市 with 7 too), the lead departments, the other departments."""
    paths = write_templates(ref, Q, tmp_path, generated_at=STAMP)
    assert len(paths) == 27
    seen = {"base": 0, "lead": 0, "dept": 0}
    leads = ref.domains.groupby("lead_unit_id")["domain_id"].apply(list).to_dict()
    for path in paths:
        wb = openpyxl.load_workbook(path)
        unit = {r[0]: r[1] for r in wb[names.SHEET_META].iter_rows(values_only=True)}["unit_id"]
        tasks = _column(wb[names.SHEET_TASKS], "任务编号")
        if ref.group(unit) == "base":
            kind = "base"
            assert tasks == (sorted([*BASE_TASKS, 7]) if unit == "lingbao" else BASE_TASKS), unit
            assert _column(wb[names.SHEET_DOMAINS], "领域编号") == list(range(1, 27)), unit
        elif unit in leads:
            kind = "lead"
            assert tasks == LEAD_TASKS, unit
            assert _column(wb[names.SHEET_DOMAINS], "领域编号") == leads[unit], unit
        else:
            kind = "dept"
            assert tasks == DEPT_TASKS, unit
            assert names.SHEET_DOMAINS not in wb.sheetnames, unit
        seen[kind] += 1
    assert seen == {"base": 8, "lead": 18, "dept": 1}  # only 市政务服务和大数据局 leads no domain


def test_task_rows_carry_text_and_unit_deadline(ref, books):
    ws = books["lingbao"][names.SHEET_TASKS]
    deadlines = dict(zip(_column(ws, "任务编号"), _column(ws, "时间进度"), strict=True))
    assert deadlines[5] == "2020年10月底"  # 灵宝市's own deadline (正文 三(三))
    assert _column(books["hubin"][names.SHEET_TASKS], "时间进度")[3] == "2020年11月底"
    texts = _column(ws, "工作任务")
    assert texts[0] == ref.tasks.set_index("task_id").loc[1, "text"]


def test_domain_sheet_per_unit_type(books):
    base = books["hubin"][names.SHEET_DOMAINS]
    assert [c.value for c in base[HEADER_ROW]] == list(names.CATALOGUE_COLUMNS)
    assert _column(base, "领域编号") == list(range(1, 27))
    lead = books["zrzy"][names.SHEET_DOMAINS]
    assert [c.value for c in lead[HEADER_ROW]] == list(names.PLAN_COLUMNS)
    assert _column(lead, "试点领域") == ["城乡规划", "征地补偿"]
    assert names.SHEET_DOMAINS not in books["dsj"].sheetnames


def test_sheets_info_and_meta(books):
    wb = books["lingbao"]
    assert wb.sheetnames == [names.SHEET_GUIDE, names.SHEET_INFO, names.SHEET_TASKS,
                             names.SHEET_DOMAINS, names.SHEET_LISTS, names.SHEET_META]
    info = {r[0]: r[1] for r in wb[names.SHEET_INFO].iter_rows(min_row=2, values_only=True)}
    assert list(info) == names.INFO_LABELS
    assert info[names.INFO_UNIT] == "灵宝市" and info[names.INFO_QUARTER] == "2021年第一季度"
    meta = wb[names.SHEET_META]
    assert {r[0]: r[1] for r in meta.iter_rows(values_only=True)} == {
        "template_version": names.TEMPLATE_VERSION, "unit_id": "lingbao", "quarter": "2021Q1",
        "generated_at": "2021-03-01T09:00:00"}
    assert meta.sheet_state == "hidden" and meta.protection.sheet
    assert wb[names.SHEET_LISTS].sheet_state == "hidden"


def test_guide_names_due_date_and_contact(ref, books):
    text = "\n".join(str(c.value) for c in books["hubin"][names.SHEET_GUIDE]["A"] if c.value)
    assert "2021年3月20日前" in text
    bulletin = ref.settings.bulletin
    for value in (bulletin.contact_person, bulletin.contact_phone, bulletin.contact_email):
        assert value in text
    assert "上季度" in text and "只需更新有变化的内容" in text


# ---- validations, protection, layout -------------------------------------------------

def _validations(ws) -> dict[str, object]:
    return {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}


def test_dropdowns_reference_hidden_lists(books):
    wb = books["hubin"]
    lists = wb[names.SHEET_LISTS]
    tasks = _validations(wb[names.SHEET_TASKS])
    status = tasks["D3:D13"]
    assert status.type == "list" and status.formula1 == "'_lists'!$A$2:$A$6"
    assert [lists.cell(r, 1).value for r in range(2, 7)] == list(names.TASK_STATUS_LABELS.values())
    assert status.showErrorMessage and status.error
    cat = _validations(wb[names.SHEET_DOMAINS])["C3:C28"]
    assert cat.formula1 == "'_lists'!$B$2:$B$5"
    plan = _validations(books["zrzy"][names.SHEET_DOMAINS])["C3:C4"]
    assert plan.formula1 == "'_lists'!$C$2:$C$4"
    assert [lists.cell(r, 3).value for r in range(2, 5)] == list(names.PLAN_STATUS_LABELS.values())


def test_date_and_count_validations(books):
    tasks = _validations(books["hubin"][names.SHEET_TASKS])["E3:E13"]
    assert tasks.type == "date" and tasks.operator == "between"
    assert (tasks.formula1, tasks.formula2) == ("43831", "49674")  # 2020-01-01 … 2035-12-31 as serials
    assert tasks.showInputMessage and (tasks.promptTitle, tasks.prompt) == (
        "完成时间", "请填写日期，格式如 2021-03-15；未完成的留空。")
    assert tasks.showErrorMessage and tasks.errorStyle in (None, "stop") and tasks.errorTitle == "日期无效"
    assert tasks.error == "完成时间请填写2020年至2035年之间的日期，格式如 2021-03-15。"
    dom = _validations(books["hubin"][names.SHEET_DOMAINS])
    assert dom["F3:F28"].type == "date"
    assert dom["D3:D28"].type == "whole" and dom["D3:D28"].formula1 == "0"
    assert _validations(books["zrzy"][names.SHEET_DOMAINS])["D3:D4"].type == "date"
    info = _validations(books["hubin"][names.SHEET_INFO])
    assert info["B4"].type == "date"  # 填报日期


def test_locked_and_unlocked_cells(books):
    wb = books["hubin"]
    for name in (names.SHEET_GUIDE, names.SHEET_INFO, names.SHEET_TASKS, names.SHEET_DOMAINS):
        assert wb[name].protection.sheet, name
    ws = wb[names.SHEET_TASKS]
    assert ws["A3"].protection.locked and ws["B3"].protection.locked and ws["C3"].protection.locked
    for col in "DEFGH":
        assert not ws[f"{col}3"].protection.locked, col
    info = wb[names.SHEET_INFO]
    assert info["B2"].protection.locked  # 填报单位 pre-filled
    assert not info["B4"].protection.locked  # 填报日期
    assert all(not info[f"B{r}"].protection.locked for r in range(4, 8))
    assert info["A4"].protection.locked and info["C4"].protection.locked
    dom = wb[names.SHEET_DOMAINS]
    assert dom["A3"].protection.locked and dom["B3"].protection.locked  # 领域编号, 试点领域
    assert all(not dom[f"{c}3"].protection.locked for c in "CDEFG")
    assert ws["A2"].protection.locked and ws["D2"].protection.locked  # the header row
    assert wb[names.SHEET_LISTS].protection.sheet and wb[names.SHEET_META].protection.sheet
    assert wb.security.lockStructure


@pytest.mark.parametrize("unit, sheet", [("zrzy", names.SHEET_TASKS), ("zrzy", names.SHEET_DOMAINS),
                                         ("hubin", names.SHEET_DOMAINS)])
def test_print_setup(books, unit, sheet):
    ws = books[unit][sheet]
    assert ws.page_setup.orientation == "landscape"
    assert int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4)
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1
    assert ws.print_title_rows == "$1:$2"
    assert ws.freeze_panes == "A3"
    assert ws.column_dimensions["B"].width >= 20 and ws["B3"].alignment.wrap_text
    # the footer (page numbers) needs a band between the footer and bottom margins, or
    # LibreOffice clips it in half
    assert ws.page_margins.bottom - ws.page_margins.footer >= 0.4
    assert ws.oddFooter.center.text == "第 &P 页，共 &N 页"


def test_task_sheet_widths_and_wrapping(books):
    ws = books["hubin"][names.SHEET_TASKS]
    widths = {c.value: ws.column_dimensions[c.column_letter].width for c in ws[HEADER_ROW]}
    assert widths["工作任务"] == 46 and widths["进展情况"] == 36 and widths["任务编号"] == 7
    assert all(ws.cell(FIRST_ROW, col).alignment.wrap_text for col in range(1, 9))
    assert ws.row_dimensions[FIRST_ROW].height > 30  # room for the wrapped task text


# ---- carry-forward ---------------------------------------------------------------------

def test_previous_answers_are_prefilled(ref):
    tasks = pd.DataFrame([
        {"unit_id": "hubin", "task_id": 1, "status": "done", "completed_on": pd.Timestamp("2020-05-28"),
         "note": "=已印发", "evidence": "湖政办〔2020〕8号", "problems": ""},
        {"unit_id": "hubin", "task_id": 2, "status": "in_progress", "completed_on": pd.NaT,
         "note": "起草中", "evidence": None, "problems": "待研究"},
        {"unit_id": "hubin", "task_id": 3, "status": pd.NA, "completed_on": pd.NaT,
         "note": None, "evidence": None, "problems": None},
        {"unit_id": "yima", "task_id": 1, "status": "not_started", "completed_on": pd.NaT,
         "note": "别的单位", "evidence": None, "problems": None},
    ])
    domains = pd.DataFrame([
        {"unit_id": "hubin", "domain_id": 2, "kind": "catalogue", "status": "published",
         "item_count": 17, "url": "http://x/2", "completed_on": pd.Timestamp("2020-09-30"), "note": ""},
        {"unit_id": "hubin", "domain_id": 3, "kind": "catalogue", "status": "compiling",
         "item_count": pd.NA, "url": "", "completed_on": pd.NaT, "note": "进行中"},
    ])
    wb = _roundtrip(build_template(ref, "hubin", Q, (tasks, domains), generated_at=STAMP))
    ws = wb[names.SHEET_TASKS]
    assert ws["D3"].value == "已完成" and ws["E3"].value == dt.datetime(2020, 5, 28)
    assert ws["F3"].value == "=已印发" and ws["F3"].data_type == "s"  # never a live formula
    assert ws["G3"].value == "湖政办〔2020〕8号"
    assert (ws["D4"].value, ws["E4"].value, ws["F4"].value, ws["H4"].value) == ("推进中", None, "起草中", "待研究")
    assert ws["D5"].value is None
    dom = wb[names.SHEET_DOMAINS]
    assert [dom[f"{c}4"].value for c in "CDEF"] == ["已编制并公开", 17, "http://x/2", dt.datetime(2020, 9, 30)]
    assert (dom["C5"].value, dom["D5"].value, dom["G5"].value) == ("编制中", None, "进行中")
    guide = "\n".join(str(c.value) for c in wb[names.SHEET_GUIDE]["A"] if c.value)
    assert "本表已预填本单位上季度报送的内容" in guide


def test_plan_carry_forward(ref):
    domains = pd.DataFrame([{"unit_id": "zrzy", "domain_id": 1, "kind": "plan", "status": "issued",
                             "item_count": pd.NA, "url": "三自然资规〔2020〕5号",
                             "completed_on": pd.Timestamp("2020-07-20"), "note": ""}])
    wb = _roundtrip(build_template(ref, "zrzy", Q, (None, domains), generated_at=STAMP))
    dom = wb[names.SHEET_DOMAINS]
    assert [dom[f"{c}3"].value for c in "CDE"] == ["已出台", dt.datetime(2020, 7, 20), "三自然资规〔2020〕5号"]
    assert dom["C4"].value is None


# ---- files, master, CLI ----------------------------------------------------------------

def test_write_templates_is_deterministic_with_a_stamp(ref, tmp_path):
    a = write_templates(ref, Q, tmp_path / "a", ["hubin", "dsj"], generated_at=STAMP)
    b = write_templates(ref, Q, tmp_path / "b", ["hubin", "dsj"], generated_at=STAMP)
    assert [p.name for p in a] == ["湖滨区_2021Q1.xlsx", "市政务服务和大数据局_2021Q1.xlsx"]
    assert [p.read_bytes() for p in a] == [p.read_bytes() for p in b]


def test_committed_master_is_current(ref, tmp_path):
    fresh = write_master(ref, tmp_path / MASTER_NAME)
    committed = REPO / "templates_xlsx" / MASTER_NAME
    assert committed.exists(), "run write_master() to create templates_xlsx/报送模板_v1.xlsx"
    assert fresh.read_bytes() == committed.read_bytes(), (
        "templates_xlsx/报送模板_v1.xlsx is stale: regenerate it with pipeline.templates.write_master")
    wb = openpyxl.load_workbook(fresh)
    assert _column(wb[names.SHEET_TASKS], "任务编号") == list(range(1, 16))
    info = {r[0]: r[1] for r in wb[names.SHEET_INFO].iter_rows(min_row=2, values_only=True)}
    assert info[names.INFO_UNIT] is None
    assert not wb[names.SHEET_INFO]["B2"].protection.locked


def test_cli_templates(tmp_path):
    runner = CliRunner()
    result = runner.invoke(main, ["templates", "2021Q1", "-w", str(tmp_path)])
    assert result.exit_code == 0, result.output
    files = sorted((tmp_path / "outputs" / "2021Q1" / "templates").glob("*.xlsx"))
    assert len(files) == 27 and "生成 27 份" in result.output
    out = tmp_path / "one"
    result = runner.invoke(main, ["templates", "2021-Q1", "--out", str(out), "--unit", "灵宝市人民政府",
                                  "--unit", "市人社局", "-w", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["市人力资源社会保障局_2021Q1.xlsx", "灵宝市_2021Q1.xlsx"]
    result = runner.invoke(main, ["templates", "2021Q1", "--unit", "火星局", "-w", str(tmp_path)])
    assert result.exit_code != 0 and "无法识别的单位" in result.output


# ---- LibreOffice ----------------------------------------------------------------------

@pytest.mark.skipif(shutil.which("soffice") is None,
                    reason="LibreOffice（soffice）未安装，跳过模板转 PDF 检查")
def test_template_converts_to_pdf(ref, tmp_path):
    [path] = write_templates(ref, Q, tmp_path, ["lingbao"], generated_at=STAMP)
    profile = (tmp_path / "lo-profile").as_uri()  # own profile: parallel soffice runs collide
    subprocess.run(["soffice", f"-env:UserInstallation={profile}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)],
                   check=True, capture_output=True, timeout=180)
    pdf = path.with_suffix(".pdf")
    assert pdf.exists() and pdf.read_bytes().startswith(b"%PDF")
    assert pdf.stat().st_size > 10_000
    if shutil.which("pdftotext") is None:
        return
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True,
                          text=True, timeout=60).stdout.replace(" ", "")
    # every visible sheet printed, in Chinese, A4 landscape pages with whole page numbers
    for expected in ("填报说明", "2021年3月20日前", "冯峰", "灵宝市2021年第一季度基层政务公开标准化规范化工作任务进展",
                     "存在问题及下一步措施", "2020年10月底", "灵宝市2021年第一季度试点领域标准目录编制情况",
                     "城乡规划", "医疗卫生", "第3页，共5页", "第5页，共5页"):
        assert expected in text, expected
    assert "_meta" not in text and "template_version" not in text  # hidden sheets are not printed
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    assert "841.89 x 595.3" in info  # A4 landscape (points)


@pytest.mark.skipif(shutil.which("soffice") is None,
                    reason="LibreOffice（soffice）未安装，跳过 LibreOffice 另存后读取的检查")
def test_filled_template_saved_by_libreoffice_reads_back(ref, tmp_path):
    """A unit that fills the template in and saves it from LibreOffice as old .xls: same values."""
    src = tmp_path / "src"
    src.mkdir()
    path = src / "灵宝市_2021Q1.xlsx"
    path.write_bytes(workbook_bytes(_filled_lingbao(ref), STAMP))
    profile = (tmp_path / "lo-profile").as_uri()
    subprocess.run(["soffice", f"-env:UserInstallation={profile}", "--headless",
                    "--convert-to", "xls", "--outdir", str(tmp_path), str(path)],
                   check=True, capture_output=True, timeout=180)
    xls = tmp_path / "灵宝市_2021Q1.xls"
    assert xls.read_bytes().startswith(b"\xd0\xcf\x11\xe0")  # a genuine BIFF (OLE) file
    from pipeline.ingest import read_return

    parsed = read_return(xls, ref, Q)
    assert (parsed.unit_id, parsed.unit_source) == ("lingbao", names.SHEET_META)  # hidden _meta survived
    assert [i.code for i in parsed.issues] == []
    _assert_lingbao_values(parsed)


# ---- round trip through the reader --------------------------------------------------------

def _filled_lingbao(ref, quarter=Q):
    wb = build_template(ref, "lingbao", quarter, generated_at=STAMP)
    info = wb[names.SHEET_INFO]
    for row in range(2, 8):
        value = {names.INFO_DATE: dt.date(2021, 3, 15), names.INFO_PERSON: "张伟",
                 names.INFO_PHONE: "0398-2812345", names.INFO_REVIEWER: "李强"}.get(info.cell(row, 1).value)
        if value:
            info.cell(row, 2, value)
    answers = {1: ("已完成", dt.date(2020, 5, 20), "已印发"), 2: ("已完成", "2020.5.28", "已纳入考核"),
               7: ("推进中", None, "评估进行中"), 12: ("持续推进", None, "培训2场"),
               13: ("未启动", None, None)}
    ws = wb[names.SHEET_TASKS]
    for row in range(FIRST_ROW, ws.max_row + 1):
        task = ws.cell(row, 1).value
        status, done, note = answers.get(task, ("推进中", None, "推进中"))
        ws.cell(row, 4, status)
        ws.cell(row, 5, done)
        ws.cell(row, 6, note)
    dom = wb[names.SHEET_DOMAINS]
    for row in range(FIRST_ROW, dom.max_row + 1):
        d = dom.cell(row, 1).value
        if d <= 20:
            dom.cell(row, 3, "已编制并公开")
            dom.cell(row, 4, d + 10)
            dom.cell(row, 5, f"http://lb/{d}")
            dom.cell(row, 6, dt.date(2020, 10, 1))
        else:
            dom.cell(row, 3, "编制中")
    return wb


def test_round_trip_through_reader(ref, tmp_path):
    ingest = pytest.importorskip("pipeline.ingest")
    path = tmp_path / "灵宝市_2021Q1.xlsx"
    path.write_bytes(workbook_bytes(_filled_lingbao(ref), STAMP))

    parsed = ingest.read_return(path, ref, Q)
    assert not parsed.rejected, parsed.reason
    assert parsed.unit_id == "lingbao"
    assert [i.code for i in parsed.issues if i.severity == "error"] == []
    _assert_lingbao_values(parsed)

    intake = ingest.read_returns(tmp_path, ref, Q)
    assert set(intake.files["state"]) == {"accepted"}
    assert len(intake.task_progress) == 12 and len(intake.domain_progress) == 26


def _assert_lingbao_values(parsed):
    assert parsed.filled_on == dt.date(2021, 3, 15)
    tasks = parsed.tasks.set_index("task_id")
    assert sorted(tasks.index) == [1, 2, 3, 5, 6, 7, 8, 10, 11, 12, 13, 14]
    assert tasks.loc[1, "status"] == "done" and tasks.loc[1, "completed_on"] == pd.Timestamp("2020-05-20")
    assert tasks.loc[2, "completed_on"] == pd.Timestamp("2020-05-28")
    assert tasks.loc[7, "status"] == "in_progress" and tasks.loc[7, "note"] == "评估进行中"
    assert tasks.loc[12, "status"] == "ongoing" and tasks.loc[13, "status"] == "not_started"
    domains = parsed.domains.set_index("domain_id")
    assert len(domains) == 26 and set(domains["kind"]) == {"catalogue"}
    assert domains.loc[5, "status"] == "published" and int(domains.loc[5, "item_count"]) == 15
    assert domains.loc[5, "url"] == "http://lb/5"
    assert domains.loc[5, "completed_on"] == pd.Timestamp("2020-10-01")
    assert domains.loc[21, "status"] == "compiling"


# What a unit types, per unit type: {task: (状态, 完成时间, 进展情况, 佐证材料)}, {domain: (状态, 数量/日期, 网址)}.
FILL = {
    "lingbao": ({1: ("已完成", dt.date(2020, 5, 20), "已印发", "灵政办〔2020〕8号"), 7: ("推进中", None, "评估中", "001"),
                 12: ("持续推进", None, "培训2场", None)},
                {1: ("已编制并公开", 35, "http://lb.gov.cn/1"), 26: ("编制中", None, None)}),
    "zrzy": ({4: ("已完成", dt.date(2020, 7, 28), "已出台", None), 15: ("已完成", dt.date(2020, 5, 25), "已报送", None)},
             {1: ("已出台", dt.date(2020, 7, 20), "三自然资规〔2020〕5号"), 2: ("起草中", None, None)}),
    "dsj": ({3: ("已完成", dt.date(2020, 6, 30), "已公开", "http://dsj/3"), 14: ("持续推进", None, "抓落实", None)}, {}),
}


@pytest.mark.parametrize("unit", list(FILL))
def test_round_trip_through_a_saved_file(ref, tmp_path, unit):
    """Generate the file, open it with openpyxl as a unit's Excel would, fill in, save, read it back."""
    from pipeline.ingest import read_return

    [path] = write_templates(ref, Q, tmp_path, [unit], generated_at=STAMP)
    wb = openpyxl.load_workbook(path)
    info = wb[names.SHEET_INFO]
    info["B4"], info["B5"], info["B6"], info["B7"] = dt.date(2021, 3, 16), "王五", "03982812345", "赵六"
    tasks, domains = FILL[unit]
    ws = wb[names.SHEET_TASKS]
    for row in range(FIRST_ROW, ws.max_row + 1):
        answer = tasks.get(ws.cell(row, 1).value, ("推进中", None, "推进中", None))
        for col, value in zip((4, 5, 6, 7), answer, strict=True):
            ws.cell(row, col, value)
    if domains:
        dom = wb[names.SHEET_DOMAINS]
        for row in range(FIRST_ROW, dom.max_row + 1):
            status, second, url = domains.get(dom.cell(row, 1).value, (None, None, None))
            dom.cell(row, 3, status)
            dom.cell(row, 4, second)
            dom.cell(row, 5, url)
    wb.save(path)

    parsed = read_return(path, ref, Q)
    assert (parsed.unit_id, parsed.unit_source, parsed.filled_on) == (unit, names.SHEET_META, dt.date(2021, 3, 16))
    got = {r.task_id: (names.TASK_STATUS_LABELS[r.status], r.completed_on, r.note, r.evidence)
           for r in parsed.tasks.itertuples()}
    for task_id, (status, done, note, evidence) in tasks.items():
        assert got[task_id] == (status, pd.Timestamp(done) if done else pd.NaT, note, evidence or ""), task_id
    labels = names.CATALOGUE_STATUS_LABELS | names.PLAN_STATUS_LABELS
    dom_got = parsed.domains.set_index("domain_id")
    for domain_id, (status, second, url) in domains.items():
        row = dom_got.loc[domain_id]
        assert labels[row["status"]] == status
        if row["kind"] == "catalogue":
            assert (row["item_count"] if pd.notna(row["item_count"]) else None) == second
        else:
            done = row["completed_on"] if pd.notna(row["completed_on"]) else None
            assert done == (pd.Timestamp(second) if second else None)
        assert row["url"] == (url or "")
    # rows left untouched come back as what was typed there, nothing dropped
    assert len(parsed.tasks) == len(_column(openpyxl.load_workbook(path)[names.SHEET_TASKS], "任务编号"))
    assert [i.code for i in parsed.issues] == ([] if unit != "lingbao" else ["status-missing"] * 24)


def test_cli_carries_last_accepted_return_forward(ref, tmp_path):
    pytest.importorskip("pipeline.ingest")
    folder = tmp_path / "inputs" / "2020Q4"
    folder.mkdir(parents=True)
    wb = _filled_lingbao(ref, parse_quarter("2020Q4"))
    wb[names.SHEET_INFO]["B4"] = dt.date(2020, 12, 15)
    (folder / "灵宝市_2020Q4.xlsx").write_bytes(workbook_bytes(wb, STAMP))
    result = CliRunner().invoke(main, ["templates", "2021Q1", "-w", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "已预填上季度报送内容" in result.output
    out = tmp_path / "outputs" / "2021Q1" / "templates"
    carried = openpyxl.load_workbook(out / "灵宝市_2021Q1.xlsx")
    tasks = carried[names.SHEET_TASKS]
    assert (tasks["D3"].value, tasks["E3"].value, tasks["F3"].value) == (
        "已完成", dt.datetime(2020, 5, 20), "已印发")
    dom = carried[names.SHEET_DOMAINS]
    assert (dom["C7"].value, dom["D7"].value) == ("已编制并公开", 15)
    blank = openpyxl.load_workbook(out / "湖滨区_2021Q1.xlsx")[names.SHEET_TASKS]
    assert blank["D3"].value is None  # no earlier return from 湖滨区
