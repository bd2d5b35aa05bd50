"""通报_<Q>.xlsx: ranking, task and domain matrices, submissions, issues, native charts.

Formats only: every value comes from the QuarterResult tables. Text is always written with
write_string (and the workbook refuses to turn strings into formulas or links), so nothing a
unit typed can become a live formula.
"""

from __future__ import annotations

import datetime as dt
import keyword
from pathlib import Path

import numpy as np
import pandas as pd
import xlsxwriter

from ..issues import ISSUE_CODES
from ..names import (
    CATALOGUE_STATUS_LABELS,
    CHANGE_FIELD_LABELS,
    CHANGE_ITEM_LABELS,
    CHANGE_KIND_LABELS,
    GROUP_LABELS,
    LEDGER_STATE_LABELS,
    PLAN_STATUS_LABELS,
    RECTIFICATION_KIND_LABELS,
    SEVERITY_LABELS,
    TASK_STATUS_LABELS,
    VERDICT_LABELS,
    group_labels,
)
from ..outputs import XLSX_OPTIONS
from ..reference import LEVEL_LABELS
from ..result import QuarterResult
from .palette import (
    ALERT_FILL,
    BAD_FILL,
    BAR,
    DOMAIN_FILLS,
    DOWN_FONT,
    GOOD_FILL,
    GRADE_COLOURS,
    GRADE_FILLS,
    HEADER_FILL,
    NOTE_FONT,
    UP_FONT,
    VERDICT_COLOURS,
    VERDICT_FILLS,
    WARN_FILL,
)

FONT = "宋体"
MISSING_LABEL = "未填报"
# Native charts with a bar or column per unit are drawn up to this many units (the city's 27,
# a county's townships); at province scale the sheets keep every row and the charts are left out.
CHART_UNITS = 60
# Optional extra tables → sheet name (written as plain tables when present and non-empty).
EXTRA_SHEETS = {"catalogue_audit": "目录质量", "history": "历次得分", "rectification": "整改情况",
                "changes": "变更记录", "township_summary": "乡镇汇总"}
# Extra tables that hold every quarter so far; the workbook shows this quarter's rows only.
THIS_QUARTER_ONLY = {"changes"}
EXTRA_HEADERS = {
    "unit_id": "单位代码", "short_name": "单位", "quarter": "季度", "group": "分组", "total": "综合得分",
    "rank": "排名", "grade": "等次", "domain_id": "领域编号", "reason": "问题", "resolved": "已整改",
    "kind": "类别", "task_id": "任务编号", "file": "文件", "score": "得分", "message": "说明",
    "previous_quarter": "上期", "status_now": "本期状态", "criticised_twice": "连续被通报",
    "commended": "表扬", "criticised": "通报批评", "on_time": "按时报送", "has_return": "已报送",
    "sent": "已报送目录", "items": "目录事项数", "complete_items": "要素齐全事项数",
    "share_complete": "要素齐全率", "reported_count": "报表填报事项数", "count_matches": "数量一致",
    "source": "来源", "missing_elements": "缺少要素", "score_change": "得分变化", "trend": "趋势",
    "item": "对象", "item_id": "编号", "field": "字段", "old": "原值", "new": "新值",
    "old_file": "原文件", "new_file": "新文件",
    # township_summary (a county's roll-up of its townships)
    "level": "层级", "parent_id": "上级单位", "townships": "乡镇（街道）数", "reporting": "已报送乡镇",
    "tasks_due": "应完成任务", "tasks_done": "已完成任务", "catalogue_due": "乡级目录应编制",
    "catalogue_done": "已编制并公开", "completion_rate": "任务完成率", "catalogue_rate": "目录覆盖率",
    "county_quarter": "汇总所属季度",
}
STATUS_VALUE_LABELS = TASK_STATUS_LABELS | CATALOGUE_STATUS_LABELS | PLAN_STATUS_LABELS
EXTRA_VALUES = {"group": GROUP_LABELS, "kind": RECTIFICATION_KIND_LABELS | CHANGE_KIND_LABELS,
                "item": CHANGE_ITEM_LABELS, "field": CHANGE_FIELD_LABELS,
                "old": STATUS_VALUE_LABELS, "new": STATUS_VALUE_LABELS, "level": LEVEL_LABELS}


