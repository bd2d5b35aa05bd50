"""Status and reminders: who has sent, who is missing, who must fix what, days to the due date."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..check import STATE_LABELS, CheckReport, write_sheet
from ..dates import Quarter
from ..errors import writing
from ..formatting import cn_date, iso_date, location
from ..frames import records
from ..outputs import XLSX_OPTIONS, atomic_path
from ..reference import Reference

STATUS_WORKBOOK = "报送情况.xlsx"
REMINDER = "催报名单"  # .docx and .txt

STATUS_LABELS = {"unit": "单位", "state": "状态", "file": "文件", "submitted_on": "收文日期",
                 "on_time": "按时", "errors": "错误", "warnings": "警告", "todo": "需办理"}


def days_left(quarter: Quarter, reference: Reference, today: dt.date | None = None) -> int:
    """Days from `today` to the due date (negative once it has passed)."""
    due = quarter.due_date(reference.settings.reporting.due_day)
    return (due - (today or dt.date.today())).days


def status_frame(report: CheckReport, today: dt.date | None = None) -> pd.DataFrame:
    """One row per file received and per reporting unit missing: its state, receipt date,
    timeliness, errors outstanding and what is to be done (columns of STATUS_LABELS)."""
    left = days_left(report.quarter, report.reference, today)
    due = report.quarter.due_date(report.reference.settings.reporting.due_day)
    s = report.summary

    def todo(r) -> str:
        if r.state == "missing":
            return (f"截止日已过 {-left} 天，请立即报送" if left < 0 else
                    f"请于{cn_date(due)}前报送（还有 {left} 天）")
        if r.state == "rejected":
            return f"未接收：{r.reason}；请修改后重新报送" if isinstance(r.reason, str) and r.reason \
                else "未接收，请修改后重新报送"
        if r.state == "superseded":
            return "已被后报的文件替代，无需处理"
        if r.state == "accepted" and r.errors:
            return f"有 {r.errors} 处错误，请按反馈表修改后重新报送"
        return ""

    def on_time(r) -> str:
        if r.state == "missing":
            return ""
        if pd.isna(r.submitted_on):
            return "日期不明"
        return "是" if bool(r.on_time) else "否"

    rows = list(records(s))
    return pd.DataFrame({
        "unit": s["unit"], "state": s["state"].map(STATE_LABELS), "file": s["file"],
        "submitted_on": s["submitted_on"].map(iso_date), "on_time": [on_time(r) for r in rows],
        "errors": s["errors"], "warnings": s["warnings"], "todo": [todo(r) for r in rows],
        "unit_id": s["unit_id"], "state_code": s["state"],
    })


def status_heading(report: CheckReport, today: dt.date | None = None) -> str:
    ref, q = report.reference, report.quarter
    left = days_left(q, ref, today)
    due = cn_date(q.due_date(ref.settings.reporting.due_day))
    when = (f"距报送截止日（{due}）还有 {left} 天" if left > 0 else
            f"今天是报送截止日（{due}）" if left == 0 else f"报送截止日（{due}）已过 {-left} 天")
    s = report.summary
    sent = s.loc[s["state"] == "accepted", "unit_id"].nunique()
    total = len(ref.reporting_units)
    missing = int((s["state"] == "missing").sum())
    with_errors = len(reminders(report, today)) - missing
    return (f"{q.label}报送情况：{when}；应报 {total} 个单位，已接收 {sent} 个，未报送 {missing} 个，"
            f"有错误或被拒收待处理 {with_errors} 个。")


def write_status_workbook(report: CheckReport, path: Path, today: dt.date | None = None) -> Path:
    """报送情况.xlsx: the status sheet (one row per file and per missing unit)."""
    import xlsxwriter


    frame = status_frame(report, today)[list(STATUS_LABELS)].rename(columns=STATUS_LABELS)
    with atomic_path(path) as tmp:
        wb = xlsxwriter.Workbook(str(tmp), XLSX_OPTIONS)
        head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True,
                              "valign": "vcenter"})
        wrap = wb.add_format({"text_wrap": True, "valign": "top"})
        red = wb.add_format({"font_color": "#C00000", "valign": "top"})
        write_sheet(wb, "报送情况", frame, head, wrap, {"单位": 18, "状态": 10, "文件": 30, "收文日期": 12,
                                                "按时": 8, "错误": 6, "警告": 6, "需办理": 50},
               highlight=("状态", STATE_LABELS["missing"], red))
        wb.set_properties({"title": status_heading(report, today)})
        wb.close()
    return Path(path)


# ---- remind ---------------------------------------------------------------------------------
@dataclass
class Reminder:
    unit_id: str
    unit: str
    situation: str        # 未报送 / 报表未接收 / 报表有错误
    todo: str             # what the unit must do
    details: list[str] = field(default_factory=list)  # the errors to fix, location and message


def reminders(report: CheckReport, today: dt.date | None = None, max_details: int = 10) -> list[Reminder]:
    """The units to call: missing ones, ones whose files were all rejected, ones whose accepted
    return has errors — each with what it must do (reference order)."""
    ref, q = report.reference, report.quarter
    left = days_left(q, ref, today)
    due = cn_date(q.due_date(ref.settings.reporting.due_day))
    s, issues = report.summary, report.issues
    out = []
    # split once into plain rows: pandas operations per unit cost ~1 s at 2,000 townships
    rows_of: dict[str, list] = {}
    for r in records(s):
        rows_of.setdefault(r.unit_id, []).append(r)
    errors_of: dict[str, list] = {}
    for r in records(issues[issues["severity"] == "error"]):
        errors_of.setdefault(r.file, []).append(r)  # in the issues' order
    for unit in records(ref.reporting_units):
        rows = rows_of.get(unit.unit_id, [])
        accepted = {r.file for r in rows if r.state == "accepted"}
        if not rows or any(r.state == "missing" for r in rows):
            todo = (f"报送截止日（{due}）已过 {-left} 天，请立即报送本季度报表" if left < 0 else
                    f"请于{due}前报送本季度报表")
            out.append(Reminder(unit.unit_id, unit.short_name, "未报送", todo))
        elif not accepted:
            reasons = "；".join(f"“{r.file}”{r.reason}" for r in rows if isinstance(r.reason, str))
            out.append(Reminder(unit.unit_id, unit.short_name, "报表未接收",
                                f"所报文件未被接收，请修改后重新报送（{reasons}）"))
        else:
            errors = sorted((e for f in accepted for e in errors_of.get(f, [])), key=lambda e: e.Index)
            if errors:
                details = [f"{location(r.file, r.sheet, r.cell)}：{r.message}" for r in errors[:max_details]]
                if len(errors) > max_details:
                    details.append(f"……另有 {len(errors) - max_details} 处，见反馈表")
                out.append(Reminder(unit.unit_id, unit.short_name, "报表有错误",
                                    f"报表有 {len(errors)} 处错误，请按反馈表（反馈/{unit.short_name}.xlsx）"
                                    "修改后重新报送", details))
    return out


def reminder_text(report: CheckReport, items: list[Reminder], today: dt.date | None = None) -> str:
    today = today or dt.date.today()
    lines = [f"{report.quarter.label}政务公开报表催报名单", f"（{cn_date(today)}）", "",
             status_heading(report, today), ""]
    if not items:
        lines.append("各单位均已报送且报表无错误，无需催报。")
    for i, r in enumerate(items, start=1):
        lines.append(f"{i}. {r.unit}（{r.situation}）：{r.todo}。")
        lines += [f"   - {d}" for d in r.details]
    return "\n".join(lines) + "\n"


def write_reminder(report: CheckReport, out_dir: Path, today: dt.date | None = None
                   ) -> tuple[list[Reminder], dict[str, Path]]:
    """催报名单.txt and 催报名单.docx in `out_dir`."""
    today = today or dt.date.today()
    items = reminders(report, today)
    out_dir = Path(out_dir)
    with writing(out_dir):
        return items, _write_reminder(report, items, out_dir, today)


def _write_reminder(report: CheckReport, items: list[Reminder], out_dir: Path, today: dt.date
                    ) -> dict[str, Path]:
    from docx import Document
    from docx.oxml.ns import qn
    from docx.shared import Pt


    out_dir.mkdir(parents=True, exist_ok=True)
    txt, docx = out_dir / f"{REMINDER}.txt", out_dir / f"{REMINDER}.docx"
    with atomic_path(txt) as tmp:
        tmp.write_text(reminder_text(report, items, today), encoding="utf-8-sig")
    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name, normal.font.size = "仿宋_GB2312", Pt(14)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), "仿宋_GB2312")  # East-Asian text too
    doc.add_heading(f"{report.quarter.label}政务公开报表催报名单", level=1)
    doc.add_paragraph(f"{cn_date(today)}　{status_heading(report, today)}")
    if items:
        table = doc.add_table(rows=1, cols=4)
        table.style = "Table Grid"
        for cell, text in zip(table.rows[0].cells, ("序号", "单位", "情况", "需办理事项"), strict=True):
            cell.text = text
        for i, r in enumerate(items, start=1):
            cells = table.add_row().cells
            for cell, text in zip(cells, (str(i), r.unit, r.situation,
                                          "\n".join([r.todo] + r.details)), strict=True):
                cell.text = text
    else:
        doc.add_paragraph("各单位均已报送且报表无错误，无需催报。")
    with atomic_path(docx) as tmp:
        doc.save(str(tmp))
    return {"txt": txt, "docx": docx}
