"""Demo data: five quarters of realistic returns from all 27 reporting units.

`write_demo(workspace, reference)` writes `inputs/<Q>/` for 2020Q2 … 2021Q2: one return per
unit made with the template builder and filled in with openpyxl, plus the office's receipt
log `收文登记.csv`. Same seed → byte-identical files. The story is fixed (only dates within
their windows, counts and names vary with the seed), so a reader of the 通报 can check it:

| 单位 | 情节 | 通报中应看到 |
|---|---|---|
| 灵宝市 | 试点单位，进度领先：2020年10月20日前26个领域目录全部编制并公开；第7项2021-03-12完成，第8项提前完成 | 基层政府排名靠前 |
| 卢氏县 | 第2项（2020年5月底）始终“推进中”，五个季度均未完成；第5项目录有4个领域拖到2020年12月 | 每季度逾期未完成；2020Q4逾期，2021Q1起逾期完成 |
| 经济开发区 | 2020Q4 未报送；目录编制最慢，第5项2021-05-12才完成 | 2020Q4 未报送；2021Q1 第5项逾期未完成，2021Q2 逾期完成 |
| 湖滨区 | 第1项2020-06-10完成（逾期）；2020Q2 完成时间写成文本 `2020.6.10` | 逾期完成 |
| 市城市管理局 | 两个牵头领域实施方案2020年11月才出台（第4项逾期） | 2020Q3 逾期未完成，2020Q4 起逾期完成 |
| 市扶贫办 | 扶贫领域实施方案2021-03-10才出台 | 2020Q3、2020Q4 逾期未完成，2021Q1 起逾期完成 |
| 市司法局 | 第3项2020-08-20完成 | 逾期完成 |
| 渑池县 | 2020Q3 报送 .xls 旧格式；2021Q1 第6项完成时间（2021-03-28）晚于填报日期，实际2021-04-15完成 | 2021Q1 错误并按未完成计（逾期），2021Q2 逾期完成 |
| 市民政局 | 2020Q3 迟报（收文 2020-09-24） | 2020Q3 迟报 |
| 陕州区 | 2021Q1 迟报（收文 2021-03-25） | 2021Q1 迟报 |
| 义马市 | 2020Q4 报送两次：先报文件第5项写“基本完成”，更正件以后报为准 | 先报文件被替代，警告 |
| 市人力资源社会保障局 | 2020Q3 自行重新录入：无 `_meta`、表头上方有标题行、列顺序调整、同义列名、全角任务编号，单位写作“市人社局” | 仍能识别 |
| 灵宝市 | 2021Q1 另存丢失 `_meta`，填报单位写作“灵宝市人民政府” | 按别名识别 |
| 市住建局 | 2020Q2 第3项完成状态写“基本完成” | 错误 |
| 市公安局 | 2020Q2 漏报第15项（整行删除） | 漏报 |
| 城乡一体化示范区 | 2020Q3 完成时间写成 `2020年5月29日`；2021Q2 漏报第11项 | 2021Q2 漏报错误 |
| 市教育局 | 2020Q3、2021Q1 完成时间写成 `2020/6/28` 式文本 | 正常识别 |
| 市文化广电和旅游局 | 2020Q4 第6项完成时间写“11月中旬” | 日期无法识别，按逾期完成计 |
| 市税务局 | 2020Q4、2021Q1 持续推进任务（12、14）进展情况空白 | 该任务不得分 |
| 市卫生健康委 | 2021Q2 第9项完成状态写“基本完成” | 错误 |
| 灵宝市、陕州区、湖滨区 | 2021Q2 报送标准目录（`目录/`）：灵宝市26个领域齐全（扶贫领域一条依据含糊）；陕州区3个领域，报表中社会救助领域事项数量多填3条；湖滨区5个领域各有缺陷（依据缺失、时限含糊、方式未勾选、重复事项、救灾领域为空），财政预决算领域报表多填12条 | 目录审核问题与事项数量不一致警告 |

Other units finish on time within plausible windows. Each quarter's 收文登记.csv lists every
file but two ordinary ones (their 填报日期 then counts as the submission date).
"""

from __future__ import annotations

import datetime as dt
import io
import multiprocessing as mp
import os
import random
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from . import names
from .dates import Quarter, parse_quarter
from .outputs import atomic_path
from .reference import Reference
from .templates import FIRST_ROW, HEADER_ROW, build_template, template_filename, workbook_bytes