class _Formats:
    """The workbook's cell formats, created once."""

    def __init__(self, wb: xlsxwriter.Workbook):
        base = {"font_name": FONT, "font_size": 10, "valign": "vcenter", "border": 1}
        self.wb = wb
        self.text = wb.add_format(base)
        self.wrap = wb.add_format(base | {"text_wrap": True})
        self.center = wb.add_format(base | {"align": "center"})
        self.header = wb.add_format(base | {"bold": True, "align": "center", "text_wrap": True,
                                            "bg_color": HEADER_FILL})
        self.title = wb.add_format({"font_name": FONT, "font_size": 14, "bold": True})
        self.note = wb.add_format({"font_name": FONT, "font_size": 9, "italic": True,
                                   "font_color": NOTE_FONT})
        self.score = wb.add_format(base | {"num_format": "0.0", "align": "center"})
        self.pct = wb.add_format(base | {"num_format": "0.0%", "align": "center"})
        self.int = wb.add_format(base | {"num_format": "0", "align": "center"})
        self.date = wb.add_format(base | {"num_format": "yyyy-mm-dd", "align": "center"})
        # the same words as the 通报: ↑2 / ↓1 / 持平; blank when there is no previous rank
        self.delta = wb.add_format(base | {"num_format": "+0.0;-0.0;0.0", "align": "center"})
        self.change = wb.add_format(base | {"num_format": '"↑"0;"↓"0;"持平"', "align": "center"})
        self.fill = {}

    def filled(self, colour: str):
        if colour not in self.fill:
            self.fill[colour] = self.wb.add_format({"font_name": FONT, "font_size": 10, "border": 1,
                                                    "align": "center", "valign": "vcenter",
                                                    "bg_color": colour})
        return self.fill[colour]

    def cond(self, colour: str, font: str | None = None):
        spec = {"bg_color": colour} if colour else {}
        if font:
            spec["font_color"] = font
        return self.wb.add_format(spec)


def _is_na(value) -> bool:
    try:
        return value is None or bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _write(ws, row: int, col: int, value, fmt) -> None:
    """One cell by type; text never becomes a formula, NA becomes an empty cell."""
    if isinstance(value, str):  # the usual cell, first: no NA test for it
        ws.write_string(row, col, value, fmt)
    elif _is_na(value):
        ws.write_blank(row, col, None, fmt)
    elif isinstance(value, bool | np.bool_):
        ws.write_string(row, col, "是" if value else "否", fmt)
    elif isinstance(value, pd.Timestamp | dt.datetime | dt.date):
        ws.write_datetime(row, col, pd.Timestamp(value).to_pydatetime(), fmt)
    elif isinstance(value, int | float) or hasattr(value, "dtype"):
        try:
            ws.write_number(row, col, float(value), fmt)
        except (TypeError, ValueError):
            ws.write_string(row, col, str(value), fmt)
    else:
        ws.write_string(row, col, str(value), fmt)


def _width(values) -> float:
    """Column width for the longest value (CJK characters count double)."""
    longest = 0
    for v in values:
        s = v if isinstance(v, str) else "" if _is_na(v) else str(v)
        longest = max(longest, len(s) if s.isascii() else sum(2 if ord(c) > 0x2E80 else 1 for c in s))
    return min(max(longest + 2, 6), 60)


def _values(frame: pd.DataFrame, names: list, key) -> list:
    """Column `key` of `frame` as a list, as the rows' records name it: a name that is no
    field name of a record (itertuples renames those) or no column gives empty cells."""
    valid = isinstance(key, str) and key.isidentifier() and not keyword.iskeyword(key) and not key.startswith("_")
    if not valid or key not in names:
        return [None] * len(frame)
    return frame.iloc[:, names.index(key)].tolist()  # the first of equal names, as a record has


def _print_setup(ws, header_rows: int, title: str) -> None:
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.set_margins(left=0.5, right=0.5, top=0.7, bottom=0.7)
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(0, header_rows - 1)
    ws.set_header(f"&C&\"{FONT},Bold\"{title}")
    ws.set_footer("&C第 &P 页，共 &N 页")


