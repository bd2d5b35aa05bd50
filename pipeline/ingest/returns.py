"""Read one return workbook into rows and issues (DESIGN §2): renames and casts only.

`read_return` is a top-level function of a path so that it can run in a worker process. It never
raises for a bad file: an unreadable file or an unknown unit becomes a rejection reason plus an
issue; every bad row or cell becomes an issue naming file!sheet!cell and what to change.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .. import names as N
from ..dates import Quarter, parse_date
from ..issues import Issue
from ..reference import RANKED_GROUPS, Reference
from ..schemas import INTAKE_COLUMNS, TABLE_COLUMNS
from ..textnorm import clean, norm
from .workbook import (
    Book,
    CellError,
    Sheet,
    UnreadableWorkbook,
    a1,
    find_header,
    header_key,
    is_blank,
    pick_sheet,
    scan_labels,
)

# .et (WPS) holds xls or xlsx bytes; the reader goes by the bytes, not the name.
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".et", ".ods", ".xlsb")
# Rows that are not data: notes, and the totals some units add under a table (derived, not a value).
_NOTE_START = ("注", "说明", "备注", "填报说明", "填表说明", "※", "*", "合计", "小计", "总计")
_KEY_HEADERS = {norm(w) for w in N.TASK_SYNONYMS["任务编号"] + N.DOMAIN_SYNONYMS["领域编号"]}
_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


@dataclass
class ParsedReturn:
    """One file read: who sent it, what it says, what is wrong with it."""

    file: str
    sha256: str = ""
    unit_id: str | None = None
    unit_source: str = ""          # _meta / 基本信息 / 文件名
    unit_text: str = ""            # the unit name as written
    filled_on: dt.date | None = None
    filled_at: tuple[str, str] = ("", "")  # (sheet, cell) of 填报日期, for issues about it
    quarter_text: str = ""         # 所属季度 as written (else _meta's quarter)
    quarter_at: tuple[str, str] = ("", "")  # (sheet, cell) of that quarter
    task_rows: list[tuple] = field(default_factory=list)    # task_progress rows (row_tuple)
    domain_rows: list[tuple] = field(default_factory=list)  # domain_progress rows (row_tuple)
    issues: list[Issue] = field(default_factory=list)
    reason: str = ""               # why the file is rejected; empty when it can be accepted
    ignored: bool = False          # not a return at all (a leftover, an attachment): `reason` says what

    @property
    def rejected(self) -> bool:
        return bool(self.reason)

    @property
    def tasks(self) -> pd.DataFrame:
        return _frame("task_progress", self.task_rows)

    @property
    def domains(self) -> pd.DataFrame:
        return _frame("domain_progress", self.domain_rows)


# --- cell parsers (pure; property-tested) --------------------------------------------------
def parse_code(value: object) -> int | None:
    """A task or domain number as units write it: 3, 3.0, "3", " 3 ", "３", "3.0", "第3项", "三".

    Returns None for an empty cell; raises ValueError for anything that is not a whole number.
    """
    if value is None or isinstance(value, bool):
        if value is None:
            return None
        raise ValueError(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value != value:
            return None
        if value.is_integer():
            return int(value)
        raise ValueError(value)
    if isinstance(value, dt.date):
        raise ValueError(value)
    text = norm(value)
    if not text:
        return None
    m = re.fullmatch(r"(?:第|任务)?(\d{1,4})(?:\.0+)?(?:项|个|号)?[.、]?", text)
    if m:
        return int(m.group(1))
    m = re.fullmatch(r"(?:第)?(十?)([一二三四五六七八九]?)(?:项)?[.、]?", text)
    if m and (m.group(1) or m.group(2)):
        return (10 if m.group(1) else 0) + _CN_DIGITS.get(m.group(2), 0)
    raise ValueError(value)


def parse_count(value: object) -> int | None:
    """事项数量: a non-negative whole number (35, 35.0, "35", "35项"); None if empty; else ValueError."""
    if isinstance(value, str):
        text = re.sub(r"(项|条|个)$", "", norm(value))
        if text.startswith("-"):
            raise ValueError(value)
        value = text
    n = parse_code(value)
    if n is not None and n < 0:
        raise ValueError(value)
    return n


def status_code(value: object, words: dict[str, str]) -> str | None:
    """The English code of a status word (after normalisation), None if it is not one."""
    return _status_reader(words)(value)


def _status_reader(words: dict[str, str]):
    """`status_code` with `words` fixed: the lookup table is found once per sheet, not per row."""
    lookup = _status_lookup(tuple(words.items()))
    return lambda value: lookup.get(header_key(value))


@functools.lru_cache(maxsize=16)
def _status_lookup(words: tuple[tuple[str, str], ...]) -> dict[str, str]:
    return {norm(w): code for w, code in words}


def cell_text(value: object) -> str:
    """Free text of a cell; dates as ISO, whole floats without .0."""
    if isinstance(value, str):  # as written: no NFKC here, it would turn ，：into ASCII in notes
        if not value:
            return ""
        return value.replace("\u200b", "").replace("\ufeff", "").strip(" \t\r\n\u3000\xa0")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return clean(value)


# --- one return ----------------------------------------------------------------------------
def read_return(path: str | Path | None, reference: Reference, quarter: Quarter,
                name: str | None = None, data: bytes | None = None) -> ParsedReturn:
    """Read one file (its bytes `data` when given: an archive's member, `name` a.zip!b.xlsx).
    Never raises: problems become issues and, if fatal, a rejection reason."""
    name = name or Path(path).name
    out = ParsedReturn(file=name)
    if data is None:
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            return _reject(out, quarter, "file-unreadable", f"文件无法打开（{exc.strerror or exc}），请重新报送")
    out.sha256 = hashlib.sha256(data).hexdigest()
    suffix = Path(name.rsplit("!", 1)[-1]).suffix
    if suffix.lower() not in WORKBOOK_SUFFIXES:
        return _reject(out, quarter, "file-unreadable",
                       f"“{suffix or '无扩展名'}”不是Excel工作簿，请按模板填写并保存为.xlsx（或.xls）后重新报送")
    try:
        book = Book(data)
        _read_book(book, out, reference, quarter)
    except UnreadableWorkbook as exc:
        return _reject(out, quarter, exc.code, str(exc))
    except Exception as exc:  # a reader bug must not stop the run; the file is rejected visibly
        return _reject(out, quarter, "file-unreadable", f"文件读取出错（{type(exc).__name__}: {exc}），请联系政务公开办")
    return out


def _reject(out: ParsedReturn, quarter: Quarter, code: str, message: str) -> ParsedReturn:
    out.reason = message
    out.issues.append(Issue(code=code, message=message, file=out.file, unit_id=out.unit_id or "",
                            quarter=str(quarter)))
    return out


class _Ctx:
    """What the row parsers need: file, unit, quarter and an issue sink."""

    def __init__(self, out: ParsedReturn, quarter: Quarter):
        self.out, self.quarter = out, str(quarter)

    def issue(self, code: str, message: str, sheet: str = "", cell: str = "", severity: str = "") -> None:
        self.out.issues.append(Issue(code=code, message=message, file=self.out.file, sheet=sheet,
                                     cell=cell, unit_id=self.out.unit_id or "",
                                     quarter=self.quarter, severity=severity))


def _sheet_named(book: Book, wanted: str, notes: list[tuple[str, str]]) -> str | None:
    """The sheet to read for `wanted` (a visible one before a hidden one); the hidden sheets it
    was chosen over, or a hidden sheet read for want of a visible one, are noted for a warning."""
    name, hidden = pick_sheet(book, wanted, avoid=(N.SHEET_META, N.SHEET_LISTS))
    if name is not None and name in book.hidden:
        notes.append((name, f"工作表“{name}”是隐藏的，因没有可见的“{wanted}”工作表，已读取该隐藏表；"
                            f"请核实其为本期内容，并取消隐藏（右键工作表标签→取消隐藏）"))
    for other in hidden:
        notes.append((other, f"工作表“{other}”是隐藏的，已读取可见的“{name}”，隐藏表未读取；"
                             f"如隐藏表才是本期内容，请取消隐藏并删除旧表后重新报送" if name else
                             f"工作表“{other}”是隐藏的，未读取；请取消隐藏或删除该表"))
    return name


def _read_book(book: Book, out: ParsedReturn, reference: Reference, quarter: Quarter) -> None:
    ctx = _Ctx(out, quarter)
    meta = _read_meta(book)
    hidden_notes: list[tuple[str, str]] = []
    task_sheet_name = _sheet_named(book, N.SHEET_TASKS, hidden_notes)
    task_sheet = book.sheet(task_sheet_name) if task_sheet_name else None
    task_header = find_header(task_sheet, N.TASK_SYNONYMS, N.TASK_REQUIRED) if task_sheet else None
    if task_header is None:  # a retyped return may call the sheet Sheet1: look for the header
        for other in book.sheet_names:
            if other in (N.SHEET_META, N.SHEET_LISTS, task_sheet_name) or other in book.hidden:
                continue
            hit = find_header(book.sheet(other), N.TASK_SYNONYMS, N.TASK_REQUIRED)
            if hit and N.SHEET_DOMAINS not in norm(other):
                task_sheet, task_header = book.sheet(other), hit
                break

    info_name = _sheet_named(book, N.SHEET_INFO, hidden_notes)
    info = scan_labels(book.sheet(info_name), N.INFO_SYNONYMS) if info_name else {}
    info_sheet = info_name or ""
    if not info_name:  # a retyped return may call it 基本情况 or 封面: any other sheet with 填报单位
        info_sheet, info = _info_elsewhere(book, task_sheet)
    if not info and task_sheet is not None:  # labels typed above the task table instead
        above = range(task_header[0]) if task_header else range(min(len(task_sheet.rows), 10))
        info = scan_labels(task_sheet, N.INFO_SYNONYMS, above)
        info_sheet = task_sheet.name if info else ""

    _identify_unit(ctx, meta, info, info_sheet, reference)
    if out.unit_id is None:
        return
    for sheet_name, message in dict.fromkeys(hidden_notes):
        ctx.issue("sheet-hidden", message, sheet=sheet_name)
    _check_info(ctx, meta, info, info_sheet, info_name, quarter)

    if task_header is None:
        out.reason = f"找不到“{N.SHEET_TASKS}”工作表或其表头（须含“任务编号”“完成状态”两列），请使用规定模板重新报送"
        ctx.issue("sheet-missing", out.reason, sheet=N.SHEET_TASKS)
        return
    out.task_rows = _read_tasks(ctx, task_sheet, task_header, reference)
    notes: list[tuple[str, str]] = []
    out.domain_rows = _read_domains(ctx, book, reference, notes)
    for sheet_name, message in notes:
        ctx.issue("sheet-hidden", message, sheet=sheet_name)


def _info_elsewhere(book: Book, task_sheet: Sheet | None) -> tuple[str, dict]:
    """基本信息 labels on a sheet not named so: the first other sheet that has 填报单位."""
    skip = {N.SHEET_META, N.SHEET_LISTS, N.SHEET_GUIDE, task_sheet.name if task_sheet else None}
    for name in book.sheet_names:
        if name in skip or N.SHEET_DOMAINS in norm(name) or N.SHEET_GUIDE in norm(name):
            continue
        found = scan_labels(book.sheet(name), N.INFO_SYNONYMS, range(min(len(book.sheet(name).rows), 30)))
        if N.INFO_UNIT in found and not is_blank(found[N.INFO_UNIT][0]):
            return name, found
    return "", {}


def _read_meta(book: Book) -> dict[str, str]:
    if N.SHEET_META not in book.sheet_names:
        return {}
    meta = {}
    for row in book.sheet(N.SHEET_META).rows:
        if len(row) >= 2 and isinstance(row[0], str) and row[0].strip() in N.META_KEYS:
            meta.setdefault(row[0].strip(), cell_text(row[1]))
    return meta


# --- unit, quarter, date -------------------------------------------------------------------
_NAME_SPLIT = re.compile(r"[\s_\-—－·.,，、()（）\[\]【】《》]+")


def unit_from_filename(stem: str, reference: Reference) -> str | None:
    """The unit a file name names: the whole stem, one of its parts, or the longest alias in it."""
    hit = reference.resolve_unit(stem)
    if hit:
        return hit
    for part in _NAME_SPLIT.split(stem):
        hit = reference.resolve_unit(part)
        if hit:
            return hit
    key = norm(stem)
    found = {}
    for alias, unit_id in reference._alias_index.items():
        if len(alias) >= 2 and not alias.isascii() and alias in key:
            found.setdefault(len(alias), set()).add(unit_id)
    if found:
        units = found[max(found)]
        if len(units) == 1:
            return next(iter(units))
    return None


def _identify_unit(ctx: _Ctx, meta: dict, info: dict, info_sheet: str, reference: Reference) -> None:
    out = ctx.out
    known = reference.unit_ids
    written = info.get(N.INFO_UNIT)
    written_text = cell_text(written[0]) if written else ""
    written_cell = a1(written[1], written[2]) if written else ""
    out.unit_text = written_text
    stem = Path(out.file.rsplit("!", 1)[-1]).stem

    if meta.get("unit_id") in known:
        out.unit_id, out.unit_source = meta["unit_id"], N.SHEET_META
        said = reference.resolve_unit(written_text) if written_text else None
        if said is not None and said != out.unit_id:  # another unit's template, relabelled
            ours, theirs = reference.unit_name(out.unit_id), reference.unit_name(said)
            ctx.issue("unit-mismatch",
                      f"填报单位填写为“{written_text}”，但本表是{ours}的模板，已按{ours}读取；"
                      f"如本表实为{theirs}的报表，请用{theirs}的模板（zwgk templates 生成）重新填报，"
                      f"否则请将填报单位改回“{ours}”", sheet=info_sheet, cell=written_cell)
    elif written_text and reference.resolve_unit(written_text):
        out.unit_id, out.unit_source = reference.resolve_unit(written_text), N.SHEET_INFO
    elif unit_from_filename(stem, reference):
        out.unit_id, out.unit_source = unit_from_filename(stem, reference), "文件名"
        if written_text:  # the name typed in the return is not one we know: say so, but go on
            ctx.issue("unit-unknown",
                      f"填报单位“{written_text}”不是规范的单位名称，已按文件名识别为"
                      f"{reference.unit_name(out.unit_id)}；请改为“{reference.unit_name(out.unit_id)}”",
                      sheet=info_sheet, cell=written_cell, severity="warning")
    else:
        shown = written_text or stem
        hints = reference.suggest_units(shown)
        hint = f"，是否为：{'、'.join(hints)}？" if hints else "；"
        out.reason = (f"无法识别填报单位“{shown}”{hint}请在“{N.SHEET_INFO}”的“{N.INFO_UNIT}”"
                      f"填写规范的单位名称（见 zwgk units）后重新报送")
        ctx.issue("unit-unknown", out.reason, sheet=info_sheet if written_text else "",
                  cell=written_cell)
        return
    if reference.group(out.unit_id) not in RANKED_GROUPS:
        ctx.issue("unit-not-reporting",
                  f"{reference.unit_name(out.unit_id)}不属于需报送进展的单位，本表仅供参考，不参加排名")


def _check_info(ctx: _Ctx, meta: dict, info: dict, info_sheet: str, info_name: str | None,
                quarter: Quarter) -> None:
    out = ctx.out
    # quarter: 基本信息 first (what the unit says), else _meta
    q_hit = info.get(N.INFO_QUARTER)
    q_text = cell_text(q_hit[0]) if q_hit else ""
    q_cell = a1(q_hit[1], q_hit[2]) if q_hit else ""
    q_sheet = info_sheet
    if not q_text and meta.get("quarter"):
        q_text, q_cell, q_sheet = meta["quarter"], "", N.SHEET_META
    out.quarter_text = q_text
    out.quarter_at = (q_sheet, q_cell)  # reconcile decides what a quarter other than the folder's means

    d_hit = info.get(N.INFO_DATE)
    if d_hit:
        out.filled_at = (info_sheet, a1(d_hit[1], d_hit[2]))
    if d_hit and _cell_error(ctx, d_hit[0], info_sheet, a1(d_hit[1], d_hit[2]), N.INFO_DATE):
        pass
    elif d_hit and not is_blank(d_hit[0]):
        try:
            out.filled_on = parse_date(d_hit[0])
        except ValueError:
            ctx.issue("date-invalid",
                      f"填报日期“{cell_text(d_hit[0])}”无法识别，请填写如 2020-09-15 或 2020年9月15日 的日期",
                      sheet=info_sheet, cell=a1(d_hit[1], d_hit[2]))

    if not info_name and not info:
        ctx.issue("info-missing", f"缺少“{N.SHEET_INFO}”工作表，请补充填报单位、所属季度、填报日期、填报人和联系电话",
                  sheet=N.SHEET_INFO)
        return
    empty = [label for label in (N.INFO_DATE, N.INFO_PERSON, N.INFO_PHONE)
             if label not in info or is_blank(info[label][0])]
    if empty:
        first = info.get(empty[0])  # point at the first empty value cell when its label is there
        ctx.issue("info-missing", f"基本信息中{'、'.join(empty)}未填写，请补填", sheet=info_sheet,
                  cell=a1(first[1], first[2]) if first else "")


# --- row grouping --------------------------------------------------------------------------
def _logical_rows(sheet: Sheet, header_row: int, key_col: int):
    """Data rows below the header as {col: (value, row)}; a row whose key cell is only the
    continuation of a vertically merged key cell is folded into the row it continues."""
    rows: list[dict[int, tuple[object, int]]] = []
    for r in range(header_row + 1, len(sheet.rows)):
        row = sheet.rows[r]
        origin = sheet.merged_from.get((r, key_col))
        if origin and origin[0] != r and origin[0] > header_row and rows:
            last = rows[-1]
            for c, v in enumerate(row):
                if is_blank(v) or sheet.merged_from.get((r, c), (r, c))[0] != r:
                    continue
                prev = last.get(c)
                if prev is None or is_blank(prev[0]):
                    last[c] = (v, r)
                elif isinstance(prev[0], str) and isinstance(v, str):
                    last[c] = (prev[0] + "\n" + v, prev[1])
            continue
        rows.append({c: (v, r) for c, v in enumerate(row)})
    return rows


def _is_note_row(cells: dict[int, tuple[object, int]], key_col: int) -> bool:
    """注:/说明 rows, a repeated header and rows with one long text (a note typed across)."""
    # `cells` is in column order (`_logical_rows` adds columns only past the last one).
    first = next((v for v, _ in cells.values() if not is_blank(v)), None)
    if first is None:
        return True
    if isinstance(first, str) and norm(first).startswith(_NOTE_START):
        return True
    key = cells.get(key_col, ("", 0))[0]
    return isinstance(key, str) and header_key(key) in _KEY_HEADERS


_EMPTY = ("", None)  # (value, row) of a cell a logical row does not have


def _at(cells, col: int | None, row: int) -> tuple[object, str]:
    """(value, A1 reference) of a logical row's cell in column `col`: the cell's own row when
    the row spans several, `row` when it has none; "" without the column."""
    value, own = cells.get(col, _EMPTY)
    return value, (a1(own if own is not None else row, col) if col is not None else "")


def _get(cells, cols: dict[str, int], canon: str) -> tuple[object, int | None, int | None]:
    col = cols.get(canon)
    value, row = cells.get(col, _EMPTY)
    return value, row, col


# --- one skeleton for both tables ---------------------------------------------------------
def _id_rows(ctx: _Ctx, sheet: Sheet, header: tuple[int, dict[str, int]], key: str, ident, unknown):
    """(cells, row, id, id cell, dup_of) for every data row of a table keyed by `key`.

    `ident(cells)` → the row's id (-1 when unreadable), or None for a row that is not data;
    ids not in `unknown[0]` raise `unknown[1]` with the message `unknown[2](cells)`. A repeated
    id is kept with `dup_of` = the 1-based row of its first row (reconcile decides, since a
    repeat of a row that does not apply to the unit is no duplicate of anything that counts).
    """
    header_row, cols = header
    key_col = cols[key]
    valid, code, message = unknown
    seen: dict[int, int] = {}
    for cells in _logical_rows(sheet, header_row, key_col):
        if _is_note_row(cells, key_col):
            continue
        key_row = cells.get(key_col, _EMPTY)[1]
        row = key_row if key_row is not None else min(r for _, r in cells.values())
        found = ident(cells)
        if found is None:
            continue
        id_cell = a1(row, key_col)
        if found not in valid:
            ctx.issue(code, message(cells, found), sheet=sheet.name, cell=id_cell)
            continue
        first = seen.setdefault(found, row)
        yield cells, row, found, id_cell, (first + 1 if first != row else None)


def _parsed_id(value: object) -> int | None:
    try:
        return parse_code(value)
    except ValueError:
        return -1


# --- 任务进展 ------------------------------------------------------------------------------
def _read_tasks(ctx: _Ctx, sheet: Sheet, header: tuple[int, dict[str, int]],
                reference: Reference) -> list[tuple]:
    """Every row with a known task number (assigned to the unit or not: reconcile decides)."""
    _, cols = header
    unit = ctx.out.unit_id
    known = reference.task_ids
    options = "、".join(N.TASK_STATUS_LABELS.values())
    status_of = _status_reader(N.TASK_STATUS_WORDS)
    c_key, c_status, c_date = cols["任务编号"], cols["完成状态"], cols.get("完成时间")
    c_note, c_evidence, c_problems = (cols.get(k) for k in ("进展情况", "佐证材料", "存在问题及下一步措施"))

    def ident(cells):
        key, status_raw = cells.get(c_key, _EMPTY)[0], cells.get(c_status, _EMPTY)[0]
        if is_blank(key) and is_blank(status_raw):
            return None  # a row with text but neither number nor status: a stray remark
        task_id = _parsed_id(key)
        return -2 if task_id is None else task_id

    def unknown(cells, task_id):
        what = "未填写" if task_id == -2 else f"“{cell_text(_get(cells, cols, '任务编号')[0])}”不存在"
        return f"任务编号{what}，请填写任务分工表中的编号（1-{max(known)}）"

    records = []
    for cells, row, task_id, id_cell, dup_of in _id_rows(ctx, sheet, header, "任务编号", ident,
                                                         (known, "task-unknown", unknown)):
        status_raw, status_cell = _at(cells, c_status, row)
        status = status_of(status_raw)
        date_raw, date_cell = _at(cells, c_date, row)
        completed, invalid = None, False
        if dup_of is None:  # a repeated row is not checked: reconcile drops it
            _check_status(ctx, status_raw, status, sheet.name, status_cell, f"第{task_id}项任务的完成状态",
                          "完成状态", options)
            completed, invalid = _date(ctx, date_raw, sheet.name, date_cell, f"第{task_id}项任务的完成时间")
        records.append(row_tuple("task_progress", {
            "quarter": ctx.quarter, "unit_id": unit, "task_id": task_id, "status": status,
            "completed_on": completed, "note": cell_text(cells.get(c_note, _EMPTY)[0]),
            "evidence": cell_text(cells.get(c_evidence, _EMPTY)[0]),
            "problems": cell_text(cells.get(c_problems, _EMPTY)[0]),
            "source": f"{ctx.out.file}!{sheet.name}!{row + 1}", "file": ctx.out.file,
            "status_text": cell_text(status_raw), "status_cell": status_cell,
            "date_cell": date_cell, "date_invalid": invalid, "id_cell": id_cell, "dup_of": dup_of,
        }))
    return records


def _cell_error(ctx: _Ctx, raw: object, sheet: str, cell: str, what: str) -> bool:
    """An error value or uncomputed formula where a value was due: one error naming it."""
    if not isinstance(raw, CellError):
        return False
    if raw.formula:
        message = (f"{what}是公式“{raw}”，但文件保存时没有计算结果，无法读取；请在Excel或WPS中打开，"
                   "重新计算（按F9）后保存再报送，或直接填写数值")
    else:
        message = (f"{what}为Excel错误值“{raw}”（公式出错或引用失效），无法读取；"
                   "请重新填写该值（直接填写，不要用公式）后重新报送")
    ctx.issue("cell-error", message, sheet=sheet, cell=cell)
    return True


def _check_status(ctx: _Ctx, raw: object, status: str | None, sheet: str, cell: str, what: str,
                  label: str, options: str) -> None:
    """The issue of a status cell, if any: an Excel error value, empty, or not an option."""
    if _cell_error(ctx, raw, sheet, cell, what):
        return
    if is_blank(raw):
        ctx.issue("status-missing", f"{what}未填写，请选择：{options}之一", sheet=sheet, cell=cell)
    elif status is None:
        ctx.issue("status-invalid", f"{label}“{cell_text(raw)}”不是规定选项，请改为：{options}之一",
                  sheet=sheet, cell=cell)


def _date(ctx: _Ctx, raw: object, sheet: str, cell: str, what: str) -> tuple[dt.date | None, bool]:
    if _cell_error(ctx, raw, sheet, cell, what):
        return None, True
    try:
        return parse_date(raw if not isinstance(raw, str) or raw.strip() else None), False
    except ValueError:
        ctx.issue("date-invalid",
                  f"{what}“{cell_text(raw)}”无法识别，请填写如 2020-05-31 或 2020年5月31日 的日期",
                  sheet=sheet, cell=cell)
        return None, True


# --- 试点领域 ------------------------------------------------------------------------------
def _read_domains(ctx: _Ctx, book: Book, reference: Reference, notes: list) -> list[tuple]:
    """Every row with a known domain (led by the unit or not: reconcile decides)."""
    unit = ctx.out.unit_id
    group = reference.group(unit)
    kind = "catalogue" if group == "base" else "plan" if unit in reference.lead_units else None
    if kind is None:
        return []
    name = _sheet_named(book, N.SHEET_DOMAINS, notes)
    status_col = "目录编制状态" if kind == "catalogue" else "实施方案状态"
    wanted = N.CATALOGUE_COLUMNS if kind == "catalogue" else N.PLAN_COLUMNS
    synonyms = {k: N.DOMAIN_SYNONYMS[k] for k in wanted}
    header = find_header(book.sheet(name), synonyms, [*N.DOMAIN_REQUIRED, status_col]) if name else None
    if header is None:
        ctx.issue("sheet-missing",
                  f"找不到“{N.SHEET_DOMAINS}”工作表或其表头（须含“领域编号”“{status_col}”两列），请按模板补填",
                  sheet=N.SHEET_DOMAINS)
        return []
    sheet = book.sheet(name)
    _, cols = header
    words = N.CATALOGUE_STATUS_WORDS if kind == "catalogue" else N.PLAN_STATUS_WORDS
    options = "、".join(words)
    status_of = _status_reader(words)
    valid = reference.domain_ids
    by_name = reference.domain_by_name
    date_col = "完成时间" if kind == "catalogue" else "出台时间"
    url_col = "公开网址" if kind == "catalogue" else "文号或网址"
    c_key, c_label, c_status = cols["领域编号"], cols.get("试点领域"), cols[status_col]
    c_count, c_date, c_url, c_note = (cols.get(k) for k in ("事项数量", date_col, url_col, "备注"))

    def ident(cells):
        key, label = cells.get(c_key, _EMPTY)[0], cells.get(c_label, _EMPTY)[0]
        if is_blank(key) and is_blank(cells.get(c_status, _EMPTY)[0]) and is_blank(label):
            return None
        domain_id = _parsed_id(key)
        if domain_id is None:
            domain_id = by_name.get(norm(label), -1) if not is_blank(label) else -1
        return domain_id

    def unknown(cells, _):
        shown = cell_text(_get(cells, cols, "领域编号")[0]) or cell_text(_get(cells, cols, "试点领域")[0])
        return f"领域编号“{shown}”不存在，请填写1-{max(valid)}之间的领域编号"

    records = []
    for cells, row, domain_id, id_cell, dup_of in _id_rows(ctx, sheet, header, "领域编号", ident,
                                                           (valid, "domain-unknown", unknown)):
        status_raw, status_cell = _at(cells, c_status, row)
        status = status_of(status_raw)
        count = completed = None
        if dup_of is None:  # a repeated row is not checked: reconcile drops it
            _check_status(ctx, status_raw, status, sheet.name, status_cell,
                          f"第{domain_id}个试点领域的{status_col}", status_col, options)
            if kind == "catalogue":
                raw, c_cell = _at(cells, c_count, row)
                try:
                    if not _cell_error(ctx, raw, sheet.name, c_cell, f"第{domain_id}个试点领域的事项数量"):
                        count = parse_count(raw)
                except ValueError:
                    ctx.issue("count-invalid", f"事项数量“{cell_text(raw)}”不是非负整数，请填写目录中的事项条数（如 35）",
                              sheet=sheet.name, cell=c_cell)
            raw, d_cell = _at(cells, c_date, row)
            completed, _ = _date(ctx, raw, sheet.name, d_cell, f"第{domain_id}个试点领域的{date_col}")
        records.append(row_tuple("domain_progress", {
            "quarter": ctx.quarter, "unit_id": unit, "domain_id": domain_id, "kind": kind,
            "status": status, "item_count": count, "url": cell_text(cells.get(c_url, _EMPTY)[0]),
            "completed_on": completed, "note": cell_text(cells.get(c_note, _EMPTY)[0]),
            "source": f"{ctx.out.file}!{sheet.name}!{row + 1}", "file": ctx.out.file,
            "status_cell": status_cell, "id_cell": id_cell, "dup_of": dup_of,
            "status_text": cell_text(status_raw),
        }))
    return records


# --- typed frames ---------------------------------------------------------------------------
_INT = {"task_id": "int64", "domain_id": "int64", "item_count": "Int64", "dup_of": "Int64"}
_BOOL = {"date_invalid", "on_time"}
_DATE = {"completed_on", "submitted_on", "filled_on", "received_on"}


def row_tuple(table: str, record: dict) -> tuple:
    """A record as a tuple in the table's column order (missing keys None): a tenth of a dict's
    memory, and a province's rows are turned into columns with one zip."""
    return tuple(map(record.get, _columns(table)))


def _columns(table: str) -> list[str]:
    return INTAKE_COLUMNS.get(table) or TABLE_COLUMNS[table]


def _frame(table: str, rows: list[tuple]) -> pd.DataFrame:
    """Rows (`row_tuple`) → a frame with the contract's columns and dtypes (dates
    datetime64[ns], NA missing)."""
    names = _columns(table)
    return columns_frame(table, list(zip(*rows, strict=True)) if rows else [()] * len(names))


def columns_frame(table: str, columns: list[tuple | list]) -> pd.DataFrame:
    """`_frame` of the rows' columns (each the values of one column, in the table's order)."""
    out = {}
    for col, values in zip(_columns(table), columns, strict=True):
        if col in _DATE:
            out[col] = pd.to_datetime(pd.Series(list(values), dtype="object"), errors="coerce").astype("datetime64[ns]")
        elif col in _INT:
            out[col] = pd.Series(pd.array(list(values), dtype=_INT[col]) if values else [], dtype=_INT[col])
        elif col in _BOOL:
            out[col] = pd.Series([bool(v) for v in values], dtype=bool)
        else:
            out[col] = pd.Series(_text(values))
    return pd.DataFrame(out)


def _text(values: tuple) -> pd.api.extensions.ExtensionArray:
    """A text column as the "string" dtype: str values kept, anything else missing. When every
    value is str or None (what the reader writes) and pandas keeps strings in pyarrow (its
    default), pyarrow takes the values as they are: pandas' own conversion first goes through
    them one by one in Python, which cost a fifth of building a province's frames."""
    if pd.StringDtype().storage == "pyarrow" and all(t is _NONE or issubclass(t, str)
                                                     for t in set(map(type, values))):
        import pyarrow as pa

        return pd.array(pa.array(values, type=pa.large_string()), dtype="string")
    return pd.array([v if isinstance(v, str) else None for v in values], dtype="string")


_NONE = type(None)