QUARTERS = ("2020Q2", "2020Q3", "2020Q4", "2021Q1", "2021Q2")
D = dt.date

# ---- the story (unit ids of the shipped reference; absent units are skipped) --------------
PILOT = "lingbao"
NEVER_TASK2 = "lushi"
SLOW_CATALOGUE = "kfq"
MISSING = {"2020Q4": "kfq"}
LATE = {"2020Q3": ("mzj", D(2020, 9, 23), D(2020, 9, 24)),    # unit, 填报日期, 收文日期
        "2021Q1": ("shanzhou", D(2021, 3, 24), D(2021, 3, 25))}
RESUBMIT = {"2020Q4": ("yima", D(2020, 12, 14), D(2020, 12, 17))}  # first, corrected
RETYPED = {"2020Q3": ("rsj", "市人社局")}  # unit, the name it writes
ALIAS_NO_META = {"2021Q1": ("lingbao", "灵宝市人民政府")}
XLS = {"2020Q3": "mianchi"}
# Completion dates that break the usual window (unit, task) -> date.
FIXED_DONE = {("hubin", 1): D(2020, 6, 10), ("sfj", 3): D(2020, 8, 20),
              ("lingbao", 7): D(2021, 3, 12), ("lingbao", 8): D(2021, 5, 28),
              ("mianchi", 6): D(2021, 4, 15), ("wglj", 6): D(2020, 11, 18)}
LATE_PLANS = {"cgj": (D(2020, 11, 10), D(2020, 11, 16)), "fpb": (D(2021, 3, 10), D(2021, 3, 10))}
LUSHI_LATE_DOMAINS = 4
# Cell-level mistakes: quarter -> [(kind, unit, task or value)].
MISTAKES = {
    "2020Q2": [("status", "zjj", 3, "基本完成"), ("drop_task", "gaj", 15, None),
               ("text_dates", "hubin", None, "{y}.{m}.{d}")],
    "2020Q3": [("text_dates", "sfq", None, "{y}年{m}月{d}日"),
               ("text_dates", "jyj", None, "{y}/{m}/{d}"), ("blank_note", "swj", 12, None),
               ("blank_note", "swj", 14, None)],
    "2020Q4": [("date_text", "wglj", 6, "11月中旬"), ("blank_note", "swj", 12, None),
               ("blank_note", "swj", 14, None)],
    "2021Q1": [("date_after", "mianchi", 6, D(2021, 3, 28)),
               ("text_dates", "jyj", None, "{y}/{m}/{d}"), ("blank_note", "swj", 12, None),
               ("blank_note", "swj", 14, None)],
    "2021Q2": [("drop_task", "sfq", 11, None), ("status", "wjw", 9, "基本完成")],
}
RESUBMIT_MISTAKE = (5, "基本完成")  # in the first of the two files
# Quarters whose inputs hold standard catalogues (inputs/<Q>/目录/, see catalogue/demo.py), and
# the 事项数量 a return reports wrongly for a catalogue it sent: (unit, domain) -> items off by.
CATALOGUES = ("2021Q2",)
CATALOGUE_MISCOUNT = {("shanzhou", 18): 3, ("hubin", 5): 12}

_SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾"
_GIVEN = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟",
          "涛", "明", "超", "秀英", "霞", "平", "刚", "建华", "晓东", "海燕", "红梅", "志强"]


# ---- the timeline: what each unit did when ------------------------------------------------

@dataclass
class Plan:
    """One unit's true history: task start/finish dates and domain milestones."""
    unit_id: str
    short_name: str
    group: str
    tasks: dict[int, tuple[dt.date | None, dt.date | None]] = field(default_factory=dict)
    domains: dict[int, tuple] = field(default_factory=dict)  # catalogue: (start, compiled, published)
    ongoing: set[int] = field(default_factory=set)  # tasks without a deadline
    people: tuple[str, str, str] = ("", "", "")


def _day(rng: random.Random, lo: dt.date, hi: dt.date) -> dt.date:
    return lo + dt.timedelta(days=rng.randint(0, (hi - lo).days))