def _table(ws, fmts: _Formats, frame: pd.DataFrame, columns: list[tuple[str, str, object]],
           first_row: int = 0) -> int:
    """Header + rows; columns = (header, frame column, format). Returns the next free row."""
    names = list(frame.columns)
    cells = []  # each column's values as a list, read once (not a record per row)
    for c, (head, key, _) in enumerate(columns):
        ws.write_string(first_row, c, head, fmts.header)
        values = _values(frame, names, key)
        ws.set_column(c, c, max(_width([head]), _width(values) if key in frame else 6))
        cells.append(values)
    formats = [fmt for _, _, fmt in columns]
    for r, row in enumerate(zip(*cells, strict=True), start=first_row + 1):
        for c, (value, fmt) in enumerate(zip(row, formats, strict=True)):
            _write(ws, r, c, value, fmt)
    last = first_row + len(frame)
    ws.freeze_panes(first_row + 1, 0)
    ws.autofilter(first_row, 0, max(last, first_row), len(columns) - 1)
    return last + 1


def _grid(rows: pd.DataFrame, column: str, key: str, units: list, keys: list) -> list[list]:
    """units × keys: the first `column` value that is text of each (unit_id, `key`) of `rows`
    (None where there is none), as a pivot table with aggfunc="first" would give it, in
    plain lists (a pivot table costs more than the whole sheet it fills)."""
    at_unit = {u: i for i, u in enumerate(units)}
    at_key = {k: j for j, k in enumerate(keys)}
    grid = [[None] * len(keys) for _ in units]
    for u, k, v in zip(rows["unit_id"].tolist(), rows[key].tolist(), rows[column].tolist(), strict=True):
        i, j = at_unit.get(u), at_key.get(k)
        if i is not None and j is not None and grid[i][j] is None and isinstance(v, str):
            grid[i][j] = v
    return grid


def _names(result: QuarterResult) -> pd.Series:
    return result.reference.units.set_index("unit_id")["short_name"]


