"""The ledger of input files: receipt log, submission dates, timeliness, supersession (DESIGN §4)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pandas as pd

from .. import names as N
from ..dates import Quarter, parse_date
from ..issues import Issue
from ..reference import Reference
from ..textnorm import norm
from .returns import ParsedReturn, _frame, row_tuple


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


def build_ledger(parsed: list[ParsedReturn], received: dict[str, dt.date], reference: Reference,
                 quarter: Quarter) -> tuple[pd.DataFrame, list[Issue]]:
    """The ledger (one row per file) and the issues it raises (submitted-on-missing, duplicate-return)."""
    due = quarter.due_date(reference.settings["reporting"]["due_day"])
    q = str(quarter)
    records, issues = [], []
    for p in parsed:
        if p.file in received:
            submitted, source = received[p.file], "收文登记"
        elif p.filled_on is not None:
            submitted, source = p.filled_on, N.INFO_DATE
        else:
            submitted, source = None, ""
        if not p.rejected and submitted is None:
            issues.append(Issue(code="submitted-on-missing",
                                message=f"无法确定报送日期：收文登记未登记本文件，{N.SHEET_INFO}中“{N.INFO_DATE}”也未填写或无法识别，"
                                        "请补填填报日期（本期按逾期报送计）",
                                file=p.file, sheet=p.filled_at[0] or N.SHEET_INFO, cell=p.filled_at[1],
                                unit_id=p.unit_id or "", quarter=q))
        records.append(row_tuple("ledger", {
            "quarter": q, "file": p.file, "sha256": p.sha256, "unit_id": p.unit_id,
            "submitted_on": submitted, "submitted_source": source,
            "on_time": submitted is not None and submitted <= due,
            "state": "rejected" if p.rejected else "accepted", "reason": p.reason,
        }))
    ledger = _frame("ledger", records)
    return _supersede(ledger, reference, issues)


def _supersede(ledger: pd.DataFrame, reference: Reference, issues: list[Issue]
               ) -> tuple[pd.DataFrame, list[Issue]]:
    """Keep the latest accepted return of each unit (same date: the name that sorts last)."""
    acc = ledger[ledger["state"] == "accepted"]
    order = acc.assign(_d=acc["submitted_on"].fillna(pd.Timestamp.min)).sort_values(["_d", "file"])
    winners = order.groupby("unit_id", sort=False).tail(1)
    losers = order.index.difference(winners.index)
    state = ledger["state"].copy()
    state.loc[losers] = "superseded"
    reason = ledger["reason"].copy()
    winner_of = winners.set_index("unit_id")
    for i in losers:
        unit = ledger.at[i, "unit_id"]
        w = winner_of.loc[unit]
        when = w["submitted_on"].strftime("%Y-%m-%d") if pd.notna(w["submitted_on"]) else "日期不详"
        reason.loc[i] = f"已被“{w['file']}”替代"
        issues.append(Issue(code="duplicate-return",
                            message=f"{reference.unit_name(unit)}本季度另报送了“{w['file']}”（{when}），"
                                    f"以该文件为准，本文件不再使用；如有误请说明",
                            file=ledger.at[i, "file"], unit_id=unit, quarter=ledger.at[i, "quarter"]))
    return ledger.assign(state=state, reason=reason), issues