def _catalogue(rng, unit_id: str) -> dict[int, tuple]:
    out = {}
    for d in range(1, 27):
        if unit_id == PILOT:
            start = _day(rng, D(2020, 5, 10), D(2020, 6, 10))
            compiled = _day(rng, D(2020, 7, 1), D(2020, 9, 30))
            published = min(compiled + dt.timedelta(days=rng.randint(5, 20)), D(2020, 10, 20))
        elif unit_id == SLOW_CATALOGUE:
            start = _day(rng, D(2020, 8, 15), D(2020, 10, 15))
            compiled = _day(rng, D(2020, 11, 1), D(2021, 3, 31))
            published = min(compiled + dt.timedelta(days=rng.randint(10, 40)), D(2021, 5, 12))
            if d == 26:  # the last one closes task 5
                compiled, published = D(2021, 4, 28), D(2021, 5, 12)
        else:
            start = _day(rng, D(2020, 6, 15), D(2020, 8, 31))
            compiled = _day(rng, D(2020, 9, 1), D(2020, 11, 10))
            published = min(compiled + dt.timedelta(days=rng.randint(3, 15)), D(2020, 11, 28))
            if unit_id == NEVER_TASK2 and d > 26 - LUSHI_LATE_DOMAINS:
                compiled = _day(rng, D(2020, 11, 20), D(2020, 12, 10))
                published = D(2020, 12, 28) if d == 26 else _day(rng, D(2020, 12, 21), D(2020, 12, 27))
        out[d] = (start, compiled, published, rng.randint(8, 46))
    return out


def _plans(rng, unit_id: str, domain_ids: list[int]) -> dict[int, tuple]:
    out = {}
    for d in domain_ids:
        start = _day(rng, D(2020, 5, 10), D(2020, 6, 1))
        if unit_id in LATE_PLANS:
            issued = _day(rng, *LATE_PLANS[unit_id])
        else:
            issued = _day(rng, D(2020, 6, 5), D(2020, 7, 28))
        out[d] = (start, issued, rng.randint(5, 60))
    return out


def _task_window(rng, unit_id: str, task_id: int, deadline: dt.date | None):
    """(start, done) for a task finished on time by an ordinary unit; done None = not yet."""
    windows = {1: (D(2020, 4, 20), D(2020, 5, 8), D(2020, 5, 29)),
               2: (D(2020, 4, 20), D(2020, 5, 8), D(2020, 5, 29)),
               15: (D(2020, 4, 25), D(2020, 5, 6), D(2020, 5, 28)),
               6: (D(2020, 8, 1), D(2020, 11, 20), D(2020, 12, 30)),
               8: (D(2020, 12, 1), D(2021, 4, 20), D(2021, 6, 28))}
    if task_id == 3:  # half finish before the 2020Q2 return, half just after
        early = rng.random() < 0.5
        lo, hi = (D(2020, 6, 1), D(2020, 6, 12)) if early else (D(2020, 6, 22), D(2020, 6, 29))
        return D(2020, 5, 10), _day(rng, lo, hi)
    if task_id in windows:
        start, lo, hi = windows[task_id]
        return start, _day(rng, lo, hi)
    # Long-running tasks (deadline 2021 or later, or none): only a start date for now.
    earliest = {9: D(2020, 10, 1), 10: D(2021, 1, 5), 11: D(2021, 3, 1), 13: D(2020, 6, 1)}
    lo = earliest.get(task_id, D(2020, 4, 20))
    return _day(rng, lo, lo + dt.timedelta(days=60)), None


def _timeline(reference: Reference, rng: random.Random) -> dict[str, Plan]:
    a = reference.assignments
    plans = {}
    for unit in reference.reporting_units.itertuples():
        uid = unit.unit_id
        plan = Plan(uid, unit.short_name, unit.group)
        if unit.group == "base":
            plan.domains = _catalogue(rng, uid)
        elif uid in reference.lead_units:
            led = reference.domains.loc[reference.domains["lead_unit_id"] == uid, "domain_id"]
            plan.domains = _plans(rng, uid, [int(d) for d in led])
        for row in a[a["unit_id"] == uid].itertuples():
            deadline = None if pd.isna(row.deadline) else row.deadline.date()
            if deadline is None:
                plan.ongoing.add(int(row.task_id))
            start, done = _task_window(rng, uid, int(row.task_id), deadline)
            if row.task_id == 4:
                start = min(v[0] for v in plan.domains.values())
                done = max(v[1] for v in plan.domains.values())
            elif row.task_id == 5:
                start = min(v[0] for v in plan.domains.values())
                done = max(v[2] for v in plan.domains.values())
            elif uid == NEVER_TASK2 and row.task_id == 2:
                done = None
            done = FIXED_DONE.get((uid, int(row.task_id)), done)
            if done is not None:
                start = min(start, done - dt.timedelta(days=20))
            plan.tasks[int(row.task_id)] = (start, done)
        plan.people = (_name(rng), f"0398-28{rng.randint(10000, 99999)}", _name(rng))
        plans[uid] = plan
    return plans