# ---- sheets ------------------------------------------------------------------------------
def _ranking_sheet(wb, fmts: _Formats, result: QuarterResult, charts: bool) -> None:
    ws = wb.add_worksheet("排名")
    s = result.scores.copy()
    labels = group_labels(result.reference.level)
    s["group_label"] = s["group"].map(labels)
    s["commended_text"] = s["commended"].map(lambda v: "表扬" if v else "")
    s["criticised_text"] = s["criticised"].map(lambda v: "通报批评" if v else "")
    cols = [("分组", "group_label", fmts.center), ("排名", "rank", fmts.int),
            ("单位", "short_name", fmts.text), ("报送及时", "timeliness", fmts.pct),
            ("任务完成", "completion", fmts.pct), ("目录编制", "catalogue", fmts.pct),
            ("报表质量", "quality", fmts.pct), ("综合得分", "total", fmts.score),
            ("等次", "grade", fmts.center), ("名次变化", "rank_change", fmts.change)]
    if "score_change" in s:  # from the cross-quarter tables: this total − last quarter's
        cols.append(("得分变化", "score_change", fmts.delta))
    if "trend" in s:  # ↑/↓ where the total moved by at least rules.trend_threshold points
        cols.append(("趋势", "trend", fmts.center))
    cols += [("表扬", "commended_text", fmts.center), ("通报批评", "criticised_text", fmts.center),
             ("原因", "reasons", fmts.wrap)]
    at = {head: i for i, (head, _, _) in enumerate(cols)}
    last = _table(ws, fmts, s, cols)
    ws.set_column(len(cols) - 1, len(cols) - 1, 60)
    n = len(s)
    if n:
        for grade, colour in GRADE_FILLS.items():
            ws.conditional_format(1, at["等次"], n, at["等次"], {
                "type": "cell", "criteria": "==", "value": f'"{grade}"',
                "format": fmts.cond(colour, GRADE_COLOURS.get(grade))})
        for head in ("名次变化", "得分变化"):
            if head in at:
                c = at[head]
                ws.conditional_format(1, c, n, c, {"type": "cell", "criteria": ">", "value": 0,
                                                   "format": fmts.cond("", UP_FONT)})
                ws.conditional_format(1, c, n, c, {"type": "cell", "criteria": "<", "value": 0,
                                                   "format": fmts.cond("", DOWN_FONT)})
        c = at["通报批评"]
        ws.conditional_format(1, c, n, c, {"type": "cell", "criteria": "==",
                                           "value": '"通报批评"', "format": fmts.cond(BAD_FILL)})
        c = at["表扬"]
        ws.conditional_format(1, c, n, c, {"type": "cell", "criteria": "==",
                                           "value": '"表扬"', "format": fmts.cond(GOOD_FILL)})
    ws.write_string(last + 1, 0, "说明：四项为得分率；名次变化 ↑ 为上升、↓ 为下降，空白为无上期排名；"
                    "目录编制为空表示该项不适用。", fmts.note)
    _print_setup(ws, 1, f"{result.quarter.label}排名情况")
    if charts and n:
        anchor = last + 3
        for g in ("base", "dept"):
            rows = [i for i, v in enumerate(s["group"]) if v == g]
            if not rows or len(rows) > CHART_UNITS:  # a bar per unit: unreadable beyond
                continue
            first, lastr = rows[0] + 1, rows[-1] + 1
            chart = wb.add_chart({"type": "bar"})
            chart.add_series({
                "name": f"{labels[g]}综合得分",
                "categories": ["排名", first, 2, lastr, 2],
                "values": ["排名", first, 7, lastr, 7],
                "data_labels": {"value": True, "num_format": "0.0"},
                "fill": {"color": BAR}, "gap": 60})
            chart.set_title({"name": f"{labels[g]}综合得分", "name_font": {"name": FONT, "size": 12}})
            chart.set_y_axis({"reverse": True, "num_font": {"name": FONT}})
            chart.set_x_axis({"min": 0, "max": 100, "num_font": {"name": FONT}})
            chart.set_legend({"none": True})
            chart.set_size({"width": 620, "height": 90 + 24 * len(rows)})
            ws.insert_chart(anchor, 2, chart)
            anchor += int((90 + 24 * len(rows)) / 20) + 2


