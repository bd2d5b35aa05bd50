"""Low-level workbook access: open safely, read a sheet as a grid from A1, find headers and labels.

Everything here is about cells, not about the plan: the return reader (`returns.py`) decides what
the cells mean. Grids are plain lists of rows with calamine's Python values (str, float, int,
bool, date, datetime); row/column indices are 0-based, `a1()` turns them into Excel references.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field

from ..textnorm import norm

# Limits against zip bombs and absurd files (a real return is well under 1 MB).
MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_UNZIPPED_BYTES = 300 * 1024 * 1024
MAX_ZIP_RATIO = 200
MAX_CELLS = 2_000_000

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_MARK = "EncryptionInfo".encode("utf-16-le")


class UnreadableWorkbook(Exception):
    """The file cannot be read as a workbook; `code` is the issue code, the message is Chinese."""

    def __init__(self, message: str, code: str = "file-unreadable"):
        super().__init__(message)
        self.code = code


def a1(row: int, col: int) -> str:
    """0-based (row, col) → Excel reference, e.g. (6, 3) → "D7"."""
    letters = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return f"{letters}{row + 1}"


def _check_container(data: bytes) -> None:
    """Reject encrypted, oversized or zip-bomb files before any parser sees them."""
    if len(data) > MAX_FILE_BYTES:
        raise UnreadableWorkbook("文件超过50MB，不像是进度报表，请删除无关内容后重新报送", "file-unsafe")
    if data.startswith(_OLE_MAGIC) and _ENCRYPTED_MARK in data:
        raise UnreadableWorkbook("文件设置了打开密码，无法读取，请取消密码后重新报送")
    if data.startswith(_ZIP_MAGIC):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                infos = zf.infolist()
        except zipfile.BadZipFile as exc:
            raise UnreadableWorkbook("文件已损坏（压缩结构无效），请重新保存后报送") from exc
        total = sum(i.file_size for i in infos)
        bomb = any(i.compress_size and i.file_size / i.compress_size > MAX_ZIP_RATIO
                   and i.file_size > 10 * 1024 * 1024 for i in infos)
        if total > MAX_UNZIPPED_BYTES or bomb:
            raise UnreadableWorkbook("文件解压后体积异常，出于安全原因拒收，请重新保存后报送", "file-unsafe")


@dataclass
class Sheet:
    """A sheet as a rectangular grid from A1; merged ranges filled with their top-left value."""

    name: str
    rows: list[list[object]]
    merged_from: dict[tuple[int, int], tuple[int, int]] = field(default_factory=dict)

    @property
    def width(self) -> int:
        return max((len(r) for r in self.rows), default=0)

    def value(self, row: int, col: int) -> object:
        if 0 <= row < len(self.rows) and 0 <= col < len(self.rows[row]):
            return self.rows[row][col]
        return ""


class Book:
    """An opened workbook: sheet names (with visibility) and sheets read on demand."""

    def __init__(self, data: bytes):
        import python_calamine as pc

        _check_container(data)
        try:
            self._wb = pc.CalamineWorkbook.from_filelike(io.BytesIO(data))
            self.sheet_names = list(self._wb.sheet_names)
            self.hidden = {m.name for m in self._wb.sheets_metadata
                           if str(m.visible).rsplit(".", 1)[-1].lower() != "visible"}
        except pc.PasswordError as exc:
            raise UnreadableWorkbook("文件设置了打开密码，无法读取，请取消密码后重新报送") from exc
        except Exception as exc:  # calamine raises several unrelated types for bad files
            raise UnreadableWorkbook(f"不是有效的Excel工作簿或文件已损坏（{_short(exc)}），"
                                     "请用Excel或WPS另存为.xlsx后重新报送") from exc
        self._cache: dict[str, Sheet] = {}

    def sheet(self, name: str) -> Sheet:
        if name not in self._cache:
            self._cache[name] = self._read(name)
        return self._cache[name]

    def _read(self, name: str) -> Sheet:
        try:
            raw = self._wb.get_sheet_by_name(name)
            # skip_empty_area=False keeps the grid anchored at A1 so references are right.
            if raw.total_height * max(raw.total_width, 1) > MAX_CELLS:
                raise UnreadableWorkbook(f"工作表“{name}”过大，请删除无关内容后重新报送", "file-unsafe")
            rows = [list(r) for r in raw.to_python(skip_empty_area=False)]
            merged = raw.merged_cell_ranges or []
        except UnreadableWorkbook:
            raise
        except Exception as exc:
            raise UnreadableWorkbook(f"工作表“{name}”无法读取（{_short(exc)}）") from exc
        return Sheet(name, rows, _fill_merged(rows, merged))


def _short(exc: Exception) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:80]


def _fill_merged(rows: list[list[object]], merged) -> dict[tuple[int, int], tuple[int, int]]:
    """Copy each merged range's top-left value into its other cells (in place, on our own grid)."""
    origin: dict[tuple[int, int], tuple[int, int]] = {}
    height = len(rows)
    for (r0, c0), (r1, c1) in merged:
        if r0 >= height or c0 >= len(rows[r0]):
            continue
        value = rows[r0][c0]
        for r in range(r0, min(r1, height - 1) + 1):
            row = rows[r]
            for c in range(c0, min(c1, len(row) - 1) + 1):
                if (r, c) != (r0, c0):
                    row[c] = value
                    origin[(r, c)] = (r0, c0)
    return origin


def open_book(data: bytes) -> Book:
    return Book(data)


# --- finding things by name ----------------------------------------------------------------
_EDGE_PUNCT = re.compile(r"^[*＊※:：]+|[*＊※:：。.]+$")
_PAREN_TAIL = re.compile(r"[(\[【<《].*$")