def _name(rng) -> str:
    return rng.choice(_SURNAMES) + rng.choice(_GIVEN)


# ---- a unit's return at a report date -----------------------------------------------------

_ONGOING_NOTES = {
    12: "本季度组织政务公开专题培训{n}场，参训{m}人次，《政府信息公开条例》已纳入干部教育培训内容。",
    14: "按照标准目录动态更新公开内容，本季度更新公开信息{m}条。",
}
_PROGRESS_NOTES = ["已完成初稿，正在征求相关单位意见。", "正在组织起草，已召开专题推进会。",
                   "已形成送审稿，正在履行审签程序。", "已明确责任科室，正在梳理相关事项。"]
_PROBLEMS = ["个别单位配合不够，下一步加强统筹，倒排工期。",
             "业务骨干力量不足，下一步加强培训指导。",
             "部分事项依据需进一步核实，下一步对照标准指引逐项完善。"]


def _state(plan: Plan, reference: Reference, report: dt.date, rng: random.Random):
    """(task_progress, domain_progress) frames of what the unit reports on `report`."""
    tasks = []
    for task_id, (start, done) in plan.tasks.items():
        ongoing = task_id in plan.ongoing
        rec = {"unit_id": plan.unit_id, "task_id": task_id, "completed_on": pd.NaT,
               "note": "", "evidence": "", "problems": ""}
        if ongoing:
            rec["status"] = "ongoing"
            rec["note"] = _ONGOING_NOTES.get(task_id, _ONGOING_NOTES[14]).format(
                n=rng.randint(1, 4), m=rng.randint(20, 300))
        elif done is not None and done <= report:
            rec.update(status="done", completed_on=pd.Timestamp(done),
                       note=f"已于{done.month}月{done.day}日完成，相关文件已在政府信息公开栏目公开。",
                       evidence=f"{plan.short_name}〔{done.year}〕{rng.randint(3, 90)}号")
        elif start <= report:
            rec.update(status="in_progress", note=rng.choice(_PROGRESS_NOTES),
                       problems=rng.choice(_PROBLEMS))
            if plan.unit_id == NEVER_TASK2 and task_id == 2:
                rec["note"] = "已起草绩效考核指标调整方案，待县政府常务会研究。"
        else:
            rec["status"] = "not_started"
        tasks.append(rec)
    domains = []
    base = plan.group == "base"
    for d, milestones in plan.domains.items():
        rec = {"unit_id": plan.unit_id, "domain_id": d, "item_count": pd.NA, "url": "",
               "completed_on": pd.NaT, "note": ""}
        if base:
            start, compiled, published, count = milestones
            if published <= report:
                rec.update(status="published", item_count=count, completed_on=pd.Timestamp(compiled),
                           url=f"https://www.smx.gov.cn/{plan.unit_id}/bzml/{d:02d}.html")
            elif compiled <= report:
                rec.update(status="compiled", item_count=count, completed_on=pd.Timestamp(compiled),
                           note="待审核后公开")
            else:
                rec["status"] = "compiling" if start <= report else "not_started"
        else:
            start, issued, number = milestones
            if issued <= report:
                short = plan.short_name.removeprefix("市")[:2]
                rec.update(status="issued", completed_on=pd.Timestamp(issued),
                           url=f"三{short}〔{issued.year}〕{number}号")
            else:
                rec["status"] = "drafting" if start <= report else "not_started"
        domains.append(rec)
    return pd.DataFrame(tasks), pd.DataFrame(domains)


# ---- workbook edits (the mess real returns have) ------------------------------------------

def _header_cols(ws) -> dict[str, int]:
    return {c.value: c.column for c in ws[HEADER_ROW] if c.value}


def _task_row(ws, task_id: int) -> int | None:
    for row in range(FIRST_ROW, ws.max_row + 1):
        if ws.cell(row, 1).value == task_id:
            return row
    return None