def _task_matrix_sheet(wb, fmts: _Formats, result: QuarterResult, charts: bool) -> None:
    ws = wb.add_worksheet("任务矩阵")
    rec = result.reconciliation
    scored = set(result.scores["unit_id"])  # once: a set per unit is quadratic
    units = list(result.scores["unit_id"]) + [u for u in pd.unique(rec["unit_id"]) if u not in scored]
    rec = rec[rec["unit_id"].isin(units)]
    tasks = sorted(rec["task_id"].astype(int).unique())
    deadlines = rec.drop_duplicates("task_id").set_index("task_id")["deadline_text"]
    grid = _grid(rec, "verdict", "task_id", units, tasks)
    names = _names(result)
    groups = result.reference.units.set_index("unit_id")["group"]
    ws.write_string(0, 0, "单位", fmts.header)
    ws.write_string(0, 1, "分组", fmts.header)
    for j, t in enumerate(tasks, start=2):
        ws.write_string(0, j, f"任务{t}\n{deadlines.get(t, '')}", fmts.header)
    # one row at a time from plain arrays (a .loc per cell is ~0.1 ms: minutes at 10,000 units)
    unit_names = [names.get(u, u) for u in units]
    labels = group_labels(result.reference.level)
    unit_groups = [labels.get(groups.get(u, ""), "") for u in units]
    for i, (name, label, row) in enumerate(zip(unit_names, unit_groups, grid, strict=True), start=1):
        ws.write_string(i, 0, name, fmts.text)
        ws.write_string(i, 1, label, fmts.center)
        for j, v in enumerate(row, start=2):
            if isinstance(v, str):
                ws.write_string(i, j, VERDICT_LABELS.get(v, v), fmts.center)
            else:
                ws.write_blank(i, j, None, fmts.center)
    last_col = 1 + len(tasks)
    ws.set_row(0, 32)
    ws.set_column(0, 0, _width(unit_names + ["单位"]))
    ws.set_column(1, 1, 10)
    ws.set_column(2, last_col, 11)
    for code, colour in VERDICT_FILLS.items():
        ws.conditional_format(1, 2, len(units), last_col, {
            "type": "cell", "criteria": "==", "value": f'"{VERDICT_LABELS[code]}"',
            "format": fmts.cond(colour)})
    ws.freeze_panes(1, 2)
    ws.autofilter(0, 0, len(units), last_col)
    # counts per unit and verdict (for the stacked chart), right of the matrix
    c0 = last_col + 2
    counts = rec.groupby(["unit_id", "verdict"]).size().unstack(fill_value=0)
    counts = counts.reindex(index=units, columns=list(VERDICT_LABELS), fill_value=0)
    ws.write_string(0, c0, "单位", fmts.header)
    for k, code in enumerate(VERDICT_LABELS, start=1):
        ws.write_string(0, c0 + k, VERDICT_LABELS[code], fmts.header)
    for i, (name, row) in enumerate(zip(unit_names, counts.to_numpy(dtype=int), strict=True), start=1):
        ws.write_string(i, c0, name, fmts.text)
        for k, count in enumerate(row, start=1):
            ws.write_number(i, c0 + k, int(count), fmts.int)
    ws.set_column(c0, c0, _width(unit_names))
    # legend
    leg = len(units) + 2
    ws.write_string(leg, 0, "图例", fmts.header)
    for k, code in enumerate(VERDICT_LABELS):
        ws.write_string(leg + 1 + k, 0, VERDICT_LABELS[code], fmts.filled(VERDICT_FILLS[code]))
    ws.write_string(leg + 1 + len(VERDICT_LABELS), 0, "空白：该任务不属于本单位", fmts.note)
    _print_setup(ws, 1, f"{result.quarter.label}任务完成情况")
    if charts and units and len(units) <= CHART_UNITS:  # beyond, a column per unit is unreadable
        chart = wb.add_chart({"type": "column", "subtype": "stacked"})
        for k, code in enumerate(VERDICT_LABELS, start=1):
            chart.add_series({
                "name": ["任务矩阵", 0, c0 + k],
                "categories": ["任务矩阵", 1, c0, len(units), c0],
                "values": ["任务矩阵", 1, c0 + k, len(units), c0 + k],
                "fill": {"color": VERDICT_COLOURS[code]}, "gap": 50})
        chart.set_title({"name": "各单位任务完成情况（项）", "name_font": {"name": FONT, "size": 12}})
        chart.set_x_axis({"num_font": {"name": FONT, "rotation": -45}})
        chart.set_legend({"position": "bottom", "font": {"name": FONT}})
        chart.set_size({"width": 900, "height": 420})
        ws.insert_chart(leg + len(VERDICT_LABELS) + 3, 0, chart)


