"""The office's receipt log (收文登记.csv): read and matched to the files of the folder."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

from .. import names as N
from ..dates import Quarter, parse_date
from ..issues import Issue
from ..textnorm import norm


def read_receipt_log(folder: str | Path, quarter: Quarter) -> tuple[dict[str, dt.date], list[Issue]]:
    """file name → 收文日期 from `收文登记.csv` (absent log: empty). Bad rows become issues."""
    path = Path(folder) / N.RECEIPT_LOG
    if not path.is_file():
        return {}, []
    q = str(quarter)

    def bad(message: str, cell: str = "", severity: str = "") -> Issue:
        return Issue(code="receipt-log-bad", message=message, file=N.RECEIPT_LOG, cell=cell,
                     quarter=q, severity=severity)

    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):  # Excel's "CSV" save is GBK on Chinese Windows
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
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
        name = row[fi].strip() if fi < len(row) else ""
        value = row[di].strip() if di < len(row) else ""
        if not name and not value:
            continue
        cell = f"{_col(di)}{n}"
        if not name:
            issues.append(bad(f"收文登记第{n}行未填写文件名，请补填", f"{_col(fi)}{n}"))
            continue
        try:
            date = parse_date(value)
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


def _col(index: int) -> str:
    return chr(65 + index) if index < 26 else "A" + chr(65 + index - 26)


def match_log(log: dict[str, dt.date], files: list[str]) -> tuple[dict[str, dt.date], list[str]]:
    """file → date for the files in the folder (exact name, else normalised name, else stem);
    also the logged names that match no file."""
    by_key: dict[str, str] = {}
    for f in files:
        for key in (norm(f), norm(Path(f).stem)):
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