def _fill_info(wb, plan: Plan, report: dt.date, unit_label: str | None = None) -> None:
    ws = wb[names.SHEET_INFO]
    values = {names.INFO_DATE: report, names.INFO_PERSON: plan.people[0],
              names.INFO_PHONE: plan.people[1], names.INFO_REVIEWER: plan.people[2]}
    if unit_label:
        values[names.INFO_UNIT] = unit_label
    for row in range(1, ws.max_row + 1):
        label = ws.cell(row, 1).value
        if label in values:
            ws.cell(row, 2, values[label])


def _apply(wb, kind: str, task_id, value) -> None:
    ws = wb[names.SHEET_TASKS]
    cols = _header_cols(ws)
    if kind == "text_dates":  # every completion date of the return typed as text
        for sheet in (ws, wb[names.SHEET_DOMAINS] if names.SHEET_DOMAINS in wb.sheetnames else None):
            if sheet is None:
                continue
            for col in (c for h, c in _header_cols(sheet).items() if h in ("完成时间", "出台时间")):
                for row in range(FIRST_ROW, sheet.max_row + 1):
                    day = sheet.cell(row, col).value
                    if isinstance(day, dt.date):
                        sheet.cell(row, col).value = value.format(y=day.year, m=day.month, d=day.day)
                        sheet.cell(row, col).number_format = "@"
        return
    row = _task_row(ws, task_id)
    if row is None:
        return
    if kind == "status":
        ws.cell(row, cols["完成状态"], value)
    elif kind == "drop_task":
        ws.delete_rows(row)
    elif kind == "blank_note":
        ws.cell(row, cols["进展情况"]).value = None
    elif kind == "date_text":
        ws.cell(row, cols["完成时间"]).value = value
    elif kind == "date_after":  # claims done on a date after the 填报日期
        ws.cell(row, cols["完成状态"], names.TASK_STATUS_LABELS["done"])
        ws.cell(row, cols["完成时间"], value)
        ws.cell(row, cols["进展情况"], "相关制度已定稿，预计月底前印发。")


def _retyped(reference: Reference, plan: Plan, quarter: Quarter, report: dt.date,
             tasks: pd.DataFrame, domains: pd.DataFrame, alias: str):
    """A return a unit typed into its own workbook: no _meta, title rows, its own column order."""
    from openpyxl import Workbook

    wb = Workbook()
    info = wb.active
    info.title = names.SHEET_INFO
    for row, (label, value) in enumerate([
            (names.INFO_UNIT, alias), (names.INFO_QUARTER, quarter.label),
            (names.INFO_DATE, f"{report.year}年{report.month}月{report.day}日"),
            (names.INFO_PERSON, plan.people[0]), (names.INFO_PHONE, plan.people[1]),
            (names.INFO_REVIEWER, plan.people[2])], 1):
        info.cell(row, 1, label)
        info.cell(row, 2, value)
    ws = wb.create_sheet(names.SHEET_TASKS)
    ws.cell(1, 1, "附件")
    ws.cell(2, 1, f"{alias}{quarter.label}基层政务公开标准化规范化工作进展情况表")
    ws.merge_cells("A2:I2")
    header = ["序号", "工作任务", "完成情况", "完成时间", "完成时限", "工作进展", "存在问题",
              "佐证材料", "责任科室"]
    for col, text in enumerate(header, 1):
        ws.cell(4, col, text)
    texts = reference.tasks.set_index("task_id")["text"]
    deadlines = reference.assignments.set_index(["unit_id", "task_id"])["deadline_text"]
    fullwidth = str.maketrans("0123456789", "０１２３４５６７８９")
    for rec in tasks.to_dict("records"):  # appended below the header in row 4
        done = rec["completed_on"]
        ws.append([str(rec["task_id"]).translate(fullwidth), texts[rec["task_id"]],
                   names.TASK_STATUS_LABELS[rec["status"]],
                   f"{done.year}年{done.month}月{done.day}日" if pd.notna(done) else None,
                   deadlines[(plan.unit_id, rec["task_id"])], rec["note"] or None,
                   rec["problems"] or None, rec["evidence"] or None, "办公室"])
    ws.append([])
    ws.append(["注：本表由单位自行录入。"])
    dom = wb.create_sheet(names.SHEET_DOMAINS)
    dom.cell(1, 1, f"{alias}牵头试点领域实施方案出台情况")
    for col, text in enumerate(["试点领域", "领域编号", "出台情况", "印发时间", "文号", "备注"], 1):
        dom.cell(2, col, text)
    dom_names = reference.domains.set_index("domain_id")["name"]
    for rec in domains.to_dict("records"):
        issued = rec["completed_on"]
        dom.append([dom_names[rec["domain_id"]], rec["domain_id"],
                    names.PLAN_STATUS_LABELS[rec["status"]],
                    issued.date() if pd.notna(issued) else None, rec["url"] or None, None])
    return wb