def _domain_matrix_sheet(wb, fmts: _Formats, result: QuarterResult) -> None:
    ws = wb.add_worksheet("领域矩阵")
    dom = result.domain_reconciliation
    dom = dom[dom["unit_id"].isin(result.scores["unit_id"])]
    domains = result.reference.domains.sort_values("domain_id")
    with_rows = set(dom["unit_id"])
    units = [u for u in result.scores["unit_id"] if u in with_rows]
    names = _names(result)
    labels = CATALOGUE_STATUS_LABELS | PLAN_STATUS_LABELS
    ws.write_string(0, 0, "单位", fmts.header)
    ws.write_string(0, 1, "类别", fmts.header)
    for j, d in enumerate(domains.itertuples(), start=2):
        ws.write_string(0, j, f"{d.domain_id}\n{d.name}", fmts.header)
    # split once: the status grid and each unit's kind (not one mask per unit, one .loc per cell)
    ids = list(domains["domain_id"])
    grid = _grid(dom, "status", "domain_id", units, ids)
    present = set(zip(dom["unit_id"], dom["domain_id"], strict=True))  # a row, even without a status
    kinds = dom.drop_duplicates("unit_id").set_index("unit_id")["kind"]
    for i, (u, statuses) in enumerate(zip(units, grid, strict=True), start=1):
        ws.write_string(i, 0, names.get(u, u), fmts.text)
        ws.write_string(i, 1, "标准目录" if kinds.get(u) == "catalogue" else "实施方案", fmts.center)
        for j, (d, status) in enumerate(zip(ids, statuses, strict=True), start=2):
            if (u, d) in present:
                ws.write_string(i, j, labels.get(status, MISSING_LABEL) if isinstance(status, str)
                                else MISSING_LABEL, fmts.center)
            else:
                ws.write_blank(i, j, None, fmts.center)
    last_col = 1 + len(domains)
    ws.set_row(0, 45)
    ws.set_column(0, 0, _width([names.get(u, u) for u in units] + ["单位"]))
    ws.set_column(1, 1, 9)
    ws.set_column(2, last_col, 11)
    for code, colour in DOMAIN_FILLS.items():
        label = MISSING_LABEL if code == "missing" else labels[code]
        ws.conditional_format(1, 2, max(len(units), 1), last_col, {
            "type": "cell", "criteria": "==", "value": f'"{label}"', "format": fmts.cond(colour)})
    ws.freeze_panes(1, 2)
    ws.autofilter(0, 0, len(units), last_col)
    ws.write_string(len(units) + 2, 0, "说明：基层政府为标准目录编制状态（26个领域），牵头部门为实施方案出台状态"
                    "（仅其牵头的领域）；空白表示不适用，“未填报”表示报表缺少该领域。", fmts.note)
    _print_setup(ws, 1, f"{result.quarter.label}试点领域情况")


def _ledger_sheet(wb, fmts: _Formats, result: QuarterResult) -> None:
    ws = wb.add_worksheet("报送情况")
    names = _names(result)
    led = result.ledger.copy()
    led["unit"] = led["unit_id"].map(lambda u: names.get(u, u) if isinstance(u, str) and u else "")
    led["on_time_text"] = [("按时" if bool(v) else "逾期") if s == "accepted" and not _is_na(v) else ""
                           for v, s in zip(led["on_time"], led["state"], strict=True)]
    led["state_text"] = led["state"].map(lambda s: LEDGER_STATE_LABELS.get(s, s))
    accepted = set(led.loc[led["state"] == "accepted", "unit_id"])
    missing = [u for u in result.scores["unit_id"] if u not in accepted]
    extra = pd.DataFrame({"unit": [names.get(u, u) for u in missing], "file": "",
                          "state_text": "未报送", "reason": "本季度未收到报表"})
    frame = pd.concat([led, extra], ignore_index=True)
    cols = [("单位", "unit", fmts.text), ("文件", "file", fmts.text),
            ("报送日期", "submitted_on", fmts.date), ("日期来源", "submitted_source", fmts.center),
            ("是否按时", "on_time_text", fmts.center), ("状态", "state_text", fmts.center),
            ("说明", "reason", fmts.wrap)]
    _table(ws, fmts, frame, cols)
    ws.set_column(2, 2, 12)
    ws.set_column(6, 6, 50)
    n = len(frame)
    if n:
        ws.conditional_format(1, 4, n, 4, {"type": "cell", "criteria": "==", "value": '"逾期"',
                                           "format": fmts.cond(WARN_FILL)})
        ws.conditional_format(1, 5, n, 5, {"type": "cell", "criteria": "==", "value": '"未报送"',
                                           "format": fmts.cond(ALERT_FILL)})
        ws.conditional_format(1, 5, n, 5, {"type": "cell", "criteria": "==", "value": '"已拒收"',
                                           "format": fmts.cond(BAD_FILL)})
    _print_setup(ws, 1, f"{result.quarter.label}报送情况")


