"""The office's receipt log (收文登记.csv): read and matched to the files of the folder."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path

from .. import names as N
from ..dates import Quarter, parse_date
from ..issues import Issue
from ..textnorm import norm
from .workbook import Book, UnreadableWorkbook

# A time of day after the date (2021/3/21 14:25, 2021-03-21 14:25:09): the date part counts.
_TIME_OF_DAY = re.compile(r"^(.*?\S)\s*(?:T|\s)\s*\d{1,2}[:：]\d{2}(?:[:：]\d{2}(?:\.\d+)?)?$")


def receipt_date(value: object) -> dt.date | None:
    """A 收文日期 as the log holds it: a date, a date-time (its date), or text of either."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, str):
        m = _TIME_OF_DAY.match(value.strip())
        value = m.group(1) if m else value
    return parse_date(value)


def decode_csv(raw: bytes) -> str | None:
    """A CSV's text: UTF-8 (a BOM allowed), else GB18030 (Excel's "CSV" save on Chinese
    Windows); None when it is neither."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def read_receipt_log(folder: str | Path, quarter: Quarter) -> tuple[dict[str, dt.date], list[Issue]]:
    """file name → 收文日期 from the receipt log: `收文登记.csv`, else `收文登记.xlsx`/`.xls`
    (absent log: empty). Bad rows become issues."""
    path = next((Path(folder) / n for n in N.RECEIPT_LOGS if (Path(folder) / n).is_file()), None)
    if path is None:
        return {}, []
    q = str(quarter)

    def bad(message: str, cell: str = "", severity: str = "") -> Issue:
        return Issue(code="receipt-log-bad", message=message, file=path.name, cell=cell,
                     quarter=q, severity=severity)

    raw = path.read_bytes()
    if path.suffix.lower() != ".csv":
        try:
            rows = _workbook_rows(raw)
        except UnreadableWorkbook as exc:
            return {}, [bad(f"收文登记无法读取（{exc}）")]
    else:
        text = decode_csv(raw)
        if text is None:
            return {}, [bad("收文登记无法解码，请另存为“CSV UTF-8”格式")]
        rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        return {}, [bad(f"收文登记为空，应含“{N.RECEIPT_FILE}”“{N.RECEIPT_DATE}”两列")]
    header = [norm(h) for h in rows[0]]
    if N.RECEIPT_FILE not in header or N.RECEIPT_DATE not in header:
        return {}, [bad(f"收文登记缺少“{N.RECEIPT_FILE}”或“{N.RECEIPT_DATE}”列（第1行为表头），本期改用各报表的填报日期")]
    fi, di = header.index(N.RECEIPT_FILE), header.index(N.RECEIPT_DATE)
    log: dict[str, dt.date] = {}
    issues: list[Issue] = []
    for n, row in enumerate(rows[1:], start=2):
        name = _text(row[fi]) if fi < len(row) else ""
        value = row[di] if di < len(row) else ""
        value = value.strip() if isinstance(value, str) else value
        if not name and not value:
            continue
        cell = f"{_col(di)}{n}"
        if not name:
            issues.append(bad(f"收文登记第{n}行未填写文件名，请补填", f"{_col(fi)}{n}"))
            continue
        try:
            date = receipt_date(value) if not (isinstance(value, str) and not value) else None
        except ValueError:
            date = None
            issues.append(bad(f"收文登记第{n}行“{name}”的收文日期“{value}”无法识别，请填写如 2020-09-18 的日期", cell))
        if date is None:
            if not value:
                issues.append(bad(f"收文登记第{n}行“{name}”未填写收文日期，请补填", cell))
            continue
        if name in log and log[name] != date:
            issues.append(bad(f"收文登记中“{name}”登记了两次且日期不同，已以第一次为准，请核对", cell))
            continue
        log.setdefault(name, date)
    return log, issues


def _workbook_rows(raw: bytes) -> list[list[object]]:
    """The first visible sheet of a receipt log saved as a workbook, header first."""
    book = Book(raw)
    visible = [n for n in book.sheet_names if n not in book.hidden] or book.sheet_names
    rows = book.sheet(visible[0]).rows
    return [[_text(v) if not isinstance(v, (dt.date, float, int)) else v for v in row] for row in rows]


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _col(index: int) -> str:
    return chr(65 + index) if index < 26 else "A" + chr(65 + index - 26)


def match_log(log: dict[str, dt.date], files: list[str]) -> tuple[dict[str, dt.date], list[str]]:
    """file → date for the files in the folder (exact name, else normalised name, else stem);
    also the logged names that match no file."""
    by_key: dict[str, str] = {}
    for f in files:
        for key in (norm(f), norm(Path(f).stem)):
            by_key.setdefault(key, f)
    for f in files:  # an archive's member may be logged by its own name (a.zip!dir/b.xlsx → b.xlsx)
        if "!" in f:
            inner = Path(f.rsplit("!", 1)[-1])
            for key in (norm(inner.name), norm(inner.stem)):
                by_key.setdefault(key, f)
    matched: dict[str, dt.date] = {}
    unmatched = []
    for name, date in log.items():
        f = name if name in files else by_key.get(norm(name)) or by_key.get(norm(Path(name).stem))
        if f is None:
            unmatched.append(name)
        else:
            matched.setdefault(f, date)
    return matched, unmatched
