"""`zwgk check`: read a quarter's returns and list what each unit must fix (问题清单.xlsx, 反馈/).

Ingest and the verdict rules run here, not scoring, so the office can check returns the day
they arrive and send them back before the due date. The verdict rules are included because
some defects only show against the task table: a task row left out (task-missing), 已完成
without a date (date-missing), a date after the submission (date-after-submission), 不适用 on
an assigned task, a domain left out. They are the same issues `zwgk run` reports.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from . import names as N
from . import stages
from .dates import Quarter
from .formatting import iso_date, locations
from .frames import records
from .outputs import XLSX_OPTIONS, atomic_path
from .reference import Reference
from .render.palette import ERROR_FONT, HEADER_FILL

ISSUE_LIST = "问题清单.xlsx"
SUMMARY_LABELS = N.CHECK_SUMMARY_LABELS
STATE_LABELS = N.SUBMISSION_STATE_LABELS


@dataclass
class CheckReport:
    quarter: Quarter
    ledger: pd.DataFrame   # every file seen, decided (accepted / rejected / superseded)
    summary: pd.DataFrame  # unit, file, state, errors, warnings (+ unit_id, submitted_on, on_time, reason)
    reference: Reference = field(repr=False, default=None)
    # Ingest's issues and the verdict rules' issues, ordered by unit (reference order), then file.
    issues: pd.DataFrame | None = None
    reconciliation: pd.DataFrame | None = None  # unit × applicable task, as of `as_of`
    as_of: dt.date | None = None

    @property
    def error_count(self) -> int:
        return int((self.issues["severity"] == "error").sum())

    @property
    def warning_count(self) -> int:
        return int((self.issues["severity"] == "warning").sum())


def summarise(ledger: pd.DataFrame, reference: Reference, issues: pd.DataFrame) -> pd.DataFrame:
    """One row per file seen, then one per reporting unit that sent nothing (state `missing`).

    `issues` are counted per file."""
    led = ledger
    sev = issues.groupby(["file", "severity"]).size().unstack(fill_value=0)
    sev = sev.reindex(columns=["error", "warning"], fill_value=0)
    names = reference.units.set_index("unit_id")["short_name"]
    order = reference.units.set_index("unit_id")["order"]
    files = pd.DataFrame({
        "unit": led["unit_id"].map(names).fillna("（未识别）"),
        "file": led["file"],
        "state": led["state"],
        "errors": led["file"].map(sev["error"]).fillna(0).astype(int),
        "warnings": led["file"].map(sev["warning"]).fillna(0).astype(int),
        "unit_id": led["unit_id"],
        "submitted_on": led["submitted_on"],
        "on_time": led["on_time"],
        "reason": led["reason"],
        "_order": led["unit_id"].map(order).fillna(10**6),
    })
    sent = set(led["unit_id"].dropna())
    missing = reference.reporting_units[~reference.reporting_units["unit_id"].isin(sent)]
    absent = pd.DataFrame({
        "unit": missing["short_name"], "file": "", "state": "missing", "errors": 0, "warnings": 0,
        "unit_id": missing["unit_id"], "submitted_on": pd.NaT, "on_time": False,
        "reason": "本季度未收到报表", "_order": missing["order"],
    })
    frames = [f for f in (files, absent) if len(f)]
    if not frames:
        return files.drop(columns="_order")
    out = pd.concat(frames, ignore_index=True)
    out = out.sort_values(["_order", "file"], kind="stable").drop(columns="_order")
    return out.reset_index(drop=True)


def check_quarter(folder: str | Path, reference: Reference, quarter: Quarter,
                  on_file: Callable[[str], None] | None = None, as_of: dt.date | None = None,
                  cache_dir: Path | None = None) -> CheckReport:
    """Read `inputs/<QUARTER>/`, apply the verdict rules as of `as_of` (default: the due date)
    and summarise per unit; never raises for a bad file."""
    as_of = as_of or stages.as_of_default(reference, quarter)
    read = stages.intake(Path(folder), reference, quarter, cache_dir, on_file)
    rec = stages.reconcile(read, reference, quarter, as_of,
                           stages.earlier_returns(Path(folder), reference, quarter))
    issues = order_issues(rec.issues, reference)
    return CheckReport(quarter, rec.ledger, summarise(rec.ledger, reference, issues), reference,
                       issues=issues, reconciliation=rec.reconciliation, as_of=as_of)


def order_issues(issues: pd.DataFrame, reference: Reference) -> pd.DataFrame:
    """Issues grouped by unit in reference order (unidentified files last), then by file; within
    a file sheet by sheet (in the order they first come up), then by row and column, so that
    ingest's and the verdict rules' issues on one sheet read top to bottom."""
    order = reference.units.set_index("unit_id")["order"].astype(int)
    file = issues["file"].fillna("")
    sheet = issues["sheet"].fillna("")
    cell = issues["cell"].fillna("").str.extract(r"^([A-Z]*)(\d*)$").fillna("")
    first_seen = {}  # (file, sheet) -> rank of its first issue within the file
    for f, sh in zip(file, sheet, strict=True):
        first_seen.setdefault((f, sh), sum(1 for k in first_seen if k[0] == f))
    key = pd.DataFrame({
        "u": issues["unit_id"].map(order).fillna(10**9).to_numpy(),
        "f": file.to_numpy(),
        "s": [first_seen[(f, sh)] for f, sh in zip(file, sheet, strict=True)],
        "r": pd.to_numeric(cell[1], errors="coerce").fillna(10**9).to_numpy(),  # no cell: last
        "c": [_column_number(c) for c in cell[0]],
    })
    return issues.iloc[key.sort_values(["u", "f", "s", "r", "c"], kind="stable").index].reset_index(drop=True)


def _column_number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def issue_rows(issues: pd.DataFrame, reference: Reference) -> pd.DataFrame:
    """The issue list as the office reads it: Chinese headers, location file!sheet!cell."""
    names = reference.units.set_index("unit_id")["short_name"]
    location = locations(issues)
    frame = pd.DataFrame({
        "单位": issues["unit_id"].map(names).fillna(""),
        "位置": location,
        "严重程度": issues["severity"].map(N.SEVERITY_LABELS),
        "问题说明": issues["message"],
        "问题代码": issues["code"],
        "文件": issues["file"], "工作表": issues["sheet"], "单元格": issues["cell"],
    })
    return frame.astype("object").where(frame.notna(), "")


def write_issue_list(report: CheckReport, path: str | Path) -> Path:
    """问题清单.xlsx: sheet 问题清单 (one row per issue) and sheet 报送情况 (one row per unit/file)."""
    import xlsxwriter


    reference = report.reference
    path = Path(path)
    issues = issue_rows(report.issues, reference)
    summary = report.summary.assign(
        state=report.summary["state"].map(STATE_LABELS),
        on_time=report.summary["on_time"].map({True: "是", False: "否"}),
        submitted_on=report.summary["submitted_on"].map(iso_date),
    )[list(SUMMARY_LABELS)].rename(columns=SUMMARY_LABELS)
    with atomic_path(path) as tmp:
        wb = xlsxwriter.Workbook(str(tmp), XLSX_OPTIONS)
        head = wb.add_format({"bold": True, "bg_color": HEADER_FILL, "border": 1, "text_wrap": True,
                              "valign": "vcenter"})
        wrap = wb.add_format({"text_wrap": True, "valign": "top"})
        error = wb.add_format({"font_color": ERROR_FONT, "valign": "top"})
        write_sheet(wb, "问题清单", issues, head, wrap, {"单位": 16, "位置": 34, "严重程度": 9, "问题说明": 70,
                                                "问题代码": 22, "文件": 24, "工作表": 10, "单元格": 8},
               highlight=("严重程度", N.SEVERITY_LABELS["error"], error))
        write_sheet(wb, "报送情况", summary, head, wrap, {"单位": 18, "文件": 30, "状态": 10, "报送日期": 12,
                                                "按时": 6, "错误": 6, "警告": 6, "说明": 50})
        wb.set_properties({"title": f"{report.quarter.label}报表问题清单"})
        wb.close()
    return path


def write_sheet(wb, name: str, frame: pd.DataFrame, head, wrap, widths: dict, highlight=None) -> None:
    ws = wb.add_worksheet(name)
    for c, col in enumerate(frame.columns):
        ws.write_string(0, c, col, head)
        ws.set_column(c, c, widths.get(col, 12), wrap)
    marked = frame.columns.get_loc(highlight[0]) if highlight else None  # once, not per row
    for r, row in enumerate(records(frame, index=False), start=1):
        for c, value in enumerate(row):
            if isinstance(value, bool):
                ws.write_string(r, c, "是" if value else "否")
            elif isinstance(value, int | float) and not pd.isna(value):
                ws.write_number(r, c, value)
            else:
                ws.write_string(r, c, "" if pd.isna(value) else str(value))  # text stays text
        if highlight and row[marked] == highlight[1]:
            ws.write_string(r, marked, highlight[1], highlight[2])
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, max(len(frame), 1), len(frame.columns) - 1)
    ws.set_landscape()
    ws.repeat_rows(0)
    ws.fit_to_pages(1, 0)
