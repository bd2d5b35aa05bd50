"""`zwgk check`: read a quarter's returns and list what each unit must fix (问题清单.xlsx).

Only ingest runs here (no verdicts or scores), so the office can check returns the day they
arrive and send them back before the due date.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from . import names as N
from .dates import Quarter
from .ingest import Intake, read_returns
from .reference import Reference

ISSUE_LIST = "问题清单.xlsx"
SUMMARY_LABELS = {"unit": "单位", "file": "文件", "state": "状态", "submitted_on": "报送日期",
                  "on_time": "按时", "errors": "错误", "warnings": "警告", "reason": "说明"}
STATE_LABELS = N.LEDGER_STATE_LABELS | {"missing": "未报送"}


@dataclass
class CheckReport:
    quarter: Quarter
    intake: Intake
    summary: pd.DataFrame  # unit, file, state, errors, warnings (+ unit_id, submitted_on, on_time, reason)
    reference: Reference = field(repr=False, default=None)

    @property
    def issues(self) -> pd.DataFrame:
        return self.intake.issues

    @property
    def error_count(self) -> int:
        return int((self.issues["severity"] == "error").sum())

    @property
    def warning_count(self) -> int:
        return int((self.issues["severity"] == "warning").sum())


def summarise(intake: Intake, reference: Reference) -> pd.DataFrame:
    """One row per file seen, then one per reporting unit that sent nothing (state `missing`)."""
    led = intake.ledger
    sev = intake.issues.groupby(["file", "severity"]).size().unstack(fill_value=0)
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
                  on_file: Callable[[str], None] | None = None) -> CheckReport:
    """Read `inputs/<QUARTER>/` and summarise per unit; never raises for a bad file."""
    intake = read_returns(Path(folder), reference, quarter, on_file=on_file)
    return CheckReport(quarter, intake, summarise(intake, reference), reference)


def issue_rows(issues: pd.DataFrame, reference: Reference) -> pd.DataFrame:
    """The issue list as the office reads it: Chinese headers, location file!sheet!cell."""
    names = reference.units.set_index("unit_id")["short_name"]
    parts = issues[["file", "sheet", "cell"]].fillna("").astype(str)
    location = parts.apply(lambda r: "!".join(p for p in r if p), axis=1) if len(parts) else pd.Series(dtype=str)
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

    from .outputs import atomic_path
    from .reference import load_reference

    reference = report.reference or load_reference()
    path = Path(path)
    issues = issue_rows(report.issues, reference)
    summary = report.summary.assign(
        state=report.summary["state"].map(STATE_LABELS),
        on_time=report.summary["on_time"].map({True: "是", False: "否"}),
        submitted_on=report.summary["submitted_on"].dt.strftime("%Y-%m-%d"),
    )[list(SUMMARY_LABELS)].rename(columns=SUMMARY_LABELS)
    with atomic_path(path) as tmp:
        wb = xlsxwriter.Workbook(str(tmp), {"strings_to_formulas": False, "strings_to_urls": False,
                                            "strings_to_numbers": False})
        head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True,
                              "valign": "vcenter"})
        wrap = wb.add_format({"text_wrap": True, "valign": "top"})
        error = wb.add_format({"font_color": "#C00000", "valign": "top"})
        _sheet(wb, "问题清单", issues, head, wrap, {"单位": 16, "位置": 34, "严重程度": 9, "问题说明": 70,
                                                "问题代码": 22, "文件": 24, "工作表": 10, "单元格": 8},
               highlight=("严重程度", N.SEVERITY_LABELS["error"], error))
        _sheet(wb, "报送情况", summary, head, wrap, {"单位": 18, "文件": 30, "状态": 10, "报送日期": 12,
                                                "按时": 6, "错误": 6, "警告": 6, "说明": 50})
        wb.set_properties({"title": f"{report.quarter.label}报表问题清单"})
        wb.close()
    return path


def _sheet(wb, name: str, frame: pd.DataFrame, head, wrap, widths: dict, highlight=None) -> None:
    ws = wb.add_worksheet(name)
    for c, col in enumerate(frame.columns):
        ws.write_string(0, c, col, head)
        ws.set_column(c, c, widths.get(col, 12), wrap)
    for r, row in enumerate(frame.itertuples(index=False), start=1):
        for c, value in enumerate(row):
            if isinstance(value, bool):
                ws.write_string(r, c, "是" if value else "否")
            elif isinstance(value, int | float) and not pd.isna(value):
                ws.write_number(r, c, value)
            else:
                ws.write_string(r, c, "" if pd.isna(value) else str(value))  # text stays text
        if highlight and frame.iloc[r - 1][highlight[0]] == highlight[1]:
            ws.write_string(r, frame.columns.get_loc(highlight[0]), highlight[1], highlight[2])
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, max(len(frame), 1), len(frame.columns) - 1)
    ws.set_landscape()
    ws.repeat_rows(0)
    ws.fit_to_pages(1, 0)