def header_key(value: object) -> str:
    """A header or label cell normalised for matching: folded, no spaces, no * or trailing colon."""
    return _EDGE_PUNCT.sub("", norm(value))


def header_keys(value: object) -> list[str]:
    """The cell's key, then the key without a parenthetical tail (完成时间（年月日） → 完成时间)."""
    key = header_key(value)
    keys = [key] if key else []
    short = _EDGE_PUNCT.sub("", _PAREN_TAIL.sub("", key))
    if short and short != key:
        keys.append(short)
    return keys


def find_sheet(book: Book, wanted: str, avoid: tuple[str, ...] = ()) -> str | None:
    """The sheet named `wanted` (after normalisation), else the only one whose name contains it."""
    key = norm(wanted)
    names = [n for n in book.sheet_names if n not in avoid]
    exact = [n for n in names if norm(n) == key]
    if exact:
        return exact[0]
    partial = [n for n in names if key in norm(n)]
    return partial[0] if len(partial) == 1 else None


def _norm_table(synonyms: dict[str, list[str]]) -> dict[str, list[str]]:
    return {canon: [norm(s) for s in words] for canon, words in synonyms.items()}


def match_columns(row: list[object], synonyms: dict[str, list[str]],
                  table: dict[str, list[str]] | None = None) -> dict[str, int]:
    """Canonical header → column index for one row; the best-ranked synonym wins, then leftmost."""
    table = table or _norm_table(synonyms)
    candidates: list[tuple[int, int, int, str]] = []  # (synonym rank, key rank, col, canon)
    for col, cell in enumerate(row):
        if not isinstance(cell, str):
            continue
        for key_rank, key in enumerate(header_keys(cell)):
            for canon, words in table.items():
                if key in words:
                    candidates.append((words.index(key), key_rank, col, canon))
    found: dict[str, int] = {}
    used: set[int] = set()
    for _, _, col, canon in sorted(candidates):
        if canon not in found and col not in used:
            found[canon] = col
            used.add(col)
    return found


def find_header(sheet: Sheet, synonyms: dict[str, list[str]], required: list[str],
                max_rows: int = 60) -> tuple[int, dict[str, int]] | None:
    """The header row (0-based) and its columns: the row matching most names among those with all
    required ones, within the first `max_rows` rows; None if no row has the required names."""
    best: tuple[int, int, dict[str, int]] | None = None
    table = _norm_table(synonyms)
    for r, row in enumerate(sheet.rows[:max_rows]):
        cols = match_columns(row, synonyms, table)
        if all(k in cols for k in required) and len(cols) >= 2:
            if best is None or len(cols) > best[0]:
                best = (len(cols), r, cols)
    return (best[1], best[2]) if best else None


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not norm(value))


VALUE_HEADERS = {"填写内容", "填报内容", "内容", "值"}


def scan_labels(sheet: Sheet, synonyms: dict[str, list[str]], rows: range | None = None
                ) -> dict[str, tuple[object, int, int]]:
    """label → (value, row, col) from label/value layouts.

    A label cell takes the next non-empty cell to its right (skipping cells merged with it);
    `label：value` in one cell is split at the colon. The first occurrence of a label wins, and a
    label's own synonyms rank as in `synonyms` (so 填报单位 beats 单位).
    """
    table = {canon: [norm(s) for s in words] for canon, words in synonyms.items()}
    labels = {w for words in table.values() for w in words}
    hits: dict[str, tuple[int, tuple[object, int, int]]] = {}
    value_col = None  # a 项目 | 填写内容 | 说明 header: values sit in the 填写内容 column, not the hints
    for r in rows if rows is not None else range(len(sheet.rows)):
        row = sheet.rows[r] if r < len(sheet.rows) else []
        keys = [header_key(v) if isinstance(v, str) else "" for v in row]
        if value_col is None and any(k in VALUE_HEADERS for k in keys):
            value_col = next(c for c, k in enumerate(keys) if k in VALUE_HEADERS)
            continue
        for c, cell in enumerate(row):
            if not isinstance(cell, str) or (r, c) in sheet.merged_from:
                continue
            found = _label_in(cell, table)
            if not found:
                continue
            canon, rank, inline = found
            if inline is not None:
                value, at = inline, (r, c)
            elif value_col is not None and value_col > c:
                value, at = sheet.value(r, value_col), (r, value_col)
            else:
                value, at = "", (r, c + 1)
                for c2 in range(c + 1, len(row)):
                    if sheet.merged_from.get((r, c2)) == (r, c) or is_blank(row[c2]):
                        continue
                    if isinstance(row[c2], str) and header_key(row[c2]) in labels:
                        break  # the next label: this one's value is empty
                    value, at = row[c2], (r, c2)
                    break
            if canon not in hits or rank < hits[canon][0]:
                hits[canon] = (rank, (value, *at))
    return {canon: hit for canon, (_, hit) in hits.items()}


def _label_in(cell: str, table: dict[str, list[str]]) -> tuple[str, int, str | None] | None:
    """(canonical label, synonym rank, inline value or None) when `cell` is a label."""
    key = header_key(cell)
    for canon, words in table.items():
        if key in words:
            return canon, words.index(key), None
    text = cell.strip()
    m = re.match(r"^\s*[*＊]?\s*([^:：]{1,12})\s*[:：]\s*(.*)$", text, re.S)
    if m:
        label = norm(m.group(1))
        for canon, words in table.items():
            if label in words:
                return canon, words.index(label), m.group(2).strip()
    return None
