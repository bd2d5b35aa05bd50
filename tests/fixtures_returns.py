"""Builders of return workbooks for the ingest tests: a clean return as a dict of sheets (lists of
rows), which each test bends into one real-world deviation, then writes as .xlsx or genuine .xls.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pipeline import names as N
from pipeline.reference import Reference

TASK_HEADER = list(N.TASK_COLUMNS)
CATALOGUE_HEADER = list(N.CATALOGUE_COLUMNS)
PLAN_HEADER = list(N.PLAN_COLUMNS)


def info_rows(unit="灵宝市", quarter="2020年第三季度", filled="2020-09-15"):
    return [["项目", "内容"], [N.INFO_UNIT, unit], [N.INFO_QUARTER, quarter], [N.INFO_DATE, filled],
            [N.INFO_PERSON, "张三"], [N.INFO_PHONE, "0398-1234567"], [N.INFO_REVIEWER, "李四"]]


def task_rows(reference: Reference, unit_id: str, status="推进中", overrides=None):
    """Header + one row per assigned task; overrides: {task_id: {header: value}}."""
    overrides = overrides or {}
    a = reference.assignments
    rows = [TASK_HEADER]
    for t in a.loc[a["unit_id"] == unit_id].itertuples():
        row = {"任务编号": t.task_id, "工作任务": f"任务{t.task_id}", "时间进度": t.deadline_text,
               "完成状态": status, "完成时间": "", "进展情况": "正在推进", "佐证材料": "", "存在问题及下一步措施": ""}
        row.update(overrides.get(t.task_id, {}))
        rows.append([row[h] for h in TASK_HEADER])
    return rows


def domain_rows(reference: Reference, unit_id: str, overrides=None):
    overrides = overrides or {}
    d = reference.domains
    if reference.group(unit_id) == "base":
        rows = [CATALOGUE_HEADER]
        for r in d.itertuples():
            row = {"领域编号": r.domain_id, "试点领域": r.name, "目录编制状态": "编制中", "事项数量": 0,
                   "公开网址": "", "完成时间": "", "备注": ""}
            row.update(overrides.get(r.domain_id, {}))
            rows.append([row[h] for h in CATALOGUE_HEADER])
        return rows
    rows = [PLAN_HEADER]
    for r in d[d["lead_unit_id"] == unit_id].itertuples():
        row = {"领域编号": r.domain_id, "试点领域": r.name, "实施方案状态": "起草中", "出台时间": "",
               "文号或网址": "", "备注": ""}
        row.update(overrides.get(r.domain_id, {}))
        rows.append([row[h] for h in PLAN_HEADER])
    return rows


def standard_return(reference: Reference, unit_id="lingbao", unit=None, quarter="2020年第三季度",
                    filled="2020-09-15", status="推进中", tasks=None, domains=None, meta=True):
    """A clean return as {sheet: rows}; `meta` adds the hidden _meta sheet the template writes."""
    sheets = {
        N.SHEET_GUIDE: [["填报说明"], ["请于本季度最后一个月20日前报送。"]],
        N.SHEET_INFO: info_rows(unit or reference.unit_name(unit_id), quarter, filled),
        N.SHEET_TASKS: task_rows(reference, unit_id, status, tasks),
    }
    if reference.group(unit_id) == "base" or unit_id in reference.lead_units:
        sheets[N.SHEET_DOMAINS] = domain_rows(reference, unit_id, domains)
    if meta:
        sheets[N.SHEET_META] = [["template_version", 1], ["unit_id", unit_id],
                                ["quarter", "2020Q3"], ["generated_at", "2020-07-01T00:00:00"]]
    return sheets


def write_xlsx(path: Path, sheets: dict, merged: dict | None = None) -> Path:
    """Write sheets with openpyxl; `merged` = {sheet: ["A1:H1", ...]}; _meta/_lists hidden."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                if value is not None and value != "":
                    ws.cell(r, c, value)
        for rng in (merged or {}).get(name, []):
            ws.merge_cells(rng)
        if name.startswith("_"):
            ws.sheet_state = "hidden"
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def write_xls(path: Path, sheets: dict) -> Path:
    """A genuine BIFF8 .xls (as old Excel / WPS saves it), dates as real date cells."""
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    date_style = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    for name, rows in sheets.items():
        ws = wb.add_sheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if isinstance(value, dt.date):
                    ws.write(r, c, value, date_style)
                elif value is not None and value != "":
                    ws.write(r, c, value)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(str(path))
    return path


def find_row(rows, task_id) -> int:
    """1-based Excel row of a task/domain number in column A of a sheet's rows."""
    for i, row in enumerate(rows, start=1):
        if row and row[0] == task_id:
            return i
    raise KeyError(task_id)
