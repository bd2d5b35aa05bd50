"""Parsers for deadline texts (附件2), completion dates in returns, and quarters."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from .textnorm import norm

ONGOING_WORDS = ("持续推进",)

_DEADLINE = re.compile(r"^(?P<y>\d{4})年(?:(?P<m>\d{1,2})月(?:底|末)?|年?底)前?$")


def last_day(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def parse_deadline(text: object) -> dt.date | None:
    """`2020年5月底` / `2022年4月` → last day of month; `2020年底` → 12-31; `持续推进` → None.

    A trailing 前 changes nothing; spaces and full-width digits are tolerated. Anything else
    raises ValueError naming the text.
    """
    t = norm(text)
    if t in ONGOING_WORDS:
        return None
    m = _DEADLINE.match(t)
    if not m:
        raise ValueError(f"无法识别的时间进度：「{text}」")
    year = int(m["y"])
    if m["m"] is None:
        return dt.date(year, 12, 31)
    month = int(m["m"])
    if not 1 <= month <= 12:
        raise ValueError(f"无法识别的时间进度：「{text}」（月份应为1-12）")
    return last_day(year, month)


_DATE_PATTERNS = [
    re.compile(r"^(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})(?:\s*0{1,2}:0{2}(?::0{2})?)?$"),
    re.compile(r"^(?P<y>\d{4})年(?P<m>\d{1,2})月(?P<d>\d{1,2})日?$"),
    re.compile(r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})$"),
]
_EXCEL_EPOCH = dt.date(1899, 12, 30)


def parse_date(value: object) -> dt.date | None:
    """A completion or submission date as returns write it; None for an empty cell.

    Accepts real dates, Excel serial numbers, `2020-05-31`, `2020/5/31`, `2020.5.31`,
    `2020年5月31日`, `20200531`. Raises ValueError for anything else.
    """
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        raise ValueError(f"无法识别的日期：「{value}」")
    if isinstance(value, int | float):
        if value != value:  # NaN
            return None
        if 20000 <= value <= 80000 and float(value).is_integer():
            return _EXCEL_EPOCH + dt.timedelta(days=int(value))
        raise ValueError(f"无法识别的日期：「{value}」")
    text = norm(value)
    if not text:
        return None
    if re.fullmatch(r"\d{5}(\.0+)?", text):  # a serial stored as text
        return parse_date(float(text))
    for pattern in _DATE_PATTERNS:
        m = pattern.match(text)
        if m:
            try:
                return dt.date(int(m["y"]), int(m["m"]), int(m["d"]))
            except ValueError:
                break
    raise ValueError(f"无法识别的日期：「{value}」")


_CN_NUM = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_QUARTER = re.compile(r"^(?P<y>\d{4})(?:-?Q(?P<q>[1-4])|年第?(?P<c>[一二三四1-4])季度?)$", re.I)


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    q: int

    def __str__(self) -> str:
        return f"{self.year}Q{self.q}"

    @property
    def label(self) -> str:
        return f"{self.year}年第{'一二三四'[self.q - 1]}季度"

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, 3 * self.q - 2, 1)

    @property
    def end(self) -> dt.date:
        return last_day(self.year, 3 * self.q)

    def due_date(self, due_day: int = 20) -> dt.date:
        return dt.date(self.year, 3 * self.q, due_day)

    def previous(self) -> Quarter:
        return Quarter(self.year - 1, 4) if self.q == 1 else Quarter(self.year, self.q - 1)


def parse_quarter(text: object) -> Quarter:
    """`2021Q1`, `2021-Q1`, `2021年第一季度` → Quarter; ValueError otherwise."""
    if isinstance(text, Quarter):
        return text
    m = _QUARTER.match(norm(text))
    if not m:
        raise ValueError(f"无法识别的季度：「{text}」，应写作 2021Q1、2021-Q1 或 2021年第一季度")
    return Quarter(int(m["y"]), int(m["q"] or _CN_NUM[m["c"]]))