def _issues_sheet(wb, fmts: _Formats, result: QuarterResult) -> None:
    ws = wb.add_worksheet("问题清单")
    names = _names(result)
    iss = result.issues.copy()
    order = result.reference.units.set_index("unit_id")["order"]
    iss["_o"] = iss["unit_id"].map(order).astype("float").fillna(1e6)
    iss = iss.sort_values(["_o", "file", "sheet", "cell"], kind="stable").reset_index(drop=True)
    iss["n"] = range(1, len(iss) + 1)
    iss["unit"] = iss["unit_id"].map(lambda u: names.get(u, u) if isinstance(u, str) and u else "")
    iss["location"] = ["!".join(str(p) for p in parts if isinstance(p, str) and p)
                       for parts in zip(iss["file"], iss["sheet"], iss["cell"], strict=True)]
    iss["severity_text"] = iss["severity"].map(lambda s: SEVERITY_LABELS.get(s, s))
    iss["code_text"] = iss["code"].map(lambda c: ISSUE_CODES.get(c, ("", c))[1])
    cols = [("序号", "n", fmts.int), ("单位", "unit", fmts.text), ("位置", "location", fmts.text),
            ("严重程度", "severity_text", fmts.center), ("问题类别", "code_text", fmts.wrap),
            ("问题及修改要求", "message", fmts.wrap), ("代码", "code", fmts.text)]
    _table(ws, fmts, iss, cols)
    ws.set_column(4, 4, 28)
    ws.set_column(5, 5, 70)
    if len(iss):
        ws.conditional_format(1, 3, len(iss), 3, {"type": "cell", "criteria": "==", "value": '"错误"',
                                                  "format": fmts.cond(BAD_FILL)})
        ws.conditional_format(1, 3, len(iss), 3, {"type": "cell", "criteria": "==", "value": '"警告"',
                                                  "format": fmts.cond(WARN_FILL)})
    _print_setup(ws, 1, f"{result.quarter.label}问题清单")


def _extra_sheet(wb, fmts: _Formats, result: QuarterResult, name: str, frame: pd.DataFrame) -> None:
    ws = wb.add_worksheet(name)
    frame = frame.reset_index(drop=True)
    names = _names(result)
    if "unit_id" in frame and "short_name" not in frame:
        frame.insert(0, "short_name", frame["unit_id"].map(lambda u: names.get(u, u)))
    values = EXTRA_VALUES | {"group": group_labels(result.reference.level)}
    for column, labels in values.items():
        if column in frame:
            frame[column] = frame[column].map(lambda v, labels=labels: labels.get(v, v))
    cols = []
    for c in frame.columns:
        s = frame[c]
        fmt = (fmts.date if pd.api.types.is_datetime64_any_dtype(s)
               else fmts.pct if str(c).startswith("share") or str(c).endswith("_rate")
               else fmts.score if pd.api.types.is_float_dtype(s) else fmts.text)
        cols.append((EXTRA_HEADERS.get(c, c), c, fmt))
    frame.columns = [str(c) for c in frame.columns]
    _table(ws, fmts, frame, cols)
    _print_setup(ws, 1, name)


def render_ranking_workbook(result: QuarterResult, path: str | Path, charts: bool = True,
                            extra_sheets: dict[str, pd.DataFrame] | None = None) -> Path:
    """Write 通报_<Q>.xlsx. `extra_sheets` (sheet name → table) adds plain sheets at the end;
    result.extra tables named in EXTRA_SHEETS are added automatically when present."""
    path = Path(path)
    wb = xlsxwriter.Workbook(str(path), XLSX_OPTIONS)
    issuer = result.reference.settings.bulletin.issuer
    wb.set_properties({"title": f"{result.quarter.label}基层政务公开标准化规范化工作排名情况",
                       "author": issuer, "company": issuer,
                       "created": dt.datetime.combine(result.as_of, dt.time(9, 0))})
    fmts = _Formats(wb)
    _ranking_sheet(wb, fmts, result, charts)
    _task_matrix_sheet(wb, fmts, result, charts)
    _domain_matrix_sheet(wb, fmts, result)
    _ledger_sheet(wb, fmts, result)
    _issues_sheet(wb, fmts, result)
    q = str(result.quarter)
    shown = {k: v[v["quarter"].astype(str) == q] if k in THIS_QUARTER_ONLY else v
             for k, v in result.extra.items() if k in EXTRA_SHEETS and v is not None}
    sheets = {EXTRA_SHEETS[k]: v for k, v in shown.items() if len(v)}
    sheets |= extra_sheets or {}
    for name, frame in sheets.items():
        _extra_sheet(wb, fmts, result, name[:31], frame)
    wb.close()
    return path
