"""Fill-in return templates (DESIGN §2): one pre-filled workbook per reporting unit.

Layout (template version `names.TEMPLATE_VERSION`): on 任务进展 and 试点领域 row 1 is a title,
row 2 the header (`HEADER_ROW`), data from row 3 (`FIRST_ROW`). 基本信息 holds label/value rows
in columns A/B. Fixed cells are locked, fill-in cells unlocked and shaded; every sheet is
protected without a password (so a unit can still unprotect in an emergency — the reader
does not depend on protection). Drop-down lists point at the hidden `_lists` sheet.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from copy import copy
from functools import lru_cache
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.properties import PageSetupProperties

from . import names
from .dates import Quarter, parse_quarter
from .formatting import cn_date
from .outputs import atomic_path
from .reference import Reference

HEADER_ROW = 2
FIRST_ROW = 3
DATE_FORMAT = "yyyy-mm-dd"
MASTER_NAME = f"报送模板_v{names.TEMPLATE_VERSION}.xlsx"
# The master is committed: a fixed stamp keeps regenerating it byte-identical.
MASTER_STAMP = dt.datetime(2020, 5, 1)
# Date validation accepts the life of the plan with room to spare (Excel serials).
DATE_MIN, DATE_MAX = dt.date(2020, 1, 1), dt.date(2035, 12, 31)
_EPOCH = dt.date(1899, 12, 30)

_THIN = Side(style="thin", color="808080")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEAD_FILL = PatternFill("solid", fgColor="D9E1F2")
_INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")  # shaded = please fill in
_BODY = Font(name="宋体", size=11)
_HEAD = Font(name="黑体", size=11, bold=True)
_TITLE = Font(name="黑体", size=14, bold=True)
_WRAP = Alignment(wrap_text=True, vertical="center")
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
_UNLOCKED = Protection(locked=False)

# Column widths (characters) and which columns are fill-in, per sheet layout.
_TASK_WIDTHS = {"任务编号": 7, "工作任务": 46, "时间进度": 13, "完成状态": 11, "完成时间": 12,
                "进展情况": 36, "佐证材料": 22, "存在问题及下一步措施": 30}
_TASK_INPUTS = ["完成状态", "完成时间", "进展情况", "佐证材料", "存在问题及下一步措施"]
_CATALOGUE_WIDTHS = {"领域编号": 7, "试点领域": 20, "目录编制状态": 15, "事项数量": 10,
                     "公开网址": 40, "完成时间": 12, "备注": 30}
_PLAN_WIDTHS = {"领域编号": 7, "试点领域": 20, "实施方案状态": 13, "出台时间": 12,
                "文号或网址": 40, "备注": 30}

# _lists columns: header, labels (the template offers the canonical word of each code).
_LISTS = [
    ("完成状态", list(names.TASK_STATUS_LABELS.values())),
    ("目录编制状态", list(names.CATALOGUE_STATUS_LABELS.values())),
    ("实施方案状态", list(names.PLAN_STATUS_LABELS.values())),
]


# ---- small helpers ------------------------------------------------------------------------

def _serial(day: dt.date) -> int:
    return (day - _EPOCH).days


def _text(cell, value) -> None:
    """Write text that must stay text: openpyxl would turn a leading '=' into a formula."""
    cell.value = value
    if cell.data_type == "f":
        cell.data_type = "s"


def _blank(value) -> bool:
    return value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and value != value)


def _date(value) -> dt.date | None:
    if _blank(value):
        return None
    return pd.Timestamp(value).date()


def _lines(text: str, width: int) -> int:
    """Printed lines a wrapped CJK text needs in a column `width` characters wide."""
    units = sum(2 if ord(ch) > 0x2E80 else 1 for ch in str(text))
    return max(1, -(-units // max(1, width - 1)))


@lru_cache(maxsize=8)
def _lookup(reference: Reference) -> dict:
    """Plain-dict views of the reference; pandas look-ups per cell would dominate the run time."""
    a = reference.assignments
    tasks_of: dict[str, list] = {}
    for unit_id, task_id, text in zip(a["unit_id"], a["task_id"], a["deadline_text"], strict=True):
        tasks_of.setdefault(unit_id, []).append((int(task_id), text))
    d = reference.domains
    domains = [(int(i), n, lead)
               for i, n, lead in zip(d["domain_id"], d["name"], d["lead_unit_id"], strict=True)]
    u, t = reference.units, reference.tasks
    return {
        "short": dict(zip(u["unit_id"], u["short_name"], strict=True)),
        "group": dict(zip(u["unit_id"], u["group"], strict=True)),
        "tasks_of": tasks_of,
        "all_tasks": [(int(i), t) for i, t in zip(t["task_id"], t["deadline_text"], strict=True)],
        "task_text": {int(i): text for i, text in zip(t["task_id"], t["text"], strict=True)},
        "domains": domains,
    }


def unit_layout(reference: Reference, unit_id: str | None) -> str:
    """`catalogue` (base units, and the master), `plan` (lead departments) or `none`."""
    if unit_id is None or _lookup(reference)["group"].get(unit_id) == "base":
        return "catalogue"
    return "plan" if unit_id in reference.lead_units else "none"


def template_filename(reference: Reference, unit_id: str, quarter) -> str:
    return f"{_lookup(reference)['short'].get(unit_id, unit_id)}_{parse_quarter(quarter)}.xlsx"


def _unit_rows(frame: pd.DataFrame | None, unit_id: str | None) -> pd.DataFrame | None:
    if frame is None or len(frame) == 0:
        return None
    if unit_id is not None and "unit_id" in frame.columns:
        frame = frame[frame["unit_id"] == unit_id]
    return frame if len(frame) else None


def _by_key(frame: pd.DataFrame | None, key: str) -> dict[int, dict]:
    if frame is None:
        return {}
    cols = list(frame.columns)
    columns = [frame[c].tolist() for c in cols]  # to_dict("records") is slow on small frames
    records = (dict(zip(cols, values, strict=True)) for values in zip(*columns, strict=True))
    return {int(r[key]): r for r in records if not _blank(r.get(key))}


# ---- sheet builders -----------------------------------------------------------------------

def _table_sheet(ws, title: str, widths: dict[str, int]) -> dict[str, int]:
    """Title row, header row and the sheet-level setup shared by 任务进展 and 试点领域."""
    headers = list(widths)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    ws.cell(1, 1, title).font = _TITLE
    ws.cell(1, 1).alignment = _CENTER
    ws.row_dimensions[1].height = 30
    for col, header in enumerate(headers, 1):
        _style(ws.cell(HEADER_ROW, col, header), _HEAD, _HEAD_FILL, _BORDER, _CENTER)
        ws.column_dimensions[get_column_letter(col)].width = widths[header]
    ws.row_dimensions[HEADER_ROW].height = 30
    ws.freeze_panes = ws.cell(FIRST_ROW, 1).coordinate
    _print_setup(ws)
    ws.print_title_rows = f"1:{HEADER_ROW}"  # title and header repeat on every printed page
    return {h: i for i, h in enumerate(headers, 1)}


def _style(cell, font=None, fill=None, border=None, alignment=None, protection=None,
           number_format=None) -> None:
    """Set a cell's style, reusing the workbook's style array for a combination seen before.

    Assigning openpyxl style objects one by one hashes them every time; copying a ready
    style array is what keeps 135 demo workbooks within seconds. Meant for fresh cells.
    """
    cache = cell.parent.parent.__dict__.setdefault("_zwgk_styles", {})
    key = (id(font), id(fill), id(border), id(alignment), id(protection), number_format)
    if key in cache:
        cell._style = copy(cache[key])
        return
    for name, value in (("font", font), ("fill", fill), ("border", border),
                        ("alignment", alignment), ("protection", protection),
                        ("number_format", number_format)):
        if value is not None:
            setattr(cell, name, value)
    cache[key] = copy(cell._style)


def _style_row(ws, row: int, cols: dict[str, int], inputs: list[str], widths: dict[str, int],
               dates: tuple[str, ...] = ()) -> None:
    lines = 1
    for header, col in cols.items():
        cell = ws.cell(row, col)
        fill, protection = (_INPUT_FILL, _UNLOCKED) if header in inputs else (None, None)
        _style(cell, _BODY, fill, _BORDER, _CENTER if widths[header] <= 15 else _WRAP,
               protection, DATE_FORMAT if header in dates else None)
        if cell.value is not None:
            lines = max(lines, _lines(cell.value, widths[header]))
    ws.row_dimensions[row].height = max(2, lines) * 14.5 + 4  # room for a two-line answer


def _print_setup(ws) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages tall as needed
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    # Excel's own top/bottom and header/footer margins: the footer needs the band between them
    # (with footer 0.5 and bottom 0.6 LibreOffice clips the page number in half).
    ws.page_margins.top = ws.page_margins.bottom = 0.75
    ws.page_margins.header = ws.page_margins.footer = 0.3
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"


def _protect(ws) -> None:
    """Protect without a password; users may still resize rows and columns."""
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False
    ws.protection.selectLockedCells = False
    ws.protection.selectUnlockedCells = False


def _list_validation(ws, list_index: int, label: str, ref: str) -> None:
    header, values = _LISTS[list_index]
    col = get_column_letter(list_index + 1)
    dv = DataValidation(
        type="list", formula1=f"'{names.SHEET_LISTS}'!${col}$2:${col}${len(values) + 1}",
        allow_blank=True, showErrorMessage=True, showInputMessage=True,
        errorTitle="选项无效", error=f"{label}只能从下拉列表中选择：{'、'.join(values)}。",
        promptTitle=label, prompt=f"请从下拉列表选择：{'、'.join(values)}")
    dv.add(ref)
    ws.add_data_validation(dv)


def _date_validation(ws, label: str, ref: str) -> None:
    dv = DataValidation(
        type="date", operator="between", formula1=str(_serial(DATE_MIN)),
        formula2=str(_serial(DATE_MAX)), allow_blank=True, showErrorMessage=True,
        showInputMessage=True, errorTitle="日期无效",
        error=f"{label}请填写{DATE_MIN.year}年至{DATE_MAX.year}年之间的日期，格式如 2021-03-15。",
        promptTitle=label, prompt="请填写日期，格式如 2021-03-15；未完成的留空。")
    dv.add(ref)
    ws.add_data_validation(dv)


def _count_validation(ws, ref: str) -> None:
    dv = DataValidation(
        type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True,
        showErrorMessage=True, showInputMessage=True, errorTitle="数量无效",
        error="事项数量请填写不小于0的整数。", promptTitle="事项数量",
        prompt="标准目录中的公开事项数量（整数）。")
    dv.add(ref)
    ws.add_data_validation(dv)


def _guide_sheet(ws, reference: Reference, who: str, quarter: Quarter | None,
                 layout: str, carried: bool) -> None:
    settings = reference.settings
    office = settings.bulletin.office or "市政府办公室政务公开办公室"
    who = who or "各报送单位"
    if quarter:
        due = quarter.due_date(settings.reporting.due_day)
        period = f"{quarter.label}（{quarter}）"
        when = f"请于{cn_date(due)}前（含当日）将本表报送{office}。"
    else:
        period = "（请在「基本信息」中填写所属季度）"
        when = f"请于每季度最后一个月{settings.reporting.due_day}日前（含当日）将本表报送{office}。"
    task_words = "、".join(names.TASK_STATUS_LABELS.values())
    lines = [
        "基层政务公开标准化规范化工作进展报送表 填报说明",
        f"填报单位：{who}    所属季度：{period}",
        f"一、报送时限：{when}逾期报送将在季度通报中予以说明。",
        "二、「基本信息」：请填写填报日期、填报人、联系电话和审核负责人；填报单位和所属季度已预填，请勿修改。",
        f"三、「任务进展」：每行一项本单位承担的任务（任务及时间进度取自实施方案附件2）。完成状态请从下拉列表选择（{task_words}）；"
        "已完成的任务须填写完成时间（日期格式，如 2021-03-15），完成时间不得晚于填报日期；"
        "「持续推进」类任务请在进展情况中写明本季度开展的工作；佐证材料可填写文件名称、文号或网址。",
    ]
    if layout == "catalogue":
        lines.append("四、「试点领域」：26个试点领域逐一填写标准目录编制状态（"
                     + "、".join(names.CATALOGUE_STATUS_LABELS.values())
                     + "）；已编制的填写目录事项数量（整数）和完成时间，已公开的填写公开网址。"
                     "目录应包含名称、内容、依据、时限、主体、方式、渠道、公开对象8个要素。")
    elif layout == "plan":
        lines.append("四、「试点领域」：逐一填写本单位牵头领域的实施方案状态（"
                     + "、".join(names.PLAN_STATUS_LABELS.values())
                     + "）；已出台的填写出台时间和文号或网址。")
    else:
        lines.append("四、本单位不牵头试点领域，无需填报「试点领域」。")
    if carried:
        lines.append("五、本表已预填本单位上季度报送的内容，请逐项核对，只需更新有变化的内容。")
    else:
        lines.append("五、每季度的模板会预填本单位上季度报送的内容，届时只需更新有变化的内容；本期无上季度数据可预填，请逐项填写。")
    lines += [
        "六、黄色单元格为填写区，其余单元格已锁定（工作表保护未设密码）。请勿增删行列、修改工作表名称或删除隐藏工作表，"
        "以免系统无法识别。文件名请保持「单位简称_季度.xlsx」。",
        f"七、联系人：{settings.bulletin.contact_person}，电话：{settings.bulletin.contact_phone}，"
        f"邮箱：{settings.bulletin.contact_email}。",
    ]
    ws.column_dimensions["A"].width = 110
    for i, line in enumerate(lines, 1):
        cell = ws.cell(i, 1, line)
        cell.font = _TITLE if i == 1 else _BODY
        cell.alignment = _CENTER if i == 1 else Alignment(wrap_text=True, vertical="top")
        ws.row_dimensions[i].height = 30 if i == 1 else _lines(line, 110) * 15 + 6
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    _protect(ws)


def _info_sheet(ws, who: str, quarter: Quarter | None) -> None:
    hints = {
        names.INFO_UNIT: "已预填，请勿修改" if who else "请填写单位简称，如：灵宝市、市财政局",
        names.INFO_QUARTER: "已预填，请勿修改" if quarter else "如：2021年第一季度",
        names.INFO_DATE: "填写报送当日日期，如 2021-03-15",
        names.INFO_PERSON: "", names.INFO_PHONE: "", names.INFO_REVIEWER: "单位分管负责人",
    }
    values = {names.INFO_UNIT: who or None,
              names.INFO_QUARTER: quarter.label if quarter else None}
    for col, (head, width) in enumerate((("项目", 14), ("填写内容", 34), ("说明", 34)), 1):
        _style(ws.cell(1, col, head), _HEAD, _HEAD_FILL, _BORDER, _CENTER)
        ws.column_dimensions[get_column_letter(col)].width = width
    for row, label in enumerate(names.INFO_LABELS, 2):
        ws.cell(row, 1, label)
        value = ws.cell(row, 2, values.get(label))
        ws.cell(row, 3, hints[label])
        for col in (1, 3):
            _style(ws.cell(row, col), _BODY, None, _BORDER, _WRAP)
        fill, protection = (_INPUT_FILL, _UNLOCKED) if values.get(label) is None else (None, None)
        is_date = label == names.INFO_DATE
        _style(value, _BODY, fill, _BORDER, _WRAP, protection, DATE_FORMAT if is_date else None)
        ws.row_dimensions[row].height = 22
        if is_date:
            _date_validation(ws, names.INFO_DATE, value.coordinate)
    _print_setup(ws)
    ws.page_setup.orientation = "portrait"
    _protect(ws)


def _tasks_sheet(ws, reference: Reference, unit_id: str | None, who: str,
                 quarter: Quarter | None, previous: pd.DataFrame | None) -> None:
    period = quarter.label if quarter else ""
    cols = _table_sheet(ws, f"{who}{period}基层政务公开标准化规范化工作任务进展", _TASK_WIDTHS)
    look = _lookup(reference)
    # The master lists every task with its general deadline.
    rows = look["tasks_of"].get(unit_id, []) if unit_id else look["all_tasks"]
    prev = _by_key(previous, "task_id")
    row = FIRST_ROW - 1
    for row, (task_id, deadline_text) in enumerate(rows, FIRST_ROW):
        ws.cell(row, cols["任务编号"], task_id)
        ws.cell(row, cols["工作任务"], look["task_text"][task_id])
        ws.cell(row, cols["时间进度"], deadline_text)
        _carry_task(ws, row, cols, prev.get(task_id))
        _style_row(ws, row, cols, _TASK_INPUTS, _TASK_WIDTHS, ("完成时间",))
    last = max(row, FIRST_ROW)
    col = get_column_letter
    _list_validation(ws, 0, "完成状态", f"{col(cols['完成状态'])}{FIRST_ROW}:{col(cols['完成状态'])}{last}")
    _date_validation(ws, "完成时间", f"{col(cols['完成时间'])}{FIRST_ROW}:{col(cols['完成时间'])}{last}")
    _protect(ws)


def _carry_task(ws, row: int, cols: dict[str, int], prev: dict | None) -> None:
    if not prev:
        return
    status = prev.get("status")
    if not _blank(status) and status in names.TASK_STATUS_LABELS:
        ws.cell(row, cols["完成状态"], names.TASK_STATUS_LABELS[status])
    ws.cell(row, cols["完成时间"], _date(prev.get("completed_on")))
    for header, key in (("进展情况", "note"), ("佐证材料", "evidence"), ("存在问题及下一步措施", "problems")):
        if not _blank(prev.get(key)) and str(prev.get(key)):
            _text(ws.cell(row, cols[header]), str(prev[key]))


def _domains_sheet(ws, reference: Reference, unit_id: str | None, who: str,
                   quarter: Quarter | None, layout: str, previous: pd.DataFrame | None) -> None:
    period = quarter.label if quarter else ""
    if layout == "catalogue":
        widths, status_header, date_header, url_header = _CATALOGUE_WIDTHS, "目录编制状态", "完成时间", "公开网址"
        labels, list_index = names.CATALOGUE_STATUS_LABELS, 1
        title = f"{who}{period}试点领域标准目录编制情况"
        domains = _lookup(reference)["domains"]
    else:
        widths, status_header, date_header, url_header = _PLAN_WIDTHS, "实施方案状态", "出台时间", "文号或网址"
        labels, list_index = names.PLAN_STATUS_LABELS, 2
        title = f"{who}{period}牵头试点领域实施方案出台情况"
        domains = [d for d in _lookup(reference)["domains"] if d[2] == unit_id]
    inputs = [h for h in widths if h not in ("领域编号", "试点领域")]
    cols = _table_sheet(ws, title, widths)
    prev = _by_key(previous, "domain_id")
    row = FIRST_ROW - 1
    for row, (domain_id, domain_name, _lead) in enumerate(domains, FIRST_ROW):
        ws.cell(row, cols["领域编号"], domain_id)
        ws.cell(row, cols["试点领域"], domain_name)
        p = prev.get(domain_id)
        if p:
            if not _blank(p.get("status")) and p["status"] in labels:
                ws.cell(row, cols[status_header], labels[p["status"]])
            ws.cell(row, cols[date_header], _date(p.get("completed_on")))
            if not _blank(p.get("url")) and str(p["url"]):
                _text(ws.cell(row, cols[url_header]), str(p["url"]))
            if not _blank(p.get("note")) and str(p["note"]):
                _text(ws.cell(row, cols["备注"]), str(p["note"]))
            if "事项数量" in cols and not _blank(p.get("item_count")):
                ws.cell(row, cols["事项数量"], int(p["item_count"]))
        _style_row(ws, row, cols, inputs, widths, (date_header,))
    last = max(row, FIRST_ROW)
    col = get_column_letter
    _list_validation(ws, list_index, status_header,
                     f"{col(cols[status_header])}{FIRST_ROW}:{col(cols[status_header])}{last}")
    _date_validation(ws, date_header, f"{col(cols[date_header])}{FIRST_ROW}:{col(cols[date_header])}{last}")
    if "事项数量" in cols:
        _count_validation(ws, f"{col(cols['事项数量'])}{FIRST_ROW}:{col(cols['事项数量'])}{last}")
    _protect(ws)


def _lists_sheet(ws) -> None:
    for col, (header, values) in enumerate(_LISTS, 1):
        ws.cell(1, col, header)
        for row, value in enumerate(values, 2):
            ws.cell(row, col, value)
    ws.sheet_state = "hidden"
    _protect(ws)


def _meta_sheet(ws, unit_id: str | None, quarter: Quarter | None, generated_at: dt.datetime) -> None:
    rows = {"template_version": names.TEMPLATE_VERSION, "unit_id": unit_id or "",
            "quarter": str(quarter) if quarter else "",
            "generated_at": generated_at.isoformat(timespec="seconds")}
    for row, key in enumerate(names.META_KEYS, 1):
        ws.cell(row, 1, key)
        ws.cell(row, 2, rows[key])
    ws.sheet_state = "hidden"
    _protect(ws)


# ---- public API ---------------------------------------------------------------------------

def build_template(reference: Reference, unit_id: str | None, quarter, previous=None,
                   generated_at: dt.datetime | None = None) -> Workbook:
    """The return workbook for one unit and quarter (`unit_id=None`, `quarter=None`: the master).

    `previous` is an optional pair (task_progress, domain_progress) in the columns of
    `schemas.TABLE_COLUMNS` — the unit's last accepted return — whose answers are pre-filled.
    Frames holding several units are filtered on `unit_id`.
    """
    quarter = parse_quarter(quarter) if quarter is not None else None
    if unit_id is not None and unit_id not in _lookup(reference)["short"]:
        raise ValueError(f"未知单位：{unit_id}")
    prev_tasks, prev_domains = previous if previous is not None else (None, None)
    prev_tasks, prev_domains = _unit_rows(prev_tasks, unit_id), _unit_rows(prev_domains, unit_id)
    layout = unit_layout(reference, unit_id)
    who = _lookup(reference)["short"][unit_id] if unit_id else ""
    generated_at = generated_at or dt.datetime.now().replace(microsecond=0)

    wb = Workbook()
    guide = wb.active
    guide.title = names.SHEET_GUIDE
    _guide_sheet(guide, reference, who, quarter, layout,
                 carried=prev_tasks is not None or prev_domains is not None)
    _info_sheet(wb.create_sheet(names.SHEET_INFO), who, quarter)
    _tasks_sheet(wb.create_sheet(names.SHEET_TASKS), reference, unit_id, who, quarter, prev_tasks)
    if layout != "none":
        _domains_sheet(wb.create_sheet(names.SHEET_DOMAINS), reference, unit_id, who, quarter,
                       layout, prev_domains)
    _lists_sheet(wb.create_sheet(names.SHEET_LISTS))
    _meta_sheet(wb.create_sheet(names.SHEET_META), unit_id, quarter, generated_at)
    wb.active = 1  # open on 基本信息
    for ws in wb.worksheets:
        ws.sheet_view.tabSelected = ws.title == names.SHEET_INFO
    # Hidden sheets cannot be unhidden or deleted by accident; no password.
    wb.security = WorkbookProtection(lockStructure=True)
    wb.properties.creator = reference.settings.bulletin.office or "zwgk"
    wb.properties.title = f"{who}政务公开工作进展报送表"
    wb.properties.created = generated_at
    return wb


class _StampedZip(zipfile.ZipFile):
    """A ZipFile that dates every member `stamp` (zipfile would use the current time)."""

    def __init__(self, file, stamp: dt.datetime):
        super().__init__(file, "w", zipfile.ZIP_DEFLATED)
        self._when = (max(stamp.year, 1980), stamp.month, stamp.day,
                      stamp.hour, stamp.minute, stamp.second)

    def writestr(self, zinfo_or_arcname, data, *args, **kwargs):
        if isinstance(zinfo_or_arcname, str):
            zinfo_or_arcname = zipfile.ZipInfo(zinfo_or_arcname, date_time=self._when)
            zinfo_or_arcname.compress_type = zipfile.ZIP_DEFLATED
        return super().writestr(zinfo_or_arcname, data, *args, **kwargs)

    def write(self, filename, arcname=None, *args, **kwargs):
        # openpyxl streams worksheets through temp files; their mtime must not leak in.
        return self.writestr(arcname or Path(filename).name, Path(filename).read_bytes())


def workbook_bytes(wb: Workbook, stamp: dt.datetime | None = None) -> bytes:
    """The .xlsx bytes; with `stamp`, byte-identical across runs (fixed properties and zip times)."""
    from openpyxl.writer.excel import ExcelWriter

    if stamp is None:
        stamp = dt.datetime.now().replace(microsecond=0)
    wb.properties.created = wb.properties.modified = stamp
    raw = io.BytesIO()
    with _StampedZip(raw, stamp) as archive:
        ExcelWriter(wb, archive).write_data()  # unlike wb.save(), keeps `modified` as set
    return raw.getvalue()


def _write(path: Path, data: bytes) -> Path:
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
        tmp.chmod(0o644)  # mkstemp makes 0600; templates are shared and committed
    return path


def write_templates(reference: Reference, quarter, out_dir: str | Path, unit_ids=None,
                    previous=None, generated_at: dt.datetime | None = None) -> list[Path]:
    """One template per reporting unit (or per `unit_ids`) as `<简称>_<QUARTER>.xlsx` in `out_dir`."""
    quarter = parse_quarter(quarter)
    ids = list(unit_ids) if unit_ids else list(reference.reporting_units["unit_id"])
    generated_at = generated_at or dt.datetime.now().replace(microsecond=0)
    paths = []
    for unit_id in ids:
        wb = build_template(reference, unit_id, quarter, previous, generated_at)
        path = Path(out_dir) / template_filename(reference, unit_id, quarter)
        paths.append(_write(path, workbook_bytes(wb, generated_at)))
    return paths


def write_master(reference: Reference, path: str | Path) -> Path:
    """The blank unit-less master (`templates_xlsx/报送模板_v1.xlsx`): all 15 tasks, catalogue layout."""
    wb = build_template(reference, None, None, generated_at=MASTER_STAMP)
    return _write(Path(path), workbook_bytes(wb, MASTER_STAMP))