def _xls_bytes(wb) -> bytes:
    """The workbook as an old-format .xls (values only), as WPS or Excel 2003 would save it."""
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    date_style = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    for src in wb.worksheets:
        dst = book.add_sheet(src.title)
        if src.sheet_state != "visible":
            dst.visibility = 1
        for row in src.iter_rows():
            for cell in row:
                if cell.value is None or type(cell).__name__ == "MergedCell":
                    continue
                if isinstance(cell.value, dt.datetime | dt.date):
                    dst.write(cell.row - 1, cell.column - 1, cell.value, date_style)
                else:
                    dst.write(cell.row - 1, cell.column - 1, cell.value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# ---- the quarters -------------------------------------------------------------------------

def _report_dates(rng, quarter: Quarter, due: dt.date) -> tuple[dt.date, dt.date]:
    """(填报日期, 收文日期) of an on-time return."""
    report = due - dt.timedelta(days=rng.randint(1, 9))
    return report, min(due, report + dt.timedelta(days=rng.randint(0, 1)))


def _quarter_files(reference: Reference, plans: dict[str, Plan], quarter: Quarter,
                   rng: random.Random, counts: dict[tuple[str, int], int] | None = None
                   ) -> tuple[dict[str, bytes], dict[str, tuple]]:
    """{file name: bytes} and {file name: (unit_id, 收文日期)} of one quarter; `counts` are
    the 事项数量 a unit reports where it also sent its catalogue."""
    q = str(quarter)
    due = quarter.due_date(reference.settings.reporting.due_day)
    stamp = dt.datetime(quarter.year, 3 * quarter.q, 1, 9, 0)
    files, receipts = {}, {}
    mistakes: dict[str, list] = {}
    for kind, unit, task, value in MISTAKES.get(q, []):
        mistakes.setdefault(unit, []).append((kind, task, value))
    for uid, plan in plans.items():
        report, received = _report_dates(rng, quarter, due)
        if MISSING.get(q) == uid:
            continue
        if q in LATE and LATE[q][0] == uid:
            report, received = LATE[q][1], LATE[q][2]
        if q in RESUBMIT and RESUBMIT[q][0] == uid:
            report = received = RESUBMIT[q][2]
        tasks, domains = _state(plan, reference, report, rng)
        if counts and len(domains):
            sent = domains["domain_id"].map(lambda d, u=uid: counts.get((u, d)))
            domains["item_count"] = domains["item_count"].where(sent.isna() | domains["item_count"].isna(),
                                                                sent)
        name = template_filename(reference, uid, quarter)
        if q in RETYPED and RETYPED[q][0] == uid:
            alias = RETYPED[q][1]
            wb = _retyped(reference, plan, quarter, report, tasks, domains, alias)
            name = f"{alias.removeprefix('市')}{quarter.year}年{'一二三四'[quarter.q - 1]}季度政务公开工作进展.xlsx"
            files[name] = workbook_bytes(wb, stamp)
            receipts[name] = (uid, received)
            continue
        wb = build_template(reference, uid, quarter, (tasks, domains), generated_at=stamp)
        unit_label = None
        if q in ALIAS_NO_META and ALIAS_NO_META[q][0] == uid:
            unit_label = ALIAS_NO_META[q][1]
            del wb[names.SHEET_META]
            name = f"{unit_label}_{q}.xlsx"
        _fill_info(wb, plan, report, unit_label)
        for kind, task, value in mistakes.get(uid, []):
            _apply(wb, kind, task, value)
        if XLS.get(q) == uid:
            name = name.removesuffix(".xlsx") + ".xls"
            files[name] = _xls_bytes(wb)
        else:
            files[name] = workbook_bytes(wb, stamp)
        receipts[name] = (uid, received)
        if q in RESUBMIT and RESUBMIT[q][0] == uid:
            # The first file went out a few days earlier with a mistake the unit then corrected.
            first_day = RESUBMIT[q][1]
            first_tasks, first_domains = _state(plan, reference, first_day, random.Random(0))
            first = build_template(reference, uid, quarter, (first_tasks, first_domains),
                                   generated_at=stamp)
            _fill_info(first, plan, first_day)
            _apply(first, "status", *RESUBMIT_MISTAKE)
            files[name] = workbook_bytes(first, stamp)
            receipts[name] = (uid, first_day)
            corrected = name.removesuffix(".xlsx") + "（更正）.xlsx"
            files[corrected] = workbook_bytes(wb, stamp)
            receipts[corrected] = (uid, received)
    return files, receipts


def _story_units(quarter: Quarter) -> set[str]:
    q = str(quarter)
    return {v[0] for v in (LATE.get(q), RESUBMIT.get(q), RETYPED.get(q), ALIAS_NO_META.get(q)) if v} | (
        {XLS[q]} if q in XLS else set())


def _receipt_log(receipts: dict[str, tuple[str, dt.date]], quarter: Quarter,
                 rng: random.Random) -> bytes:
    """收文登记.csv: every file but two ordinary ones, in order of receipt."""
    special = _story_units(quarter)
    ordinary = sorted(f for f, (uid, _) in receipts.items() if uid not in special)
    unlisted = set(rng.sample(ordinary, min(2, len(ordinary))))
    rows = sorted((day, f) for f, (_, day) in receipts.items() if f not in unlisted)
    frame = pd.DataFrame({names.RECEIPT_FILE: [f for _, f in rows],
                          names.RECEIPT_DATE: [day.isoformat() for day, _ in rows]})
    return frame.to_csv(index=False, lineterminator="\n").encode("utf-8-sig")


def _demo_catalogues(folder: Path, reference: Reference, quarter: Quarter, seed: int
                     ) -> dict[tuple[str, int], int]:
    """Write the quarter's 目录/ and return the 事项数量 the units report for what they sent:
    the true item counts, except the two mismatches of the story."""
    from .catalogue import write_demo_catalogues

    sent = write_demo_catalogues(folder, reference, quarter, seed)
    counts = {(r.unit_id, int(r.domain_id)): int(r.items) for r in sent.itertuples()}
    for (unit, domain), delta in CATALOGUE_MISCOUNT.items():
        if (unit, domain) in counts:
            counts[(unit, domain)] += delta
    return counts


def _write_quarter(workspace: Path, reference: Reference, plans: dict[str, Plan],
                   quarter: Quarter, seed: int) -> None:
    # Each quarter has its own generator so that quarters can be written in any order.
    rng = random.Random(f"{seed}:{quarter}")
    folder = Path(workspace) / "inputs" / str(quarter)
    folder.mkdir(parents=True, exist_ok=True)
    counts = _demo_catalogues(folder, reference, quarter, seed) if str(quarter) in CATALOGUES else None
    files, receipts = _quarter_files(reference, plans, quarter, rng, counts)
    files[names.RECEIPT_LOG] = _receipt_log(receipts, quarter, rng)
    for name, data in files.items():
        with atomic_path(folder / name) as tmp:
            tmp.write_bytes(data)
            tmp.chmod(0o644)


def write_demo(workspace: str | Path, reference: Reference, seed: int = 2020,
               workers: int | None = None) -> list[Quarter]:
    """Write `inputs/<Q>/` returns and receipt logs for the five demo quarters; returns them.

    openpyxl needs ~40 ms a workbook, so quarters are written in parallel where the platform
    can fork (`workers`: default one per CPU, at most five); the bytes do not depend on it.
    """
    plans = _timeline(reference, random.Random(seed))
    quarters = [parse_quarter(q) for q in QUARTERS]
    workers = min(len(quarters), workers or os.cpu_count() or 1)
    if workers > 1 and "fork" in mp.get_all_start_methods():
        pool = ProcessPoolExecutor(workers, mp_context=mp.get_context("fork"))
        with pool:
            jobs = [pool.submit(_write_quarter, Path(workspace), reference, plans, q, seed)
                    for q in quarters]
            for job in jobs:
                job.result()
    else:
        for quarter in quarters:
            _write_quarter(Path(workspace), reference, plans, quarter, seed)
    return quarters
